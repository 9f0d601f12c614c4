package core

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	_ "crypto/sha512" // RS384, RS512
	"encoding/base64"
	"strings"
)

// Token categories (the cat header). Session tokens carry the session
// category; the neutral category is accepted too. Any other category (JWT
// templates, machine tokens) is not a session token.
const (
	categorySession = "cl_B7d4PD111AAA"
	categoryNeutral = "cl_I7d4PD111III"
)

var b64 = base64.RawURLEncoding.Strict()

// jwsHeader is the protected header of a token.
type jwsHeader struct {
	alg, typ, kid, cat     string
	hasAlg, hasTyp, hasKid bool
	hasCat, hasCrit        bool
}

// decodeHeader reads the header members the rules look at; others are
// validated and skipped. A member of the wrong JSON type is an error.
func decodeHeader(raw string) (jwsHeader, error) {
	var h jwsHeader
	r := jsonReader{s: raw}
	err := r.object(func(key string) error {
		switch key {
		case "alg":
			h.hasAlg = true
			return r.str(&h.alg)
		case "typ":
			h.hasTyp = true
			return r.str(&h.typ)
		case "kid":
			h.hasKid = true
			return r.str(&h.kid)
		case "cat":
			h.hasCat = true
			return r.str(&h.cat)
		case "crit":
			h.hasCrit = true
		}
		return r.skip()
	})
	if err == nil {
		err = r.end()
	}
	return h, err
}

// parsedToken is a compact JWS split and decoded, not yet verified.
type parsedToken struct {
	alg, kid     string
	signingInput string
	signature    []byte
	payload      string
}

// parseToken splits and decodes a compact JWS and applies the header rules.
// It does no cryptography. The caller bounds the token's size.
func parseToken(token string) (*parsedToken, Reason, error) {
	h, rest, ok := strings.Cut(token, ".")
	if !ok {
		return nil, ReasonTokenMalformed, nil
	}
	p, s, ok := strings.Cut(rest, ".")
	if !ok || strings.IndexByte(s, '.') >= 0 || h == "" || p == "" || s == "" {
		return nil, ReasonTokenMalformed, nil
	}
	hb, err := decodeSegment(h)
	if err != nil {
		return nil, ReasonTokenMalformed, err
	}
	hdr, err := decodeHeader(hb)
	if err != nil {
		return nil, ReasonTokenMalformed, err
	}
	if hashFor(hdr.alg) == 0 {
		return nil, ReasonTokenInvalidAlg, nil
	}
	if hdr.hasTyp && hdr.typ != "JWT" {
		return nil, ReasonTokenInvalidType, nil
	}
	if hdr.hasCrit {
		return nil, ReasonTokenCritical, nil
	}
	if hdr.kid == "" {
		return nil, ReasonTokenMissingKID, nil
	}
	if hdr.hasCat && hdr.cat != categorySession && hdr.cat != categoryNeutral {
		return nil, ReasonTokenNotSession, nil
	}
	sig, err := b64.DecodeString(s)
	if err != nil {
		return nil, ReasonTokenMalformed, err
	}
	pb, err := decodeSegment(p)
	if err != nil {
		return nil, ReasonTokenMalformed, err
	}
	return &parsedToken{
		alg:          hdr.alg,
		kid:          hdr.kid,
		signingInput: token[:len(h)+1+len(p)],
		signature:    sig,
		payload:      pb,
	}, "", nil
}

// decodeSegment decodes a base64url token segment to a string, through a
// stack buffer when it is small (one allocation instead of two).
func decodeSegment(seg string) (string, error) {
	var buf [1024]byte
	dst := buf[:]
	if n := b64.DecodedLen(len(seg)); n > len(buf) {
		dst = make([]byte, n)
	}
	n, err := b64.Decode(dst, []byte(seg))
	if err != nil {
		return "", err
	}
	return string(dst[:n]), nil
}

// hashFor returns the hash of an accepted RSA algorithm, or 0.
func hashFor(alg string) crypto.Hash {
	switch alg {
	case "RS256":
		return crypto.SHA256
	case "RS384":
		return crypto.SHA384
	case "RS512":
		return crypto.SHA512
	}
	return 0
}

// verifySignature checks the RSA PKCS#1 v1.5 signature with the key's
// algorithm, which must be the token's.
func (t *parsedToken) verifySignature(k *verifyKey) Reason {
	if t.alg != k.alg {
		return ReasonTokenInvalidAlg
	}
	hash := hashFor(k.alg)
	var digest []byte
	if hash == crypto.SHA256 { // Clerk's algorithm: no hasher allocation
		sum := sha256.Sum256([]byte(t.signingInput))
		digest = sum[:]
	} else {
		h := hash.New()
		h.Write([]byte(t.signingInput))
		digest = h.Sum(nil)
	}
	if rsa.VerifyPKCS1v15(k.pub, hash, digest, t.signature) != nil {
		return ReasonTokenSignature
	}
	return ""
}
