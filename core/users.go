package core

import (
	"context"
	"errors"
	"sync"
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
// is reused for Config.UserCacheTTL (default 10s). A user Clerk does not
// know is [ReasonUserNotFound] (invalid credentials: HTTP 401); any other
// failure is [ReasonUserUnavailable] ([ErrUnavailable]: HTTP 503).
func (c *Client) User(ctx context.Context, userID string) (*User, error) {
	if c == nil || c.s == nil {
		return nil, errNilClient
	}
	if c.api == nil {
		return nil, c.label(newError(ReasonUserUnavailable, errNoAPI))
	}
	u, err := c.users.get(ctx, userID)
	return u, c.label(err)
}

// userCache deduplicates concurrent fetches of a user and keeps results for
// a short TTL. It is bounded; fetches run on goroutines it owns and that
// close stops.
type userCache struct {
	fetch func(ctx context.Context, id string) (*User, error)
	now   func() time.Time
	ttl   time.Duration // 0: no caching, only deduplication
	max   int
	limit time.Duration // bound of one fetch

	mu      sync.Mutex
	entries map[string]userEntry
	calls   map[string]*userCall

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type userEntry struct {
	user    *User
	expires time.Time
}

type userCall struct {
	done chan struct{}
	user *User
	err  error
}

func newUserCache(fetch func(context.Context, string) (*User, error), now func() time.Time, ttl, limit time.Duration) *userCache {
	ctx, cancel := context.WithCancel(context.Background())
	return &userCache{
		fetch: fetch, now: now, ttl: ttl, max: DefaultUserCacheSize, limit: limit,
		entries: make(map[string]userEntry), calls: make(map[string]*userCall),
		ctx: ctx, cancel: cancel,
	}
}

func (uc *userCache) get(ctx context.Context, id string) (*User, error) {
	uc.mu.Lock()
	if e, ok := uc.entries[id]; ok {
		if uc.now().Before(e.expires) {
			uc.mu.Unlock()
			return e.user, nil
		}
		delete(uc.entries, id)
	}
	call := uc.calls[id]
	if call == nil {
		if uc.ctx.Err() != nil {
			uc.mu.Unlock()
			return nil, newError(ReasonUserUnavailable, uc.ctx.Err())
		}
		call = &userCall{done: make(chan struct{})}
		uc.calls[id] = call
		uc.wg.Add(1)
		go uc.run(id, call)
	}
	uc.mu.Unlock()
	select {
	case <-call.done:
		return call.user, call.err
	case <-ctx.Done():
		return nil, newError(ReasonUserUnavailable, ctx.Err())
	}
}

// run fetches one user for every waiter. It is detached from the first
// waiter's context, so one caller giving up does not fail the others.
func (uc *userCache) run(id string, call *userCall) {
	defer uc.wg.Done()
	ctx, cancel := context.WithTimeout(uc.ctx, uc.limit)
	u, err := uc.fetch(ctx, id)
	cancel()
	switch {
	case err == nil && u == nil:
		err = newError(ReasonUserUnavailable, errors.New("empty user response"))
	case bapi.IsNotFound(err):
		err = newError(ReasonUserNotFound, nil)
	case err != nil:
		err = newError(ReasonUserUnavailable, err)
	}
	if err != nil {
		u = nil
	}
	uc.mu.Lock()
	delete(uc.calls, id)
	if err == nil && uc.ttl > 0 {
		if len(uc.entries) >= uc.max {
			for k := range uc.entries {
				delete(uc.entries, k)
				break
			}
		}
		uc.entries[id] = userEntry{user: u, expires: uc.now().Add(uc.ttl)}
	}
	uc.mu.Unlock()
	call.user, call.err = u, err
	close(call.done)
}

func (uc *userCache) close() {
	uc.cancel()
	uc.wg.Wait()
}
