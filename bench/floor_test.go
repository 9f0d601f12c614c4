package bench

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// BenchmarkFloor is the physical floor of verifying a session token: SHA-256
// of the signing input and rsa.VerifyPKCS1v15 with the RSA-2048 key, on the
// same token, with nothing else (the signature is decoded once, outside the
// loop).
func BenchmarkFloor(b *testing.B) {
	op := floorOp(b, getFixture(b))
	b.Run("rsa-verify-sha256", func(b *testing.B) { loop(b, op) })
}

// floorOp returns the floor's operation on the fixture's repeated token.
func floorOp(b *testing.B, f *fixture) func(int) {
	dot := strings.LastIndexByte(f.token, '.')
	sig, err := base64.RawURLEncoding.DecodeString(f.token[dot+1:])
	if err != nil {
		b.Fatal(err)
	}
	signed := f.token[:dot]
	return func(int) {
		h := sha256.Sum256([]byte(signed))
		if err := rsa.VerifyPKCS1v15(f.pub, crypto.SHA256, h[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCore is our verifier without any HTTP around it:
// core.Client.VerifyToken on the repeated token (a verified-token cache
// hit) and on tokens it has not seen (the full verification).
func BenchmarkCore(b *testing.B) {
	f := getFixture(b)
	for _, ts := range tokenSets {
		b.Run("VerifyToken/"+ts.name, func(b *testing.B) {
			c, toks := f.client(ts.set), f.set(ts.set)
			ctx := context.Background()
			if _, err := c.VerifyToken(ctx, toks[len(toks)-1]); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := c.VerifyToken(ctx, toks[i%len(toks)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
