package clerkref

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
)

// Minimum Node.js version of @clerk/backend 3.x (its package.json engines).
const minNodeMajor, minNodeMinor = 20, 9

// errUnavailable marks a harness that cannot run here (no node, too old a
// node, or node_modules not installed): the test skips, loudly.
var errUnavailable = errors.New("reference harness unavailable")

// harness is the Node side: node/harness.mjs and its node_modules.
type harness struct {
	node string // path of the node binary
	dir  string // tools/clerkref/node
}

var nodeVersionRE = regexp.MustCompile(`^v(\d+)\.(\d+)\.`)

// findHarness checks that node (>= 20.9) and the pinned @clerk/backend are
// installed. Its error wraps errUnavailable and says what to do.
func findHarness(ctx context.Context, dir string) (*harness, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("%w: node is not on PATH; install Node.js >= %d.%d", errUnavailable, minNodeMajor, minNodeMinor)
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("%w: node --version: %v", errUnavailable, err)
	}
	m := nodeVersionRE.FindSubmatch(bytes.TrimSpace(out))
	if m == nil {
		return nil, fmt.Errorf("%w: cannot read node --version output %q", errUnavailable, bytes.TrimSpace(out))
	}
	major, _ := strconv.Atoi(string(m[1]))
	minor, _ := strconv.Atoi(string(m[2]))
	if major < minNodeMajor || (major == minNodeMajor && minor < minNodeMinor) {
		return nil, fmt.Errorf("%w: node %s is older than the %d.%d that @clerk/backend needs", errUnavailable, bytes.TrimSpace(out), minNodeMajor, minNodeMinor)
	}
	pkg, err := os.ReadFile(filepath.Join(dir, "node_modules", "@clerk", "backend", "package.json"))
	if err != nil {
		return nil, fmt.Errorf("%w: @clerk/backend is not installed; run: (cd tools/clerkref/%s && npm ci)", errUnavailable, dir)
	}
	var meta struct{ Version string }
	if err := json.Unmarshal(pkg, &meta); err != nil || meta.Version != ClerkBackendVersion {
		return nil, fmt.Errorf("%w: node_modules holds @clerk/backend %q, not the pinned %s; run: (cd tools/clerkref/%s && npm ci)", errUnavailable, meta.Version, ClerkBackendVersion, dir)
	}
	return &harness{node: node, dir: dir}, nil
}

// harnessEnv is what the harness needs besides the cases.
type harnessEnv struct {
	NowMs          int64  `json:"nowMs"`
	JWTKey         string `json:"jwtKey"`
	PublishableKey string `json:"publishableKey"`
	SecretKey      string `json:"secretKey"`
	APIURL         string `json:"apiUrl"`
	// Instances are the instances of the page cases, by name.
	Instances map[string]harnessInstance `json:"instances,omitempty"`
}

// harnessInstance is one instance of the page cases: its keys and the fake
// Backend API both sides call.
type harnessInstance struct {
	PublishableKey string `json:"publishableKey"`
	SecretKey      string `json:"secretKey"`
	APIURL         string `json:"apiUrl"`
}

type harnessResult struct {
	ID string `json:"id"`
	outcome
}

// run verifies every case with @clerk/backend in one node process and
// returns Clerk's outcome per case ID.
func (h *harness) run(ctx context.Context, e *env, instances map[string]harnessInstance, cases []testCase, workDir string) (map[string]outcome, error) {
	in, err := json.Marshal(struct {
		Env   harnessEnv `json:"env"`
		Cases []testCase `json:"cases"`
	}{harnessEnv{e.now.UnixMilli(), e.pem, e.publishableKey, secretKey, closedLoopback, instances}, cases})
	if err != nil {
		return nil, err
	}
	inPath, outPath := filepath.Join(workDir, "cases.json"), filepath.Join(workDir, "clerk.json")
	if err := os.WriteFile(inPath, in, 0o600); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, h.node, "harness.mjs", inPath, outPath)
	cmd.Dir = h.dir
	cmd.Env = append(os.Environ(), "CLERK_TELEMETRY_DISABLED=1", "TZ=UTC")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("node harness.mjs: %v\n%s", err, tail(stderr.String(), 4000))
	}
	raw, err := os.ReadFile(outPath)
	if err != nil {
		return nil, err
	}
	var res struct {
		ClerkBackend string          `json:"clerkBackend"`
		Results      []harnessResult `json:"results"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("reading the harness output: %v", err)
	}
	if res.ClerkBackend != ClerkBackendVersion {
		return nil, fmt.Errorf("the harness ran @clerk/backend %q, want %s", res.ClerkBackend, ClerkBackendVersion)
	}
	out := make(map[string]outcome, len(res.Results))
	for _, r := range res.Results {
		out[r.ID] = r.outcome
	}
	if len(out) != len(cases) {
		return nil, fmt.Errorf("the harness answered %d cases, want %d", len(out), len(cases))
	}
	return out, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
