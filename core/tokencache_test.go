package core

import (
	"testing"
	"unsafe"
)

// TestTokenCacheOwnsKeys: a token string that aliases a buffer the caller
// reuses (fasthttp does) must not change the cache entry stored under it.
func TestTokenCacheOwnsKeys(t *testing.T) {
	tc := newTokenCache(8)
	buf := []byte("token-A")
	aliased := unsafe.String(&buf[0], len(buf))
	want := &Claims{Subject: "user_a"}
	tc.put(aliased, cachedToken{claims: want})
	copy(buf, "token-B") // the framework reuses its buffer
	if e, ok := tc.get("token-A"); !ok || e.claims != want {
		t.Fatal("entry lost after the caller's buffer changed")
	}
	if _, ok := tc.get("token-B"); ok {
		t.Fatal("entry found under the buffer's new contents")
	}
}

func TestTokenCacheBounded(t *testing.T) {
	tc := newTokenCache(4)
	for i := 0; i < 100; i++ {
		tc.put(string(rune('a'+i%26))+string(rune('0'+i/26)), cachedToken{})
	}
	if n := tc.b.len(); n != 4 {
		t.Fatalf("cache holds %d entries, want 4", n)
	}
	if newTokenCache(-1) != nil {
		t.Fatal("negative size must disable the cache")
	}
}
