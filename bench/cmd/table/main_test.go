package main

import (
	"strings"
	"testing"
)

const sampleRaw = `date: 2026-11-26T06:00:00Z
cores: 2
rounds: 2
load-after: 1.00 1.00 1.00
goos: linux
pkg: github.com/clerkgo/clerk/bench
BenchmarkFloor/rsa-verify-sha256-2         	   10000	     30000 ns/op	    2080 B/op	      10 allocs/op
BenchmarkNetHTTP/bare-2                    	  968898	       500 ns/op	     368 B/op	       2 allocs/op
BenchmarkNetHTTP/chiclerk/repeated-token-2  	  401654	      1500 ns/op	     752 B/op	       5 allocs/op
BenchmarkNetHTTP/clerk-sdk-go/repeated-token-2  	2958	    150000 ns/op	   27373 B/op	     426 allocs/op
BenchmarkNetHTTP/chiclerk/new-token-2      	   10000	     36000 ns/op	    6024 B/op	      49 allocs/op
BenchmarkFloor/rsa-verify-sha256-2         	   10000	     34000 ns/op	    2080 B/op	      10 allocs/op
BenchmarkNetHTTP/bare-2                    	  968898	       700 ns/op	     368 B/op	       2 allocs/op
BenchmarkNetHTTP/chiclerk/repeated-token-2  	  401654	      1300 ns/op	     752 B/op	       5 allocs/op
BenchmarkNetHTTP/clerk-sdk-go/repeated-token-2  	2958	    130000 ns/op	   27373 B/op	     426 allocs/op
BenchmarkNetHTTP/chiclerk/new-token-2      	   10000	     44000 ns/op	    6024 B/op	      49 allocs/op
BenchmarkPaired/new-token-vs-floor-2 	    5353	     66936 ns/op	     29000 ns-a/op	     36250 ns-b/op	         1.25 ratio	    8105 B/op	      59 allocs/op
BenchmarkPaired/core-new-token-vs-floor-2 	    5353	     66936 ns/op	     1.150 cpu-ratio	     30000 ns-a/op	     39000 ns-b/op	         1.30 ratio	    8105 B/op	      59 allocs/op
BenchmarkCore/VerifyToken/repeated-token-2 	 1000000	       180 ns/op	       0 B/op	       0 allocs/op
BenchmarkCore/VerifyToken/new-token-2      	   10000	     35000 ns/op	    9000 B/op	     101 allocs/op
BenchmarkPaired/cached-api-key-vs-repeated-token-2 	 100000	      1659 ns/op	     149.1 ns-a/op	     167.1 ns-b/op	         1.121 ratio	       0 B/op	       0 allocs/op
BenchmarkMachine/new-api-key-100-concurrent-2         	    2000	    275007 ns/op	         1.000 verify-calls/op	   22196 B/op	     282 allocs/op
BenchmarkKeyFetch/cold-cache-1000-concurrent/clerkgo-2         	       1	 616383009 ns/op	         1.000 fetches
BenchmarkKeyFetch/random-kids-1000/clerkgo-2                   	       1	 191424576 ns/op	        10.00 cooldowns	         9.000 fetches
load-after: 2.00 2.00 2.00
PASS
`

func TestParse(t *testing.T) {
	rn, err := parse(strings.NewReader(sampleRaw))
	if err != nil {
		t.Fatal(err)
	}
	if got := rn.config["load-after"]; got != "2.00 2.00 2.00" {
		t.Errorf("load-after = %q, want the last value", got)
	}
	if got := rn.config["cores"]; got != "2" {
		t.Errorf("cores = %q", got)
	}
	if n := len(rn.samples["Floor/rsa-verify-sha256"]); n != 2 {
		t.Fatalf("floor samples = %d, want 2", n)
	}
	if m := rn.median("Floor/rsa-verify-sha256", "ns/op"); m != 32000 {
		t.Errorf("median = %v, want 32000", m)
	}
	if m := rn.median("KeyFetch/random-kids-1000/clerkgo", "cooldowns"); m != 10 {
		t.Errorf("cooldowns = %v, want 10", m)
	}
	if s := rn.spread("Floor/rsa-verify-sha256"); s != 2000.0/32000 {
		t.Errorf("spread = %v", s)
	}
	if rn.names[0] != "Floor/rsa-verify-sha256" || rn.names[1] != "NetHTTP/bare" {
		t.Errorf("names out of order: %q", rn.names)
	}
}

func TestRender(t *testing.T) {
	rn, err := parse(strings.NewReader(sampleRaw))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	render(&b, rn)
	out := b.String()
	for _, want := range []string{
		"| Cores | 2 |",
		// paired ratio 1.25 decides; medians: 40000/32000.
		"| New token through chiclerk ÷ bare RSA floor | ≤ 1.3× | 1.25× | 1.25× | yes |",
		// 140000/1400
		"| Repeated token: official SDK ÷ chiclerk | ≥ 100× | – | 100× | yes |",
		// 1400-600
		"| chiclerk over bare Chi router, repeated token | ≤ 2 µs | – | +800 ns | yes |",
		"| JWKS fetches, 1000 concurrent requests on a cold cache | exactly 1 | – | 1 | yes |",
		// one sample of each: a goal missed is shown as missed.
		"| New token, core.VerifyToken alone: allocations | ≤ 40 allocs/op | – | 101 | **no** |",
		// the paired wall-time ratio decides, not the CPU-time one nor the
		// medians (35000/32000).
		"| New token, core.VerifyToken alone ÷ bare RSA floor | ≤ 1.2× | 1.30× (CPU time 1.15×) | 1.09× | **no** |",
		"| bare RSA floor | core.VerifyToken, new token | 30.0 µs | 39.0 µs | 1.30× | 1.15× | +9.00 µs |",
		"| Repeated token, core.VerifyToken alone | ≤ 200 ns | – | 180 ns | yes |",
		"| Cached API key ÷ repeated session token (core) | ≤ 1.5× | 1.12× | – | yes |",
		"| Verify calls, 100 concurrent requests with one new API key | exactly 1 | – | 1 | yes |",
		"| core.VerifyToken, repeated session token | core.VerifyMachineToken, cached API key | 149 ns | 167 ns | 1.12× | – | +18 ns |",
		"| JWKS fetches, 1000 random kids over 10 cooldowns | ≤ 10 | – | 9 | yes |",
		"| **chiclerk** (ours) | new-token | 40.0 µs | 10% | 6024 | 49 | 1.25× | +39.4 µs | – |",
		"| clerk-sdk-go v2.7.0 `http.RequireHeaderAuthorization` | repeated-token | 140 µs |",
		"| bare RSA floor | chiclerk, new token | 29.0 µs | 36.2 µs | 1.25× | – | +7.25 µs |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q\n%s", want, out)
		}
	}
}

func TestFormats(t *testing.T) {
	for _, c := range []struct {
		ns   float64
		want string
	}{{512, "512 ns"}, {1234, "1.23 µs"}, {41896, "41.9 µs"}, {227497, "227 µs"}, {616383009, "616 ms"}} {
		if got := fmtNs(c.ns); got != c.want {
			t.Errorf("fmtNs(%v) = %q, want %q", c.ns, got, c.want)
		}
	}
	if got := fmtRatio(153.8); got != "154×" {
		t.Errorf("fmtRatio = %q", got)
	}
}
