package clerkref

import (
	"fmt"
	"strings"
)

// The cookies Clerk's frontend sets, and their suffixed forms (several
// Clerk apps on one domain).
const (
	sessionCookie   = "__session"
	clientUATCookie = "__client_uat"
)

// sessionAs is a valid token for the subject sub, issued d seconds from now.
func (e *env) sessionAs(sub string, iatDelta int64) string {
	return e.withClaims(func(c object) object { return c.with("sub", quote(sub)).with("iat", e.unix(iatDelta)) })
}

// percentEncode writes every byte of s as %XX.
func percentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

// Cookie tokens: __client_uat, the header/cookie precedence and the Cookie
// header's spelling. The cookie token's subject is user_cookie and the header
// token's user_header, so the table shows which one was used.
func cookieCases(g *gen) {
	e := g.e
	const f = "cookie"
	tok := e.sessionAs("user_cookie", -10)
	sess := sessionCookie + "=" + tok
	uat := func(v string) string { return clientUATCookie + "=" + v }
	older := e.unix(-60)
	cookies := func(name string, lines ...string) { g.add(f, name, testCase{Cookies: lines}) }

	cookies("uat=older", sess+"; "+uat(older))
	cookies("uat=missing", sess)
	cookies("uat=0", sess+"; "+uat("0"))
	cookies("uat=equal-to-iat", sess+"; "+uat(e.unix(-10)))
	cookies("uat=one-second-after-iat", sess+"; "+uat(e.unix(-9)))
	cookies("uat=newer", sess+"; "+uat(e.unix(0)))
	cookies("uat=far-future", sess+"; "+uat(e.unix(3600)))
	cookies("uat=non-numeric", sess+"; "+uat("abc"))
	cookies("uat=numeric-prefix", sess+"; "+uat("123abc"))
	cookies("uat=negative", sess+"; "+uat("-1"))
	cookies("uat=fraction", sess+"; "+uat(older+".5"))
	cookies("uat=empty", sess+"; "+uat(""))
	cookies("uat=quoted", sess+"; "+uat(`"`+older+`"`))
	cookies("uat=percent-encoded", sess+"; "+uat(percentEncode(older)))
	cookies("uat=twice,newer-first", sess+"; "+uat(e.unix(0))+"; "+uat(older))
	cookies("uat=twice,older-first", sess+"; "+uat(older)+"; "+uat(e.unix(0)))
	cookies("uat=only", uat(older))
	cookies("none")

	cookies("session=quoted", sessionCookie+`="`+tok+`"; `+uat(older))
	cookies("session=percent-encoded", sessionCookie+"="+percentEncode(tok[:3])+tok[3:]+"; "+uat(older))
	cookies("session=twice,bad-first", sessionCookie+"=garbage; "+sess+"; "+uat(older))
	cookies("session=twice,good-first", sess+"; "+sessionCookie+"=garbage; "+uat(older))
	cookies("session=empty", sessionCookie+"=; "+uat(older))
	cookies("session=name-case", "__Session="+tok+"; "+uat(older))
	cookies("session=spaces-around", " "+sessionCookie+" = "+tok+" ; "+clientUATCookie+" = "+older+" ")
	cookies("session=two-cookie-lines", sess, uat(older))
	cookies("session=expired", sessionCookie+"="+e.withClaims(func(c object) object { return c.with("exp", e.unix(-60)).with("iat", e.unix(-120)) })+"; "+uat(e.unix(-600)))
	cookies("session=iat-missing", sessionCookie+"="+e.withClaims(func(c object) object { return c.without("iat") })+"; "+uat(older))
	cookies("session=bad-signature", sessionCookie+"="+sign(e.otherKey, e.header().String(), e.claims().String())+"; "+uat(older))
	cookies("session=jwt-template", sessionCookie+"="+e.withHeader(func(h object) object { return h.with("cat", `"cl_B7d4PD222AAA"`) })+"; "+uat(older))
	cookies("session=mch-subject", sessionCookie+"="+e.withClaims(func(c object) object { return c.with("sub", `"mch_1"`) })+"; "+uat(older))
	cookies("session=pending", sessionCookie+"="+e.withClaims(func(c object) object { return c.with("sts", `"pending"`) })+"; "+uat(older))
	cookies("session=garbage", sessionCookie+"=garbage; "+uat(older))

	// Header first; a bad header token never falls back to the cookie.
	htok := e.sessionAs("user_header", -10)
	both := func(name, authorization string, lines ...string) {
		g.add(f, name, testCase{Authorization: authorization, Cookies: lines})
	}
	good := sess + "; " + uat(older)
	both("header=valid,cookie=valid", "Bearer "+htok, good)
	both("header=valid,cookie=garbage", "Bearer "+htok, sessionCookie+"=garbage; "+uat(older))
	both("header=valid,cookie=uat-newer", "Bearer "+htok, sess+"; "+uat(e.unix(0)))
	both("header=valid,cookie=no-uat", "Bearer "+htok, sess)
	both("header=garbage,cookie=valid", "Bearer garbage", good)
	both("header=expired,cookie=valid", "Bearer "+e.withClaims(func(c object) object { return c.with("exp", e.unix(-60)) }), good)
	both("header=bad-signature,cookie=valid", "Bearer "+sign(e.otherKey, e.header().String(), e.claims().String()), good)
	both("header=basic,cookie=valid", "Basic dXNlcjpwYXNz", good)
	both("header=bearer-lowercase,cookie=valid", "bearer "+htok, good)
	both("header=bearer-only,cookie=valid", "Bearer", good)
	both("header=bearer-space,cookie=valid", "Bearer ", good)
	both("header=bare-token,cookie=valid", htok, good)
}

// Suffixed cookies (__session_<suffix>, __client_uat_<suffix>) beside the
// unsuffixed ones, in every combination that Clerk's precedence rules
// (AuthenticateContext.usesSuffixedCookies) tell apart.
func suffixCases(g *gen) {
	e := g.e
	const f = "suffix"
	sfx := "_" + e.cookieSuffix
	foreign := sign(e.otherKey,
		e.header().with("kid", `"ins_other"`).String(),
		e.claims().with("iss", quote(otherIssuer)).with("sub", `"user_foreign"`).String())
	sessions := []raw{
		{"none", ""},
		{"own-old", e.sessionAs("user_old", -30)},
		{"own-new", e.sessionAs("user_new", -10)},
		{"foreign", foreign},
		{"no-iss", e.withClaims(func(c object) object { return c.without("iss").with("sub", `"user_noiss"`) })},
	}
	suffixed := []raw{{"none", ""}, {"own", e.sessionAs("user_suffixed", -20)}}
	uats := []raw{{"none", ""}, {"0", "0"}, {"old", e.unix(-60)}}
	for _, s := range sessions {
		for _, u := range uats {
			for _, ss := range suffixed {
				for _, su := range uats {
					var c []string
					if s.json != "" {
						c = append(c, sessionCookie+"="+s.json)
					}
					if u.json != "" {
						c = append(c, clientUATCookie+"="+u.json)
					}
					if ss.json != "" {
						c = append(c, sessionCookie+sfx+"="+ss.json)
					}
					if su.json != "" {
						c = append(c, clientUATCookie+sfx+"="+su.json)
					}
					name := fmt.Sprintf("session=%s,uat=%s,session_sfx=%s,uat_sfx=%s", s.name, u.name, ss.name, su.name)
					var lines []string
					if len(c) > 0 {
						lines = []string{strings.Join(c, "; ")}
					}
					g.add(f, name, testCase{Cookies: lines})
				}
			}
		}
	}
}

// Clerk's verifyToken (the low-level verifier) against clerkgo's
// Client.VerifyToken, for the rules that live in one layer or the other.
func verifyTokenCases(g *gen) {
	e := g.e
	const f = "verifyToken"
	g.verify(f, "baseline", e.token(e.header(), e.claims()))
	for _, cat := range []raw{
		{"jwt-template", `"cl_B7d4PD222AAA"`}, {"m2m", `"cl_B7d4PD333AAA"`}, {"other", `"cl_B7d4PD999ZZZ"`}, {"neutral", `"cl_I7d4PD111III"`},
	} {
		g.verify(f, "cat="+cat.name, e.withHeader(func(h object) object { return h.with("cat", cat.json) }))
	}
	g.verify(f, "typ=at+jwt", e.withHeader(func(h object) object { return h.with("typ", `"at+jwt"`) }))
	g.verify(f, "kid=missing", e.withHeader(func(h object) object { return h.without("kid") }))
	g.verify(f, "sub=mch_1", e.withClaims(func(c object) object { return c.with("sub", `"mch_1"`) }))
	g.verify(f, "sts=pending", e.withClaims(func(c object) object { return c.with("sts", `"pending"`) }))
	g.verify(f, "iss=other", e.withClaims(func(c object) object { return c.with("iss", quote(otherIssuer)) }))
	g.verify(f, "azp=other,parties=one", e.withClaims(func(c object) object { return c.with("azp", `"https://evil.example.com"`) }), appOrigin)
	g.verify(f, "exp=now-5", e.withClaims(func(c object) object { return c.with("exp", e.unix(-5)) }))
	g.verify(f, "empty", "")
}
