package clerktest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Endpoint names: the route patterns the fake serves. Use them with
// [Server.Requests], [Server.Fail], [Server.FailNext], [Server.SetLatency] and
// [Server.Block].
const (
	// EndpointJWKS is the Backend API key set, which requires the secret key.
	EndpointJWKS = "GET /v1/jwks"
	// EndpointWellKnownJWKS is the public Frontend API key set.
	EndpointWellKnownJWKS = "GET /.well-known/jwks.json"
	// EndpointListUsers lists users (a bare JSON array of User objects).
	EndpointListUsers = "GET /v1/users"
	// EndpointCountUsers counts users ({"object":"total_count","total_count":N}).
	EndpointCountUsers = "GET /v1/users/count"
	// EndpointGetUser retrieves one user.
	EndpointGetUser = "GET /v1/users/{user_id}"
	// EndpointCreateUser creates a user.
	EndpointCreateUser = "POST /v1/users"
	// EndpointUpdateUser updates a user's attributes (not its metadata).
	EndpointUpdateUser = "PATCH /v1/users/{user_id}"
	// EndpointDeleteUser deletes a user and answers a DeletedObject.
	EndpointDeleteUser = "DELETE /v1/users/{user_id}"
	// EndpointMergeUserMetadata deep-merges a user's metadata.
	EndpointMergeUserMetadata = "PATCH /v1/users/{user_id}/metadata"
	// EndpointReplaceUserMetadata replaces a user's metadata fields wholesale.
	EndpointReplaceUserMetadata = "PUT /v1/users/{user_id}/metadata"
	// EndpointVerifyAPIKey verifies an API key (body {"secret":...}); see
	// [Server.NewAPIKey].
	EndpointVerifyAPIKey = "POST /v1/api_keys/verify"
	// EndpointVerifyM2MToken verifies an M2M token (body {"token":...}); see
	// [Server.NewM2MToken] and [Server.NewM2MJWT].
	EndpointVerifyM2MToken = "POST /v1/m2m_tokens/verify"
	// EndpointCreateM2MToken mints an M2M token for the machine whose
	// secret key authenticates the request (see [Server.DefaultMachine]).
	EndpointCreateM2MToken = "POST /v1/m2m_tokens"
	// EndpointVerifyOAuthToken verifies an OAuth access token (body
	// {"access_token":...}, or the deprecated {"secret":...}); see
	// [Server.NewOAuthToken] and [Server.NewOAuthJWT].
	EndpointVerifyOAuthToken = "POST /v1/oauth_applications/access_tokens/verify"

	// EndpointHandshake is the Frontend API handshake (public; the browser
	// navigates to it), see [Server.LastHandshakeQuery].
	EndpointHandshake = "GET /v1/client/handshake"
	// EndpointDevBrowser creates a development browser (Frontend API,
	// public), answering {"id":"<token>"}.
	EndpointDevBrowser = "POST /v1/dev_browser"
	// EndpointHandshakePayload resolves a handshake nonce (Backend API,
	// internal to Clerk, missing from the published spec).
	EndpointHandshakePayload = "GET /v1/clients/handshake_payload"
	// EndpointRefreshSession refreshes a session's token from an expired
	// one and the __refresh cookie (Backend API).
	EndpointRefreshSession = "POST /v1/sessions/{session_id}/refresh"
	// EndpointSignInPage is the sign-in page standing in for the Account
	// Portal: one button per user.
	EndpointSignInPage = "GET /sign-in"
	// EndpointSignIn signs the browser in as the chosen user.
	EndpointSignIn = "POST /sign-in"
	// EndpointSignOut signs the browser out.
	EndpointSignOut = "POST /sign-out"

	// AnyEndpoint stands for every endpoint in [Server.Fail],
	// [Server.FailNext], [Server.Recover], [Server.SetLatency] and
	// [Server.Block] (a rule for one endpoint takes precedence over it for
	// Fail and SetLatency); [Server.Requests] of AnyEndpoint is the total.
	AnyEndpoint = "*"
)

// Endpoints lists every endpoint the fake serves, in a stable order.
func Endpoints() []string {
	return []string{
		EndpointJWKS,
		EndpointWellKnownJWKS,
		EndpointListUsers,
		EndpointCountUsers,
		EndpointGetUser,
		EndpointCreateUser,
		EndpointUpdateUser,
		EndpointDeleteUser,
		EndpointMergeUserMetadata,
		EndpointReplaceUserMetadata,
		EndpointVerifyAPIKey,
		EndpointVerifyM2MToken,
		EndpointCreateM2MToken,
		EndpointVerifyOAuthToken,
		EndpointHandshake,
		EndpointDevBrowser,
		EndpointHandshakePayload,
		EndpointRefreshSession,
		EndpointSignInPage,
		EndpointSignIn,
		EndpointSignOut,
	}
}

// SessionTokenCategory is the "cat" header value of Clerk session tokens.
const SessionTokenCategory = "cl_B7d4PD111AAA"

// DefaultAuthorizedParty is the "azp" claim of minted tokens unless
// [WithAuthorizedParty] says otherwise.
const DefaultAuthorizedParty = "http://localhost:3000"

// Server is a running fake of Clerk. Create it with [New] and stop it with
// [Server.Close].
type Server struct {
	// URL is the base URL of the fake, e.g. http://127.0.0.1:PORT, usable
	// both as the Backend API URL (routes under /v1) and as the Frontend API
	// URL (/.well-known/jwks.json).
	URL string

	ts         *httptest.Server
	clock      func() time.Time
	issuer     string
	secretKey  string
	instanceID string
	azp        string
	sessionID  string

	done      chan struct{}
	closeOnce sync.Once

	mu          sync.Mutex
	keys        []*signingKey // served in the JWKS, in order
	current     *signingKey   // signs minted tokens (may have been removed from keys)
	jwksBody    []byte        // when non-nil, served instead of the real key set
	users       *userStore
	defaultUser string // ID of the default user ("" for none)
	endpoints   map[string]*endpointState
	machine     machineStore  // machine tokens (see machine.go)
	changed     chan struct{} // closed and replaced whenever a waiting count changes

	tokenTTL   time.Duration // of session tokens minted by the Frontend API flows
	production bool          // a production instance (pk_live_)
	fmu        sync.Mutex    // guards front
	front      frontendStore // browsers' clients and sessions (see frontend.go)
}

type signingKey struct {
	kid string
	key *rsa.PrivateKey
}

type config struct {
	clock         func() time.Time
	issuer        string
	key           *rsa.PrivateKey
	secretKey     string
	azp           string
	noDefaultUser bool
	defaultUser   *UserParams

	sessionTokenTTL time.Duration
	production      bool
}

// Option configures a [Server] in [New].
type Option func(*config)

// WithClock sets the clock of the fake: the iat, nbf and exp of minted tokens
// and the timestamps of users follow it. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.clock = now }
}

// WithIssuer sets the "iss" claim of minted tokens. The default is the
// server's URL (http://127.0.0.1:PORT).
func WithIssuer(iss string) Option {
	return func(c *config) { c.issuer = iss }
}

// WithKey makes the server sign with key instead of generating an RSA-2048
// key (generation is slow, notably under -race, so tests may share one
// pre-generated key). The key's kid is still generated.
func WithKey(key *rsa.PrivateKey) Option {
	return func(c *config) { c.key = key }
}

// WithSecretKey sets the secret key that /v1 routes require. The default is
// "sk_test_" followed by random characters.
func WithSecretKey(sk string) Option {
	return func(c *config) { c.secretKey = sk }
}

// WithAuthorizedParty sets the default "azp" claim of minted tokens
// (default [DefaultAuthorizedParty]). The empty string leaves azp out.
func WithAuthorizedParty(azp string) Option {
	return func(c *config) { c.azp = azp }
}

// WithDefaultUser replaces the attributes of the default user that [New]
// creates (by default "Test User", test@example.com). New panics if Clerk
// would refuse these attributes (e.g. a malformed email address).
func WithDefaultUser(p UserParams) Option {
	return func(c *config) { c.defaultUser = &p; c.noDefaultUser = false }
}

// WithoutDefaultUser starts the server with no users at all. Tokens minted
// without [WithSubject] then carry a stable user ID that refers to no user.
func WithoutDefaultUser() Option {
	return func(c *config) { c.noDefaultUser = true; c.defaultUser = nil }
}

// New starts a fake Clerk on 127.0.0.1. Like httptest.NewServer it panics
// only if it cannot listen (or cannot generate a key, or [WithDefaultUser]
// is given attributes Clerk would refuse).
//
// Unless [WithoutDefaultUser] is given, the server holds one default user
// (see [Server.DefaultUser]) and [Server.Token] without [WithSubject] mints a
// token for that user.
func New(opts ...Option) *Server {
	c := config{clock: time.Now, azp: DefaultAuthorizedParty}
	for _, o := range opts {
		o(&c)
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	key := c.key
	if key == nil {
		key = mustGenerateKey()
	}
	s := &Server{
		clock:      c.clock,
		secretKey:  c.secretKey,
		instanceID: newID("ins_"),
		azp:        c.azp,
		sessionID:  newID("sess_"),
		done:       make(chan struct{}),
		endpoints:  make(map[string]*endpointState),
		changed:    make(chan struct{}),
		tokenTTL:   c.sessionTokenTTL,
		production: c.production,
	}
	if s.tokenTTL <= 0 {
		s.tokenTTL = DefaultTokenTTL
	}
	if s.secretKey == "" {
		s.secretKey = "sk_test_" + randomString(42)
	}
	// Clerk's first key carries the instance ID as its kid.
	s.current = &signingKey{kid: s.instanceID, key: key}
	s.keys = []*signingKey{s.current}
	s.users = newUserStore()
	if c.noDefaultUser {
		s.defaultUser = ""
		s.users.orphanID = newID("user_")
	} else {
		p := UserParams{FirstName: "Test", LastName: "User", Email: "test@example.com"}
		if c.defaultUser != nil {
			p = *c.defaultUser
		}
		if p.LastSignInAt.IsZero() {
			p.LastSignInAt = s.clock()
		}
		u := s.CreateUser(p) // before listening: a panic leaks nothing
		s.defaultUser = u.ID
	}

	s.ts = httptest.NewServer(s.routes())
	s.URL = s.ts.URL
	s.issuer = c.issuer
	if s.issuer == "" {
		s.issuer = s.URL
	}
	return s
}

// Close shuts the server down. It releases requests held by [Server.Block]
// and cuts simulated latency short, then waits for outstanding requests as
// httptest.Server.Close does. Close may be called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.done) })
	s.ts.Close()
}

// Client returns an *http.Client configured for the server (see
// httptest.Server.Client).
func (s *Server) Client() *http.Client { return s.ts.Client() }

// SecretKey returns the secret key that every /v1 route requires as
// "Authorization: Bearer <key>".
func (s *Server) SecretKey() string { return s.secretKey }

// PublishableKey returns a publishable key for the server's host, shaped like
// Clerk's: "pk_test_" + standard base64 (with padding) of "host:port$"
// ("pk_live_" with [WithProductionInstance]).
func (s *Server) PublishableKey() string {
	prefix := "pk_test_"
	if s.production {
		prefix = "pk_live_"
	}
	return prefix + base64.StdEncoding.EncodeToString([]byte(s.Host()+"$"))
}

// Host returns the host:port of the server's URL (the "Frontend API host"
// that [Server.PublishableKey] encodes).
func (s *Server) Host() string {
	return strings.TrimPrefix(s.URL, "http://")
}

// Issuer returns the "iss" claim of minted tokens: the server's URL unless
// [WithIssuer] set another.
func (s *Server) Issuer() string { return s.issuer }

// InstanceID returns the instance ID, "ins_" followed by random characters.
func (s *Server) InstanceID() string { return s.instanceID }

// SessionID returns the "sid" of tokens minted without [WithSessionID]. It is
// stable for the life of the server, as a real session's ID is across token
// refreshes.
func (s *Server) SessionID() string { return s.sessionID }

// AuthorizedParty returns the default "azp" claim of minted tokens (see
// [WithAuthorizedParty]).
func (s *Server) AuthorizedParty() string { return s.azp }

// Now returns the server's clock reading (see [WithClock]).
func (s *Server) Now() time.Time { return s.clock() }

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomString returns n random characters of [0-9A-Za-z].
func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("clerktest: random: %v", err))
	}
	for i := range b {
		// 256 is not a multiple of 62; the small bias is irrelevant here.
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// newID returns a Clerk-shaped ID: prefix followed by 27 base62 characters,
// like "user_2NNEqL2nrIRdJ194ndJqAHwEfxC".
func newID(prefix string) string { return prefix + "2" + randomString(26) }

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("clerktest: random: %v", err))
	}
	return fmt.Sprintf("%x", b)
}
