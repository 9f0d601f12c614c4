package clerktest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"slices"
)

func mustGenerateKey() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(fmt.Sprintf("clerktest: generate RSA key: %v", err))
	}
	return k
}

// KeyID returns the kid of the current signing key. The first key's kid is
// the instance ID, as with Clerk; later keys get fresh "ins_..." kids.
func (s *Server) KeyID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current.kid
}

// PrivateKey returns the current signing key.
func (s *Server) PrivateKey() *rsa.PrivateKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current.key
}

// PublicKeyPEM returns the public half of the current signing key as a PKIX
// "PUBLIC KEY" PEM block, the format of Clerk's JWT public key
// (CLERK_JWT_KEY) for networkless verification.
func (s *Server) PublicKeyPEM() string {
	return PublicKeyPEM(&s.PrivateKey().PublicKey)
}

// PublicKeyPEM encodes pub as a PKIX "PUBLIC KEY" PEM block.
func PublicKeyPEM(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic(fmt.Sprintf("clerktest: marshal public key: %v", err))
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// GenerateKey returns a new RSA-2048 key, for [WithKey], [Server.RotateKeyWith],
// [Server.AddKey] or [WithSigningKey]. It panics if the system's random source
// fails.
func GenerateKey() *rsa.PrivateKey { return mustGenerateKey() }

// RotateKey generates a new RSA-2048 key that signs minted tokens from now on
// and returns its kid. The previous key stays in the JWKS until
// [Server.RemoveKey], so tokens it signed keep verifying.
func (s *Server) RotateKey() (kid string) {
	return s.RotateKeyWith(mustGenerateKey())
}

// RotateKeyWith is [Server.RotateKey] with a given key (RSA generation is
// slow under -race).
func (s *Server) RotateKeyWith(key *rsa.PrivateKey) (kid string) {
	k := &signingKey{kid: newID("ins_"), key: key}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, k)
	s.current = k
	return k.kid
}

// AddKey adds key's public half to the JWKS under kid (a fresh "ins_..." kid
// when kid is empty) without signing with it, and returns the kid. Mint with
// it through [WithSigningKey]. If kid is already served, its key is
// replaced (the JWKS then holds the new key under the old kid).
func (s *Server) AddKey(key *rsa.PrivateKey, kid string) string {
	if kid == "" {
		kid = newID("ins_")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys {
		if k.kid == kid {
			k.key = key
			return kid
		}
	}
	s.keys = append(s.keys, &signingKey{kid: kid, key: key})
	return kid
}

// RemoveKey removes the key with that kid from the JWKS and reports whether
// it was there. Removing the current signing key is allowed: minted tokens
// are still signed with it (and no longer verify) until [Server.RotateKey].
func (s *Server) RemoveKey(kid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.keys)
	s.keys = slices.DeleteFunc(s.keys, func(k *signingKey) bool { return k.kid == kid })
	return len(s.keys) != n
}

// KeyIDs returns the kids the JWKS serves, in order.
func (s *Server) KeyIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	kids := make([]string, len(s.keys))
	for i, k := range s.keys {
		kids[i] = k.kid
	}
	return kids
}

// SetJWKSBody makes both JWKS endpoints answer 200 with body verbatim
// (garbage, an empty key set, an oversize document...) instead of the real
// key set. nil restores the real key set.
func (s *Server) SetJWKSBody(body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jwksBody = slices.Clone(body)
	if body != nil && s.jwksBody == nil {
		s.jwksBody = []byte{}
	}
}

// JWK is one RSA public key as the JWKS serves it.
type JWK struct {
	Use string `json:"use"`
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// JWKS is the JSON Web Key Set document the server serves.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// JWKS returns the key set the server currently serves (ignoring
// [Server.SetJWKSBody]).
func (s *Server) JWKS() JWKS {
	s.mu.Lock()
	defer s.mu.Unlock()
	set := JWKS{Keys: make([]JWK, 0, len(s.keys))}
	for _, k := range s.keys {
		set.Keys = append(set.Keys, NewJWK(&k.key.PublicKey, k.kid))
	}
	return set
}

// NewJWK returns the JWK of pub under kid, shaped like Clerk's (use sig, alg
// RS256, base64url without padding).
func NewJWK(pub *rsa.PublicKey, kid string) JWK {
	return JWK{
		Use: "sig",
		Kty: "RSA",
		Kid: kid,
		Alg: "RS256",
		N:   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}

func (s *Server) jwksDocument() []byte {
	s.mu.Lock()
	body := s.jwksBody
	s.mu.Unlock()
	if body != nil {
		return body
	}
	b, err := json.Marshal(s.JWKS())
	if err != nil {
		panic(err) // cannot happen: strings only
	}
	return b
}
