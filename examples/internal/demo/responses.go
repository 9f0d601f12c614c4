package demo

import "github.com/clerkgo/clerk/core"

// HealthResponse is the body of GET /health.
type HealthResponse struct {
	// Status is "ok".
	Status string `json:"status"`
}

// Health returns the body of GET /health: {"status":"ok"}.
func Health() HealthResponse { return HealthResponse{Status: "ok"} }

// MeResponse is the body of GET /me. The session marshals with Clerk's
// claim names (sub, sid, azp, iss, exp, ...).
type MeResponse struct {
	// User is the Clerk user object; nil when the user fetch is off.
	User *core.User `json:"user"`
	// Session is the verified session token's claims.
	Session *core.Claims `json:"session"`
}

// Me returns the body of GET /me: the Clerk user object and the claims.
func Me(user *core.User, session *core.Claims) MeResponse {
	return MeResponse{User: user, Session: session}
}

// ClaimsResponse is the body of GET /claims.
type ClaimsResponse struct {
	// Session is the verified session token's claims.
	Session *core.Claims `json:"session"`
}

// ClaimsOf returns the body of GET /claims: the claims alone (the route's
// middleware runs with FetchUser(false): no Backend API call).
func ClaimsOf(session *core.Claims) ClaimsResponse {
	return ClaimsResponse{Session: session}
}

// OptionalResponse is the body of GET /optional.
type OptionalResponse struct {
	// SignedIn tells whether the request carried a valid session token.
	SignedIn bool `json:"signed_in"`
	// UserID is the session's user (the sub claim); "" when signed out.
	UserID string `json:"user_id"`
}

// OptionalOf returns the body of GET /optional, whose middleware runs with
// Optional(true): session is nil when the request is signed out.
func OptionalOf(session *core.Claims) OptionalResponse {
	if session == nil {
		return OptionalResponse{}
	}
	return OptionalResponse{SignedIn: true, UserID: session.Subject}
}

// AdminResponse is the body of GET /admin.
type AdminResponse struct {
	// UserID is the session's user (the sub claim).
	UserID string `json:"user_id"`
	// OrgID is the active organization.
	OrgID string `json:"org_id"`
	// OrgRole is the user's role in it ("org:admin").
	OrgRole string `json:"org_role"`
}

// AdminOf returns the body of GET /admin, which only an org:admin of the
// active organization reaches.
func AdminOf(session *core.Claims) AdminResponse {
	var r AdminResponse
	if session == nil {
		return r
	}
	r.UserID = session.Subject
	if session.Org != nil {
		r.OrgID, r.OrgRole = session.Org.ID, session.Org.Role
	}
	return r
}

// PingPath is the demo's route for machines: API keys and M2M tokens.
const PingPath = "/api/ping"

// PingResponse is the body of GET /api/ping.
type PingResponse struct {
	// Kind is the kind of token: "api_key" or "m2m_token".
	Kind core.TokenKind `json:"kind"`
	// Subject is who the token speaks for: the user (user_...) or
	// organization (org_...) of an API key, the machine (mch_...) of an M2M
	// token.
	Subject string `json:"subject"`
	// Scopes are the token's scopes; [] when it has none.
	Scopes []string `json:"scopes"`
}

// PingOf returns the body of GET /api/ping from the adapter's Auth getter:
// the route accepts API keys and M2M tokens only, with no user fetch.
func PingOf(a *core.Auth) PingResponse {
	if a == nil {
		return PingResponse{Scopes: []string{}}
	}
	scopes := a.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	return PingResponse{Kind: a.Kind, Subject: a.Subject, Scopes: scopes}
}
