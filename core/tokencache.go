package core

import "strings"

// tokenCache remembers tokens that passed signature and static claim checks,
// so a repeated token does not pay for RSA again. Each hit is re-checked
// against the clock and against the key set in force. It is bounded, with
// the eviction of [bounded]: tokens in use stay, a flood of new tokens
// evicts itself. A nil *tokenCache (the cache disabled) holds nothing.
type tokenCache struct {
	b *bounded[string, cachedToken]
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
	return &tokenCache{b: newBounded[string, cachedToken](max)}
}

func (tc *tokenCache) get(token string) (cachedToken, bool) {
	if tc == nil {
		return cachedToken{}, false
	}
	return tc.b.get(token)
}

func (tc *tokenCache) put(token string, e cachedToken) {
	if tc == nil {
		return
	}
	// Clone: the caller's string may alias a buffer the framework reuses
	// after the request (fasthttp does).
	tc.b.put(strings.Clone(token), e)
}

func (tc *tokenCache) remove(token string) {
	if tc == nil {
		return
	}
	tc.b.remove(token)
}
