package core

import (
	"strings"
	"sync"
)

// tokenCache remembers tokens that passed signature and static claim checks,
// so a repeated token does not pay for RSA again. Each hit is re-checked
// against the clock and against the key set in force. It is bounded: when
// full, an arbitrary entry is evicted.
type tokenCache struct {
	mu  sync.RWMutex
	max int
	m   map[string]cachedToken
}

type cachedToken struct {
	claims *Claims
	kid    string
	key    *verifyKey // the key that verified it; must still be in force
}

func newTokenCache(max int) *tokenCache {
	if max <= 0 {
		return nil
	}
	return &tokenCache{max: max, m: make(map[string]cachedToken, min(max, 1024))}
}

func (tc *tokenCache) get(token string) (cachedToken, bool) {
	if tc == nil {
		return cachedToken{}, false
	}
	tc.mu.RLock()
	e, ok := tc.m[token]
	tc.mu.RUnlock()
	return e, ok
}

func (tc *tokenCache) put(token string, e cachedToken) {
	if tc == nil {
		return
	}
	tc.mu.Lock()
	if _, ok := tc.m[token]; !ok && len(tc.m) >= tc.max {
		for k := range tc.m { // map iteration starts at a random entry
			delete(tc.m, k)
			break
		}
	}
	// Clone: the caller's string may alias a buffer the framework reuses
	// after the request (fasthttp does).
	tc.m[strings.Clone(token)] = e
	tc.mu.Unlock()
}

func (tc *tokenCache) remove(token string) {
	if tc == nil {
		return
	}
	tc.mu.Lock()
	delete(tc.m, token)
	tc.mu.Unlock()
}
