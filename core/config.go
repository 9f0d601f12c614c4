package core

import (
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // Clerk's cookie-name suffix, not a security measure
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/clerkgo/clerk/core/bapi"
	"github.com/clerkgo/clerk/internal/secret"
)

// Defaults used when a [Config] field is left zero.
const (
	DefaultAPIURL         = "https://api.clerk.com"
	DefaultClockSkew      = 5 * time.Second
	DefaultTimeout        = bapi.DefaultTimeout
	DefaultSessionKey     = "__session"
	DefaultKeyRefresh     = 15 * time.Minute
	DefaultKeyCooldown    = 30 * time.Second
	DefaultTokenCacheSize = 4096
	DefaultUserCacheTTL   = 10 * time.Second
	DefaultUserCacheSize  = 4096
	MaxUserCacheTTL       = 60 * time.Second
	// DefaultMachineTokenCacheTTL is how long a machine token's verification
	// result is reused: the longest a revoked API key, M2M or OAuth token
	// can still be accepted by this process (and, with Config.Cache, by the
	// replicas sharing it).
	DefaultMachineTokenCacheTTL  = 10 * time.Second
	MaxMachineTokenCacheTTL      = 5 * time.Minute
	DefaultMachineTokenCacheSize = 4096
	MaxTokenSize                 = 16 << 10
	maxAuthorizedPartySize       = 2048
)

// NoClockSkew is the Config.ClockSkew that asks for no leeway at all: a token is
// expired from the instant of its exp, and nbf and iat may not be a
// nanosecond in the future. (A ClockSkew of 0 selects DefaultClockSkew;
// other negative values are refused.)
const NoClockSkew time.Duration = -1

// Config describes one Clerk instance. The zero value of every optional field
// selects a sensible default. Build it in code or with [ConfigFromEnv], then
// pass it to [New].
//
// To verify session tokens a client needs one source of keys: SecretKey (keys
// from the Backend API), JWTKey (networkless), or a Frontend API host (Domain,
// PublishableKey or ProxyURL; keys from its public JWKS).
type Config struct {
	// SecretKey is the instance's secret key (sk_test_... or sk_live_...).
	// It authenticates Backend API calls, including the user fetch. It is
	// never printed: fmt, slog and encoding/json show it redacted or not at
	// all.
	SecretKey string `json:"-"`
	// MachineSecretKey is a machine's secret key (ak_..., from the Machines
	// page of the Clerk dashboard; env CLERK_MACHINE_SECRET_KEY). It
	// authenticates the M2M token calls as that machine: minting tokens for
	// outgoing calls ([Client.M2MTokenSource]) and verifying incoming opaque
	// M2M tokens, which Clerk then accepts only when they grant access to
	// this machine. Set alone (no other key), the client serves M2M only.
	// Like SecretKey, it is never printed.
	MachineSecretKey string `json:"-"`
	// APIURL is the Backend API base URL. Default https://api.clerk.com.
	// It must be https, except on loopback (for tests and fakes).
	APIURL string
	// Domain is the Frontend API host, for example
	// "example.clerk.accounts.dev" (a leading "https://" is accepted). When
	// set, a token's iss must be "https://" + Domain.
	//
	// With IsSatellite it is instead Clerk's domain of a satellite
	// application: the satellite's own host ("satellite.example"; env
	// CLERK_DOMAIN, as Clerk's SDKs read it). A production satellite's
	// Frontend API is then "clerk.<Domain>" (handshakes go there, and its
	// tokens' iss may be "https://clerk.<Domain>" as well as the
	// publishable key's host); a development satellite's stays the
	// publishable key's.
	Domain string
	// IsSatellite marks the application as a satellite domain of a Clerk
	// instance (env CLERK_IS_SATELLITE): the browser decision then syncs
	// the session from the primary domain (the __clerk_synced flow; see
	// docs/browser.md). It needs PublishableKey, Domain or ProxyURL, and on
	// a development instance SignInURL (the primary's sign-in page, an
	// absolute URL on another host), as Clerk's asserts do; New refuses
	// the config otherwise with Clerk's messages.
	IsSatellite bool
	// SatelliteAutoSync is Clerk's satelliteAutoSync: a satellite's page
	// request without any session cookie is handed to the handshake (or,
	// in development, to the primary's sign-in) to look for a session on
	// the primary. Default off, as Clerk's: such a request is signed out
	// until it comes back from the primary with __clerk_synced=false.
	SatelliteAutoSync bool
	// PublishableKey is the instance's publishable key (pk_test_... or
	// pk_live_...). When Domain is empty the Frontend API host is derived
	// from it.
	PublishableKey string
	// ProxyURL is the URL of a Frontend API proxy. Tokens issued through it
	// carry it as iss, and its /.well-known/jwks.json serves the keys.
	ProxyURL string
	// SignInURL is the application's sign-in page, where the browser
	// decision (Options.BrowserPages) sends a signed-out page request of a
	// route that needs a session, with redirect_url back to the page: a
	// path on the application ("/sign-in") or an absolute http(s) URL.
	// Default: the instance's Account Portal (https://accounts.<domain>/sign-in,
	// derived from the publishable key as Clerk derives it).
	SignInURL string
	// JWTKey is the instance's PEM public key ("-----BEGIN PUBLIC KEY-----",
	// from the Clerk dashboard). When set, tokens are verified with it and no
	// network call is ever made for keys.
	JWTKey string
	// AuthorizedParties lists the origins allowed in a token's azp claim,
	// such as "https://app.example.com". When empty, azp is not checked.
	// Each entry must be an origin as browsers send it (Clerk compares azp
	// exactly): http or https, a lower-case host, an optional non-default
	// port, and nothing else (no path, not even a trailing "/"). Anything
	// else, an empty entry included, is refused by New with a *ConfigError
	// that quotes the entry (an origin is not a secret).
	AuthorizedParties []string
	// ClockSkew is the leeway for exp, nbf and iat. Default 5s;
	// [NoClockSkew] for none; other negative values are rejected.
	ClockSkew time.Duration
	// AllowPendingSessions accepts sessions whose status is "pending"
	// (sessions with outstanding tasks). By default they are signed out.
	AllowPendingSessions bool
	// AllowCookieWithoutClientUAT accepts a session cookie that comes
	// without the __client_uat cookie Clerk's frontend always sets beside
	// it, for clients that set the session cookie themselves. By default
	// such a cookie is signed out, as in Clerk's reference. A __client_uat
	// of 0 (signed out) is signed out either way.
	AllowCookieWithoutClientUAT bool

	// HTTPClient is used for every call to Clerk. Default: a client of the
	// instance's own (its own connection pool, closed by Client.Close) with
	// Timeout as its timeout.
	HTTPClient *http.Client `json:"-"`
	// Timeout bounds each call to Clerk (a key fetch, a user fetch), retries
	// included. Default 10s.
	Timeout time.Duration
	// MaxRetries is how often an idempotent Backend API call is retried on
	// 429, 502, 503, 504 or a connection error. Default 2; negative: never.
	MaxRetries int

	// KeyRefresh is how old the cached keys may grow before a background
	// refresh is started. Default 15m.
	KeyRefresh time.Duration
	// KeyCooldown is the least time between two key fetches triggered by
	// unknown key ids or failures. Default 30s.
	KeyCooldown time.Duration
	// TokenCacheSize bounds the cache of verified tokens. Default 4096;
	// negative disables the cache.
	TokenCacheSize int
	// UserCacheTTL is how long a fetched user is reused. Default 10s, at most
	// 60s (a session token's lifetime); negative disables the cache.
	UserCacheTTL time.Duration
	// MachineTokenCacheTTL is how long the Backend API's verdict on an
	// opaque machine token (API key, M2M token, OAuth access token) is
	// reused, never past the token's expiry: the revocation latency.
	// Default 10s, at most 5m; negative disables the cache (concurrent
	// requests still share one call).
	MachineTokenCacheTTL time.Duration
	// Cache, when set, is a cache shared by the replicas of the application
	// (see rediscache) for users and machine-token verdicts, consulted
	// before the Backend API. Its failures never fail a request: the
	// in-memory path serves on, with a logged warning.
	Cache Cache `json:"-"`
	// SharedCacheTimeout bounds each lookup in Cache and each store to it,
	// apart from Timeout: a shared cache that hangs costs a request at most
	// this, and the Backend API call that follows still has all of Timeout.
	// Default 100ms (DefaultSharedCacheTimeout); negative values are
	// rejected.
	SharedCacheTimeout time.Duration
	// MachineTokenCacheSize bounds the in-memory cache of machine-token
	// verdicts, in entries; when it is full, verdicts in use stay and
	// unused ones are evicted. Default 4096; negative disables it
	// (concurrent requests still share one call, and Cache is still
	// consulted).
	MachineTokenCacheSize int

	// Audience, when set, lists the accepted values of a token's aud claim
	// (as Clerk's audience option): the token must carry an aud (a string,
	// or a list of which one must match). Unlike Clerk's reference, a token
	// without aud is refused: a restriction a token escapes by omitting the
	// claim protects nothing.
	//
	// It applies to session tokens and to OAuth JWT access tokens (typ
	// at+jwt; RFC 9068 §4 asks resource servers to check aud). It does not
	// apply to M2M JWTs, whose aud is not an audience but the machines the
	// token may reach (Clerk reads it as the token's scopes, when there is
	// no "scopes" claim), nor to opaque tokens (ak_, mt_, oat_), which carry
	// no claims: Clerk's Backend API vouches for them. See
	// docs/machine-auth.md.
	Audience []string

	// Logger receives the client's logs: a debug line per authentication
	// decision (kind, reason, instance; never a token or a secret) and
	// warnings when Clerk or the shared cache fail, and when they recover.
	// Nil: silent.
	Logger *slog.Logger `json:"-"`
	// Observer receives authentication decisions, calls to Clerk and cache
	// lookups, for metrics and traces (see otelclerk). Nil: none.
	Observer Observer `json:"-"`

	// Name labels the instance in errors (a *ConfigError's Instance, an
	// *Error's Instance and their texts), for multi-tenant applications.
	Name string
	// Now is the clock. Default time.Now. Tests inject their own.
	Now func() time.Time `json:"-"`
}

// ConfigError reports an invalid setting. It names the setting, never its
// value, except for an entry of AuthorizedParties (an origin, not a
// secret), which it quotes.
type ConfigError struct {
	// Field is the Config field or environment variable at fault.
	Field string
	// Problem says what is wrong with it.
	Problem string
	// Instance is the Config's Name, or "".
	Instance string
	// Err is a sentinel the problem matches (ErrNoKeySource), or nil.
	Err error
}

// Unwrap returns the sentinel the problem matches, if any.
func (e *ConfigError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// Error names the instance (when it has a Name), the setting and the
// problem.
func (e *ConfigError) Error() string {
	if e == nil {
		return "clerk: <nil ConfigError>"
	}
	if e.Instance != "" {
		return "clerk: invalid config of instance " + strconv.Quote(e.Instance) + ": " + e.Field + ": " + e.Problem
	}
	return "clerk: invalid config: " + e.Field + ": " + e.Problem
}

// ErrNoKeySource is returned by [New] when the config gives no way to obtain
// verification keys.
var ErrNoKeySource = errors.New("clerk: invalid config: no key source: set SecretKey (CLERK_SECRET_KEY), JWTKey (CLERK_JWT_KEY), PublishableKey (CLERK_PUBLISHABLE_KEY), Domain (CLERK_DOMAIN), ProxyURL (CLERK_PROXY_URL) or, for an M2M-only service, MachineSecretKey (CLERK_MACHINE_SECRET_KEY)")

// settings is what a Client keeps of its Config: only resolved values
// (validated, defaults applied, derived), never the raw Config beside
// them, so that no code can read a setting before its default. Fields
// named as Config's hold that setting after its default.
type settings struct {
	SecretKey                   string
	MachineSecretKey            string
	Name                        string
	HTTPClient                  *http.Client  // Config.HTTPClient, or one of the instance's own (transport)
	Timeout                     time.Duration // > 0
	MaxRetries                  int
	KeyRefresh                  time.Duration // > 0
	KeyCooldown                 time.Duration // > 0
	TokenCacheSize              int           // negative: disabled
	MachineTokenCacheSize       int           // negative: disabled
	Cache                       Cache
	SharedCacheTimeout          time.Duration // > 0
	ClockSkew                   time.Duration // >= 0
	AllowPendingSessions        bool
	AllowCookieWithoutClientUAT bool
	Logger                      *slog.Logger
	Observer                    Observer
	Now                         func() time.Time

	apiURL    string
	issuers   []string // accepted iss values; empty: not checked
	jwksURL   string   // Frontend API JWKS URL, or ""
	jwtKey    *verifyKey
	parties   map[string]struct{}
	userCache time.Duration // 0: disabled

	transport    *http.Transport // owned: made for a nil Config.HTTPClient
	frontendHost string          // from PublishableKey or Domain, or ""
	machineCache time.Duration   // 0: disabled
	audiences    []string
	cookieSuffix string // of the suffixed session cookies; "" without a publishable key
	production   bool   // a pk_live_ publishable key
	proxyURL     string // Config.ProxyURL without a trailing slash, or ""
	signInURL    string // Config.SignInURL, else the Account Portal's, or ""

	satellite     bool   // Config.IsSatellite
	autoSync      bool   // Config.SatelliteAutoSync
	satelliteFAPI string // a production satellite's Frontend API host, clerk.<Domain>; or ""

	// Clerk's known referrers (the primary's cross-origin rule), derived
	// once: the Frontend API's (or proxy's) host name, and the Account
	// Portal's origin ("" behind a proxy URL: Clerk's would be
	// "https://https://...", which no referrer has).
	referrerHost   string
	accountsOrigin string
}

// instanceHost is the Frontend API host of the instance's own tokens
// (Clerk's originalFrontendApi): a production satellite's clerk.<Domain>,
// else the publishable key's (or Domain's) host.
func (s *settings) instanceHost() string {
	if s.satelliteFAPI != "" {
		return s.satelliteFAPI
	}
	return s.frontendHost
}

// resolve validates the config and derives what verification needs. A
// *ConfigError carries the config's Name.
func (c Config) resolve() (*settings, error) {
	s, err := c.resolveFields()
	var ce *ConfigError
	if errors.As(err, &ce) && ce.Instance == "" {
		ce.Instance = c.Name
	}
	return s, err
}

func (c Config) resolveFields() (*settings, error) {
	s := &settings{
		SecretKey: c.SecretKey, MachineSecretKey: c.MachineSecretKey, Name: c.Name,
		HTTPClient: c.HTTPClient, Timeout: c.Timeout, MaxRetries: c.MaxRetries,
		KeyRefresh: c.KeyRefresh, KeyCooldown: c.KeyCooldown,
		TokenCacheSize: c.TokenCacheSize, MachineTokenCacheSize: c.MachineTokenCacheSize,
		Cache: c.Cache, SharedCacheTimeout: c.SharedCacheTimeout, ClockSkew: c.ClockSkew,
		AllowPendingSessions: c.AllowPendingSessions, AllowCookieWithoutClientUAT: c.AllowCookieWithoutClientUAT,
		Logger: c.Logger, Observer: c.Observer, Now: c.Now,
	}
	if c.SecretKey != "" {
		if err := checkKey(c.SecretKey, "sk_"); err != nil {
			return nil, &ConfigError{Field: "SecretKey", Problem: err.Error()}
		}
	}
	if c.MachineSecretKey != "" {
		if err := checkMachineKey(c.MachineSecretKey); err != nil {
			return nil, &ConfigError{Field: "MachineSecretKey", Problem: err.Error()}
		}
	}
	s.apiURL = c.APIURL
	if s.apiURL == "" {
		s.apiURL = DefaultAPIURL
	}
	if err := bapi.CheckBaseURL(s.apiURL); err != nil {
		return nil, &ConfigError{Field: "APIURL", Problem: urlProblem(err)}
	}
	var frontend string
	if c.PublishableKey != "" {
		host, err := FrontendAPIFromPublishableKey(c.PublishableKey)
		if err != nil {
			return nil, &ConfigError{Field: "PublishableKey", Problem: err.Error()}
		}
		frontend = host
		s.frontendHost = host
		s.cookieSuffix = cookieSuffix(c.PublishableKey)
		s.production = strings.HasPrefix(c.PublishableKey, "pk_live_")
	}
	if c.Domain != "" {
		d := strings.TrimSuffix(strings.TrimPrefix(c.Domain, "https://"), "/")
		if d == "" || strings.ContainsAny(d, "/?#@ \t") {
			return nil, &ConfigError{Field: "Domain", Problem: "must be a host name such as example.clerk.accounts.dev"}
		}
		switch {
		case !c.IsSatellite:
			frontend = d
			if s.frontendHost == "" {
				s.frontendHost = d
			}
		case s.production && c.ProxyURL == "":
			// parsePublishableKey: a production satellite's Frontend API
			s.satelliteFAPI = "clerk." + d
		}
	}
	if frontend != "" {
		s.issuers = append(s.issuers, "https://"+frontend)
		s.jwksURL = "https://" + frontend + "/.well-known/jwks.json"
	}
	if s.satelliteFAPI != "" {
		s.issuers = append(s.issuers, "https://"+s.satelliteFAPI)
	}
	if c.ProxyURL != "" {
		p := strings.TrimSuffix(c.ProxyURL, "/")
		if err := bapi.CheckBaseURL(p); err != nil {
			return nil, &ConfigError{Field: "ProxyURL", Problem: urlProblem(err)}
		}
		s.issuers = append(s.issuers, p)
		s.jwksURL = p + "/.well-known/jwks.json"
		s.proxyURL = p
	}
	signIn, err := signInURLOf(c.SignInURL, s.frontendHost)
	if err != nil {
		return nil, err
	}
	s.signInURL = signIn
	if c.IsSatellite {
		if err := c.checkSatellite(); err != nil {
			return nil, err
		}
		s.satellite, s.autoSync = true, c.SatelliteAutoSync
	}
	if c.JWTKey != "" {
		pub, err := ParseJWTKey(c.JWTKey)
		if err == nil {
			s.jwtKey, err = newVerifyKey(pub, "RS256")
		}
		if err != nil {
			return nil, &ConfigError{Field: "JWTKey", Problem: err.Error()}
		}
	}
	if c.SecretKey == "" && c.MachineSecretKey == "" && s.jwtKey == nil && s.jwksURL == "" {
		return nil, ErrNoKeySource
	}
	if len(c.AuthorizedParties) > 0 {
		s.parties = make(map[string]struct{}, len(c.AuthorizedParties))
		for _, p := range c.AuthorizedParties {
			if problem := checkAuthorizedParty(p); problem != "" {
				return nil, &ConfigError{Field: "AuthorizedParties", Problem: problem}
			}
			s.parties[p] = struct{}{}
		}
	}
	switch {
	case c.ClockSkew == NoClockSkew:
		s.ClockSkew = 0
	case c.ClockSkew < 0:
		return nil, &ConfigError{Field: "ClockSkew", Problem: "must not be negative (core.NoClockSkew asks for none)"}
	case c.ClockSkew == 0:
		s.ClockSkew = DefaultClockSkew
	}
	if c.Timeout < 0 {
		return nil, &ConfigError{Field: "Timeout", Problem: "must not be negative"}
	} else if c.Timeout == 0 {
		s.Timeout = DefaultTimeout
	}
	if s.HTTPClient == nil {
		// The instance's own connection pool, not http.DefaultTransport's:
		// Client.Close closes it.
		s.transport = http.DefaultTransport.(*http.Transport).Clone()
		s.HTTPClient = &http.Client{Transport: s.transport, Timeout: s.Timeout}
	}
	if c.KeyRefresh < 0 || c.KeyCooldown < 0 {
		return nil, &ConfigError{Field: "KeyRefresh/KeyCooldown", Problem: "must not be negative"}
	}
	if s.KeyRefresh == 0 {
		s.KeyRefresh = DefaultKeyRefresh
	}
	if s.KeyCooldown == 0 {
		s.KeyCooldown = DefaultKeyCooldown
	}
	if s.TokenCacheSize == 0 {
		s.TokenCacheSize = DefaultTokenCacheSize
	}
	switch {
	case c.UserCacheTTL > MaxUserCacheTTL:
		return nil, &ConfigError{Field: "UserCacheTTL", Problem: "must be at most 60s, a session token's lifetime"}
	case c.UserCacheTTL == 0:
		s.userCache = DefaultUserCacheTTL
	case c.UserCacheTTL > 0:
		s.userCache = c.UserCacheTTL
	}
	switch {
	case c.MachineTokenCacheTTL > MaxMachineTokenCacheTTL:
		return nil, &ConfigError{Field: "MachineTokenCacheTTL", Problem: "must be at most 5m"}
	case c.MachineTokenCacheTTL == 0:
		s.machineCache = DefaultMachineTokenCacheTTL
	case c.MachineTokenCacheTTL > 0:
		s.machineCache = c.MachineTokenCacheTTL
	}
	switch {
	case c.SharedCacheTimeout < 0:
		return nil, &ConfigError{Field: "SharedCacheTimeout", Problem: "must not be negative"}
	case c.SharedCacheTimeout == 0:
		s.SharedCacheTimeout = DefaultSharedCacheTimeout
	}
	if c.MachineTokenCacheSize == 0 {
		s.MachineTokenCacheSize = DefaultMachineTokenCacheSize
	}
	for _, a := range c.Audience {
		if a == "" || strings.TrimSpace(a) != a {
			return nil, &ConfigError{Field: "Audience", Problem: "entries must be non-empty, without surrounding spaces"}
		}
	}
	s.audiences = c.Audience
	if s.Now == nil {
		s.Now = time.Now
	}
	s.referrerHost, s.accountsOrigin = s.instanceHost(), ""
	if s.proxyURL != "" {
		s.referrerHost = s.proxyURL
		if u, err := url.Parse(s.proxyURL); err == nil {
			s.referrerHost = u.Hostname()
		}
	} else if s.referrerHost != "" {
		s.accountsOrigin, _, _ = webOrigin("https://" + accountsHost(s.referrerHost))
	}
	return s, nil
}

// checkSatellite is Clerk's satellite asserts (authenticateRequest), at
// start-up: a publishable key (the instance), a Domain or a ProxyURL, and
// on a development instance (a sk_test_ secret key, else a pk_test_
// publishable key) a SignInURL. A SignInURL must be absolute and on
// another host than Domain (Clerk checks the request's Origin instead).
func (c Config) checkSatellite() error {
	if c.PublishableKey == "" {
		return &ConfigError{Field: "PublishableKey", Problem: "Publishable key is missing. A satellite application needs the publishable key of its instance"}
	}
	// Clerk's order (request.ts): the sign-in URL's presence, its format
	// and origin, then a domain or a proxy URL.
	dev := strings.HasPrefix(c.SecretKey, "sk_test_") || (c.SecretKey == "" && strings.HasPrefix(c.PublishableKey, "pk_test_"))
	if c.SignInURL == "" && dev {
		return &ConfigError{Field: "SignInURL", Problem: "Missing signInUrl. Pass a signInUrl for dev instances if an app is satellite"}
	}
	if c.SignInURL != "" {
		u, err := url.Parse(c.SignInURL)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return &ConfigError{Field: "SignInURL", Problem: "The signInUrl needs to have a absolute url format."}
		}
		if d := strings.TrimSuffix(strings.TrimPrefix(c.Domain, "https://"), "/"); d != "" && strings.EqualFold(u.Host, d) {
			return &ConfigError{Field: "SignInURL", Problem: "The signInUrl needs to be on a different origin than your satellite application."}
		}
	}
	if c.Domain == "" && c.ProxyURL == "" {
		return &ConfigError{Field: "Domain", Problem: "Missing domain and proxyUrl. A satellite application needs to specify a domain or a proxyUrl"}
	}
	return nil
}

// checkKey validates a Clerk key's shape without echoing it.
func checkKey(key, prefix string) error {
	rest, ok := strings.CutPrefix(key, prefix)
	if !ok {
		return fmt.Errorf("must start with %stest_ or %slive_", prefix, prefix)
	}
	env, body, ok := strings.Cut(rest, "_")
	if !ok || (env != "test" && env != "live") {
		return fmt.Errorf("must start with %stest_ or %slive_", prefix, prefix)
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

// urlProblem is what bapi.CheckBaseURL found wrong, without its prefix.
func urlProblem(err error) string {
	return strings.TrimPrefix(err.Error(), bapi.ErrInvalidBaseURL.Error()+": ")
}

// FrontendAPIFromPublishableKey returns the Frontend API host encoded in a
// publishable key: pk_test_ or pk_live_ followed by the base64 of "host$".
func FrontendAPIFromPublishableKey(pk string) (string, error) {
	if err := checkKey(pk, "pk_"); err != nil {
		return "", err
	}
	enc := pk[len("pk_test_"):]
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(enc)
	}
	if err != nil {
		return "", errors.New("is not base64 after its prefix")
	}
	host, ok := strings.CutSuffix(string(raw), "$")
	if !ok || host == "" || strings.ContainsAny(host, "/?#@$ \t\r\n") {
		return "", errors.New("does not encode a Frontend API host")
	}
	return host, nil
}

// cookieSuffix is the suffix of the session cookies Clerk sets for the
// instance of a publishable key when several apps share a domain: the first
// 8 characters of the base64url SHA-1 of the key (@clerk/shared's
// getCookieSuffix).
func cookieSuffix(publishableKey string) string {
	sum := sha1.Sum([]byte(publishableKey)) //nolint:gosec // a cookie-name suffix, not a security measure
	return base64.URLEncoding.EncodeToString(sum[:])[:8]
}

// ParseJWTKey parses the instance's PEM public key with jwx. It accepts a
// PKIX "PUBLIC KEY" or PKCS#1 "RSA PUBLIC KEY" PEM block, with real or
// escaped ("\n") newlines, or the bare base64 body of a "PUBLIC KEY" block.
// The key must be RSA, at least 2048 bits.
func ParseJWTKey(s string) (*rsa.PublicKey, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, `\n`, "\n"))
	if s == "" {
		return nil, errors.New("is empty")
	}
	if !strings.HasPrefix(s, "-----BEGIN ") {
		body := strings.Join(strings.Fields(s), "")
		if _, err := base64.StdEncoding.DecodeString(body); err != nil {
			return nil, errors.New("is not a PEM public key")
		}
		s = "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n"
	}
	key, err := jwk.ParseKey([]byte(s), jwk.WithPEM(true))
	if err != nil {
		return nil, errors.New("is not a valid PKIX or PKCS#1 public key")
	}
	var pub rsa.PublicKey
	if err := jwk.Export(key, &pub); err != nil || pub.N == nil {
		return nil, errors.New("is not an RSA public key")
	}
	if pub.N.BitLen() < 2048 {
		return nil, errors.New("RSA key is shorter than 2048 bits")
	}
	return &pub, nil
}

// String hides the secret key, so a Config can be printed or logged.
func (c Config) String() string {
	return fmt.Sprintf("core.Config{Name:%q APIURL:%q Domain:%q PublishableKey:%q ProxyURL:%q SignInURL:%q IsSatellite:%t SecretKey:%s MachineSecretKey:%s JWTKey:%t AuthorizedParties:%q}",
		c.Name, c.APIURL, c.Domain, c.PublishableKey, c.ProxyURL, c.SignInURL, c.IsSatellite, secret.New(c.SecretKey).Quoted(), secret.New(c.MachineSecretKey).Quoted(), c.JWTKey != "", c.AuthorizedParties)
}

// GoString hides the secret key from %#v too.
func (c Config) GoString() string { return c.String() }

// Format writes [Config.String] for every verb (%v, %+v, %#v, %s, %d, %x,
// ...), so no verb prints the secret key.
func (c Config) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue is the Config as slog shows it: the secret key redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", c.Name),
		slog.String("api_url", c.APIURL),
		slog.String("domain", c.Domain),
		slog.String("publishable_key", c.PublishableKey),
		slog.String("proxy_url", c.ProxyURL),
		slog.String("sign_in_url", c.SignInURL),
		slog.Bool("is_satellite", c.IsSatellite),
		slog.Any("secret_key", secret.New(c.SecretKey)),
		slog.Any("machine_secret_key", secret.New(c.MachineSecretKey)),
		slog.Bool("jwt_key", c.JWTKey != ""),
		slog.Any("authorized_parties", c.AuthorizedParties),
	)
}

// signInURLOf checks Config.SignInURL (a path on the application, or an
// absolute http(s) URL with nothing but a scheme, host, path and query) and
// defaults it to the Account Portal of the Frontend API host, as Clerk's
// buildAccountsBaseUrl derives it ("clerk.example.com" becomes
// "accounts.example.com", "x.clerk.accounts.dev" becomes "x.accounts.dev").
func signInURLOf(raw, frontendHost string) (string, error) {
	if raw == "" {
		if frontendHost == "" {
			return "", nil
		}
		return "https://" + accountsHost(frontendHost) + "/sign-in", nil
	}
	bad := func(problem string) error { return &ConfigError{Field: "SignInURL", Problem: problem} }
	for i := 0; i < len(raw); i++ {
		if raw[i] <= ' ' || raw[i] >= 0x7f {
			return "", bad("must be a URL without spaces or control characters")
		}
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "", bad("is not a URL")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return "", bad("must not have a fragment")
	case strings.HasPrefix(raw, "/"):
		if strings.HasPrefix(raw, "//") || strings.HasPrefix(raw, "/\\") {
			return "", bad("must be a path (\"/sign-in\") or an absolute URL, not \"//host\"")
		}
		return raw, nil
	case u.Scheme != "http" && u.Scheme != "https":
		return "", bad("must be a path (\"/sign-in\") or an http(s) URL")
	case u.User != nil || !validHost(u.Host):
		return "", bad("must have a plain host[:port] and no user info")
	}
	return raw, nil
}

// accountsHost is Clerk's buildAccountsBaseUrl without the scheme.
func accountsHost(frontendHost string) string {
	if strings.Contains(frontendHost, "clerk.accountsstage.") {
		return strings.Replace(frontendHost, "clerk.accountsstage.", "accountsstage.", 1)
	}
	i, j := strings.Index(frontendHost, "clerk.accounts."), strings.Index(frontendHost, "clerk.")
	switch {
	case i >= 0 && (j < 0 || i <= j):
		return frontendHost[:i] + "accounts." + frontendHost[i+len("clerk.accounts."):]
	case j >= 0:
		return frontendHost[:j] + "accounts." + frontendHost[j+len("clerk."):]
	}
	return frontendHost
}
