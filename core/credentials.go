package core

import (
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

// clientUATCookie is the cookie in which Clerk's frontend records when the
// client last signed in, out or switched sessions (Unix seconds).
const clientUATCookie = "__client_uat"

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

// staleCookie reports whether a cookie token issued at iat is older than the
// client's last sign-in change recorded in __client_uat. A client_uat of 0
// means the client is signed out; an unreadable one counts as stale.
func staleCookie(cookieHeader string, iat int64) bool {
	v, ok := CookieValue(cookieHeader, clientUATCookie)
	if !ok {
		return false
	}
	uat, err := strconv.ParseInt(v, 10, 64)
	if err != nil || uat <= 0 {
		return true
	}
	return iat < uat
}
