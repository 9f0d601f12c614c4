package core

import (
	"context"
	"strings"
	"time"
)

// VerifyToken verifies a session token and returns its claims, applying
// every rule: header (alg, typ, kid, crit, cat), signature with the
// instance's keys, then exp, nbf, iat (with the clock skew), sub, azp, iss
// and the session status. Errors are [*Error]s; see [ReasonOf].
//
// A token that verified before is served from a bounded cache, re-checked
// against the clock and the current keys; the returned Claims are shared
// and must not be modified.
func (c *Client) VerifyToken(ctx context.Context, token string) (*Claims, error) {
	if c == nil || c.s == nil {
		return nil, errNilClient
	}
	claims, err := c.verifyToken(ctx, token)
	return claims, c.label(err)
}

// verifyToken verifies a session token (the session-only path, which
// allocates nothing on a cache hit).
func (c *Client) verifyToken(ctx context.Context, token string) (*Claims, error) {
	if token == "" {
		return nil, newError(ReasonTokenMissing, nil)
	}
	if len(token) > MaxTokenSize {
		return nil, newError(ReasonTokenTooLarge, nil)
	}
	if opaqueKind(token) != "" {
		return nil, newError(ReasonTokenTypeNotAccepted, nil)
	}
	if claims, ok, err := c.cachedSession(ctx, token); ok {
		return claims, err
	}
	t, r, err := parseJWS(token)
	if r != "" {
		return nil, newError(r, err)
	}
	if kind := t.kind(); kind != SessionToken {
		return nil, newError(ReasonTokenTypeNotAccepted, nil)
	}
	return c.verifySessionJWS(ctx, token, &t)
}

// cachedSession answers a token from the verified-token cache: ok is false
// when it is not there (or no longer valid there), else the claims or the
// time rule that now refuses them.
func (c *Client) cachedSession(ctx context.Context, token string) (*Claims, bool, error) {
	e, ok := c.tokens.get(token)
	if ok && c.keys.current(e.kid) != e.key {
		c.tokens.remove(token) // its key was rotated out or replaced
		ok = false
	}
	c.events.cache(ctx, "token", "memory", ok)
	if !ok {
		return nil, false, nil
	}
	if r := c.checkTime(e.claims, c.s.Now()); r != "" {
		if r == ReasonTokenExpired {
			c.tokens.remove(token)
		}
		return nil, true, newError(r, nil)
	}
	return e.claims, true, nil
}

// verifySessionJWS applies the session rules to a parsed JWT: header,
// signature, claims, the static rules and the clock; a token that passes is
// cached.
func (c *Client) verifySessionJWS(ctx context.Context, token string, t *jwsToken) (*Claims, error) {
	if r := t.sessionHeader(); r != "" {
		return nil, newError(r, nil)
	}
	key, err := c.keys.get(ctx, t.kid)
	if err != nil {
		return nil, err
	}
	if r := key.verify(t); r != "" {
		return nil, newError(r, nil)
	}
	claims, r, err := parseClaims(t.payload)
	if r != "" {
		return nil, newError(r, err)
	}
	if r := c.checkStatic(claims); r != "" {
		return nil, newError(r, nil)
	}
	if r := c.checkTime(claims, c.s.Now()); r != "" {
		return nil, newError(r, nil)
	}
	c.tokens.put(token, cachedToken{claims: claims, kid: t.kid, key: key})
	return claims, nil
}

// Authenticate finds the session token a request presents and verifies it.
// The token comes from the Authorization header ("Bearer <token>" or a bare
// token) or, only when the header carries none, from the session cookie. A
// bad header token never falls back to the cookie.
//
// A cookie token follows Clerk's cookie rules: it needs the __client_uat
// cookie that Clerk's frontend sets beside it (a session cookie without one,
// or with __client_uat=0, is signed out, unless
// Config.AllowCookieWithoutClientUAT), and a token older than __client_uat
// is stale (the user signed out or switched sessions in another tab). When
// several Clerk apps share a domain, Clerk also sets suffixed cookies
// (__session_<suffix>, __client_uat_<suffix>, the suffix derived from the
// publishable key); they are chosen over the plain ones by Clerk's rules.
func (c *Client) Authenticate(ctx context.Context, cr Credentials) (*Claims, error) {
	if c == nil || c.s == nil {
		return nil, errNilClient
	}
	claims, err := c.authenticate(ctx, cr)
	return claims, c.label(err)
}

func (c *Client) authenticate(ctx context.Context, cr Credentials) (*Claims, error) {
	if token := HeaderToken(cr.Authorization); token != "" {
		return c.verifyToken(ctx, token)
	}
	jar := c.sessionCookies(cr.Cookie, cr.SessionKey)
	if jar.token == "" {
		return nil, newError(ReasonTokenMissing, nil)
	}
	return c.verifyCookie(ctx, jar)
}

// verifyCookie verifies the session token of a cookie jar with Clerk's
// cookie rules: an active client (__client_uat), and a token not older than
// the client's last sign-in change.
func (c *Client) verifyCookie(ctx context.Context, jar cookieJar) (*Claims, error) {
	if jar.uat == 0 && (jar.hasUAT || !c.s.AllowCookieWithoutClientUAT) {
		return nil, newError(ReasonSessionTokenButNoClientUAT, nil)
	}
	claims, err := c.verifyToken(ctx, jar.token)
	if err != nil {
		return nil, err
	}
	if claims.IssuedAt.Unix() < jar.uat {
		return nil, newError(ReasonTokenStale, nil)
	}
	return claims, nil
}

// checkStatic applies the rules that do not depend on the clock.
func (c *Client) checkStatic(cl *Claims) Reason {
	if strings.HasPrefix(cl.Subject, machineSubjectPrefix) {
		return ReasonTokenNotSession // a machine, never a signed-in session
	}
	if c.s.parties != nil {
		if _, ok := c.s.parties[cl.AuthorizedParty]; !ok || cl.AuthorizedParty == "" {
			return ReasonTokenInvalidAuthorizedParty
		}
	}
	if len(c.s.issuers) > 0 && !c.issuerOK(cl.Issuer) {
		return ReasonTokenInvalidIssuer
	}
	if len(c.s.audiences) > 0 && !c.audienceOK(cl.Audience) {
		return ReasonTokenInvalidAudience
	}
	if cl.Status == "pending" && !c.s.AllowPendingSessions {
		return ReasonSessionPending
	}
	return ""
}

func (c *Client) issuerOK(iss string) bool {
	for _, want := range c.s.issuers {
		if iss == want {
			return true
		}
	}
	return false
}

// audienceOK reports whether one of the token's aud values is accepted.
func (c *Client) audienceOK(aud []string) bool {
	for _, a := range aud {
		for _, want := range c.s.audiences {
			if a == want {
				return true
			}
		}
	}
	return false
}

// checkTime applies exp, nbf and iat with the clock skew.
func (c *Client) checkTime(cl *Claims, now time.Time) Reason {
	skew := c.s.ClockSkew
	if !cl.Expiry.After(now.Add(-skew)) {
		return ReasonTokenExpired
	}
	if !cl.NotBefore.IsZero() && cl.NotBefore.After(now.Add(skew)) {
		return ReasonTokenNotActiveYet
	}
	if !cl.IssuedAt.IsZero() && cl.IssuedAt.After(now.Add(skew)) {
		return ReasonTokenIATInTheFuture
	}
	return ""
}
