package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/clerkgo/clerk/core/bapi"
	"github.com/clerkgo/clerk/internal/secret"
)

// Outgoing machine-to-machine tokens: a machine secret key mints M2M tokens
// (POST /v1/m2m_tokens, as @clerk/backend's m2m.createToken) that a
// service sends to another one as "Authorization: Bearer <token>".

// M2MTokenFormat is the format of a minted M2M token.
type M2MTokenFormat string

// The M2M token formats Clerk mints.
const (
	// M2MOpaque tokens ("mt_...") are verified by the receiver with the
	// Backend API, so a revocation takes effect at once. The default.
	M2MOpaque M2MTokenFormat = "opaque"
	// M2MJWT tokens are verified by the receiver locally with the
	// instance keys: no network call, but valid until they expire.
	M2MJWT M2MTokenFormat = "jwt"
)

// DefaultM2MMinRemainingTTL is the default [M2MTokenOptions.MinRemainingTTL].
const DefaultM2MMinRemainingTTL = 30 * time.Second

// m2mRetryAfterFailure is how long a failed mint is answered from memory
// before the next attempt, so that an outage does not turn every outgoing
// call into a call to Clerk.
const m2mRetryAfterFailure = time.Second

// M2MTokenOptions describes the tokens an [M2MTokenSource] mints. The zero
// value mints opaque tokens with the machine's default lifetime.
type M2MTokenOptions struct {
	// Format is M2MOpaque (default) or M2MJWT.
	Format M2MTokenFormat
	// TTL is the tokens' lifetime (Clerk's seconds_until_expiration, whole
	// seconds, at least 1s). Zero: the machine's default.
	TTL time.Duration
	// Claims are custom claims carried by the tokens (nil: none). They must
	// encode as JSON.
	Claims map[string]any
	// MinRemainingTTL is the least lifetime a token handed out has left, as
	// Clerk's min_remaining_ttl_seconds: a token closer to its expiry is
	// replaced first (callers wait for the new one). A replacement is
	// started in the background, callers not waiting, once a token has less
	// than twice this left. For tokens shorter-lived than four times this,
	// a quarter and a half of their lifetime are used instead. Default 30s.
	MinRemainingTTL time.Duration
	// Timeout bounds one mint, and so the wait of every caller sharing it.
	// Default Config.Timeout.
	Timeout time.Duration
}

// MintedToken is an M2M token minted by an [M2MTokenSource]. Its value is
// a credential: every fmt verb, slog and encoding/json show the token
// without it; only [MintedToken.Value] returns it.
type MintedToken struct {
	value secret.String
	// ID is the token's ID ("mt_" followed by 32 hex characters).
	ID string
	// Subject is the machine the token acts for ("mch_...").
	Subject string
	// Scopes are the IDs of the machines the token may reach.
	Scopes []string
	// TokenFormat is the token's format.
	TokenFormat M2MTokenFormat
	// Expiry is when the token expires; zero when it never does.
	Expiry time.Time
}

// Value returns the token itself, to send as "Authorization: Bearer
// <value>". Never log it.
func (t MintedToken) Value() string { return t.value.Reveal() }

// String describes the token without its value.
func (t MintedToken) String() string {
	exp := "never"
	if !t.Expiry.IsZero() {
		exp = t.Expiry.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("clerk.MintedToken{ID:%q Subject:%q Format:%q Expiry:%s Token:%s}",
		t.ID, t.Subject, t.TokenFormat, exp, t.value.Quoted())
}

// GoString is [MintedToken.String], for %#v.
func (t MintedToken) GoString() string { return t.String() }

// Format writes [MintedToken.String] for every verb, so that no verb prints
// the token.
func (t MintedToken) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, t.String()) }

// LogValue is the token as slog shows it: without its value.
func (t MintedToken) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", t.ID), slog.String("subject", t.Subject),
		slog.String("format", string(t.TokenFormat)), slog.Time("expiry", t.Expiry),
		slog.Any("token", t.value))
}

// MarshalJSON encodes the token without its value.
func (t MintedToken) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID      string         `json:"id"`
		Subject string         `json:"subject"`
		Scopes  []string       `json:"scopes"`
		Format  M2MTokenFormat `json:"format"`
		Expiry  time.Time      `json:"expiry,omitzero"`
		Token   secret.String  `json:"token"`
	}{t.ID, t.Subject, t.Scopes, t.TokenFormat, t.Expiry, t.value})
}

// Errors of M2M token sources, the Err of an [*Error] of reason
// [ReasonM2MTokenUnavailable] (or of a *ConfigError for the first).
var (
	// ErrNoMachineSecretKey: the client has no Config.MachineSecretKey, so
	// it cannot mint M2M tokens.
	ErrNoMachineSecretKey = errors.New("clerk: minting M2M tokens needs a machine secret key (MachineSecretKey, CLERK_MACHINE_SECRET_KEY)")
	// ErrSourceClosed: the token source was closed.
	ErrSourceClosed = errors.New("clerk: M2M token source is closed")
	// errBadMint is the cause of a mint answer without a usable token.
	errBadMint = errors.New("the Backend API answered without a usable M2M token")
)

// M2MTokenSource mints M2M tokens with the client's machine secret key and
// hands out the current one until it nears its expiry. Concurrent callers
// share one mint in flight; a failed mint is answered from memory for a
// second before the next attempt. It is safe for concurrent use; Close it
// to stop a mint in progress.
type M2MTokenSource struct {
	c       *Client
	params  bapi.CreateM2MTokenParams
	format  M2MTokenFormat
	minLeft time.Duration
	timeout time.Duration

	ctx    context.Context // ends at Close; parent of every mint
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	cur      sourcedToken
	inflight *mintCall
	lastErr  error
	failedAt time.Time
	closed   bool
}

// sourcedToken is the current token and when it is due for renewal.
type sourcedToken struct {
	tok     MintedToken
	renewAt time.Time // from then on a replacement is minted in the background
	hardAt  time.Time // from then on it is not handed out
	ok      bool
}

// mintCall is one mint in flight; done is closed when tok or err is set.
type mintCall struct {
	done chan struct{}
	tok  MintedToken
	err  error
}

// M2MTokenSource returns a source of M2M tokens for outgoing calls, minted
// with Config.MachineSecretKey (a *ConfigError matching
// [ErrNoMachineSecretKey] without one). It makes no network call until the
// first [M2MTokenSource.Token]. Close the source when done.
func (c *Client) M2MTokenSource(opts M2MTokenOptions) (*M2MTokenSource, error) {
	if c == nil || c.s == nil {
		return nil, errNilClient
	}
	if c.m2mAPI == nil {
		return nil, &ConfigError{Field: "MachineSecretKey", Problem: "is required to mint M2M tokens", Instance: c.s.Name, Err: ErrNoMachineSecretKey}
	}
	bad := func(field, problem string) error {
		return &ConfigError{Field: "M2MTokenOptions." + field, Problem: problem, Instance: c.s.Name}
	}
	s := &M2MTokenSource{c: c, format: opts.Format, minLeft: opts.MinRemainingTTL, timeout: opts.Timeout}
	switch opts.Format {
	case "":
		s.format = M2MOpaque
	case M2MOpaque, M2MJWT:
	default:
		return nil, bad("Format", `must be "opaque" or "jwt"`)
	}
	s.params.TokenFormat = bapi.Ptr(string(s.format))
	switch {
	case opts.TTL < 0 || (opts.TTL > 0 && opts.TTL < time.Second):
		return nil, bad("TTL", "must be zero or at least 1s")
	case opts.TTL > 0:
		s.params.SecondsUntilExpiration = bapi.Value(math.Floor(opts.TTL.Seconds()))
	}
	if opts.Claims != nil {
		s.params.Claims = bapi.Value[any](opts.Claims)
	}
	switch {
	case opts.MinRemainingTTL < 0:
		return nil, bad("MinRemainingTTL", "must not be negative")
	case opts.MinRemainingTTL == 0:
		s.minLeft = DefaultM2MMinRemainingTTL
	}
	switch {
	case opts.Timeout < 0:
		return nil, bad("Timeout", "must not be negative")
	case opts.Timeout == 0:
		s.timeout = c.s.Timeout
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Token returns a token with at least MinRemainingTTL left, minting one
// when needed. The wait is bounded by ctx and the source's Timeout. Errors
// are [*Error]s of reason [ReasonM2MTokenUnavailable] (class
// [ErrUnavailable]) whose Err is the cause: a *bapi.Error for Clerk's
// answer, a context error, or [ErrSourceClosed].
func (s *M2MTokenSource) Token(ctx context.Context) (MintedToken, error) {
	if s == nil || s.c == nil {
		return MintedToken{}, errNilClient
	}
	if ctx == nil {
		ctx = context.Background()
	}
	now := s.c.s.Now()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return MintedToken{}, s.c.label(newError(ReasonM2MTokenUnavailable, ErrSourceClosed))
	}
	cur := s.cur
	if cur.ok && now.Before(cur.hardAt) {
		if !now.Before(cur.renewAt) && s.mayMintLocked(now) {
			s.startLocked(ctx) // renew in the background; this caller does not wait
		}
		s.mu.Unlock()
		return cur.tok, nil
	}
	if !s.mayMintLocked(now) {
		err := s.lastErr
		s.mu.Unlock()
		return MintedToken{}, err
	}
	m := s.startLocked(ctx)
	s.mu.Unlock()
	select {
	case <-m.done:
		return m.tok, m.err
	case <-ctx.Done():
		return MintedToken{}, s.c.label(newError(ReasonM2MTokenUnavailable, ctx.Err()))
	}
}

// mayMintLocked reports whether a mint may start (or is running): not
// within a second of a failed one. s.mu must be held.
func (s *M2MTokenSource) mayMintLocked(now time.Time) bool {
	return s.inflight != nil || s.lastErr == nil || now.Sub(s.failedAt) >= m2mRetryAfterFailure || now.Before(s.failedAt)
}

// startLocked returns the mint in flight, starting one if none is. The
// mint carries the values of caller (its trace span), not its
// cancellation: it ends at its timeout or at Close. s.mu must be held.
func (s *M2MTokenSource) startLocked(caller context.Context) *mintCall {
	if s.inflight != nil {
		return s.inflight
	}
	m := &mintCall{done: make(chan struct{})}
	s.inflight = m
	s.wg.Add(1)
	go s.run(caller, m)
	return m
}

func (s *M2MTokenSource) run(caller context.Context, m *mintCall) {
	defer s.wg.Done()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(caller), s.timeout)
	stop := context.AfterFunc(s.ctx, cancel)
	tok, err := s.mint(ctx)
	stop()
	cancel()

	now := s.c.s.Now()
	s.mu.Lock()
	s.inflight = nil
	if err != nil {
		s.lastErr, s.failedAt = err, now
	} else {
		s.lastErr = nil
		s.cur = s.schedule(tok, now)
	}
	m.tok, m.err = tok, err
	s.mu.Unlock()
	close(m.done)
}

// schedule sets when tok is renewed: at twice MinRemainingTTL before its
// expiry, and handed out no more at MinRemainingTTL before it; for a short
// lifetime L, at L/2 and L/4 before it.
func (s *M2MTokenSource) schedule(tok MintedToken, now time.Time) sourcedToken {
	st := sourcedToken{tok: tok, ok: true}
	if tok.Expiry.IsZero() {
		st.renewAt = time.Unix(1<<62, 0) // never expires: never renewed
		st.hardAt = st.renewAt
		return st
	}
	life := tok.Expiry.Sub(now)
	st.hardAt = tok.Expiry.Add(-min(s.minLeft, life/4))
	st.renewAt = tok.Expiry.Add(-min(2*s.minLeft, life/2))
	return st
}

// mint asks the Backend API for a new token.
func (s *M2MTokenSource) mint(ctx context.Context) (MintedToken, error) {
	c := s.c
	ctx, done := c.events.call(ctx, CallCreateM2MToken)
	params := s.params
	t, _, err := c.m2mAPI.M2MTokens.Create(ctx, &params)
	if err == nil {
		err = checkMinted(t, s.format)
	}
	done(err)
	if err != nil {
		if s.ctx.Err() != nil {
			err = ErrSourceClosed
		}
		return MintedToken{}, c.label(newError(ReasonM2MTokenUnavailable, err))
	}
	tok := MintedToken{value: secret.New(t.Token), ID: t.ID, Subject: t.Subject, Scopes: t.Scopes, TokenFormat: s.format}
	if t.Expiration != nil && *t.Expiration > 0 && *t.Expiration < math.MaxInt64 {
		tok.Expiry = time.UnixMilli(int64(*t.Expiration))
		if !tok.Expiry.After(c.s.Now()) {
			return MintedToken{}, c.label(newError(ReasonM2MTokenUnavailable, errBadMint))
		}
	}
	return tok, nil
}

// checkMinted checks that a mint answer carries a token of the format
// asked for, one that fits in an Authorization header.
func checkMinted(t *bapi.M2MTokenWithSecret, format M2MTokenFormat) error {
	if t == nil || t.Token == "" || len(t.Token) > MaxTokenSize || t.Revoked || t.Expired {
		return errBadMint
	}
	for i := 0; i < len(t.Token); i++ {
		if c := t.Token[i]; c <= ' ' || c >= 0x7f {
			return errBadMint
		}
	}
	if format == M2MOpaque && !strings.HasPrefix(t.Token, "mt_") {
		return errBadMint
	}
	if format == M2MJWT && strings.Count(t.Token, ".") != 2 {
		return errBadMint
	}
	return nil
}

// Close stops a mint in progress and waits for it; later calls to Token
// fail with [ErrSourceClosed]. Close is idempotent and safe on a nil
// source. It does not close the Client.
func (s *M2MTokenSource) Close() error {
	if s == nil || s.cancel == nil {
		return nil
	}
	s.mu.Lock()
	s.closed = true
	s.cur = sourcedToken{}
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	return nil
}

// String describes the source without any token.
func (s *M2MTokenSource) String() string {
	if s == nil || s.c == nil {
		return "clerk.M2MTokenSource{}"
	}
	return fmt.Sprintf("clerk.M2MTokenSource{Instance:%q Format:%q}", s.c.s.Name, s.format)
}

// GoString is [M2MTokenSource.String], for %#v.
func (s *M2MTokenSource) GoString() string { return s.String() }

// Format writes [M2MTokenSource.String] for every verb, so that no verb
// prints the current token.
func (s *M2MTokenSource) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// initMachineKey builds the Backend API client authenticated with the
// machine secret key, which mints M2M tokens and verifies incoming opaque
// ones (Clerk then answers only for tokens granted access to this
// machine). Machine-token verdicts get a shared-cache namespace of the
// machine: another machine of the instance must not reuse them.
func (c *Client) initMachineKey() error {
	s := c.s
	var err error
	c.m2mAPI, err = bapi.NewClient(s.MachineSecretKey,
		bapi.WithBaseURL(s.apiURL),
		bapi.WithHTTPClient(s.HTTPClient),
		bapi.WithTimeout(s.Timeout),
		bapi.WithMaxRetries(s.MaxRetries))
	if err != nil {
		return &ConfigError{Field: "MachineSecretKey/APIURL", Problem: err.Error()}
	}
	if c.machines == nil {
		c.machines = newFetchCache[tokenHash](fetchCacheConfig[machineOutcome]{
			name: "machine", fetch: c.fetchMachine, now: s.Now, size: s.MachineTokenCacheSize,
			timeout: s.Timeout, ttl: s.machineCache, events: c.events,
		})
	}
	if s.Cache != nil {
		// The machine's own namespace and MAC key, derived from its key.
		c.machines.withShared(sharedConfig[tokenHash, machineOutcome]{
			cache: s.Cache, timeout: s.SharedCacheTimeout, secretKey: "machine\x00" + s.MachineSecretKey,
			keyString: tokenHash.String, encode: encodeMachine, decode: decodeMachine,
		})
	}
	return nil
}

// verifyAPI is the Backend API client that verifies opaque tokens of kind:
// for M2M tokens the machine secret key's when there is one (as
// @clerk/backend), else the secret key's; nil when there is neither.
func (c *Client) verifyAPI(kind TokenKind) *bapi.Client {
	if kind == M2MToken && c.m2mAPI != nil {
		return c.m2mAPI
	}
	return c.api
}

// checkMachineKey validates a machine secret key's shape (Clerk's are
// "ak_" followed by the secret) without echoing it.
func checkMachineKey(key string) error {
	body, ok := strings.CutPrefix(key, "ak_")
	if !ok {
		return errors.New("must start with ak_")
	}
	if body == "" {
		return errors.New("is empty after its prefix")
	}
	for i := 0; i < len(body); i++ {
		if c := body[i]; c <= ' ' || c >= 0x7f {
			return errors.New("contains whitespace or non-ASCII characters")
		}
	}
	return nil
}
