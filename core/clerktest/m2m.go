package clerktest

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Machine is a machine of the fake (Clerk's Machines): its ID, its secret
// key, and the machines it may reach (the scopes of the M2M tokens it
// mints). It prints (with every fmt verb and slog) without its SecretKey.
type Machine struct {
	// ID is "mch_" followed by 27 base62 characters.
	ID string
	// SecretKey is the machine secret key, "ak_" followed by random hex:
	// it authenticates [EndpointCreateM2MToken] and
	// [EndpointVerifyM2MToken] as this machine.
	SecretKey string
	// Scopes are the IDs of the machines this machine may reach.
	Scopes []string
}

// String describes the machine without its secret key.
func (m Machine) String() string {
	return fmt.Sprintf("clerktest.Machine{ID:%q, Scopes:%q, SecretKey:[redacted]}", m.ID, m.Scopes)
}

// GoString is [Machine.String], for %#v.
func (m Machine) GoString() string { return m.String() }

// Format writes [Machine.String] for every verb.
func (m Machine) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(m.String())) }

// LogValue is the machine as slog logs it, without its secret key.
func (m Machine) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", m.ID), slog.Any("scopes", m.Scopes))
}

// machineEntry is one machine of the fake. Guarded by Server.mu.
type machineEntry struct {
	id     string
	secret string
	scopes []string
}

func (e *machineEntry) snapshot() Machine {
	return Machine{ID: e.id, SecretKey: e.secret, Scopes: slices.Clone(e.scopes)}
}

// machineLocked returns the entry of machine id, making the default
// machine's on first use. s.mu must be held.
func (s *Server) machineLocked(id string) *machineEntry {
	if s.machine.machines == nil {
		s.machine.machines = make(map[string]*machineEntry)
	}
	def, _ := s.idsLocked()
	if e := s.machine.machines[id]; e != nil {
		return e
	}
	if id != def {
		return nil
	}
	e := &machineEntry{id: def, secret: "ak_" + randomHex(24)}
	s.machine.machines[def] = e
	return e
}

// DefaultMachine returns the server's default machine: [Server.MachineID]
// and its secret key. It reaches no machine until [Server.GrantMachineAccess].
func (s *Server) DefaultMachine() Machine {
	s.mu.Lock()
	defer s.mu.Unlock()
	def, _ := s.idsLocked()
	return s.machineLocked(def).snapshot()
}

// MachineSecretKey returns the default machine's secret key (see
// [Server.DefaultMachine]).
func (s *Server) MachineSecretKey() string { return s.DefaultMachine().SecretKey }

// NewMachine adds a machine that may reach the machines scopes (their
// IDs), with a secret key of its own.
func (s *Server) NewMachine(scopes ...string) Machine {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.machineLocked("") // the map and the default machine exist
	e := &machineEntry{id: newID("mch_"), secret: "ak_" + randomHex(24), scopes: slices.Clone(scopes)}
	s.machine.machines[e.id] = e
	return e.snapshot()
}

// GrantMachineAccess lets machine from reach machine to (Clerk's machine
// scopes): the M2M tokens from mints afterwards carry to in their scopes.
// It reports false when from is not a machine of the fake.
func (s *Server) GrantMachineAccess(from, to string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.machineLocked(from)
	if e == nil {
		return false
	}
	if !slices.Contains(e.scopes, to) {
		e.scopes = append(e.scopes, to)
	}
	return true
}

// machineByKeyLocked returns the machine whose secret key is key, or nil.
// s.mu must be held.
func (s *Server) machineByKeyLocked(key string) *machineEntry {
	s.machineLocked("")
	for _, e := range s.machine.machines {
		if key != "" && e.secret == key {
			return e
		}
	}
	return nil
}

// bearer returns the token of an "Authorization: Bearer" header, or "".
func bearer(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// authorizedMachine authenticates an M2M endpoint: with a machine secret
// key it returns that machine; with the instance secret key (when
// allowSecretKey) nil and true; otherwise it answers 401.
func (s *Server) authorizedMachine(w http.ResponseWriter, r *http.Request, allowSecretKey bool) (*Machine, bool) {
	key := bearer(r)
	if allowSecretKey && key == s.secretKey {
		return nil, true
	}
	s.mu.Lock()
	e := s.machineByKeyLocked(key)
	var m Machine
	if e != nil {
		m = e.snapshot()
	}
	s.mu.Unlock()
	if e == nil && allowSecretKey {
		return nil, s.authorized(w, r) // answers the secret key's 401
	}
	if e == nil {
		// Never echo the key: it is a credential.
		s.writeError(w, http.StatusUnauthorized, "machine_secret_key_invalid",
			"The provided Machine Secret Key is invalid",
			"The provided Machine Secret Key is invalid. Make sure that your Machine Secret Key is correct.")
		return nil, false
	}
	return &m, true
}

// m2mTokenWithSecret is the createM2MToken answer (201).
type m2mTokenWithSecret struct {
	Object           string          `json:"object"`
	ID               string          `json:"id"`
	Subject          string          `json:"subject"`
	Claims           json.RawMessage `json:"claims"`
	Scopes           []string        `json:"scopes"`
	Token            string          `json:"token"`
	Revoked          bool            `json:"revoked"`
	RevocationReason *string         `json:"revocation_reason"`
	Expired          bool            `json:"expired"`
	Expiration       *int64          `json:"expiration"`
	LastUsedAt       *int64          `json:"last_used_at"`
	CreatedAt        int64           `json:"created_at"`
	UpdatedAt        int64           `json:"updated_at"`
}

// createM2MToken mints an M2M token for the machine whose secret key
// authenticates the request, as Clerk's createM2MToken: token_format
// (opaque or jwt), seconds_until_expiration (> 0, or null), claims (an
// object, or null) and min_remaining_ttl_seconds (server-side reuse of a
// live opaque token with the same claims and scopes and at least that much
// left; 400 unless below the lifetime).
func (s *Server) createM2MToken(w http.ResponseWriter, r *http.Request) {
	m, ok := s.authorizedMachine(w, r, false)
	if !ok {
		return
	}
	var req struct {
		TokenFormat            *string         `json:"token_format"`
		SecondsUntilExpiration *float64        `json:"seconds_until_expiration"`
		Claims                 json.RawMessage `json:"claims"`
		MinRemainingTTLSeconds *float64        `json:"min_remaining_ttl_seconds"`
	}
	if _, e := decodeBody(r, &req); e != nil {
		e.status = http.StatusBadRequest
		s.writeAPIError(w, e)
		return
	}
	bad := func(param, long string) {
		s.writeAPIError(w, paramError(http.StatusBadRequest, "form_param_format_invalid", param, "is invalid", long))
	}
	format := "opaque"
	if req.TokenFormat != nil {
		format = *req.TokenFormat
	}
	if format != "opaque" && format != "jwt" {
		bad("token_format", "token_format must be one of: opaque, jwt.")
		return
	}
	p := MachineTokenParams{Subject: m.ID, Scopes: m.Scopes}
	if v := req.SecondsUntilExpiration; v != nil {
		if !(*v > 0) || *v > math.MaxInt32 {
			bad("seconds_until_expiration", "seconds_until_expiration must be greater than 0.")
			return
		}
		p.TTL = time.Duration(*v * float64(time.Second))
	}
	if c := strings.TrimSpace(string(req.Claims)); c != "" && c != "null" {
		if err := json.Unmarshal(req.Claims, &p.Claims); err != nil || p.Claims == nil {
			bad("claims", "claims must be an object.")
			return
		}
	}
	var minLeft time.Duration
	if v := req.MinRemainingTTLSeconds; v != nil {
		life := p.TTL
		if life == 0 && format == "jwt" {
			life = DefaultMachineJWTTTL
		}
		if *v < 0 || *v != math.Trunc(*v) || (life > 0 && time.Duration(*v)*time.Second >= life) {
			bad("min_remaining_ttl_seconds", "min_remaining_ttl_seconds must be a non-negative integer below the token lifetime.")
			return
		}
		minLeft = time.Duration(*v) * time.Second
	}
	var (
		tok    MachineToken
		reused bool
	)
	if format == "opaque" && req.MinRemainingTTLSeconds != nil {
		tok, reused = s.reusableM2MToken(m, p.Claims, minLeft)
	}
	switch {
	case reused:
	case format == "jwt":
		tok = s.NewM2MJWT(p)
	default:
		tok = s.NewM2MToken(p)
	}
	s.mu.Lock()
	rec := s.machine.byToken[tok.Token]
	out := m2mTokenWithSecret{
		Object: "machine_to_machine_token", ID: rec.tok.ID, Subject: rec.tok.Subject,
		Claims: slices.Clone(rec.claims), Scopes: slices.Clone(rec.tok.Scopes), Token: rec.tok.Token,
		Expiration: optMillis(rec.tok.Expiration), LastUsedAt: optMillis(rec.lastUsedAt),
		CreatedAt: ms(rec.createdAt), UpdatedAt: ms(rec.updatedAt),
	}
	s.mu.Unlock()
	if out.Scopes == nil {
		out.Scopes = []string{}
	}
	s.writeJSON(w, http.StatusCreated, out)
}

// reusableM2MToken finds a live opaque M2M token of machine m with the
// same scopes and claims and at least minLeft of lifetime left.
func (s *Server) reusableM2MToken(m *Machine, claims map[string]any, minLeft time.Duration) (MachineToken, bool) {
	want := encodeClaims(claims)
	now := s.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.machine.order) - 1; i >= 0; i-- {
		r := s.machine.order[i]
		if r.jwt || r.revoked || r.tok.Kind != KindM2MToken || r.tok.Subject != m.ID ||
			!slices.Equal(r.tok.Scopes, m.Scopes) || string(r.claims) != string(want) {
			continue
		}
		if r.tok.Expiration.IsZero() || r.tok.Expiration.Sub(now) >= minLeft && now.Before(r.tok.Expiration) {
			return r.snapshot(), true
		}
	}
	return MachineToken{}, false
}
