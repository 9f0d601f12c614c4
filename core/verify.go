package core

import (
	"context"
	"strings"
	"time"
)

// VerifyToken verifies a session token and returns its claims, applying
// every rule: header (alg, typ, kid, crit, cat), signature with the
// instance's keys, then exp, nbf, iat (with the clock skew), sub, azp, iss
// and the session status. Errors are [*Error]s; see [ReasonOf]. A token
// whose key is not known yet while the key refetch cooldown runs is
// [ReasonJWKSRefreshPending] (503), unless its unverified iss shows it is
// another instance's: then it is [ReasonTokenUnknownKID], as the
// middleware answers.
//
// A token that verified before is served from a bounded cache, re-checked
// against the clock and the current keys; the returned Claims are shared
// and must not be modified.
func (c *Client) VerifyToken(ctx context.Context, token string) (*Claims, error) {
	if c == nil || c.s == nil {
		return nil, errNilClient
	}
	v, err := c.verify(ctx, token, acceptSession)
	if err != nil {
		return nil, c.label(err)
	}
	return v.session, nil
}

// verdict is what the verification path learned about a token: its kind
// and, when it verified, a session's claims or a machine token's Auth.
type verdict struct {
	// kind is the kind the token presents itself as ("" when it cannot be
	// told), for observations, set even when the token is refused.
	kind    TokenKind
	session *Claims // a verified session token's claims
	machine *Auth   // a verified machine token's Auth
}

// auth returns the verdict's Auth (a new one for a session).
func (v verdict) auth() *Auth {
	if v.session != nil {
		return sessionAuth(v.session)
	}
	return v.machine
}

// verify is the one verification path, for every kind of token: the token
// kind, the verified-token cache, parse, header rules, key, signature,
// claims, static rules and the clock. Session tokens follow verifySession
// (here), machine tokens the rules of machine.go. A session token that
// verifies from the cache allocates nothing.
func (c *Client) verify(ctx context.Context, token string, accepts kindSet) (verdict, error) {
	v, err := c.verifyKind(ctx, token, accepts)
	if err != nil {
		err = c.settlePending(err, token)
	}
	return v, err
}

// verifyKind is verify before the key-cooldown refusal is settled: the
// shared opening (empty, size, opaque kind, cache), then the rules of the
// token's kind.
func (c *Client) verifyKind(ctx context.Context, token string, accepts kindSet) (verdict, error) {
	if token == "" {
		return verdict{}, newError(ReasonTokenMissing, nil)
	}
	if len(token) > MaxTokenSize {
		return verdict{}, newError(ReasonTokenTooLarge, nil)
	}
	if kind := opaqueKind(token); kind != "" {
		if !accepts.has(kind) {
			return verdict{kind: kind}, newError(ReasonTokenTypeNotAccepted, nil)
		}
		a, err := c.verifyOpaque(ctx, kind, token)
		return verdict{kind: kind, machine: a}, err
	}
	if accepts.has(SessionToken) {
		if claims, ok, err := c.cachedSession(ctx, token); ok {
			return verdict{kind: SessionToken, session: claims}, err
		}
	}
	t, r, err := parseCompact(token, c.headers)
	if r != "" {
		return verdict{}, newError(r, err)
	}
	kind := t.kind()
	if !accepts.has(kind) {
		if kind == SessionToken && t.sessionHeader() == ReasonTokenNotSession {
			return verdict{kind: kind}, newError(ReasonTokenNotSession, nil) // a JWT template or other category
		}
		return verdict{kind: kind}, newError(ReasonTokenTypeNotAccepted, nil)
	}
	if kind == SessionToken {
		claims, err := c.verifySession(ctx, token, &t)
		return verdict{kind: kind, session: claims}, err
	}
	a, err := c.verifyMachineJWT(ctx, kind, &t)
	return verdict{kind: kind, machine: a}, err
}

// settlePending refines a [ReasonJWKSRefreshPending] refusal of a session
// token or a JWT OAuth access token (whose iss is the instance's Frontend
// API too, its authorization server): when the instance's issuers are
// known and the token's unverified
// iss is not one of them, the token is another instance's (it would be
// refused for its issuer even if its key were found), not one of a key this
// instance has just rotated in, so it is 401 token-unknown-kid, as it is
// after the cooldown. Peeking at iss only ever refuses.
func (c *Client) settlePending(err error, token string) error {
	if ReasonOf(err) != ReasonJWKSRefreshPending || len(c.s.issuers) == 0 {
		return err
	}
	t, r, _ := parseJWS(token)
	if kind := t.kind(); r != "" || (kind != SessionToken && kind != OAuthToken) || c.issuerOK(peekString(t.payload, "iss")) {
		return err
	}
	return newError(ReasonTokenUnknownKID, nil)
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

// verifySession applies the session rules to a parsed JWT: header,
// signature, claims, the static rules and the clock; a token that passes is
// cached.
func (c *Client) verifySession(ctx context.Context, token string, t *jwsToken) (*Claims, error) {
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
