package core

import (
	"fmt"
	"strings"
)

// TokenKind is the kind of token a request presents, named as Clerk's
// reference names them (its TokenType).
type TokenKind string

// The token kinds. A route accepts session tokens only unless it asks for
// more (the adapters' AcceptsToken option): a machine token can cost a
// Backend API call per new token.
const (
	// SessionToken is a Clerk session token (a JWT), from the Authorization
	// header or the session cookie.
	SessionToken TokenKind = "session_token"
	// APIKey is a Clerk API key (opaque, "ak_..."), verified with the
	// Backend API.
	APIKey TokenKind = "api_key"
	// M2MToken is a Clerk machine-to-machine token: opaque ("mt_...",
	// verified with the Backend API) or a JWT (sub "mch_...", verified
	// locally with the instance keys).
	M2MToken TokenKind = "m2m_token"
	// OAuthToken is an access token Clerk issued to an OAuth application:
	// opaque ("oat_...", verified with the Backend API) or a JWT (typ
	// "at+jwt", verified locally).
	OAuthToken TokenKind = "oauth_token"
	// AnyToken, given to AcceptsToken, accepts every kind.
	AnyToken TokenKind = "any"
)

// The prefixes of Clerk's opaque machine tokens.
const (
	apiKeyPrefix     = "ak_"
	m2mTokenPrefix   = "mt_"
	oauthTokenPrefix = "oat_"
)

// The form of Clerk's opaque machine tokens, checked before any Backend API
// call so that junk costs none of the instance's rate limit. Clerk issues
// the prefix and a random secret of URL-safe characters (the Backend API
// spec shows "ak_" and "mt_" followed by 32 characters; the IDs it
// documents are 32 hex digits; clerktest mints 40 base62 characters). The
// bounds are generous: at least 16 and at most 256 characters after the
// prefix, of A-Z a-z 0-9 "_" "-", so that no token Clerk issues is refused.
const (
	minOpaqueSecret = 16
	maxOpaqueSecret = 256
)

// opaqueForm reports whether an opaque machine token of a known prefix has
// the form Clerk issues: the prefix then 16 to 256 characters of
// A-Z a-z 0-9 "_" "-".
func opaqueForm(token string) bool {
	var body string
	switch {
	case strings.HasPrefix(token, apiKeyPrefix):
		body = token[len(apiKeyPrefix):]
	case strings.HasPrefix(token, m2mTokenPrefix):
		body = token[len(m2mTokenPrefix):]
	case strings.HasPrefix(token, oauthTokenPrefix):
		body = token[len(oauthTokenPrefix):]
	default:
		return false
	}
	if len(body) < minOpaqueSecret || len(body) > maxOpaqueSecret {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// kindSet is a set of accepted token kinds.
type kindSet uint8

const (
	acceptSession kindSet = 1 << iota
	acceptAPIKey
	acceptM2M
	acceptOAuth
	acceptAny = acceptSession | acceptAPIKey | acceptM2M | acceptOAuth
)

func (k TokenKind) bit() kindSet {
	switch k {
	case SessionToken:
		return acceptSession
	case APIKey:
		return acceptAPIKey
	case M2MToken:
		return acceptM2M
	case OAuthToken:
		return acceptOAuth
	case AnyToken:
		return acceptAny
	}
	return 0
}

// acceptedKinds turns a list of kinds into a set; an empty list is session
// tokens only. An unknown kind is an error.
func acceptedKinds(kinds []TokenKind) (kindSet, error) {
	if len(kinds) == 0 {
		return acceptSession, nil
	}
	var s kindSet
	for _, k := range kinds {
		b := k.bit()
		if b == 0 {
			return 0, fmt.Errorf("unknown token kind %q (use core.SessionToken, APIKey, M2MToken, OAuthToken or AnyToken)", string(k))
		}
		s |= b
	}
	return s, nil
}

func (s kindSet) has(k TokenKind) bool { return s&k.bit() != 0 && k != AnyToken }

// opaqueKind returns the kind of an opaque machine token by its prefix, or
// "" when the token is not one in the form Clerk issues ([opaqueForm]).
// Junk with a machine prefix ("ak_has space", control characters, 10 KB of
// "ak_...") is then no opaque token: it is refused as malformed, locally,
// and costs no Backend API call.
func opaqueKind(token string) TokenKind {
	if !opaqueForm(token) {
		return ""
	}
	switch {
	case strings.HasPrefix(token, apiKeyPrefix):
		return APIKey
	case strings.HasPrefix(token, m2mTokenPrefix):
		return M2MToken
	case strings.HasPrefix(token, oauthTokenPrefix):
		return OAuthToken
	}
	return ""
}

// jwtKind returns the kind of a parsed JWT as Clerk's reference decides it:
// a sub starting with "mch_" or the M2M category is an M2M token; a typ of
// "at+jwt" (RFC 9068) an OAuth access token; anything else a session token
// (whose own rules then refuse other categories). The sub is peeked at
// unverified: this only chooses which rules verify the token.
func (t *jwsToken) kind() TokenKind {
	switch {
	case t.hasCat && t.cat == categoryM2M:
		return M2MToken
	case t.machineSubject():
		return M2MToken
	case t.hasTyp && isOAuthType(t.typ):
		return OAuthToken
	}
	return SessionToken
}

func isOAuthType(typ string) bool { return typ == "at+jwt" || typ == "application/at+jwt" }

// errStop ends a scan early.
var errStop = fmt.Errorf("stop")
