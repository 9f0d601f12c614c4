package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Organization sync (@clerk/backend organizationMatcher.ts and request.ts
// handleMaybeOrganizationSyncHandshake): the organization a page's URL
// names is activated through the handshake. Patterns are read as
// @clerk/shared's bundled path-to-regexp 6 reads them.

// OrganizationSync is Clerk's organizationSyncOptions: URL path patterns
// that name the organization (or the personal account) a page acts for.
// When a signed-in page request's path matches and the session's active
// organization differs, the browser decision answers with a handshake
// that activates it (organization_id, reason
// active-organization-mismatch), at most until the handshake loop guard.
//
// Patterns are path-to-regexp 6 patterns, matched case-insensitively
// against the URL path as sent (percent-encoded, not decoded), with an
// optional trailing "/": ":id" or ":slug" name the organization
// ("/orgs/:slug", "/orgs/:slug/(.*)", "/orgs/:id/settings"), "(.*)" any
// rest, "{...}" groups, "?" optional parts. Each pattern list is tried as
// one alternation, in order; the first matching pattern decides.
type OrganizationSync struct {
	// OrganizationPatterns name the organization with an ":id" (org_...)
	// or ":slug" parameter; ":id" wins when a pattern has both.
	OrganizationPatterns []string
	// PersonalAccountPatterns name pages of the personal account: the
	// active organization is cleared there. Tried after
	// OrganizationPatterns.
	PersonalAccountPatterns []string
}

// orgTarget is what a URL names: an organization (by id or slug) or the
// personal account.
type orgTarget struct {
	personal bool
	id, slug string
}

// orgMatcher is the compiled OrganizationSync.
type orgMatcher struct {
	org, personal *pathPattern
}

// newOrgMatcher compiles o; a bad pattern is a *ConfigError naming it.
func newOrgMatcher(o *OrganizationSync) (*orgMatcher, error) {
	if o == nil {
		return nil, nil
	}
	m := &orgMatcher{}
	var err error
	if m.org, err = compilePathPatterns(o.OrganizationPatterns); err != nil {
		return nil, &ConfigError{Field: "OrganizationSync.OrganizationPatterns", Problem: err.Error()}
	}
	if m.personal, err = compilePathPatterns(o.PersonalAccountPatterns); err != nil {
		return nil, &ConfigError{Field: "OrganizationSync.PersonalAccountPatterns", Problem: err.Error()}
	}
	if m.org == nil && m.personal == nil {
		return nil, nil
	}
	return m, nil
}

// find is Clerk's findTarget for a URL path.
func (m *orgMatcher) find(path string) (orgTarget, bool) {
	if m == nil {
		return orgTarget{}, false
	}
	if params, ok := m.org.match(path); ok {
		if id := params["id"]; id != "" {
			return orgTarget{id: id}, true
		}
		if slug := params["slug"]; slug != "" {
			return orgTarget{slug: slug}, true
		}
	}
	if _, ok := m.personal.match(path); ok {
		return orgTarget{personal: true}, true
	}
	return orgTarget{}, false
}

// queryValue is the handshake's organization_id for t: the id, else the
// slug, "" for the personal account.
func (t orgTarget) queryValue() string {
	if t.slug != "" {
		return t.slug
	}
	return t.id
}

// pagePath is the path of the page's URL as sent, for the matcher.
func (p *pageCtx) pagePath() string {
	pr, ok := p.r.(PageRequest)
	if !ok {
		return ""
	}
	path, _, _ := strings.Cut(pr.RequestURI(), "?")
	path, _, _ = strings.Cut(path, "#")
	return path
}

// organizationSync is handleMaybeOrganizationSyncHandshake for a signed-in
// cookie session: the handshake that activates the organization the URL
// names, when it is not the session's active one; nil when nothing is to
// be done, past the loop guard (a warning), or when no handshake is
// possible (the request stays signed in).
func (p *pageCtx) organizationSync(ctx context.Context, auth *Auth) *PageResult {
	if p.a.orgSync == nil || auth == nil || auth.Subject == "" {
		return nil
	}
	t, ok := p.a.orgSync.find(p.pagePath())
	if !ok {
		return nil
	}
	var id, slug string
	if auth.Session != nil && auth.Session.Org != nil {
		id, slug = auth.Session.Org.ID, auth.Session.Org.Slug
	}
	must := (t.personal && id != "") ||
		(!t.personal && ((t.slug != "" && t.slug != slug) || (t.id != "" && t.id != id)))
	if !must {
		return nil
	}
	if p.loops >= handshakeLoopLimit {
		if c := p.c; c.events != nil && c.events.log != nil {
			c.events.log.LogAttrs(ctx, slog.LevelWarn, "clerk: organization activation handshake loop detected; this is likely due to an invalid organization id or slug; skipping organization activation", c.events.attrs()...)
		}
		return nil
	}
	res := p.maybeHandshake(ctx, hsActiveOrgMismatch, "", ReasonTokenStale) // the token's organization is not the page's
	if res.Status != PageHandshake {
		return nil
	}
	return res
}

// hsActiveOrgMismatch is Clerk's AuthErrorReason.ActiveOrganizationMismatch.
const hsActiveOrgMismatch = "active-organization-mismatch"

// organizationParam is the handshake's organization_id parameter when the
// page's URL names an organization or the personal account, else "".
func (p *pageCtx) organizationParam() string {
	if p.a.orgSync == nil {
		return ""
	}
	t, ok := p.a.orgSync.find(p.pagePath())
	if !ok {
		return ""
	}
	return "&organization_id=" + url.QueryEscape(t.queryValue())
}

// pathPattern is a compiled list of path-to-regexp patterns.
type pathPattern struct {
	re   *regexp.Regexp
	keys []string // the name of each capture group, in order
}

// match reports whether path matches, with the values of the named
// parameters (a later group of the same name wins, as in path-to-regexp).
func (pp *pathPattern) match(path string) (map[string]string, bool) {
	if pp == nil {
		return nil, false
	}
	idx := pp.re.FindStringSubmatchIndex(path)
	if idx == nil {
		return nil, false
	}
	params := map[string]string{}
	for g := 1; g*2+1 < len(idx) && g-1 < len(pp.keys); g++ {
		if idx[g*2] < 0 {
			continue
		}
		params[pp.keys[g-1]] = path[idx[g*2]:idx[g*2+1]]
	}
	return params, true
}

// maxPathPatternLen bounds one pattern: configuration, not input, but a
// regexp is built from it.
const maxPathPatternLen = 1024

// compilePathPatterns is path-to-regexp 6's match(patterns) with
// @clerk/shared's defaults (case-insensitive, optional trailing
// delimiter, anchored at both ends, no decoding), as one Go regexp. nil
// for no patterns. Patterns Go's regexp cannot match as JavaScript's would
// (lookarounds, a parameter after a literal of several characters without
// "/") are refused.
func compilePathPatterns(patterns []string) (*pathPattern, error) {
	if len(patterns) == 0 {
		return nil, nil
	}
	var sources []string
	var keys []string
	for _, pat := range patterns {
		if len(pat) > maxPathPatternLen {
			return nil, fmt.Errorf("pattern %q is longer than %d bytes", truncate(pat, 64), maxPathPatternLen)
		}
		toks, err := parsePathPattern(pat)
		if err != nil {
			return nil, fmt.Errorf("invalid pattern %q: %w", pat, err)
		}
		src, names, err := pathTokensToRegexp(toks)
		if err != nil {
			return nil, fmt.Errorf("invalid pattern %q: %w", pat, err)
		}
		re, err := regexp.Compile("(?i)" + src)
		if err != nil {
			return nil, fmt.Errorf("pattern %q: Go's regexp cannot read it: %w", pat, err)
		}
		if re.NumSubexp() != len(names) {
			return nil, fmt.Errorf("pattern %q: capturing groups are not allowed", pat)
		}
		sources = append(sources, src)
		keys = append(keys, names...)
	}
	re, err := regexp.Compile("(?i)(?:" + strings.Join(sources, "|") + ")")
	if err != nil {
		return nil, fmt.Errorf("patterns %q: Go's regexp cannot read them: %w", patterns, err)
	}
	return &pathPattern{re: re, keys: keys}, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// path-to-regexp 6's lexer tokens.
type lexKind uint8

const (
	lexModifier lexKind = iota + 1
	lexEscaped
	lexOpen
	lexClose
	lexName
	lexPattern
	lexChar
	lexEnd
)

type lexToken struct {
	kind  lexKind
	index int
	value string
}

var errPathPattern = errors.New("bad path pattern")

// lexPathPattern is path-to-regexp 6's lexer.
func lexPathPattern(s string) ([]lexToken, error) {
	var out []lexToken
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '*', '+', '?':
			out = append(out, lexToken{lexModifier, i, s[i : i+1]})
			i++
			continue
		case '\\':
			if i+1 >= len(s) {
				// JavaScript's r[e++] past the end: undefined, which the
				// parser then skips
				out = append(out, lexToken{lexEscaped, i, ""})
				i++
				continue
			}
			out = append(out, lexToken{lexEscaped, i, s[i+1 : i+2]})
			i += 2
			continue
		case '{':
			out = append(out, lexToken{lexOpen, i, "{"})
			i++
			continue
		case '}':
			out = append(out, lexToken{lexClose, i, "}"})
			i++
			continue
		case ':':
			j := i + 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= 'a' && s[j] <= 'z' || s[j] == '_') {
				j++
			}
			if j == i+1 {
				return nil, fmt.Errorf("%w: missing parameter name at %d", errPathPattern, i)
			}
			out = append(out, lexToken{lexName, i, s[i+1 : j]})
			i = j
			continue
		case '(':
			count, j := 1, i+1
			var pat strings.Builder
			if j < len(s) && s[j] == '?' {
				return nil, fmt.Errorf("%w: pattern cannot start with \"?\" at %d", errPathPattern, j)
			}
			for j < len(s) {
				if s[j] == '\\' {
					if j+1 >= len(s) {
						return nil, fmt.Errorf("%w: unbalanced pattern at %d", errPathPattern, i)
					}
					pat.WriteString(s[j : j+2])
					j += 2
					continue
				}
				if s[j] == ')' {
					count--
					if count == 0 {
						j++
						break
					}
				} else if s[j] == '(' {
					count++
					if j+1 >= len(s) || s[j+1] != '?' {
						return nil, fmt.Errorf("%w: capturing groups are not allowed at %d", errPathPattern, j)
					}
				}
				pat.WriteByte(s[j])
				j++
			}
			if count != 0 {
				return nil, fmt.Errorf("%w: unbalanced pattern at %d", errPathPattern, i)
			}
			if pat.Len() == 0 {
				return nil, fmt.Errorf("%w: missing pattern at %d", errPathPattern, i)
			}
			out = append(out, lexToken{lexPattern, i, pat.String()})
			i = j
			continue
		}
		out = append(out, lexToken{lexChar, i, s[i : i+1]})
		i++
	}
	return append(out, lexToken{lexEnd, len(s), ""}), nil
}

// pathToken is a literal (key == nil) or a parameter of a parsed pattern.
type pathToken struct {
	literal string
	key     *pathKey
}

type pathKey struct {
	name                           string
	prefix, suffix, pattern, modif string
}

const pathDelimiters = "/#?"

// parsePathPattern is path-to-regexp 6's parse with prefixes "./" and
// delimiter "/#?".
func parsePathPattern(s string) ([]pathToken, error) {
	toks, err := lexPathPattern(s)
	if err != nil {
		return nil, err
	}
	var result []pathToken
	key, i := 0, 0
	path := ""
	try := func(k lexKind) (string, bool) {
		if i < len(toks) && toks[i].kind == k {
			i++
			return toks[i-1].value, true
		}
		return "", false
	}
	must := func(k lexKind) error {
		if _, ok := try(k); ok {
			return nil
		}
		return fmt.Errorf("%w: unexpected token at %d", errPathPattern, toks[i].index)
	}
	text := func() string {
		var b strings.Builder
		for {
			v, ok := try(lexChar)
			if !ok {
				if v, ok = try(lexEscaped); !ok {
					return b.String()
				}
			}
			b.WriteString(v)
		}
	}
	safe := func(prefix string) (string, error) {
		e := prefix
		var prev *pathToken
		if len(result) > 0 {
			prev = &result[len(result)-1]
		}
		if e == "" && prev != nil && prev.key == nil {
			e = prev.literal
		}
		if prev != nil && e == "" {
			return "", fmt.Errorf("%w: must have text between two parameters, missing text after %q", errPathPattern, prev.key.name)
		}
		if e == "" || strings.ContainsAny(e, pathDelimiters) {
			return `[^/#?]+?`, nil
		}
		if len(e) == 1 {
			// (?:(?!c)[^/#?])+? without the lookahead Go's regexp lacks
			c := e
			if !(c[0] >= '0' && c[0] <= '9' || c[0] >= 'A' && c[0] <= 'Z' || c[0] >= 'a' && c[0] <= 'z') {
				c = `\` + c
			}
			return `[^/#?` + c + `]+?`, nil
		}
		return "", fmt.Errorf("%w: a parameter after the text %q needs a lookahead, which clerkgo does not support; put a \"/\" before the parameter", errPathPattern, e)
	}
	for i < len(toks) {
		char, hasChar := try(lexChar)
		name, hasName := try(lexName)
		pattern, hasPattern := try(lexPattern)
		if hasName || hasPattern {
			prefix := char
			if !hasChar || !strings.Contains("./", prefix) {
				path += prefix
				prefix = ""
			}
			if path != "" {
				result = append(result, pathToken{literal: path})
				path = ""
			}
			k := &pathKey{name: name, prefix: prefix, pattern: pattern}
			if !hasName {
				k.name = strconv.Itoa(key)
				key++
			}
			if !hasPattern {
				p, err := safe(prefix)
				if err != nil {
					return nil, err
				}
				k.pattern = p
			}
			k.modif, _ = try(lexModifier)
			result = append(result, pathToken{key: k})
			continue
		}
		value, ok := char, hasChar
		if !ok {
			value, ok = try(lexEscaped)
		}
		if ok {
			path += value
			continue
		}
		if path != "" {
			result = append(result, pathToken{literal: path})
			path = ""
		}
		if _, open := try(lexOpen); open {
			prefix := text()
			name, hasName := try(lexName)
			pattern, hasPattern := try(lexPattern)
			suffix := text()
			if err := must(lexClose); err != nil {
				return nil, err
			}
			k := &pathKey{name: name, prefix: prefix, suffix: suffix, pattern: pattern}
			switch {
			case hasName && !hasPattern:
				p, err := safe(prefix)
				if err != nil {
					return nil, err
				}
				k.pattern = p
			case !hasName && hasPattern:
				k.name = strconv.Itoa(key)
				key++
			}
			k.modif, _ = try(lexModifier)
			result = append(result, pathToken{key: k})
			continue
		}
		if err := must(lexEnd); err != nil {
			return nil, err
		}
	}
	return result, nil
}

// pathTokensToRegexp is path-to-regexp 6's tokensToRegexp with strict
// false, start and end true: the Go regexp source and the names of its
// capture groups.
func pathTokensToRegexp(toks []pathToken) (string, []string, error) {
	var b strings.Builder
	var names []string
	b.WriteString("^")
	for _, t := range toks {
		if t.key == nil {
			b.WriteString(regexp.QuoteMeta(t.literal))
			continue
		}
		k := t.key
		pre, suf := regexp.QuoteMeta(k.prefix), regexp.QuoteMeta(k.suffix)
		switch {
		case k.pattern == "":
			b.WriteString("(?:" + pre + suf + ")" + k.modif)
			continue
		case (k.name == "id" || k.name == "slug") && (k.modif == "+" || k.modif == "*"):
			return "", nil, fmt.Errorf("%w: the parameter %q may not repeat (%s)", errPathPattern, k.name, k.modif)
		case pre != "" || suf != "":
			if k.modif == "+" || k.modif == "*" {
				opt := ""
				if k.modif == "*" {
					opt = "?"
				}
				b.WriteString("(?:" + pre + "((?:" + k.pattern + ")(?:" + suf + pre + "(?:" + k.pattern + "))*)" + suf + ")" + opt)
			} else {
				b.WriteString("(?:" + pre + "(" + k.pattern + ")" + suf + ")" + k.modif)
			}
		default:
			if k.modif == "+" || k.modif == "*" {
				return "", nil, fmt.Errorf("%w: can not repeat %q without a prefix and suffix", errPathPattern, k.name)
			}
			b.WriteString("(" + k.pattern + ")" + k.modif)
		}
		names = append(names, k.name)
	}
	b.WriteString(`[/#?]?$`)
	return b.String(), names, nil
}
