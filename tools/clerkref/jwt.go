package clerkref

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// member is one JSON object member with its value as raw JSON text, so that
// cases can spell anything: duplicates, nulls, wrong types, invalid UTF-8.
type member struct{ name, raw string }

// object is a JSON object written member by member, in order.
type object []member

// with sets name to raw: the first member of that name is replaced, or the
// member is appended.
func (o object) with(name, raw string) object {
	out := append(object(nil), o...)
	for i := range out {
		if out[i].name == name {
			out[i].raw = raw
			return out
		}
	}
	return append(out, member{name, raw})
}

// without drops every member called name.
func (o object) without(name string) object {
	var out object
	for _, m := range o {
		if m.name != name {
			out = append(out, m)
		}
	}
	return out
}

// plus appends a member even if one of that name exists (a duplicate).
func (o object) plus(name, raw string) object {
	return append(append(object(nil), o...), member{name, raw})
}

// renamed renames every member called from.
func (o object) renamed(from, to string) object {
	out := append(object(nil), o...)
	for i := range out {
		if out[i].name == from {
			out[i].name = to
		}
	}
	return out
}

func (o object) String() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(quote(m.name))
		b.WriteByte(':')
		b.WriteString(m.raw)
	}
	b.WriteByte('}')
	return b.String()
}

// quote is a JSON string literal. Invalid UTF-8 is written as it is, not
// replaced, so cases can carry it on purpose.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			raw, _ := json.Marshal(string(c))
			b.Write(raw[1 : len(raw)-1])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// seg is the unpadded base64url encoding of a token segment.
func seg(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// signSegments signs already encoded header and payload segments with key
// (RSASSA-PKCS1-v1_5 over the exact text "h.p") and returns the compact
// token. hash selects RS256 (crypto.SHA256) or RS512 (crypto.SHA512).
func signSegments(key *rsa.PrivateKey, hash crypto.Hash, h, p string) string {
	input := h + "." + p
	var digest []byte
	switch hash {
	case crypto.SHA512:
		sum := sha512.Sum512([]byte(input))
		digest = sum[:]
	default:
		hash = crypto.SHA256
		sum := sha256.Sum256([]byte(input))
		digest = sum[:]
	}
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, hash, digest)
	if err != nil {
		panic("clerkref: signing failed: " + err.Error()) // only with a broken key
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// sign encodes header and payload (JSON text) and signs them with RS256.
func sign(key *rsa.PrivateKey, header, payload string) string {
	return signSegments(key, crypto.SHA256, seg(header), seg(payload))
}

// parts splits a compact token into its three segments.
func parts(token string) (h, p, s string) {
	h, rest, _ := strings.Cut(token, ".")
	p, s, _ = strings.Cut(rest, ".")
	return h, p, s
}
