package clerkref

import (
	"context"
	"net/http"
	"net/url"
)

// The multi-domain page cases (issue 20): satellites, the primary's
// answer to a sync request, the primary's cross-origin referrer rule,
// organization sync and the Frontend API proxy in the handshake, on the
// production ("live") and development ("test") instances, each case with
// its configuration (testCase.Config: Clerk's authenticateRequest options,
// clerkgo's Config and Options). The satellite configuration asserts of
// both sides are the "assert" family: both must refuse the configuration.

const (
	// A production satellite's domain: its Frontend API is clerk.sat.example.
	satDomain = "sat.example"
	satOrigin = "https://" + satDomain
	satPage   = satOrigin + "/dashboard?tab=2"
	// A development satellite on localhost and its primary's sign-in page.
	devSatDomain  = "localhost:3001"
	devSatPage    = "http://" + devSatDomain + "/dashboard?tab=2"
	primarySignIn = "http://primary.example/sign-in?from=sat"
	// A development satellite's URL as a primary receives it in
	// __clerk_redirect_url.
	satReturnURL = "http://sat.example/dashboard?tab=2&__clerk_synced=false#top"
	// Frontend API proxies: on the application's origin, on another host,
	// and on the satellite's origin.
	appProxyURL   = appOrigin + "/__clerk"
	otherProxyURL = "https://proxy.example.net/__clerk"
	satProxyURL   = satOrigin + "/__clerk"
)

// orgPatterns are the organization-sync patterns of the orgsync family.
var orgPatterns = &orgSyncOptions{
	OrganizationPatterns:    []string{"/orgs/:slug", "/orgs/:slug/(.*)", "/o/:id"},
	PersonalAccountPatterns: []string{"/me", "/me/(.*)"},
}

// domainCasesOf adds the multi-domain cases of one instance.
func domainCasesOf(ctx context.Context, g *gen, in *pageInstance) error {
	e := g.e
	sub := func(family string, conf *pageConfig, u string) *pageGen {
		return &pageGen{g: g, in: in, family: family, conf: conf, url: u}
	}
	sess := func(t string) string { return sessionCookie + "=" + t }
	count := func(n string) string { return "__clerk_redirect_count=" + n }
	older := clientUATCookie + "=" + e.unix(-60)
	oldUAT := clientUATCookie + "=" + e.unix(-600)
	base := &pageGen{g: g, in: in}
	valid := base.token(func(c object) object { return c })
	expired := base.token(func(c object) object {
		return c.with("exp", e.unix(-60)).with("iat", e.unix(-120)).with("nbf", e.unix(-130))
	})
	signedIn := []string{sess(valid), older}
	expiredCookies := []string{sess(expired), oldUAT}

	// A satellite: production (Domain sat.example, Frontend API
	// clerk.sat.example) or development (Domain localhost:3001, the
	// primary's SignInURL). Clerk's multi-domain sync runs for GET
	// document requests without __clerk_synced=true.
	satConf := &pageConfig{IsSatellite: true, Domain: satDomain}
	satURL := satPage
	if in.dev {
		satConf = &pageConfig{IsSatellite: true, Domain: devSatDomain, SignInURL: primarySignIn}
		satURL = devSatPage
	}
	// A production satellite's tokens are issued by its own Frontend API
	// (clerk.sat.example): Clerk reads a cookie token of another issuer
	// as another instance's and looks for the suffixed cookies instead.
	satIssued := func(f func(object) object) string {
		return base.token(func(c object) object {
			if !in.dev {
				c = c.with("iss", quote("https://clerk."+satDomain))
			}
			return f(c)
		})
	}
	satSignedIn := []string{sess(satIssued(func(c object) object { return c })), older}
	satExpired := []string{sess(satIssued(func(c object) object {
		return c.with("exp", e.unix(-60)).with("iat", e.unix(-120)).with("nbf", e.unix(-130))
	})), oldUAT}
	p := sub("satellite", satConf, satURL)
	needsSync := satURL + "&__clerk_synced=false"
	p.add("valid,iss=primary", signedIn)
	p.add("expired,iss=primary", expiredCookies)
	p.add("no-cookies", nil)
	p.add("no-cookies,no-dev-browser", nil, noDevBrowser())
	p.add("synced=false", nil, at(needsSync))
	p.add("synced=false,no-dev-browser", nil, at(needsSync), noDevBrowser())
	p.add("synced=true", nil, at(satURL+"&__clerk_synced=true"))
	p.add("synced=true,no-dev-browser", nil, at(satURL+"&__clerk_synced=true"), noDevBrowser())
	p.add("synced=other", nil, at(satURL+"&__clerk_synced=maybe"))
	p.add("valid", satSignedIn)
	p.add("valid,synced=false", satSignedIn, at(needsSync))
	p.add("valid,synced=true", satSignedIn, at(satURL+"&__clerk_synced=true"))
	p.add("expired", satExpired)
	p.add("expired,synced=false", satExpired, at(needsSync))
	p.add("uat-only", []string{older})
	p.add("session-only,synced=false", []string{sess(valid)}, at(needsSync))
	p.add("synced=false,fetch", nil, at(needsSync), dest("empty", "*/*"))
	p.add("synced=false,no-dest,accept-html", nil, at(needsSync), dest("", "text/html"))
	p.add("synced=false,POST", nil, at(needsSync), method(http.MethodPost))
	p.add("synced=false,iframe", nil, at(needsSync), dest("iframe", "text/html"))
	p.add("synced=false,redirect-count=1", []string{count("1")}, at(needsSync))
	p.add("synced=false,redirect-count=3", []string{count("3")}, at(needsSync))
	p.add("referer=primary", satSignedIn, header("Referer", appOrigin+"/"))
	p.add("synced=false,HEAD", nil, at(needsSync), method(http.MethodHead))
	p.add("synced=false,encoded-name", nil, at(satURL+"&%5F_clerk_synced=false"))
	p.add("synced=false,twice", nil, at(satURL+"&__clerk_synced=true&__clerk_synced=false"))
	p.add("synced=false,fragment-like", nil, at(satURL+"&x=%23&__clerk_synced=false"))
	if in.dev {
		p.add("synced=true,dev-browser=query", nil, at(satURL+"&__clerk_synced=true&__clerk_db_jwt="+in.active.devBrowser), noDevBrowser())
	} else {
		a, b := base.twoNonces(ctx, &in.active)
		if base.err != nil {
			return base.err
		}
		p.add("nonce=signed-in,synced=true", nil, at(satURL+"&__clerk_synced=true&__clerk_handshake_nonce={nonce}"), nonces(a, b))
	}
	auto := *satConf
	auto.SatelliteAutoSync = true
	p = sub("satellite", &auto, satURL)
	p.add("auto-sync,no-cookies", nil)
	p.add("auto-sync,no-cookies,synced=true", nil, at(satURL+"&__clerk_synced=true"))
	p.add("auto-sync,valid", satSignedIn)
	p.add("auto-sync,no-cookies,fetch", nil, dest("empty", "*/*"))

	// A primary answering a development satellite's sync request
	// (__clerk_redirect_url): development only, on any request.
	p = sub("sync", nil, pageURL+"&__clerk_redirect_url="+url.QueryEscape(satReturnURL))
	p.add("redirect-url", nil)
	p.add("redirect-url,valid", signedIn)
	p.add("redirect-url,no-dev-browser", nil, noDevBrowser())
	p.add("redirect-url,fetch", nil, dest("empty", "*/*"))
	p.add("redirect-url,POST", nil, method(http.MethodPost))
	p.add("redirect-url=no-query", nil, at(pageURL+"&__clerk_redirect_url="+url.QueryEscape("http://sat.example/")))
	p.add("redirect-url=synced-twice", nil, at(pageURL+"&__clerk_redirect_url="+url.QueryEscape("http://sat.example/?__clerk_synced=false&a=1&__clerk_synced=x")))
	p.add("redirect-url=not-a-url", nil, at(pageURL+"&__clerk_redirect_url=not%20a%20url"))
	p.add("redirect-url=javascript", nil, at(pageURL+"&__clerk_redirect_url="+url.QueryEscape("javascript:alert(1)")))
	for _, r := range []struct{ name, target string }{
		{"fragment-only", "http://sat.example/#x"},
		{"space", "http://sat.example/a b?q=a b"},
		{"upper-case-host", "HTTP://SAT.Example/x"},
		{"userinfo", "http://user@sat.example/"},
		{"port", "http://sat.example:8080/x?y=1"},
		{"has-dev-browser", "http://sat.example/x?__clerk_db_jwt=dvb_old"},
		{"encoded", "http://sat.example/a%20b?q=%26&r=a+b"},
		{"relative", "/dashboard"},
	} {
		p.add("redirect-url="+r.name, nil, at(pageURL+"&__clerk_redirect_url="+url.QueryEscape(r.target)))
	}
	p.add("redirect-url,dev-browser=query", nil, at(pageURL+"&__clerk_db_jwt=dvb_from_query&__clerk_redirect_url="+url.QueryEscape(satReturnURL)))

	// The primary's cross-origin referrer rule, for a signed-in cookie
	// session on a GET document request.
	p = sub("referrer", nil, "")
	for _, r := range []struct{ name, referer string }{
		{"satellite", "https://sat.example/page"},
		{"same-origin", appOrigin + "/elsewhere"},
		{"same-origin,spelled-differently", "HTTPS://App.Example.com:443/x"},
		{"other-port", "https://app.example.com:8443/x"},
		{"other-scheme", "http://app.example.com/x"},
		{"subdomain", "https://www.app.example.com/"},
		{"account-portal=live", "https://accounts.example.com/sign-in"},
		{"account-portal=test", "https://foo-bar-13.accounts.dev/sign-in"},
		{"account-portal=other-dev", "https://foo-bar-1.accounts.dev/"},
		{"account-portal=clerk-accounts-dev", "https://foo-bar-1.clerk.accounts.dev/"},
		{"frontend-api=live", "https://" + frontendHost + "/v1/client"},
		{"frontend-api=test", "https://" + devFrontendHost + "/v1/client"},
		{"not-a-url", "not a url"},
		{"android-app", "android-app://" + frontendHost + "/"},
		{"empty", ""},
		{"about-blank", "about:blank"},
		{"data", "data:text/html,x"},
		{"blob=same-origin", "blob:" + appOrigin + "/0b8e"},
		{"blob=satellite", "blob:https://sat.example/0b8e"},
		{"one-slash", "https:/sat.example/x"},
		{"no-slash,same-host", "https:app.example.com/x"},
		{"trailing-dot", "https://app.example.com./x"},
		{"userinfo", "https://user@app.example.com/x"},
		{"port=0443", "https://app.example.com:0443/x"},
		{"backslash", `https:\\sat.example\x`},
	} {
		p.add("referer="+r.name, signedIn, header("Referer", r.referer))
	}
	p.add("referer=satellite,redirect-count=1", append([]string{count("1")}, signedIn...), header("Referer", "https://sat.example/page"))
	p.add("referer=satellite,fetch", signedIn, header("Referer", "https://sat.example/page"), dest("empty", "*/*"))
	p.add("referer=satellite,no-dest,accept-html", signedIn, header("Referer", "https://sat.example/page"), dest("", "text/html"))
	p.add("referer=satellite,POST", signedIn, header("Referer", "https://sat.example/page"), method(http.MethodPost))
	p.add("referer=satellite,expired", expiredCookies, header("Referer", "https://sat.example/page"))
	p.add("referer=satellite,no-cookies", nil, header("Referer", "https://sat.example/page"))
	p.add("referer=satellite,header-token", nil, header("Referer", "https://sat.example/page"), header("Authorization", "Bearer "+valid))

	// Organization sync: the session's active organization is acme
	// (org_1); the URL names another, or the personal account.
	orgTok := base.token(func(c object) object {
		return c.with("fea", `"o:articles"`).with("o", `{"id":"org_1","slg":"acme","rol":"admin","per":"read","fpm":"1"}`)
	})
	withOrg := []string{sess(orgTok), older}
	p = sub("orgsync", &pageConfig{OrganizationSyncOptions: orgPatterns}, "")
	for _, c := range []struct{ name, path string }{
		{"/orgs/acme", "/orgs/acme"},
		{"/orgs/acme/", "/orgs/acme/"},
		{"/orgs/acme/settings", "/orgs/acme/settings"},
		{"/orgs/beta", "/orgs/beta"},
		{"/orgs/beta/settings/x", "/orgs/beta/settings/x"},
		{"/ORGS/Acme", "/ORGS/Acme"},
		{"/o/org_1", "/o/org_1"},
		{"/o/org_2", "/o/org_2"},
		{"/orgs/a%20b", "/orgs/a%20b"},
		{"/me", "/me"},
		{"/me/profile", "/me/profile"},
		{"/dashboard", "/dashboard"},
		{"/orgs", "/orgs"},
	} {
		p.add("path="+c.name, withOrg, at(appOrigin+c.path+"?tab=2"))
	}
	p.add("path=/me,no-org", signedIn, at(appOrigin+"/me"))
	p.add("path=/orgs/acme,no-org", signedIn, at(appOrigin+"/orgs/acme"))
	p.add("path=/orgs/beta,redirect-count=1", append([]string{count("1")}, withOrg...), at(appOrigin+"/orgs/beta"))
	p.add("path=/orgs/beta,redirect-count=3", append([]string{count("3")}, withOrg...), at(appOrigin+"/orgs/beta"))
	p.add("path=/orgs/beta,expired", expiredCookies, at(appOrigin+"/orgs/beta"))
	p.add("path=/orgs/beta,fetch", withOrg, at(appOrigin+"/orgs/beta"), dest("empty", "*/*"))
	p.add("path=/orgs/beta,no-cookies", nil, at(appOrigin+"/orgs/beta"))
	p.add("path=/orgs/beta,referer=satellite", withOrg, at(appOrigin+"/orgs/beta"), header("Referer", "https://sat.example/page"))
	p.add("path=/orgs/beta,header-token", nil, at(appOrigin+"/orgs/beta"), header("Authorization", "Bearer "+orgTok))
	p.add("path=/orgs/a%2Fb", withOrg, at(appOrigin+"/orgs/a%2Fb"))
	p.add("path=/x/../orgs/beta", withOrg, at(appOrigin+"/x/../orgs/beta"))
	p.add("path=/orgs/acme,v1-claims", []string{sess(base.token(func(c object) object {
		return c.with("v", "1").with("org_id", `"org_1"`).with("org_slug", `"acme"`).with("org_role", `"admin"`)
	})), older}, at(appOrigin+"/orgs/acme"))
	p.add("path=/orgs/beta,satellite", withOrg, at(satOrigin+"/orgs/beta"), func(s *pageSpec) {
		s.tc.Config = &pageConfig{IsSatellite: true, Domain: satDomain, SignInURL: primarySignIn, OrganizationSyncOptions: orgPatterns}
	})

	// The Frontend API proxy in the handshake: a primary's and a
	// satellite's.
	p = sub("proxy", &pageConfig{ProxyURL: appProxyURL}, "")
	p.add("expired", expiredCookies)
	p.add("valid", signedIn)
	p.add("valid,iss=proxy", []string{sess(base.token(func(c object) object { return c.with("iss", quote(appProxyURL)) })), older})
	p.add("no-cookies", nil)
	p = sub("proxy", &pageConfig{ProxyURL: otherProxyURL}, "")
	p.add("other-host,expired", expiredCookies)
	p.add("other-host,referer=proxy", signedIn, header("Referer", "https://proxy.example.net/__clerk/v1/client"))
	p.add("other-host,referer=frontend-api", signedIn, header("Referer", "https://"+frontendHost+"/v1/client"))
	satProxy := &pageConfig{IsSatellite: true, ProxyURL: satProxyURL}
	if in.dev {
		satProxy.SignInURL = primarySignIn
	}
	p = sub("satellite", &pageConfig{IsSatellite: true, Domain: "https://" + satConf.Domain, SignInURL: satConf.SignInURL}, satURL)
	p.add("domain=with-scheme,synced=false", nil, at(needsSync))
	if in.dev {
		p = sub("satellite", &pageConfig{IsSatellite: true, Domain: devSatDomain, SignInURL: "http://primary.example/sign-in#frag"}, satURL)
		p.add("sign-in-url=fragment,synced=false", nil, at(needsSync))
	}
	p = sub("proxy", satProxy, satPage)
	p.add("satellite,synced=false", nil, at(satPage+"&__clerk_synced=false"))
	p.add("satellite,expired", expiredCookies)
	p.add("satellite,no-cookies", nil)
	p = sub("proxy", &pageConfig{IsSatellite: true, Domain: satDomain, ProxyURL: satProxyURL, SignInURL: satConf.SignInURL}, satPage)
	p.add("satellite-with-domain,synced=false", nil, at(satPage+"&__clerk_synced=false"))

	// The satellite asserts: both sides refuse the configuration (Clerk
	// throws from authenticateRequest; clerkgo's New returns a
	// *core.ConfigError).
	p = sub("assert", &pageConfig{IsSatellite: true}, satPage)
	p.add("satellite,no-domain", nil)
	p = sub("assert", &pageConfig{IsSatellite: true, SignInURL: primarySignIn}, satPage)
	p.add("satellite,no-domain,sign-in-url", nil)
	if in.dev {
		p = sub("assert", &pageConfig{IsSatellite: true, Domain: devSatDomain}, devSatPage)
		p.add("dev-satellite,no-sign-in-url", nil)
		p.add("dev-satellite,no-sign-in-url,POST", nil, method(http.MethodPost), dest("empty", "*/*"))
	}
	own := &pageConfig{IsSatellite: true, Domain: satDomain, SignInURL: satOrigin + "/sign-in"}
	p = sub("assert", own, satPage)
	p.add("sign-in-url=own-origin,origin", nil, header("Origin", satOrigin))
	p.add("sign-in-url=own-origin,no-origin", nil)
	p = sub("assert", &pageConfig{IsSatellite: true, Domain: satDomain, SignInURL: "/sign-in"}, satPage)
	p.add("sign-in-url=relative,origin", nil, header("Origin", satOrigin))
	return base.err
}
