// Package rediscache is a [core.Cache] on Redis: the cache the replicas of
// an application share, so that N replicas make one Backend API call
// between them for a user or an opaque machine token instead of N.
//
// Turn it on with one line of the core's configuration:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379", ContextTimeoutEnabled: true})
//	cfg.Cache, err = rediscache.New(rdb) // cfg is the core.Config
//
// Any redis.UniversalClient works (a single server, Sentinel, Cluster, a
// Ring). The core decides what is stored and for how long: keys are
// namespaced per Clerk instance (a hash of the secret key), opaque tokens
// appear only as SHA-256 hashes, values are versioned and carry their own
// expiry, and TTLs are the core's cache TTLs, never past an entry's expiry.
// This package stores the values as given under prefixed keys
// ([DefaultPrefix]), lets Redis expire them (SET with PX), and bounds every
// operation with a short timeout ([DefaultTimeout]).
//
// Redis failing never fails a request: the core treats an error of Get or
// Set (a timeout, a refused connection) as a miss, logs a warning through
// core.Config.Logger, and fetches from Clerk, keeping its in-memory cache
// as the first layer. The errors name the operation and the cause, never a
// key or a value.
//
// The Cache starts no goroutine and has no Close: the Redis client belongs
// to the caller, who closes it after the core.Clients using it.
//
// The tests run against a real redis-server at CLERKGO_REDIS_ADDR
// (scripts/test.sh starts one with scripts/redis.sh) and are skipped
// without it.
package rediscache
