package clerktest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/clerkgo/clerk/core/bapi"
)

// machineT0 has milliseconds, so that the tests see whether timestamps are
// milliseconds (opaque tokens) or whole seconds (JWT forms).
var machineT0 = time.Date(2026, 5, 12, 12, 0, 0, 250_000_000, time.UTC)

// testClock is a settable clock for [WithClock].
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock { return &testClock{now: machineT0} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// machineForm is one way to mint a machine token.
type machineForm struct {
	name     string
	kind     string
	jwt      bool
	endpoint string
	prefix   string // of the ID (and of an opaque token)
	mint     func(s *Server, p MachineTokenParams, opts ...TokenOption) MachineToken
}

var machineForms = []machineForm{
	{"api_key", KindAPIKey, false, EndpointVerifyAPIKey, "ak_",
		func(s *Server, p MachineTokenParams, _ ...TokenOption) MachineToken { return s.NewAPIKey(p) }},
	{"m2m_opaque", KindM2MToken, false, EndpointVerifyM2MToken, "mt_",
		func(s *Server, p MachineTokenParams, _ ...TokenOption) MachineToken { return s.NewM2MToken(p) }},
	{"m2m_jwt", KindM2MToken, true, EndpointVerifyM2MToken, "mt_",
		func(s *Server, p MachineTokenParams, o ...TokenOption) MachineToken { return s.NewM2MJWT(p, o...) }},
	{"oauth_opaque", KindOAuthToken, false, EndpointVerifyOAuthToken, "oat_",
		func(s *Server, p MachineTokenParams, _ ...TokenOption) MachineToken { return s.NewOAuthToken(p) }},
	{"oauth_jwt", KindOAuthToken, true, EndpointVerifyOAuthToken, "oat_",
		func(s *Server, p MachineTokenParams, o ...TokenOption) MachineToken { return s.NewOAuthJWT(p, o...) }},
}

// verified is what a verify endpoint answered, through bapi's models.
type verified struct {
	Object, ID, Type, Subject, Name, ClientID string
	Description, CreatedBy                    *string
	Claims                                    any
	Scopes                                    []string
	Revoked                                   bool
	RevocationReason                          *string
	Expired                                   bool
	Expiration, LastUsedAt                    *float64
	CreatedAt, UpdatedAt                      float64
	Active                                    bool // OAuth only
}

func newBAPI(t *testing.T, s *Server) *bapi.Client {
	t.Helper()
	c, err := bapi.NewClient(s.SecretKey(), bapi.WithBaseURL(s.URL), bapi.WithHTTPClient(s.Client()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// bapiVerify calls the verify operation of endpoint with bapi's client.
func bapiVerify(ctx context.Context, c *bapi.Client, endpoint, token string) (verified, error) {
	switch endpoint {
	case EndpointVerifyAPIKey:
		k, _, err := c.APIKeys.Verify(ctx, &bapi.VerifyAPIKeyParams{Secret: token})
		if err != nil {
			return verified{}, err
		}
		return verified{Object: k.Object, ID: k.ID, Type: k.Type, Subject: k.Subject, Name: k.Name,
			Description: k.Description, CreatedBy: k.CreatedBy, Claims: k.Claims, Scopes: k.Scopes,
			Revoked: k.Revoked, RevocationReason: k.RevocationReason, Expired: k.Expired,
			Expiration: k.Expiration, LastUsedAt: k.LastUsedAt, CreatedAt: k.CreatedAt, UpdatedAt: k.UpdatedAt}, nil
	case EndpointVerifyM2MToken:
		m, _, err := c.M2MTokens.Verify(ctx, &bapi.VerifyM2MTokenParams{Token: token})
		if err != nil {
			return verified{}, err
		}
		return verified{Object: m.Object, ID: m.ID, Subject: m.Subject, Claims: m.Claims, Scopes: m.Scopes,
			Revoked: m.Revoked, RevocationReason: m.RevocationReason, Expired: m.Expired,
			Expiration: m.Expiration, LastUsedAt: m.LastUsedAt, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}, nil
	case EndpointVerifyOAuthToken:
		o, _, err := c.OAuthAccessTokens.Verify(ctx, &bapi.VerifyOAuthAccessTokenParams{AccessToken: &token})
		if err != nil {
			return verified{}, err
		}
		return verified{Object: o.Object, ID: o.ID, ClientID: o.ClientID, Subject: o.Subject, Scopes: o.Scopes,
			Revoked: o.Revoked, RevocationReason: o.RevocationReason, Expired: o.Expired,
			Expiration: o.Expiration, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Active: o.Active}, nil
	}
	panic("unknown endpoint " + endpoint)
}

func mustBAPIVerify(t *testing.T, c *bapi.Client, endpoint, token string) verified {
	t.Helper()
	v, err := bapiVerify(context.Background(), c, endpoint, token)
	if err != nil {
		t.Fatalf("verify at %s: %v", endpoint, err)
	}
	return v
}

// path and body field of each verify endpoint.
var verifyRoutes = map[string]struct{ path, field string }{
	EndpointVerifyAPIKey:     {"/v1/api_keys/verify", "secret"},
	EndpointVerifyM2MToken:   {"/v1/m2m_tokens/verify", "token"},
	EndpointVerifyOAuthToken: {"/v1/oauth_applications/access_tokens/verify", "access_token"},
}

// rawVerify posts token to endpoint and returns the status and raw body.
func rawVerify(t *testing.T, s *Server, endpoint, token string) (int, []byte) {
	t.Helper()
	rt := verifyRoutes[endpoint]
	body, _ := json.Marshal(map[string]string{rt.field: token})
	resp, b := do(t, s, "POST", rt.path, true, string(body))
	return resp.StatusCode, b
}

// The members of the spec's 200 schemas (all required, additionalProperties
// false).
var verifyMembers = map[string][]string{
	EndpointVerifyAPIKey: {"object", "id", "type", "subject", "name", "description", "claims", "scopes", "revoked",
		"revocation_reason", "expired", "expiration", "created_by", "last_used_at", "created_at", "updated_at"},
	EndpointVerifyM2MToken: {"object", "id", "subject", "claims", "scopes", "revoked", "revocation_reason",
		"expired", "expiration", "last_used_at", "created_at", "updated_at"},
	EndpointVerifyOAuthToken: {"object", "id", "client_id", "subject", "scopes", "revoked", "revocation_reason",
		"expired", "expiration", "created_at", "updated_at"},
}

var objectNames = map[string]string{
	KindAPIKey:     "api_key",
	KindM2MToken:   "machine_to_machine_token",
	KindOAuthToken: "clerk_idp_oauth_access_token",
}

func msPtr(t time.Time) *float64 { v := float64(t.UnixMilli()); return &v }

func TestMachineTokenVerify(t *testing.T) {
	mch1, mch2 := newID("mch_"), newID("mch_")
	orgID := newID("org_")
	userID := newID("user_")
	tests := []struct {
		form   machineForm
		params MachineTokenParams
		claims any // what verify reports (nil: null)
	}{
		{machineForms[0], MachineTokenParams{Subject: orgID, Name: "ci", Scopes: []string{"read", "write"},
			Claims: map[string]any{"team": "infra", "n": 3}, TTL: 24 * time.Hour},
			map[string]any{"team": "infra", "n": float64(3)}},
		{machineForms[1], MachineTokenParams{Scopes: []string{mch1, mch2}, Claims: map[string]any{"env": "ci"}, TTL: time.Hour},
			map[string]any{"env": "ci"}},
		{machineForms[2], MachineTokenParams{Scopes: []string{mch1}, Claims: map[string]any{"env": "ci", "nested": map[string]any{"a": true}},
			TTL: 30 * time.Minute}, map[string]any{"env": "ci", "nested": map[string]any{"a": true}}},
		{machineForms[3], MachineTokenParams{Subject: userID, ClientID: "client_app", Scopes: []string{"profile", "email"},
			Claims: map[string]any{"ignored": true}, TTL: 2 * time.Hour}, nil},
		{machineForms[4], MachineTokenParams{Subject: userID, Scopes: []string{"profile"}, TTL: 10 * time.Minute}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.form.name, func(t *testing.T) {
			clock := newTestClock()
			s := newTestServer(t, WithClock(clock.Now))
			c := newBAPI(t, s)
			tok := tt.form.mint(s, tt.params)

			created := machineT0
			if tt.form.jwt {
				created = machineT0.Truncate(time.Second) // JWT iat is whole seconds
			}
			wantSub := tt.params.Subject
			if wantSub == "" {
				wantSub = s.MachineID()
			}
			wantClient := ""
			if tt.form.kind == KindOAuthToken {
				wantClient = cmpOr(tt.params.ClientID, s.OAuthClientID())
			}
			if tok.Kind != tt.form.kind || tok.Subject != wantSub || tok.ClientID != wantClient ||
				!slices.Equal(tok.Scopes, tt.params.Scopes) || !tok.Expiration.Equal(created.Add(tt.params.TTL)) {
				t.Fatalf("minted %+v", tok) // prints without the token
			}
			if !reflect.DeepEqual(anyMap(tok.Claims), tt.claims) {
				t.Errorf("minted claims %#v, want %#v", tok.Claims, tt.claims)
			}

			clock.Advance(time.Minute) // verification happens later than minting
			v := mustBAPIVerify(t, c, tt.form.endpoint, tok.Token)
			want := verified{
				Object: objectNames[tt.form.kind], ID: tok.ID, Subject: wantSub, ClientID: wantClient,
				Claims: tt.claims, Scopes: tt.params.Scopes,
				Expiration: msPtr(created.Add(tt.params.TTL)),
				CreatedAt:  float64(created.UnixMilli()), UpdatedAt: float64(created.UnixMilli()),
			}
			if tt.form.kind == KindAPIKey {
				want.Type, want.Name = "api_key", tt.params.Name
			}
			if !reflect.DeepEqual(v, want) {
				t.Errorf("verified\n got %+v\nwant %+v", v, want)
			}

			// The raw answer has exactly the spec's members.
			status, body := rawVerify(t, s, tt.form.endpoint, tok.Token)
			if status != 200 {
				t.Fatalf("raw verify: %d %s", status, body)
			}
			var raw map[string]json.RawMessage
			if err := json.Unmarshal(body, &raw); err != nil {
				t.Fatal(err)
			}
			if got, want := slices.Sorted(maps.Keys(raw)), slices.Sorted(slices.Values(verifyMembers[tt.form.endpoint])); !slices.Equal(got, want) {
				t.Errorf("members %v\nwant    %v", got, want)
			}
			// last_used_at (API keys, M2M) is the previous successful verification.
			if _, ok := raw["last_used_at"]; ok {
				if want := fmt.Sprint(machineT0.Add(time.Minute).UnixMilli()); string(raw["last_used_at"]) != want {
					t.Errorf("last_used_at %s, want %s", raw["last_used_at"], want)
				}
			}
			if bytes.Contains(body, []byte(tok.Token)) {
				t.Error("the answer repeats the token")
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// anyMap turns a nil map into a nil interface, for comparisons.
func anyMap(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

var (
	apiKeyIDPattern = regexp.MustCompile(`^ak_[0-9a-f]{32}$`)
	m2mIDPattern    = regexp.MustCompile(`^mt_[0-9a-f]{32}$`)
	oauthIDPattern  = regexp.MustCompile(`^oat_[0-9a-f]{32}$`)
	mchPattern      = regexp.MustCompile(`^mch_\w{27}$`)
	clientPattern   = regexp.MustCompile(`^client_\w{27}$`)
)

func TestMachineTokenDefaults(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts []Option
	}{
		{"default user", []Option{WithClock(newTestClock().Now)}},
		{"no default user", []Option{WithoutDefaultUser(), WithClock(newTestClock().Now)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, tt.opts...)
			c := newBAPI(t, s)
			if id := s.MachineID(); !mchPattern.MatchString(id) || s.MachineID() != id {
				t.Errorf("MachineID %q not stable or not mch_ + 27", id)
			}
			if id := s.OAuthClientID(); !clientPattern.MatchString(id) || s.OAuthClientID() != id {
				t.Errorf("OAuthClientID %q not stable", id)
			}
			other := newTestServer(t)
			if other.MachineID() == s.MachineID() || other.OAuthClientID() == s.OAuthClientID() {
				t.Error("two servers share machine IDs")
			}
			ids := map[string]*regexp.Regexp{KindAPIKey: apiKeyIDPattern, KindM2MToken: m2mIDPattern, KindOAuthToken: oauthIDPattern}
			for _, f := range machineForms {
				tok := f.mint(s, MachineTokenParams{})
				if !ids[f.kind].MatchString(tok.ID) {
					t.Errorf("%s: ID %q", f.name, tok.ID)
				}
				if f.jwt {
					if strings.Count(tok.Token, ".") != 2 || strings.HasPrefix(tok.Token, f.prefix) {
						t.Errorf("%s: not a compact JWT", f.name)
					}
					if !tok.Expiration.Equal(s.Now().Truncate(time.Second).Add(DefaultMachineJWTTTL)) {
						t.Errorf("%s: expiration %v, want iat+%v", f.name, tok.Expiration, DefaultMachineJWTTTL)
					}
				} else {
					if !strings.HasPrefix(tok.Token, f.prefix) || tok.Token == tok.ID || strings.Contains(tok.Token, tok.ID[len(f.prefix):]) {
						t.Errorf("%s: token is not prefix + a secret unrelated to the ID", f.name)
					}
					if !tok.Expiration.IsZero() {
						t.Errorf("%s: opaque token expires by default", f.name)
					}
				}
				v := mustBAPIVerify(t, c, f.endpoint, tok.Token)
				wantSub := s.DefaultUserID()
				if f.kind == KindM2MToken {
					wantSub = s.MachineID()
				}
				if v.Subject != wantSub || tok.Subject != wantSub {
					t.Errorf("%s: subject %q, want %q", f.name, v.Subject, wantSub)
				}
				if v.Claims != nil || tok.Claims != nil || tok.Scopes != nil {
					t.Errorf("%s: claims %v / %v, scopes %v", f.name, v.Claims, tok.Claims, tok.Scopes)
				}
				if v.Revoked || v.Expired || v.RevocationReason != nil {
					t.Errorf("%s: %+v", f.name, v)
				}
				if f.jwt != (v.Expiration != nil) {
					t.Errorf("%s: expiration %v", f.name, v.Expiration)
				}
				switch f.kind {
				case KindAPIKey:
					if v.Name != "test-key" || tok.Name != "test-key" || v.Type != "api_key" {
						t.Errorf("name %q type %q", v.Name, v.Type)
					}
				case KindOAuthToken:
					if v.ClientID != s.OAuthClientID() || tok.ClientID != s.OAuthClientID() {
						t.Errorf("client %q", v.ClientID)
					}
				}
				// Nulls and empty arrays, as Clerk sends them.
				_, body := rawVerify(t, s, f.endpoint, tok.Token)
				var raw map[string]json.RawMessage
				_ = json.Unmarshal(body, &raw)
				if string(raw["scopes"]) != "[]" {
					t.Errorf("%s: scopes %s, want []", f.name, raw["scopes"])
				}
				for _, k := range []string{"claims", "description", "created_by", "revocation_reason"} {
					if v, ok := raw[k]; ok && string(v) != "null" {
						t.Errorf("%s: %s = %s, want null", f.name, k, v)
					}
				}
				if !f.jwt && string(raw["expiration"]) != "null" {
					t.Errorf("%s: expiration %s, want null", f.name, raw["expiration"])
				}
			}
			if n := len(s.MachineTokens()); n != len(machineForms) {
				t.Errorf("MachineTokens: %d", n)
			}
		})
	}
}

func TestMachineTokenNotFound(t *testing.T) {
	s := newTestServer(t)
	c := newBAPI(t, s)
	ak := s.NewAPIKey(MachineTokenParams{}).Token
	mt := s.NewM2MToken(MachineTokenParams{}).Token
	mj := s.NewM2MJWT(MachineTokenParams{}).Token
	oat := s.NewOAuthToken(MachineTokenParams{}).Token
	oj := s.NewOAuthJWT(MachineTokenParams{}).Token
	tests := []struct {
		name, endpoint, token string
	}{
		{"unknown api key", EndpointVerifyAPIKey, "ak_" + randomString(40)},
		{"unknown m2m", EndpointVerifyM2MToken, "mt_" + randomString(40)},
		{"unknown oauth", EndpointVerifyOAuthToken, "oat_" + randomString(40)},
		{"api key ID, not secret", EndpointVerifyAPIKey, s.MachineTokens()[0].ID},
		{"m2m at api keys", EndpointVerifyAPIKey, mt},
		{"oauth at api keys", EndpointVerifyAPIKey, oat},
		{"api key at m2m", EndpointVerifyM2MToken, ak},
		{"oauth jwt at m2m", EndpointVerifyM2MToken, oj},
		{"m2m jwt at oauth", EndpointVerifyOAuthToken, mj},
		{"api key at oauth", EndpointVerifyOAuthToken, ak},
		{"session token at m2m", EndpointVerifyM2MToken, s.Token()},
		{"session token at oauth", EndpointVerifyOAuthToken, s.Token()},
		{"unminted jwt", EndpointVerifyOAuthToken, s.Token(WithHeader("typ", "at+jwt"))},
		{"token with a suffix", EndpointVerifyAPIKey, ak + "x"},
		{"token with spaces", EndpointVerifyAPIKey, " " + ak},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bapiVerify(context.Background(), c, tt.endpoint, tt.token)
			var be *bapi.Error
			if !errors.As(err, &be) || be.StatusCode != 404 || len(be.Errors) == 0 || be.Errors[0].Code != "resource_not_found" {
				t.Fatalf("err = %v, want a 404 resource_not_found", err)
			}
			status, body := rawVerify(t, s, tt.endpoint, tt.token)
			if status != 404 {
				t.Fatalf("raw: %d", status)
			}
			decodeErrors(t, body)
			if bytes.Contains(body, []byte(strings.TrimSpace(tt.token))) {
				t.Error("the error body repeats the token")
			}
		})
	}
}

func TestMachineTokenRevoke(t *testing.T) {
	for _, f := range machineForms {
		t.Run(f.name, func(t *testing.T) {
			clock := newTestClock()
			s := newTestServer(t, WithClock(clock.Now))
			c := newBAPI(t, s)
			tok := f.mint(s, MachineTokenParams{Scopes: []string{"a"}})
			keep := f.mint(s, MachineTokenParams{})
			clock.Advance(30*time.Minute + 1500*time.Millisecond) // JWT forms live an hour
			if !s.RevokeMachineToken(tok.Token) {
				t.Fatal("RevokeMachineToken = false")
			}
			v := mustBAPIVerify(t, c, f.endpoint, tok.Token)
			if !v.Revoked || v.RevocationReason == nil || *v.RevocationReason != MachineTokenRevocationReason {
				t.Errorf("after revocation: %+v", v)
			}
			if v.ID != tok.ID || v.Expired || !slices.Equal(v.Scopes, []string{"a"}) {
				t.Errorf("other fields changed: %+v", v)
			}
			if v.UpdatedAt != float64(clock.Now().UnixMilli()) || v.UpdatedAt <= v.CreatedAt {
				t.Errorf("updated_at %v, want the revocation time %v", v.UpdatedAt, clock.Now().UnixMilli())
			}
			if k := mustBAPIVerify(t, c, f.endpoint, keep.Token); k.Revoked {
				t.Error("revoking one token revoked another")
			}
			if !s.RevokeMachineToken(tok.Token) {
				t.Error("revoking twice = false")
			}
			if s.RevokeMachineToken(tok.Token+"x") || s.RevokeMachineToken("") {
				t.Error("RevokeMachineToken of an unknown token = true")
			}
		})
	}
}

func TestMachineTokenExpiry(t *testing.T) {
	for _, f := range machineForms {
		t.Run(f.name, func(t *testing.T) {
			clock := newTestClock()
			s := newTestServer(t, WithClock(clock.Now))
			c := newBAPI(t, s)
			// expiredAnswer checks the answer for an expired token: an
			// expired OAuth JWT is {"active": false}, anything else the
			// object with expired true.
			expiredAnswer := func(v verified, tok MachineToken) {
				t.Helper()
				if f.kind == KindOAuthToken && f.jwt {
					if !reflect.DeepEqual(v, verified{}) {
						t.Errorf("expired OAuth JWT: %+v, want {active: false}", v)
					}
					status, body := rawVerify(t, s, f.endpoint, tok.Token)
					if status != 200 || string(body) != `{"active":false}` {
						t.Errorf("raw: %d %s", status, body)
					}
					return
				}
				if !v.Expired || v.ID != tok.ID || v.Revoked {
					t.Errorf("expired token: %+v", v)
				}
			}

			tok := f.mint(s, MachineTokenParams{TTL: time.Hour})
			clock.Advance(time.Hour - time.Second)
			if v := mustBAPIVerify(t, c, f.endpoint, tok.Token); v.Expired || (f.kind == KindOAuthToken && v.Object == "") {
				t.Fatalf("before expiry: %+v", v)
			}
			clock.Advance(time.Second) // exactly at the expiration: expired
			expiredAnswer(mustBAPIVerify(t, c, f.endpoint, tok.Token), tok)

			// ExpireMachineToken ends a token that would never expire.
			tok2 := f.mint(s, MachineTokenParams{})
			if v := mustBAPIVerify(t, c, f.endpoint, tok2.Token); v.Expired {
				t.Fatalf("fresh token: %+v", v)
			}
			if !s.ExpireMachineToken(tok2.Token) {
				t.Fatal("ExpireMachineToken = false")
			}
			expiredAnswer(mustBAPIVerify(t, c, f.endpoint, tok2.Token), tok2)
			if stored := s.MachineTokens()[1]; !stored.Expiration.Equal(clock.Now()) {
				t.Errorf("stored expiration %v, want now %v", stored.Expiration, clock.Now())
			}
			if s.ExpireMachineToken("mt_unknown") {
				t.Error("ExpireMachineToken of an unknown token = true")
			}

			// A negative TTL mints an already expired token.
			tok3 := f.mint(s, MachineTokenParams{TTL: -time.Minute})
			expiredAnswer(mustBAPIVerify(t, c, f.endpoint, tok3.Token), tok3)

			// Revoked and expired: both flags (an OAuth JWT is just inactive).
			s.RevokeMachineToken(tok3.Token)
			v := mustBAPIVerify(t, c, f.endpoint, tok3.Token)
			if !(f.kind == KindOAuthToken && f.jwt) && (!v.Revoked || !v.Expired) {
				t.Errorf("revoked and expired: %+v", v)
			}
		})
	}
}

// jwxParse verifies token against the server's JWKS with jwx and returns
// its protected header and payload.
func jwxParse(s *Server, token string) (header, payload map[string]any, err error) {
	b, err := json.Marshal(s.JWKS())
	if err != nil {
		return nil, nil, err
	}
	set, err := jwk.Parse(b)
	if err != nil {
		return nil, nil, err
	}
	pb, err := jws.Verify([]byte(token), jws.WithKeySet(set))
	if err != nil {
		return nil, nil, err
	}
	msg, err := jws.Parse([]byte(token))
	if err != nil {
		return nil, nil, err
	}
	hb, err := json.Marshal(msg.Signatures()[0].ProtectedHeaders())
	if err != nil {
		return nil, nil, err
	}
	if err := json.Unmarshal(hb, &header); err != nil {
		return nil, nil, err
	}
	if err := json.Unmarshal(pb, &payload); err != nil {
		return nil, nil, err
	}
	return header, payload, nil
}

func unix(t time.Time) float64 { return float64(t.Unix()) }

func TestMachineJWTShape(t *testing.T) {
	clock := newTestClock()
	s := newTestServer(t, WithClock(clock.Now), WithIssuer("https://clerk.example.test"))
	mch := newID("mch_")
	iat := machineT0

	m2m := s.NewM2MJWT(MachineTokenParams{Scopes: []string{mch, "mch_other"}, TTL: 5 * time.Minute,
		Claims: map[string]any{"env": "ci", "sub": "mch_evil", "jti": "x", "scopes": "nope", "aud": []string{"svc"}}})
	oauth := s.NewOAuthJWT(MachineTokenParams{Scopes: []string{"profile", "email"}, TTL: 10 * time.Minute,
		Claims: map[string]any{"dropped": true}})
	bare := s.NewM2MJWT(MachineTokenParams{})
	bareOAuth := s.NewOAuthJWT(MachineTokenParams{})

	tests := []struct {
		name          string
		tok           MachineToken
		header, claim map[string]any
	}{
		{"m2m", m2m,
			map[string]any{"alg": "RS256", "cat": M2MTokenCategory, "kid": s.KeyID(), "typ": "JWT"},
			map[string]any{"iss": "https://clerk.example.test", "sub": s.MachineID(), "iat": unix(iat),
				"nbf": unix(iat.Add(-DefaultNotBefore)), "exp": unix(iat.Add(5 * time.Minute)), "jti": m2m.ID,
				"scopes": mch + " mch_other", "env": "ci", "aud": []any{"svc"}}},
		{"oauth", oauth,
			map[string]any{"alg": "RS256", "kid": s.KeyID(), "typ": "at+jwt"},
			map[string]any{"iss": "https://clerk.example.test", "sub": s.DefaultUserID(), "client_id": s.OAuthClientID(),
				"iat": unix(iat), "nbf": unix(iat.Add(-DefaultNotBefore)), "exp": unix(iat.Add(10 * time.Minute)),
				"jti": oauth.ID, "scp": []any{"profile", "email"}}},
		{"m2m without scopes", bare,
			map[string]any{"alg": "RS256", "cat": M2MTokenCategory, "kid": s.KeyID(), "typ": "JWT"},
			map[string]any{"iss": "https://clerk.example.test", "sub": s.MachineID(), "iat": unix(iat),
				"nbf": unix(iat.Add(-DefaultNotBefore)), "exp": unix(iat.Add(DefaultMachineJWTTTL)), "jti": bare.ID}},
		{"oauth without scopes", bareOAuth,
			map[string]any{"alg": "RS256", "kid": s.KeyID(), "typ": "at+jwt"},
			map[string]any{"iss": "https://clerk.example.test", "sub": s.DefaultUserID(), "client_id": s.OAuthClientID(),
				"iat": unix(iat), "nbf": unix(iat.Add(-DefaultNotBefore)), "exp": unix(iat.Add(DefaultMachineJWTTTL)),
				"jti": bareOAuth.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, p, err := jwxParse(s, tt.tok.Token)
			if err != nil {
				t.Fatalf("does not verify with the JWKS: %v", err)
			}
			if !reflect.DeepEqual(h, tt.header) {
				t.Errorf("header %v\nwant   %v", h, tt.header)
			}
			if !reflect.DeepEqual(p, tt.claim) {
				t.Errorf("payload %v\nwant    %v", p, tt.claim)
			}
			// The crypto/rsa verifier of token_test.go agrees.
			mustVerify(t, s.JWKS(), tt.tok.Token)
		})
	}

	// Custom claims named like the M2M JWT's own are dropped from the token
	// and from what the fake reports; the others are reported.
	if want := map[string]any{"env": "ci", "aud": []any{"svc"}}; !reflect.DeepEqual(m2m.Claims, want) {
		t.Errorf("stored claims %v, want %v", m2m.Claims, want)
	}
	v := mustBAPIVerify(t, newBAPI(t, s), EndpointVerifyM2MToken, m2m.Token)
	if want := map[string]any{"env": "ci", "aud": []any{"svc"}}; !reflect.DeepEqual(v.Claims, want) {
		t.Errorf("verified claims %v, want %v", v.Claims, want)
	}

	// After a rotation, machine JWTs carry the new kid and still verify.
	kid := s.RotateKeyWith(testKeyB())
	rot := s.NewOAuthJWT(MachineTokenParams{})
	if h, _, err := jwxParse(s, rot.Token); err != nil || h["kid"] != kid {
		t.Errorf("after rotation: kid %v, err %v", h["kid"], err)
	}
}

func TestMachineJWTOptions(t *testing.T) {
	clock := newTestClock()
	s := newTestServer(t, WithClock(clock.Now))
	c := newBAPI(t, s)
	iat := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	exp := time.Date(2026, 1, 2, 4, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		opts     []TokenOption
		verifies bool // with jwx and the JWKS
		check    func(t *testing.T, tok MachineToken, h, p map[string]any)
	}{
		{"alg none in the header", []TokenOption{WithHeader("alg", "none")}, true, // jwx ignores the header's alg
			func(t *testing.T, _ MachineToken, h, _ map[string]any) {
				if h["alg"] != "none" {
					t.Errorf("alg %v", h["alg"])
				}
			}},
		{"no kid", []TokenOption{WithoutHeader("kid")}, false, nil},
		{"foreign key", []TokenOption{WithSigningKey(testKeyB(), "")}, false, nil},
		{"unknown kid", []TokenOption{WithSigningKey(testKeyA(), "ins_unknown")}, false, nil},
		{"no exp", []TokenOption{WithoutClaim("exp")}, true,
			func(t *testing.T, tok MachineToken, _, p map[string]any) {
				if _, ok := p["exp"]; ok || tok.Expiration.IsZero() {
					t.Errorf("exp %v, stored %v", p["exp"], tok.Expiration)
				}
			}},
		{"string exp", []TokenOption{WithClaim("exp", "soon")}, true,
			func(t *testing.T, _ MachineToken, _, p map[string]any) {
				if p["exp"] != "soon" {
					t.Errorf("exp %v", p["exp"])
				}
			}},
		{"times", []TokenOption{WithIssuedAt(iat), WithExpiry(exp), WithNotBefore(iat)}, true,
			func(t *testing.T, tok MachineToken, _, p map[string]any) {
				if p["iat"] != unix(iat) || p["exp"] != unix(exp) || p["nbf"] != unix(iat) || !tok.Expiration.Equal(exp) {
					t.Errorf("iat %v exp %v nbf %v stored %v", p["iat"], p["exp"], p["nbf"], tok.Expiration)
				}
			}},
		{"ttl option wins over params", []TokenOption{WithTTL(-time.Second)}, true,
			func(t *testing.T, tok MachineToken, _, p map[string]any) {
				want := machineT0.Truncate(time.Second).Add(-time.Second)
				if p["exp"] != unix(want) || !tok.Expiration.Equal(want) {
					t.Errorf("exp %v stored %v", p["exp"], tok.Expiration)
				}
			}},
		{"subject", []TokenOption{WithSubject("user_x")}, true,
			func(t *testing.T, tok MachineToken, _, p map[string]any) {
				if p["sub"] != "user_x" || tok.Subject != "user_x" {
					t.Errorf("sub %v stored %q", p["sub"], tok.Subject)
				}
			}},
		{"session claims only when asked", []TokenOption{WithSessionID("sess_1"), WithAuthorizedPartyClaim("https://app"),
			WithOrgMembership("org_1", "acme", "admin", "org:a:read")}, true,
			func(t *testing.T, _ MachineToken, _, p map[string]any) {
				if p["sid"] != "sess_1" || p["azp"] != "https://app" || p["o"] == nil || p["fea"] != "o:a" {
					t.Errorf("payload %v", p)
				}
				if _, ok := p["v"]; ok {
					t.Error("v without WithVersion")
				}
			}},
		{"jti edit changes the token only", []TokenOption{WithClaim("jti", "other")}, true,
			func(t *testing.T, tok MachineToken, _, p map[string]any) {
				if p["jti"] != "other" || tok.ID == "other" {
					t.Errorf("jti %v, ID %q", p["jti"], tok.ID)
				}
			}},
		{"session category", []TokenOption{WithHeader("cat", SessionTokenCategory)}, true,
			func(t *testing.T, _ MachineToken, h, _ map[string]any) {
				if h["cat"] != SessionTokenCategory {
					t.Errorf("cat %v", h["cat"])
				}
			}},
	}
	for _, tt := range tests {
		for _, f := range []machineForm{machineForms[2], machineForms[4]} {
			t.Run(f.name+"/"+tt.name, func(t *testing.T) {
				tok := f.mint(s, MachineTokenParams{TTL: time.Hour}, tt.opts...)
				h, p, err := jwxParse(s, tok.Token)
				if (err == nil) != tt.verifies {
					t.Fatalf("jwx verification: err = %v, want success %v", err, tt.verifies)
				}
				if err != nil {
					return
				}
				if tt.check != nil {
					tt.check(t, tok, h, p)
				}
				// The fake finds what it minted, however broken.
				if v := mustBAPIVerify(t, c, f.endpoint, tok.Token); v.ID != tok.ID && !reflect.DeepEqual(v, verified{}) {
					t.Errorf("verified %+v", v)
				}
			})
		}
	}
}

func TestMachineVerifyBadRequests(t *testing.T) {
	s := newTestServer(t)
	ak := s.NewAPIKey(MachineTokenParams{}).Token
	oat := s.NewOAuthToken(MachineTokenParams{}).Token
	tests := []struct {
		name, endpoint, body string
		status               int
		code                 string
	}{
		{"malformed json", EndpointVerifyAPIKey, `{"secret":`, 400, "request_body_invalid"},
		{"not an object", EndpointVerifyM2MToken, `["mt_x"]`, 400, "request_body_invalid"},
		{"null", EndpointVerifyOAuthToken, `null`, 400, "request_body_invalid"},
		{"empty body", EndpointVerifyAPIKey, ``, 400, "form_param_missing"},
		{"missing secret", EndpointVerifyAPIKey, `{}`, 400, "form_param_missing"},
		{"empty secret", EndpointVerifyAPIKey, `{"secret":""}`, 400, "form_param_missing"},
		{"null token", EndpointVerifyM2MToken, `{"token":null}`, 400, "form_param_missing"},
		{"missing access token", EndpointVerifyOAuthToken, `{}`, 400, "form_param_missing"},
		{"number", EndpointVerifyAPIKey, `{"secret":5}`, 400, "form_param_format_invalid"},
		{"wrong field", EndpointVerifyAPIKey, `{"token":"` + ak + `"}`, 400, "form_param_unknown"},
		{"extra field", EndpointVerifyM2MToken, `{"token":"mt_x","x":1}`, 400, "form_param_unknown"},
		{"deprecated secret", EndpointVerifyOAuthToken, `{"secret":"` + oat + `"}`, 200, ""},
		{"access_token wins", EndpointVerifyOAuthToken, `{"access_token":"` + oat + `","secret":"oat_nope"}`, 200, ""},
		{"empty access_token, secret", EndpointVerifyOAuthToken, `{"access_token":"","secret":"` + oat + `"}`, 200, ""},
		{"access_token unknown", EndpointVerifyOAuthToken, `{"access_token":"oat_nope","secret":"` + oat + `"}`, 404, "resource_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, s, "POST", verifyRoutes[tt.endpoint].path, true, tt.body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if tt.code != "" {
				if er := decodeErrors(t, body); er.Errors[0].Code != tt.code {
					t.Errorf("code %q, want %q", er.Errors[0].Code, tt.code)
				}
			}
		})
	}

	// Like every /v1 route, the endpoints require the secret key.
	for ep, rt := range verifyRoutes {
		resp, body := do(t, s, "POST", rt.path, false, `{"`+rt.field+`":"`+ak+`"}`)
		if resp.StatusCode != 401 {
			t.Errorf("%s without the secret key: %d", ep, resp.StatusCode)
		}
		decodeErrors(t, body)
		req, _ := newRequest(s, "POST", rt.path, `{"`+rt.field+`":"`+ak+`"}`)
		req.Header.Set("Authorization", "Bearer "+ak) // a machine token is not a secret key
		if resp, _ := send(t, s, req); resp.StatusCode != 401 {
			t.Errorf("%s with an API key as the secret key: %d", ep, resp.StatusCode)
		}
		if resp, body := do(t, s, "GET", rt.path, true, ""); resp.StatusCode/100 != 4 {
			t.Errorf("GET %s: %d", rt.path, resp.StatusCode)
		} else {
			decodeErrors(t, body)
		}
	}
}

func TestMachineEndpointFaults(t *testing.T) {
	for _, f := range []machineForm{machineForms[0], machineForms[1], machineForms[3]} {
		t.Run(f.endpoint, func(t *testing.T) {
			s := newTestServer(t)
			c := newBAPI(t, s)
			tok := f.mint(s, MachineTokenParams{})
			verifyStatus := func() int {
				t.Helper()
				_, err := bapiVerify(context.Background(), c, f.endpoint, tok.Token)
				if err == nil {
					return 200
				}
				if code := bapi.StatusCode(err); code != 0 {
					return code
				}
				t.Fatalf("verify: %v", err)
				return 0
			}

			if got := verifyStatus(); got != 200 {
				t.Fatalf("first verify: %d", got)
			}
			if n := s.Requests(f.endpoint); n != 1 {
				t.Errorf("Requests = %d, want 1", n)
			}
			if h := s.LastHeader(f.endpoint); h.Get("Authorization") != "Bearer "+s.SecretKey() {
				t.Error("LastHeader lacks the Authorization header")
			}

			s.Fail(f.endpoint, 503)
			if got := verifyStatus(); got != 503 {
				t.Errorf("Fail(503): %d", got)
			}
			// Other machine endpoints are unaffected.
			for _, other := range []string{EndpointVerifyAPIKey, EndpointVerifyM2MToken, EndpointVerifyOAuthToken} {
				if other != f.endpoint {
					if st, _ := rawVerify(t, s, other, tok.Token); st != 404 {
						t.Errorf("%s while %s fails: %d", other, f.endpoint, st)
					}
				}
			}
			s.Recover(f.endpoint)
			s.FailNext(f.endpoint, 429, 2)
			got := []int{verifyStatus(), verifyStatus(), verifyStatus()}
			if !slices.Equal(got, []int{429, 429, 200}) {
				t.Errorf("FailNext: %v", got)
			}
			s.Fail(AnyEndpoint, 500)
			if got := verifyStatus(); got != 500 {
				t.Errorf("Fail(AnyEndpoint): %d", got)
			}
			s.Recover(AnyEndpoint)
			if n := s.Requests(f.endpoint); n != 6 {
				t.Errorf("Requests = %d, want 6", n)
			}

			// Block holds requests until released.
			release := s.Block(f.endpoint)
			const n = 4
			var wg sync.WaitGroup
			codes := make(chan int, n)
			for range n {
				wg.Go(func() {
					_, err := bapiVerify(context.Background(), c, f.endpoint, tok.Token)
					if err != nil {
						t.Error(err)
						return
					}
					codes <- 200
				})
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := s.AwaitWaiting(ctx, f.endpoint, n); err != nil {
				t.Fatalf("AwaitWaiting: %v", err)
			}
			if len(codes) != 0 {
				t.Fatal("a request got through the block")
			}
			release()
			wg.Wait()
			if len(codes) != n {
				t.Errorf("%d of %d requests answered", len(codes), n)
			}

			// Latency holds the answer; the client's context ends the wait.
			s.SetLatency(f.endpoint, time.Hour)
			before := s.Requests(f.endpoint)
			ctx2, cancel2 := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() {
				_, err := bapiVerify(ctx2, c, f.endpoint, tok.Token)
				errc <- err
			}()
			if err := awaitCond(ctx, func() bool { return s.Requests(f.endpoint) > before }); err != nil {
				t.Fatal(err)
			}
			cancel2()
			if err := <-errc; !errors.Is(err, context.Canceled) {
				t.Errorf("with an hour of latency: %v, want context.Canceled", err)
			}
			s.SetLatency(f.endpoint, 0)
			if got := verifyStatus(); got != 200 {
				t.Errorf("after latency: %d", got)
			}
		})
	}
}

func TestMachineConcurrent(t *testing.T) {
	s := newTestServer(t)
	c := newBAPI(t, s)
	const workers, each = 8, 6
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				f := machineForms[(w+i)%len(machineForms)]
				tok := f.mint(s, MachineTokenParams{Scopes: []string{fmt.Sprint(w)}, Claims: map[string]any{"i": i}})
				v, err := bapiVerify(context.Background(), c, f.endpoint, tok.Token)
				if err != nil {
					t.Error(err)
					return
				}
				if v.ID != tok.ID || !slices.Equal(v.Scopes, []string{fmt.Sprint(w)}) {
					t.Errorf("verified %+v for %s", v, tok)
				}
				if i%2 == 0 {
					s.RevokeMachineToken(tok.Token)
				} else {
					s.ExpireMachineToken(tok.Token)
				}
				_ = s.MachineTokens()
				_ = s.MachineID()
			}
		})
	}
	wg.Wait()
	toks := s.MachineTokens()
	if len(toks) != workers*each {
		t.Fatalf("%d tokens stored, want %d", len(toks), workers*each)
	}
	seen := map[string]bool{}
	for _, tok := range toks {
		if seen[tok.Token] || seen[tok.ID] {
			t.Fatalf("duplicate token or ID %s", tok)
		}
		seen[tok.Token], seen[tok.ID] = true, true
	}
	total := 0
	for _, ep := range []string{EndpointVerifyAPIKey, EndpointVerifyM2MToken, EndpointVerifyOAuthToken} {
		total += s.Requests(ep)
	}
	if total != workers*each {
		t.Errorf("%d verify requests counted, want %d", total, workers*each)
	}
}

func TestMachineTokenCopies(t *testing.T) {
	s := newTestServer(t)
	claims := map[string]any{"k": "v", "list": []any{"a"}}
	scopes := []string{"read"}
	tok := s.NewAPIKey(MachineTokenParams{Claims: claims, Scopes: scopes})
	// Changing the caller's values changes nothing stored.
	claims["k"] = "changed"
	scopes[0] = "changed"
	tok.Claims["k"] = "changed"
	tok.Scopes[0] = "changed"
	got := s.MachineTokens()[0]
	got.Claims["list"].([]any)[0] = "changed"
	stored := s.MachineTokens()[0]
	if stored.Claims["k"] != "v" || stored.Scopes[0] != "read" || stored.Claims["list"].([]any)[0] != "a" {
		t.Errorf("stored token changed: %v %v", stored.Claims, stored.Scopes)
	}
	v := mustBAPIVerify(t, newBAPI(t, s), EndpointVerifyAPIKey, tok.Token)
	if !reflect.DeepEqual(v.Claims, map[string]any{"k": "v", "list": []any{"a"}}) || v.Scopes[0] != "read" {
		t.Errorf("verified %v %v", v.Claims, v.Scopes)
	}

	// Claims that JSON cannot encode panic at minting, as Server.Token does.
	func() {
		defer func() {
			if recover() == nil {
				t.Error("no panic for a channel claim")
			}
		}()
		s.NewM2MToken(MachineTokenParams{Claims: map[string]any{"c": make(chan int)}})
	}()
}

func TestMachineTokenRedacted(t *testing.T) {
	s := newTestServer(t)
	tok := s.NewAPIKey(MachineTokenParams{})
	jwt := s.NewM2MJWT(MachineTokenParams{})
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("minted", "token", tok, "jwt", jwt)
	outputs := []string{buf.String()}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		outputs = append(outputs, fmt.Sprintf(verb, tok), fmt.Sprintf(verb, &tok), fmt.Sprintf(verb, []MachineToken{jwt}))
	}
	for _, out := range outputs {
		if strings.Contains(out, tok.Token) || strings.Contains(out, jwt.Token) || strings.Contains(out, tok.Token[3:]) {
			t.Errorf("formatted token leaks its secret: %s", out)
		}
		if !strings.Contains(out, tok.ID) && !strings.Contains(out, jwt.ID) {
			t.Errorf("formatted token lacks its ID: %s", out)
		}
	}
}

// FuzzMachineVerifyBody posts arbitrary bodies to the verify endpoints: the
// answer is always 200, 400 or 404 with a JSON body, never a panic or a 5xx.
func FuzzMachineVerifyBody(f *testing.F) {
	s := New(WithKey(testKeyA()))
	defer s.Close()
	ak := s.NewAPIKey(MachineTokenParams{}).Token
	mt := s.NewM2MJWT(MachineTokenParams{}).Token
	oat := s.NewOAuthToken(MachineTokenParams{}).Token
	for _, seed := range []string{``, `{}`, `null`, `{"secret":"` + ak + `"}`, `{"token":"` + mt + `"}`,
		`{"access_token":"` + oat + `"}`, `{"secret":"` + oat + `"}`, `{"secret":1}`, `{"token":"x","token":"y"}`,
		`{"access_token":null,"secret":"` + oat + `"}`, `[`, "\xff", `{"secret":"\u0000"}`} {
		for i := range 3 {
			f.Add(i, seed)
		}
	}
	h := s.routes()
	paths := []string{"/v1/api_keys/verify", "/v1/m2m_tokens/verify", "/v1/oauth_applications/access_tokens/verify"}
	f.Fuzz(func(t *testing.T, which int, body string) {
		path := paths[uint(which)%uint(len(paths))]
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.SecretKey())
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 400, 404:
		default:
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("not JSON: %q", rec.Body.String())
		}
	})
}
