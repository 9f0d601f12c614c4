package core

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// Claims is a verified Clerk session token. Values returned by this package
// are shared between requests (see the token cache): treat them as read-only.
//
// Organization data of both token versions (v1 claims org_id, org_role, ...;
// v2 claims under "o" with feature-gated permissions) is normalised into Org.
// Custom session claims are reachable with [Claims.Decode] and [CustomClaims].
type Claims struct {
	// SessionID is the sid claim.
	SessionID string
	// Subject is the sub claim: the Clerk user id.
	Subject string
	// AuthorizedParty is the azp claim: the origin the token was made for.
	AuthorizedParty string
	// Issuer is the iss claim: the instance's Frontend API URL.
	Issuer string
	// Expiry, IssuedAt and NotBefore are the exp, iat and nbf claims; the
	// zero time when absent.
	Expiry, IssuedAt, NotBefore time.Time
	// Version is the v claim: 2 for the current token format, 0 or 1 before.
	Version int
	// FactorAge holds the fva claim: minutes since the first and second
	// factor verification, -1 for never. Nil when the token has no fva.
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

// payload is the JSON of a Clerk session token, as decoded by
// decodePayload. Presence flags tell absent (or null) from zero.
type payload struct {
	sub                     string
	hasSub                  bool
	exp, iat, nbf           float64
	hasExp, hasIat, hasNbf  bool
	sid, azp, iss, sts      string
	fea, pla                string
	v                       int
	fva                     []int
	act                     *Actor
	o                       *orgClaim
	orgID, orgSlug, orgRole string
	orgPerms                []string
}

// orgClaim is the v2 organization claim "o".
type orgClaim struct{ id, slg, rol, per, fpm string }

var errBadNumber = errors.New("numeric date out of range")

// decodePayload decodes the claims this package models; other claims are
// validated and skipped. A claim of the wrong JSON type is an error.
func decodePayload(raw string) (*payload, error) {
	p := new(payload)
	r := jsonReader{s: raw}
	err := r.object(func(key string) (err error) {
		switch key {
		case "sub":
			if p.hasSub = !r.null(); p.hasSub {
				err = r.str(&p.sub)
			}
		case "exp":
			p.exp, p.hasExp, err = r.float()
		case "iat":
			p.iat, p.hasIat, err = r.float()
		case "nbf":
			p.nbf, p.hasNbf, err = r.float()
		case "sid":
			err = r.str(&p.sid)
		case "azp":
			err = r.str(&p.azp)
		case "iss":
			err = r.str(&p.iss)
		case "sts":
			err = r.str(&p.sts)
		case "fea":
			err = r.str(&p.fea)
		case "pla":
			err = r.str(&p.pla)
		case "v":
			err = r.int(&p.v)
		case "fva":
			p.fva = nil
			if !r.null() {
				p.fva = make([]int, 0, 2)
				err = r.array(func() error {
					var n int
					err := r.int(&n)
					p.fva = append(p.fva, n)
					return err
				})
			}
		case "act":
			p.act = nil
			if !r.null() {
				p.act = new(Actor)
				err = r.object(func(k string) error {
					switch k {
					case "sub":
						return r.str(&p.act.Subject)
					case "type":
						return r.str(&p.act.Type)
					case "iss":
						return r.str(&p.act.Issuer)
					case "sid":
						return r.str(&p.act.SessionID)
					}
					return r.skip()
				})
			}
		case "o":
			p.o = nil
			if !r.null() {
				p.o = new(orgClaim)
				err = r.object(func(k string) error {
					switch k {
					case "id":
						return r.str(&p.o.id)
					case "slg":
						return r.str(&p.o.slg)
					case "rol":
						return r.str(&p.o.rol)
					case "per":
						return r.str(&p.o.per)
					case "fpm":
						return r.str(&p.o.fpm)
					}
					return r.skip()
				})
			}
		case "org_id":
			err = r.str(&p.orgID)
		case "org_slug":
			err = r.str(&p.orgSlug)
		case "org_role":
			err = r.str(&p.orgRole)
		case "org_permissions":
			p.orgPerms = nil
			if !r.null() {
				err = r.array(func() error {
					var s string
					err := r.str(&s)
					p.orgPerms = append(p.orgPerms, s)
					return err
				})
			}
		default:
			err = r.skip()
		}
		return err
	})
	if err == nil {
		err = r.end()
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// parseClaims decodes a token payload into Claims. It checks JSON types and
// presence only; time and party rules are applied by the verifier.
func parseClaims(raw string) (*Claims, Reason, error) {
	p, err := decodePayload(raw)
	if err != nil {
		return nil, ReasonTokenMalformed, err
	}
	if !p.hasSub || p.sub == "" {
		return nil, ReasonTokenInvalidSubject, nil
	}
	if !p.hasExp {
		return nil, ReasonTokenMissingExpiry, nil
	}
	c := &Claims{
		SessionID:       p.sid,
		Subject:         p.sub,
		AuthorizedParty: p.azp,
		Issuer:          p.iss,
		Version:         p.v,
		Status:          p.sts,
		Actor:           p.act,
		Features:        p.fea,
		Plans:           p.pla,
		raw:             raw,
	}
	var ok bool
	if c.Expiry, ok = numericDate(p.exp, p.hasExp); !ok {
		return nil, ReasonTokenMissingExpiry, errBadNumber
	}
	if c.IssuedAt, ok = numericDate(p.iat, p.hasIat); !ok {
		return nil, ReasonTokenMalformed, errBadNumber
	}
	if c.NotBefore, ok = numericDate(p.nbf, p.hasNbf); !ok {
		return nil, ReasonTokenMalformed, errBadNumber
	}
	if len(p.fva) == 2 {
		c.FactorAge = &FactorAge{First: p.fva[0], Second: p.fva[1]}
	}
	switch {
	case p.o != nil && p.o.id != "":
		c.Org = &Organization{
			ID:          p.o.id,
			Slug:        p.o.slg,
			Role:        orgPrefixed(p.o.rol),
			Permissions: orgPermissions(p.fea, p.o.per, p.o.fpm),
		}
	case p.orgID != "":
		c.Org = &Organization{ID: p.orgID, Slug: p.orgSlug, Role: p.orgRole, Permissions: p.orgPerms}
	}
	return c, "", nil
}

// numericDate converts a JWT NumericDate; absent is the zero time.
func numericDate(v float64, present bool) (time.Time, bool) {
	if !present {
		return time.Time{}, true
	}
	if math.IsNaN(v) || v < 0 || v > 1<<40 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(v)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

func orgPrefixed(role string) string {
	if role == "" || strings.HasPrefix(role, "org:") {
		return role
	}
	return "org:" + role
}

// orgPermissions decodes v2 permissions: fea lists scoped features; the
// org-scoped ones (scope containing "o") pair in order with the entries of
// fpm, each a decimal bit mask over the comma-separated per list, least
// significant bit first. Feature f and permission p give "org:f:p".
func orgPermissions(fea, per, fpm string) []string {
	if fea == "" || per == "" || fpm == "" {
		return nil
	}
	perms := strings.Split(per, ",")
	masks := strings.Split(fpm, ",")
	var out []string
	i := 0
	for _, f := range strings.Split(fea, ",") {
		scope, name, ok := strings.Cut(strings.TrimSpace(f), ":")
		if !ok || !strings.Contains(scope, "o") {
			continue
		}
		if i >= len(masks) {
			break
		}
		mask, err := strconv.ParseUint(strings.TrimSpace(masks[i]), 10, 64)
		i++
		if err != nil {
			continue
		}
		for j, p := range perms {
			if j < 64 && mask&(1<<uint(j)) != 0 {
				out = append(out, "org:"+name+":"+strings.TrimSpace(p))
			}
		}
	}
	return out
}

// HasRole reports whether the session's active organization role is role
// (e.g. "org:admin"; a role given without the "org:" prefix is prefixed).
func (c *Claims) HasRole(role string) bool {
	return c.Org != nil && c.Org.Role != "" && c.Org.Role == orgPrefixed(role)
}

// HasPermission reports whether the session holds the organization
// permission perm, e.g. "org:invoices:read".
func (c *Claims) HasPermission(perm string) bool {
	if c.Org == nil {
		return false
	}
	for _, p := range c.Org.Permissions {
		if p == perm {
			return true
		}
	}
	return false
}

// HasFeature reports whether the session has the feature: "name" matches a
// user or organization feature, "user:name" and "org:name" only that scope.
func (c *Claims) HasFeature(feature string) bool { return hasScoped(c.Features, feature) }

// HasPlan reports whether the session has the plan, with the same scoping
// rules as [Claims.HasFeature].
func (c *Claims) HasPlan(plan string) bool { return hasScoped(c.Plans, plan) }

func hasScoped(claim, want string) bool {
	scope, id, scoped := strings.Cut(want, ":")
	if !scoped {
		scope, id = "", want
	}
	if id == "" {
		return false
	}
	for _, entry := range strings.Split(claim, ",") {
		s, name, ok := strings.Cut(strings.TrimSpace(entry), ":")
		if !ok || name != id {
			continue
		}
		switch scope {
		case "org":
			if strings.Contains(s, "o") {
				return true
			}
		case "user":
			if strings.Contains(s, "u") {
				return true
			}
		case "":
			if strings.ContainsAny(s, "ou") {
				return true
			}
		}
	}
	return false
}

// Raw returns the token payload as JSON, with Clerk's claim names and any
// custom claims.
func (c *Claims) Raw() json.RawMessage { return json.RawMessage(c.raw) }

// MarshalJSON renders the claims as the token carried them, with Clerk's
// claim names (sub, sid, azp, ...) and custom claims.
func (c *Claims) MarshalJSON() ([]byte, error) {
	if c.raw == "" {
		return []byte("null"), nil
	}
	return []byte(c.raw), nil
}

// Decode unmarshals the token payload into v, for custom session claims.
func (c *Claims) Decode(v any) error { return json.Unmarshal([]byte(c.raw), v) }

// CustomClaims decodes the token payload into a value of type T, for custom
// session claims:
//
//	type MyClaims struct{ Tier string `json:"tier"` }
//	mc, err := core.CustomClaims[MyClaims](claims)
func CustomClaims[T any](c *Claims) (T, error) {
	var v T
	err := c.Decode(&v)
	return v, err
}
