package core

import (
	"context"
	"crypto/hmac"
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
// Redis (see github.com/clerkgo/clerk/rediscache), set with
// Config.Cache. The core keeps users and machine-token verification results
// in it, so that N replicas make one Backend API call between them instead
// of N. Values are opaque bytes; the core chooses the keys (namespaced per
// Clerk instance, opaque tokens only as hashes) and the TTLs, and versions,
// time-stamps and authenticates the values itself (an HMAC keyed from the
// secret key, over key and value), so an implementation only stores them,
// and a value written by anyone else is a miss. Config.SharedCacheTimeout
// bounds each call.
//
// Get reports ok false for a missing key. Errors of either method are never
// fatal: the core logs a warning, observes it, and carries on as if the
// cache were not there (fetching from Clerk, keeping its in-memory cache).
// Implementations must be safe for concurrent use and should respect ctx.
type Cache interface {
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// DefaultSharedCacheTimeout bounds each Get and Set of a shared [Cache]
// when Config.SharedCacheTimeout is zero.
const DefaultSharedCacheTimeout = 100 * time.Millisecond

// cacheValueVersion prefixes every value the core writes to a shared Cache;
// a value of another version is a miss. Version 2 added the fetch time and
// the MAC.
const cacheValueVersion byte = 2

// Layout of a shared-cache value: version, fetch time and expiry (Unix
// milliseconds), payload, then an HMAC-SHA256 over the cache key and all
// that precedes it.
const (
	sharedHeaderSize = 1 + 8 + 8
	sharedMACSize    = sha256.Size
)

// sharedMACKey derives the key that authenticates an instance's shared-cache
// values from its secret key, apart (by its label) from every other use of
// the secret key: replicas of one instance share it, nobody else has it.
func sharedMACKey(secretKey string) []byte {
	m := hmac.New(sha256.New, []byte(secretKey))
	m.Write([]byte("clerkgo shared-cache value MAC v2")) //nolint:errcheck // hash.Hash.Write never fails
	return m.Sum(nil)
}

// sharedMAC is the MAC of a value (without its MAC) stored under key: the
// key is part of it, so a value copied to another key does not verify.
func sharedMAC(macKey []byte, key string, value []byte) []byte {
	m := hmac.New(sha256.New, macKey)
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(key))) //nolint:gosec // keys are far shorter than 4 GiB
	m.Write(n[:])                                      //nolint:errcheck // hash.Hash.Write never fails
	m.Write([]byte(key))                               //nolint:errcheck // hash.Hash.Write never fails
	m.Write(value)                                     //nolint:errcheck // hash.Hash.Write never fails
	return m.Sum(nil)
}

// sealShared frames and authenticates a value for a shared cache.
func sealShared(macKey []byte, key string, fetchedAt, expires time.Time, payload []byte) []byte {
	b := make([]byte, sharedHeaderSize, sharedHeaderSize+len(payload)+sharedMACSize)
	b[0] = cacheValueVersion
	binary.BigEndian.PutUint64(b[1:], uint64(fetchedAt.UnixMilli())) //nolint:gosec // read back as int64 by openShared
	binary.BigEndian.PutUint64(b[9:], uint64(expires.UnixMilli()))   //nolint:gosec // read back as int64 by openShared
	b = append(b, payload...)
	return append(b, sharedMAC(macKey, key, b)...)
}

// The outcomes of openShared.
const (
	sharedOK      = iota
	sharedVersion // another version (a replica of another release): a plain miss
	sharedForged  // the MAC does not verify: a miss and a warning
)

// openShared checks a shared-cache value read under key and unframes it.
func openShared(macKey []byte, key string, b []byte) (fetchedAt, expires time.Time, payload []byte, status int) {
	if len(b) == 0 || b[0] != cacheValueVersion {
		return time.Time{}, time.Time{}, nil, sharedVersion
	}
	if len(b) < sharedHeaderSize+sharedMACSize {
		return time.Time{}, time.Time{}, nil, sharedForged
	}
	body, mac := b[:len(b)-sharedMACSize], b[len(b)-sharedMACSize:]
	if !hmac.Equal(mac, sharedMAC(macKey, key, body)) {
		return time.Time{}, time.Time{}, nil, sharedForged
	}
	fetchedAt = time.UnixMilli(int64(binary.BigEndian.Uint64(body[1:9]))) //nolint:gosec // written by sealShared from an int64
	expires = time.UnixMilli(int64(binary.BigEndian.Uint64(body[9:17])))  //nolint:gosec // written by sealShared from an int64
	return fetchedAt, expires, body[sharedHeaderSize:], sharedOK
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
	limit time.Duration // each fetch's budget: Config.Timeout
	ttl   time.Duration // this client's TTL: a shared entry is used until its fetch time + ttl at most

	shared        Cache
	sharedTimeout time.Duration // each shared Get's and Set's budget, apart from limit
	macKey        []byte        // authenticates shared values
	prefix        string        // shared-cache key prefix: namespace + ":" + name + ":"
	keyString     func(K) string
	encode        func(fetched[V]) ([]byte, bool)
	decode        func([]byte) (fetched[V], bool)
	events        *events

	sharedDown atomic.Bool // the shared cache's last operation failed

	entries *bounded[K, fetched[V]] // nil: no memory cache

	mu    sync.Mutex
	calls map[K]*flight[V]

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type flight[V any] struct {
	done chan struct{}
	out  fetched[V]
}

// fetchCacheConfig configures a fetchCache.
type fetchCacheConfig[V any] struct {
	name    string // in shared-cache keys, logs and observations: "user", "machine"
	fetch   func(ctx context.Context, arg string) fetched[V]
	now     func() time.Time
	size    int           // outcomes kept in memory at most; none when not positive
	timeout time.Duration // each fetch's budget: Config.Timeout
	ttl     time.Duration // a shared entry is used until its fetch time + ttl at most
	events  *events
}

// newFetchCache returns a fetchCache configured by cfg. A shared Cache is
// added with [fetchCache.withShared].
func newFetchCache[K comparable, V any](cfg fetchCacheConfig[V]) *fetchCache[K, V] {
	ctx, cancel := context.WithCancel(context.Background()) //nolint:gosec // cancel is kept and called by close
	return &fetchCache[K, V]{
		name: cfg.name, fetch: cfg.fetch, now: cfg.now, limit: cfg.timeout, ttl: cfg.ttl, events: cfg.events,
		entries: newBounded[K, fetched[V]](cfg.size), calls: make(map[K]*flight[V]),
		ctx: ctx, cancel: cancel,
	}
}

// sharedConfig is how a fetchCache uses a shared Cache.
type sharedConfig[K comparable, V any] struct {
	cache     Cache
	timeout   time.Duration // each Get's and Set's budget
	secretKey string        // the instance's: namespaces the keys, keys the MACs
	keyString func(K) string
	encode    func(fetched[V]) ([]byte, bool)
	decode    func([]byte) (fetched[V], bool)
}

// withShared makes the cache consult a shared Cache.
func (fc *fetchCache[K, V]) withShared(sc sharedConfig[K, V]) {
	fc.shared, fc.sharedTimeout = sc.cache, sc.timeout
	fc.prefix = instanceNamespace(sc.secretKey) + ":" + fc.name + ":"
	fc.macKey = sharedMACKey(sc.secretKey)
	fc.keyString, fc.encode, fc.decode = sc.keyString, sc.encode, sc.decode
}

// errClosed is the cause when a closed client is asked to fetch.
var errClosed = errors.New("client is closed")

// get returns the outcome for key, from memory, from a fetch in flight, or
// from a new fetch, to which arg is passed (an opaque token whose hash is
// key: it is copied, as it may alias a buffer a framework reuses, and kept
// only while the fetch runs). ctx bounds only this caller's wait. A memory
// hit takes no exclusive lock.
func (fc *fetchCache[K, V]) get(ctx context.Context, key K, arg string) (V, error) {
	v, _, err := fc.getHit(ctx, key, arg)
	return v, err
}

// getHit is get that also reports a memory hit: an outcome that was still
// fresh (now before its expiry) when it was read.
func (fc *fetchCache[K, V]) getHit(ctx context.Context, key K, arg string) (V, bool, error) {
	if e, ok := fc.fresh(key); ok {
		fc.events.cache(ctx, fc.name, "memory", true)
		return e.value, true, e.err
	}
	fc.mu.Lock()
	if e, ok := fc.fresh(key); ok { // stored by a fetch that ended meanwhile
		fc.mu.Unlock()
		fc.events.cache(ctx, fc.name, "memory", true)
		return e.value, true, e.err
	}
	call := fc.calls[key]
	if call == nil {
		if fc.ctx.Err() != nil {
			fc.mu.Unlock()
			var zero V
			return zero, false, newError(ReasonClientClosed, errClosed)
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
		return call.out.value, false, call.out.err
	case <-ctx.Done():
		var zero V
		return zero, false, ctx.Err()
	}
}

// fresh returns the outcome in memory for key, if it has not expired.
func (fc *fetchCache[K, V]) fresh(key K) (fetched[V], bool) {
	e, ok := fc.entries.get(key)
	return e, ok && fc.now().Before(e.expires)
}

// run looks key up in the shared cache, else fetches it and stores the
// outcome there, then keeps it in memory and hands it to the waiters. The
// shared lookup and store each have the shared-cache budget, the fetch all
// of limit; a shared cache whose lookup failed is not asked to store, so a
// hung one costs a fetch one budget.
func (fc *fetchCache[K, V]) run(caller context.Context, key K, arg string, call *flight[V]) {
	defer fc.wg.Done()
	fetchedAt := fc.now()
	out, fromShared, sharedFailed := fc.lookupShared(caller, key)
	if !fromShared {
		ctx, cancel := detached(fc.ctx, caller, fc.limit)
		out = fc.fetch(ctx, arg)
		cancel()
		if !sharedFailed && fc.ctx.Err() == nil {
			fc.storeShared(caller, key, fetchedAt, out)
		}
	}
	fc.mu.Lock()
	if fc.now().Before(out.expires) && fc.ctx.Err() == nil {
		fc.entries.put(key, out)
	}
	delete(fc.calls, key)
	fc.mu.Unlock()
	call.out = out
	close(call.done)
}

// lookupShared asks the shared cache for key, within the shared-cache
// budget: the outcome and whether it was there, and whether the shared
// cache failed. An entry is used until the earliest of its expiry and its
// fetch time plus this client's own TTL.
func (fc *fetchCache[K, V]) lookupShared(caller context.Context, key K) (_ fetched[V], found, failed bool) {
	var zero fetched[V]
	if fc.shared == nil {
		return zero, false, false
	}
	ctx, cancel := detached(fc.ctx, caller, fc.sharedTimeout)
	defer cancel()
	k := fc.prefix + fc.keyString(key)
	b, ok, err := fc.shared.Get(ctx, k)
	if !fc.sharedResult(ctx, "get", err) {
		return zero, false, true
	}
	if !ok {
		fc.events.cache(ctx, fc.name, "shared", false)
		return zero, false, false
	}
	fetchedAt, expires, payload, status := openShared(fc.macKey, k, b)
	if status == sharedForged {
		fc.events.sharedCacheForged(ctx, fc.name)
		return zero, false, false
	}
	now := fc.now()
	until := minTime(expires, fetchedAt.Add(fc.ttl), now.Add(fc.ttl))
	if status != sharedOK || !now.Before(until) {
		fc.events.cache(ctx, fc.name, "shared", false)
		return zero, false, false
	}
	out, ok := fc.decode(payload)
	if !ok {
		fc.events.cache(ctx, fc.name, "shared", false)
		return zero, false, false
	}
	out.expires = until
	fc.events.cache(ctx, fc.name, "shared", true)
	return out, true, false
}

func minTime(t time.Time, more ...time.Time) time.Time {
	for _, u := range more {
		if u.Before(t) {
			t = u
		}
	}
	return t
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

// storeShared writes a fetched outcome to the shared cache, within the
// shared-cache budget, stamped with its fetch time.
func (fc *fetchCache[K, V]) storeShared(caller context.Context, key K, fetchedAt time.Time, out fetched[V]) {
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
	ctx, cancel := detached(fc.ctx, caller, fc.sharedTimeout)
	defer cancel()
	k := fc.prefix + fc.keyString(key)
	fc.sharedResult(ctx, "set", fc.shared.Set(ctx, k, sealShared(fc.macKey, k, fetchedAt, out.expires, payload), ttl))
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
