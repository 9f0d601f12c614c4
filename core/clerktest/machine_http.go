package clerktest

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"
)

// The verify endpoints' answers, field for field the spec's 200 schemas
// (additionalProperties: false): nullable fields are pointers or raw JSON
// without omitempty, so that they appear as null.

type apiKeyObject struct {
	Object           string          `json:"object"`
	ID               string          `json:"id"`
	Type             string          `json:"type"`
	Subject          string          `json:"subject"`
	Name             string          `json:"name"`
	Description      *string         `json:"description"`
	Claims           json.RawMessage `json:"claims"`
	Scopes           []string        `json:"scopes"`
	Revoked          bool            `json:"revoked"`
	RevocationReason *string         `json:"revocation_reason"`
	Expired          bool            `json:"expired"`
	Expiration       *int64          `json:"expiration"`
	CreatedBy        *string         `json:"created_by"`
	LastUsedAt       *int64          `json:"last_used_at"`
	CreatedAt        int64           `json:"created_at"`
	UpdatedAt        int64           `json:"updated_at"`
}

type m2mTokenObject struct {
	Object           string          `json:"object"`
	ID               string          `json:"id"`
	Subject          string          `json:"subject"`
	Claims           json.RawMessage `json:"claims"`
	Scopes           []string        `json:"scopes"`
	Revoked          bool            `json:"revoked"`
	RevocationReason *string         `json:"revocation_reason"`
	Expired          bool            `json:"expired"`
	Expiration       *int64          `json:"expiration"`
	LastUsedAt       *int64          `json:"last_used_at"`
	CreatedAt        int64           `json:"created_at"`
	UpdatedAt        int64           `json:"updated_at"`
}

type oauthTokenObject struct {
	Object           string   `json:"object"`
	ID               string   `json:"id"`
	ClientID         string   `json:"client_id"`
	Subject          string   `json:"subject"`
	Scopes           []string `json:"scopes"`
	Revoked          bool     `json:"revoked"`
	RevocationReason *string  `json:"revocation_reason"`
	Expired          bool     `json:"expired"`
	Expiration       *int64   `json:"expiration"`
	CreatedAt        int64    `json:"created_at"`
	UpdatedAt        int64    `json:"updated_at"`
}

// inactiveToken is the spec's second answer of the OAuth endpoint, for an
// expired JWT access token.
type inactiveToken struct {
	Active bool `json:"active"`
}

// machineState is what every verify answer shares, read under s.mu.
type machineState struct {
	revoked    bool
	reason     *string
	expired    bool
	expiration *int64
	lastUsedAt *int64
	scopes     []string
	claims     json.RawMessage
	created    int64
	updated    int64
}

// verifyLocked looks token up among the tokens of kind, records a use of a
// valid token at now and returns the record and its state; nil if the fake
// did not mint such a token. s.mu must be held.
func (s *Server) verifyLocked(kind, token string, now time.Time) (*machineRecord, machineState) {
	r := s.machine.byToken[token]
	if r == nil || r.tok.Kind != kind {
		return nil, machineState{}
	}
	st := machineState{
		revoked:    r.revoked,
		expired:    !r.tok.Expiration.IsZero() && !now.Before(r.tok.Expiration),
		expiration: optMillis(r.tok.Expiration),
		lastUsedAt: optMillis(r.lastUsedAt),
		scopes:     slices.Clone(r.tok.Scopes),
		created:    ms(r.createdAt),
		updated:    ms(r.updatedAt),
	}
	if st.scopes == nil {
		st.scopes = []string{}
	}
	if r.claims != nil {
		st.claims = slices.Clone(r.claims)
	}
	if r.revoked {
		st.reason = ptr(MachineTokenRevocationReason)
	}
	if !st.revoked && !st.expired {
		r.lastUsedAt = now
	}
	return r, st
}

// readMachineToken decodes the verify request body into dst and returns the
// token in the first of fields (pointers to dst's fields) that is set and
// not empty; otherwise it answers 400 (the only client error these
// operations document), naming param when the token is missing.
func (s *Server) readMachineToken(w http.ResponseWriter, r *http.Request, dst any, param string, fields ...**string) (string, bool) {
	if _, e := decodeBody(r, dst); e != nil {
		e.status = http.StatusBadRequest
		s.writeAPIError(w, e)
		return "", false
	}
	for _, f := range fields {
		if *f != nil && **f != "" {
			return **f, true
		}
	}
	s.writeAPIError(w, paramError(http.StatusBadRequest, "form_param_missing", param,
		"missing required parameter", param+" must be included."))
	return "", false
}

func (s *Server) writeMachineNotFound(w http.ResponseWriter, what string) {
	// Never echo the token: it is a credential.
	s.writeError(w, http.StatusNotFound, "resource_not_found", "not found", what+" not found")
}

// answerVerify answers a verify request for token of kind: 404 naming what
// when the fake did not mint it, else 200 with the object body builds from
// the record and its state (called with the server's lock held).
func (s *Server) answerVerify(w http.ResponseWriter, kind, token, what string, body func(*machineRecord, machineState) any) {
	now := s.clock()
	s.mu.Lock()
	rec, st := s.verifyLocked(kind, token, now)
	var out any
	if rec != nil {
		out = body(rec, st)
	}
	s.mu.Unlock()
	if rec == nil {
		s.writeMachineNotFound(w, what)
		return
	}
	s.writeJSON(w, http.StatusOK, out)
}

func (s *Server) verifyAPIKey(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Secret *string `json:"secret"`
	}
	token, ok := s.readMachineToken(w, r, &req, "secret", &req.Secret)
	if !ok {
		return
	}
	s.answerVerify(w, KindAPIKey, token, "API key", func(rec *machineRecord, st machineState) any {
		return apiKeyObject{
			Object: "api_key", ID: rec.tok.ID, Type: "api_key", Subject: rec.tok.Subject, Name: rec.tok.Name,
			Claims: st.claims, Scopes: st.scopes, Revoked: st.revoked, RevocationReason: st.reason,
			Expired: st.expired, Expiration: st.expiration, LastUsedAt: st.lastUsedAt,
			CreatedAt: st.created, UpdatedAt: st.updated,
		}
	})
}

// verifyM2MToken answers with the instance secret key for any M2M token,
// and with a machine secret key only for tokens granted access to that
// machine (its ID among their scopes); others are not found.
func (s *Server) verifyM2MToken(w http.ResponseWriter, r *http.Request) {
	m, ok := s.authorizedMachine(w, r, true)
	if !ok {
		return
	}
	var req struct {
		Token *string `json:"token"`
	}
	token, ok := s.readMachineToken(w, r, &req, "token", &req.Token)
	if !ok {
		return
	}
	if m != nil && !s.grantsAccess(token, m.ID) {
		s.writeMachineNotFound(w, "Machine token")
		return
	}
	s.answerVerify(w, KindM2MToken, token, "Machine token", func(rec *machineRecord, st machineState) any {
		return m2mTokenObject{
			Object: "machine_to_machine_token", ID: rec.tok.ID, Subject: rec.tok.Subject,
			Claims: st.claims, Scopes: st.scopes, Revoked: st.revoked, RevocationReason: st.reason,
			Expired: st.expired, Expiration: st.expiration, LastUsedAt: st.lastUsedAt,
			CreatedAt: st.created, UpdatedAt: st.updated,
		}
	})
}

func (s *Server) verifyOAuthToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AccessToken *string `json:"access_token"`
		Secret      *string `json:"secret"` // deprecated spelling
	}
	token, ok := s.readMachineToken(w, r, &req, "access_token", &req.AccessToken, &req.Secret)
	if !ok {
		return
	}
	s.answerVerify(w, KindOAuthToken, token, "OAuth token", func(rec *machineRecord, st machineState) any {
		if rec.jwt && st.expired {
			return inactiveToken{Active: false}
		}
		return oauthTokenObject{
			Object: "clerk_idp_oauth_access_token", ID: rec.tok.ID, ClientID: rec.tok.ClientID,
			Subject: rec.tok.Subject, Scopes: st.scopes, Revoked: st.revoked, RevocationReason: st.reason,
			Expired: st.expired, Expiration: st.expiration, CreatedAt: st.created, UpdatedAt: st.updated,
		}
	})
}

// grantsAccess reports whether the stored token's scopes include machine.
func (s *Server) grantsAccess(token, machine string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.machine.byToken[token]
	return r != nil && slices.Contains(r.tok.Scopes, machine)
}
