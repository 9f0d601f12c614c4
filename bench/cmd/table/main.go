// Command table turns the raw output of bench/run.sh (go test -bench
// output, several rounds, plus "key: value" lines describing the machine)
// into bench/results/RESULTS.md: one Markdown table per group of
// benchmarks with medians, spreads and ratios, the key-fetch counts, and
// the project's performance goals checked against this run.
//
//	go run ./cmd/table -in results/raw.txt -out results/RESULTS.md
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

func main() {
	in := flag.String("in", "results/raw.txt", "raw go test -bench output")
	out := flag.String("out", "results/RESULTS.md", "Markdown file to write")
	flag.Parse()
	f, err := os.Open(*in)
	if err != nil {
		fatal(err)
	}
	defer f.Close()
	run, err := parse(f)
	if err != nil {
		fatal(err)
	}
	var b strings.Builder
	render(&b, run)
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "table:", err)
	os.Exit(1)
}

// sample is one result line of one benchmark.
type sample struct {
	n       int
	metrics map[string]float64 // by unit: "ns/op", "B/op", "allocs/op", "fetches", ...
}

// run is a parsed raw file: configuration lines (first value of each key
// wins, except load-after: the last) and the samples of each benchmark in
// order of first appearance.
type run struct {
	config  map[string]string
	names   []string
	samples map[string][]sample
}

// parse reads go test -bench output. A benchmark line is
// "BenchmarkName-P  N  v unit  v unit ..."; the -P suffix (GOMAXPROCS) is
// dropped. Lines "key: value" are configuration; anything else is ignored.
func parse(r io.Reader) (*run, error) {
	rn := &run{config: map[string]string{}, samples: map[string][]sample{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "Benchmark") {
			name, s, ok := parseResult(line)
			if !ok {
				continue
			}
			if _, seen := rn.samples[name]; !seen {
				rn.names = append(rn.names, name)
			}
			rn.samples[name] = append(rn.samples[name], s)
			continue
		}
		key, val, ok := strings.Cut(line, ": ")
		if !ok || key == "" || strings.ContainsAny(key, " \t") {
			continue
		}
		if _, seen := rn.config[key]; !seen || key == "load-after" {
			rn.config[key] = strings.TrimSpace(val)
		}
	}
	return rn, sc.Err()
}

func parseResult(line string) (string, sample, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || len(f)%2 != 0 {
		return "", sample{}, false
	}
	name := strings.TrimPrefix(f[0], "Benchmark")
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i]
		}
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return "", sample{}, false
	}
	s := sample{n: n, metrics: map[string]float64{}}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return "", sample{}, false
		}
		s.metrics[f[i+1]] = v
	}
	return name, s, true
}

// median of one metric over a benchmark's samples; NaN when absent.
func (rn *run) median(name, unit string) float64 {
	var vs []float64
	for _, s := range rn.samples[name] {
		if v, ok := s.metrics[unit]; ok {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return math.NaN()
	}
	slices.Sort(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2]
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
}

// spread is half the range of ns/op over the samples, relative to the
// median: a rough measure of the noise.
func (rn *run) spread(name string) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range rn.samples[name] {
		v := s.metrics["ns/op"]
		lo, hi = min(lo, v), max(hi, v)
	}
	return (hi - lo) / 2 / rn.median(name, "ns/op")
}

// group describes one family of benchmarks: BenchmarkGroup/variant[/token].
type group struct {
	prefix string // benchmark name prefix, e.g. "NetHTTP"
	title  string
	ours   string // our variant's name in the group
	bare   string // the no-auth variant, "" if none
}

var groups = []group{
	{"Floor", "Physical floor: SHA-256 + rsa.VerifyPKCS1v15 (RSA-2048)", "", ""},
	{"Core", "Core verifier alone (core.Client.VerifyToken, no HTTP)", "VerifyToken", ""},
	{"NetHTTP", "net/http on a Chi router", "chiclerk", "bare"},
	{"Gin", "Gin", "ginclerk", "bare"},
	{"Echo", "Echo", "echoclerk", "bare"},
	{"Fiber", "Fiber v2 (fasthttp)", "fiberclerk", "bare"},
}

const (
	floorName   = "Floor/rsa-verify-sha256"
	sdkVariant  = "clerk-sdk-go"
	repeatedTok = "repeated-token"
	newTok      = "new-token"
)

// peers names the libraries in the tables.
var peers = map[string]string{
	"bare":              "no authentication",
	"chiclerk":          "**chiclerk** (ours)",
	"ginclerk":          "**ginclerk** (ours)",
	"echoclerk":         "**echoclerk** (ours)",
	"fiberclerk":        "**fiberclerk** (ours)",
	"VerifyToken":       "**core.VerifyToken** (ours)",
	"clerk-sdk-go":      "clerk-sdk-go v2.7.0 `http.RequireHeaderAuthorization`",
	"auth0":             "auth0 go-jwt-middleware v2.3.1 (static key)",
	"echo-jwt":          "labstack/echo-jwt v4.4.0 (static key)",
	"contrib-jwt":       "gofiber/contrib/jwt v1.1.2 (static key)",
	"rsa-verify-sha256": "sha256.Sum256 + rsa.VerifyPKCS1v15",
	"clerkgo":           "**clerkgo** (ours)",
}

func label(variant string) string {
	if l, ok := peers[variant]; ok {
		return l
	}
	return variant
}

// fmtNs prints a duration in ns or µs with three significant digits.
func fmtNs(ns float64) string {
	switch {
	case math.IsNaN(ns):
		return "–"
	case ns < 1000:
		return fmt.Sprintf("%.0f ns", ns)
	case ns < 10000:
		return fmt.Sprintf("%.2f µs", ns/1000)
	case ns < 100000:
		return fmt.Sprintf("%.1f µs", ns/1000)
	case ns < 1e7:
		return fmt.Sprintf("%.0f µs", ns/1000)
	default:
		return fmt.Sprintf("%.0f ms", ns/1e6)
	}
}

func fmtRatio(r float64) string {
	switch {
	case math.IsNaN(r) || math.IsInf(r, 0):
		return "–"
	case r < 0.1:
		return fmt.Sprintf("%.3f×", r)
	case r < 10:
		return fmt.Sprintf("%.2f×", r)
	default:
		return fmt.Sprintf("%.0f×", r)
	}
}

func fmtInt(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
}

func fmtNum(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func render(w io.Writer, rn *run) {
	cfg := func(k string) string {
		if v := rn.config[k]; v != "" {
			return v
		}
		return "unknown"
	}
	fmt.Fprintf(w, "# Benchmark results\n\n")
	fmt.Fprintf(w, "Generated by `bench/run.sh` (raw output: `raw.txt`). Medians over %s rounds; every ratio compares numbers of this one run.\n\n", cfg("rounds"))
	fmt.Fprintf(w, "| Machine | |\n| --- | --- |\n")
	for _, kv := range [][2]string{
		{"CPU", cfg("cpu-model")}, {"Cores", cfg("cores")}, {"Go", cfg("go-version")},
		{"Date (UTC)", cfg("date")}, {"Load average before (1, 5, 15 min)", cfg("load-before")},
		{"Load average after", cfg("load-after")}, {"Command", "`" + cfg("command") + "`"},
	} {
		fmt.Fprintf(w, "| %s | %s |\n", kv[0], kv[1])
	}
	fmt.Fprintln(w)

	floor := rn.median(floorName, "ns/op")
	renderGoals(w, rn, floor)

	for _, g := range groups {
		var names []string
		for _, n := range rn.names {
			if strings.HasPrefix(n, g.prefix+"/") {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			continue
		}
		fmt.Fprintf(w, "## %s\n\n", g.title)
		bare := math.NaN()
		if g.bare != "" {
			bare = rn.median(g.prefix+"/"+g.bare, "ns/op")
		}
		fmt.Fprintf(w, "| Middleware | Token | ns/op | ± | B/op | allocs/op | × RSA floor | over bare | ÷ ours |\n")
		fmt.Fprintf(w, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
		for _, n := range names {
			parts := strings.Split(n, "/")
			variant, tok := parts[1], ""
			if len(parts) > 2 {
				tok = parts[2]
			}
			ns := rn.median(n, "ns/op")
			over, vsOurs := "–", "–"
			if g.bare != "" && variant != g.bare {
				over = "+" + fmtNs(ns-bare)
			}
			if g.ours != "" && variant != g.ours && variant != g.bare && tok != "" {
				vsOurs = fmtRatio(ns / rn.median(g.prefix+"/"+g.ours+"/"+tok, "ns/op"))
			}
			fmt.Fprintf(w, "| %s | %s | %s | %.0f%% | %s | %s | %s | %s | %s |\n",
				label(variant), tok, fmtNs(ns), 100*rn.spread(n),
				fmtInt(rn.median(n, "B/op")), fmtInt(rn.median(n, "allocs/op")),
				fmtRatio(ns/floor), over, vsOurs)
		}
		fmt.Fprintln(w)
	}
	renderPaired(w, rn)
	renderFetches(w, rn)
	fmt.Fprintf(w, "Columns: ns/op, B/op and allocs/op are medians; ± is half the range of ns/op over the rounds, relative to the median (the noise of the machine); × RSA floor divides by the median of %s; over bare is the time added to the framework with no authentication; ÷ ours divides by our middleware's time on the same token (for clerk-sdk-go: how many times slower the official SDK is).\n", "`"+floorName+"`")
}

// pairs describes the sides of each BenchmarkPaired run.
var pairs = map[string][2]string{
	"new-token-vs-floor":               {"bare RSA floor", "chiclerk, new token"},
	"core-new-token-vs-floor":          {"bare RSA floor", "core.VerifyToken, new token"},
	"repeated-token-sdk-vs-chiclerk":   {"chiclerk, repeated token", "clerk-sdk-go, repeated token"},
	"chiclerk-over-bare":               {"bare Chi router", "chiclerk, repeated token"},
	"ginclerk-over-bare":               {"bare Gin", "ginclerk, repeated token"},
	"echoclerk-over-bare":              {"bare Echo", "echoclerk, repeated token"},
	"fiberclerk-over-bare":             {"bare Fiber", "fiberclerk, repeated token"},
	"cached-api-key-vs-repeated-token": {"core.VerifyToken, repeated session token", "core.VerifyMachineToken, cached API key"},
}

func renderPaired(w io.Writer, rn *run) {
	var names []string
	for _, n := range rn.names {
		if strings.HasPrefix(n, "Paired/") {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return
	}
	fmt.Fprintf(w, "## Paired runs (the two sides interleaved)\n\n")
	fmt.Fprintf(w, "| Reference (a) | Measured (b) | a ns/op | b ns/op | b ÷ a | b ÷ a, CPU time | b − a |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n")
	for _, n := range names {
		sides, ok := pairs[strings.TrimPrefix(n, "Paired/")]
		if !ok {
			sides = [2]string{"a", strings.TrimPrefix(n, "Paired/")}
		}
		// The ratio and the difference are medians of the per-round values
		// where the benchmark reports them, as in the goals.
		a, b := rn.median(n, "ns-a/op"), rn.median(n, "ns-b/op")
		ratio, added := rn.median(n, "ratio"), rn.median(n, "added-ns/op")
		if math.IsNaN(ratio) {
			ratio = b / a
		}
		if math.IsNaN(added) {
			added = b - a
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", sides[0], sides[1], fmtNs(a), fmtNs(b), fmtRatio(ratio),
			fmtRatio(rn.median(n, "cpu-ratio")), fmtAdded(added))
	}
	fmt.Fprintf(w, "\nb ÷ a, CPU time divides the process's CPU time per call of each side (`getrusage`, garbage collection on other threads included), which leaves out the time other processes held the core; \"Met\" is decided by the wall-time ratio.\n\n")
}

func renderFetches(w io.Writer, rn *run) {
	var names []string
	for _, n := range rn.names {
		if strings.HasPrefix(n, "KeyFetch/") {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return
	}
	fmt.Fprintf(w, "## Upstream JWKS requests (fake Clerk's counter)\n\n")
	fmt.Fprintf(w, "| Scenario | Verifier | JWKS fetches | allowed (cooldowns) | scenario time |\n| --- | --- | ---: | ---: | ---: |\n")
	for _, n := range names {
		parts := strings.Split(n, "/")
		if len(parts) < 3 {
			continue
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", parts[1], label(parts[2]),
			fmtNum(rn.median(n, "fetches")), fmtNum(rn.median(n, "cooldowns")), fmtNs(rn.median(n, "ns/op")))
	}
	fmt.Fprintf(w, "\ncold-cache-1000-concurrent: 1000 concurrent requests with one valid token on a cold key cache, the JWKS endpoint answering after 50 ms. random-kids-1000: after one valid request, 1000 forged tokens with random kids in 20 rounds of 50 concurrent requests, a simulated clock advancing 15 s per round (5 min, 10 key-fetch cooldowns of 30 s).\n\n")
}

// goal is one performance target checked against the run.
type goal struct {
	what, target    string
	paired, medians string
	met             bool
}

func renderGoals(w io.Writer, rn *run, floor float64) {
	var gs []goal
	ns := func(n string) float64 { return rn.median(n, "ns/op") }
	paired := func(n, unit string) float64 { return rn.median("Paired/"+n, unit) }
	ratioGoal := func(what, target, pair string, byMedians float64, ok func(float64) bool) {
		p := paired(pair, "ratio")
		if math.IsNaN(p) && math.IsNaN(byMedians) {
			return
		}
		decide := p
		if math.IsNaN(decide) {
			decide = byMedians
		}
		shown := fmtRatio(p)
		if pc := paired(pair, "cpu-ratio"); !math.IsNaN(pc) {
			shown += " (CPU time " + fmtRatio(pc) + ")"
		}
		gs = append(gs, goal{what, target, shown, fmtRatio(byMedians), ok(decide)})
	}
	// Issue 18's goals for a new token (jwx's fast path).
	ratioGoal("New token through chiclerk ÷ bare RSA floor", "≤ 1.3×", "new-token-vs-floor",
		ns("NetHTTP/chiclerk/"+newTok)/floor, func(r float64) bool { return r <= 1.3 })
	ratioGoal("New token, core.VerifyToken alone ÷ bare RSA floor", "≤ 1.2×", "core-new-token-vs-floor",
		ns("Core/VerifyToken/"+newTok)/floor, func(r float64) bool { return r <= 1.2 })
	if v := rn.median("Core/VerifyToken/"+newTok, "allocs/op"); !math.IsNaN(v) {
		gs = append(gs, goal{"New token, core.VerifyToken alone: allocations", "≤ 40 allocs/op", "–", fmtInt(v), v <= 40})
	}
	if v := ns("Core/VerifyToken/" + repeatedTok); !math.IsNaN(v) {
		gs = append(gs, goal{"Repeated token, core.VerifyToken alone", "≤ 200 ns", "–", fmtNs(v), v <= 200})
	}
	ratioGoal("Repeated token: official SDK ÷ chiclerk", "≥ 100×", "repeated-token-sdk-vs-chiclerk",
		ns("NetHTTP/"+sdkVariant+"/"+repeatedTok)/ns("NetHTTP/chiclerk/"+repeatedTok), func(r float64) bool { return r >= 100 })
	// "About what a repeated session token costs": within 1.5× of it.
	ratioGoal("Cached API key ÷ repeated session token (core)", "≤ 1.5×", "cached-api-key-vs-repeated-token",
		math.NaN(), func(r float64) bool { return r <= 1.5 })
	if v := rn.median("Machine/new-api-key-100-concurrent", "verify-calls/op"); !math.IsNaN(v) {
		gs = append(gs, goal{"Verify calls, 100 concurrent requests with one new API key", "exactly 1", "–", fmtNum(v), v == 1})
	}
	for _, g := range groups {
		if g.bare == "" {
			continue
		}
		d := ns(g.prefix+"/"+g.ours+"/"+repeatedTok) - ns(g.prefix+"/"+g.bare)
		p := paired(g.ours+"-over-bare", "added-ns/op")
		if math.IsNaN(d) && math.IsNaN(p) {
			continue
		}
		decide := p
		if math.IsNaN(decide) {
			decide = d
		}
		gs = append(gs, goal{g.ours + " over bare " + strings.TrimPrefix(g.title, "net/http on a ") + ", repeated token",
			"≤ 2 µs", fmtAdded(p), fmtAdded(d), decide <= 2000})
	}
	if v := rn.median("KeyFetch/cold-cache-1000-concurrent/clerkgo", "fetches"); !math.IsNaN(v) {
		gs = append(gs, goal{"JWKS fetches, 1000 concurrent requests on a cold cache", "exactly 1", "–", fmtNum(v), v == 1})
	}
	n := "KeyFetch/random-kids-1000/clerkgo"
	if v, c := rn.median(n, "fetches"), rn.median(n, "cooldowns"); !math.IsNaN(v) {
		gs = append(gs, goal{"JWKS fetches, 1000 random kids over " + fmtNum(c) + " cooldowns", "≤ " + fmtNum(c), "–", fmtNum(v), v <= c})
	}
	if len(gs) == 0 {
		return
	}
	fmt.Fprintf(w, "## Goals\n\n")
	fmt.Fprintf(w, "| Goal | Target | This run: paired | This run: separate benchmarks | Met |\n| --- | --- | ---: | ---: | :---: |\n")
	for _, g := range gs {
		met := "yes"
		if !g.met {
			met = "**no**"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", g.what, g.target, g.paired, g.medians, met)
	}
	fmt.Fprintf(w, "\n\"Paired\" alternates the two sides in short batches inside one benchmark (`BenchmarkPaired`, median over the rounds), so that both see the same machine load; where it exists it decides \"Met\". \"Separate benchmarks\" divides (or subtracts) the medians of the benchmarks in the tables below; the key-fetch counts come from the fake Clerk's request counter.\n\n")
}

func fmtAdded(ns float64) string {
	if math.IsNaN(ns) {
		return "–"
	}
	return "+" + fmtNs(ns)
}
