package clerktest

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// Default lifetimes of minted tokens, as Clerk's session tokens: exp is 60 s
// after iat and nbf 10 s before it.
const (
	DefaultTokenTTL  = 60 * time.Second
	DefaultNotBefore = 10 * time.Second
)

// TokenOption customizes a token minted by [Server.Token].
type TokenOption func(*tokenSpec)

type orgSpec struct {
	id, slug, role string
	per            []string // v2 permission names
	fpm            []uint64
	fpmRaw         *string
	keys           []string // full permission keys (WithOrgMembership)
}

type tokenSpec struct {
	iat      time.Time
	exp, nbf *time.Time
	ttl      *time.Duration
	sub      *string
	sid      *string
	azp      *string
	sts      *string
	version  *int
	fva      *[2]int
	fea, pla *string
	act      map[string]any
	org      *orgSpec
	orgV1    *orgSpec
	key      *rsa.PrivateKey
	kid      *string
	edits    []func(header, payload map[string]any)
}

// WithSubject sets "sub" (default: the default user's ID, see
// [Server.DefaultUser]).
func WithSubject(sub string) TokenOption { return func(t *tokenSpec) { t.sub = &sub } }

// WithSessionID sets "sid" (default [Server.SessionID]).
func WithSessionID(sid string) TokenOption { return func(t *tokenSpec) { t.sid = &sid } }

// WithAuthorizedPartyClaim sets "azp" for this token (default
// [Server.AuthorizedParty]); remove it with WithoutClaim("azp").
func WithAuthorizedPartyClaim(azp string) TokenOption {
	return func(t *tokenSpec) { t.azp = &azp }
}

// WithIssuedAt sets "iat". Unless set explicitly, exp is iat+60s and nbf is
// iat-10s. The default is the server's clock.
func WithIssuedAt(iat time.Time) TokenOption { return func(t *tokenSpec) { t.iat = iat } }

// WithExpiry sets "exp" to an absolute time.
func WithExpiry(exp time.Time) TokenOption { return func(t *tokenSpec) { t.exp = &exp } }

// WithTTL sets "exp" to iat+ttl (negative for an already expired token).
func WithTTL(ttl time.Duration) TokenOption { return func(t *tokenSpec) { t.ttl = &ttl } }

// WithNotBefore sets "nbf" to an absolute time.
func WithNotBefore(nbf time.Time) TokenOption { return func(t *tokenSpec) { t.nbf = &nbf } }

// WithStatus sets the session status "sts" (default "active"; Clerk uses
// "pending" for sessions with outstanding tasks).
func WithStatus(sts string) TokenOption { return func(t *tokenSpec) { t.sts = &sts } }

// WithVersion sets the claims version "v" (default 2). Version 1 leaves "v"
// out, as Clerk's v1 tokens do; the other claims are unchanged (pair it with
// [WithOrgV1] for v1 organization claims).
func WithVersion(v int) TokenOption { return func(t *tokenSpec) { t.version = &v } }

// WithFactorAge sets "fva": minutes since the first and second factor were
// verified, -1 meaning never (default [0,-1]). Remove it with
// WithoutClaim("fva").
func WithFactorAge(first, second int) TokenOption {
	return func(t *tokenSpec) { t.fva = &[2]int{first, second} }
}

// WithFeatures sets the raw "fea" claim, e.g. "o:articles,u:premium".
func WithFeatures(fea string) TokenOption { return func(t *tokenSpec) { t.fea = &fea } }

// WithPlans sets the raw "pla" claim, e.g. "u:free,o:pro".
func WithPlans(pla string) TokenOption { return func(t *tokenSpec) { t.pla = &pla } }

// WithActor sets the actor claim "act" of an impersonation session:
// {"sub":sub,"type":typ}, leaving "type" out when typ is empty. Use
// WithClaim("act", ...) for any other shape.
func WithActor(sub, typ string) TokenOption {
	return func(t *tokenSpec) {
		t.act = map[string]any{"sub": sub}
		if typ != "" {
			t.act["type"] = typ
		}
	}
}

// WithOrg sets the v2 organization claim "o" verbatim:
// {"id":id,"slg":slug,"rol":role,"per":"p1,p2","fpm":"m1,m2"}. A role's "org:"
// prefix is dropped, as in Clerk's v2 tokens ("org:admin" becomes "admin").
// "per" and "fpm" are left out when permissions and fpm are empty. The caller
// sets "fea" (see [WithFeatures]); [WithOrgMembership] derives it instead.
func WithOrg(id, slug, role string, permissions []string, fpm ...uint64) TokenOption {
	return func(t *tokenSpec) {
		t.org = &orgSpec{id: id, slug: slug, role: role, per: slices.Clone(permissions), fpm: slices.Clone(fpm)}
	}
}

// WithOrgFPM is [WithOrg] with a raw "fpm" string (e.g. a malformed one).
func WithOrgFPM(id, slug, role string, permissions []string, fpm string) TokenOption {
	return func(t *tokenSpec) {
		t.org = &orgSpec{id: id, slug: slug, role: role, per: slices.Clone(permissions), fpmRaw: &fpm}
	}
}

// WithOrgMembership sets the v2 organization claim "o" from full permission
// keys "org:<feature>:<permission>", computing what Clerk computes: "per"
// lists the distinct permission names in order of first appearance, every
// feature is added to "fea" as "o:<feature>" (after the features of
// [WithFeatures], unless already present as an org-scoped feature), and "fpm"
// holds, for each org-scoped feature of the final "fea" in order, the bit
// mask of its permissions over "per" (least significant bit first). For
// example, keys org:articles:read, org:articles:manage, org:billing:read give
// per "read,manage", fea "o:articles,o:billing" and fpm "3,1".
// It panics on a key that is not of that form.
func WithOrgMembership(id, slug, role string, permissionKeys ...string) TokenOption {
	for _, k := range permissionKeys {
		if _, _, ok := splitPermissionKey(k); !ok {
			panic(fmt.Sprintf("clerktest: permission key %q is not org:<feature>:<permission>", k))
		}
	}
	return func(t *tokenSpec) {
		t.org = &orgSpec{id: id, slug: slug, role: role, keys: slices.Clone(permissionKeys)}
	}
}

// WithOrgV1 sets the v1 organization claims org_id, org_slug, org_role (with
// an "org:" prefix added when missing) and org_permissions (the full
// permission keys, as a JSON array).
func WithOrgV1(id, slug, role string, permissionKeys ...string) TokenOption {
	return func(t *tokenSpec) {
		t.orgV1 = &orgSpec{id: id, slug: slug, role: role, keys: slices.Clone(permissionKeys)}
	}
}

// WithClaim sets payload claim key to value after every other option has
// been applied, overriding anything, with any type (a string "exp", a
// negative "iat", a nested object...).
func WithClaim(key string, value any) TokenOption {
	return func(t *tokenSpec) {
		t.edits = append(t.edits, func(_, p map[string]any) { p[key] = value })
	}
}

// WithoutClaim removes payload claim key (e.g. "exp" or "sub").
func WithoutClaim(key string) TokenOption {
	return func(t *tokenSpec) {
		t.edits = append(t.edits, func(_, p map[string]any) { delete(p, key) })
	}
}

// WithHeader sets JOSE header key to value (e.g. "alg":"none", a "crit"
// list, the "cat" of a JWT template, a "typ" other than JWT). The signature
// is RS256 whatever the header says.
func WithHeader(key string, value any) TokenOption {
	return func(t *tokenSpec) {
		t.edits = append(t.edits, func(h, _ map[string]any) { h[key] = value })
	}
}

// WithoutHeader removes JOSE header key (e.g. "kid" or "alg").
func WithoutHeader(key string) TokenOption {
	return func(t *tokenSpec) {
		t.edits = append(t.edits, func(h, _ map[string]any) { delete(h, key) })
	}
}

// WithSigningKey signs the token with key and puts kid in the header
// (keeping the current kid when kid is empty): a key the JWKS does not serve,
// or the right kid with the wrong key.
func WithSigningKey(key *rsa.PrivateKey, kid string) TokenOption {
	return func(t *tokenSpec) {
		t.key = key
		if kid != "" {
			t.kid = &kid
		}
	}
}

// Token mints a session token shaped exactly like Clerk's (v2):
//
//	header  {"alg":"RS256","cat":"cl_B7d4PD111AAA","kid":"<KeyID>","typ":"JWT"}
//	payload {"azp":"http://localhost:3000","exp":iat+60,"fva":[0,-1],"iat":now,
//	         "iss":"<Issuer>","jti":"<random>","nbf":iat-10,"sid":"sess_...",
//	         "sts":"active","sub":"user_...","v":2}
//
// signed RS256 with the current key. By default sub is the default user's
// ID (so the token refers to a stored user) and sid is [Server.SessionID].
// Options add or change claims; it panics if a claim cannot be encoded as
// JSON.
func (s *Server) Token(opts ...TokenOption) string {
	var t tokenSpec
	for _, o := range opts {
		o(&t)
	}
	s.mu.Lock()
	cur := *s.current
	sub := s.defaultUser
	if sub == "" {
		sub = s.users.orphanID
	}
	s.mu.Unlock()

	iat := t.iat
	if iat.IsZero() {
		iat = s.clock()
	}
	exp := iat.Add(DefaultTokenTTL)
	if t.ttl != nil {
		exp = iat.Add(*t.ttl)
	}
	if t.exp != nil {
		exp = *t.exp
	}
	nbf := iat.Add(-DefaultNotBefore)
	if t.nbf != nil {
		nbf = *t.nbf
	}
	p := map[string]any{
		"exp": exp.Unix(),
		"fva": []int{0, -1},
		"iat": iat.Unix(),
		"iss": s.issuer,
		"jti": randomHex(10),
		"nbf": nbf.Unix(),
		"sid": s.sessionID,
		"sts": "active",
		"sub": sub,
		"v":   2,
	}
	if s.azp != "" {
		p["azp"] = s.azp
	}
	if t.azp != nil {
		p["azp"] = *t.azp
	}
	if t.sub != nil {
		p["sub"] = *t.sub
	}
	addSessionClaims(p, &t)

	h := map[string]any{
		"alg": "RS256",
		"cat": SessionTokenCategory,
		"kid": cur.kid,
		"typ": "JWT",
	}
	key := cur.key
	if t.key != nil {
		key = t.key
	}
	if t.kid != nil {
		h["kid"] = *t.kid
	}
	for _, e := range t.edits {
		e(h, p)
	}
	return signMaps(key, h, p)
}

func splitPermissionKey(k string) (feature, perm string, ok bool) {
	parts := strings.Split(k, ":")
	if len(parts) != 3 || parts[0] != "org" || parts[1] == "" || parts[2] == "" {
		return "", "", false
	}
	return parts[1], parts[2], true
}

// isOrgScope reports whether a "fea" scope is org-scoped: Clerk treats every
// scope containing "o" ("o", "uo", "ou") as such.
func isOrgScope(scope string) bool { return strings.Contains(scope, "o") }

func setOrgV2(p map[string]any, org *orgSpec) {
	o := map[string]any{"id": org.id, "slg": org.slug, "rol": strings.TrimPrefix(org.role, "org:")}
	switch {
	case org.keys != nil:
		var per []string
		masks := map[string]uint64{} // feature -> mask
		var features []string
		for _, k := range org.keys {
			f, perm, _ := splitPermissionKey(k)
			i := slices.Index(per, perm)
			if i < 0 {
				per = append(per, perm)
				i = len(per) - 1
			}
			if _, ok := masks[f]; !ok {
				features = append(features, f)
			}
			masks[f] |= 1 << uint(i)
		}
		var fea []string
		if s, ok := p["fea"].(string); ok && s != "" {
			fea = strings.Split(s, ",")
		}
		present := map[string]bool{}
		for _, item := range fea {
			if scope, name, ok := strings.Cut(strings.TrimSpace(item), ":"); ok && isOrgScope(scope) {
				present[name] = true
			}
		}
		for _, f := range features {
			if !present[f] {
				fea = append(fea, "o:"+f)
				present[f] = true
			}
		}
		var fpm []string
		for _, item := range fea {
			if scope, name, ok := strings.Cut(strings.TrimSpace(item), ":"); ok && isOrgScope(scope) {
				fpm = append(fpm, strconv.FormatUint(masks[name], 10))
			}
		}
		if len(fea) > 0 {
			p["fea"] = strings.Join(fea, ",")
		}
		if len(per) > 0 {
			o["per"] = strings.Join(per, ",")
			o["fpm"] = strings.Join(fpm, ",")
		}
	default:
		if len(org.per) > 0 {
			o["per"] = strings.Join(org.per, ",")
		}
		if org.fpmRaw != nil {
			o["fpm"] = *org.fpmRaw
		} else if len(org.fpm) > 0 {
			ms := make([]string, len(org.fpm))
			for i, m := range org.fpm {
				ms[i] = strconv.FormatUint(m, 10)
			}
			o["fpm"] = strings.Join(ms, ",")
		}
	}
	p["o"] = o
}

// Sign JSON-encodes header and payload as given (nothing added) and signs
// them RS256 with the current key, returning a compact JWS. Tests craft
// attacks with it. It panics if either cannot be encoded as JSON.
func (s *Server) Sign(header, payload map[string]any) string {
	return signMaps(s.PrivateKey(), header, payload)
}

// SignWith is [Server.Sign] with another key.
func SignWith(key *rsa.PrivateKey, header, payload map[string]any) string {
	return signMaps(key, header, payload)
}

// SignRaw signs the given header and payload bytes verbatim (duplicate keys,
// non-object payloads, anything) RS256 with the current key and returns
// base64url(header) + "." + base64url(payload) + "." + base64url(signature).
func (s *Server) SignRaw(header, payload []byte) string {
	return signRaw(s.PrivateKey(), header, payload)
}

func signMaps(key *rsa.PrivateKey, header, payload map[string]any) string {
	hb, err := json.Marshal(header)
	if err != nil {
		panic(fmt.Sprintf("clerktest: encode token header: %v", err))
	}
	pb, err := json.Marshal(payload)
	if err != nil {
		panic(fmt.Sprintf("clerktest: encode token payload: %v", err))
	}
	return signRaw(key, hb, pb)
}

// signRaw signs header and payload as given, RS256, with jwx's signer: the
// header is not derived from the key, so tests can put anything in it.
func signRaw(key *rsa.PrivateKey, header, payload []byte) string {
	signing := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	signer, err := jws.SignerFor(jwa.RS256())
	if err != nil {
		panic(fmt.Sprintf("clerktest: RS256 signer: %v", err))
	}
	sig, err := signer.Sign(key, []byte(signing))
	if err != nil {
		panic(fmt.Sprintf("clerktest: sign token: %v", err))
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}
