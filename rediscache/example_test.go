package rediscache_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/rediscache"
)

// Share users and machine-token verdicts between the replicas of an
// application: one line in the core's configuration. Neither New call
// connects, so this runs without Redis; the first user fetch uses it.
func Example() {
	fake := clerktest.New() // stands in for Clerk; in production, no APIURL
	defer fake.Close()

	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379", ContextTimeoutEnabled: true})
	defer rdb.Close() // after the core.Client: the caller owns the Redis client

	cfg := core.Config{SecretKey: fake.SecretKey(), APIURL: fake.URL}
	var err error
	cfg.Cache, err = rediscache.New(rdb) // the one line
	if err != nil {
		panic(err)
	}
	client, err := core.New(cfg)
	if err != nil {
		panic(err)
	}
	defer client.Close()
	fmt.Println("shared cache on")
	// Output: shared cache on
}

// A go-redis client ignores context deadlines unless told otherwise, which
// would let a hung Redis hold requests for its ReadTimeout (seconds); New
// refuses it.
func ExampleNew_contextTimeoutEnabled() {
	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
	defer rdb.Close()
	_, err := rediscache.New(rdb)
	fmt.Println(errors.Is(err, rediscache.ErrContextTimeoutDisabled))
	// Output: true
}

// Options: a key prefix of the application's own, a tighter timeout and a
// smaller value cap; a Redis Cluster client works the same.
func ExampleNew_options() {
	rdb := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:                 []string{"redis-0:6379", "redis-1:6379", "redis-2:6379"},
		ContextTimeoutEnabled: true,
	})
	defer rdb.Close()
	cache, err := rediscache.New(rdb,
		rediscache.WithPrefix("myapp:clerk:"),
		rediscache.WithTimeout(50*time.Millisecond),
		rediscache.WithMaxValueSize(256<<10),
	)
	fmt.Println(cache != nil, err)
	// Output: true <nil>
}
