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

	raw []byte // the decoded payload JSON
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

// payload mirrors the JSON of a Clerk session token. Pointer and typed fields
// let decoding reject wrong types (a string exp) and tell absent from zero.
type payload struct {
	Sub *string  `json:"sub"`
	Exp *float64 `json:"exp"`
	Iat *float64 `json:"iat"`
	Nbf *float64 `json:"nbf"`
	Sid string   `json:"sid"`
	Azp string   `json:"azp"`
	Iss string   `json:"iss"`
	V   int      `json:"v"`
	Fva []int    `json:"fva"`
	Sts string   `json:"sts"`
	Act *Actor   `json:"act"`
	O   *struct {
		ID  string `json:"id"`
		Slg string `json:"slg"`
		Rol string `json:"rol"`
		Per string `json:"per"`
		Fpm string `json:"fpm"`
	} `json:"o"`
	Fea            string   `json:"fea"`
	Pla            string   `json:"pla"`
	OrgID          string   `json:"org_id"`
	OrgSlug        string   `json:"org_slug"`
	OrgRole        string   `json:"org_role"`
	OrgPermissions []string `json:"org_permissions"`
}

var errBadNumber = errors.New("numeric date out of range")

// parseClaims decodes a token payload into Claims. It checks JSON types and
// presence only; time and party rules are applied by the verifier.
func parseClaims(raw []byte) (*Claims, Reason, error) {
	var p payload
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, ReasonTokenMalformed, err
	}
	if p.Sub == nil || *p.Sub == "" {
		return nil, ReasonTokenInvalidSubject, nil
	}
	if p.Exp == nil {
		return nil, ReasonTokenMissingExpiry, nil
	}
	c := &Claims{
		SessionID:       p.Sid,
		Subject:         *p.Sub,
		AuthorizedParty: p.Azp,
		Issuer:          p.Iss,
		Version:         p.V,
		Status:          p.Sts,
		Actor:           p.Act,
		Features:        p.Fea,
		Plans:           p.Pla,
		raw:             raw,
	}
	var ok bool
	if c.Expiry, ok = numericDate(p.Exp); !ok {
		return nil, ReasonTokenMissingExpiry, errBadNumber
	}
	if c.IssuedAt, ok = numericDate(p.Iat); !ok {
		return nil, ReasonTokenMalformed, errBadNumber
	}
	if c.NotBefore, ok = numericDate(p.Nbf); !ok {
		return nil, ReasonTokenMalformed, errBadNumber
	}
	if len(p.Fva) == 2 {
		c.FactorAge = &FactorAge{First: p.Fva[0], Second: p.Fva[1]}
	}
	switch {
	case p.O != nil && p.O.ID != "":
		c.Org = &Organization{
			ID:          p.O.ID,
			Slug:        p.O.Slg,
			Role:        orgPrefixed(p.O.Rol),
			Permissions: orgPermissions(p.Fea, p.O.Per, p.O.Fpm),
		}
	case p.OrgID != "":
		c.Org = &Organization{ID: p.OrgID, Slug: p.OrgSlug, Role: p.OrgRole, Permissions: p.OrgPermissions}
	}
	return c, "", nil
}

// numericDate converts a JWT NumericDate; absent is the zero time.
func numericDate(f *float64) (time.Time, bool) {
	if f == nil {
		return time.Time{}, true
	}
	v := *f
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
// custom claims. The slice must not be modified.
func (c *Claims) Raw() json.RawMessage { return c.raw }

// MarshalJSON renders the claims as the token carried them, with Clerk's
// claim names (sub, sid, azp, ...) and custom claims.
func (c *Claims) MarshalJSON() ([]byte, error) {
	if c.raw == nil {
		return []byte("null"), nil
	}
	return c.raw, nil
}

// Decode unmarshals the token payload into v, for custom session claims.
func (c *Claims) Decode(v any) error { return json.Unmarshal(c.raw, v) }

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
