package core

import (
	"sync"
	"sync/atomic"
)

// bounded is the one size-bounded in-memory cache of the package (verified
// session tokens, users, machine-token verdicts). When full it evicts by
// CLOCK (second chance): a hit marks its entry, and the eviction hand passes
// over marked entries, clearing the mark, until it finds one that was not
// used since the hand last passed. A flood of distinct keys that are never
// asked for again (junk tokens) so evicts itself, while entries in use
// stay. A hit takes only the read lock and allocates nothing.
//
// It knows nothing of expiry: its users store and check their own. A nil
// *bounded holds nothing.
type bounded[K comparable, V any] struct {
	mu    sync.RWMutex
	max   int
	index map[K]int // the slot of each key
	slots []boundedSlot[K, V]
	free  []int // slots emptied by remove, reused first
	hand  int   // the next eviction candidate, when no slot is free
}

type boundedSlot[K comparable, V any] struct {
	key K
	val V
	// used is set by a hit (atomically, under the read lock) and cleared
	// by the hand (under the write lock).
	used uint32
}

// newBounded returns a cache of at most max entries; nil (a cache that
// holds nothing) when max is not positive.
func newBounded[K comparable, V any](max int) *bounded[K, V] {
	if max <= 0 {
		return nil
	}
	return &bounded[K, V]{max: max, index: make(map[K]int, min(max, 1024))}
}

// get returns the value stored under k and marks it used.
func (b *bounded[K, V]) get(k K) (v V, ok bool) {
	if b == nil {
		return v, false
	}
	b.mu.RLock()
	i, ok := b.index[k]
	if ok {
		s := &b.slots[i]
		v = s.val
		if atomic.LoadUint32(&s.used) == 0 { // write the shared line only once
			atomic.StoreUint32(&s.used, 1)
		}
	}
	b.mu.RUnlock()
	return v, ok
}

// put stores v under k. A new key takes a free slot or, when the cache is
// full, the slot of the first entry the hand finds unused since it last
// passed. A new entry starts unused: it stays only if it is asked for.
func (b *bounded[K, V]) put(k K, v V) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if i, ok := b.index[k]; ok {
		b.slots[i].val = v
		return
	}
	var i int
	switch {
	case len(b.free) > 0:
		i = b.free[len(b.free)-1]
		b.free = b.free[:len(b.free)-1]
	case len(b.slots) < b.max:
		b.slots = append(b.slots, boundedSlot[K, V]{})
		i = len(b.slots) - 1
	default: // full, every slot in use: at most one sweep clears every mark
		for b.slots[b.hand].used != 0 {
			b.slots[b.hand].used = 0
			b.hand = (b.hand + 1) % len(b.slots)
		}
		i = b.hand
		delete(b.index, b.slots[i].key)
		b.hand = (b.hand + 1) % len(b.slots)
	}
	b.slots[i] = boundedSlot[K, V]{key: k, val: v}
	b.index[k] = i
}

// remove deletes the entry under k, if any.
func (b *bounded[K, V]) remove(k K) {
	if b == nil {
		return
	}
	b.mu.Lock()
	if i, ok := b.index[k]; ok {
		delete(b.index, k)
		b.slots[i] = boundedSlot[K, V]{} // drop the references
		b.free = append(b.free, i)
	}
	b.mu.Unlock()
}

// len returns the number of entries.
func (b *bounded[K, V]) len() int {
	if b == nil {
		return 0
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.index)
}
