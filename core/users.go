package core

import (
	"context"
	"encoding/json"
	"errors"
	"time"

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
// [ReasonUserNotFound] (invalid credentials: HTTP 401), and is remembered as
// long; any other failure is [ReasonUserFetchFailed] ([ErrUnavailable]:
// HTTP 503), whose text names the operation, not the user id. The returned
// user is shared: do not modify it.
func (c *Client) User(ctx context.Context, userID string) (*User, error) {
	if c == nil || c.s == nil {
		return nil, errNilClient
	}
	if c.api == nil {
		return nil, c.label(newError(ReasonUserFetchFailed, errNoAPI))
	}
	u, err := c.users.get(ctx, userID, userID)
	if err != nil && ReasonOf(err) == "" {
		err = newError(ReasonUserFetchFailed, err) // the caller gave up, or the client is closed
	}
	return u, c.label(err)
}

// fetchUser fetches one user for the user cache. A user Clerk does not
// know is kept as long as a user would be (deleted users' still-valid
// tokens cost no call each). The user id stays out of the error and the log
// line of a failed fetch: the operation names the call.
func (c *Client) fetchUser(ctx context.Context, id string) fetched[*User] {
	ctx, done := c.events.call(ctx, CallUser)
	u, _, err := c.api.Users.Get(ctx, id)
	var keep time.Time // zero: not cached
	if c.s.userCache > 0 {
		keep = c.s.Now().Add(c.s.userCache)
	}
	switch {
	case err == nil && u == nil:
		err = newError(ReasonUserFetchFailed, errEmptyAnswer)
		done(err)
	case bapi.IsNotFound(err):
		done(nil) // Clerk answered
		return fetched[*User]{err: newError(ReasonUserNotFound, nil), expires: keep}
	case err != nil:
		done(err)
		err = newError(ReasonUserFetchFailed, err)
	default:
		done(nil)
		return fetched[*User]{value: u, expires: keep}
	}
	return fetched[*User]{err: err}
}

// A user in a shared cache is userFound and the Backend API's JSON, or
// userNotFound alone.
const (
	userFound    = 'u'
	userNotFound = 'n'
)

// encodeUser and decodeUser store users, and the absence of a user, in a
// shared cache.
func encodeUser(f fetched[*User]) ([]byte, bool) {
	switch {
	case ReasonOf(f.err) == ReasonUserNotFound:
		return []byte{userNotFound}, true
	case f.err != nil || f.value == nil:
		return nil, false
	}
	b, err := json.Marshal(f.value)
	return append([]byte{userFound}, b...), err == nil
}

func decodeUser(b []byte) (fetched[*User], bool) {
	switch {
	case len(b) == 1 && b[0] == userNotFound:
		return fetched[*User]{err: newError(ReasonUserNotFound, nil)}, true
	case len(b) < 2 || b[0] != userFound:
		return fetched[*User]{}, false
	}
	u := new(User)
	if err := json.Unmarshal(b[1:], u); err != nil || u.ID == "" {
		return fetched[*User]{}, false
	}
	return fetched[*User]{value: u}, true
}
