package core

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Auth is what authentication learned about a request, one value for every
// kind of token. For a session token, Session holds the verified claims
// and, with the user fetch on, User the Clerk user; for a machine token
// (API key, M2M token, OAuth access token), the fields below describe it.
// Values are shared between requests (caches): treat them as read-only.
type Auth struct {
	// Kind is the kind of token that authenticated the request.
	Kind TokenKind
	// Subject is who the token speaks for: the user (user_...) of a session
	// or an OAuth access token; the user or organization (org_...) of an
	// API key; the machine (mch_...) of an M2M token.
	Subject string
	// ID is the token's id: the session (sess_...), the API key (ak_...),
	// the M2M token (mt_...) or the OAuth access token (oat_...); the jti of
	// a JWT-form machine token. Never the token itself.
	ID string
	// ClientID is the OAuth application's client id (OAuth tokens only).
	ClientID string
	// Name is the API key's name (API keys only).
	Name string
	// Scopes are the machine token's scopes (for M2M tokens, the machines it
	// may call); nil for sessions.
	Scopes []string
	// Claims are the custom claims of an API key or M2M token, or nil.
	Claims map[string]any
	// Expiry is when the token expires; the zero time when it never does.
	Expiry time.Time

	// Session is the verified session token (session tokens only).
	Session *Claims
	// User is the signed-in user (session tokens, with the user fetch on).
	User *User
}

// IsMachine reports whether a machine token (not a session) authenticated
// the request.
func (a *Auth) IsMachine() bool { return a != nil && a.Kind != SessionToken && a.Kind != "" }

// UserID returns the Clerk user the request acts for: the subject of a
// session, an OAuth access token, or an API key owned by a user; "" for
// organizations' API keys and machines.
func (a *Auth) UserID() string {
	if a != nil && strings.HasPrefix(a.Subject, "user_") {
		return a.Subject
	}
	return ""
}

// OrgID returns the organization the request acts for: a session's active
// organization, or the owner of an organization's API key; "" otherwise.
func (a *Auth) OrgID() string {
	switch {
	case a == nil:
		return ""
	case a.Session != nil && a.Session.Org != nil:
		return a.Session.Org.ID
	case a.Kind == APIKey && strings.HasPrefix(a.Subject, "org_"):
		return a.Subject
	}
	return ""
}

// MachineID returns the machine (mch_...) of an M2M token, or "".
func (a *Auth) MachineID() string {
	if a != nil && a.Kind == M2MToken {
		return a.Subject
	}
	return ""
}

// HasScope reports whether a machine token carries scope.
func (a *Auth) HasScope(scope string) bool { return a != nil && slices.Contains(a.Scopes, scope) }

// sessionAuth is the Auth of a verified session token.
func sessionAuth(c *Claims) *Auth {
	return &Auth{Kind: SessionToken, Subject: c.Subject, ID: c.SessionID, Expiry: c.Expiry, Session: c}
}

type authKey struct{}

// WithAuth returns a context carrying a. Adapters call it so that code
// holding only a context.Context can reach the session and the user. A nil
// a hides any Auth an outer middleware put on the context.
func WithAuth(ctx context.Context, a *Auth) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithValue(ctx, authKey{}, a)
}

// AuthContextKey returns the key under which [WithAuth] stores the Auth.
// Read it with [AuthFromContext]; the key is for adapters of frameworks
// whose request type is a context.Context that answers Value from a store
// of its own (a Fiber v3 fiber.Ctx reads c.Locals), so that they can put
// the Auth there too and AuthFromContext finds it on the request itself.
func AuthContextKey() any { return authKey{} }

// AuthFromContext returns the Auth stored by [WithAuth], or nil.
func AuthFromContext(ctx context.Context) *Auth {
	if ctx == nil {
		return nil
	}
	a, _ := ctx.Value(authKey{}).(*Auth)
	return a
}

// SessionFromContext returns the verified session claims, or nil when the
// request is not signed in with a session.
func SessionFromContext(ctx context.Context) *Claims {
	if a := AuthFromContext(ctx); a != nil {
		return a.Session
	}
	return nil
}

// UserFromContext returns the signed-in user, or nil when the request is
// not signed in with a session or the user fetch is off.
func UserFromContext(ctx context.Context) *User {
	if a := AuthFromContext(ctx); a != nil {
		return a.User
	}
	return nil
}
