package core

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Cache is a cache shared between the replicas of an application, such as
// Redis (see github.com/clerkgo/clerk/core/rediscache), set with
// Config.Cache. The core keeps users and machine-token verification results
// in it, so that N replicas make one Backend API call between them instead
// of N. Values are opaque bytes; the core chooses the keys (namespaced per
// Clerk instance, opaque tokens only as hashes) and the TTLs, and versions
// and time-stamps the values itself, so an implementation only stores them.
//
// Get reports ok false for a missing key. Errors of either method are never
// fatal: the core logs a warning, observes it, and carries on as if the
// cache were not there (fetching from Clerk, keeping its in-memory cache).
// Implementations must be safe for concurrent use and should respect ctx.
type Cache interface {
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// cacheValueVersion prefixes every value the core writes to a shared Cache;
// a value of another version is a miss.
const cacheValueVersion byte = 1

// encodeShared frames a value for a shared cache: version, expiry (Unix
// milliseconds), payload.
func encodeShared(expires time.Time, payload []byte) []byte {
	b := make([]byte, 9, 9+len(payload))
	b[0] = cacheValueVersion
	binary.BigEndian.PutUint64(b[1:], uint64(expires.UnixMilli())) //nolint:gosec // read back as int64 by decodeShared
	return append(b, payload...)
}

// decodeShared unframes a shared-cache value; ok is false for a value of
// another version or one that has expired at now.
func decodeShared(b []byte, now time.Time) (expires time.Time, payload []byte, ok bool) {
	if len(b) < 9 || b[0] != cacheValueVersion {
		return time.Time{}, nil, false
	}
	expires = time.UnixMilli(int64(binary.BigEndian.Uint64(b[1:9]))) //nolint:gosec // written by encodeShared from an int64
	if !now.Before(expires) {
		return time.Time{}, nil, false
	}
	return expires, b[9:], true
}

// tokenHash is how an opaque token appears in cache keys and coalescing
// maps: its SHA-256, never the token itself (hex in a shared cache).
type tokenHash [sha256.Size]byte

func hashToken(token string) tokenHash {
	var buf [256]byte // most opaque tokens fit: no allocation
	return sha256.Sum256(append(buf[:0], token...))
}

func (h tokenHash) String() string { return hex.EncodeToString(h[:]) }

// instanceNamespace is the prefix of an instance's shared-cache keys: a
// hash of its secret key, the same on every replica of a tenant and
// different for every tenant; it reveals nothing about the key.
func instanceNamespace(secretKey string) string {
	sum := sha256.Sum256([]byte("clerkgo cache namespace\x00" + secretKey))
	return hex.EncodeToString(sum[:8])
}

// fetched is the outcome of one fetch: a value or an error, and until when
// it may be reused (zero: not at all).
type fetched[V any] struct {
	value   V
	err     error
	expires time.Time
}

// fetchCache deduplicates concurrent fetches of a key (one call serves every
// waiter), keeps outcomes in a bounded in-memory cache until they expire,
// and, when a shared Cache is configured, consults it before fetching and
// fills it after. Fetches run on goroutines the cache owns, detached from
// any one caller's context (a caller giving up does not fail the others),
// bounded by limit, and stopped by close.
type fetchCache[K comparable, V any] struct {
	name  string // in shared-cache keys, logs and observations: "user", "machine"
	fetch func(ctx context.Context, arg string) fetched[V]
	now   func() time.Time
	max   int
	limit time.Duration

	shared    Cache
	prefix    string // shared-cache key prefix: namespace + ":" + name + ":"
	keyString func(K) string
	encode    func(fetched[V]) ([]byte, bool)
	decode    func([]byte) (fetched[V], bool)
	events    *events

	sharedDown atomic.Bool // the shared cache's last operation failed

	mu      sync.Mutex
	entries map[K]fetched[V]
	calls   map[K]*flight[V]

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type flight[V any] struct {
	done chan struct{}
	out  fetched[V]
}

func newFetchCache[K comparable, V any](name string, fetch func(ctx context.Context, arg string) fetched[V], now func() time.Time, max int, limit time.Duration, ev *events) *fetchCache[K, V] {
	ctx, cancel := context.WithCancel(context.Background()) //nolint:gosec // cancel is kept and called by close
	return &fetchCache[K, V]{
		name: name, fetch: fetch, now: now, max: max, limit: limit, events: ev,
		entries: make(map[K]fetched[V]), calls: make(map[K]*flight[V]),
		ctx: ctx, cancel: cancel,
	}
}

// withShared makes the cache consult a shared Cache under the namespace ns,
// with keyString naming a key there.
func (fc *fetchCache[K, V]) withShared(c Cache, ns string, keyString func(K) string, encode func(fetched[V]) ([]byte, bool), decode func([]byte) (fetched[V], bool)) {
	fc.shared, fc.prefix, fc.keyString, fc.encode, fc.decode = c, ns+":"+fc.name+":", keyString, encode, decode
}

// errClosed is the cause when a closed client is asked to fetch.
var errClosed = errors.New("client is closed")

// get returns the outcome for key, from memory, from a fetch in flight, or
// from a new fetch, to which arg is passed (an opaque token whose hash is
// key: it is copied, as it may alias a buffer a framework reuses, and kept
// only while the fetch runs). ctx bounds only this caller's wait.
func (fc *fetchCache[K, V]) get(ctx context.Context, key K, arg string) (V, error) {
	fc.mu.Lock()
	if e, ok := fc.entries[key]; ok {
		if fc.now().Before(e.expires) {
			fc.mu.Unlock()
			fc.events.cache(ctx, fc.name, "memory", true)
			return e.value, e.err
		}
		delete(fc.entries, key)
	}
	call := fc.calls[key]
	if call == nil {
		if fc.ctx.Err() != nil {
			fc.mu.Unlock()
			var zero V
			return zero, errClosed
		}
		fc.events.cache(ctx, fc.name, "memory", false)
		call = &flight[V]{done: make(chan struct{})}
		fc.calls[key] = call
		fc.wg.Add(1)
		go fc.run(ctx, key, strings.Clone(arg), call)
	}
	fc.mu.Unlock()
	select {
	case <-call.done:
		return call.out.value, call.out.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

func (fc *fetchCache[K, V]) run(caller context.Context, key K, arg string, call *flight[V]) {
	defer fc.wg.Done()
	ctx, cancel := detached(fc.ctx, caller, fc.limit)
	out, fromShared, sharedErr := fc.lookupShared(ctx, key)
	if !fromShared {
		out = fc.fetch(ctx, arg)
		if !sharedErr { // a shared cache that just failed is not asked again
			fc.storeShared(ctx, key, out)
		}
	}
	cancel()
	fc.mu.Lock()
	delete(fc.calls, key)
	if fc.now().Before(out.expires) && fc.ctx.Err() == nil {
		if _, ok := fc.entries[key]; !ok && len(fc.entries) >= fc.max {
			for k := range fc.entries { // map iteration starts at a random entry
				delete(fc.entries, k)
				break
			}
		}
		fc.entries[key] = out
	}
	fc.mu.Unlock()
	call.out = out
	close(call.done)
}

// lookupShared asks the shared cache for key: the outcome and whether it
// was there, and whether the shared cache failed.
func (fc *fetchCache[K, V]) lookupShared(ctx context.Context, key K) (_ fetched[V], found, failed bool) {
	var zero fetched[V]
	if fc.shared == nil {
		return zero, false, false
	}
	b, ok, err := fc.shared.Get(ctx, fc.prefix+fc.keyString(key))
	if !fc.sharedResult(ctx, "get", err) {
		return zero, false, true
	}
	if !ok {
		fc.events.cache(ctx, fc.name, "shared", false)
		return zero, false, false
	}
	expires, payload, ok := decodeShared(b, fc.now())
	if !ok {
		fc.events.cache(ctx, fc.name, "shared", false)
		return zero, false, false
	}
	out, ok := fc.decode(payload)
	if !ok {
		fc.events.cache(ctx, fc.name, "shared", false)
		return zero, false, false
	}
	out.expires = expires
	fc.events.cache(ctx, fc.name, "shared", true)
	return out, true, false
}

// sharedResult records the outcome of a shared-cache operation: a warning
// when it fails, a line when it works again after failing. It reports
// whether the operation worked.
func (fc *fetchCache[K, V]) sharedResult(ctx context.Context, op string, err error) bool {
	if err != nil {
		fc.sharedDown.Store(true)
		fc.events.sharedCacheFailed(ctx, fc.name, op, err)
		return false
	}
	if fc.sharedDown.CompareAndSwap(true, false) {
		fc.events.sharedCacheRecovered(ctx, fc.name)
	}
	return true
}

func (fc *fetchCache[K, V]) storeShared(ctx context.Context, key K, out fetched[V]) {
	if fc.shared == nil {
		return
	}
	ttl := out.expires.Sub(fc.now())
	if ttl < time.Millisecond {
		return
	}
	payload, ok := fc.encode(out)
	if !ok {
		return
	}
	fc.sharedResult(ctx, "set", fc.shared.Set(ctx, fc.prefix+fc.keyString(key), encodeShared(out.expires, payload), ttl))
}

// close stops fetches in flight and waits for them; later gets fail.
func (fc *fetchCache[K, V]) close() {
	if fc == nil {
		return
	}
	fc.cancel()
	fc.wg.Wait()
}

// detached returns the context of a fetch shared by several callers: it
// carries the values of caller, the first of them (its trace span, so that
// an Observer parents the call to that request), but ends with owner (the
// cache's close) or after timeout, never with caller, whose cancellation
// bounds only its own wait.
func detached(owner, caller context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if caller == nil {
		caller = context.Background()
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(caller), timeout)
	stop := context.AfterFunc(owner, cancel)
	return ctx, func() {
		stop()
		cancel()
	}
}
