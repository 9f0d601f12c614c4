package clerktest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core/bapi"
)

// machineAPI is a Backend API client of s authenticated with key.
func machineAPI(t *testing.T, s *Server, key string) *bapi.Client {
	t.Helper()
	c, err := bapi.NewClient(key, bapi.WithBaseURL(s.URL), bapi.WithHTTPClient(s.Client()), bapi.WithMaxRetries(-1))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCreateM2MToken(t *testing.T) {
	tests := []struct {
		name       string
		params     bapi.CreateM2MTokenParams
		status     int // 0: 201
		jwt        bool
		expiration time.Duration // 0: none
		claims     map[string]any
	}{
		{"defaults: opaque, no expiry", bapi.CreateM2MTokenParams{}, 0, false, 0, nil},
		{"opaque with TTL and claims", bapi.CreateM2MTokenParams{
			SecondsUntilExpiration: bapi.Value(90.0), Claims: bapi.Value[any](map[string]any{"job": "sync"}),
		}, 0, false, 90 * time.Second, map[string]any{"job": "sync"}},
		{"jwt default lifetime", bapi.CreateM2MTokenParams{TokenFormat: bapi.Ptr("jwt")}, 0, true, DefaultMachineJWTTTL, nil},
		{"jwt with TTL", bapi.CreateM2MTokenParams{TokenFormat: bapi.Ptr("jwt"), SecondsUntilExpiration: bapi.Value(600.0)},
			0, true, 10 * time.Minute, nil},
		{"null TTL and claims", bapi.CreateM2MTokenParams{SecondsUntilExpiration: bapi.Null[float64](), Claims: bapi.Null[any]()},
			0, false, 0, nil},
		{"unknown format", bapi.CreateM2MTokenParams{TokenFormat: bapi.Ptr("paseto")}, http.StatusBadRequest, false, 0, nil},
		{"zero TTL", bapi.CreateM2MTokenParams{SecondsUntilExpiration: bapi.Value(0.0)}, http.StatusBadRequest, false, 0, nil},
		{"claims not an object", bapi.CreateM2MTokenParams{Claims: bapi.Value[any]("x")}, http.StatusBadRequest, false, 0, nil},
		{"min remaining not below the lifetime", bapi.CreateM2MTokenParams{
			SecondsUntilExpiration: bapi.Value(60.0), MinRemainingTTLSeconds: bapi.Ptr[int64](60),
		}, http.StatusBadRequest, false, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newTestClock()
			s := newTestServer(t, WithClock(clock.Now))
			target := s.NewMachine()
			s.GrantMachineAccess(s.MachineID(), target.ID)
			c := machineAPI(t, s, s.MachineSecretKey())
			params := tt.params
			tok, _, err := c.M2MTokens.Create(context.Background(), &params)
			if tt.status != 0 {
				if bapi.StatusCode(err) != tt.status {
					t.Fatalf("status %d, want %d (%v)", bapi.StatusCode(err), tt.status, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tok.Object != "machine_to_machine_token" || tok.Subject != s.MachineID() ||
				!slices.Equal(tok.Scopes, []string{target.ID}) || !strings.HasPrefix(tok.ID, "mt_") {
				t.Fatalf("created %+v", tok)
			}
			if tt.jwt != (strings.Count(tok.Token, ".") == 2) || (!tt.jwt && !strings.HasPrefix(tok.Token, "mt_")) {
				t.Fatalf("token format: jwt = %t", strings.Count(tok.Token, ".") == 2)
			}
			created := clock.Now()
			if tt.jwt {
				created = created.Truncate(time.Second)
			}
			switch {
			case tt.expiration == 0 && tok.Expiration != nil:
				t.Fatalf("expiration %v, want none", *tok.Expiration)
			case tt.expiration != 0 && (tok.Expiration == nil || int64(*tok.Expiration) != created.Add(tt.expiration).UnixMilli()):
				t.Fatalf("expiration %v, want %v", tok.Expiration, created.Add(tt.expiration).UnixMilli())
			}
			got, _ := tok.Claims.(map[string]any)
			if !reflect.DeepEqual(anyMap(got), anyMap(tt.claims)) {
				t.Fatalf("claims %#v, want %#v", tok.Claims, tt.claims)
			}
			// What was minted verifies for the machine it was granted to.
			v, _, err := machineAPI(t, s, target.SecretKey).M2MTokens.Verify(context.Background(), &bapi.VerifyM2MTokenParams{Token: tok.Token})
			if err != nil || v.ID != tok.ID {
				t.Fatalf("verify: %+v, %v", v, err)
			}
		})
	}
}

func TestCreateM2MTokenNeedsMachineSecretKey(t *testing.T) {
	s := newTestServer(t)
	for name, key := range map[string]string{
		"instance secret key": s.SecretKey(),
		"unknown machine key": "ak_" + strings.Repeat("f", 48),
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := machineAPI(t, s, key).M2MTokens.Create(context.Background(), nil)
			if bapi.StatusCode(err) != http.StatusUnauthorized {
				t.Fatalf("err = %v, want 401", err)
			}
			if strings.Contains(err.Error(), key) {
				t.Fatal("the error echoes the key")
			}
		})
	}
	if len(s.MachineTokens()) != 0 {
		t.Fatal("a token was minted")
	}
}

func TestCreateM2MTokenServerSideReuse(t *testing.T) {
	clock := newTestClock()
	s := newTestServer(t, WithClock(clock.Now))
	c := machineAPI(t, s, s.MachineSecretKey())
	create := func(claims map[string]any) string {
		t.Helper()
		p := bapi.CreateM2MTokenParams{SecondsUntilExpiration: bapi.Value(300.0), MinRemainingTTLSeconds: bapi.Ptr[int64](60)}
		if claims != nil {
			p.Claims = bapi.Value[any](claims)
		}
		tok, _, err := c.M2MTokens.Create(context.Background(), &p)
		if err != nil {
			t.Fatal(err)
		}
		return tok.Token
	}
	first := create(nil)
	clock.Advance(4 * time.Minute) // 60s left: still reusable
	if create(nil) != first {
		t.Fatal("a live token with enough lifetime left was not reused")
	}
	if create(map[string]any{"a": 1}) == first {
		t.Fatal("a token with other claims was reused")
	}
	clock.Advance(time.Second) // 59s left
	if create(nil) == first {
		t.Fatal("a token with less than min_remaining_ttl_seconds left was reused")
	}
}

func TestVerifyM2MTokenWithMachineSecretKey(t *testing.T) {
	s := newTestServer(t)
	receiver := s.NewMachine()
	caller := s.NewMachine(receiver.ID)
	granted := s.NewM2MToken(MachineTokenParams{Subject: caller.ID, Scopes: caller.Scopes})
	other := s.NewM2MToken(MachineTokenParams{Subject: caller.ID})
	tests := []struct {
		name   string
		key    string
		token  string
		status int // 0: 200
	}{
		{"granted, machine key", receiver.SecretKey, granted.Token, 0},
		{"not granted, machine key", receiver.SecretKey, other.Token, http.StatusNotFound},
		{"the caller's own key", caller.SecretKey, granted.Token, http.StatusNotFound},
		{"any token, instance secret key", s.SecretKey(), other.Token, 0},
		{"unknown key", "ak_nope", granted.Token, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := machineAPI(t, s, tt.key).M2MTokens.Verify(context.Background(), &bapi.VerifyM2MTokenParams{Token: tt.token})
			if bapi.StatusCode(err) != tt.status && !(tt.status == 0 && err == nil) {
				t.Fatalf("err = %v, want status %d", err, tt.status)
			}
		})
	}
}

func TestMachineRedacted(t *testing.T) {
	s := newTestServer(t)
	m := s.DefaultMachine()
	if m.ID != s.MachineID() || !strings.HasPrefix(m.SecretKey, "ak_") || s.MachineSecretKey() != m.SecretKey {
		t.Fatalf("default machine %v", m)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "machine", m)
	out := buf.String() + fmt.Sprintf("%v %+v %#v %s %q", m, m, m, m, m)
	if strings.Contains(out, m.SecretKey) || !strings.Contains(out, m.ID) {
		t.Fatalf("prints %s", out)
	}
	if s.GrantMachineAccess("mch_unknown", m.ID) {
		t.Fatal("granted access from an unknown machine")
	}
}
