package core

import (
	"bytes"
	"testing"
	"time"
)

// FuzzSharedValue: a shared-cache value is untrusted input (anyone who can
// write to the shared Redis). Opening and decoding any bytes never panics;
// only a value sealed with the instance's key, under that key, opens; and a
// sealed value opens to what was sealed.
func FuzzSharedValue(f *testing.F) {
	macKey := sharedMACKey("sk_test_fuzz")
	at, exp := time.UnixMilli(1_800_000_000_000), time.UnixMilli(1_800_000_010_000)
	f.Add("ns:user:user_1", []byte(`u{"id":"user_1"}`), []byte(nil))
	f.Add("ns:machine:ab", []byte(`{"reason":"token-not-found"}`), []byte{2, 0, 1})
	f.Add("ns:user:user_2", []byte{userNotFound}, sealShared(macKey, "ns:user:user_2", at, exp, []byte{userNotFound}))
	f.Fuzz(func(t *testing.T, key string, payload, raw []byte) {
		// Arbitrary bytes under a key: open and decode, no panic.
		if _, _, p, st := openShared(macKey, key, raw); st == sharedOK {
			decodeUser(p)
			decodeMachine(p)
		}
		decodeUser(payload)
		decodeMachine(payload)

		sealed := sealShared(macKey, key, at, exp, payload)
		gotAt, gotExp, got, st := openShared(macKey, key, sealed)
		if st != sharedOK || !gotAt.Equal(at) || !gotExp.Equal(exp) || !bytes.Equal(got, payload) {
			t.Fatalf("round trip: status %d, %v %v %q", st, gotAt, gotExp, got)
		}
		if _, _, _, st := openShared(macKey, key+"x", sealed); st != sharedForged {
			t.Fatalf("opened under another key: %d", st)
		}
		if _, _, _, st := openShared(sharedMACKey("sk_test_other"), key, sealed); st != sharedForged {
			t.Fatalf("opened with another instance's key: %d", st)
		}
		for i := 1; i < len(sealed); i++ {
			cp := bytes.Clone(sealed)
			cp[i] ^= 0x80
			if _, _, _, st := openShared(macKey, key, cp); st == sharedOK {
				t.Fatalf("opened with byte %d altered", i)
			}
		}
	})
}
