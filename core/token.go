package core

import (
	"encoding/base64"
	"errors"

	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jws/jwsbb"
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

// jwsToken is a compact JWS whose header passed the JOSE rules every Clerk
// token shares. Its signature is not verified yet.
type jwsToken struct {
	alg, kid     string
	typ, cat     string
	hasTyp       bool
	hasCat       bool
	signingInput []byte // header.payload, exactly as received
	signature    []byte
	payload      string // decoded (the one copy claims are read from)
}

// maxStackSegment is the decoded size up to which a header or payload is
// decoded into a buffer on the stack rather than a new slice.
const maxStackSegment = 2048

// parseJWS checks that token is a compact JWS in its canonical spelling and
// that its header is one strict JSON object, then reads the header with
// jwx's fast path (jws/jwsbb: SplitCompact, HeaderParse, HeaderGetString)
// and applies the header rules jwx leaves to its callers: alg RS256, RS384
// or RS512 (jwx verifies with the key's algorithm and ignores the
// header's); no crit and no b64 member, whatever their value; a non-empty
// string kid; typ and cat, when present, read for the kind rules. A
// registered member of the wrong JSON type is malformed. It does no
// cryptography. The caller bounds the token's size.
func parseJWS(token string) (jwsToken, Reason, error) {
	var t jwsToken
	if !canonicalCompact(token) {
		return t, ReasonTokenMalformed, nil
	}
	buf := []byte(token)
	hdrSeg, payloadSeg, sigSeg, err := jwsbb.SplitCompact(buf)
	if err != nil {
		return t, ReasonTokenMalformed, errJWS
	}
	var hdrBuf [maxStackSegment]byte
	hdr, err := decodeSegment(hdrBuf[:], hdrSeg)
	if err != nil {
		return t, ReasonTokenMalformed, err
	}
	// jwsbb's JSON reader keeps one of repeated member names and is lenient
	// where our rules are not: validate the header JSON strictly first.
	members, err := strictHeader(hdr)
	if err != nil {
		return t, ReasonTokenMalformed, err
	}
	if r := t.readHeader(jwsbb.HeaderParse(hdr), members); r != "" {
		return t, r, nil
	}
	var payloadBuf [maxStackSegment]byte
	payload, err := decodeSegment(payloadBuf[:], payloadSeg)
	if err != nil {
		return t, ReasonTokenMalformed, err
	}
	t.payload = string(payload)
	if t.signature, err = decodeSegment(nil, sigSeg); err != nil {
		return t, ReasonTokenMalformed, err
	}
	t.signingInput = buf[:len(hdrSeg)+1+len(payloadSeg)]
	return t, "", nil
}

// readHeader applies the header rules to a header that passed
// strictHeader (m says which members it has), reading the values with jwsbb.
func (t *jwsToken) readHeader(h jwsbb.Header, m headerMembers) Reason {
	if !m.alg {
		return ReasonTokenInvalidAlg
	}
	alg, err := jwsbb.HeaderGetStringBytes(h, jws.AlgorithmKey)
	if err != nil {
		return ReasonTokenMalformed
	}
	if t.alg = acceptedAlgName(alg); t.alg == "" {
		return ReasonTokenInvalidAlg
	}
	// Any crit or b64 member, whatever its value (null too), is refused, as
	// jwx's own fast path (jws.VerifyCompactFast) refuses them.
	if m.crit || m.b64 {
		return ReasonTokenCritical
	}
	if t.hasTyp = m.typ; m.typ && !m.nullTyp { // a null typ stays "": no type
		typ, err := jwsbb.HeaderGetStringBytes(h, jws.TypeKey)
		if err != nil {
			return ReasonTokenMalformed
		}
		t.typ = internHeader(typ, "JWT")
	}
	if !m.kid || m.nullKID {
		return ReasonTokenMissingKID
	}
	kid, err := jwsbb.HeaderGetString(h, jws.KeyIDKey)
	if err != nil {
		return ReasonTokenMalformed
	}
	if t.kid = kid; kid == "" {
		return ReasonTokenMissingKID
	}
	if t.hasCat = m.cat; m.cat {
		cat, err := jwsbb.HeaderGetStringBytes(h, "cat")
		t.cat = internHeader(cat, categorySession, categoryNeutral, categoryJWTTemplate, categoryM2M)
		if err != nil {
			t.cat = "\x00" // not a string: no known category
		}
	}
	return ""
}

// internHeader returns the one of known that equals b, without allocating,
// or else a copy of b.
func internHeader(b []byte, known ...string) string {
	for _, k := range known {
		if string(b) == k {
			return k
		}
	}
	return string(b)
}

// acceptedAlgName returns alg as a string when it is one of the RSA PKCS#1
// v1.5 algorithms Clerk signs with, else "".
func acceptedAlgName(alg []byte) string {
	switch string(alg) {
	case "RS256":
		return "RS256"
	case "RS384":
		return "RS384"
	case "RS512":
		return "RS512"
	}
	return ""
}

// decodeSegment decodes a canonical base64url segment into buf when it
// fits, else into a new slice.
func decodeSegment(buf, seg []byte) ([]byte, error) {
	n := base64.RawURLEncoding.DecodedLen(len(seg))
	if n > len(buf) {
		buf = make([]byte, n)
	}
	n, err := base64.RawURLEncoding.Decode(buf, seg)
	if err != nil {
		return nil, errJWS
	}
	return buf[:n], nil
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

// headerMembers records which registered header members a header has and
// which of them are null: jwsbb tells neither cheaply (a missing member
// costs an error allocation; null reads like any other non-string).
type headerMembers struct {
	alg, crit, b64, kid, typ, cat bool // present
	nullKID, nullTyp              bool
}

// strictHeader validates a decoded header's JSON: one object, no member
// name twice at any depth, valid UTF-8, nothing after it. It reports the
// registered members it saw.
func strictHeader(hdr []byte) (headerMembers, error) {
	var m headerMembers
	r := jsonReader{s: string(hdr)}
	err := r.object(func(key string) error {
		switch key {
		case jws.AlgorithmKey:
			m.alg = true
		case jws.CriticalKey:
			m.crit = true
		case jws.B64Key:
			m.b64 = true
		case "cat":
			m.cat = true
		case jws.KeyIDKey:
			m.kid = true
			if m.nullKID = r.null(); m.nullKID {
				return nil
			}
		case jws.TypeKey:
			m.typ = true
			if m.nullTyp = r.null(); m.nullTyp {
				return nil
			}
		}
		return r.skip()
	})
	if err != nil {
		return m, err
	}
	return m, r.end()
}
