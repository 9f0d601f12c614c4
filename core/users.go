package core

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/clerkgo/clerk/core/bapi"
)

// User is a Clerk user as the Backend API returns it (the spec's User
// schema).
type User = bapi.User

// errNoAPI is the cause when a user is asked of a client without a secret
// key; NewAuthenticator prevents it for the adapters.
var errNoAPI = errors.New("client has no secret key")

// User returns the Clerk user with the given id (GET /users/{user_id}).
// Concurrent calls for the same user share one API call, and a fetched user
// is reused for Config.UserCacheTTL (default 10s), from memory and, when
// Config.Cache is set, from the shared cache. A user Clerk does not know is
// [ReasonUserNotFound] (invalid credentials: HTTP 401); any other failure is
// [ReasonUserUnavailable] ([ErrUnavailable]: HTTP 503). The returned user is
// shared: do not modify it.
func (c *Client) User(ctx context.Context, userID string) (*User, error) {
	if c == nil || c.s == nil {
		return nil, errNilClient
	}
	if c.api == nil {
		return nil, c.label(newError(ReasonUserUnavailable, errNoAPI))
	}
	u, err := c.users.get(ctx, userID, userID)
	if err != nil && ReasonOf(err) == "" {
		err = newError(ReasonUserUnavailable, err) // the caller gave up, or the client is closed
	}
	return u, c.label(err)
}

// fetchUser fetches one user for the user cache.
func (c *Client) fetchUser(ctx context.Context, id string) fetched[*User] {
	ctx, done := c.events.call(ctx, CallUser)
	u, _, err := c.api.Users.Get(ctx, id)
	switch {
	case err == nil && u == nil:
		err = newError(ReasonUserUnavailable, errEmptyAnswer)
		done(err)
	case bapi.IsNotFound(err):
		done(nil) // Clerk answered
		return fetched[*User]{err: newError(ReasonUserNotFound, nil)}
	case err != nil:
		done(err)
		err = newError(ReasonUserUnavailable, err)
	default:
		done(nil)
		if c.s.userCache <= 0 {
			return fetched[*User]{value: u}
		}
		return fetched[*User]{value: u, expires: c.s.Now().Add(c.s.userCache)}
	}
	return fetched[*User]{err: err}
}

// encodeUser and decodeUser store users in a shared cache, as the Backend
// API's JSON.
func encodeUser(f fetched[*User]) ([]byte, bool) {
	if f.err != nil || f.value == nil {
		return nil, false
	}
	b, err := json.Marshal(f.value)
	return b, err == nil
}

func decodeUser(b []byte) (fetched[*User], bool) {
	u := new(User)
	if err := json.Unmarshal(b, u); err != nil || u.ID == "" {
		return fetched[*User]{}, false
	}
	return fetched[*User]{value: u}, true
}
