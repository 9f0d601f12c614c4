package clerkref

import (
	"crypto"
	"fmt"
	"strings"
)

// gen accumulates the generated cases and keeps their IDs unique.
type gen struct {
	e     *env
	cases []testCase
	seen  map[string]bool
	dups  []string
}

// generate builds every case family.
func generate(e *env) ([]testCase, error) {
	g := &gen{e: e, seen: map[string]bool{}}
	for _, family := range []func(*gen){
		headerCases, encodingCases, signatureCases, timeCases, claimCases,
		orgCases, azpCases, machineCases, cookieCases, suffixCases, verifyTokenCases,
	} {
		family(g)
	}
	if len(g.dups) > 0 {
		return nil, fmt.Errorf("case IDs generated twice: %q", g.dups)
	}
	for _, tc := range g.cases {
		if strings.ContainsAny(tc.ID, "|\n`") {
			return nil, fmt.Errorf("case ID %q: | newline and ` are reserved by the table", tc.ID)
		}
	}
	return g.cases, nil
}

func (g *gen) add(family, name string, tc testCase) {
	tc.Family, tc.Name, tc.ID = family, name, family+"/"+name
	if tc.Mode == "" {
		tc.Mode = "request"
	}
	if g.seen[tc.ID] {
		g.dups = append(g.dups, tc.ID)
	}
	g.seen[tc.ID] = true
	g.cases = append(g.cases, tc)
}

// bearer adds a request case with the token in "Authorization: Bearer".
func (g *gen) bearer(family, name, token string, parties ...string) {
	g.add(family, name, testCase{Authorization: "Bearer " + token, AuthorizedParties: parties})
}

// verify adds a verifyToken case.
func (g *gen) verify(family, name, token string, parties ...string) {
	g.add(family, name, testCase{Mode: "verifyToken", Token: token, AuthorizedParties: parties})
}

// header is a Clerk session token's header.
func (e *env) header() object {
	return object{
		{"alg", `"RS256"`},
		{"cat", `"cl_B7d4PD111AAA"`},
		{"kid", quote(instanceKID)},
		{"typ", `"JWT"`},
	}
}

// claims is a valid v2 session token's payload at the fixed clock.
func (e *env) claims() object {
	return object{
		{"azp", quote(appOrigin)},
		{"exp", e.unix(60)},
		{"fva", `[0,-1]`},
		{"iat", e.unix(-10)},
		{"iss", quote(issuer)},
		{"nbf", e.unix(-20)},
		{"sid", `"sess_1"`},
		{"sts", `"active"`},
		{"sub", `"user_1"`},
		{"v", `2`},
	}
}

// token signs h and p with the instance key (RS256).
func (e *env) token(h, p object) string { return sign(e.key, h.String(), p.String()) }

// withClaims is a valid token whose payload is changed by f.
func (e *env) withClaims(f func(object) object) string { return e.token(e.header(), f(e.claims())) }

// withHeader is a valid token whose header is changed by f.
func (e *env) withHeader(f func(object) object) string { return e.token(f(e.header()), e.claims()) }

// raw is one spelling of a JSON value, named for the case ID.
type raw struct{ name, json string }

// Header members over a valid RS256 signature: jwx-style verifiers ignore
// them; a session-token verifier must not.
func headerCases(g *gen) {
	e := g.e
	const f = "header"
	g.bearer(f, "baseline", e.withHeader(func(h object) object { return h }))
	for _, alg := range []raw{
		{"none", `"none"`}, {"HS256", `"HS256"`}, {"RS384", `"RS384"`}, {"RS512", `"RS512"`},
		{"ES256", `"ES256"`}, {"PS256", `"PS256"`}, {"rs256", `"rs256"`}, {"Rs256", `"Rs256"`},
		{"empty", `""`}, {"null", `null`}, {"number", `256`}, {"list", `["RS256"]`},
	} {
		g.bearer(f, "alg="+alg.name, e.withHeader(func(h object) object { return h.with("alg", alg.json) }))
	}
	g.bearer(f, "alg=missing", e.withHeader(func(h object) object { return h.without("alg") }))
	h512 := e.header().with("alg", `"RS512"`)
	g.bearer(f, "alg=RS512,signed-RS512", signSegments(e.key, crypto.SHA512, seg(h512.String()), seg(e.claims().String())))

	for _, typ := range []raw{
		{"JWT", `"JWT"`}, {"jwt", `"jwt"`}, {"at+jwt", `"at+jwt"`}, {"application/at+jwt", `"application/at+jwt"`},
		{"JOSE", `"JOSE"`}, {"JWS", `"JWS"`}, {"empty", `""`}, {"null", `null`}, {"number", `1`},
	} {
		g.bearer(f, "typ="+typ.name, e.withHeader(func(h object) object { return h.with("typ", typ.json) }))
	}
	g.bearer(f, "typ=missing", e.withHeader(func(h object) object { return h.without("typ") }))

	for _, kid := range []raw{
		{"empty", `""`}, {"null", `null`}, {"number", `123`}, {"other", `"ins_other"`}, {"list", `["ins_clerkref"]`},
	} {
		g.bearer(f, "kid="+kid.name, e.withHeader(func(h object) object { return h.with("kid", kid.json) }))
	}
	g.bearer(f, "kid=missing", e.withHeader(func(h object) object { return h.without("kid") }))

	for _, crit := range []raw{{"exp", `["exp"]`}, {"empty-list", `[]`}, {"string", `"exp"`}, {"null", `null`}} {
		g.bearer(f, "crit="+crit.name, e.withHeader(func(h object) object { return h.with("crit", crit.json) }))
	}
	g.bearer(f, "b64=false", e.withHeader(func(h object) object { return h.with("b64", `false`) }))
	g.bearer(f, "b64=false,crit=b64", e.withHeader(func(h object) object {
		return h.with("b64", `false`).with("crit", `["b64"]`)
	}))
	for _, m := range []raw{
		{"jku", `"https://evil.example/jwks.json"`},
		{"jwk", `{"kty":"RSA","n":"AQAB","e":"AQAB"}`},
		{"x5u", `"https://evil.example/cert.pem"`},
		{"x5c", `["MIIB"]`},
		{"zip", `"DEF"`},
		{"cty", `"JWT"`},
	} {
		g.bearer(f, m.name+"=present", e.withHeader(func(h object) object { return h.with(m.name, m.json) }))
	}

	for _, cat := range []raw{
		{"session", `"cl_B7d4PD111AAA"`}, {"neutral", `"cl_I7d4PD111III"`},
		{"jwt-template", `"cl_B7d4PD222AAA"`}, {"m2m", `"cl_B7d4PD333AAA"`},
		{"other", `"cl_B7d4PD999ZZZ"`}, {"lowercase-session", `"cl_b7d4pd111aaa"`},
		{"empty", `""`}, {"null", `null`}, {"number", `1`},
	} {
		g.bearer(f, "cat="+cat.name, e.withHeader(func(h object) object { return h.with("cat", cat.json) }))
	}
	g.bearer(f, "cat=missing", e.withHeader(func(h object) object { return h.without("cat") }))

	// Names that differ only in case, and repeated names.
	g.bearer(f, "ALG-instead-of-alg", e.withHeader(func(h object) object { return h.renamed("alg", "ALG") }))
	g.bearer(f, "ALG=none-besides-alg", e.withHeader(func(h object) object { return h.plus("ALG", `"none"`) }))
	g.bearer(f, "Kid-instead-of-kid", e.withHeader(func(h object) object { return h.renamed("kid", "Kid") }))
	g.bearer(f, "alg-twice,none-last", e.withHeader(func(h object) object { return h.plus("alg", `"none"`) }))
	g.bearer(f, "alg-twice,RS256-last", e.withHeader(func(h object) object {
		return h.without("alg").plus("alg", `"none"`).plus("alg", `"RS256"`)
	}))
	g.bearer(f, "kid-twice", e.withHeader(func(h object) object { return h.plus("kid", `"ins_other"`) }))
	g.bearer(f, "typ-twice", e.withHeader(func(h object) object { return h.plus("typ", `"at+jwt"`) }))
	g.bearer(f, "cat-twice,m2m-first", e.withHeader(func(h object) object {
		return h.without("cat").plus("cat", `"cl_B7d4PD333AAA"`).plus("cat", `"cl_B7d4PD111AAA"`)
	}))

	// Headers that are not a JSON object, or not valid text.
	claims := e.claims().String()
	for _, h := range []raw{
		{"list", `[]`}, {"string", `"RS256"`}, {"null", `null`}, {"number", `1`},
		{"truncated", `{"alg":"RS256"`}, {"trailing-garbage", e.header().String() + `x`},
		{"two-objects", e.header().String() + `{}`}, {"surrounding-space", " " + e.header().String() + "\n"},
		{"utf8-bom", "\uFEFF" + e.header().String()},
		{"kid-invalid-utf8", e.header().with("kid", `"ins_`+"\xff"+`"`).String()},
		{"kid-escaped-lone-surrogate", e.header().with("kid", `"ins_\ud800"`).String()},
		{"name-invalid-utf8", e.header().with("x\xff", `1`).String()},
		{"deeply-nested", e.header().with("x", strings.Repeat("[", 100)+strings.Repeat("]", 100)).String()},
	} {
		g.bearer(f, "json="+h.name, sign(e.key, h.json, claims))
	}
}

// padded appends spaces to JSON text until its base64 needs "==" padding.
func padded(json string) string {
	for len(json)%3 != 1 {
		json += " "
	}
	return json
}

// The compact serialization: three base64url segments, nothing else.
func encodingCases(g *gen) {
	e := g.e
	const f = "encoding"
	h, p := seg(e.header().String()), seg(e.claims().String())
	valid := signSegments(e.key, crypto.SHA256, h, p)
	_, _, s := parts(valid)

	// Padding, each segment signed as sent (Clerk verifies the raw text).
	hp := seg(padded(e.header().String())) + "=="
	pp := seg(padded(e.claims().String())) + "=="
	g.bearer(f, "padding=header", signSegments(e.key, crypto.SHA256, hp, p))
	g.bearer(f, "padding=payload", signSegments(e.key, crypto.SHA256, h, pp))
	sigPad := valid + strings.Repeat("=", (4-len(s)%4)%4)
	g.bearer(f, "padding=signature", sigPad)
	g.bearer(f, "padding=signature-single", valid+"=")

	// The standard alphabet (+ /) instead of base64url (- _).
	std := strings.NewReplacer("-", "+", "_", "/")
	ss := stdSig(g)
	g.bearer(f, "alphabet=standard-signature", ss)
	ph, pp2 := alphabetPayload(e)
	g.bearer(f, "alphabet=standard-payload", signSegments(e.key, crypto.SHA256, ph, std.Replace(pp2)))
	g.bearer(f, "alphabet=url-payload-control", signSegments(e.key, crypto.SHA256, ph, pp2))

	// Stray trailing bits: the last character of a segment carries bits
	// past the end of the data. Decoding ignores them, so the same token has
	// another spelling unless they are rejected.
	g.bearer(f, "trailing-bits=signature", h+"."+p+"."+flipTrailingBits(s))
	tp := trailingBitsSegment(e)
	g.bearer(f, "trailing-bits=payload", signSegments(e.key, crypto.SHA256, h, flipTrailingBits(tp)))
	g.bearer(f, "trailing-bits=payload-control", signSegments(e.key, crypto.SHA256, h, tp))

	// Segment structure.
	for _, t := range []raw{
		{"two-segments", h + "." + p},
		{"four-segments", valid + ".AAAA"},
		{"trailing-dot", valid + "."},
		{"empty-header", "." + p + "." + s},
		{"empty-payload", h + ".." + s},
		{"empty-signature", h + "." + p + "."},
		{"dots-only", ".."},
		{"one-dot", "."},
		{"jws-json-flattened", fmt.Sprintf(`{"protected":"%s","payload":"%s","signature":"%s"}`, h, p, s)},
		{"jws-json-general", fmt.Sprintf(`{"payload":"%s","signatures":[{"protected":"%s","signature":"%s"}]}`, p, h, s)},
		{"header-and-payload-swapped", p + "." + h + "." + s},
	} {
		g.bearer(f, "form="+t.name, t.json)
	}

	// The Authorization header's spelling.
	g.add(f, "authorization=bare-token", testCase{Authorization: valid})
	g.add(f, "authorization=bearer-lowercase", testCase{Authorization: "bearer " + valid})
	g.add(f, "authorization=bearer-uppercase", testCase{Authorization: "BEARER " + valid})
	g.add(f, "authorization=two-spaces", testCase{Authorization: "Bearer  " + valid})
	g.add(f, "authorization=tab", testCase{Authorization: "Bearer\t" + valid})
	g.add(f, "authorization=surrounding-spaces", testCase{Authorization: "  Bearer " + valid + "  "})
	g.add(f, "authorization=extra-word", testCase{Authorization: "Bearer " + valid + " extra"})
	g.add(f, "authorization=space-inside-token", testCase{Authorization: "Bearer " + valid[:20] + " " + valid[20:]})
	g.add(f, "authorization=bearer-only", testCase{Authorization: "Bearer"})
	g.add(f, "authorization=bearer-space", testCase{Authorization: "Bearer "})
	g.add(f, "authorization=basic", testCase{Authorization: "Basic " + valid})
	g.add(f, "authorization=none", testCase{})

	// CR, LF, tabs and spaces inside or around the token. A Request header
	// cannot carry CR or LF, so these go through verifyToken on both sides.
	mid := len(h) + 1 + len(p) + 1 + len(s)/2
	for _, t := range []raw{
		{"lf-in-signature", valid[:mid] + "\n" + valid[mid:]},
		{"crlf-in-signature", valid[:mid] + "\r\n" + valid[mid:]},
		{"cr-in-signature", valid[:mid] + "\r" + valid[mid:]},
		{"lf-in-payload", h + "." + p[:10] + "\n" + p[10:] + "." + s},
		{"lf-in-header", h[:5] + "\n" + h[5:] + "." + p + "." + s},
		{"space-in-signature", valid[:mid] + " " + valid[mid:]},
		{"tab-in-signature", valid[:mid] + "\t" + valid[mid:]},
		{"trailing-lf", valid + "\n"},
		{"leading-space", " " + valid},
		{"trailing-space", valid + " "},
		{"nul-at-end", valid + "\x00"},
		{"control", valid},
	} {
		g.verify(f, "whitespace="+t.name, t.json)
	}

	// Size: a valid token over clerkgo's 16 KiB limit.
	big := e.withClaims(func(c object) object { return c.with("pad", quote(strings.Repeat("x", 17<<10))) })
	g.bearer(f, "size=17KiB", big)
	fits := e.withClaims(func(c object) object { return c.with("pad", quote(strings.Repeat("x", 8<<10))) })
	g.bearer(f, "size=8KiB", fits)
}

// stdSig is a valid token whose signature contains - or _, with them
// rewritten to + and /. A nonce claim is varied until the signature has one.
func stdSig(g *gen) string {
	e := g.e
	for n := 0; ; n++ {
		t := e.withClaims(func(c object) object { return c.with("n", fmt.Sprint(n)) })
		h, p, s := parts(t)
		if strings.ContainsAny(s, "-_") {
			return h + "." + p + "." + strings.NewReplacer("-", "+", "_", "/").Replace(s)
		}
	}
}

// alphabetPayload returns a header segment and a payload segment whose
// base64url text contains - or _ (a claim of "???" / ">>>" bytes shifted
// until it lands on a 3-byte boundary).
func alphabetPayload(e *env) (h, p string) {
	for pad := 0; ; pad++ {
		c := e.claims().with("x", quote(strings.Repeat(" ", pad)+"???>>>"))
		p = seg(c.String())
		if strings.ContainsAny(p, "-_") {
			return seg(e.header().String()), p
		}
	}
}

// trailingBitsSegment is a payload segment whose last character carries
// unused bits (its length is not a multiple of 4).
func trailingBitsSegment(e *env) string {
	for pad := 0; ; pad++ {
		p := seg(e.claims().with("x", quote(strings.Repeat("y", pad))).String())
		if len(p)%4 == 2 {
			return p
		}
	}
}

// flipTrailingBits sets the lowest unused bit of a base64url segment's
// last character; the decoded bytes stay the same.
func flipTrailingBits(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	v := strings.IndexByte(alphabet, s[len(s)-1])
	// 2 leftover characters carry 4 unused bits, 3 carry 2.
	return s[:len(s)-1] + string(alphabet[v|1])
}

// The signature and the key behind it.
func signatureCases(g *gen) {
	e := g.e
	const f = "signature"
	valid := e.token(e.header(), e.claims())
	h, p, s := parts(valid)
	g.bearer(f, "other-key", sign(e.otherKey, e.header().String(), e.claims().String()))
	g.bearer(f, "other-instance", sign(e.otherKey, e.header().with("kid", `"ins_other"`).String(), e.claims().with("iss", quote(otherIssuer)).String()))
	sig := []byte(s)
	if sig[10] == 'A' { // another base64url character: another signature
		sig[10] = 'B'
	} else {
		sig[10] = 'A'
	}
	g.bearer(f, "bit-flipped", h+"."+p+"."+string(sig))
	g.bearer(f, "truncated", h+"."+p+"."+s[:len(s)-4])
	g.bearer(f, "doubled", h+"."+p+"."+s+s)
	other := seg(e.claims().with("sub", `"user_2"`).String())
	g.bearer(f, "payload-swapped", h+"."+other+"."+s)
	g.bearer(f, "short", h+"."+p+".AAAA")
}

// exp, nbf and iat around the 5 s skew, and odd spellings of dates.
func timeCases(g *gen) {
	e := g.e
	const f = "time"
	for _, d := range []int64{-6, -5, -4, -1, 0, 1} {
		g.bearer(f, fmt.Sprintf("exp=now%+d", d), e.withClaims(func(c object) object { return c.with("exp", e.unix(d)) }))
	}
	for _, name := range []string{"nbf", "iat"} {
		for _, d := range []int64{0, 4, 5, 6} {
			g.bearer(f, fmt.Sprintf("%s=now%+d", name, d), e.withClaims(func(c object) object { return c.with(name, e.unix(d)) }))
		}
	}
	frac := func(base int64, add string) string { return fmt.Sprintf("%d%s", e.now.Unix()+base, add) }
	for _, t := range []raw{
		{"exp=now-5+0.5", frac(-5, ".5")},
		{"exp=now-4+0.5", frac(-4, ".5")},
		{"exp=now-6+0.999", frac(-6, ".999")},
		{"exp=now+60.0", frac(60, ".0")},
		{"exp=exponent", fmt.Sprintf("%.8e", float64(e.now.Unix()+60))},
		{"exp=1e12", "1e12"},
		{"exp=2^40+1", "1099511627777"},
		{"exp=1e13", "1e13"},
		{"exp=1e300", "1e300"},
		{"exp=max-float", "1.7976931348623157e308"},
		{"exp=negative", "-1"},
		{"exp=zero", "0"},
		{"exp=minus-zero", "-0"},
		{"exp=string", quote(e.unix(60))},
		{"exp=bool", "true"},
		{"exp=list", "[" + e.unix(60) + "]"},
		{"exp=object", "{}"},
	} {
		g.bearer(f, t.name, e.withClaims(func(c object) object { return c.with("exp", t.json) }))
	}
	for _, name := range []string{"nbf", "iat"} {
		for _, t := range []raw{
			{"now+5.5", frac(5, ".5")},
			{"now+5.999", frac(5, ".999")},
			{"1e300", "1e300"},
			{"1e13", "1e13"},
			{"negative", "-1"},
			{"zero", "0"},
			{"string", quote(e.unix(-10))},
			{"bool", "false"},
		} {
			g.bearer(f, name+"="+t.name, e.withClaims(func(c object) object { return c.with(name, t.json) }))
		}
		g.bearer(f, name+"=missing", e.withClaims(func(c object) object { return c.without(name) }))
	}
	g.bearer(f, "exp=missing", e.withClaims(func(c object) object { return c.without("exp") }))
}
