package core

import (
	"context"
	"errors"
	"strings"
)

// Options configure an [Authenticator].
type Options struct {
	// Client is the instance to verify against. Nil: a client built from
	// the environment with [NewFromEnv].
	Client *Client
	// FetchUser loads the Clerk user of each signed-in request (through the
	// client's deduplicating, briefly caching user fetch).
	FetchUser bool
	// SessionKey is the session cookie name. Default "__session".
	SessionKey string
	// Optional lets signed-out requests through: with no token, or with a
	// token that is not acceptable, Authenticate returns (nil, nil). Clerk
	// being unreachable is still an error.
	Optional bool
}

// Authenticator is the framework-neutral heart of the adapters: it turns a
// request's Authorization and Cookie headers into an [Auth]. Adapters wrap
// it in their framework's middleware type.
type Authenticator struct {
	client     *Client
	fetchUser  bool
	sessionKey string
	optional   bool
}

// ErrFetchUserNeedsSecretKey is returned by [NewAuthenticator] when the
// user fetch is on but the client has no secret key.
var ErrFetchUserNeedsSecretKey = errors.New("clerk: FetchUser needs a secret key (CLERK_SECRET_KEY); set it or turn FetchUser off")

// NewAuthenticator validates o and returns an Authenticator. All
// configuration errors surface here, at start-up, not on a request.
func NewAuthenticator(o Options) (*Authenticator, error) {
	key := o.SessionKey
	if key == "" {
		key = DefaultSessionKey
	}
	if !validCookieName(key) {
		return nil, &ConfigError{Field: "SessionKey", Problem: "is not a valid cookie name"}
	}
	c := o.Client
	if c == nil {
		var err error
		if c, err = NewFromEnv(); err != nil {
			return nil, err // names the environment variable at fault
		}
		if o.FetchUser && !c.HasSecretKey() {
			c.Close()
			return nil, ErrFetchUserNeedsSecretKey
		}
	}
	if o.FetchUser && !c.HasSecretKey() {
		return nil, ErrFetchUserNeedsSecretKey
	}
	return &Authenticator{client: c, fetchUser: o.FetchUser, sessionKey: key, optional: o.Optional}, nil
}

// Client returns the client the authenticator verifies against.
func (a *Authenticator) Client() *Client { return a.client }

// Authenticate verifies the request's credentials and, when configured,
// fetches the user. In optional mode a signed-out request yields (nil, nil).
func (a *Authenticator) Authenticate(ctx context.Context, authorization, cookie string) (*Auth, error) {
	claims, err := a.client.Authenticate(ctx, Credentials{Authorization: authorization, Cookie: cookie, SessionKey: a.sessionKey})
	if err == nil && a.fetchUser {
		var u *User
		if u, err = a.client.User(ctx, claims.Subject); err == nil {
			return &Auth{Session: claims, User: u}, nil
		}
	}
	if err != nil {
		if a.optional && (errors.Is(err, ErrNoCredentials) || errors.Is(err, ErrInvalidCredentials)) {
			return nil, nil
		}
		return nil, err
	}
	return &Auth{Session: claims}, nil
}

// validCookieName reports whether s is an RFC 6265 cookie name (a token).
func validCookieName(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}
