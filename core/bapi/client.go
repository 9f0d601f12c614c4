package bapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/clerkgo/clerk/internal/secret"
	"github.com/clerkgo/clerk/internal/version"
)

// Defaults used by [NewClient] when no option overrides them. They suit a
// call made while a user waits (a user fetch, a key fetch): a few quick
// retries, and a server asking for a longer wait than DefaultMaxRetryWait
// gets its error (with [Error.RetryAfter]) back to the caller at once.
const (
	// DefaultBaseURL is the Backend API server named by the spec.
	DefaultBaseURL = "https://api.clerk.com/v1"
	// APIVersion is the Backend API version this package was generated
	// from; it is sent in the Clerk-API-Version header.
	APIVersion = "2026-05-12"
	// DefaultTimeout bounds each HTTP attempt; see [WithTimeout].
	DefaultTimeout = 10 * time.Second
	// DefaultMaxResponseBytes caps the size of a response body.
	DefaultMaxResponseBytes int64 = 8 << 20
	// DefaultMaxRetries is how many times an idempotent request is retried;
	// see [WithMaxRetries].
	DefaultMaxRetries = 2
	// DefaultRetryBase is the first backoff delay; it doubles per retry.
	DefaultRetryBase = 100 * time.Millisecond
	// DefaultMaxRetryWait caps a single wait between two attempts.
	DefaultMaxRetryWait = 2 * time.Second
)

// Client talks to the Clerk Backend API. Its fields are the services, one per
// group of operations of the spec (client.Users, client.Organizations, ...).
// A Client is safe for concurrent use; build one per Clerk instance.
type Client struct {
	Services

	// secretKey is the key, held so that no printing of a Client (fmt's
	// reflection over a Client value, slog, %#v) can reach it.
	secretKey        secret.String
	baseURL          *url.URL
	httpClient       *http.Client
	ownTransport     *http.Transport // the transport NewClient made, nil with WithHTTPClient
	userAgent        string
	timeout          time.Duration
	maxResponseBytes int64
	maxRetries       int
	retryBase        time.Duration
	maxRetryWait     time.Duration
	wait             func(context.Context, time.Duration) error
	jitter           func() float64
}

// Option configures a [Client] built by [NewClient].
type Option func(*Client) error

// CheckBaseURL reports whether raw can be the base URL of the Backend API (or
// of any Clerk endpoint that is sent a secret): an absolute https URL, or an
// http URL whose host is loopback (localhost, 127.0.0.0/8, ::1), for tests
// and local fakes; without user info, query or fragment. The error wraps
// [ErrInvalidBaseURL] and never quotes the URL.
func CheckBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("%w: must be an absolute URL", ErrInvalidBaseURL)
	}
	if u.User != nil || strings.ContainsAny(raw, "?#") {
		return fmt.Errorf("%w: must not carry credentials, a query or a fragment", ErrInvalidBaseURL)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
	}
	return fmt.Errorf("%w: must use https (http is allowed on loopback only)", ErrInvalidBaseURL)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Errors returned by [NewClient] for invalid input. They never contain the
// secret key.
var (
	ErrNoSecretKey      = errors.New("bapi: secret key is empty")
	ErrInvalidSecretKey = errors.New("bapi: secret key contains whitespace or control characters")
	ErrInvalidBaseURL   = errors.New("bapi: invalid base URL")
	ErrInvalidOption    = errors.New("bapi: invalid option")
	// ErrNilClient is returned by every call on a nil or zero Client (one
	// not built by NewClient), or on a service not taken from one.
	ErrNilClient = errors.New("bapi: nil or zero Client; build one with NewClient")
)

// NewClient returns a client authenticated with the instance's secret key
// (sk_live_... or sk_test_...).
//
// The base URL defaults to [DefaultBaseURL]. A base URL given with an empty
// path, such as "http://127.0.0.1:1234" for a local fake, gets "/v1" appended;
// a base URL with any other path is used as given ("https://proxy/clerk/v1").
func NewClient(secretKey string, opts ...Option) (*Client, error) {
	if secretKey == "" {
		return nil, ErrNoSecretKey
	}
	for _, r := range secretKey {
		if r <= ' ' || r == 0x7f {
			return nil, ErrInvalidSecretKey
		}
	}
	base, _ := url.Parse(DefaultBaseURL)
	c := &Client{
		secretKey:        secret.New(secretKey),
		baseURL:          base,
		userAgent:        "clerkgo/" + version.String(),
		timeout:          DefaultTimeout,
		maxResponseBytes: DefaultMaxResponseBytes,
		maxRetries:       DefaultMaxRetries,
		retryBase:        DefaultRetryBase,
		maxRetryWait:     DefaultMaxRetryWait,
		wait:             sleepContext,
		jitter:           rand.Float64,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	if c.httpClient == nil {
		c.ownTransport = newTransport()
		c.httpClient = &http.Client{Transport: c.ownTransport}
	}
	// A copy, so that the caller's client is left as it was: same Transport,
	// Jar and Timeout, but no redirect is ever followed.
	hc := *c.httpClient
	hc.CheckRedirect = refuseRedirect
	c.httpClient = &hc
	c.Services.init(c)
	return c, nil
}

// newTransport returns a transport of the client's own: a clone of
// http.DefaultTransport (so proxies from the environment, timeouts and HTTP/2
// work as usual), whose connections [Client.Close] can close without
// touching anyone else's.
func newTransport() *http.Transport {
	if def, ok := http.DefaultTransport.(*http.Transport); ok {
		return def.Clone()
	}
	// http.DefaultTransport was replaced: the same settings as net/http's.
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
	}
}

// Close closes the idle connections of the transport the client made for
// itself (one built without [WithHTTPClient]), ending their goroutines; a
// caller's HTTP client is left alone. A call in flight is not interrupted.
// The client stays usable: a later call opens a new connection. Close is
// safe on a nil client and may be called more than once; it returns nil.
func (c *Client) Close() error {
	if c != nil && c.ownTransport != nil {
		c.ownTransport.CloseIdleConnections()
	}
	return nil
}

// refuseRedirect stops the HTTP client at the first redirect and hands the
// 3xx answer back, which the client turns into an [*Error] matching
// [ErrRedirect].
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// WithBaseURL sets the API root, for a proxy or a test fake. It must pass
// [CheckBaseURL]: https, or http on loopback only. An empty path means the
// server root, and "/v1" is appended; see [NewClient].
func WithBaseURL(raw string) Option {
	return func(c *Client) error {
		u, err := parseBaseURL(raw)
		if err != nil {
			return err
		}
		c.baseURL = u
		return nil
	}
}

func parseBaseURL(raw string) (*url.URL, error) {
	if err := CheckBaseURL(raw); err != nil {
		return nil, err
	}
	u, _ := url.Parse(raw)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	if u.Path == "" {
		u.Path = "/v1"
	}
	return u, nil
}

// WithHTTPClient sets the HTTP client used for every request (by default the
// client makes one with a transport of its own). Its own Timeout
// still applies, in addition to the per-attempt timeout of [WithTimeout].
// The client uses a copy of hc that follows no redirect (see [ErrRedirect]);
// hc itself is not changed.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return fmt.Errorf("%w: nil HTTP client", ErrInvalidOption)
		}
		c.httpClient = hc
		return nil
	}
}

// WithTimeout bounds each HTTP attempt, response body included. Zero selects
// [DefaultTimeout]; a negative value means no per-attempt timeout (the
// context and the HTTP client's own Timeout still apply).
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		switch {
		case d == 0:
			c.timeout = DefaultTimeout
		case d < 0:
			c.timeout = 0
		default:
			c.timeout = d
		}
		return nil
	}
}

// WithMaxResponseBytes caps the size of a response body (default
// [DefaultMaxResponseBytes]). A larger successful body fails the call with
// [ErrResponseTooLarge]; a larger error body yields an [*Error] with the
// status and headers but without Clerk's error details.
func WithMaxResponseBytes(n int64) Option {
	return func(c *Client) error {
		if n <= 0 {
			return fmt.Errorf("%w: max response bytes must be positive", ErrInvalidOption)
		}
		c.maxResponseBytes = n
		return nil
	}
}

// WithMaxRetries sets how many times an idempotent request (GET, HEAD, PUT,
// DELETE) is retried after a 429, 502, 503, 504 or a connection error. Zero
// selects [DefaultMaxRetries]; a negative value means never retry.
func WithMaxRetries(n int) Option {
	return func(c *Client) error {
		switch {
		case n == 0:
			c.maxRetries = DefaultMaxRetries
		case n < 0:
			c.maxRetries = 0
		default:
			c.maxRetries = n
		}
		return nil
	}
}

// WithRetryBackoff sets the base delay of the exponential backoff (default
// [DefaultRetryBase]): the n-th retry waits a random time between half and all
// of base*2^(n-1), capped by [WithMaxRetryWait].
func WithRetryBackoff(base time.Duration) Option {
	return func(c *Client) error {
		if base < 0 {
			return fmt.Errorf("%w: negative retry backoff", ErrInvalidOption)
		}
		c.retryBase = base
		return nil
	}
}

// WithMaxRetryWait caps a single wait between two attempts (default
// [DefaultMaxRetryWait]). When the server's Retry-After asks for longer, the
// call gives up and returns the server's error instead of waiting.
func WithMaxRetryWait(d time.Duration) Option {
	return func(c *Client) error {
		if d < 0 {
			return fmt.Errorf("%w: negative max retry wait", ErrInvalidOption)
		}
		c.maxRetryWait = d
		return nil
	}
}

// WithWaitFunc replaces how the client waits between retries. The function
// must return early with ctx.Err() when ctx ends. Tests use it to record the
// delays instead of sleeping.
func WithWaitFunc(wait func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) error {
		if wait == nil {
			return fmt.Errorf("%w: nil wait function", ErrInvalidOption)
		}
		c.wait = wait
		return nil
	}
}

// WithJitter replaces the random source of the backoff jitter: a function
// returning values in [0, 1). Tests use it for deterministic delays.
func WithJitter(f func() float64) Option {
	return func(c *Client) error {
		if f == nil {
			return fmt.Errorf("%w: nil jitter function", ErrInvalidOption)
		}
		c.jitter = f
		return nil
	}
}

// BaseURL returns the API root the client sends requests to; "" for a nil
// or zero Client.
func (c *Client) BaseURL() string {
	if c == nil || c.baseURL == nil {
		return ""
	}
	return c.baseURL.String()
}

// String describes the client by its base URL; the secret key is shown as
// "[redacted]".
func (c *Client) String() string {
	if c == nil {
		return "bapi.Client(nil)"
	}
	return "bapi.Client{BaseURL: " + c.BaseURL() + ", SecretKey: " + c.secretKey.String() + "}"
}

// GoString is the %#v form: the base URL, and the secret key as "[redacted]".
func (c *Client) GoString() string {
	if c == nil {
		return "(*bapi.Client)(nil)"
	}
	return "&bapi.Client{BaseURL:" + strconv.Quote(c.BaseURL()) + ", SecretKey:" + c.secretKey.Quoted() + "}"
}

// Format prints the client for every fmt verb as [Client.String] does (%q
// quotes it, %#v is [Client.GoString]), so that no verb prints the key.
func (c *Client) Format(f fmt.State, verb rune) {
	switch verb {
	case 'v':
		if f.Flag('#') {
			_, _ = io.WriteString(f, c.GoString())
			return
		}
		fmt.Fprintf(f, fmt.FormatString(f, 's'), c.String())
	case 's', 'q', 'x', 'X':
		fmt.Fprintf(f, fmt.FormatString(f, verb), c.String())
	default:
		_, _ = io.WriteString(f, c.String())
	}
}

// LogValue is the client as slog logs it: its base URL and the secret key
// as "[redacted]".
func (c *Client) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue(c.String())
	}
	return slog.GroupValue(slog.String("base_url", c.BaseURL()), slog.Any("secret_key", c.secretKey))
}

// sleepContext waits for d or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// service is what every service type of [Services] is made of (type
// UsersService service, ...): the client it sends requests through. All the
// services of a Client share one.
type service struct {
	client *Client
}

// do sends req through the service's client: [ErrNilClient] for a nil
// service (one of a zero Client), never a panic.
func (s *service) do(ctx context.Context, req *request, out any) (*Response, error) {
	if s == nil {
		return nil, ErrNilClient
	}
	return s.client.do(ctx, req, out)
}
