package rediscache_test

import (
	"log"

	"github.com/redis/go-redis/v9"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/rediscache"
)

// Turning the shared cache on in an application configured from the
// environment (docs/shared-cache.md). Compiled, not run: it reads
// CLERK_SECRET_KEY and would use a Redis at redis:6379.
func Example_turningItOn() {
	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379", ContextTimeoutEnabled: true})
	defer rdb.Close() // yours to close, after the core.Client

	cfg, err := core.ConfigFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	cfg.Cache, err = rediscache.New(rdb) // the one line
	if err != nil {
		log.Fatal(err)
	}
	client, err := core.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
}
