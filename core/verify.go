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

func (c *Client) verifyToken(ctx context.Context, token string) (*Claims, error) {
	if token == "" {
		return nil, newError(ReasonTokenMissing, nil)
	}
	if len(token) > MaxTokenSize {
		return nil, newError(ReasonTokenTooLarge, nil)
	}
	now := c.s.Now()
	if e, ok := c.tokens.get(token); ok {
		if c.keys.current(e.kid) == e.key {
			if r := c.checkTime(e.claims, now); r != "" {
				if r == ReasonTokenExpired {
					c.tokens.remove(token)
				}
				return nil, newError(r, nil)
			}
			return e.claims, nil
		}
		c.tokens.remove(token) // its key was rotated out or replaced
	}

	t, r, err := parseJWS(token)
	if r != "" {
		return nil, newError(r, err)
	}
	if r := t.sessionHeader(); r != "" {
		return nil, newError(r, nil)
	}
	key, err := c.keys.get(ctx, t.kid)
	if err != nil {
		return nil, err
	}
	if r := key.verify(&t); r != "" {
		return nil, newError(r, nil)
	}
	claims, r, err := parseClaims(string(t.payload))
	if r != "" {
		return nil, newError(r, err)
	}
	if r := c.checkStatic(claims); r != "" {
		return nil, newError(r, nil)
	}
	if r := c.checkTime(claims, now); r != "" {
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
	if jar.uat == 0 && (jar.hasUAT || !c.s.AllowCookieWithoutClientUAT) {
		return nil, newError(ReasonSessionWithoutClientUAT, nil)
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
			return ReasonTokenInvalidAZP
		}
	}
	if len(c.s.issuers) > 0 && !c.issuerOK(cl.Issuer) {
		return ReasonTokenInvalidIssuer
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
		return ReasonTokenIssuedInFuture
	}
	return ""
}
