package rediscache

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/clerkgo/clerk/core"
)

// Defaults of [New].
const (
	// DefaultPrefix is put before every key the cache reads or writes.
	DefaultPrefix = "clerkgo:"
	// DefaultTimeout bounds each Get and Set, so that a slow or hung Redis
	// delays a request by at most this much before the core falls back to
	// Clerk and its in-memory cache.
	DefaultTimeout = 100 * time.Millisecond
	// DefaultMaxValueSize is the largest value stored or returned (1 MiB);
	// a Clerk user with generous metadata is a few tens of KiB.
	DefaultMaxValueSize = 1 << 20
	// MaxKeySize is the longest key (without the prefix) the cache accepts.
	// The core's keys are far shorter: an instance namespace, a cache name
	// and a user id or a token's SHA-256.
	MaxKeySize = 1024
)

// Errors of [New], [Cache.Get] and [Cache.Set]. The errors of Get and Set
// are [*Error] values wrapping one of these or the Redis client's error.
var (
	// ErrNilClient: New was given no Redis client, or a method was called
	// on a nil or zero Cache.
	ErrNilClient = errors.New("rediscache: no Redis client")
	// ErrInvalidOption: an option of New has an invalid value.
	ErrInvalidOption = errors.New("rediscache: invalid option")
	// ErrContextTimeoutDisabled: the Redis client ignores context deadlines
	// (go-redis's ContextTimeoutEnabled is false, its default), so the
	// cache's per-operation timeout could not bound a hung Redis.
	ErrContextTimeoutDisabled = errors.New("rediscache: the Redis client ignores context deadlines; set ContextTimeoutEnabled: true in its options")
	// ErrTimeout: an operation took longer than the cache's timeout. It
	// matches context.DeadlineExceeded too.
	ErrTimeout = fmt.Errorf("rediscache: operation timed out: %w", context.DeadlineExceeded)
	// ErrKeyTooLarge: a key is longer than MaxKeySize.
	ErrKeyTooLarge = errors.New("rediscache: key too large")
	// ErrValueTooLarge: a value is larger than the cache's maximum value
	// size (WithMaxValueSize), to be stored or as found in Redis.
	ErrValueTooLarge = errors.New("rediscache: value too large")
)

// Error is a failed Get or Set. Its text names the operation and the cause
// and never contains a key or a value: an error reply of the Redis server
// is reduced to its error code (such as "WRONGTYPE" or "NOPERM"), as some
// replies quote a command's arguments. The full cause stays reachable with
// errors.Is and errors.As.
type Error struct {
	// Op is "get" or "set".
	Op string
	// Err is the cause: ErrTimeout, ErrKeyTooLarge, ErrValueTooLarge, the
	// caller's context error, or the Redis client's error.
	Err error
}

// Error returns "rediscache: OP: CAUSE".
func (e *Error) Error() string {
	if e == nil {
		return "<nil>"
	}
	return "rediscache: " + e.Op + ": " + causeText(e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// causeText is err's text for an Error: the text of this package's
// sentinels and of network and context errors, only the code of a Redis
// error reply.
func causeText(err error) string {
	var reply redis.Error
	switch {
	case err == nil:
		return "<nil>"
	case errors.As(err, &reply):
		code, _, _ := strings.Cut(reply.Error(), " ")
		return "redis error reply " + code
	default:
		return strings.TrimPrefix(err.Error(), "rediscache: ")
	}
}

// Cache is a [core.Cache] on Redis, shared by the replicas of an
// application: set it as core.Config.Cache. It stores the core's values as
// given, under the prefixed keys, with the TTLs the core asks for, enforced
// by Redis. It starts no goroutine and holds nothing but its settings and
// the Redis client, which stays the caller's to close. A Cache is safe for
// concurrent use.
type Cache struct {
	client   redis.UniversalClient
	prefix   string
	timeout  time.Duration
	maxValue int
}

var _ core.Cache = (*Cache)(nil)

// Option configures a [Cache] in [New].
type Option func(*Cache) error

// WithPrefix sets the prefix of every key (default DefaultPrefix,
// "clerkgo:"), to keep the cache's keys apart from an application's own in
// a shared Redis. The empty prefix is allowed. On Redis Cluster a prefix
// holding a hash tag ("{clerkgo}:") puts every key on one shard; the
// default spreads them.
func WithPrefix(prefix string) Option {
	return func(c *Cache) error {
		if len(prefix) > MaxKeySize {
			return fmt.Errorf("%w: WithPrefix: longer than %d bytes", ErrInvalidOption, MaxKeySize)
		}
		c.prefix = prefix
		return nil
	}
}

// WithTimeout bounds each Get and Set (default DefaultTimeout, 100ms). A
// timeout is an error, on which the core carries on without the shared
// cache. It must be positive.
func WithTimeout(d time.Duration) Option {
	return func(c *Cache) error {
		if d <= 0 {
			return fmt.Errorf("%w: WithTimeout: must be positive", ErrInvalidOption)
		}
		c.timeout = d
		return nil
	}
}

// WithMaxValueSize sets the largest value, in bytes, that Set stores and Get
// returns (default DefaultMaxValueSize, 1 MiB); larger ones are
// ErrValueTooLarge. It must be positive.
func WithMaxValueSize(n int) Option {
	return func(c *Cache) error {
		if n <= 0 {
			return fmt.Errorf("%w: WithMaxValueSize: must be positive", ErrInvalidOption)
		}
		c.maxValue = n
		return nil
	}
}

// New returns a Cache over client: a *redis.Client (including a Sentinel
// failover client), a *redis.ClusterClient, a *redis.Ring, or any other
// redis.UniversalClient. It makes no network call.
//
// Each operation's timeout works through its context, so New refuses a
// go-redis client whose ContextTimeoutEnabled option is false (go-redis's
// default, under which a hung Redis would hold a request for the client's
// ReadTimeout, seconds) with ErrContextTimeoutDisabled. Another
// implementation of the interface must respect context deadlines itself.
//
// The caller keeps ownership of client: close it after the core.Clients
// using the cache are closed.
func New(client redis.UniversalClient, opts ...Option) (*Cache, error) {
	if err := checkClient(client); err != nil {
		return nil, err
	}
	c := &Cache{client: client, prefix: DefaultPrefix, timeout: DefaultTimeout, maxValue: DefaultMaxValueSize}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// checkClient refuses a nil client (also a typed nil pointer) and a
// go-redis client that ignores context deadlines.
func checkClient(client redis.UniversalClient) error {
	if client == nil {
		return ErrNilClient
	}
	if v := reflect.ValueOf(client); v.Kind() == reflect.Pointer && v.IsNil() {
		return ErrNilClient
	}
	var enabled bool
	switch cl := client.(type) {
	case *redis.Client:
		enabled = cl.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		enabled = cl.Options().ContextTimeoutEnabled
	case *redis.Ring:
		enabled = cl.Options().ContextTimeoutEnabled
	default:
		return nil // another implementation: documented to respect ctx
	}
	if !enabled {
		return ErrContextTimeoutDisabled
	}
	return nil
}

// Get returns the value stored under key. A missing (or expired) key is
// ok false with a nil error.
func (c *Cache) Get(ctx context.Context, key string) (value []byte, ok bool, err error) {
	if c == nil || c.client == nil {
		return nil, false, &Error{Op: "get", Err: ErrNilClient}
	}
	if len(key) > MaxKeySize {
		return nil, false, &Error{Op: "get", Err: ErrKeyTooLarge}
	}
	ctx, opCtx, cancel := c.withTimeout(ctx)
	defer cancel()
	b, err := c.client.Get(opCtx, c.prefix+key).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, false, nil
	case err != nil:
		return nil, false, c.fail("get", ctx, opCtx, err)
	case len(b) > c.maxValue:
		return nil, false, &Error{Op: "get", Err: ErrValueTooLarge}
	}
	return b, true, nil
}

// Set stores value under key for ttl, which Redis enforces (SET with PX).
// A ttl under a millisecond stores nothing and is not an error.
func (c *Cache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if c == nil || c.client == nil {
		return &Error{Op: "set", Err: ErrNilClient}
	}
	if len(key) > MaxKeySize {
		return &Error{Op: "set", Err: ErrKeyTooLarge}
	}
	if len(value) > c.maxValue {
		return &Error{Op: "set", Err: ErrValueTooLarge}
	}
	if ttl < time.Millisecond {
		return nil
	}
	ctx, opCtx, cancel := c.withTimeout(ctx)
	defer cancel()
	if err := c.client.Set(opCtx, c.prefix+key, value, ttl).Err(); err != nil {
		return c.fail("set", ctx, opCtx, err)
	}
	return nil
}

// withTimeout returns the caller's context (Background for nil) and the
// operation's, ending at the cache's timeout or the caller's deadline.
func (c *Cache) withTimeout(ctx context.Context) (parent, op context.Context, cancel context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background()
	}
	op, cancel = context.WithTimeout(ctx, c.timeout)
	return ctx, op, cancel
}

// fail wraps the Redis client's err: the caller's context error when the
// caller gave up or its deadline passed, ErrTimeout when the cache's
// timeout did. The deadlines are compared to the clock, not only to the
// contexts' state, as the client's network deadline can fire an instant
// before the context's timer.
func (c *Cache) fail(op string, parent, opCtx context.Context, err error) error {
	if perr := parent.Err(); perr != nil {
		return &Error{Op: op, Err: perr}
	}
	if dl, ok := opCtx.Deadline(); ok && !time.Now().Before(dl) {
		if pdl, ok := parent.Deadline(); ok && !pdl.After(dl) {
			return &Error{Op: op, Err: context.DeadlineExceeded}
		}
		return &Error{Op: op, Err: ErrTimeout}
	}
	return &Error{Op: op, Err: err}
}
