package core

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"testing"

	"github.com/clerkgo/clerk/core/clerktest"
)

// TestVerifyKeyHashes holds verifyKey.verify (jwx's jwsbb.VerifyRSA with the
// hash chosen at load) to each accepted algorithm's hash: a signature made
// with the algorithm's hash verifies, one made with another hash over the
// same bytes does not, nor one over other bytes or of another length.
func TestVerifyKeyHashes(t *testing.T) {
	priv := clerktest.GenerateKey()
	input := []byte("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ")
	sign := func(h crypto.Hash, msg []byte) []byte {
		d := h.New()
		d.Write(msg)
		sig, err := rsa.SignPKCS1v15(rand.Reader, priv, h, d.Sum(nil))
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	hashes := []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512}
	for i, alg := range []string{"RS256", "RS384", "RS512"} {
		k, err := newVerifyKey(&priv.PublicKey, alg)
		if err != nil {
			t.Fatal(err)
		}
		for j, h := range hashes {
			tok := jwsToken{jwsHeader: jwsHeader{alg: alg}, signingInput: input, signature: sign(h, input)}
			want := ReasonTokenInvalidSignature
			if i == j {
				want = ""
			}
			if got := k.verify(&tok); got != want {
				t.Errorf("%s key, signature with %v: %q, want %q", alg, h, got, want)
			}
		}
		other := jwsToken{jwsHeader: jwsHeader{alg: alg}, signingInput: input[1:], signature: sign(hashes[i], input)}
		if got := k.verify(&other); got != ReasonTokenInvalidSignature {
			t.Errorf("%s: a signature over other bytes: %q", alg, got)
		}
		short := jwsToken{jwsHeader: jwsHeader{alg: alg}, signingInput: input, signature: sign(hashes[i], input)[1:]}
		if got := k.verify(&short); got != ReasonTokenInvalidSignature {
			t.Errorf("%s: a short signature: %q", alg, got)
		}
	}
	if _, err := newVerifyKey(&priv.PublicKey, "PS256"); err == nil {
		t.Error("a PS256 key was accepted")
	}
}
