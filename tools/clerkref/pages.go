package clerkref

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// Page cases: a browser's request for a page, decided by Clerk's
// authenticateRequest and by clerkgo's Authenticator.AuthenticatePage
// (Options.BrowserPages), for a production (pk_live_) and a development
// (pk_test_) instance. Each instance has its own fake Clerk
// (core/clerktest) on a loopback port, signing with the run's instance key:
// both sides verify with that key as a PEM (jwtKey / Config.JWTKey) and send
// their handshake-payload and session-refresh calls to the fake. The
// comparison covers the status (signed-in, signed-out, handshake), the
// reason, the Location (its query compared as a set, redirect_url after URL
// normalization), the Set-Cookie directives, Cache-Control and the
// x-clerk-auth-* headers, with the run's random values (tokens, nonces,
// session IDs, ports) replaced by placeholders.

// The development instance's Frontend API host (a Clerk-shaped one; the
// cookie-suffix test vector of clerkref_test.go).
const devFrontendHost = "foo-bar-13.clerk.accounts.dev"

// pageURL is the page every case asks for unless it says otherwise.
const pageURL = appOrigin + "/dashboard?tab=2"

// pageOutcome is one side's answer to a page case.
type pageOutcome struct {
	Status       string   `json:"status"`
	Reason       string   `json:"reason,omitempty"`
	Message      string   `json:"message,omitempty"`
	Location     string   `json:"location,omitempty"`
	CacheControl string   `json:"cacheControl,omitempty"`
	SetCookies   []string `json:"setCookies,omitempty"`
	AuthStatus   string   `json:"authStatus,omitempty"`
	AuthReason   string   `json:"authReason,omitempty"`
	AuthMessage  string   `json:"authMessage,omitempty"`
	Sub          string   `json:"sub,omitempty"`
	Sid          string   `json:"sid,omitempty"`
}

// browser is a browser signed in at a fake Clerk: its client (the __client
// cookie of production, the development-browser token of development), its
// session and refresh token, and a __clerk_handshake JWT carrying its
// signed-in cookies.
type browser struct {
	client, devBrowser string
	sid, refresh       string
	handshakeJWT       string
}

// pageInstance is one instance of the page cases and its fake Clerk.
type pageInstance struct {
	name               string // "live" or "test": the case family's suffix
	dev                bool
	pk, sk, iss, sfx   string
	fake               *clerktest.Server
	kid, user          string
	active, ended      browser // a signed-in browser; one whose session was ended
	signedOutDevBrowse string  // development: a browser token with no session
	http               *http.Client
}

// newPageInstances starts a fake Clerk per instance and signs a browser in
// at each (and another whose session is then ended). The caller closes the
// fakes.
func newPageInstances(ctx context.Context, e *env) ([]*pageInstance, error) {
	devPK := "pk_test_" + base64.StdEncoding.EncodeToString([]byte(devFrontendHost+"$"))
	specs := []*pageInstance{
		{name: "live", pk: e.publishableKey, sk: secretKey, iss: issuer, sfx: e.cookieSuffix},
		{name: "test", dev: true, pk: devPK, sk: "sk_test_clerkrefdifferentialtest", iss: "https://" + devFrontendHost, sfx: cookieSuffix(devPK)},
	}
	var out []*pageInstance
	for _, in := range specs {
		opts := []clerktest.Option{
			clerktest.WithKey(e.key), clerktest.WithClock(func() time.Time { return e.now }),
			clerktest.WithIssuer(in.iss), clerktest.WithSecretKey(in.sk), clerktest.WithAuthorizedParty(appOrigin),
		}
		if !in.dev {
			opts = append(opts, clerktest.WithProductionInstance())
		}
		in.fake = clerktest.New(opts...)
		out = append(out, in)
		in.kid, in.user = in.fake.KeyID(), in.fake.DefaultUserID()
		in.http = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		var err error
		if in.active, err = in.signIn(ctx); err != nil {
			return out, fmt.Errorf("instance %s: %v", in.name, err)
		}
		if in.ended, err = in.signIn(ctx); err != nil {
			return out, fmt.Errorf("instance %s: %v", in.name, err)
		}
		if !in.fake.EndSession(in.ended.sid) {
			return out, fmt.Errorf("instance %s: the fake did not end session %s", in.name, in.ended.sid)
		}
		if in.dev {
			if in.signedOutDevBrowse, err = in.newDevBrowser(ctx); err != nil {
				return out, fmt.Errorf("instance %s: %v", in.name, err)
			}
		}
	}
	return out, nil
}

// do sends a request to the fake and returns the response (body drained).
func (in *pageInstance) do(ctx context.Context, method, path string, form url.Values, cookie string) (*http.Response, []byte, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, in.fake.URL+path, body)
	if err != nil {
		return nil, nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := in.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, b, err
}

// signIn signs the fake's default user in on a new browser (the fake's
// sign-in page) and reads the browser's cookies through a handshake in the
// JWT format (which, unlike a nonce, can be read without using it up).
func (in *pageInstance) signIn(ctx context.Context) (browser, error) {
	var b browser
	resp, _, err := in.do(ctx, http.MethodPost, "/sign-in", url.Values{"user_id": {in.user}, "redirect_url": {appOrigin + "/"}}, "")
	if err != nil {
		return b, err
	}
	if resp.StatusCode != http.StatusSeeOther {
		return b, fmt.Errorf("sign-in answered %d", resp.StatusCode)
	}
	for _, c := range resp.Cookies() {
		if c.Name == clerktest.CookieClient {
			b.client = c.Value
		}
	}
	if in.dev {
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			return b, err
		}
		b.devBrowser = loc.Query().Get(clerktest.CookieDevBrowser)
	}
	if b.client == "" && b.devBrowser == "" {
		return b, errors.New("sign-in set no client cookie and gave no development-browser token")
	}
	loc, err := in.handshake(ctx, &b, "")
	if err != nil {
		return b, err
	}
	b.handshakeJWT = loc.Query().Get("__clerk_handshake")
	var claims struct{ Handshake []string }
	if err := json.Unmarshal(payloadOf(b.handshakeJWT), &claims); err != nil {
		return b, fmt.Errorf("the handshake JWT: %v", err)
	}
	for _, d := range claims.Handshake {
		name, value, _ := strings.Cut(strings.SplitN(d, ";", 2)[0], "=")
		switch {
		case strings.HasPrefix(name, clerktest.CookieRefresh+"_"):
			b.refresh = value
		case name == sessionCookie:
			var c struct{ Sid string }
			_ = json.Unmarshal(payloadOf(value), &c)
			b.sid = c.Sid
		}
	}
	if b.refresh == "" || b.sid == "" {
		return b, fmt.Errorf("the handshake of a signed-in browser carried no session or refresh cookie: %q", claims.Handshake)
	}
	return b, nil
}

// handshake runs the fake Frontend API's handshake for browser b (nil: a
// browser the fake does not know, or in development signedOutDevBrowse)
// in format ("nonce", or "" for the JWT) and returns where it sends the
// browser back.
func (in *pageInstance) handshake(ctx context.Context, b *browser, format string) (*url.URL, error) {
	q := url.Values{"redirect_url": {pageURL}, "suffixed_cookies": {"false"}}
	if format != "" {
		q.Set("format", format)
	}
	cookie := ""
	switch {
	case b == nil && in.dev:
		q.Set(clerktest.CookieDevBrowser, in.signedOutDevBrowse)
	case b != nil && in.dev:
		q.Set(clerktest.CookieDevBrowser, b.devBrowser)
	case b != nil:
		cookie = clerktest.CookieClient + "=" + b.client
	}
	resp, _, err := in.do(ctx, http.MethodGet, "/v1/client/handshake?"+q.Encode(), nil, cookie)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusTemporaryRedirect {
		return nil, fmt.Errorf("the handshake answered %d", resp.StatusCode)
	}
	return url.Parse(resp.Header.Get("Location"))
}

// nonce is a fresh handshake nonce for browser b (nil: signed out).
func (in *pageInstance) nonce(ctx context.Context, b *browser) (string, error) {
	loc, err := in.handshake(ctx, b, "nonce")
	if err != nil {
		return "", err
	}
	n := loc.Query().Get("__clerk_handshake_nonce")
	if n == "" {
		return "", errors.New("the handshake gave no nonce")
	}
	return n, nil
}

// newDevBrowser asks the fake Frontend API for a development-browser token.
func (in *pageInstance) newDevBrowser(ctx context.Context) (string, error) {
	_, body, err := in.do(ctx, http.MethodPost, "/v1/dev_browser", url.Values{}, "")
	if err != nil {
		return "", err
	}
	var v struct{ ID string }
	if err := json.Unmarshal(body, &v); err != nil || v.ID == "" {
		return "", fmt.Errorf("POST /v1/dev_browser: %q", body)
	}
	return v.ID, nil
}

// payloadOf decodes a compact JWT's payload; nil if it is not one.
func payloadOf(token string) []byte {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	return b
}

// harnessInstances is what the harness needs of the instances.
func harnessInstances(ins []*pageInstance) map[string]harnessInstance {
	out := map[string]harnessInstance{}
	for _, in := range ins {
		out[in.name] = harnessInstance{PublishableKey: in.pk, SecretKey: in.sk, APIURL: in.fake.URL}
	}
	return out
}

// pageConfig is the configuration of a page case beyond the instance's
// keys: the options of Clerk's authenticateRequest (JSON, as the harness
// passes them) and the matching fields of clerkgo's Config and Options.
type pageConfig struct {
	IsSatellite             bool            `json:"isSatellite,omitempty"`
	Domain                  string          `json:"domain,omitempty"`
	ProxyURL                string          `json:"proxyUrl,omitempty"`
	SignInURL               string          `json:"signInUrl,omitempty"`
	SatelliteAutoSync       bool            `json:"satelliteAutoSync,omitempty"`
	OrganizationSyncOptions *orgSyncOptions `json:"organizationSyncOptions,omitempty"`
}

// orgSyncOptions is Clerk's organizationSyncOptions.
type orgSyncOptions struct {
	OrganizationPatterns    []string `json:"organizationPatterns,omitempty"`
	PersonalAccountPatterns []string `json:"personalAccountPatterns,omitempty"`
}

// apply sets clerkgo's fields of the configuration.
func (pc *pageConfig) apply(c *core.Config, o *core.Options) {
	if pc == nil {
		return
	}
	c.IsSatellite, c.Domain, c.ProxyURL, c.SignInURL, c.SatelliteAutoSync = pc.IsSatellite, pc.Domain, pc.ProxyURL, pc.SignInURL, pc.SatelliteAutoSync
	if s := pc.OrganizationSyncOptions; s != nil {
		o.OrganizationSync = &core.OrganizationSync{OrganizationPatterns: s.OrganizationPatterns, PersonalAccountPatterns: s.PersonalAccountPatterns}
	}
}

// pageSpec is a page case being built.
type pageSpec struct {
	tc           testCase
	noDevBrowser bool // development: no __clerk_db_jwt cookie
}

type pageOpt func(*pageSpec)

func method(m string) pageOpt    { return func(s *pageSpec) { s.tc.Method = m } }
func at(u string) pageOpt        { return func(s *pageSpec) { s.tc.URL = u } }
func noDevBrowser() pageOpt      { return func(s *pageSpec) { s.noDevBrowser = true } }
func trustForwarded() pageOpt    { return func(s *pageSpec) { s.tc.trustForwarded = true } }
func header(k, v string) pageOpt { return func(s *pageSpec) { s.tc.Headers[k] = v } }
func nonces(clerk, ours string) pageOpt {
	return func(s *pageSpec) { s.tc.Nonce, s.tc.goNonce = clerk, ours }
}

// dest sets Sec-Fetch-Dest ("" removes it) and Accept.
func dest(secFetchDest, accept string) pageOpt {
	return func(s *pageSpec) {
		delete(s.tc.Headers, "Sec-Fetch-Dest")
		if secFetchDest != "" {
			s.tc.Headers["Sec-Fetch-Dest"] = secFetchDest
		}
		s.tc.Headers["Accept"] = accept
	}
}

// suffixed renames the cookie of name=value to name_<sfx>.
func suffixed(cookie, sfx string) string {
	n, v, _ := strings.Cut(cookie, "=")
	return n + "_" + sfx + "=" + v
}

// pageGen adds the page cases of one instance: to the family
// "page-<instance>" unless family is set, each with conf and, unless
// the case says otherwise, at url (default pageURL).
type pageGen struct {
	g      *gen
	in     *pageInstance
	family string
	conf   *pageConfig
	url    string
	err    error
}

// add adds a document request (GET pageURL, Sec-Fetch-Dest: document,
// Accept: text/html) with the cookies (on a development instance after
// the browser's __clerk_db_jwt), changed by opts.
func (p *pageGen) add(name string, cookies []string, opts ...pageOpt) {
	u, family := pageURL, "page-"+p.in.name
	if p.url != "" {
		u = p.url
	}
	if p.family != "" {
		family = p.family + "-" + p.in.name
	}
	s := pageSpec{tc: testCase{Mode: "page", Instance: p.in.name, URL: u, Config: p.conf, Headers: map[string]string{
		"Sec-Fetch-Dest": "document",
		"Accept":         "text/html,application/xhtml+xml",
	}}}
	for _, o := range opts {
		o(&s)
	}
	if p.in.dev && !s.noDevBrowser {
		// clerk-js sets the development-browser cookie in both forms.
		dvb := clerktest.CookieDevBrowser + "=" + p.in.active.devBrowser
		cookies = append([]string{dvb, suffixed(dvb, p.in.sfx)}, cookies...)
	}
	if len(cookies) > 0 {
		s.tc.Cookies = []string{strings.Join(cookies, "; ")}
	}
	p.g.add(family, name, s.tc)
}

// twoNonces returns a nonce for each side, with the same directives.
func (p *pageGen) twoNonces(ctx context.Context, b *browser) (string, string) {
	if p.err != nil {
		return "", ""
	}
	a, err := p.in.nonce(ctx, b)
	if err != nil {
		p.err = err
		return "", ""
	}
	c, err := p.in.nonce(ctx, b)
	p.err = err
	return a, c
}

// token is a session token of the instance for its signed-in browser,
// changed by f.
func (p *pageGen) token(f func(object) object) string {
	e, in := p.g.e, p.in
	c := e.claims().with("iss", quote(in.iss)).with("sub", quote(in.user)).with("sid", quote(in.active.sid))
	return e.token(e.header().with("kid", quote(in.kid)), f(c))
}

// generatePages builds the page cases of every instance. It asks the fakes
// for handshake nonces, so the instances must be running.
func generatePages(ctx context.Context, e *env, ins []*pageInstance) ([]testCase, error) {
	g := &gen{e: e, seen: map[string]bool{}}
	for _, in := range ins {
		p := &pageGen{g: g, in: in}
		pageCasesOf(ctx, p)
		if p.err == nil {
			p.err = domainCasesOf(ctx, g, in)
		}
		if p.err != nil {
			return nil, fmt.Errorf("instance %s: %v", in.name, p.err)
		}
	}
	if len(g.dups) > 0 {
		return nil, fmt.Errorf("case IDs generated twice: %q", g.dups)
	}
	return g.cases, nil
}

// pageCasesOf adds the cases of one instance.
func pageCasesOf(ctx context.Context, p *pageGen) {
	e, in := p.g.e, p.in
	sess := func(t string) string { return sessionCookie + "=" + t }
	uat := func(v string) string { return clientUATCookie + "=" + v }
	refresh := func(v string) string { return "__refresh_" + in.sfx + "=" + v }
	sfx := func(c string) string { return suffixed(c, in.sfx) }
	valid := p.token(func(c object) object { return c })
	older := uat(e.unix(-60))
	expiredClaims := func(c object) object {
		return c.with("exp", e.unix(-60)).with("iat", e.unix(-120)).with("nbf", e.unix(-130))
	}
	expired := p.token(expiredClaims)
	oldUAT := uat(e.unix(-600))

	// The cookies' states, in Clerk's order.
	p.add("no-cookies", nil)
	p.add("uat-only", []string{older})
	p.add("uat=0-only", []string{uat("0")})
	p.add("session-only", []string{sess(valid)})
	p.add("session,uat=0", []string{sess(valid), uat("0")})
	p.add("valid", []string{sess(valid), older})
	p.add("valid,uat=equal-to-iat", []string{sess(valid), uat(e.unix(-10))})
	p.add("iat-before-uat", []string{sess(valid), uat(e.unix(0))})
	p.add("nbf-in-the-future", []string{sess(p.token(func(c object) object { return c.with("nbf", e.unix(60)) })), older})
	p.add("iat-in-the-future", []string{sess(p.token(func(c object) object { return c.with("iat", e.unix(60)) })), older})
	p.add("bad-signature", []string{sess(sign(e.otherKey, e.header().String(), e.claims().with("iss", quote(in.iss)).String())), older})
	p.add("garbage", []string{sess("garbage"), older})
	p.add("machine=mch-subject", []string{sess(p.token(func(c object) object { return c.with("sub", `"mch_1"`) })), older})
	p.add("machine=m2m-category", []string{sess(e.token(e.header().with("kid", quote(in.kid)).with("cat", `"cl_B7d4PD333AAA"`), e.claims().with("iss", quote(in.iss)))), older})
	p.add("machine=jwt-template", []string{sess(e.token(e.header().with("kid", quote(in.kid)).with("cat", `"cl_B7d4PD222AAA"`), e.claims().with("iss", quote(in.iss)))), older})
	p.add("machine=api-key", []string{sess("ak_" + strings.Repeat("x", 32)), older})

	// Expired tokens, with and without the refresh cookie.
	p.add("expired,refresh=none", []string{sess(expired), oldUAT})
	p.add("expired,refresh=ok", []string{sess(expired), oldUAT, refresh(in.active.refresh)})
	p.add("expired,refresh=wrong-token", []string{sess(expired), oldUAT, refresh("rt_not_this_sessions")})
	endedTok := p.token(func(c object) object { return expiredClaims(c).with("sid", quote(in.ended.sid)) })
	p.add("expired,refresh=session-ended", []string{sess(endedTok), oldUAT, refresh(in.ended.refresh)})
	p.add("expired,refresh=no-sid", []string{sess(p.token(func(c object) object { return expiredClaims(c).without("sid") })), oldUAT, refresh(in.active.refresh)})
	p.add("expired,refresh=unsuffixed-cookie", []string{sess(expired), oldUAT, "__refresh=" + in.active.refresh})
	p.add("expired,refresh=ok,fetch", []string{sess(expired), oldUAT, refresh(in.active.refresh)}, dest("empty", "*/*"))
	p.add("expired,refresh=ok,POST", []string{sess(expired), oldUAT, refresh(in.active.refresh)}, method(http.MethodPost))
	p.add("nbf-in-the-future,refresh=ok", []string{sess(p.token(func(c object) object { return c.with("nbf", e.unix(60)) })), older, refresh(in.active.refresh)})

	// Which requests may be answered with a handshake.
	p.add("eligible=POST-document", []string{sess(expired), oldUAT}, method(http.MethodPost))
	p.add("eligible=HEAD-document", []string{sess(expired), oldUAT}, method(http.MethodHead))
	p.add("eligible=fetch-empty", []string{sess(expired), oldUAT}, dest("empty", "*/*"))
	p.add("eligible=fetch-empty-accept-html", []string{sess(expired), oldUAT}, dest("empty", "text/html"))
	p.add("eligible=iframe", []string{sess(expired), oldUAT}, dest("iframe", "text/html"))
	p.add("eligible=script", []string{sess(expired), oldUAT}, dest("script", "*/*"))
	p.add("eligible=no-dest,accept-html", []string{sess(expired), oldUAT}, dest("", "text/html,application/xhtml+xml"))
	p.add("eligible=no-dest,accept-json", []string{sess(expired), oldUAT}, dest("", "application/json"))
	p.add("eligible=no-dest,accept-star", []string{sess(expired), oldUAT}, dest("", "*/*"))
	p.add("eligible=no-dest,accept-HTML-uppercase", []string{sess(expired), oldUAT}, dest("", "TEXT/HTML"))
	p.add("eligible=fetch-empty,uat-only", []string{older}, dest("empty", "*/*"))

	// The Authorization header on a page request.
	p.add("header=expired", nil, header("Authorization", "Bearer "+expired))
	p.add("header=expired,cookie=valid", []string{sess(valid), older}, header("Authorization", "Bearer "+expired))
	p.add("header=valid", nil, header("Authorization", "Bearer "+valid))
	p.add("header=nbf-in-the-future", nil, header("Authorization", "Bearer "+p.token(func(c object) object { return c.with("nbf", e.unix(60)) })))
	p.add("header=expired,fetch", nil, header("Authorization", "Bearer "+expired), dest("empty", "*/*"))
	p.add("header=expired,refresh=ok", []string{refresh(in.active.refresh)}, header("Authorization", "Bearer "+expired))
	// Clerk refreshes AuthenticateContext.sessionToken: the cookie's token
	// before the header's.
	p.add("header=expired,cookie=ended-session,refresh=ok", []string{sess(endedTok), oldUAT, refresh(in.active.refresh)}, header("Authorization", "Bearer "+expired))

	// The redirect loop guard.
	for _, n := range []string{"1", "2", "3", "4", "abc", "-1"} {
		p.add("redirect-count="+n, []string{sess(expired), oldUAT, "__clerk_redirect_count=" + n})
	}

	// The handshake's return: a nonce (resolved through the fake Backend
	// API) or the __clerk_handshake JWT, in the query or a cookie.
	nonceURL := pageURL + "&__clerk_handshake_nonce={nonce}"
	a, b := p.twoNonces(ctx, &in.active)
	p.add("nonce=signed-in", nil, at(nonceURL), nonces(a, b))
	a, b = p.twoNonces(ctx, &in.active)
	p.add("nonce=signed-in,cookies=expired", []string{sess(expired), oldUAT}, at(nonceURL), nonces(a, b))
	a, b = p.twoNonces(ctx, nil)
	p.add("nonce=signed-out", nil, at(nonceURL), nonces(a, b))
	a, b = p.twoNonces(ctx, &in.active)
	p.add("nonce=signed-in,cookie", []string{"__clerk_handshake_nonce={nonce}"}, nonces(a, b))
	a, b = p.twoNonces(ctx, &in.active)
	p.add("nonce=signed-in,fetch", nil, at(nonceURL), nonces(a, b), dest("empty", "*/*"))
	p.add("nonce=unknown,cookies=valid", []string{sess(valid), older}, at(nonceURL), nonces("nonce_unknown", "nonce_unknown"))
	p.add("nonce=unknown", nil, at(nonceURL), nonces("nonce_unknown", "nonce_unknown"))
	hsURL := pageURL + "&__clerk_handshake=" + in.active.handshakeJWT
	p.add("handshake-jwt=signed-in", nil, at(hsURL))
	p.add("handshake-jwt=signed-in,cookie", []string{"__clerk_handshake=" + in.active.handshakeJWT})
	p.add("handshake-jwt=signed-in,help", nil, at(hsURL+"&__clerk_help=1"))
	otherHS := sign(e.otherKey, e.header().String(), string(payloadOf(in.active.handshakeJWT)))
	p.add("handshake-jwt=other-key,cookies=valid", []string{sess(valid), older}, at(pageURL+"&__clerk_handshake="+otherHS))
	tmplHS := e.token(e.header().with("kid", quote(in.kid)).with("cat", `"cl_B7d4PD222AAA"`), object{{"handshake", `["__session=x; Path=/"]`}})
	p.add("handshake-jwt=jwt-template,cookies=valid", []string{sess(valid), older}, at(pageURL+"&__clerk_handshake="+tmplHS))

	// Development browsers, and the URL the handshake comes back to.
	p.add("dev-browser=query", []string{sess(valid), older}, at(pageURL+"&__clerk_db_jwt="+in.active.devBrowser+"x"))
	p.add("dev-browser=missing,cookies=valid", []string{sess(valid), older}, noDevBrowser())
	p.add("dev-browser=missing", nil, noDevBrowser())
	p.add("dev-browser=legacy-query", []string{sess(expired), oldUAT}, at(pageURL+"&__dev_session=dvb_legacy"))
	p.add("redirect-url=encoded-query", []string{sess(expired), oldUAT}, at(appOrigin+"/a%20b/c?q=a%20b&r=x+y&s=%7E&e="))
	p.add("redirect-url=no-query", []string{sess(expired), oldUAT}, at(appOrigin+"/"))
	p.add("redirect-url=port", []string{sess(expired), oldUAT}, at("https://app.example.com:8443/dashboard"))
	p.add("redirect-url=http", []string{sess(expired), oldUAT}, at("http://app.example.com/dashboard"))
	p.add("redirect-url=forwarded-host", []string{sess(expired), oldUAT}, header("X-Forwarded-Host", "proxy.example.net"), header("X-Forwarded-Proto", "http"))
	p.add("redirect-url=forwarded-host,trusted", []string{sess(expired), oldUAT}, header("X-Forwarded-Host", "proxy.example.net"), header("X-Forwarded-Proto", "http"), trustForwarded())

	// Suffixed cookies beside unsuffixed ones.
	suffixedValid := p.token(func(c object) object { return c.with("sub", quote(in.user)) })
	p.add("suffixed=valid", []string{sfx(sess(suffixedValid)), sfx(older)})
	p.add("suffixed=expired", []string{sfx(sess(expired)), sfx(oldUAT)})
	p.add("suffixed=expired,refresh=ok", []string{sfx(sess(expired)), sfx(oldUAT), refresh(in.active.refresh)})
	p.add("suffixed=expired,unsuffixed=valid", []string{sfx(sess(expired)), sfx(oldUAT), sess(valid), older})
	p.add("suffixed=valid,unsuffixed=expired", []string{sfx(sess(valid)), sfx(older), sess(expired), oldUAT})
	p.add("suffixed=uat-only,unsuffixed=valid", []string{sfx(older), sess(valid), older})
	p.add("suffixed=uat=0,unsuffixed=valid", []string{sfx(uat("0")), sess(valid), older})
	if in.dev {
		p.add("suffixed=valid,dev-browser=unsuffixed-only", []string{clerktest.CookieDevBrowser + "=" + in.active.devBrowser, sfx(sess(valid)), sfx(older)}, noDevBrowser())
	}
}

// clerkgoPage is clerkgo's answer to a page case: a client and an
// authenticator with BrowserPages for the case's instance, the request
// through AuthenticatePage, the headers as an app would copy them.
func clerkgoPage(ctx context.Context, e *env, in *pageInstance, tc testCase) outcome {
	conf := core.Config{
		JWTKey:         e.pem,
		PublishableKey: in.pk,
		SecretKey:      in.sk,
		APIURL:         in.fake.URL,
		Now:            func() time.Time { return e.now },
	}
	// NoSignInRedirect: authenticateRequest decides signed in, signed out or
	// handshake; sending a signed-out page to sign in is the framework's
	// next step (Next.js's auth.protect()), not part of the comparison.
	opts := core.Options{SkipUserFetch: true, BrowserPages: true, TrustForwardedHeaders: tc.trustForwarded, NoSignInRedirect: true}
	tc.Config.apply(&conf, &opts)
	c, err := core.New(conf)
	if err != nil {
		return outcome{Reason: "config-error: " + err.Error()}
	}
	defer c.Close()
	opts.Client = c
	a, err := core.NewAuthenticator(opts)
	if err != nil {
		return outcome{Reason: "config-error: " + err.Error()}
	}
	fill := strings.NewReplacer("{nonce}", tc.goNonce).Replace
	m := tc.Method
	if m == "" {
		m = http.MethodGet
	}
	r := httptest.NewRequestWithContext(ctx, m, fill(tc.URL), nil)
	for k, v := range tc.Headers {
		r.Header.Set(k, v)
	}
	if len(tc.Cookies) > 0 {
		r.Header.Set("Cookie", fill(strings.Join(tc.Cookies, "; ")))
	}
	res := a.AuthenticatePage(ctx, core.HTTPRequest(r))
	h := http.Header{}
	res.CopyHeaders(h)
	p := &pageOutcome{
		Status:       string(res.Status),
		Reason:       res.Reason,
		Message:      res.Message,
		Location:     h.Get("Location"),
		CacheControl: h.Get("Cache-Control"),
		SetCookies:   h.Values("Set-Cookie"),
		AuthStatus:   h.Get("X-Clerk-Auth-Status"),
		AuthReason:   h.Get("X-Clerk-Auth-Reason"),
		AuthMessage:  h.Get("X-Clerk-Auth-Message"),
	}
	if res.Status == core.PageSignedIn && res.Auth != nil && res.Auth.Session != nil {
		p.Sub, p.Sid = res.Auth.Session.Subject, res.Auth.Session.SessionID
	}
	return outcome{Accepted: res.Status == core.PageSignedIn, Page: p}
}

// normalizer replaces a run's random values (ports, key IDs, session IDs,
// refresh tokens, browser tokens, nonces) with placeholders and every JWT
// with a summary of it, so that two answers compare and the table stays
// the same from run to run.
type normalizer struct {
	e *env
	r *strings.Replacer
}

var jwtRE = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

func newNormalizer(e *env, ins []*pageInstance) *normalizer {
	var pairs []string
	for _, in := range ins {
		pairs = append(pairs,
			in.fake.URL, "<fake-"+in.name+">",
			in.kid, "<kid-"+in.name+">",
			in.active.sid, "<sid>", in.ended.sid, "<sid-ended>",
			in.active.refresh, "<refresh>", in.ended.refresh, "<refresh-ended>",
			in.user, "<user>",
			in.fake.CookieSuffix(), "<fake-suffix-"+in.name+">")
		if in.dev {
			pairs = append(pairs, in.active.devBrowser, "<dvb>", in.ended.devBrowser, "<dvb-ended>", in.signedOutDevBrowse, "<dvb-signed-out>")
		} else {
			pairs = append(pairs, in.active.client, "<client>", in.ended.client, "<client-ended>")
		}
	}
	return &normalizer{e: e, r: strings.NewReplacer(pairs...)}
}

// text normalizes s, with the case's nonces as <nonce>.
func (n *normalizer) text(tc testCase, s string) string {
	s = jwtRE.ReplaceAllStringFunc(s, n.jwt)
	if tc.Nonce != "" {
		s = strings.ReplaceAll(s, tc.Nonce, "<nonce>")
	}
	if tc.goNonce != "" {
		s = strings.ReplaceAll(s, tc.goNonce, "<nonce>")
	}
	return n.r.Replace(s)
}

// jwt summarizes a token: its subject, session and lifetime, or the
// number of directives of a handshake JWT.
func (n *normalizer) jwt(tok string) string {
	var c struct {
		Sub, Sid  string
		Exp       *json.Number
		Handshake []string
	}
	if json.Unmarshal(payloadOf(tok), &c) != nil {
		return "jwt(?)"
	}
	if c.Handshake != nil {
		return fmt.Sprintf("jwt(handshake:%d)", len(c.Handshake))
	}
	exp := "none"
	if c.Exp != nil {
		if v, err := c.Exp.Int64(); err == nil {
			exp = fmt.Sprintf("now%+d", v-n.e.now.Unix())
		}
	}
	return n.r.Replace(fmt.Sprintf("jwt(sub=%s,sid=%s,exp=%s)", c.Sub, c.Sid, exp))
}

// location normalizes a Location: the URL without its query, then the
// query's parameters sorted (a set), redirect_url normalized as a URL.
func (n *normalizer) location(tc testCase, loc string) string {
	if loc == "" {
		return ""
	}
	u, err := url.Parse(loc)
	if err != nil {
		return "unparsable " + n.text(tc, loc)
	}
	q := u.Query()
	var params []string
	for k, vs := range q {
		for _, v := range vs {
			if k == "redirect_url" {
				v = normalURL(v)
			}
			params = append(params, k+"="+v)
		}
	}
	slices.Sort(params)
	u.RawQuery, u.ForceQuery = "", false
	return n.text(tc, normalURL(u.String())+" {"+strings.Join(params, " ")+"}")
}

// normalURL is a URL with its query re-encoded in sorted order, its path
// in its escaped form: two spellings of one URL compare equal.
func normalURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "unparsable " + s
	}
	u.RawQuery = u.Query().Encode()
	u.RawPath = u.EscapedPath()
	u.ForceQuery = false
	return u.String()
}

// pageFields renders what is compared of a page answer, one field per
// entry in a fixed order.
type pageField struct{ name, value string }

func (n *normalizer) pageFields(tc testCase, o outcome) []pageField {
	p := o.Page
	if p == nil {
		return []pageField{{"status", "threw: " + n.text(tc, o.Reason+" "+o.Message)}}
	}
	cookies := make([]string, len(p.SetCookies))
	for i, c := range p.SetCookies {
		cookies[i] = n.text(tc, c)
	}
	slices.Sort(cookies)
	return []pageField{
		{"status", p.Status},
		{"reason", p.Reason},
		{"message", n.text(tc, p.Message)},
		{"location", n.location(tc, p.Location)},
		{"cache-control", p.CacheControl},
		{"set-cookie", "[" + strings.Join(cookies, " , ") + "]"},
		{"x-clerk-auth-status", p.AuthStatus},
		{"x-clerk-auth-reason", p.AuthReason},
		{"x-clerk-auth-message", n.text(tc, p.AuthMessage)},
		{"sub", n.text(tc, p.Sub)},
		{"sid", n.text(tc, p.Sid)},
	}
}

// kindPage is a page case on which the answers differ.
const kindPage = "page"

// maxCell bounds a field's text in the table.
const maxCell = 160

// comparePage judges one page case: nil when the answers agree. Clerk's
// TokenVerificationErrorReason spellings (token-*) of a signed-out answer
// are matched through the reason table (docs/browser.md: clerkgo names
// those refusals its own way); every other reason must be spelled alike.
func (n *normalizer) comparePage(tc testCase, clerk, ours outcome) (*disagreement, error) {
	if bothRefused(clerk, ours) {
		return nil, nil
	}
	cf, of := n.pageFields(tc, clerk), n.pageFields(tc, ours)
	var cd, od []string
	if len(cf) != len(of) {
		cd, od = fieldText(cf), fieldText(of)
	} else {
		for i := range cf {
			if cf[i].value == of[i].value {
				continue
			}
			if (cf[i].name == "message" || cf[i].name == "x-clerk-auth-message") && of[i].value == "" && verificationMessageRE.MatchString(cf[i].value) {
				continue // documented: clerkgo writes no verification message
			}
			if cf[i].name == "location" && cf[i].value != "" && of[i].value != "" {
				c, o := locationDiff(cf[i].value, of[i].value)
				cd, od = append(cd, "location: "+c), append(od, "location: "+o)
				continue
			}
			if cf[i].name == "reason" || cf[i].name == "x-clerk-auth-reason" {
				same, err := sameReason(tc, cf[i].value, clerk.Page.Message, of[i].value)
				if err != nil {
					return nil, err
				}
				if same {
					continue
				}
			}
			cd, od = append(cd, field(cf[i])), append(od, field(of[i]))
		}
	}
	if clerk.Page != nil && ours.Page != nil {
		// The query is compared as a set, but Clerk puts organization_id
		// last (docs/browser.md, Organization sync): that order is compared.
		if c, o := lastParam(clerk.Page.Location), lastParam(ours.Page.Location); c == "organization_id" && o != c {
			cd, od = append(cd, "last-parameter="+c), append(od, "last-parameter="+o)
		}
	}
	if len(cd) == 0 {
		return nil, nil
	}
	return &disagreement{ID: tc.ID, Family: tc.Family, Name: tc.Name, Kind: kindPage,
		Clerk: strings.Join(cd, "; "), Clerkgo: strings.Join(od, "; ")}, nil
}

// lastParam is the name of the last query parameter of a URL as spelled,
// "" for none.
func lastParam(u string) string {
	u, _, _ = strings.Cut(u, "#")
	_, q, ok := strings.Cut(u, "?")
	if !ok {
		return ""
	}
	q = q[strings.LastIndex(q, "&")+1:]
	name, _, _ := strings.Cut(q, "=")
	if n, err := url.QueryUnescape(name); err == nil {
		return n
	}
	return name
}

// bothRefused reports whether both sides refused the case's configuration
// with the same message: Clerk threw one of its asserts from
// authenticateRequest, and clerkgo's New or NewAuthenticator returned a
// *core.ConfigError that quotes it.
func bothRefused(clerk, ours outcome) bool {
	if clerk.Page != nil || ours.Page != nil || clerk.Reason != "exception" || !strings.HasPrefix(ours.Reason, "config-error: ") {
		return false
	}
	msg := strings.TrimPrefix(clerk.Message, "Error: ")
	return msg != "" && strings.Contains(ours.Reason, msg)
}

// verificationMessageRE matches the message of Clerk's
// TokenVerificationError (getFullMessage). docs/browser.md: clerkgo's
// x-clerk-auth-message is empty where Clerk writes one; that difference is
// not a row of the table.
var verificationMessageRE = regexp.MustCompile(`\(reason=token-[a-z-]+, token-carrier=(cookie|header)\)$`)

// locationDiff renders two different normalized Locations: the URL when it
// differs, and the query parameters that only one side has.
func locationDiff(clerk, ours string) (string, string) {
	split := func(s string) (string, []string) {
		base, params, _ := strings.Cut(s, " {")
		return base, strings.Fields(strings.TrimSuffix(params, "}"))
	}
	cb, cp := split(clerk)
	ob, op := split(ours)
	var c, o []string
	if cb != ob {
		c, o = append(c, cb), append(o, ob)
	}
	for _, p := range cp {
		if !slices.Contains(op, p) {
			c = append(c, p)
		}
	}
	for _, p := range op {
		if !slices.Contains(cp, p) {
			o = append(o, p)
		}
	}
	return "{" + strings.Join(c, " ") + "}", "{" + strings.Join(o, " ") + "}"
}

func sameReason(tc testCase, clerk, message, ours string) (bool, error) {
	if !strings.HasPrefix(clerk, "token-") || clerk == "token-type-mismatch" {
		return false, nil
	}
	rule, ok := lookupReason(clerk, message)
	if !ok {
		return false, &errUnmappedReason{tc.ID, clerk, message}
	}
	return rule.sameReason(ours), nil
}

func field(f pageField) string {
	v := f.value
	if len(v) > maxCell {
		v = v[:maxCell] + "..."
	}
	return f.name + "=" + v
}

func fieldText(fs []pageField) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = field(f)
	}
	return out
}
