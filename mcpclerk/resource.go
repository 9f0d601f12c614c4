package mcpclerk

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/clerkgo/clerk/core"
	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
)

// WellKnownPath is where RFC 9728 puts a protected resource's metadata. For
// a resource with a path (https://example.com/mcp) the path follows it
// (https://example.com/.well-known/oauth-protected-resource/mcp).
const WellKnownPath = "/.well-known/oauth-protected-resource"

// Errors of [Resource.Check] and [AuthorizationServer]; the returned errors
// wrap one of them and name the field.
var (
	// ErrInvalidResource: a field of a [Resource] is missing or malformed.
	ErrInvalidResource = errors.New("mcpclerk: invalid resource")
	// ErrNoAuthorizationServer: the core.Config names no Frontend API
	// (no ProxyURL, Domain or PublishableKey).
	ErrNoAuthorizationServer = errors.New("mcpclerk: no authorization server: set ProxyURL, Domain or PublishableKey (CLERK_PROXY_URL, CLERK_DOMAIN, CLERK_PUBLISHABLE_KEY)")
)

// Resource describes an MCP server as an OAuth protected resource (RFC
// 9728) whose authorization server is a Clerk instance.
type Resource struct {
	// URL is the MCP endpoint's absolute URL, the resource identifier
	// clients ask tokens for, such as "https://mcp.example.com/mcp". It
	// must be https (http only on a loopback host), with no query or
	// fragment, and a path of plain segments without a trailing slash, not
	// under /.well-known/. Required.
	URL string
	// AuthorizationServer is the Clerk instance's Frontend API URL, or its
	// Frontend API proxy URL: the OAuth issuer clients register with and
	// get tokens from. [AuthorizationServer] derives it from a
	// core.Config. Required.
	AuthorizationServer string
	// Scopes are advertised as scopes_supported: the scopes a client may
	// ask for, such as "profile" and "email" (Clerk's OAuth scopes).
	Scopes []string
	// RequiredScopes are scopes every token must carry, all of them; a
	// token without one is answered 403 by the SDK's middleware, whose
	// challenge names them. They are advertised too.
	RequiredScopes []string
	// AllowedOrigins lets MCP clients that run in browsers on these
	// origins ("https://app.example.com", or "*" for any) call the
	// endpoint: [Handle] then answers their CORS preflights and exposes
	// WWW-Authenticate and Mcp-Session-Id to them. Tokens travel in the
	// Authorization header, never in cookies, so "*" lets no site act
	// with a user's ambient credentials. Empty (the default): no CORS on
	// the endpoint; clients that are not browsers need none. The metadata
	// documents allow every origin regardless.
	AllowedOrigins []string
	// Name is resource_name, a human-readable name of the server
	// (optional).
	Name string
	// Documentation is resource_documentation, a URL of a page for
	// developers (optional).
	Documentation string
}

// Check reports whether r is usable: an error wrapping
// [ErrInvalidResource] and naming the field, or nil.
func (r Resource) Check() error {
	u, err := checkURL("URL", r.URL)
	if err != nil {
		return err
	}
	// The path becomes a ServeMux pattern: no wildcards, no empty, "." or
	// ".." segments (which the mux would redirect away from).
	if strings.ContainsAny(u.Path, "{}") {
		return fieldError("URL", "the path must be plain segments such as /mcp")
	}
	if strings.HasPrefix(u.Path, "/.well-known/") {
		return fieldError("URL", "the path must not be under /.well-known/, where the metadata lives")
	}
	if p := u.EscapedPath(); len(p) > 1 && strings.HasSuffix(p, "/") {
		// Clients connect to exactly this URL; /mcp/ would be a subtree
		// pattern of the mux, and the metadata path would not say which.
		return fieldError("URL", "the path must not end in a slash (https://mcp.example.com/mcp, or the root https://mcp.example.com)")
	}
	if p := strings.TrimSuffix(u.EscapedPath(), "/"); p != "" {
		for _, seg := range strings.Split(p[1:], "/") {
			if seg == "" || seg == "." || seg == ".." {
				return fieldError("URL", "the path must be plain segments such as /mcp")
			}
		}
	}
	if _, err := checkURL("AuthorizationServer", r.AuthorizationServer); err != nil {
		return err
	}
	for _, s := range slices.Concat(r.Scopes, r.RequiredScopes) {
		if s == "" || strings.ContainsAny(s, " \t\r\n\"\\") {
			return fieldError("Scopes", "entries must be non-empty scope tokens without spaces or quotes")
		}
	}
	for _, o := range r.AllowedOrigins {
		if o == "*" {
			continue
		}
		if u, err := url.Parse(o); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.User != nil || strings.HasSuffix(o, "#") {
			return fieldError("AllowedOrigins", `entries must be "*" or origins such as https://app.example.com`)
		}
	}
	if r.Documentation != "" {
		if u, err := url.Parse(r.Documentation); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fieldError("Documentation", "must be an absolute http(s) URL")
		}
	}
	return nil
}

// checkURL parses an https URL (http on loopback) with a host and no
// query, fragment or user info.
func checkURL(field, raw string) (*url.URL, error) {
	if raw == "" {
		return nil, fieldError(field, "required")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, fieldError(field, "must be an absolute URL such as https://mcp.example.com/mcp")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return nil, fieldError(field, "must be https (http only on a loopback host)")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#") || u.User != nil {
		return nil, fieldError(field, "must have no query, fragment or user info")
	}
	return u, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func fieldError(field, problem string) error {
	return &resourceError{field: field, problem: problem}
}

type resourceError struct{ field, problem string }

func (e *resourceError) Error() string {
	return ErrInvalidResource.Error() + ": " + e.field + ": " + e.problem
}

func (e *resourceError) Unwrap() error { return ErrInvalidResource }

// path returns the resource URL's path without a trailing slash ("" for
// the root).
func (r Resource) path() string {
	u, err := url.Parse(r.URL)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.EscapedPath(), "/")
}

// MetadataPath returns the path of r's metadata document: [WellKnownPath]
// followed by the resource URL's path (RFC 9728 section 3.1).
func (r Resource) MetadataPath() string { return WellKnownPath + r.path() }

// MetadataURL returns the absolute URL of r's metadata document, the
// resource_metadata of the 401 challenge; "" when r.URL does not parse.
func (r Resource) MetadataURL() string {
	u, err := url.Parse(r.URL)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host + r.MetadataPath()
}

// Metadata returns r's protected-resource metadata: resource, the Clerk
// instance as the only authorization server, bearer tokens in the
// Authorization header only, and the scopes.
func (r Resource) Metadata() *oauthex.ProtectedResourceMetadata {
	var scopes []string
	for _, s := range slices.Concat(r.Scopes, r.RequiredScopes) {
		if !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	return &oauthex.ProtectedResourceMetadata{
		Resource:               r.URL,
		AuthorizationServers:   []string{r.AuthorizationServer},
		BearerMethodsSupported: []string{"header"},
		ScopesSupported:        scopes,
		ResourceName:           r.Name,
		ResourceDocumentation:  r.Documentation,
	}
}

// Options returns the options of the SDK's auth.RequireBearerToken for r:
// the resource_metadata URL of the 401 challenge, and the required scopes.
func (r Resource) Options() *auth.RequireBearerTokenOptions {
	return &auth.RequireBearerTokenOptions{
		ResourceMetadataURL: r.MetadataURL(),
		Scopes:              slices.Clone(r.RequiredScopes),
	}
}

// MetadataHandler serves r's metadata document (JSON) to GET and answers
// CORS preflights (OPTIONS), with Access-Control-Allow-Origin: * so that
// MCP clients running in browsers can read it: it is public. Other methods
// get 405. The document is encoded once; r is not checked (see
// [Resource.Check] and [Handle]).
func MetadataHandler(r Resource) http.Handler {
	body, err := json.Marshal(r.Metadata())
	if err != nil { // cannot happen: strings and string slices
		body = []byte("{}")
	}
	body = append(body, '\n')
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "GET, OPTIONS")
		// Browser clients send MCP-Protocol-Version (and may send more)
		// on discovery requests; any header is fine for a public document.
		h.Set("Access-Control-Allow-Headers", "*")
		h.Set("Access-Control-Max-Age", "86400")
		switch req.Method {
		case http.MethodOptions:
			w.WriteHeader(http.StatusNoContent)
		case http.MethodGet, http.MethodHead:
			h.Set("Content-Type", "application/json")
			h.Set("Cache-Control", "public, max-age=3600")
			if req.Method == http.MethodGet {
				_, _ = w.Write(body)
			}
		default:
			h.Set("Allow", "GET, HEAD, OPTIONS")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
}

// Handle mounts an MCP server protected by Clerk on mux: h (the SDK's
// streamable HTTP handler) at r.URL's path behind auth.RequireBearerToken
// with [Verifier] and [Resource.Options] (and CORS for
// [Resource.AllowedOrigins]), and [MetadataHandler] at
// [Resource.MetadataPath] (and at [WellKnownPath] as well, for clients
// that look only there: the first resource mounted on mux gets it).
// Several resources can share a mux, a root resource (https://host) first;
// mounting one twice is an error. When Clerk cannot be reached to verify a token,
// the endpoint answers 503 rather than the SDK's 500 (the project's
// failure contract: the client is not at fault). It checks r first and
// mounts nothing on error.
func Handle(mux *http.ServeMux, client *core.Client, r Resource, h http.Handler) error {
	if err := r.Check(); err != nil {
		return err
	}
	if mux == nil || client == nil || h == nil {
		return fieldError("Handle", "needs a ServeMux, a core.Client and a handler")
	}
	endpoint, path := r.path(), r.path()
	if endpoint == "" {
		endpoint, path = "/{$}", "/"
	}
	if mounted(mux, endpoint, path) || mounted(mux, r.MetadataPath(), r.MetadataPath()) {
		return fieldError("URL", "already mounted on this ServeMux (a resource at the root must be mounted before those with paths)")
	}
	meta := MetadataHandler(r)
	mux.Handle(endpoint, allowOrigins(r.AllowedOrigins, unavailable503(auth.RequireBearerToken(Verifier(client), r.Options()), h)))
	mux.Handle(r.MetadataPath(), meta)
	if !mounted(mux, WellKnownPath, WellKnownPath) { // the first resource mounted has the root
		mux.Handle(WellKnownPath, meta)
	}
	return nil
}

// mounted reports whether mux already has pattern, which a request for
// path matches (ServeMux panics on a second registration).
func mounted(mux *http.ServeMux, pattern, path string) bool {
	_, p := mux.Handler(&http.Request{Method: http.MethodGet, URL: &url.URL{Path: path}, Header: http.Header{}})
	return p == pattern
}

// AuthorizationServer returns the OAuth authorization server (the issuer)
// of the Clerk instance cfg describes: its ProxyURL when set, else
// https:// and its Frontend API host (Domain, or the host encoded in
// PublishableKey). An error wraps [ErrNoAuthorizationServer] when cfg
// names none.
func AuthorizationServer(cfg core.Config) (string, error) {
	switch {
	case cfg.ProxyURL != "":
		p := strings.TrimSuffix(cfg.ProxyURL, "/")
		if _, err := checkURL("ProxyURL", p); err != nil {
			return "", err
		}
		return p, nil
	case cfg.Domain != "":
		d := strings.TrimSuffix(strings.TrimPrefix(cfg.Domain, "https://"), "/")
		if _, err := checkURL("Domain", "https://"+d); err != nil || strings.Contains(d, "/") {
			return "", fieldError("Domain", "must be a host name such as example.clerk.accounts.dev")
		}
		return "https://" + d, nil
	case cfg.PublishableKey != "":
		host, err := core.FrontendAPIFromPublishableKey(cfg.PublishableKey)
		if err != nil {
			return "", fieldError("PublishableKey", "malformed")
		}
		return "https://" + host, nil
	}
	return "", ErrNoAuthorizationServer
}

// allowOrigins answers the CORS preflights of browsers on origins (before
// the token check: preflights carry no token) and marks the answers to
// their requests readable, the challenge and the session ID included.
// Without origins it returns next.
func allowOrigins(origins []string, next http.Handler) http.Handler {
	if len(origins) == 0 {
		return next
	}
	anyOrigin := slices.Contains(origins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		h := w.Header()
		if !anyOrigin {
			h.Add("Vary", "Origin")
		}
		origin := req.Header.Get("Origin")
		if origin == "" || !anyOrigin && !slices.Contains(origins, origin) {
			next.ServeHTTP(w, req)
			return
		}
		if anyOrigin {
			h.Set("Access-Control-Allow-Origin", "*")
		} else {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		h.Set("Access-Control-Expose-Headers", "WWW-Authenticate, Mcp-Session-Id")
		if req.Method == http.MethodOptions && req.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID")
			h.Set("Access-Control-Max-Age", "86400")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, req)
	})
}
