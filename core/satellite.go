package core

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Satellite domains (@clerk/backend request.ts, "multi-domain sync"): a
// satellite (Config.IsSatellite) has no session of its own until it syncs
// with the primary domain; the primary answers a development satellite's
// sync request; and a primary hands a signed-in document request with a
// cross-origin Referer to the handshake. See docs/browser.md.

// Clerk's names (@clerk/backend constants.ts and authStatus.ts).
const (
	paramClerkSynced         = "__clerk_synced"
	paramClerkRedirectURL    = "__clerk_redirect_url"
	syncNeeded               = "false" // ClerkSyncStatus.NeedsSync
	syncCompleted            = "true"  // ClerkSyncStatus.Completed
	hsSatelliteNeedsSyncing  = "satellite-needs-syncing"
	hsPrimaryRespondsToSync  = "primary-responds-to-syncing"
	hsPrimaryCrossOriginSync = "primary-domain-cross-origin-sync"
	crossOriginSyncMessage   = "Cross-origin request from satellite domain requires handshake"
	satelliteLoopMessage     = "clerk: satellite-domain authentication resulted in an infinite redirect loop; check that this request is using a configured primary or satellite domain for the production instance; for preview deployments, use a development or staging Clerk instance or a supported configured preview-domain setup"
)

// multiDomainSync is Clerk's multi-domain sync on the cookie path, after a
// handshake's return and before the development-browser rules: a
// satellite's document request without cookies, or back from the primary's
// sign-in (__clerk_synced=false), goes to the handshake (production) or to
// the primary's sign-in page with __clerk_redirect_url (development); a
// development primary asked to sync (__clerk_redirect_url) sends the
// browser back with its development-browser token and
// __clerk_synced=true. nil: the decision goes on.
func (p *pageCtx) multiDomainSync(ctx context.Context) *PageResult {
	s := p.c.s
	synced := p.r.Query(paramClerkSynced)
	if s.satellite && p.r.Method() == http.MethodGet && p.r.Header("Sec-Fetch-Dest") == "document" && synced != syncCompleted {
		hasCookies := p.session != "" || p.uat != 0
		needsSync := synced == syncNeeded
		if !s.autoSync && !hasCookies && !needsSync {
			return signedOutResult(newError(ReasonTokenMissing, nil), hsSessionAndUATMissing, "")
		}
		if hasCookies && !needsSync {
			return nil // the ordinary decision, refresh included
		}
		if !p.dev {
			return p.maybeHandshake(ctx, hsSatelliteNeedsSyncing, "", ReasonTokenMissing)
		}
		loc, ok := p.primarySignInURL()
		if !ok {
			return signedOutResult(newError(ReasonTokenMissing, nil), hsSatelliteNeedsSyncing, "")
		}
		return p.maybeRedirect(ctx, hsSatelliteNeedsSyncing, "", ReasonTokenMissing, loc)
	}
	if !p.dev || s.satellite {
		return nil
	}
	target := p.r.Query(paramClerkRedirectURL)
	if target == "" {
		return nil
	}
	loc, ok := p.backToSatellite(target)
	if !ok {
		// Clerk throws on a redirect URL it cannot parse (the app answers
		// 500): signed out instead, and no redirect.
		return signedOutResult(newError(ReasonTokenMissing, nil), hsPrimaryRespondsToSync, "")
	}
	return p.maybeRedirect(ctx, hsPrimaryRespondsToSync, "", ReasonTokenMissing, loc)
}

// primarySignInURL is a development satellite's sync redirect: the
// sign-in URL (an absolute URL, checked at start-up) with
// __clerk_redirect_url appended, the page's full URL.
func (p *pageCtx) primarySignInURL() (string, bool) {
	self, ok := p.publicURL()
	if !ok || p.c.s.signInURL == "" {
		return "", false
	}
	return addParam(p.c.s.signInURL, paramClerkRedirectURL, self), true
}

// backToSatellite is a development primary's answer to a sync request:
// the satellite's URL with the development-browser token appended (when
// the browser has one) and __clerk_synced set to true. The URL must be an
// absolute http(s) URL with a plain host and, when AuthorizedParties are
// configured, one of their origins (the development-browser token is a
// credential; Clerk sends it to any URL).
func (p *pageCtx) backToSatellite(target string) (string, bool) {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || !validHost(u.Host) {
		return "", false
	}
	for i := 0; i < len(target); i++ {
		if target[i] <= ' ' || target[i] >= 0x7f {
			return "", false
		}
	}
	if len(p.c.s.parties) > 0 {
		origin, _, ok := webOrigin(target)
		if _, allowed := p.c.s.parties[origin]; !ok || !allowed {
			return "", false
		}
	}
	if p.devJWT != "" {
		target = addParam(target, cookieDevBrowser, p.devJWT)
	}
	return setParam(target, paramClerkSynced, syncCompleted), true
}

// crossOriginSync is Clerk's primary-domain cross-origin rule for a
// signed-in cookie session: on a primary (not a satellite), a GET
// document request whose Referer is of another origin and not a known
// Clerk referrer, with no handshake in progress, is handed to the
// handshake (primary-domain-cross-origin-sync). nil: signed in.
func (p *pageCtx) crossOriginSync(ctx context.Context) *PageResult {
	if p.c.s.satellite || p.r.Method() != http.MethodGet || p.r.Header("Sec-Fetch-Dest") != "document" || p.loops != 0 {
		return nil
	}
	ref := p.r.Header("Referer")
	if ref == "" {
		return nil
	}
	self, ok := p.publicURL()
	if !ok {
		return nil
	}
	selfOrigin, _, _ := webOrigin(self)
	refOrigin, refHost, ok := webOrigin(ref)
	if !ok || refOrigin == selfOrigin || p.knownClerkReferrer(refOrigin, refHost) {
		return nil
	}
	// the session may be older than the other domain's: token-stale for
	// the Observer (the request never ends signed out here: loops is 0)
	return p.maybeHandshake(ctx, hsPrimaryCrossOriginSync, crossOriginSyncMessage, ReasonTokenStale)
}

// knownClerkReferrer is Clerk's isKnownClerkReferrer: the referrer's host
// is the instance's Frontend API (or proxy) host; or, on a development
// instance, a development Account Portal host; or its origin is the
// Account Portal derived from the Frontend API.
func (p *pageCtx) knownClerkReferrer(refOrigin, refHost string) bool {
	s := p.c.s
	return refHost == s.referrerHost ||
		(p.dev && devAccountPortalHost(refHost)) ||
		(s.accountsOrigin != "" && refOrigin == s.accountsOrigin)
}

// devAccountPortalHost is Clerk's isLegacyDevAccountPortalOrigin or
// isCurrentDevAccountPortalOrigin (@clerk/shared url.ts).
func devAccountPortalHost(host string) bool {
	for _, sfx := range []string{".lcl.dev", ".lclstage.dev", ".lclclerk.com"} {
		if strings.HasPrefix(host, "accounts.") && strings.HasSuffix(host, sfx) {
			return true
		}
	}
	for _, sfx := range []string{".accounts.dev", ".accountsstage.dev", ".accounts.lclclerk.com"} {
		if strings.HasSuffix(host, sfx) && !strings.HasSuffix(host, ".clerk"+sfx) {
			return true
		}
	}
	return false
}

// webOrigin returns the origin of an absolute URL as the WHATWG URL
// standard serialises it (scheme and host lower-cased, the scheme's
// default port dropped; "null" for a scheme that is not http(s), ws(s) or
// ftp, opaque URLs such as about:blank and data: included; a blob: URL's
// is the origin of the URL inside it) and its host name; false when raw is
// not an absolute URL.
func webOrigin(raw string) (origin, host string, ok bool) {
	return webOriginDepth(raw, 0)
}

func webOriginDepth(raw string, depth int) (origin, host string, ok bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme == "" {
		return "", "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme == "blob" && depth == 0 {
		inner := strings.TrimSpace(raw)[len("blob:"):]
		if o, h, ok := webOriginDepth(inner, 1); ok && o != "null" {
			return o, h, true
		}
		return "null", "", true
	}
	if u.Opaque != "" {
		switch scheme {
		case "http", "https", "ws", "wss", "ftp":
			// A special scheme without slashes ("https:host/x") is the
			// same URL with them, as WHATWG URL parsers read it.
			return webOriginDepth(scheme+"://"+u.Opaque, depth)
		}
		return "null", "", true
	}
	var def string
	switch scheme {
	case "http", "ws":
		def = "80"
	case "https", "wss":
		def = "443"
	case "ftp":
		def = "21"
	default:
		return "null", u.Hostname(), true
	}
	host = strings.ToLower(u.Hostname())
	if host == "" {
		return "", "", false
	}
	hostport := host
	if strings.Contains(host, ":") {
		hostport = "[" + host + "]"
	}
	if port := u.Port(); port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n > 65535 {
			return "", "", false
		}
		if strconv.Itoa(n) != def {
			hostport += ":" + strconv.Itoa(n)
		}
	}
	return scheme + "://" + hostport, host, true
}

// addParam appends name=value to u's query (URLSearchParams.append),
// keeping the rest of u as spelled; a fragment stays last.
func addParam(u, name, value string) string {
	base, frag, hasFrag := strings.Cut(u, "#")
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
		if strings.HasSuffix(base, "?") || strings.HasSuffix(base, "&") {
			sep = ""
		}
	}
	out := base + sep + url.QueryEscape(name) + "=" + url.QueryEscape(value)
	if hasFrag {
		out += "#" + frag
	}
	return out
}

// setParam is URLSearchParams.set: the first name parameter of u's query
// gets value and the others are dropped; without one, it is appended.
func setParam(u, name, value string) string {
	base, frag, hasFrag := strings.Cut(u, "#")
	path, query, _ := strings.Cut(base, "?")
	pair := url.QueryEscape(name) + "=" + url.QueryEscape(value)
	var parts []string
	set := false
	for _, part := range strings.Split(query, "&") {
		if part == "" {
			continue
		}
		k, _, _ := strings.Cut(part, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if k == name {
			if !set {
				parts, set = append(parts, pair), true
			}
			continue
		}
		parts = append(parts, part)
	}
	if !set {
		parts = append(parts, pair)
	}
	out := path + "?" + strings.Join(parts, "&")
	if hasFrag {
		out += "#" + frag
	}
	return out
}
