package demo

import (
	"errors"

	"github.com/clerkgo/clerk/core/clerktest"
)

// The kinds of token GET /demo/token?kind=... mints (fake mode only).
const (
	// KindSession is a session token of the fake's user, the default
	// (?kind= absent or "session"); ?role= makes the user a member or admin
	// of the organization [OrgID].
	KindSession = "session"
	// KindAPIKey is an opaque API key (ak_...) of the fake's user, with the
	// scope "read", named [APIKeyName].
	KindAPIKey = "api_key"
	// KindM2M is an opaque machine-to-machine token (mt_...) of the fake's
	// machine.
	KindM2M = "m2m"
	// KindM2MJWT is an M2M token in Clerk's JWT form, verified with the
	// instance keys, no Backend API call.
	KindM2MJWT = "m2m_jwt"
	// KindOAuth is an opaque OAuth access token (oat_...) of the fake's
	// user: GET /api/ping refuses it (401 token-type-not-accepted).
	KindOAuth = "oauth"
)

// APIKeyName is the name of the API keys [App.Token] mints.
const APIKeyName = "demo-key"

// APIKeyScopes are the scopes of the API keys [App.Token] mints.
func APIKeyScopes() []string { return []string{"read"} }

// OAuthScopes are the scopes of the OAuth access tokens [App.Token] mints.
func OAuthScopes() []string { return []string{"profile", "email"} }

// Errors of [App.Token], answered 400 by GET /demo/token (ErrNoFake aside:
// the route is not served against a real instance).
var (
	// ErrUnknownRole: a role other than "", "member" or "admin".
	ErrUnknownRole = errors.New(`unknown role: use ?role=admin, ?role=member or no role`)
	// ErrUnknownKind: a kind other than those of the Kind constants.
	ErrUnknownKind = errors.New(`unknown kind: use ?kind=session (the default), api_key, m2m, m2m_jwt or oauth`)
	// ErrRoleNeedsSession: a role given with a machine token kind.
	ErrRoleNeedsSession = errors.New(`?role is for session tokens only`)
	// ErrNoFake: the app runs against a real Clerk instance, which only
	// Clerk (its frontend, its Dashboard, its Backend API) can issue tokens
	// for.
	ErrNoFake = errors.New("tokens can only be minted by the embedded fake Clerk")
)

// Token mints a token of the embedded fake Clerk, valid for [TokenTTL]: the
// logic of GET /demo/token?kind=...&role=....
//
// kind "" or [KindSession] is a session token of the fake's default user:
// with role "" it has no active organization; with "admin" or "member" the
// user is an org:admin or org:member of the organization [OrgID]. The
// machine kinds ([KindAPIKey], [KindM2M], [KindM2MJWT], [KindOAuth]) take
// no role.
func (a *App) Token(kind, role string) (string, error) {
	if a.Fake == nil {
		return "", ErrNoFake
	}
	if kind == "" || kind == KindSession {
		return a.sessionToken(role)
	}
	p := clerktest.MachineTokenParams{TTL: TokenTTL}
	var mint func(clerktest.MachineTokenParams) clerktest.MachineToken
	switch kind {
	case KindAPIKey:
		p.Name, p.Scopes = APIKeyName, APIKeyScopes()
		mint = a.Fake.NewAPIKey
	case KindM2M:
		mint = a.Fake.NewM2MToken
	case KindM2MJWT:
		mint = func(p clerktest.MachineTokenParams) clerktest.MachineToken { return a.Fake.NewM2MJWT(p) }
	case KindOAuth:
		p.Scopes = OAuthScopes()
		mint = a.Fake.NewOAuthToken
	default:
		return "", ErrUnknownKind
	}
	if role != "" {
		return "", ErrRoleNeedsSession
	}
	return mint(p).Token, nil
}

// sessionToken mints a session token of the fake's default user.
func (a *App) sessionToken(role string) (string, error) {
	opts := []clerktest.TokenOption{clerktest.WithTTL(TokenTTL)}
	switch role {
	case "":
	case "admin":
		opts = append(opts, clerktest.WithOrgMembership(OrgID, OrgSlug, "org:admin",
			"org:articles:read", "org:articles:manage"))
	case "member":
		opts = append(opts, clerktest.WithOrgMembership(OrgID, OrgSlug, "org:member",
			"org:articles:read"))
	default:
		return "", ErrUnknownRole
	}
	return a.Fake.Token(opts...), nil
}
