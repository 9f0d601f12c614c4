package core

import (
	"fmt"
	"sync"
	"testing"
)

// TestBoundedKeepsUsedEntries: a flood of keys used once, many times the
// cache's size, leaves the entries asked for in between in the cache (a
// random or FIFO eviction loses nearly all of them).
func TestBoundedKeepsUsedEntries(t *testing.T) {
	const size, hot, flood = 64, 8, 64 * 50
	b := newBounded[string, int](size)
	for i := 0; i < hot; i++ {
		b.put(fmt.Sprint("hot", i), i)
	}
	misses := 0
	for i := 0; i < flood; i++ {
		b.put(fmt.Sprint("junk", i), i)
		if i%16 == 0 {
			for j := 0; j < hot; j++ {
				if v, ok := b.get(fmt.Sprint("hot", j)); !ok || v != j {
					misses++
					b.put(fmt.Sprint("hot", j), j)
				}
			}
		}
	}
	if misses != 0 {
		t.Fatalf("%d misses of the hot set during a flood of %d keys", misses, flood)
	}
	if n := b.len(); n != size {
		t.Fatalf("%d entries, want %d", n, size)
	}
}

func TestBoundedBasics(t *testing.T) {
	b := newBounded[string, int](2)
	b.put("a", 1)
	b.put("a", 2) // an update, not a second entry
	b.put("b", 3)
	if v, ok := b.get("a"); !ok || v != 2 || b.len() != 2 {
		t.Fatalf("get a: %d %v, len %d", v, ok, b.len())
	}
	b.put("c", 4) // full: b (unused) goes, a (used) stays
	if _, ok := b.get("b"); ok {
		t.Fatal("the unused entry stayed")
	}
	if _, ok := b.get("a"); !ok {
		t.Fatal("the used entry was evicted")
	}
	b.remove("a")
	b.remove("nope")
	b.put("d", 5) // takes the freed slot, evicts nothing
	if _, ok := b.get("c"); !ok || b.len() != 2 {
		t.Fatalf("after remove and put: c present %v, len %d", ok, b.len())
	}
	var nilCache *bounded[string, int]
	nilCache.put("x", 1)
	nilCache.remove("x")
	if _, ok := nilCache.get("x"); ok || nilCache.len() != 0 || newBounded[string, int](0) != nil {
		t.Fatal("a nil or zero-size cache must hold nothing")
	}
}

// TestBoundedHitAllocatesNothing: the hot path of a repeated session token.
func TestBoundedHitAllocatesNothing(t *testing.T) {
	b := newBounded[string, cachedToken](16)
	b.put("token", cachedToken{kid: "k"})
	if n := testing.AllocsPerRun(100, func() { b.get("token") }); n != 0 {
		t.Fatalf("%v allocations per hit", n)
	}
}

func TestBoundedConcurrent(t *testing.T) {
	b := newBounded[int, int](32)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				k := (i * (g + 1)) % 100
				if v, ok := b.get(k); ok && v != k {
					t.Errorf("key %d holds %d", k, v)
					return
				}
				b.put(k, k)
				if i%7 == 0 {
					b.remove(k)
				}
			}
		}()
	}
	wg.Wait()
	if b.len() > 32 {
		t.Fatalf("%d entries in a cache of 32", b.len())
	}
}
