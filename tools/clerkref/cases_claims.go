package clerkref

import (
	"fmt"
	"strings"
)

// Registered and Clerk claims: presence, nulls, types, duplicates, names
// that differ in case, and text that is not UTF-8.
func claimCases(g *gen) {
	e := g.e
	const f = "claims"
	g.bearer(f, "baseline", e.withClaims(func(c object) object { return c }))
	g.bearer(f, "minimal=sub+exp", e.token(e.header(), object{{"sub", `"user_1"`}, {"exp", e.unix(60)}, {"iss", quote(issuer)}}))
	for _, name := range []string{"sub", "sid", "azp", "iss", "sts", "v", "fva", "nbf", "iat"} {
		g.bearer(f, name+"=missing", e.withClaims(func(c object) object { return c.without(name) }))
	}
	for _, name := range []string{"sub", "exp", "nbf", "iat", "iss", "azp", "sid", "sts", "v", "fva", "act", "o", "fea", "pla", "org_id", "org_permissions", "jti", "aud"} {
		g.bearer(f, name+"=null", e.withClaims(func(c object) object { return c.with(name, `null`) }))
	}
	for _, t := range []raw{
		{"sub=empty", `""`}, {"sub=number", `1`}, {"sub=list", `["user_1"]`}, {"sub=object", `{}`},
		{"sub=unicode", `"üser_1"`}, {"sub=escaped", `"user\u005f1"`},
		{"sub=lone-surrogate-escape", `"user_\ud800"`},
		{"sub=invalid-utf8", `"user_` + "\xff" + `"`},
		{"sub=overlong-utf8", `"user` + "\xc0\xaf" + `"`},
		{"sub=nul-escape", `"user_1\u0000"`},
	} {
		g.bearer(f, t.name, e.withClaims(func(c object) object { return c.with("sub", t.json) }))
	}
	for _, t := range []struct{ name, claim, value string }{
		{"sid=number", "sid", `1`}, {"sid=invalid-utf8", "sid", `"sess_` + "\xff" + `"`},
		{"iss=other", "iss", quote(otherIssuer)}, {"iss=http", "iss", quote("http://" + frontendHost)},
		{"iss=trailing-slash", "iss", quote(issuer + "/")}, {"iss=uppercase", "iss", quote("https://CLERK.example.com")},
		{"iss=number", "iss", `1`},
		{"sts=pending", "sts", `"pending"`}, {"sts=revoked", "sts", `"revoked"`}, {"sts=number", "sts", `1`},
		{"fva=empty-list", "fva", `[]`}, {"fva=string", "fva", `"0,-1"`}, {"fva=three", "fva", `[1,2,3]`},
		{"fva=fractional", "fva", `[0.5,1]`},
		{"act=impersonation", "act", `{"sub":"user_admin","type":"impersonation"}`}, {"act=string", "act", `"user_admin"`},
		{"aud=other", "aud", `"https://other.example.com"`}, {"aud=list", "aud", `["a","b"]`},
		{"custom=invalid-utf8", "x", `"` + "\xff" + `"`},
		{"custom=deep", "x", strings.Repeat("[", 200) + strings.Repeat("]", 200)},
		{"custom=huge-number", "x", `1e999`},
		{"custom=big-integer", "x", `123456789012345678901234567890`},
	} {
		g.bearer(f, t.name, e.withClaims(func(c object) object { return c.with(t.claim, t.value) }))
	}

	// Repeated names: which one wins decides the verdict.
	g.bearer(f, "sub-twice", e.withClaims(func(c object) object {
		return c.without("sub").plus("sub", `"user_evil"`).plus("sub", `"user_1"`)
	}))
	g.bearer(f, "exp-twice,past-last", e.withClaims(func(c object) object { return c.plus("exp", e.unix(-600)) }))
	g.bearer(f, "exp-twice,future-last", e.withClaims(func(c object) object {
		return c.with("exp", e.unix(-600)).plus("exp", e.unix(60))
	}))
	g.bearer(f, "iss-twice", e.withClaims(func(c object) object { return c.plus("iss", quote(otherIssuer)) }))
	g.bearer(f, "sts-twice,pending-first", e.withClaims(func(c object) object {
		return c.without("sts").plus("sts", `"pending"`).plus("sts", `"active"`)
	}))
	// Names that differ only in case.
	g.bearer(f, "Sub-instead-of-sub", e.withClaims(func(c object) object { return c.renamed("sub", "Sub") }))
	g.bearer(f, "SUB-besides-sub", e.withClaims(func(c object) object { return c.plus("SUB", `"user_evil"`) }))
	g.bearer(f, "Exp-instead-of-exp", e.withClaims(func(c object) object { return c.renamed("exp", "Exp") }))
	g.bearer(f, "EXP-past-besides-exp", e.withClaims(func(c object) object { return c.plus("EXP", e.unix(-600)) }))
	g.bearer(f, "NBF-future-besides-nbf", e.withClaims(func(c object) object { return c.plus("NBF", e.unix(600)) }))
	g.bearer(f, "name-invalid-utf8", e.withClaims(func(c object) object { return c.with("x\xff", `1`) }))

	// Payloads that are not a JSON object.
	h := e.header().String()
	for _, t := range []raw{
		{"list", `[]`}, {"string", `"user_1"`}, {"number", `1`}, {"null", `null`}, {"true", `true`},
		{"truncated", `{"sub":"user_1"`}, {"trailing-comma", `{"sub":"user_1","exp":` + e.unix(60) + `,}`},
		{"single-quotes", `{'sub':'user_1'}`}, {"nan", `{"sub":"user_1","exp":NaN}`},
		{"trailing-garbage", e.claims().String() + ` x`}, {"two-objects", e.claims().String() + `{}`},
		{"surrounding-space", "\n " + e.claims().String() + " \t"},
		{"utf8-bom", "\uFEFF" + e.claims().String()},
		{"comment", `/*x*/` + e.claims().String()},
	} {
		g.bearer(f, "json="+t.name, sign(e.key, h, t.json))
	}
}

// orgClaim is the v2 organization claim of the org cases.
const orgClaim = `{"id":"org_1","slg":"acme","rol":"admin","per":"read,write","fpm":"3"}`

// v1Org adds the v1 organization claims.
func v1Org(c object) object {
	return c.with("org_id", `"org_9"`).with("org_slug", `"legacy"`).
		with("org_role", `"org:member"`).with("org_permissions", `["org:legacy:read"]`)
}

// permList is a per claim of n permissions p0..p(n-1).
func permList(n int) string {
	p := make([]string, n)
	for i := range p {
		p[i] = fmt.Sprint("p", i)
	}
	return strings.Join(p, ",")
}

// Organization claims by version (v == 2 reads only "o", other versions
// only org_*), feature scopes and permission masks.
func orgCases(g *gen) {
	e := g.e
	const f = "org"
	v2 := func(c object) object { return c.with("fea", `"o:articles"`).with("o", orgClaim) }
	for _, v := range []raw{
		{"missing", ""}, {"1", "1"}, {"2", "2"}, {"3", "3"}, {"2.0", "2.0"},
		{"string-2", `"2"`}, {"null", "null"}, {"0", "0"},
	} {
		setV := func(c object) object {
			if v.json == "" {
				return c.without("v")
			}
			return c.with("v", v.json)
		}
		g.bearer(f, "v="+v.name+",claims=o", e.withClaims(func(c object) object { return setV(v2(c)) }))
		g.bearer(f, "v="+v.name+",claims=org_*", e.withClaims(func(c object) object { return setV(v1Org(c)) }))
		g.bearer(f, "v="+v.name+",claims=both", e.withClaims(func(c object) object { return setV(v1Org(v2(c))) }))
	}

	// Feature scopes: o, ou and uo are the organization's; u is the user's.
	for _, fea := range []raw{
		{"o", `"o:articles"`}, {"u", `"u:articles"`}, {"ou", `"ou:articles"`}, {"uo", `"uo:articles"`},
		{"other", `"other:articles"`}, {"x", `"x:articles"`}, {"oo", `"oo:articles"`}, {"O", `"O:articles"`},
		{"no-colon", `"articles"`}, {"empty", `""`}, {"missing", ``}, {"number", `1`},
		{"u-then-o", `"u:articles,o:billing"`},
		{"o-u-o", `"o:articles,u:profile,o:billing"`},
		{"spaces", `" o:articles , o:billing "`},
		{"empty-entry", `"o:articles,,o:billing"`},
	} {
		g.bearer(f, "fea="+fea.name, e.withClaims(func(c object) object {
			c = c.with("o", `{"id":"org_1","slg":"acme","rol":"admin","per":"read,write","fpm":"3,1"}`)
			if fea.json == "" {
				return c.without("fea")
			}
			return c.with("fea", fea.json)
		}))
	}

	// Permission masks: decimal bit masks of any length over per, least
	// significant bit first.
	type maskCase struct{ name, per, fpm string }
	for _, m := range []maskCase{
		{"3", "read,write", "3"}, {"0", "read,write", "0"}, {"1", "read,write", "1"}, {"2", "read,write", "2"},
		{"2^63", permList(64), "9223372036854775808"},
		{"2^64-1", permList(64), "18446744073709551615"},
		{"2^64+1", permList(70), "18446744073709551617"},
		{"2^65-1", permList(70), "36893488147419103231"},
		{"2^100", permList(101), "1267650600228229401496703205376"},
		{"negative", "read,write", "-1"}, {"letters", "read,write", "x"}, {"empty", "read,write", ""},
		{"spaces", "read,write", " 3 "}, {"leading-zero", "read,write", "03"}, {"fraction", "read,write", "3.0"},
		{"exponent", "read,write", "1e1"}, {"plus-sign", "read,write", "+3"}, {"hex", "read,write", "0x3"},
		{"more-bits-than-per", "read", "3"}, {"empty-per", "", "3"},
		{"per-spaces", " read , write ", "3"},
		{"per-empty-entry", "read,,write", "7"},
	} {
		o := fmt.Sprintf(`{"id":"org_1","slg":"acme","rol":"admin","per":%s,"fpm":%s}`, quote(m.per), quote(m.fpm))
		g.bearer(f, "fpm="+m.name, e.withClaims(func(c object) object { return c.with("fea", `"o:articles"`).with("o", o) }))
	}
	// Fewer or more masks than organization features.
	for _, m := range []struct{ name, o, fea string }{
		{"fewer-masks", `{"id":"org_1","per":"read,write","fpm":"3"}`, `"o:a,o:b"`},
		{"more-masks", `{"id":"org_1","per":"read,write","fpm":"3,1,2"}`, `"o:a"`},
		{"mask-per-feature", `{"id":"org_1","per":"read,write","fpm":"1,2"}`, `"o:a,o:b"`},
		{"user-feature-takes-no-mask", `{"id":"org_1","per":"read,write","fpm":"1,2"}`, `"u:a,o:b"`},
		{"fpm-number", `{"id":"org_1","per":"read,write","fpm":3}`, `"o:a"`},
		{"per-list", `{"id":"org_1","per":["read","write"],"fpm":"3"}`, `"o:a"`},
	} {
		g.bearer(f, "masks="+m.name, e.withClaims(func(c object) object { return c.with("fea", m.fea).with("o", m.o) }))
	}

	// The shape of "o" and of the v1 claims.
	for _, o := range []raw{
		{"null", `null`}, {"string", `"org_1"`}, {"list", `[]`}, {"empty", `{}`},
		{"no-id", `{"slg":"acme","rol":"admin"}`}, {"id-number", `{"id":1,"slg":"acme"}`},
		{"rol-prefixed", `{"id":"org_1","slg":"acme","rol":"org:admin"}`},
		{"rol-missing", `{"id":"org_1","slg":"acme"}`}, {"rol-empty", `{"id":"org_1","rol":""}`},
		{"id-empty", `{"id":"","slg":"acme","rol":"admin"}`},
		{"without-fea", `{"id":"org_1","slg":"acme","rol":"admin","per":"read","fpm":"1"}`},
	} {
		g.bearer(f, "o="+o.name, e.withClaims(func(c object) object { return c.with("o", o.json) }))
	}
	for _, t := range []struct{ name, claim, value string }{
		{"org_permissions=string", "org_permissions", `"org:legacy:read"`},
		{"org_permissions=null", "org_permissions", `null`},
		{"org_permissions=numbers", "org_permissions", `[1,2]`},
		{"org_id=number", "org_id", `9`},
		{"org_role=unprefixed", "org_role", `"member"`},
		{"org_id=empty", "org_id", `""`},
	} {
		g.bearer(f, "v1,"+t.name, e.withClaims(func(c object) object { return v1Org(c.with("v", "1")).with(t.claim, t.value) }))
	}
}

// azp with and without configured authorized parties.
func azpCases(g *gen) {
	e := g.e
	const f = "azp"
	parties := []string{appOrigin}
	for _, azp := range []raw{
		{"same", quote(appOrigin)}, {"missing", ""}, {"empty", `""`}, {"null", `null`},
		{"other", `"https://evil.example.com"`}, {"uppercase", `"https://APP.example.com"`},
		{"trailing-slash", quote(appOrigin + "/")}, {"with-path", quote(appOrigin + "/x")},
		{"number", `1`}, {"list", `["` + appOrigin + `"]`},
	} {
		tok := e.withClaims(func(c object) object {
			if azp.json == "" {
				return c.without("azp")
			}
			return c.with("azp", azp.json)
		})
		g.bearer(f, "parties=one,azp="+azp.name, tok, parties...)
		g.bearer(f, "parties=none,azp="+azp.name, tok)
	}
	g.bearer(f, "parties=two,azp=second", e.withClaims(func(c object) object { return c.with("azp", `"https://admin.example.com"`) }),
		"https://other.example.com", "https://admin.example.com")
}

// Machine subjects and machine tokens presented where a session is expected.
func machineCases(g *gen) {
	e := g.e
	const f = "machine"
	for _, sub := range []raw{{"mch_1", `"mch_1"`}, {"mch_", `"mch_"`}, {"MCH_1", `"MCH_1"`}, {"user_mch_1", `"user_mch_1"`}} {
		g.bearer(f, "sub="+sub.name, e.withClaims(func(c object) object { return c.with("sub", sub.json) }))
	}
	g.bearer(f, "sub=mch_1,cat=m2m", e.token(e.header().with("cat", `"cl_B7d4PD333AAA"`), e.claims().with("sub", `"mch_1"`)))
	g.bearer(f, "typ=at+jwt,sub=user_1", e.withHeader(func(h object) object { return h.with("typ", `"at+jwt"`) }))
	for _, t := range []string{"ak_0123456789abcdef", "mt_0123456789abcdef", "oat_0123456789abcdef", "sk_live_x"} {
		g.bearer(f, "opaque="+t[:strings.IndexByte(t, '_')+1], t)
	}
}
