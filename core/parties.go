package core

import (
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// checkAuthorizedParty validates one entry of Config.AuthorizedParties: an
// origin as browsers send it in the Origin header (and as Clerk copies it
// into a session token's azp claim, compared exactly): the scheme http or
// https, a host, an optional port, nothing else, all lower case, without the
// scheme's default port. It returns "" or the problem, which quotes the
// entry (an origin is not a secret) and, where it can, the origin the entry
// probably meant.
func checkAuthorizedParty(p string) string {
	switch {
	case p == "":
		return "an entry is empty (Clerk's reference ignores empty entries; clerkgo refuses them: usually a stray comma or an unset variable)"
	case len(p) > maxAuthorizedPartySize:
		return "an entry is longer than " + strconv.Itoa(maxAuthorizedPartySize) + " bytes"
	}
	bad := func(problem string) string { return "entry " + strconv.Quote(p) + " is not an origin: " + problem }
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c == 0x7f {
			return bad("it contains spaces or control characters")
		}
	}
	scheme, rest, ok := strings.Cut(p, "://")
	if !ok {
		if looksLikeHost(p) {
			return bad("add the scheme: https://" + strings.ToLower(p) + " (or http:// for local development)")
		}
		return bad("an origin is scheme://host[:port], such as https://app.example.com")
	}
	if ls := strings.ToLower(scheme); ls != "http" && ls != "https" {
		return bad("the scheme must be http or https")
	}
	u, err := url.Parse(p)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return bad("an origin is scheme://host[:port], such as https://app.example.com")
	}
	if u.User != nil || strings.Contains(rest, "@") {
		return bad("an origin has no user name or password")
	}
	canonical, problem := canonicalOrigin(u)
	if problem != "" {
		return bad(problem)
	}
	switch {
	case u.RawQuery != "" || u.ForceQuery:
		return bad("an origin has no query; use " + canonical)
	case u.Fragment != "" || strings.Contains(p, "#"):
		return bad("an origin has no fragment; use " + canonical)
	case u.Path == "/" && u.RawPath == "":
		return bad("drop the trailing slash: " + canonical)
	case u.Path != "" || u.RawPath != "":
		return bad("an origin has no path; use " + canonical)
	case u.Port() != "" && !strings.HasSuffix(canonical, ":"+strings.TrimLeft(u.Port(), "0")):
		return bad("drop the default port: " + canonical)
	case p != canonical:
		// Clerk compares azp exactly, and browsers send origins in this form.
		return bad("write it as browsers send it: " + canonical)
	}
	return ""
}

// canonicalOrigin is the origin of u as a browser serialises it (lower
// case, IPv6 in its compressed form, no default port), or a problem.
func canonicalOrigin(u *url.URL) (string, string) {
	scheme := strings.ToLower(u.Scheme)
	host, port := u.Hostname(), u.Port()
	if strings.HasSuffix(u.Host, ":") {
		return "", "the port is empty"
	}
	if strings.HasPrefix(u.Host, "[") {
		a, err := netip.ParseAddr(host)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return "", "the bracketed host is not an IPv6 address"
		}
		host = "[" + a.String() + "]"
	} else {
		if host == "" || strings.Contains(host, "%") {
			return "", "the host is missing or escaped"
		}
		for i := 0; i < len(host); i++ {
			c := host[i]
			if c >= 0x80 {
				return "", "the host is not ASCII; use its punycode form (xn--...), as browsers send it"
			}
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
				return "", "the host contains " + strconv.QuoteRune(rune(c))
			}
		}
		host = strings.ToLower(host)
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return "", "the port must be a number from 1 to 65535"
		}
		if (scheme == "https" && n == 443) || (scheme == "http" && n == 80) {
			port = "" // browsers leave the default port out
		} else {
			port = strconv.Itoa(n)
		}
	}
	if port != "" {
		return scheme + "://" + host + ":" + port, ""
	}
	return scheme + "://" + host, ""
}

// looksLikeHost reports whether s looks like "host" or "host:port" given
// without a scheme (localhost:3000, app.example.com).
func looksLikeHost(s string) bool {
	host, port, hasPort := strings.Cut(s, ":")
	if host == "" {
		return false
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	if hasPort {
		n, err := strconv.Atoi(port)
		return err == nil && n > 0 && n <= 65535
	}
	return true
}
