package mcpclerk_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/mcpclerk"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
)

const clerkFAPI = "https://example.clerk.accounts.dev"

func TestResourceCheck(t *testing.T) {
	ok := mcpclerk.Resource{URL: "https://mcp.example.com/mcp", AuthorizationServer: clerkFAPI}
	with := func(f func(*mcpclerk.Resource)) mcpclerk.Resource { r := ok; f(&r); return r }
	for _, tc := range []struct {
		name  string
		r     mcpclerk.Resource
		field string // "" when valid
	}{
		{"valid", ok, ""},
		{"root resource", with(func(r *mcpclerk.Resource) { r.URL = "https://mcp.example.com" }), ""},
		{"http on loopback", with(func(r *mcpclerk.Resource) { r.URL = "http://127.0.0.1:8080/mcp" }), ""},
		{"http on localhost", with(func(r *mcpclerk.Resource) { r.URL = "http://localhost:8080/mcp" }), ""},
		{"http on [::1]", with(func(r *mcpclerk.Resource) { r.AuthorizationServer = "http://[::1]:3000" }), ""},
		{"scopes", with(func(r *mcpclerk.Resource) { r.Scopes, r.RequiredScopes = []string{"profile"}, []string{"email"} }), ""},
		{"no URL", with(func(r *mcpclerk.Resource) { r.URL = "" }), "URL"},
		{"relative URL", with(func(r *mcpclerk.Resource) { r.URL = "/mcp" }), "URL"},
		{"http elsewhere", with(func(r *mcpclerk.Resource) { r.URL = "http://mcp.example.com/mcp" }), "URL"},
		{"other scheme", with(func(r *mcpclerk.Resource) { r.URL = "ftp://mcp.example.com/mcp" }), "URL"},
		{"query", with(func(r *mcpclerk.Resource) { r.URL = "https://mcp.example.com/mcp?a=1" }), "URL"},
		{"empty query", with(func(r *mcpclerk.Resource) { r.URL = "https://mcp.example.com/mcp?" }), "URL"},
		{"fragment", with(func(r *mcpclerk.Resource) { r.URL = "https://mcp.example.com/mcp#x" }), "URL"},
		{"user info", with(func(r *mcpclerk.Resource) { r.URL = "https://u:p@mcp.example.com/mcp" }), "URL"},
		{"bad escape", with(func(r *mcpclerk.Resource) { r.URL = "https://mcp.example.com/%zz" }), "URL"},
		{"wildcard path", with(func(r *mcpclerk.Resource) { r.URL = "https://mcp.example.com/{id}" }), "URL"},
		{"dot-dot path", with(func(r *mcpclerk.Resource) { r.URL = "https://mcp.example.com/a/../mcp" }), "URL"},
		{"empty segment", with(func(r *mcpclerk.Resource) { r.URL = "https://mcp.example.com//mcp" }), "URL"},
		{"well-known path", with(func(r *mcpclerk.Resource) { r.URL = "https://mcp.example.com/.well-known/oauth-protected-resource" }), "URL"},
		{"nested path", with(func(r *mcpclerk.Resource) { r.URL = "https://mcp.example.com/v1/mcp" }), ""},
		{"root with a slash", with(func(r *mcpclerk.Resource) { r.URL = "https://mcp.example.com/" }), ""},
		{"trailing slash", with(func(r *mcpclerk.Resource) { r.URL = "https://mcp.example.com/mcp/" }), "URL"},
		{"no authorization server", with(func(r *mcpclerk.Resource) { r.AuthorizationServer = "" }), "AuthorizationServer"},
		{"javascript authorization server", with(func(r *mcpclerk.Resource) { r.AuthorizationServer = "javascript:alert(1)" }), "AuthorizationServer"},
		{"empty scope", with(func(r *mcpclerk.Resource) { r.Scopes = []string{""} }), "Scopes"},
		{"scope with a quote", with(func(r *mcpclerk.Resource) { r.RequiredScopes = []string{`a"b`} }), "Scopes"},
		{"scope with a space", with(func(r *mcpclerk.Resource) { r.Scopes = []string{"a b"} }), "Scopes"},
		{"origins", with(func(r *mcpclerk.Resource) {
			r.AllowedOrigins = []string{"https://app.example.com", "http://localhost:6274", "*"}
		}), ""},
		{"origin with a path", with(func(r *mcpclerk.Resource) { r.AllowedOrigins = []string{"https://app.example.com/x"} }), "AllowedOrigins"},
		{"origin without a scheme", with(func(r *mcpclerk.Resource) { r.AllowedOrigins = []string{"app.example.com"} }), "AllowedOrigins"},
		{"empty origin", with(func(r *mcpclerk.Resource) { r.AllowedOrigins = []string{""} }), "AllowedOrigins"},
		{"bad documentation", with(func(r *mcpclerk.Resource) { r.Documentation = "javascript:x" }), "Documentation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.r.Check()
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, mcpclerk.ErrInvalidResource) || !strings.Contains(err.Error(), ": "+tc.field+": ") {
				t.Fatalf("Check() = %v, want ErrInvalidResource naming %s", err, tc.field)
			}
		})
	}
}

func TestMetadataLocation(t *testing.T) {
	for _, tc := range []struct{ url, path, metaURL string }{
		{"https://mcp.example.com/mcp", "/.well-known/oauth-protected-resource/mcp", "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"},
		{"https://mcp.example.com/mcp/", "/.well-known/oauth-protected-resource/mcp", "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"},
		{"https://mcp.example.com/v1/mcp", "/.well-known/oauth-protected-resource/v1/mcp", "https://mcp.example.com/.well-known/oauth-protected-resource/v1/mcp"},
		{"https://mcp.example.com", "/.well-known/oauth-protected-resource", "https://mcp.example.com/.well-known/oauth-protected-resource"},
		{"https://mcp.example.com/", "/.well-known/oauth-protected-resource", "https://mcp.example.com/.well-known/oauth-protected-resource"},
		{"http://127.0.0.1:8080/mcp", "/.well-known/oauth-protected-resource/mcp", "http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp"},
		{"::bad", "/.well-known/oauth-protected-resource", ""},
	} {
		r := mcpclerk.Resource{URL: tc.url, AuthorizationServer: clerkFAPI, RequiredScopes: []string{"email"}}
		if got := r.MetadataPath(); got != tc.path {
			t.Errorf("%s: MetadataPath() = %q, want %q", tc.url, got, tc.path)
		}
		if got := r.MetadataURL(); got != tc.metaURL {
			t.Errorf("%s: MetadataURL() = %q, want %q", tc.url, got, tc.metaURL)
		}
		if o := r.Options(); o.ResourceMetadataURL != tc.metaURL || !slices.Equal(o.Scopes, []string{"email"}) {
			t.Errorf("%s: Options() = %+v", tc.url, o)
		}
	}
}

func TestMetadataHandler(t *testing.T) {
	r := mcpclerk.Resource{
		URL: "https://mcp.example.com/mcp", AuthorizationServer: clerkFAPI,
		Scopes: []string{"profile", "email"}, RequiredScopes: []string{"email", "openid"},
		Name: "Example", Documentation: "https://example.com/docs",
	}
	h := mcpclerk.MetadataHandler(r)
	for _, tc := range []struct {
		method string
		status int
		body   bool
	}{
		{http.MethodGet, http.StatusOK, true},
		{http.MethodHead, http.StatusOK, false},
		{http.MethodOptions, http.StatusNoContent, false},
		{http.MethodPost, http.StatusMethodNotAllowed, false},
		{http.MethodDelete, http.StatusMethodNotAllowed, false},
	} {
		t.Run(tc.method, func(t *testing.T) {
			req := httptest.NewRequestWithContext(t.Context(), tc.method, r.MetadataPath(), nil)
			req.Header.Set("Origin", "https://inspector.example")
			req.Header.Set("Access-Control-Request-Headers", "mcp-protocol-version")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			for k, v := range map[string]string{
				"Access-Control-Allow-Origin":  "*",
				"Access-Control-Allow-Methods": "GET, OPTIONS",
				"Access-Control-Allow-Headers": "*",
			} {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			if !tc.body {
				if tc.status != http.StatusMethodNotAllowed && w.Body.Len() != 0 {
					t.Fatalf("body %q", w.Body)
				}
				return
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q", ct)
			}
			var got oauthex.ProtectedResourceMetadata
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.Resource != r.URL || !slices.Equal(got.AuthorizationServers, []string{clerkFAPI}) ||
				!slices.Equal(got.BearerMethodsSupported, []string{"header"}) ||
				!slices.Equal(got.ScopesSupported, []string{"profile", "email", "openid"}) ||
				got.ResourceName != "Example" || got.ResourceDocumentation != "https://example.com/docs" {
				t.Fatalf("metadata %+v", got)
			}
		})
	}
}

func TestHandle(t *testing.T) {
	_, c := newFake(t)
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })

	t.Run("refuses a bad resource and mounts nothing", func(t *testing.T) {
		mux := http.NewServeMux()
		if err := mcpclerk.Handle(mux, c, mcpclerk.Resource{URL: "http://mcp.example.com/mcp", AuthorizationServer: clerkFAPI}, ok); !errors.Is(err, mcpclerk.ErrInvalidResource) {
			t.Fatalf("Handle = %v", err)
		}
		if _, pattern := mux.Handler(httptest.NewRequest(http.MethodGet, "/.well-known/oauth-protected-resource", nil)); pattern != "" {
			t.Fatalf("mounted %q", pattern)
		}
		r := mcpclerk.Resource{URL: "https://mcp.example.com/mcp", AuthorizationServer: clerkFAPI}
		for _, err := range []error{mcpclerk.Handle(nil, c, r, ok), mcpclerk.Handle(mux, nil, r, ok), mcpclerk.Handle(mux, c, r, nil)} {
			if !errors.Is(err, mcpclerk.ErrInvalidResource) {
				t.Fatalf("Handle with a nil argument = %v", err)
			}
		}
	})

	for _, tc := range []struct {
		name, url, endpoint string
		metadata            []string
		unprotected         string // a path the MCP handler must not get
	}{
		{"path", "https://mcp.example.com/mcp", "/mcp", []string{"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"}, "/other"},
		{"root", "https://mcp.example.com", "/", []string{"/.well-known/oauth-protected-resource"}, "/other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mux := http.NewServeMux()
			r := mcpclerk.Resource{URL: tc.url, AuthorizationServer: clerkFAPI}
			if err := mcpclerk.Handle(mux, c, r, ok); err != nil {
				t.Fatal(err)
			}
			do := func(method, path string) *httptest.ResponseRecorder {
				w := httptest.NewRecorder()
				mux.ServeHTTP(w, httptest.NewRequestWithContext(t.Context(), method, path, nil))
				return w
			}
			w := do(http.MethodPost, tc.endpoint)
			if want := `Bearer resource_metadata="` + r.MetadataURL() + `"`; w.Code != http.StatusUnauthorized || w.Header().Get("WWW-Authenticate") != want {
				t.Fatalf("endpoint: %d %q, want 401 %q", w.Code, w.Header().Get("WWW-Authenticate"), want)
			}
			for _, p := range tc.metadata {
				if w := do(http.MethodGet, p); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"resource":"`+tc.url+`"`) {
					t.Fatalf("%s: %d %s", p, w.Code, w.Body)
				}
			}
			if w := do(http.MethodGet, tc.unprotected); w.Code != http.StatusNotFound {
				t.Fatalf("%s: %d, want 404", tc.unprotected, w.Code)
			}
		})
	}
}

func TestAuthorizationServer(t *testing.T) {
	pk := "pk_test_ZXhhbXBsZS5jbGVyay5hY2NvdW50cy5kZXYk" // example.clerk.accounts.dev$
	for _, tc := range []struct {
		name string
		cfg  core.Config
		want string
		err  error
	}{
		{"publishable key", core.Config{PublishableKey: pk}, clerkFAPI, nil},
		{"domain", core.Config{Domain: "clerk.example.com", PublishableKey: pk}, "https://clerk.example.com", nil},
		{"domain with scheme", core.Config{Domain: "https://clerk.example.com/"}, "https://clerk.example.com", nil},
		{"proxy first", core.Config{ProxyURL: "https://example.com/__clerk/", Domain: "clerk.example.com"}, "https://example.com/__clerk", nil},
		{"none", core.Config{SecretKey: "sk_test_x"}, "", mcpclerk.ErrNoAuthorizationServer},
		{"bad publishable key", core.Config{PublishableKey: "pk_test_!!"}, "", mcpclerk.ErrInvalidResource},
		{"bad domain", core.Config{Domain: "a/b"}, "", mcpclerk.ErrInvalidResource},
		{"http proxy", core.Config{ProxyURL: "http://example.com/__clerk"}, "", mcpclerk.ErrInvalidResource},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mcpclerk.AuthorizationServer(tc.cfg)
			if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Fatalf("AuthorizationServer = %q, %v; want %q, %v", got, err, tc.want, tc.err)
			}
		})
	}
}

func TestHandleCORS(t *testing.T) {
	s, c := newFake(t)
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	token := s.NewOAuthJWT(clerktest.MachineTokenParams{}).Token
	const app = "https://app.example.com"
	type want struct {
		status                int
		allowOrigin, expose   string
		allowHeaders, varyHas string
	}
	for _, tc := range []struct {
		name    string
		origins []string
		method  string
		origin  string
		token   bool
		want    want
	}{
		{"preflight, listed origin", []string{app}, http.MethodOptions, app, false,
			want{http.StatusNoContent, app, "WWW-Authenticate, Mcp-Session-Id", "Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID", "Origin"}},
		{"preflight, any origin", []string{"*"}, http.MethodOptions, "https://elsewhere.example", false,
			want{http.StatusNoContent, "*", "WWW-Authenticate, Mcp-Session-Id", "Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID", ""}},
		{"preflight, other origin", []string{app}, http.MethodOptions, "https://evil.example", false,
			want{http.StatusUnauthorized, "", "", "", "Origin"}},
		{"preflight, no CORS configured", nil, http.MethodOptions, app, false,
			want{http.StatusUnauthorized, "", "", "", ""}},
		{"no token, listed origin: the challenge is readable", []string{app}, http.MethodPost, app, false,
			want{http.StatusUnauthorized, app, "WWW-Authenticate, Mcp-Session-Id", "", "Origin"}},
		{"token, listed origin", []string{app}, http.MethodPost, app, true,
			want{http.StatusTeapot, app, "WWW-Authenticate, Mcp-Session-Id", "", "Origin"}},
		{"token, no Origin", []string{app}, http.MethodPost, "", true,
			want{http.StatusTeapot, "", "", "", "Origin"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mux := http.NewServeMux()
			r := mcpclerk.Resource{URL: "https://mcp.example.com/mcp", AuthorizationServer: clerkFAPI, AllowedOrigins: tc.origins}
			if err := mcpclerk.Handle(mux, c, r, ok); err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequestWithContext(t.Context(), tc.method, "/mcp", nil)
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			if tc.method == http.MethodOptions {
				req.Header.Set("Access-Control-Request-Method", "POST")
				req.Header.Set("Access-Control-Request-Headers", "authorization, content-type, mcp-protocol-version")
			}
			if tc.token {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, req)
			got := want{w.Code, w.Header().Get("Access-Control-Allow-Origin"), w.Header().Get("Access-Control-Expose-Headers"),
				w.Header().Get("Access-Control-Allow-Headers"), w.Header().Get("Vary")}
			if got != tc.want {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// FuzzHandle: a resource that passes Check mounts without a panic (the
// mux panics on a bad or conflicting pattern), its metadata at the path it
// advertises.
func FuzzHandle(f *testing.F) {
	_, c := newFake(f)
	for _, seed := range []string{"https://mcp.example.com/mcp", "https://mcp.example.com", "https://h/a/b/", "https://h/a/b", "https://h/", "https://h/%7B", "https://h/a%2Fb",
		"https://h/{x}", "https://h/.well-known/oauth-protected-resource", "https://h/a b", "http://[::1]:1/x", "https://h/%zz"} {
		f.Add(seed)
	}
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	f.Fuzz(func(t *testing.T, raw string) {
		r := mcpclerk.Resource{URL: raw, AuthorizationServer: clerkFAPI}
		if r.Check() != nil {
			return
		}
		mux := http.NewServeMux()
		if err := mcpclerk.Handle(mux, c, r, ok); err != nil {
			t.Fatalf("Handle(%q) = %v after Check passed", raw, err)
		}
		req := httptest.NewRequest(http.MethodGet, "https://mcp.example.com/", nil)
		req.URL.Path, req.URL.RawPath = "", ""
		u, _ := req.URL.Parse(r.MetadataPath())
		req.URL = u
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Fatalf("%q: GET %s = %d", raw, r.MetadataPath(), w.Code)
		}
		// The endpoint answers at the resource URL itself (401: no token).
		target, _ := url.Parse(raw)
		if target.Path == "" {
			target.Path = "/" // what HTTP clients send for https://host
		}
		w = httptest.NewRecorder()
		mux.ServeHTTP(w, &http.Request{Method: http.MethodPost, URL: &url.URL{Path: target.Path, RawPath: target.RawPath}, Header: http.Header{}})
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("%q: POST %s = %d", raw, target.EscapedPath(), w.Code)
		}
	})
}

// TestHandleSeveralResources: MCP servers on one mux, each with its
// metadata; the root document is the root resource's, else the first's;
// mounting one twice is an error, not the mux's panic.
func TestHandleSeveralResources(t *testing.T) {
	_, c := newFake(t)
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	mux := http.NewServeMux()
	a := mcpclerk.Resource{URL: "https://mcp.example.com/a", AuthorizationServer: clerkFAPI}
	b := mcpclerk.Resource{URL: "https://mcp.example.com/b", AuthorizationServer: clerkFAPI}
	root := mcpclerk.Resource{URL: "https://mcp.example.com", AuthorizationServer: clerkFAPI}
	for _, r := range []mcpclerk.Resource{root, a, b} {
		if err := mcpclerk.Handle(mux, c, r, ok); err != nil {
			t.Fatalf("%s: %v", r.URL, err)
		}
	}
	alone := http.NewServeMux() // no root resource: the first has the root document
	for _, r := range []mcpclerk.Resource{a, b} {
		if err := mcpclerk.Handle(alone, c, r, ok); err != nil {
			t.Fatalf("%s: %v", r.URL, err)
		}
	}
	w := httptest.NewRecorder()
	alone.ServeHTTP(w, httptest.NewRequestWithContext(t.Context(), http.MethodGet, mcpclerk.WellKnownPath, nil))
	if !strings.Contains(w.Body.String(), `"resource":"`+a.URL+`"`) {
		t.Fatalf("root document without a root resource: %s", w.Body)
	}
	for _, r := range []mcpclerk.Resource{a, b, root} {
		if err := mcpclerk.Handle(mux, c, r, ok); !errors.Is(err, mcpclerk.ErrInvalidResource) {
			t.Fatalf("%s mounted twice: %v", r.URL, err)
		}
	}
	for path, resource := range map[string]string{
		"/.well-known/oauth-protected-resource/a": a.URL,
		"/.well-known/oauth-protected-resource/b": b.URL,
		"/.well-known/oauth-protected-resource":   root.URL,
	} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequestWithContext(t.Context(), http.MethodGet, path, nil))
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"resource":"`+resource+`"`) {
			t.Fatalf("%s: %d %s", path, w.Code, w.Body)
		}
	}
	for _, path := range []string{"/a", "/b", "/"} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequestWithContext(t.Context(), http.MethodPost, path, nil))
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("%s: %d", path, w.Code)
		}
	}
}
