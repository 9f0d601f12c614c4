package core

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/clerkgo/clerk/core/bapi"
)

// VerifyMachineToken verifies a machine token of one of the accepted kinds
// (APIKey, M2MToken, OAuthToken; AnyToken for all three) and returns its
// Auth. The kind is recognised locally, before any network call: opaque
// tokens by their prefix ("ak_", "mt_", "oat_"), JWTs by their header and
// subject. A kind not accepted is [ReasonTokenTypeNotAccepted]. JWT forms
// are verified locally with the instance keys, by the same rules as session
// tokens; opaque tokens with the Backend API (POST /api_keys/verify,
// /m2m_tokens/verify, /oauth_applications/access_tokens/verify), with
// concurrent requests for one token sharing one call and results cached
// for Config.MachineTokenCacheTTL (never past the token's expiry). A
// revoked, expired or unknown token is invalid credentials (HTTP 401);
// Clerk unreachable is [ErrUnavailable] (503). The token is never logged,
// put in an error, or kept in the clear (caches key it by its SHA-256).
func (c *Client) VerifyMachineToken(ctx context.Context, token string, accepts ...TokenKind) (*Auth, error) {
	if c == nil || c.s == nil {
		return nil, errNilClient
	}
	set, err := acceptedKinds(accepts)
	if err != nil {
		return nil, err
	}
	set &^= acceptSession
	v, err := c.verify(ctx, token, set)
	if err != nil {
		return nil, c.label(err)
	}
	return v.machine, nil
}

// verifyMachineJWT verifies an M2M JWT or a JWT OAuth access token: the
// header rules of its kind, the signature with the instance keys, then its
// claims and times.
func (c *Client) verifyMachineJWT(ctx context.Context, kind TokenKind, t *jwsToken) (*Auth, error) {
	switch kind {
	case M2MToken:
		// Clerk's reference: typ JWT (or none), and the M2M category or none.
		if t.hasTyp && t.typ != "JWT" {
			return nil, newError(ReasonTokenInvalidType, nil)
		}
		if t.hasCat && t.cat != categoryM2M {
			return nil, newError(ReasonTokenNotSession, nil)
		}
	case OAuthToken:
		if !t.hasTyp || !isOAuthType(t.typ) {
			return nil, newError(ReasonTokenInvalidType, nil)
		}
	}
	key, err := c.keys.get(ctx, t.kid)
	if err != nil {
		return nil, err
	}
	if r := key.verify(t); r != "" {
		return nil, newError(r, nil)
	}
	a, r, err := parseMachineClaims(kind, t.payload)
	if r != "" {
		return nil, newError(r, err)
	}
	if r := c.checkTime(a.times, c.s.Now()); r != "" {
		return nil, newError(r, nil)
	}
	// RFC 9068 §4: a resource server checks an access token's aud. The rule
	// is the session tokens' (Config.Audience). An M2M JWT's aud is not an
	// audience but its scopes (the machines it may reach), as Clerk reads
	// it: Config.Audience does not apply to it.
	if kind == OAuthToken && len(c.s.audiences) > 0 && !c.audienceOK(a.aud) {
		return nil, newError(ReasonTokenInvalidAudience, nil)
	}
	return a.auth, nil
}

// machineClaims is a verified machine JWT's Auth, its times and its aud.
type machineClaims struct {
	auth  *Auth
	times *Claims  // Expiry, IssuedAt, NotBefore only
	aud   []string // the aud claim (a string or a list), or nil
}

// machineReserved are the structural claims of an M2M JWT; every other
// claim is a custom claim (Clerk's M2M_RESERVED_JWT_CLAIMS).
var machineReserved = []string{"iss", "sub", "exp", "nbf", "iat", "jti"}

// parseMachineClaims reads the claims of an M2M or OAuth JWT with the rules
// of session claims (exact names, no repeats, registered claims not null):
// sub and exp are required; M2M scopes come from "scopes" (space-separated)
// or else "aud", OAuth scopes from "scp" (a list) or else "scope"
// (space-separated), as Clerk reads them.
func parseMachineClaims(kind TokenKind, raw string) (machineClaims, Reason, error) {
	var (
		p                      registered
		jti, clientID          string
		scopes, scope          string
		hasScopes, hasScope    bool
		scp                    []string
		hasScp, hasOtherClaims bool
	)
	r := jsonReader{s: raw}
	err := r.claims(&p, func(key string) (bool, error) {
		var err error
		switch key {
		case "jti":
			err = r.requiredString(&jti)
		case "client_id":
			err = r.str(&clientID)
		case "scopes":
			hasScopes, hasOtherClaims = true, true
			err = r.str(&scopes)
		case "scope":
			hasScope = true
			err = r.str(&scope)
		case "scp":
			hasScp = true
			scp, err = r.strings()
		default:
			hasOtherClaims = true
			return false, nil
		}
		return true, err
	})
	if err != nil {
		return machineClaims{}, decodeReason(err), err
	}
	subPrefix := ""
	if kind == M2MToken {
		subPrefix = machineSubjectPrefix
	}
	if r := p.require(subPrefix); r != "" {
		return machineClaims{}, r, nil
	}
	hasOtherClaims = hasOtherClaims || p.aud != nil
	times := &Claims{Expiry: unixDate(p.exp, true), IssuedAt: unixDate(p.iat, p.hasIat), NotBefore: unixDate(p.nbf, p.hasNbf)}
	a := &Auth{Kind: kind, Subject: p.sub, ID: jti, Expiry: times.Expiry}
	switch kind {
	case M2MToken:
		switch {
		case hasScopes:
			a.Scopes = strings.Fields(scopes)
		case p.aud != nil:
			a.Scopes = p.aud
		}
		if hasOtherClaims {
			claims := map[string]any{}
			if err := jsonv2.Unmarshal([]byte(raw), &claims); err != nil {
				return machineClaims{}, ReasonTokenMalformed, errJSON
			}
			for _, k := range machineReserved {
				delete(claims, k)
			}
			if len(claims) > 0 {
				a.Claims = claims
			}
		}
	case OAuthToken:
		a.ClientID = clientID
		switch {
		case hasScp:
			a.Scopes = scp
		case hasScope:
			a.Scopes = strings.Fields(scope)
		}
	}
	return machineClaims{auth: a, times: times, aud: p.aud}, "", nil
}

// machineOutcome is what the Backend API said about an opaque token, as the
// machine-token cache keeps it (and a shared cache stores it as JSON).
type machineOutcome struct {
	Auth   *Auth  `json:"auth,omitempty"`
	Reason Reason `json:"reason,omitempty"` // a refusal; no Auth
}

// errNoSecretKey is the cause when a client without a secret key is asked
// to verify an opaque machine token.
var errNoSecretKey = errors.New("opaque machine tokens need the Backend API: set a secret key")

// verifyOpaque verifies an opaque machine token with the Backend API,
// through the coalescing, caching machine-token cache.
func (c *Client) verifyOpaque(ctx context.Context, kind TokenKind, token string) (*Auth, error) {
	if c.verifyAPI(kind) == nil {
		return nil, newError(ReasonTokenVerificationUnavailable, errNoSecretKey)
	}
	out, hit, err := c.machines.getHit(ctx, hashToken(token), token)
	if err != nil {
		if ReasonOf(err) == "" { // the caller gave up
			return nil, newError(ReasonTokenVerificationUnavailable, err)
		}
		return nil, err
	}
	if out.Reason != "" {
		return nil, newError(out.Reason, nil)
	}
	if out.Auth.Kind != kind {
		return nil, newError(ReasonTokenTypeNotAccepted, nil)
	}
	// A memory hit was fresh when read, and a verdict is never kept past
	// its token's expiry (fetchMachine): only a new one needs the clock.
	if !hit && !out.Auth.Expiry.IsZero() && !out.Auth.Expiry.After(c.s.Now()) {
		return nil, newError(ReasonTokenExpired, nil)
	}
	return out.Auth, nil
}

// fetchMachine asks the Backend API about one opaque token.
func (c *Client) fetchMachine(ctx context.Context, token string) fetched[machineOutcome] {
	kind := opaqueKind(token)
	op := map[TokenKind]CallOp{APIKey: CallVerifyAPIKey, M2MToken: CallVerifyM2MToken, OAuthToken: CallVerifyOAuthToken}[kind]
	ctx, done := c.events.call(ctx, op)
	a, err := c.callVerify(ctx, kind, token)
	now := c.s.Now()
	keep := now.Add(c.s.machineCache)
	switch {
	case err != nil && bapiRefused(err):
		done(nil) // Clerk answered: the token is not valid
		return fetched[machineOutcome]{value: machineOutcome{Reason: ReasonTokenNotFound}, expires: keep}
	case err != nil:
		done(err)
		return fetched[machineOutcome]{err: newError(ReasonTokenVerificationUnavailable, err)}
	}
	done(nil)
	if a.reason != "" {
		return fetched[machineOutcome]{value: machineOutcome{Reason: a.reason}, expires: keep}
	}
	if !a.auth.Expiry.IsZero() && a.auth.Expiry.Before(keep) {
		keep = a.auth.Expiry // never cached past the token's expiry
	}
	return fetched[machineOutcome]{value: machineOutcome{Auth: a.auth}, expires: keep}
}

// bapiRefused reports whether the Backend API answered that the token is
// not valid (400, 404, 410, 422), as opposed to failing (401 or 403 for our
// own secret key, 429, 5xx, network).
func bapiRefused(err error) bool {
	switch bapi.StatusCode(err) {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusGone, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

// verified is an opaque token's Auth, or why it is refused.
type verified struct {
	auth   *Auth
	reason Reason
}

func (c *Client) callVerify(ctx context.Context, kind TokenKind, token string) (verified, error) {
	switch kind {
	case APIKey:
		k, _, err := c.api.APIKeys.Verify(ctx, &bapi.VerifyAPIKeyParams{Secret: token})
		if err != nil || k == nil {
			return verified{}, nilResult(err)
		}
		return refusal(k.Revoked, k.Expired, k.Expiration, &Auth{
			Kind: APIKey, Subject: k.Subject, ID: k.ID, Name: k.Name, Scopes: k.Scopes, Claims: claimsMap(k.Claims),
		}), nil
	case M2MToken:
		m, _, err := c.verifyAPI(M2MToken).M2MTokens.Verify(ctx, &bapi.VerifyM2MTokenParams{Token: token})
		if err != nil || m == nil {
			return verified{}, nilResult(err)
		}
		return refusal(m.Revoked, m.Expired, m.Expiration, &Auth{
			Kind: M2MToken, Subject: m.Subject, ID: m.ID, Scopes: m.Scopes, Claims: claimsMap(m.Claims),
		}), nil
	default:
		o, _, err := c.api.OAuthAccessTokens.Verify(ctx, &bapi.VerifyOAuthAccessTokenParams{AccessToken: &token})
		if err != nil || o == nil {
			return verified{}, nilResult(err)
		}
		if o.ID == "" && !o.Active { // {"active": false}: an expired JWT access token
			return verified{reason: ReasonTokenExpired}, nil
		}
		return refusal(o.Revoked, o.Expired, o.Expiration, &Auth{
			Kind: OAuthToken, Subject: o.Subject, ID: o.ID, ClientID: o.ClientID, Scopes: o.Scopes,
		}), nil
	}
}

// errEmptyAnswer is the cause of a 2xx answer without a body.
var errEmptyAnswer = errors.New("empty answer from the Backend API")

func nilResult(err error) error {
	if err == nil {
		return errEmptyAnswer
	}
	return err
}

// refusal applies the revoked and expired flags and the expiration (Unix
// milliseconds) of a verify answer.
func refusal(revoked, expired bool, expiration *float64, a *Auth) verified {
	switch {
	case revoked:
		return verified{reason: ReasonTokenRevoked}
	case expired:
		return verified{reason: ReasonTokenExpired}
	}
	if expiration != nil && *expiration > 0 && *expiration < math.MaxInt64 {
		a.Expiry = time.UnixMilli(int64(*expiration))
	}
	return verified{auth: a}
}

// claimsMap returns the custom claims of a verify answer as a map, or nil.
func claimsMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	if len(m) == 0 {
		return nil
	}
	return m
}

// encodeMachine and decodeMachine store machine outcomes in a shared cache.
func encodeMachine(f fetched[machineOutcome]) ([]byte, bool) {
	if f.err != nil {
		return nil, false
	}
	b, err := json.Marshal(f.value)
	return b, err == nil
}

func decodeMachine(b []byte) (fetched[machineOutcome], bool) {
	var out machineOutcome
	if err := json.Unmarshal(b, &out); err != nil || (out.Auth == nil) == (out.Reason == "") {
		return fetched[machineOutcome]{}, false
	}
	return fetched[machineOutcome]{value: out}, true
}
