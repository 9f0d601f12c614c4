package core

import (
	"context"
	"strconv"
	"strings"
)

// Clerk's cookie rules, applied by the client to what a cookie extractor
// found: which session cookie counts (plain or suffixed), the __client_uat
// cookie beside it, and a stale token.

// verifyCookies verifies the session a Cookie header carries, with the
// session cookie called name (and, for the default name, the suffixed
// cookies): found is false when the header holds no session cookie, and
// the next extractor may look. Cookies carry session tokens only.
func (c *Client) verifyCookies(ctx context.Context, header, name string, accepts kindSet) (v verdict, found bool, err error) {
	jar := c.sessionCookies(header, name)
	if jar.token == "" {
		return verdict{}, false, nil
	}
	if !accepts.has(SessionToken) {
		return verdict{kind: SessionToken}, true, newError(ReasonTokenTypeNotAccepted, nil)
	}
	claims, err := c.verifyCookie(ctx, jar)
	return verdict{kind: SessionToken, session: claims}, true, err
}

// verifyCookie verifies the session token of a cookie jar with Clerk's
// cookie rules: an active client (__client_uat), and a token not older than
// the client's last sign-in change.
func (c *Client) verifyCookie(ctx context.Context, jar cookieJar) (*Claims, error) {
	if jar.uat == 0 && (jar.hasUAT || !c.s.AllowCookieWithoutClientUAT) {
		return nil, newError(ReasonSessionTokenButNoClientUAT, nil)
	}
	v, err := c.verify(ctx, jar.token, acceptSession)
	if err != nil {
		return nil, err
	}
	if v.session.IssuedAt.Unix() < jar.uat {
		return nil, newError(ReasonTokenStale, nil)
	}
	return v.session, nil
}

// CookieValue returns the value of the first cookie called name in a Cookie
// header value, without surrounding quotes, and whether it was present.
func CookieValue(header, name string) (string, bool) {
	for header != "" {
		var part string
		part, header, _ = strings.Cut(header, ";")
		part = strings.TrimSpace(part)
		k, v, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(k) != name {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		return v, true
	}
	return "", false
}

// The cookies Clerk's frontend sets beside the session cookie.
const (
	sessionCookie = DefaultSessionKey
	clientUAT     = "__client_uat"
)

// cookieJar is what the Cookie header says about the session.
type cookieJar struct {
	token  string // the session token, or ""
	uat    int64  // __client_uat: when the client last signed in or out; 0: none
	hasUAT bool   // a __client_uat cookie was present (even "0")
}

// sessionCookies reads the session token and the client's __client_uat from
// a Cookie header. With the default session cookie name and a publishable
// key, it picks between the plain cookies and the suffixed ones
// (__session_<suffix>, __client_uat_<suffix>) by Clerk's rules. A custom
// session cookie name reads that cookie and the plain __client_uat.
func (c *Client) sessionCookies(header, name string) cookieJar {
	if name == "" {
		name = DefaultSessionKey
	}
	session, uat := name, clientUAT
	if name == sessionCookie && c.s.cookieSuffix != "" && c.usesSuffixedCookies(header) {
		session += "_" + c.s.cookieSuffix
		uat += "_" + c.s.cookieSuffix
	}
	var jar cookieJar
	jar.token, _ = CookieValue(header, session)
	v, ok := CookieValue(header, uat)
	jar.hasUAT = ok && v != ""
	jar.uat = parseClientUAT(v)
	return jar
}

// parseClientUAT reads a __client_uat value: Unix seconds. "0", a missing
// value and anything that is not a positive decimal number mean the client
// is signed out.
func parseClientUAT(v string) int64 {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// usesSuffixedCookies decides, as Clerk's reference does, whether the
// suffixed cookies describe the session rather than the plain ones. Clerk
// sets both when several of its apps share a domain; the plain ones may
// then belong to another instance, or be older or newer than the suffixed
// ones. The tokens are only peeked at here (unverified), to choose which
// one to verify.
func (c *Client) usesSuffixedCookies(header string) bool {
	sfx := "_" + c.s.cookieSuffix
	suffixedUAT, _ := CookieValue(header, clientUAT+sfx)
	plainUAT, _ := CookieValue(header, clientUAT)
	suffixedSession, _ := CookieValue(header, sessionCookie+sfx)
	plainSession, _ := CookieValue(header, sessionCookie)

	plain := peekToken(plainSession)
	if plainSession != "" && plain.iss == "" {
		return false // a malformed plain cookie: signed out, not suffixed
	}
	if plainSession != "" && !c.issuedByInstance(plain.iss) {
		return true // the plain cookie is another instance's
	}
	if suffixedUAT == "" && suffixedSession == "" {
		return false
	}
	suffixed := peekToken(suffixedSession)
	if suffixedUAT != "0" && plainUAT != "0" && plain.iat > suffixed.iat {
		return false // both signed in, the plain token is newer
	}
	if suffixedUAT == "0" && plainUAT != "0" {
		return false // the plain cookies are set by every clerk-js version
	}
	if !c.s.production && suffixedUAT != "0" && plainUAT == "0" && suffixedSession != "" &&
		suffixed.exp <= float64(c.s.Now().Unix()) {
		return false // development: an expired suffixed token after a downgrade
	}
	if suffixedUAT == "" && suffixedSession != "" {
		return false // suffixed cookies turned off at the Frontend API
	}
	return true
}

// issuedByInstance compares an unverified iss with the instance's Frontend
// API host (a production satellite's clerk.<Domain>), ignoring http://
// and https:// as Clerk does.
func (c *Client) issuedByInstance(iss string) bool {
	for _, p := range []string{"https://", "http://"} {
		for {
			i := strings.Index(strings.ToLower(iss), p)
			if i < 0 {
				break
			}
			iss = iss[:i] + iss[i+len(p):]
		}
	}
	return iss == c.s.instanceHost()
}
