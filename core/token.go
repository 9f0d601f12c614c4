package core

import (
	"encoding/base64"
	"errors"

	"github.com/lestrrat-go/jwx/v3/jws"
)

// Token categories (the cat header), as Clerk's reference verifier names
// them. Session tokens carry the session category; the neutral category is
// stamped on every class by instances that opted out of categories, so it
// says nothing either way. Any other category is not a session token.
const (
	categorySession     = "cl_B7d4PD111AAA"
	categoryJWTTemplate = "cl_B7d4PD222AAA"
	categoryM2M         = "cl_B7d4PD333AAA"
	categoryNeutral     = "cl_I7d4PD111III"
)

// machineSubjectPrefix starts the sub of a machine (M2M) token: such a token
// is never a signed-in session, whatever its header says.
const machineSubjectPrefix = "mch_"

// compactOnly makes jws.Parse accept the compact serialization only (never
// the JSON serializations). Options are immutable values: building it once
// saves two allocations per token.
var compactOnly = jws.WithCompact()

// jwsToken is a compact JWS that jwx parsed and that passed the JOSE rules
// every Clerk token shares. Its signature is not verified yet.
type jwsToken struct {
	alg, kid     string
	typ, cat     string
	hasTyp       bool
	hasCat       bool
	signingInput []byte // header.payload, exactly as received
	signature    []byte
	payload      string // decoded (the one copy claims are read from)
}

// parseJWS checks that token is a compact JWS in its canonical spelling,
// parses it with jwx (one jws.Parse), and applies the header rules jwx
// leaves to its callers: exactly one signature; alg RS256, RS384 or RS512
// (jwx verifies with the key's algorithm and ignores the header's); no crit
// and no b64 extension; a non-empty kid; no member name twice. It does no
// cryptography. The caller bounds the token's size.
func parseJWS(token string) (jwsToken, Reason, error) {
	var t jwsToken
	if !canonicalCompact(token) {
		return t, ReasonTokenMalformed, nil
	}
	buf := []byte(token)
	// jwx keeps the last of repeated header members and accepts trailing
	// bytes after the JSON object: validate the header JSON strictly first.
	if err := strictHeader(buf[:indexDot(token)]); err != nil {
		return t, ReasonTokenMalformed, err
	}
	msg, err := jws.Parse(buf, compactOnly)
	if err != nil {
		return t, ReasonTokenMalformed, errJWS
	}
	sigs := msg.Signatures()
	if len(sigs) != 1 {
		return t, ReasonTokenMalformed, nil
	}
	h := sigs[0].ProtectedHeaders()
	t.signingInput = buf[:lastDot(token)]
	t.signature = sigs[0].Signature()
	t.payload = string(msg.Payload())
	alg, ok := h.Algorithm()
	if !ok {
		return t, ReasonTokenInvalidAlg, nil
	}
	if t.alg = alg.String(); !acceptedAlg(t.alg) {
		return t, ReasonTokenInvalidAlg, nil
	}
	if h.Has(jws.CriticalKey) || h.Has(jws.B64Key) {
		return t, ReasonTokenCritical, nil
	}
	t.typ, t.hasTyp = h.Type()
	if t.kid, _ = h.KeyID(); t.kid == "" {
		return t, ReasonTokenMissingKID, nil
	}
	if h.Has("cat") {
		var cat any // jwx decodes private header members generically
		_ = h.Get("cat", &cat)
		t.hasCat = true
		if t.cat, ok = cat.(string); !ok {
			t.cat = "\x00" // not a string: no known category
		}
	}
	return t, "", nil
}

// errJWS stands for jwx's parse errors, whose texts may quote token bytes.
var errJWS = errors.New("not a compact JWS")

// sessionHeader applies the session-token rules to a parsed header: typ
// absent or "JWT", and a cat that is absent, the session category or the
// neutral one.
func (t *jwsToken) sessionHeader() Reason {
	if t.hasTyp && t.typ != "JWT" {
		return ReasonTokenInvalidType
	}
	if t.hasCat && t.cat != categorySession && t.cat != categoryNeutral {
		return ReasonTokenNotSession
	}
	return ""
}

// acceptedAlg reports whether alg is one of the RSA PKCS#1 v1.5 algorithms
// Clerk signs with.
func acceptedAlg(alg string) bool {
	switch alg {
	case "RS256", "RS384", "RS512":
		return true
	}
	return false
}

// canonicalCompact reports whether token is a compact JWS in the one
// spelling Clerk produces: three non-empty segments of the unpadded
// base64url alphabet separated by dots, nothing else anywhere (no padding,
// no white space, no CR or LF), and no stray bits after the last full byte
// of a segment. jwx and Go's base64 decoders accept all of these, so
// without this check one signed token has many spellings.
func canonicalCompact(token string) bool {
	segments, start := 0, 0
	for i := 0; i < len(token); i++ {
		c := token[i]
		if c == '.' {
			if !canonicalEnd(token[start:i]) {
				return false
			}
			segments++
			start = i + 1
			continue
		}
		if b64Digits[c] < 0 {
			return false
		}
	}
	return segments == 2 && canonicalEnd(token[start:])
}

// canonicalEnd checks the length of a segment of base64url digits and the
// bits of its last digit.
func canonicalEnd(s string) bool {
	if s == "" || len(s)%4 == 1 {
		return false
	}
	last := b64Digits[s[len(s)-1]]
	switch len(s) % 4 {
	case 2: // 12 bits encode one byte: the last 4 must be zero
		return last&0x0f == 0
	case 3: // 18 bits encode two bytes: the last 2 must be zero
		return last&0x03 == 0
	}
	return true
}

// b64Digits maps a byte to its value as a base64url digit, or -1. It is
// computed once and never written again.
var b64Digits = func() (t [256]int8) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = int8(i)
	}
	return t
}()

func indexDot(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return i
		}
	}
	return -1
}

func lastDot(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			return i
		}
	}
	return -1
}

// strictHeader validates the JSON of a base64url header segment: one
// object, no member name twice at any depth, valid UTF-8, nothing after it.
func strictHeader(seg []byte) error {
	var buf [512]byte
	dst := buf[:]
	if n := base64.RawURLEncoding.DecodedLen(len(seg)); n > len(buf) {
		dst = make([]byte, n)
	}
	n, err := base64.RawURLEncoding.Decode(dst, seg)
	if err != nil {
		return errJWS
	}
	r := jsonReader{s: string(dst[:n])}
	if err := r.skipObject(); err != nil {
		return err
	}
	return r.end()
}
