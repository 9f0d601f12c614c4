package rediscache_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/clerkgo/clerk/rediscache"
)

func TestNew(t *testing.T) {
	// None of these clients connects: New makes no network call.
	on := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	off := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	clusterOff := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}})
	clusterOn := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}, ContextTimeoutEnabled: true})
	ringOff := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1"}})
	ringOn := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1"}, ContextTimeoutEnabled: true})
	universal := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:1"}, ContextTimeoutEnabled: true})
	failover := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: "m", SentinelAddrs: []string{"127.0.0.1:1"}, ContextTimeoutEnabled: true})
	for _, c := range []interface{ Close() error }{on, off, clusterOff, clusterOn, ringOff, ringOn, universal, failover} {
		t.Cleanup(func() { _ = c.Close() })
	}

	tests := []struct {
		name   string
		client redis.UniversalClient
		opts   []rediscache.Option
		want   error
	}{
		{"client", on, nil, nil},
		{"all options", on, []rediscache.Option{rediscache.WithPrefix("app:"), rediscache.WithTimeout(time.Second), rediscache.WithMaxValueSize(10)}, nil},
		{"empty prefix", on, []rediscache.Option{rediscache.WithPrefix("")}, nil},
		{"nil option ignored", on, []rediscache.Option{nil}, nil},
		{"cluster", clusterOn, nil, nil},
		{"ring", ringOn, nil, nil},
		{"universal", universal, nil, nil},
		{"sentinel failover", failover, nil, nil},
		{"nil client", nil, nil, rediscache.ErrNilClient},
		{"typed nil client", (*redis.Client)(nil), nil, rediscache.ErrNilClient},
		{"context timeouts off", off, nil, rediscache.ErrContextTimeoutDisabled},
		{"cluster context timeouts off", clusterOff, nil, rediscache.ErrContextTimeoutDisabled},
		{"ring context timeouts off", ringOff, nil, rediscache.ErrContextTimeoutDisabled},
		{"zero timeout", on, []rediscache.Option{rediscache.WithTimeout(0)}, rediscache.ErrInvalidOption},
		{"negative timeout", on, []rediscache.Option{rediscache.WithTimeout(-time.Second)}, rediscache.ErrInvalidOption},
		{"zero value size", on, []rediscache.Option{rediscache.WithMaxValueSize(0)}, rediscache.ErrInvalidOption},
		{"long prefix", on, []rediscache.Option{rediscache.WithPrefix(strings.Repeat("p", rediscache.MaxKeySize+1))}, rediscache.ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := rediscache.New(tt.client, tt.opts...)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("New: %v, want %v", err, tt.want)
			}
			if (c == nil) == (err == nil) {
				t.Fatalf("New: cache %v with error %v", c, err)
			}
		})
	}
}

// TestNilCache: the methods of a nil or zero Cache fail cleanly.
func TestNilCache(t *testing.T) {
	for name, c := range map[string]*rediscache.Cache{"nil": nil, "zero": {}} {
		t.Run(name, func(t *testing.T) {
			if _, ok, err := c.Get(context.Background(), "k"); ok || !errors.Is(err, rediscache.ErrNilClient) {
				t.Errorf("Get: ok %v, err %v", ok, err)
			}
			if err := c.Set(context.Background(), "k", []byte("v"), time.Second); !errors.Is(err, rediscache.ErrNilClient) {
				t.Errorf("Set: %v", err)
			}
		})
	}
}

func TestGetSet(t *testing.T) {
	rdb := newRedis(t, redisAddr(t))
	prefix := testPrefix(t, rdb)
	c := newCache(t, rdb, rediscache.WithPrefix(prefix))
	ctx := context.Background()

	tests := []struct {
		name  string
		key   string
		value []byte
	}{
		{"text", "ns:user:user_1", []byte(`{"id":"user_1"}`)},
		{"binary", "ns:machine:ab12", []byte{1, 0, 0, 0, '\r', '\n', 0xff, 0}},
		{"empty value", "ns:user:empty", []byte{}},
		{"empty key", "", []byte("v")},
		{"odd key", "a b\r\n*\x00\xff{tag}", []byte("v")},
		{"large value", "ns:user:large", bytes.Repeat([]byte("x"), 256<<10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.Set(ctx, tt.key, tt.value, time.Minute); err != nil {
				t.Fatalf("Set: %v", err)
			}
			got, ok, err := c.Get(ctx, tt.key)
			if err != nil || !ok || !bytes.Equal(got, tt.value) {
				t.Fatalf("Get: %q, %v, %v; want %q", got, ok, err, tt.value)
			}
			raw, err := rdb.Get(ctx, prefix+tt.key).Bytes()
			if err != nil || !bytes.Equal(raw, tt.value) {
				t.Fatalf("the value is not stored as given under the prefixed key: %q, %v", raw, err)
			}
		})
	}

	t.Run("overwrite", func(t *testing.T) {
		for _, v := range []string{"one", "two"} {
			if err := c.Set(ctx, "ow", []byte(v), time.Minute); err != nil {
				t.Fatal(err)
			}
		}
		if got, ok, err := c.Get(ctx, "ow"); string(got) != "two" || !ok || err != nil {
			t.Fatalf("Get: %q, %v, %v", got, ok, err)
		}
	})
	t.Run("miss", func(t *testing.T) {
		got, ok, err := c.Get(ctx, "never set")
		if got != nil || ok || err != nil {
			t.Fatalf("Get of a missing key: %q, %v, %v; want nil, false, nil", got, ok, err)
		}
	})
	t.Run("caller's value not retained", func(t *testing.T) {
		v := []byte("abc")
		if err := c.Set(ctx, "alias", v, time.Minute); err != nil {
			t.Fatal(err)
		}
		v[0] = 'X'
		if got, _, _ := c.Get(ctx, "alias"); string(got) != "abc" {
			t.Fatalf("Get: %q after the caller changed its buffer", got)
		}
	})
}

func TestPrefix(t *testing.T) {
	rdb := newRedis(t, redisAddr(t))
	base := testPrefix(t, rdb)
	ctx := context.Background()
	a := newCache(t, rdb, rediscache.WithPrefix(base+"a:"))
	b := newCache(t, rdb, rediscache.WithPrefix(base+"b:"))
	bare := newCache(t, rdb, rediscache.WithPrefix(""))

	if err := a.Set(ctx, "k", []byte("from a"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := b.Get(ctx, "k"); ok || err != nil {
		t.Fatalf("another prefix sees the key: %v, %v", ok, err)
	}
	if got, ok, err := bare.Get(ctx, base+"a:k"); string(got) != "from a" || !ok || err != nil {
		t.Fatalf("the key is not prefix+key: %q, %v, %v", got, ok, err)
	}
	if got := keys(t, rdb, base); len(got) != 1 || got[0] != base+"a:k" {
		t.Fatalf("keys %q, want only %q", got, base+"a:k")
	}

	// The default prefix.
	def := newCache(t, rdb)
	key := strings.TrimPrefix(base, "clerkgotest:") + "default"
	if err := def.Set(ctx, key, []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Del(context.Background(), rediscache.DefaultPrefix+key) })
	if n, err := rdb.Exists(ctx, rediscache.DefaultPrefix+key).Result(); n != 1 || err != nil {
		t.Fatalf("no key %q: %v", rediscache.DefaultPrefix+key, err)
	}
}

func TestSetTTL(t *testing.T) {
	rdb := newRedis(t, redisAddr(t))
	prefix := testPrefix(t, rdb)
	c := newCache(t, rdb, rediscache.WithPrefix(prefix))
	ctx := context.Background()

	tests := []struct {
		name   string
		ttl    time.Duration
		stored bool
	}{
		{"zero", 0, false},
		{"negative", -time.Second, false},
		{"under a millisecond", 999 * time.Microsecond, false},
		{"keep-ttl sentinel", redis.KeepTTL, false},
		{"one millisecond", time.Millisecond, true},
		{"milliseconds", 1500 * time.Millisecond, true},
		{"whole seconds", 7 * time.Second, true},
		{"five minutes", 5 * time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := "ttl:" + tt.name
			if err := c.Set(ctx, key, []byte("v"), tt.ttl); err != nil {
				t.Fatalf("Set: %v", err)
			}
			if !tt.stored {
				if n, err := rdb.Exists(ctx, prefix+key).Result(); n != 0 || err != nil {
					t.Fatalf("a ttl of %v stored the key (%v)", tt.ttl, err)
				}
				return
			}
			if tt.ttl < 100*time.Millisecond {
				return // may be gone already; see TestRedisExpires
			}
			pttl, err := rdb.PTTL(ctx, prefix+key).Result()
			if err != nil || pttl <= 0 || pttl > tt.ttl {
				t.Fatalf("PTTL %v (%v), want in (0, %v]", pttl, err, tt.ttl)
			}
		})
	}
}

// TestRedisExpires: Redis, not the cache, removes an entry at its TTL.
func TestRedisExpires(t *testing.T) {
	rdb := newRedis(t, redisAddr(t))
	prefix := testPrefix(t, rdb)
	c := newCache(t, rdb, rediscache.WithPrefix(prefix))
	ctx := context.Background()
	if err := c.Set(ctx, "short", []byte("v"), 2*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := awaitGone(ctx, rdb, prefix+"short"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := c.Get(ctx, "short"); ok || err != nil {
		t.Fatalf("Get after expiry: %v, %v", ok, err)
	}
}

// awaitGone polls Redis (for at most 10s) until it has expired key. Redis
// expires keys on its own real-time clock, which no injected clock reaches;
// the TTLs awaited are a few milliseconds.
func awaitGone(ctx context.Context, rdb *redis.Client, key string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		n, err := rdb.Exists(ctx, key).Result()
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
	}
}

func TestLimits(t *testing.T) {
	rdb := newRedis(t, redisAddr(t))
	prefix := testPrefix(t, rdb)
	c := newCache(t, rdb, rediscache.WithPrefix(prefix), rediscache.WithMaxValueSize(8))
	ctx := context.Background()

	t.Run("value at the cap", func(t *testing.T) {
		if err := c.Set(ctx, "eight", []byte("12345678"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := c.Get(ctx, "eight"); string(got) != "12345678" || !ok || err != nil {
			t.Fatalf("Get: %q, %v, %v", got, ok, err)
		}
	})
	t.Run("value over the cap is not stored", func(t *testing.T) {
		err := c.Set(ctx, "nine", []byte("123456789"), time.Minute)
		if !errors.Is(err, rediscache.ErrValueTooLarge) {
			t.Fatalf("Set: %v, want ErrValueTooLarge", err)
		}
		if n, _ := rdb.Exists(ctx, prefix+"nine").Result(); n != 0 {
			t.Fatal("an oversized value was stored")
		}
	})
	t.Run("value over the cap found in Redis", func(t *testing.T) {
		rdb.Set(ctx, prefix+"big", "123456789", time.Minute)
		got, ok, err := c.Get(ctx, "big")
		if got != nil || ok || !errors.Is(err, rediscache.ErrValueTooLarge) {
			t.Fatalf("Get: %q, %v, %v; want ErrValueTooLarge", got, ok, err)
		}
	})
	t.Run("key too large", func(t *testing.T) {
		long := strings.Repeat("k", rediscache.MaxKeySize+1)
		if _, ok, err := c.Get(ctx, long); ok || !errors.Is(err, rediscache.ErrKeyTooLarge) {
			t.Fatalf("Get: %v, %v", ok, err)
		}
		if err := c.Set(ctx, long, []byte("v"), time.Minute); !errors.Is(err, rediscache.ErrKeyTooLarge) {
			t.Fatalf("Set: %v", err)
		}
		if err := c.Set(ctx, long[1:], []byte("v"), time.Minute); err != nil {
			t.Fatalf("Set of a key of MaxKeySize: %v", err)
		}
	})
}

// TestErrorsHideKeysAndValues: a Redis error reply reaches the caller as
// its code only, with the operation; errors.As still finds the reply.
func TestErrorsHideKeysAndValues(t *testing.T) {
	rdb := newRedis(t, redisAddr(t))
	prefix := testPrefix(t, rdb)
	c := newCache(t, rdb, rediscache.WithPrefix(prefix))
	ctx := context.Background()
	const key, secret = "user_secretish", "value-secretish"
	rdb.RPush(ctx, prefix+key, secret) // a list: GET answers WRONGTYPE

	_, ok, err := c.Get(ctx, key)
	var e *rediscache.Error
	var reply redis.Error
	if ok || !errors.As(err, &e) || e.Op != "get" || !errors.As(err, &reply) {
		t.Fatalf("Get of a list: %v, %v", ok, err)
	}
	if msg := err.Error(); msg != "rediscache: get: redis error reply WRONGTYPE" {
		t.Fatalf("error text %q", msg)
	}
	for _, s := range []string{key, secret, prefix} {
		if strings.Contains(err.Error(), s) {
			t.Fatalf("error %q contains %q", err, s)
		}
	}
}

// hungServer accepts connections and never answers: a hung Redis.
func hungServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String()
}

// TestTimeout: against a Redis that never answers, with a client that would
// wait forever on its own (no read or write timeout) and a caller that sets
// no deadline, Get and Set return ErrTimeout: the cache's timeout bounds
// them. A cache that did not enforce it would not return at all, which the
// guard below reports instead of hanging the test binary.
func TestTimeout(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{
		Addr: hungServer(t), ContextTimeoutEnabled: true,
		ReadTimeout: -1, WriteTimeout: -1, MaxRetries: -1,
	})
	t.Cleanup(func() { _ = rdb.Close() })
	c := newCache(t, rdb, rediscache.WithTimeout(20*time.Millisecond))

	ops := map[string]func(ctx context.Context) error{
		"get": func(ctx context.Context) error { _, _, err := c.Get(ctx, "k"); return err },
		"set": func(ctx context.Context) error { return c.Set(ctx, "k", []byte("v"), time.Second) },
	}
	for op, call := range ops {
		t.Run(op, func(t *testing.T) {
			err := within(t, func() error { return call(context.Background()) })
			var e *rediscache.Error
			if !errors.Is(err, rediscache.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &e) || e.Op != op {
				t.Fatalf("%s: %v, want a *Error of %q wrapping ErrTimeout", op, err, op)
			}
		})
		t.Run(op+" caller's deadline first", func(t *testing.T) {
			slow := newCache(t, rdb, rediscache.WithTimeout(time.Hour))
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			var err error
			if op == "get" {
				err = within(t, func() error { _, _, err := slow.Get(ctx, "k"); return err })
			} else {
				err = within(t, func() error { return slow.Set(ctx, "k", []byte("v"), time.Second) })
			}
			if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, rediscache.ErrTimeout) {
				t.Fatalf("%s: %v, want the caller's context.DeadlineExceeded", op, err)
			}
		})
		t.Run(op+" caller gives up", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := within(t, func() error { return call(ctx) })
			if !errors.Is(err, context.Canceled) || errors.Is(err, rediscache.ErrTimeout) {
				t.Fatalf("%s: %v, want context.Canceled", op, err)
			}
		})
	}
}

// within runs fn and returns its error, failing the test if fn has not
// returned after 10s (the cache's timeout is not enforced).
func within(t *testing.T, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("the operation did not return: the cache's timeout is not enforced")
		return nil
	}
}
