package bench

import (
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
	f := getFixture(b)
	dot := strings.LastIndexByte(f.token, '.')
	sig, err := base64.RawURLEncoding.DecodeString(f.token[dot+1:])
	if err != nil {
		b.Fatal(err)
	}
	signed := f.token[:dot]
	b.Run("rsa-verify-sha256", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			h := sha256.Sum256([]byte(signed))
			if err := rsa.VerifyPKCS1v15(f.pub, crypto.SHA256, h[:], sig); err != nil {
				b.Fatal(err)
			}
		}
	})
}
