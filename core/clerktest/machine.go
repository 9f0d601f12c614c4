package clerktest

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// Machine token kinds: the [MachineToken.Kind] values, Clerk's TokenType
// names.
const (
	KindAPIKey     = "api_key"
	KindM2MToken   = "m2m_token"
	KindOAuthToken = "oauth_token"
)

// M2MTokenCategory is the "cat" header value of Clerk's M2M JWTs (session
// tokens carry [SessionTokenCategory]). OAuth JWT access tokens carry no
// "cat": Clerk tells them apart by their "typ" ("at+jwt").
const M2MTokenCategory = "cl_B7d4PD333AAA"

// OAuthJWTType is the "typ" header of OAuth JWT access tokens (RFC 9068).
const OAuthJWTType = "at+jwt"

// DefaultMachineJWTTTL is the lifetime of M2M and OAuth JWTs minted without
// a TTL (opaque machine tokens minted without a TTL never expire).
const DefaultMachineJWTTTL = time.Hour

// MachineTokenRevocationReason is the revocation_reason the verify
// endpoints report for a token revoked with [Server.RevokeMachineToken].
const MachineTokenRevocationReason = "Revoked by clerktest"

// Claims a Clerk M2M JWT always carries; custom claims of these names are
// dropped from M2M JWTs (and from what the verify endpoint reports).
var m2mReservedClaims = []string{"iss", "sub", "iat", "nbf", "exp", "jti", "scopes"}

// MachineTokenParams describes a machine token to mint. Zero fields take
// defaults.
type MachineTokenParams struct {
	// Subject is who the token acts for. API keys: a user_... or org_...
	// ID (default: the default user's ID, see [Server.DefaultUserID]); M2M
	// tokens: a mch_... machine ID (default [Server.MachineID]); OAuth
	// tokens: a user_... ID (default: the default user's ID). It is not
	// checked, so tests can mint tokens for odd subjects.
	Subject string
	// Name is the API key's name (API keys only; default "test-key").
	Name string
	// Scopes are the token's scopes (default none). For M2M tokens Clerk's
	// scopes are the mch_... IDs of the machines the token may reach.
	Scopes []string
	// Claims are custom claims (API keys and M2M tokens; ignored for OAuth
	// tokens). They must encode as JSON. An M2M JWT carries them at the top
	// level of its payload, except those named like its own claims (iss,
	// sub, iat, nbf, exp, jti, scopes), which are dropped.
	Claims map[string]any
	// ClientID is the OAuth application's client ID (OAuth tokens only;
	// default [Server.OAuthClientID]).
	ClientID string
	// TTL is the token's lifetime on the server's clock (negative: already
	// expired). Zero means never for opaque tokens and
	// [DefaultMachineJWTTTL] for the JWT forms.
	TTL time.Duration
}

// MachineToken is a minted machine token as the fake stores it.
//
// It prints (with every fmt verb and slog) without its Token, which is a
// credential.
type MachineToken struct {
	// Token is what the client sends: ak_..., mt_..., oat_... or a compact
	// JWT.
	Token string
	// ID is ak_, mt_ or oat_ followed by 32 hex characters (the spec's id
	// patterns); the jti of a JWT form.
	ID string
	// Kind is [KindAPIKey], [KindM2MToken] or [KindOAuthToken].
	Kind string
	// Subject is the user, organization or machine the token acts for.
	Subject string
	// ClientID is the OAuth application's client ID (OAuth tokens only).
	ClientID string
	// Name is the API key's name (API keys only).
	Name string
	// Scopes are the token's scopes (nil for none).
	Scopes []string
	// Claims are the custom claims as JSON decodes them (numbers are
	// float64); nil for none.
	Claims map[string]any
	// Expiration is when the token expires; zero means never. For a JWT
	// form it is the exp claim (whole seconds).
	Expiration time.Time
}

// String describes the token without its secret.
func (t MachineToken) String() string {
	return fmt.Sprintf("clerktest.MachineToken{Kind:%q, ID:%q, Subject:%q, Token:[redacted]}", t.Kind, t.ID, t.Subject)
}

// GoString is [MachineToken.String], for %#v.
func (t MachineToken) GoString() string { return t.String() }

// Format writes [MachineToken.String] for every verb, so that no verb
// prints the token.
func (t MachineToken) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(t.String())) }

// LogValue is the token as slog logs it: kind, ID and subject, not the
// token.
func (t MachineToken) LogValue() slog.Value {
	return slog.GroupValue(slog.String("kind", t.Kind), slog.String("id", t.ID), slog.String("subject", t.Subject))
}

// machineRecord is one stored machine token.
type machineRecord struct {
	tok        MachineToken // Claims nil: see claims
	claims     []byte       // canonical JSON of the custom claims; nil for none
	jwt        bool
	createdAt  time.Time
	updatedAt  time.Time
	lastUsedAt time.Time
	revoked    bool
}

// machineStore holds the machine tokens of a [Server]; its zero value is
// ready. Guarded by Server.mu.
type machineStore struct {
	machineID string
	clientID  string
	byToken   map[string]*machineRecord
	order     []*machineRecord
	machines  map[string]*machineEntry // by ID; see m2m.go
}

// idsLocked returns the machine ID and OAuth client ID, creating them on
// first use. s.mu must be held.
func (s *Server) idsLocked() (machineID, clientID string) {
	if s.machine.machineID == "" {
		s.machine.machineID = newID("mch_")
		s.machine.clientID = newID("client_")
	}
	return s.machine.machineID, s.machine.clientID
}

// MachineID returns the machine ID of this server, "mch_" followed by 27
// base62 characters: the default subject of M2M tokens. It is stable for the
// life of the server.
func (s *Server) MachineID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, _ := s.idsLocked()
	return id
}

// OAuthClientID returns the client ID of this server's OAuth application,
// "client_" followed by 27 base62 characters: the default client of OAuth
// tokens. It is stable for the life of the server.
func (s *Server) OAuthClientID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, id := s.idsLocked()
	return id
}

// encodeClaims returns the canonical JSON of claims (nil for none). It
// panics if they cannot be encoded.
func encodeClaims(claims map[string]any) []byte {
	if len(claims) == 0 {
		return nil
	}
	b, err := json.Marshal(claims)
	if err != nil {
		panic(fmt.Sprintf("clerktest: encode machine token claims: %v", err))
	}
	return b
}

// decodeClaims decodes canonical claims JSON into a fresh map (nil for
// none).
func decodeClaims(b []byte) map[string]any {
	if b == nil {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(fmt.Sprintf("clerktest: decode stored claims: %v", err)) // cannot happen: we encoded them
	}
	return m
}

// snapshot returns a copy of the stored token for callers. s.mu must be
// held.
func (r *machineRecord) snapshot() MachineToken {
	t := r.tok
	t.Scopes = slices.Clone(t.Scopes)
	t.Claims = decodeClaims(r.claims)
	return t
}

// storeLocked stores r and returns the caller's copy. s.mu must be held.
func (s *Server) storeLocked(r *machineRecord) MachineToken {
	if s.machine.byToken == nil {
		s.machine.byToken = make(map[string]*machineRecord)
	}
	s.machine.byToken[r.tok.Token] = r
	s.machine.order = append(s.machine.order, r)
	return r.snapshot()
}

func (s *Server) defaultSubjectLocked(kind string) string {
	if kind == KindM2MToken {
		id, _ := s.idsLocked()
		return id
	}
	if s.defaultUser == "" {
		return s.users.orphanID
	}
	return s.defaultUser
}

// mintOpaque stores and returns an opaque machine token of kind.
func (s *Server) mintOpaque(kind, prefix string, p MachineTokenParams) MachineToken {
	var claims []byte
	if kind != KindOAuthToken {
		claims = encodeClaims(p.Claims)
	}
	now := s.clock()
	r := &machineRecord{
		tok: MachineToken{
			// The secret is unrelated to the ID, as with Clerk.
			Token:   prefix + randomString(40),
			ID:      prefix + randomHex(16),
			Kind:    kind,
			Subject: p.Subject,
			Scopes:  slices.Clone(p.Scopes),
		},
		claims:    claims,
		createdAt: now,
		updatedAt: now,
	}
	if p.TTL != 0 {
		r.tok.Expiration = now.Add(p.TTL)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.tok.Subject == "" {
		r.tok.Subject = s.defaultSubjectLocked(kind)
	}
	switch kind {
	case KindAPIKey:
		r.tok.Name = p.Name
		if r.tok.Name == "" {
			r.tok.Name = "test-key"
		}
	case KindOAuthToken:
		r.tok.ClientID = p.ClientID
		if r.tok.ClientID == "" {
			_, r.tok.ClientID = s.idsLocked()
		}
	}
	return s.storeLocked(r)
}

// NewAPIKey mints an opaque API key, "ak_" followed by a random secret (not
// its ID), and stores it: [EndpointVerifyAPIKey] then answers for it with
// Clerk's APIKey object. The default subject is the default user. It panics
// if p.Claims cannot be encoded as JSON.
func (s *Server) NewAPIKey(p MachineTokenParams) MachineToken {
	return s.mintOpaque(KindAPIKey, "ak_", p)
}

// NewM2MToken mints an opaque machine-to-machine token, "mt_" followed by a
// random secret, and stores it: [EndpointVerifyM2MToken] then answers for
// it with Clerk's M2MToken object. The default subject is
// [Server.MachineID]. It panics if p.Claims cannot be encoded as JSON.
func (s *Server) NewM2MToken(p MachineTokenParams) MachineToken {
	return s.mintOpaque(KindM2MToken, "mt_", p)
}

// NewOAuthToken mints an opaque OAuth access token, "oat_" followed by a
// random secret, and stores it: [EndpointVerifyOAuthToken] then answers for
// it with Clerk's clerk_idp_oauth_access_token object. The default subject
// is the default user and the default client [Server.OAuthClientID];
// p.Claims and p.Name are ignored.
func (s *Server) NewOAuthToken(p MachineTokenParams) MachineToken {
	return s.mintOpaque(KindOAuthToken, "oat_", p)
}

// NewM2MJWT mints an M2M token in Clerk's JWT format, signed RS256 with the
// current key like [Server.Token], and stores it ([EndpointVerifyM2MToken]
// answers for it too):
//
//	header  {"alg":"RS256","cat":"cl_B7d4PD333AAA","kid":"<KeyID>","typ":"JWT"}
//	payload {"exp":iat+TTL,"iat":now,"iss":"<Issuer>","jti":"mt_<32 hex>",
//	         "nbf":iat-10,"scopes":"mch_a mch_b","sub":"mch_...", <custom claims>}
//
// "scopes" is Clerk's space-separated string, left out when there are no
// scopes; custom claims sit at the top level. The default lifetime is
// [DefaultMachineJWTTTL].
//
// TokenOptions apply on top, so tests can craft broken machine JWTs:
// [WithSubject], [WithIssuedAt], [WithTTL], [WithExpiry] and [WithNotBefore]
// change the claims and the stored record; [WithSigningKey], [WithHeader],
// [WithoutHeader], [WithClaim] and [WithoutClaim] change only the token
// (the stored ID, subject and expiration stay); the session options
// ([WithSessionID], [WithOrg], [WithActor], ...) add their claims only when
// given. It panics if a claim cannot be encoded as JSON.
func (s *Server) NewM2MJWT(p MachineTokenParams, opts ...TokenOption) MachineToken {
	return s.mintJWT(KindM2MToken, p, opts)
}

// NewOAuthJWT mints an OAuth access token in the JWT format of RFC 9068 as
// Clerk issues it, signed RS256 with the current key, and stores it
// ([EndpointVerifyOAuthToken] answers for it too):
//
//	header  {"alg":"RS256","kid":"<KeyID>","typ":"at+jwt"}
//	payload {"client_id":"client_...","exp":iat+TTL,"iat":now,"iss":"<Issuer>",
//	         "jti":"oat_<32 hex>","nbf":iat-10,"scp":["read","write"],"sub":"user_..."}
//
// There is no "cat" header: Clerk's OAuth JWTs carry none (its SDK tells
// them apart by "typ", at+jwt or application/at+jwt). Scopes are the JSON
// array "scp", left out when there are none; Clerk's SDK also reads a
// space-separated "scope" (craft it with WithoutClaim("scp") and
// WithClaim("scope", "read write")). p.Claims and p.Name are ignored. The
// default lifetime is [DefaultMachineJWTTTL]. TokenOptions apply on top as
// for [Server.NewM2MJWT].
func (s *Server) NewOAuthJWT(p MachineTokenParams, opts ...TokenOption) MachineToken {
	return s.mintJWT(KindOAuthToken, p, opts)
}

func (s *Server) mintJWT(kind string, p MachineTokenParams, opts []TokenOption) MachineToken {
	var t tokenSpec
	for _, o := range opts {
		o(&t)
	}
	var custom []byte
	if kind == KindM2MToken {
		custom = encodeClaims(p.Claims)
	}

	s.mu.Lock()
	cur := *s.current
	sub := p.Subject
	if sub == "" {
		sub = s.defaultSubjectLocked(kind)
	}
	clientID := p.ClientID
	if clientID == "" {
		_, clientID = s.idsLocked()
	}
	s.mu.Unlock()

	iat := t.iat
	if iat.IsZero() {
		iat = s.clock()
	}
	ttl := p.TTL
	if ttl == 0 {
		ttl = DefaultMachineJWTTTL
	}
	exp := iat.Add(ttl)
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
	if t.sub != nil {
		sub = *t.sub
	}

	payload := map[string]any{}
	h := map[string]any{"alg": "RS256", "kid": cur.kid}
	r := &machineRecord{
		jwt: true,
		tok: MachineToken{
			Kind:       kind,
			Subject:    sub,
			Scopes:     slices.Clone(p.Scopes),
			Expiration: time.Unix(exp.Unix(), 0),
		},
		createdAt: time.Unix(iat.Unix(), 0),
	}
	r.updatedAt = r.createdAt
	switch kind {
	case KindM2MToken:
		r.tok.ID = "mt_" + randomHex(16)
		h["cat"] = M2MTokenCategory
		h["typ"] = "JWT"
		if custom != nil {
			claims := decodeClaims(custom)
			for _, k := range m2mReservedClaims {
				delete(claims, k)
			}
			for k, v := range claims {
				payload[k] = v
			}
			r.claims = encodeClaims(claims)
		}
		if len(p.Scopes) > 0 {
			payload["scopes"] = strings.Join(p.Scopes, " ")
		}
	case KindOAuthToken:
		r.tok.ID = "oat_" + randomHex(16)
		r.tok.ClientID = clientID
		h["typ"] = OAuthJWTType
		payload["client_id"] = clientID
		if len(p.Scopes) > 0 {
			payload["scp"] = slices.Clone(p.Scopes)
		}
	}
	payload["iss"] = s.issuer
	payload["sub"] = sub
	payload["iat"] = iat.Unix()
	payload["nbf"] = nbf.Unix()
	payload["exp"] = exp.Unix()
	payload["jti"] = r.tok.ID
	addSessionClaims(payload, &t)

	key := cur.key
	if t.key != nil {
		key = t.key
	}
	if t.kid != nil {
		h["kid"] = *t.kid
	}
	for _, e := range t.edits {
		e(h, payload)
	}
	r.tok.Token = signMaps(key, h, payload)

	s.mu.Lock()
	defer s.mu.Unlock()
	return s.storeLocked(r)
}

// addSessionClaims sets the claims of the session-token options that were
// given explicitly, over the defaults already in p (a session token's, or
// none for a machine JWT).
func addSessionClaims(p map[string]any, t *tokenSpec) {
	if t.sid != nil {
		p["sid"] = *t.sid
	}
	if t.azp != nil {
		p["azp"] = *t.azp
	}
	if t.sts != nil {
		p["sts"] = *t.sts
	}
	if t.version != nil {
		if *t.version == 1 {
			delete(p, "v") // version 1 has no "v" claim
		} else {
			p["v"] = *t.version
		}
	}
	if t.fva != nil {
		p["fva"] = []int{t.fva[0], t.fva[1]}
	}
	if t.fea != nil {
		p["fea"] = *t.fea
	}
	if t.pla != nil {
		p["pla"] = *t.pla
	}
	if t.act != nil {
		p["act"] = t.act
	}
	if t.org != nil {
		setOrgV2(p, t.org)
	}
	if t.orgV1 != nil {
		role := t.orgV1.role
		if role != "" && !strings.HasPrefix(role, "org:") {
			role = "org:" + role
		}
		perms := t.orgV1.keys
		if perms == nil {
			perms = []string{}
		}
		p["org_id"] = t.orgV1.id
		p["org_slug"] = t.orgV1.slug
		p["org_role"] = role
		p["org_permissions"] = perms
	}
}

// RevokeMachineToken revokes a minted machine token (opaque or JWT): the
// verify endpoints then answer 200 with "revoked": true and revocation_reason
// [MachineTokenRevocationReason], and updated_at becomes now. It reports
// false for a token the fake did not mint. A revoked JWT still verifies
// locally against the JWKS, as with Clerk.
func (s *Server) RevokeMachineToken(token string) bool {
	now := s.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.machine.byToken[token]
	if r == nil {
		return false
	}
	r.revoked = true
	r.updatedAt = now
	return true
}

// ExpireMachineToken sets a minted machine token's expiration to now on the
// server's clock, so that the verify endpoints report it expired. It reports
// false for a token the fake did not mint. The exp claim of a JWT form does
// not change (the token is already signed): only the fake's answers do.
func (s *Server) ExpireMachineToken(token string) bool {
	now := s.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.machine.byToken[token]
	if r == nil {
		return false
	}
	r.tok.Expiration = now
	return true
}

// MachineTokens returns copies of the machine tokens the fake stores, in the
// order they were minted.
func (s *Server) MachineTokens() []MachineToken {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]MachineToken, len(s.machine.order))
	for i, r := range s.machine.order {
		out[i] = r.snapshot()
	}
	return out
}
