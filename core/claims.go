package core

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
)

// Claims is a verified Clerk session token. Values returned by this package
// are shared between requests (see the token cache): treat them as read-only.
//
// Organization data is read by token version, as Clerk does: version 2
// tokens carry it in the "o" claim with feature-gated permissions, every
// other version in org_id, org_slug, org_role and org_permissions. Either
// way it is normalised into Org. Custom session claims are reachable with
// [Claims.Decode] and [CustomClaims], which read the payload by the same
// rules as verification (exact claim names, no repeated names).
type Claims struct {
	// SessionID is the sid claim.
	SessionID string
	// Subject is the sub claim: the Clerk user id.
	Subject string
	// AuthorizedParty is the azp claim: the origin the token was made for.
	AuthorizedParty string
	// Issuer is the iss claim: the instance's Frontend API URL.
	Issuer string
	// Audience is the aud claim (a string or a list of strings), or nil.
	Audience []string
	// Expiry, IssuedAt and NotBefore are the exp, iat and nbf claims; the
	// zero time when absent.
	Expiry, IssuedAt, NotBefore time.Time
	// Version is the v claim: 2 for the current token format, 0 or 1 before.
	Version int
	// FactorAge holds the fva claim: minutes since the first and second
	// factor verification, -1 for never. Nil when the token has no fva, or
	// an fva that is not two such numbers (reverification then fails).
	FactorAge *FactorAge
	// Status is the sts claim: "active", or "pending" for sessions with
	// outstanding tasks.
	Status string
	// Actor is the act claim of an impersonation session, or nil.
	Actor *Actor
	// Org is the active organization, or nil.
	Org *Organization
	// Features and Plans are the raw fea and pla claims: comma-separated
	// scoped names such as "o:articles,u:premium".
	Features, Plans string

	raw string // the decoded payload JSON
}

// FactorAge is the factor-verification age claim (fva), in minutes.
type FactorAge struct {
	// First is the age of the last first-factor verification; -1: never.
	First int
	// Second is the age of the last second-factor verification; -1: never.
	Second int
}

// Actor is the act claim: the user acting on behalf of Subject.
type Actor struct {
	Subject   string `json:"sub"`
	Type      string `json:"type,omitempty"`
	Issuer    string `json:"iss,omitempty"`
	SessionID string `json:"sid,omitempty"`
}

// Organization is the session's active organization.
type Organization struct {
	// ID is the organization id (org_...).
	ID string
	// Slug is the organization slug.
	Slug string
	// Role is the member's role with its "org:" prefix, e.g. "org:admin".
	Role string
	// Permissions are the member's permissions, e.g. "org:invoices:read".
	// In v2 tokens only permissions of features the organization has count.
	Permissions []string
}

// parseClaims decodes a token payload into Claims. It checks JSON types and
// presence only; time and party rules are applied by the verifier.
func parseClaims(raw string) (*Claims, Reason, error) {
	var p payload
	if err := decodePayload(raw, &p); err != nil {
		return nil, decodeReason(err), err
	}
	if r := p.require(""); r != "" {
		return nil, r, nil
	}
	if !validScoped(p.fea) {
		return nil, ReasonTokenMalformed, &claimError{name: "fea"}
	}
	if !validScoped(p.pla) {
		return nil, ReasonTokenMalformed, &claimError{name: "pla"}
	}
	// One allocation for the claims and the parts they may point to.
	block := new(struct {
		claims    Claims
		org       Organization
		factorAge FactorAge
	})
	c := &block.claims
	*c = Claims{
		SessionID:       p.sid,
		Subject:         p.sub,
		AuthorizedParty: p.azp,
		Issuer:          p.iss,
		Audience:        p.aud,
		Version:         p.v,
		Status:          p.sts,
		Actor:           p.act,
		Features:        p.fea,
		Plans:           p.pla,
		Expiry:          unixDate(p.exp, p.hasExp),
		IssuedAt:        unixDate(p.iat, p.hasIat),
		NotBefore:       unixDate(p.nbf, p.hasNbf),
		raw:             raw,
	}
	if p.nFva == 2 {
		if fa, ok := factorAge(p.fva); ok {
			block.factorAge = fa
			c.FactorAge = &block.factorAge
		}
	}
	if p.v == 2 {
		if p.hasO && p.o.id != "" {
			role, perms := orgNames(p.o.rol, p.fea, p.o.per, p.o.fpm)
			block.org = Organization{ID: p.o.id, Slug: p.o.slg, Role: role, Permissions: perms}
			c.Org = &block.org
		}
	} else if p.orgID != "" {
		block.org = Organization{ID: p.orgID, Slug: p.orgSlug, Role: p.orgRole, Permissions: p.orgPerms}
		c.Org = &block.org
	}
	return c, "", nil
}

// unixDate converts a validated NumericDate; absent is the zero time.
func unixDate(v float64, present bool) time.Time {
	if !present {
		return time.Time{}
	}
	return time.Unix(int64(v), 0)
}

// factorAge turns the two numbers of an fva claim into a FactorAge when
// each is whole and -1 (never) or a non-negative age; anything else is not
// ok (no FactorAge), which fails reverification closed, as in Clerk's
// reference.
func factorAge(fva [2]float64) (FactorAge, bool) {
	for _, v := range fva {
		if v != math.Trunc(v) || v < -1 || v > math.MaxInt32 {
			return FactorAge{}, false
		}
	}
	return FactorAge{First: int(fva[0]), Second: int(fva[1])}, true
}

// validScoped reports whether a fea or pla claim is a comma-separated list
// of "scope:name" entries (Clerk's reference throws on an entry without a
// colon; the empty claim is valid).
func validScoped(claim string) bool {
	if claim == "" {
		return true
	}
	for rest := claim; ; {
		entry, more, found := strings.Cut(rest, ",")
		if strings.IndexByte(entry, ':') < 0 {
			return false
		}
		if !found {
			return true
		}
		rest = more
	}
}

// splitScope splits one fea or pla entry into whether it is org-scoped,
// user-scoped, and its name. Clerk's scopes are "o", "u", and "ou" or "uo"
// for both; any other scope counts for neither.
func splitScope(entry string) (org, user bool, name string) {
	scope, name, _ := strings.Cut(strings.TrimSpace(entry), ":")
	switch scope {
	case "o":
		return true, false, name
	case "u":
		return false, true, name
	case "ou", "uo":
		return true, true, name
	}
	return false, false, name
}

// orgNames builds a v2 organization's role and permissions: "org:" and
// rol (empty when rol is), and the permissions decoded as Clerk does: the
// org-scoped features of fea pair in order with the entries of fpm, each a
// decimal bit mask of any length over the comma-separated per list, least
// significant bit first. Feature f and permission p give "org:f:p". A mask
// that is not a decimal number grants nothing. The names share one string
// and the permissions one slice (nil for none): two allocations whatever
// their number.
func orgNames(rol, fea, per, fpm string) (string, []string) {
	var (
		stack   [512]byte
		endsBuf [16]int
	)
	b, ends := stack[:0], endsBuf[:0]
	if rol != "" {
		b = append(b, "org:"...)
		b = append(b, rol...)
	}
	roleEnd := len(b)
	if fea != "" && per != "" && fpm != "" {
		masks := fpm
		for rest := fea; rest != ""; {
			var entry string
			entry, rest, _ = strings.Cut(rest, ",")
			org, _, name := splitScope(entry)
			if !org {
				continue
			}
			if masks == "" {
				break
			}
			var m string
			m, masks, _ = strings.Cut(masks, ",")
			mask, ok := parseMask(strings.TrimSpace(m))
			if !ok {
				continue
			}
			j := 0
			for perms := per; perms != ""; j++ {
				var p string
				p, perms, _ = strings.Cut(perms, ",")
				if mask.has(j) {
					b = append(b, "org:"...)
					b = append(b, name...)
					b = append(b, ':')
					b = append(b, strings.TrimSpace(p)...)
					ends = append(ends, len(b))
				}
			}
		}
	}
	all := string(b)
	var out []string
	if len(ends) > 0 {
		out = make([]string, len(ends))
		start := roleEnd
		for i, end := range ends {
			out[i], start = all[start:end], end
		}
	}
	return all[:roleEnd], out
}

// bitMask is a decimal fpm mask: a uint64 when it fits, else a big.Int.
type bitMask struct {
	small uint64
	big   *big.Int
}

func (m bitMask) has(bit int) bool {
	if m.big != nil {
		return m.big.Bit(bit) == 1
	}
	return bit < 64 && m.small&(1<<uint(bit)) != 0
}

// parseMask parses a string of decimal digits of any length (up to 4096).
func parseMask(s string) (bitMask, bool) {
	if s == "" || len(s) > 4096 {
		return bitMask{}, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return bitMask{}, false
		}
	}
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return bitMask{small: n}, true
	}
	b, ok := new(big.Int).SetString(s, 10)
	return bitMask{big: b}, ok
}

// prefixOrg normalises a role or permission key as Clerk compares them:
// any number of leading "org:" becomes exactly one.
func prefixOrg(s string) string {
	for strings.HasPrefix(s, "org:") {
		s = s[len("org:"):]
	}
	return "org:" + s
}

// HasRole reports whether the session's active organization role is role
// (e.g. "org:admin"; a role given without the "org:" prefix is prefixed).
func (c *Claims) HasRole(role string) bool {
	if c == nil || c.Org == nil || c.Org.ID == "" || c.Org.Role == "" {
		return false
	}
	return prefixOrg(c.Org.Role) == prefixOrg(role)
}

// HasPermission reports whether the session holds the organization
// permission perm, e.g. "org:invoices:read" (the "org:" prefix is added
// when missing).
func (c *Claims) HasPermission(perm string) bool {
	if c == nil || c.Org == nil || c.Org.ID == "" {
		return false
	}
	want := prefixOrg(perm)
	for _, p := range c.Org.Permissions {
		if p == want {
			return true
		}
	}
	return false
}

// HasFeature reports whether the session has the feature, as Clerk's has()
// decides: "name" matches a user or organization feature; "org:name" (or
// "o:", "organization:") only an organization one; "user:name" (or "u:")
// only a user one. Any other scope matches nothing.
func (c *Claims) HasFeature(feature string) bool {
	return c != nil && hasScoped(c.Features, feature)
}

// HasPlan reports whether the session has the plan, with the same scoping
// rules as [Claims.HasFeature].
func (c *Claims) HasPlan(plan string) bool { return c != nil && hasScoped(c.Plans, plan) }

func hasScoped(claim, want string) bool {
	wantOrg, wantUser := true, true
	scope, id, scoped := strings.Cut(want, ":")
	if scoped {
		id, _, _ = strings.Cut(id, ":") // Clerk reads "a:b:c" as scope a, id b
		switch scope {
		case "o", "org", "organization":
			wantUser = false
		case "u", "user":
			wantOrg = false
		default:
			return false
		}
	} else {
		id = want
	}
	if id == "" || claim == "" {
		return false
	}
	for rest := claim; rest != ""; {
		var entry string
		entry, rest, _ = strings.Cut(rest, ",")
		org, user, name := splitScope(entry)
		if name == id && ((wantOrg && org) || (wantUser && user)) {
			return true
		}
	}
	return false
}

// Raw returns the token payload as JSON, with Clerk's claim names and any
// custom claims.
func (c *Claims) Raw() json.RawMessage {
	if c == nil {
		return nil
	}
	return json.RawMessage(c.raw)
}

// MarshalJSON renders the claims as the token carried them, with Clerk's
// claim names (sub, sid, azp, ...) and custom claims.
func (c *Claims) MarshalJSON() ([]byte, error) {
	if c == nil || c.raw == "" {
		return []byte("null"), nil
	}
	return []byte(c.raw), nil
}

// errNoClaims is the error of Decode on nil Claims.
var errNoClaims = errors.New("clerk: no claims to decode")

// Decode unmarshals the token payload into v, for custom session claims.
// Claim names match exactly, as in verification: a field tagged
// `json:"tier"` is not filled from a claim "Tier".
func (c *Claims) Decode(v any) error {
	if c == nil || c.raw == "" {
		return errNoClaims
	}
	return jsonv2.Unmarshal([]byte(c.raw), v)
}

// CustomClaims decodes the token payload into a value of type T, for custom
// session claims, with the rules of [Claims.Decode]:
//
//	type MyClaims struct{ Tier string `json:"tier"` }
//	mc, err := core.CustomClaims[MyClaims](claims)
func CustomClaims[T any](c *Claims) (T, error) {
	var v T
	err := c.Decode(&v)
	return v, err
}
