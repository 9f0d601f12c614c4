package core

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/clerkgo/clerk/core/bapi"
	"github.com/clerkgo/clerk/internal/secret"
)

// Client is one Clerk instance: its settings, its key cache, its verified
// token cache, its Backend API client and its user cache. Clients share
// nothing, so several instances (tenants) can live in one process; a token
// of one instance never verifies at another.
//
// A Client is safe for concurrent use. Close it when done to stop any
// background key fetch.
type Client struct {
	s        *settings
	keys     *keyCache
	tokens   *tokenCache
	headers  *headerMemo  // verdicts of header segments whose tokens verified
	api      *bapi.Client // nil without a secret key
	m2mAPI   *bapi.Client // authenticated with the machine secret key; nil without one
	users    *fetchCache[string, *User]
	machines *fetchCache[tokenHash, machineOutcome]
	events   *events
	closed   atomic.Bool // set by Close

	jwksHTTP *http.Client // the Frontend API JWKS fetch: no cross-origin redirects
}

// New validates cfg and returns a client for the instance. It makes no
// network call: keys are fetched on first use, so an application starts
// even while Clerk is unreachable, answers [ErrUnavailable] until keys
// arrive, and recovers by itself.
func New(cfg Config) (*Client, error) {
	s, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	c := &Client{
		s:        s,
		tokens:   newTokenCache(s.TokenCacheSize),
		headers:  newHeaderMemo(),
		jwksHTTP: sameOriginRedirects(s.HTTPClient),
		events:   newEvents(s.Logger, s.Observer, s.Name),
	}
	if s.SecretKey != "" {
		c.api, err = bapi.NewClient(s.SecretKey,
			bapi.WithBaseURL(s.apiURL),
			bapi.WithHTTPClient(s.HTTPClient),
			bapi.WithTimeout(s.Timeout),
			bapi.WithMaxRetries(s.MaxRetries))
		if err != nil {
			return nil, &ConfigError{Field: "SecretKey/APIURL", Problem: err.Error()}
		}
		c.users = newFetchCache[string](fetchCacheConfig[*User]{
			name: "user", fetch: c.fetchUser, now: s.Now, size: DefaultUserCacheSize,
			timeout: s.Timeout, ttl: s.userCache, events: c.events,
		})
		c.machines = newFetchCache[tokenHash](fetchCacheConfig[machineOutcome]{
			name: "machine", fetch: c.fetchMachine, now: s.Now, size: s.MachineTokenCacheSize,
			timeout: s.Timeout, ttl: s.machineCache, events: c.events,
		})
		if s.Cache != nil {
			c.users.withShared(sharedConfig[string, *User]{
				cache: s.Cache, timeout: s.SharedCacheTimeout, secretKey: s.SecretKey,
				keyString: func(id string) string { return id }, encode: encodeUser, decode: decodeUser,
			})
			c.machines.withShared(sharedConfig[tokenHash, machineOutcome]{
				cache: s.Cache, timeout: s.SharedCacheTimeout, secretKey: s.SecretKey,
				keyString: tokenHash.String, encode: encodeMachine, decode: decodeMachine,
			})
		}
	}
	if s.MachineSecretKey != "" {
		if err := c.initMachineKey(); err != nil {
			return nil, err
		}
	}
	switch {
	case s.jwtKey != nil:
		c.keys = staticKeyCache(s.jwtKey)
	case s.SecretKey != "":
		c.keys = newKeyCache(c.fetchBackendKeys, s.Now, s.KeyRefresh, s.KeyCooldown, s.Timeout)
	case s.jwksURL == "": // a machine secret key alone: no keys, JWTs are refused
		c.keys = &keyCache{}
	default:
		c.keys = newKeyCache(c.fetchFrontendKeys, s.Now, s.KeyRefresh, s.KeyCooldown, s.Timeout)
	}
	c.keys.onRecover = func() { c.events.recovered(context.Background(), CallJWKS) }
	return c, nil
}

// NewFromEnv is New(ConfigFromEnv()): a client configured from the process
// environment at the time of the call.
func NewFromEnv() (*Client, error) {
	cfg, err := ConfigFromEnv()
	if err != nil {
		return nil, err
	}
	return New(cfg)
}

// Close stops background work (a key, user or machine-token fetch in
// progress), waits for it, and closes the idle connections of the
// connection pool the client made for itself (none of a Config.HTTPClient's).
// Later calls start no new work: what is cached still answers, and whatever
// would need Clerk (a fetch cut short by Close too) fails with
// [ReasonClientClosed] ([ErrUnavailable]: HTTP 503). Close is idempotent and
// safe on a nil or zero Client.
func (c *Client) Close() error {
	if c == nil || c.s == nil {
		return nil
	}
	c.closed.Store(true)
	c.keys.close()
	c.users.close()
	c.machines.close()
	_ = c.api.Close() // nil-safe; the pool below is the one it uses
	_ = c.m2mAPI.Close()
	if c.s.transport != nil {
		c.s.transport.CloseIdleConnections()
	}
	return nil
}

// API returns the Backend API client of the instance, for any operation of
// Clerk's Backend API; nil when the config has no secret key.
func (c *Client) API() *bapi.Client {
	if c == nil {
		return nil
	}
	return c.api
}

// Name returns the Config's Name ("" for a nil or zero Client).
func (c *Client) Name() string {
	if c == nil || c.s == nil {
		return ""
	}
	return c.s.Name
}

// HasSecretKey reports whether the client can call the Backend API (and so
// fetch users).
func (c *Client) HasSecretKey() bool { return c != nil && c.s != nil && c.s.SecretKey != "" }

// String describes the client without its secret key.
func (c *Client) String() string {
	if c == nil || c.s == nil {
		return "core.Client{}"
	}
	return fmt.Sprintf("core.Client{Name:%q APIURL:%q SecretKey:%s}", c.s.Name, c.s.apiURL, secret.New(c.s.SecretKey).Quoted())
}

// GoString is [Client.String], for %#v.
func (c *Client) GoString() string { return c.String() }

// Format writes [Client.String] for every verb, so no verb prints the
// secret key.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue is the client as slog shows it, without its secret key.
func (c *Client) LogValue() slog.Value {
	if c == nil || c.s == nil {
		return slog.GroupValue()
	}
	return slog.GroupValue(slog.String("name", c.s.Name), slog.String("api_url", c.s.apiURL),
		slog.Any("secret_key", secret.New(c.s.SecretKey)))
}

// label sets the instance's Name on an *Error leaving the client. Errors
// can be shared between concurrent callers (a user fetch), so it copies.
// After Close, a failure that needed Clerk (an unavailable one, or a key id
// the closed key cache can no longer look up) becomes [ReasonClientClosed].
func (c *Client) label(err error) error {
	e, ok := err.(*Error)
	if !ok {
		return err
	}
	if c.closed.Load() && e.Reason != ReasonClientClosed &&
		(e.Reason.Class() == ErrUnavailable || e.Reason == ReasonTokenUnknownKID) {
		e = newError(ReasonClientClosed, errClosed)
	}
	if c.s.Name == "" || e.Instance != "" {
		return e
	}
	cp := *e
	cp.Instance = c.s.Name
	return &cp
}
