package core_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// TestOAuthJWTAudience: Config.Audience applies to OAuth JWT access tokens
// as to session tokens (RFC 9068 §4), not to M2M JWTs (whose aud is their
// scopes) nor to opaque tokens (no claims).
func TestOAuthJWTAudience(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	cfg := fakeConfig(s, clk)
	cfg.Audience = []string{"https://api.example.com", "billing"}
	c := newClient(t, cfg)
	open := newClient(t, fakeConfig(s, clk)) // no Audience
	p := clerktest.MachineTokenParams{Scopes: []string{"read"}}
	ctx := context.Background()
	for _, tt := range []struct {
		name   string
		tok    string
		kind   core.TokenKind
		want   core.Reason // at the client with Audience
		scopes []string
	}{
		{"OAuth JWT, matching aud", s.NewOAuthJWT(p, clerktest.WithClaim("aud", "billing")).Token, core.OAuthToken, "", []string{"read"}},
		{"OAuth JWT, one of a list", s.NewOAuthJWT(p, clerktest.WithClaim("aud", []string{"x", "https://api.example.com"})).Token, core.OAuthToken, "", []string{"read"}},
		{"OAuth JWT, another aud", s.NewOAuthJWT(p, clerktest.WithClaim("aud", "https://other.example.com")).Token, core.OAuthToken, core.ReasonTokenInvalidAudience, nil},
		{"OAuth JWT, no aud", s.NewOAuthJWT(p).Token, core.OAuthToken, core.ReasonTokenInvalidAudience, nil},
		{"OAuth JWT, empty list", s.NewOAuthJWT(p, clerktest.WithClaim("aud", []string{})).Token, core.OAuthToken, core.ReasonTokenInvalidAudience, nil},
		{"OAuth JWT, aud of a wrong case", s.NewOAuthJWT(p, clerktest.WithClaim("aud", "Billing")).Token, core.OAuthToken, core.ReasonTokenInvalidAudience, nil},
		// An M2M JWT's aud is its scopes (the machines it may reach), not an audience.
		{"M2M JWT, aud as scopes", s.NewM2MJWT(clerktest.MachineTokenParams{}, clerktest.WithClaim("aud", []string{"mch_2other"})).Token, core.M2MToken, "", []string{"mch_2other"}},
		{"M2M JWT, no aud", s.NewM2MJWT(clerktest.MachineTokenParams{}).Token, core.M2MToken, "", nil},
		{"opaque OAuth token", s.NewOAuthToken(p).Token, core.OAuthToken, "", []string{"read"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, err := c.VerifyMachineToken(ctx, tt.tok, core.AnyToken)
			if core.ReasonOf(err) != tt.want {
				t.Fatalf("with Audience: %v, want %q", err, tt.want)
			}
			if err == nil && (a.Kind != tt.kind || !slices.Equal(a.Scopes, tt.scopes)) {
				t.Fatalf("with Audience: %+v, want kind %s, scopes %q", a, tt.kind, tt.scopes)
			}
			if tt.want != "" && core.FailureOf(err).Status != http.StatusUnauthorized {
				t.Fatalf("refused with %+v, want 401", core.FailureOf(err))
			}
			if _, err := open.VerifyMachineToken(ctx, tt.tok, core.AnyToken); err != nil {
				t.Fatalf("without Audience: %v", err)
			}
		})
	}
}
