package clerktest

import (
	"encoding/json"
	"net/http"
	"strings"
)

// TraceIDHeader is the response header carrying the trace ID that Clerk
// error bodies repeat as "clerk_trace_id".
const TraceIDHeader = "X-Clerk-Trace-Id"

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	s.handle(mux, EndpointJWKS, true, s.serveJWKS)
	s.handle(mux, EndpointWellKnownJWKS, false, s.serveJWKS)
	s.handle(mux, EndpointListUsers, true, s.listUsers)
	s.handle(mux, EndpointCountUsers, true, s.countUsers)
	s.handle(mux, EndpointGetUser, true, s.getUser)
	s.handle(mux, EndpointCreateUser, true, s.createUser)
	s.handle(mux, EndpointUpdateUser, true, s.updateUser)
	s.handle(mux, EndpointDeleteUser, true, s.deleteUser)
	s.handle(mux, EndpointMergeUserMetadata, true, s.mergeUserMetadata)
	s.handle(mux, EndpointReplaceUserMetadata, true, s.replaceUserMetadata)
	s.handle(mux, EndpointVerifyAPIKey, true, s.verifyAPIKey)
	s.handle(mux, EndpointVerifyM2MToken, false, s.verifyM2MToken) // secret key or machine secret key
	s.handle(mux, EndpointCreateM2MToken, false, s.createM2MToken) // machine secret key
	s.handle(mux, EndpointVerifyOAuthToken, true, s.verifyOAuthToken)
	s.handle(mux, EndpointHandshake, false, s.serveHandshake)
	s.handle(mux, EndpointDevBrowser, false, s.serveDevBrowser)
	s.handle(mux, EndpointHandshakePayload, true, s.serveHandshakePayload)
	s.handle(mux, EndpointRefreshSession, true, s.serveRefreshSession)
	s.handle(mux, EndpointSignInPage, false, s.serveSignInPage)
	s.handle(mux, EndpointSignIn, false, s.serveSignIn)
	s.handle(mux, EndpointSignOut, false, s.serveSignOut)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1/") && !s.authorized(w, r) {
			return
		}
		s.writeError(w, http.StatusNotFound, "resource_not_found", "not found",
			"The requested resource was not found.")
	})
	return mux
}

func (s *Server) handle(mux *http.ServeMux, endpoint string, auth bool, h http.HandlerFunc) {
	mux.HandleFunc(endpoint, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(TraceIDHeader, randomHex(16))
		if !s.admit(w, r, endpoint) {
			return
		}
		if auth && !s.authorized(w, r) {
			return
		}
		h(w, r)
	})
}

// authorized checks "Authorization: Bearer <secret key>" and answers 401
// when it is missing or wrong.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		s.writeError(w, http.StatusUnauthorized, "authorization_header_format_invalid",
			"Invalid Authorization header format",
			"Invalid Authorization header format. Must be 'Bearer <YOUR_API_KEY>'")
		return false
	}
	if strings.TrimSpace(token) != s.secretKey {
		s.writeError(w, http.StatusUnauthorized, "clerk_key_invalid",
			"The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.",
			"The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.")
		return false
	}
	return true
}

// ErrorResponse is Clerk's error body (the ClerkErrors schema).
type ErrorResponse struct {
	Errors       []Error `json:"errors"`
	ClerkTraceID string  `json:"clerk_trace_id,omitempty"`
}

// Error is one Clerk error (the ClerkError schema).
type Error struct {
	Message     string         `json:"message"`
	LongMessage string         `json:"long_message"`
	Code        string         `json:"code"`
	Meta        map[string]any `json:"meta,omitempty"`
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"errors":[{"message":"internal error","long_message":"clerktest could not encode the response","code":"internal_clerk_error"}]}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (s *Server) writeError(w http.ResponseWriter, status int, code, msg, long string) {
	s.writeErrorMeta(w, status, code, msg, long, nil)
}

func (s *Server) writeErrorMeta(w http.ResponseWriter, status int, code, msg, long string, meta map[string]any) {
	trace := w.Header().Get(TraceIDHeader)
	if trace == "" {
		trace = randomHex(16)
		w.Header().Set(TraceIDHeader, trace)
	}
	s.writeJSON(w, status, ErrorResponse{
		Errors:       []Error{{Message: msg, LongMessage: long, Code: code, Meta: meta}},
		ClerkTraceID: trace,
	})
}

func (s *Server) serveJWKS(w http.ResponseWriter, r *http.Request) {
	body := s.jwksDocument()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
