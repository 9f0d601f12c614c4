package core

import (
	"crypto"
	"encoding/base64"
	"errors"
	"strings"

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
	jwsHeader
	signingInput []byte // header.payload, exactly as received
	signature    []byte
	payload      string // decoded (the one copy claims are read from)

	// memo and hdrSeg say where the header's verdict is remembered once
	// the signature verifies (see verified); memo is nil when the header
	// came from the memo or no memo was asked for.
	memo   *headerMemo
	hdrSeg string // the protected-header segment, a substring of the token
}

// jwsHeader is what the header rules read from a protected header that
// passed them: the verdict the header memo keeps per header segment.
type jwsHeader struct {
	alg, kid string
	typ, cat string
	hasTyp   bool
	hasCat   bool
}

// verified records that t's signature verified with an instance key: its
// header's verdict is remembered for the next token with the same header
// segment.
func (t *jwsToken) verified() {
	if t.memo != nil {
		t.memo.remember(t.hdrSeg, t.jwsHeader)
	}
}

// The decoded sizes up to which a header or a payload is decoded into a
// buffer on the stack rather than a new slice (Clerk's are about 100 and
// 400 to 900 bytes).
const (
	maxStackHeader  = 512
	maxStackPayload = 2048
)

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
	return parseCompact(token, nil)
}

// parseCompact is parseJWS with a header memo (nil for none): a header
// segment the memo holds is not decoded, parsed nor judged again; a new
// one is, and is offered to the memo once the token's signature verifies.
func parseCompact(token string, memo *headerMemo) (jwsToken, Reason, error) {
	var t jwsToken
	if !canonicalCompact(token) {
		return t, ReasonTokenMalformed, nil
	}
	// One allocation for a copy of the token (the signing input the
	// verifier hashes) and, after it, the decoded signature.
	sigLen := strictB64.DecodedLen(len(token) - strings.LastIndexByte(token, '.') - 1)
	mem := make([]byte, len(token)+sigLen)
	buf := mem[:copy(mem, token):len(token)]
	hdrSeg, payloadSeg, sigSeg, err := jwsbb.SplitCompact(buf)
	if err != nil {
		return t, ReasonTokenMalformed, errJWS
	}
	// A remembered header segment was decoded and judged before, byte for
	// byte: its spelling is canonical and its verdict is known.
	seg := token[:len(hdrSeg)]
	h, known := memo.lookup(seg)
	// Decode all three segments first: a spelling that is not canonical is
	// malformed before any header rule.
	var hdrBuf [maxStackHeader]byte
	var hdr []byte
	if !known {
		if hdr, err = decodeSegment(hdrBuf[:], hdrSeg); err != nil {
			return t, ReasonTokenMalformed, err
		}
	}
	var payloadBuf [maxStackPayload]byte
	payload, err := decodeSegment(payloadBuf[:], payloadSeg)
	if err != nil {
		return t, ReasonTokenMalformed, err
	}
	if t.signature, err = decodeSegment(mem[len(token):], sigSeg); err != nil {
		return t, ReasonTokenMalformed, err
	}
	if !known {
		// jwsbb's JSON reader keeps one of repeated member names and is
		// lenient where our rules are not: validate the header JSON
		// strictly first.
		members, err := strictHeader(hdr)
		if err != nil {
			return t, ReasonTokenMalformed, err
		}
		if r := h.read(jwsbb.HeaderParse(hdr), members); r != "" {
			return t, r, nil
		}
		t.memo, t.hdrSeg = memo, seg
	}
	t.jwsHeader = h
	t.payload = string(payload)
	t.signingInput = buf[:len(hdrSeg)+1+len(payloadSeg)]
	return t, "", nil
}

// read applies the header rules to a header that passed strictHeader (m
// says which members it has), reading the values with jwsbb into t.
func (t *jwsHeader) read(h jwsbb.Header, m headerMembers) Reason {
	if !m.alg {
		return ReasonTokenInvalidAlgorithm
	}
	alg, err := jwsbb.HeaderGetStringBytes(h, jws.AlgorithmKey)
	if err != nil {
		return ReasonTokenMalformed
	}
	if t.alg = acceptedAlgName(alg); t.alg == "" {
		return ReasonTokenInvalidAlgorithm
	}
	// Any crit or b64 member, whatever its value (null too), is refused, as
	// jwx's own fast path (jws.VerifyCompactFast) refuses them.
	if m.crit || m.b64 {
		return ReasonTokenUnsupportedCriticalHeader
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

// machineSubject reports whether t's unverified payload has a sub that
// starts with machineSubjectPrefix, as peekSubject reads it. A payload
// with neither that prefix nor a JSON escape anywhere in it cannot have
// such a sub, and is not scanned a second time (Clerk's session payloads
// have neither; the claims are read once the signature verified).
func (t *jwsToken) machineSubject() bool {
	if !strings.Contains(t.payload, machineSubjectPrefix) && strings.IndexByte(t.payload, '\\') < 0 {
		return false
	}
	return strings.HasPrefix(peekSubject(t.payload), machineSubjectPrefix)
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

// decodeSegment decodes a segment with strictB64 into buf when it fits,
// else into a new slice. Any error is a non-canonical spelling.
func decodeSegment(buf, seg []byte) ([]byte, error) {
	n := strictB64.DecodedLen(len(seg))
	if n > len(buf) {
		buf = make([]byte, n)
	}
	n, err := strictB64.Decode(buf, seg)
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
	return rsaHash(alg) != 0
}

// rsaHash is the PKCS #1 v1.5 hash of an accepted algorithm, 0 for any
// other.
func rsaHash(alg string) crypto.Hash {
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

// canonicalCompact reports whether token has the shape of a compact JWS in
// the one spelling Clerk produces, as far as it shows without decoding:
// exactly three non-empty segments separated by dots, each of a length that
// unpadded base64 can have, and no CR or LF anywhere (Go's base64 decoders
// skip them). The rest of the canonical form (only the base64url alphabet,
// so no padding and no white space, and no stray bits after the last full
// byte of a segment) is checked when each segment is decoded with strictB64.
// jwx and Go's lenient decoders accept all of these, so without both checks
// one signed token has many spellings.
func canonicalCompact(token string) bool {
	if strings.Count(token, ".") != 2 || strings.IndexByte(token, '\r') >= 0 || strings.IndexByte(token, '\n') >= 0 {
		return false
	}
	first, last := indexDot(token), lastDot(token)
	return canonicalLen(first) && canonicalLen(last-first-1) && canonicalLen(len(token)-last-1)
}

// canonicalLen reports whether n characters can be one segment of unpadded
// base64: not empty, and not one character more than a multiple of four.
func canonicalLen(n int) bool { return n > 0 && n%4 != 1 }

// strictB64 decodes the unpadded base64url alphabet only and refuses stray
// bits after the last full byte (RFC 4648 section 3.5). It is computed once
// and never written again.
var strictB64 = base64.RawURLEncoding.Strict()

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
