package core

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Credentials are what a request presents, in framework-neutral form. The
// adapters fill them from their request types.
type Credentials struct {
	// Authorization is the value of the Authorization header.
	Authorization string
	// Cookie is the value of the Cookie header (several headers joined with
	// "; ").
	Cookie string
	// SessionKey is the name of the session cookie. Default "__session".
	SessionKey string
}

// HeaderToken extracts the token from an Authorization header value:
// "Bearer <token>" (scheme case-insensitive) or a bare token with no scheme.
// Other schemes (Basic, ...) yield "".
func HeaderToken(authorization string) string {
	v := strings.TrimSpace(authorization)
	scheme, rest, ok := strings.Cut(v, " ")
	if !ok {
		if strings.EqualFold(v, "Bearer") {
			return "" // a scheme without a token
		}
		return v
	}
	if strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(rest)
	}
	return ""
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
// API host, ignoring http:// and https:// as Clerk does.
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
	return iss == c.s.frontendHost
}

// peeked is what peekToken reads from an unverified token.
type peeked struct {
	iss      string
	iat, exp float64
}

// peekToken reads iss, iat and exp from a token's payload without
// verifying anything; zero values when it cannot.
func peekToken(token string) peeked {
	var p peeked
	first, last := indexDot(token), lastDot(token)
	if first < 0 || first == last {
		return p
	}
	raw, err := base64.RawURLEncoding.DecodeString(token[first+1 : last])
	if err != nil {
		return p
	}
	r := jsonReader{s: string(raw)}
	_ = r.object(func(key string) error {
		switch key {
		case "iss":
			if r.peek() == '"' {
				return r.str(&p.iss)
			}
		case "iat":
			if v, ok, err := r.float(); ok && err == nil {
				p.iat = v
				return nil
			}
			return errJSON
		case "exp":
			if v, ok, err := r.float(); ok && err == nil {
				p.exp = v
				return nil
			}
			return errJSON
		}
		return r.skip()
	})
	return p
}
