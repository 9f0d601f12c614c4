package chiclerk_test

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core"
)

// brokenEnv selects a deliberately broken error handler for TestContract
// when the test binary runs itself (TestSuiteCatchesBrokenAdapters).
const brokenEnv = "CHICLERK_BROKEN_ADAPTER"

// brokenHandlers are adapter bugs the contract suite must catch: a broken
// error handler, or a broken writer of the browser decision's answers.
var brokenHandlers = map[string]struct {
	onError func(w http.ResponseWriter, r *http.Request, err error)
	wrap    func(http.ResponseWriter) http.ResponseWriter
	symptom string // in the suite's failure output
}{
	"merged-set-cookie": { // several Set-Cookie headers as one (c.Append in Fiber)
		wrap:    func(w http.ResponseWriter) http.ResponseWriter { return &mergeCookies{ResponseWriter: w} },
		symptom: `Set-Cookie ["__session"], want ["__session" "__client_uat"]`,
	},
	"redirect-page": { // http.Redirect's HTML body (gin's c.Redirect), repeating Location
		wrap:    func(w http.ResponseWriter) http.ResponseWriter { return redirectPage{w} },
		symptom: "a 307 with a body",
	},
	"fail-open": { // answers the error but still runs the handler
		onError: func(w http.ResponseWriter, r *http.Request, err error) { core.WriteFailure(w, err); identify(w, r) },
		symptom: "downstream handler ran: true, want false",
	},
	"echo-token": { // puts the presented credentials in the body
		onError: func(w http.ResponseWriter, r *http.Request, err error) {
			f := core.FailureOf(err)
			f.Message = r.Header.Get("Authorization") + r.Header.Get("Cookie")
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(f.Status)
			_, _ = w.Write(f.Body())
		},
		symptom: "leaks a token",
	},
	"plain-401": { // one status and challenge for every failure
		onError: func(w http.ResponseWriter, _ *http.Request, _ error) {
			w.Header().Set("WWW-Authenticate", "Bearer")
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		},
		symptom: "status 401, want 503",
	},
}

// brokenOption returns the broken ErrorHandler selected by brokenEnv, if any.
func brokenOption() []chiclerk.Option {
	b, ok := brokenHandlers[os.Getenv(brokenEnv)]
	if !ok || b.onError == nil {
		return nil
	}
	return []chiclerk.Option{chiclerk.ErrorHandler(b.onError)}
}

// brokenWriter wraps h's response writer with the broken writer selected by
// brokenEnv, if any.
func brokenWriter(h http.Handler) http.Handler {
	b, ok := brokenHandlers[os.Getenv(brokenEnv)]
	if !ok || b.wrap == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(b.wrap(w), r) })
}

// mergeCookies joins several Set-Cookie headers into one before the
// header is written.
type mergeCookies struct {
	http.ResponseWriter
	done bool
}

func (m *mergeCookies) merge() {
	if h := m.Header(); !m.done && len(h.Values("Set-Cookie")) > 1 {
		h.Set("Set-Cookie", strings.Join(h.Values("Set-Cookie"), ", "))
	}
	m.done = true
}

func (m *mergeCookies) WriteHeader(code int) { m.merge(); m.ResponseWriter.WriteHeader(code) }

func (m *mergeCookies) Write(b []byte) (int, error) { m.merge(); return m.ResponseWriter.Write(b) }

// redirectPage writes a link to Location as the body of a 307.
type redirectPage struct{ http.ResponseWriter }

func (w redirectPage) WriteHeader(code int) {
	w.ResponseWriter.WriteHeader(code)
	if code == http.StatusTemporaryRedirect {
		_, _ = io.WriteString(w.ResponseWriter, `<a href="`+w.Header().Get("Location")+`">Temporary Redirect</a>`)
	}
}

// TestSuiteCatchesBrokenAdapters runs the contract suite against broken
// variants of the adapter (in a child process, since the suite fails the
// test it runs in) and checks that it fails, for the right reason.
func TestSuiteCatchesBrokenAdapters(t *testing.T) {
	if os.Getenv(brokenEnv) != "" {
		t.Skip("running as a child")
	}
	if testing.Short() {
		t.Skip("runs the test binary again")
	}
	for name, b := range brokenHandlers {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestContract$", "-test.count=1")
			cmd.Env = append(os.Environ(), brokenEnv+"="+name)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the contract suite passed a %s adapter:\n%s", name, out)
			}
			if !strings.Contains(string(out), b.symptom) {
				t.Errorf("the suite failed, but without %q:\n%s", b.symptom, out)
			}
		})
	}
}
