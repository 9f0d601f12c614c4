package clerktest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var frontT0 = time.Date(2026, 5, 12, 12, 0, 0, 0, time.UTC)

// frontClock is a settable clock for the Frontend API tests.
type frontClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *frontClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *frontClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newFrontServer(t *testing.T, opts ...Option) (*Server, *frontClock) {
	t.Helper()
	clk := &frontClock{now: frontT0}
	s := newTestServer(t, append([]Option{WithClock(clk.Now), WithSessionTokenLifetime(30 * time.Second)}, opts...)...)
	return s, clk
}

// newBrowser is a client with a cookie jar that does not follow redirects.
func newBrowser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

func browse(t *testing.T, b *http.Client, method, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(data)
}

// signIn signs browser b in as userID on the fake's page and returns the
// redirect's Location.
func signIn(t *testing.T, s *Server, b *http.Client, userID, redirect string) string {
	t.Helper()
	resp, body := browse(t, b, "POST", s.URL+"/sign-in", url.Values{"user_id": {userID}, "redirect_url": {redirect}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d %s", resp.StatusCode, body)
	}
	return resp.Header.Get("Location")
}

type handshakeQuery struct {
	redirect   string
	suffixed   bool
	nonce      bool
	devBrowser string
}

func (q handshakeQuery) String() string {
	v := url.Values{
		"redirect_url":        {q.redirect},
		"__clerk_api_version": {"2026-05-12"},
		"suffixed_cookies":    {strconv.FormatBool(q.suffixed)},
		"__clerk_hs_reason":   {"client-uat-but-no-session-token"},
	}
	if q.nonce {
		v.Set("format", "nonce")
	}
	if q.devBrowser != "" {
		v.Set("__clerk_db_jwt", q.devBrowser)
	}
	return "/v1/client/handshake?" + v.Encode()
}

// handshake runs a handshake for browser b and returns the directives
// (resolving the nonce, or reading the JWT).
func handshake(t *testing.T, s *Server, b *http.Client, q handshakeQuery) []string {
	t.Helper()
	resp, body := browse(t, b, "GET", s.URL+q.String(), nil)
	if resp.StatusCode != http.StatusTemporaryRedirect {
		t.Fatalf("handshake: %d %s", resp.StatusCode, body)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	back := *loc
	bq := back.Query()
	bq.Del("__clerk_handshake_nonce")
	bq.Del("__clerk_handshake")
	back.RawQuery = bq.Encode()
	want, _ := url.Parse(q.redirect)
	wq := want.Query()
	want.RawQuery = wq.Encode()
	if back.String() != want.String() {
		t.Errorf("redirected to %s, want %s plus the handshake", loc, q.redirect)
	}
	if q.nonce {
		nonce := loc.Query().Get("__clerk_handshake_nonce")
		if nonce == "" || loc.Query().Has("__clerk_handshake") {
			t.Fatalf("Location %s: want only a nonce", loc)
		}
		return payload(t, s, nonce)
	}
	tok := loc.Query().Get("__clerk_handshake")
	if tok == "" || loc.Query().Has("__clerk_handshake_nonce") {
		t.Fatalf("Location %s: want a __clerk_handshake JWT", loc)
	}
	pt := mustVerify(t, fetchJWKS(t, s, "/.well-known/jwks.json"), tok)
	if pt.header["cat"] != SessionTokenCategory || pt.header["typ"] != "JWT" || pt.header["alg"] != "RS256" {
		t.Errorf("handshake JWT header %v", pt.header)
	}
	raw, _ := pt.payload["handshake"].([]any)
	var out []string
	for _, d := range raw {
		out = append(out, d.(string))
	}
	return out
}

func payload(t *testing.T, s *Server, nonce string) []string {
	t.Helper()
	resp, body := do(t, s, "GET", "/v1/clients/handshake_payload?nonce="+url.QueryEscape(nonce), true, "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("handshake_payload: %d %s", resp.StatusCode, body)
	}
	var p HandshakePayload
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	return p.Directives
}

// parseDirectives parses Set-Cookie directives by name.
func parseDirectives(t *testing.T, directives []string) (names []string, byName map[string]*http.Cookie) {
	t.Helper()
	byName = map[string]*http.Cookie{}
	for _, d := range directives {
		c, err := http.ParseSetCookie(d)
		if err != nil {
			t.Fatalf("directive %q: %v", d, err)
		}
		names = append(names, c.Name)
		byName[c.Name] = c
	}
	return names, byName
}

func TestHandshakeDirectives(t *testing.T) {
	const app = "http://127.0.0.1:3000/dashboard?tab=1"
	for _, tc := range []struct {
		name       string
		production bool
		signedIn   bool
		suffixed   bool
		nonce      bool
		redirect   string
		want       []string // directive names; "S" stands for the suffix
	}{
		{"signed in, plain", true, true, false, true, app,
			[]string{"__session", "__client_uat", "__refresh_S"}},
		{"signed in, suffixed", true, true, true, true, app,
			[]string{"__session", "__session_S", "__client_uat", "__client_uat_S", "__refresh_S"}},
		{"signed in, JWT", true, true, true, false, app,
			[]string{"__session", "__session_S", "__client_uat", "__client_uat_S", "__refresh_S"}},
		{"signed in, https", true, true, false, true, "https://app.example.com/dashboard",
			[]string{"__session", "__client_uat", "__refresh_S"}},
		{"signed out, plain", true, false, false, true, app,
			[]string{"__session", "__client_uat", "__refresh_S"}},
		{"signed out, suffixed, JWT", true, false, true, false, app,
			[]string{"__session", "__session_S", "__client_uat", "__client_uat_S", "__refresh_S"}},
		{"development, no dev browser, signed in", false, true, false, true, app,
			[]string{"__clerk_db_jwt", "__session", "__client_uat", "__refresh_S"}},
		{"development, no dev browser, signed out, suffixed", false, false, true, true, app,
			[]string{"__clerk_db_jwt", "__clerk_db_jwt_S", "__session", "__session_S", "__client_uat", "__client_uat_S", "__refresh_S"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []Option
			if tc.production {
				opts = append(opts, WithProductionInstance())
			}
			s, clk := newFrontServer(t, opts...)
			b := newBrowser(t)
			signInAt := clk.Now()
			if tc.signedIn {
				signIn(t, s, b, s.DefaultUserID(), "http://127.0.0.1:3000/")
			}
			clk.Advance(5 * time.Second)
			directives := handshake(t, s, b, handshakeQuery{redirect: tc.redirect, suffixed: tc.suffixed, nonce: tc.nonce})
			names, byName := parseDirectives(t, directives)
			sfx := CookieSuffix(s.PublishableKey())
			var want []string
			for _, n := range tc.want {
				want = append(want, strings.Replace(n, "_S", "_"+sfx, 1))
			}
			if !slices.Equal(names, want) {
				t.Fatalf("directives %v, want %v", names, want)
			}
			https := strings.HasPrefix(tc.redirect, "https:")
			for _, c := range byName {
				if c.Path != "/" || c.SameSite != http.SameSiteLaxMode || c.Secure != https || c.Domain != "" {
					t.Errorf("%s: attributes %+v", c.Name, c)
				}
				if c.HttpOnly != strings.HasPrefix(c.Name, "__refresh") {
					t.Errorf("%s: HttpOnly = %v", c.Name, c.HttpOnly)
				}
			}
			sess, uat, refresh := byName["__session"], byName["__client_uat"], byName["__refresh_"+sfx]
			if !tc.signedIn {
				if sess.Value != "" || sess.MaxAge >= 0 || uat.Value != "0" || refresh.MaxAge >= 0 {
					t.Errorf("signed out: __session %q (Max-Age %d), __client_uat %q, __refresh Max-Age %d",
						sess.Value, sess.MaxAge, uat.Value, refresh.MaxAge)
				}
				return
			}
			if uat.Value != strconv.FormatInt(signInAt.Unix(), 10) {
				t.Errorf("__client_uat = %q, want the sign-in time %d", uat.Value, signInAt.Unix())
			}
			if refresh.Value == "" {
				t.Error("no refresh token")
			}
			if tc.suffixed && byName["__session_"+sfx].Value != sess.Value {
				t.Error("suffixed __session differs from the plain one")
			}
			pt := mustVerify(t, fetchJWKS(t, s, "/.well-known/jwks.json"), sess.Value)
			iat, exp := num(t, pt.payload["iat"]), num(t, pt.payload["exp"])
			if iat != clk.Now().Unix() || exp-iat != 30 {
				t.Errorf("iat %d exp %d: want now and a 30 s lifetime", iat, exp)
			}
			origin := originOf(mustParse(t, tc.redirect))
			if pt.payload["sub"] != s.DefaultUserID() || pt.payload["azp"] != origin {
				t.Errorf("sub %v azp %v", pt.payload["sub"], pt.payload["azp"])
			}
			sessions := s.BrowserSessions()
			if len(sessions) != 1 || pt.payload["sid"] != sessions[0].ID {
				t.Errorf("sid %v, sessions %v", pt.payload["sid"], sessions)
			}
		})
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestHandshakeRecordsQuery(t *testing.T) {
	s, _ := newFrontServer(t)
	b := newBrowser(t)
	if s.LastHandshakeQuery() != nil {
		t.Fatal("a query before any handshake")
	}
	handshake(t, s, b, handshakeQuery{redirect: "http://127.0.0.1:1/", nonce: true})
	q := s.LastHandshakeQuery()
	if q.Get("__clerk_hs_reason") != "client-uat-but-no-session-token" || q.Get("format") != "nonce" {
		t.Errorf("LastHandshakeQuery = %v", q)
	}
	if s.Requests(EndpointHandshake) != 1 {
		t.Errorf("Requests(EndpointHandshake) = %d", s.Requests(EndpointHandshake))
	}
}

func TestHandshakeRefusesBadRedirectURL(t *testing.T) {
	s, _ := newFrontServer(t)
	b := newBrowser(t)
	for _, tc := range []struct{ name, redirect, code string }{
		{"missing", "", "form_param_missing"},
		{"relative", "/dashboard", "form_param_value_invalid"},
		{"scheme-relative", "//evil.example/", "form_param_value_invalid"},
		{"javascript", "javascript:alert(1)", "form_param_value_invalid"},
		{"ftp", "ftp://example.com/", "form_param_value_invalid"},
		{"no host", "http:///path", "form_param_value_invalid"},
		{"userinfo", "http://user:pw@example.com/", "form_param_value_invalid"},
		{"backslash", `http://example.com\@evil.example/`, "form_param_value_invalid"},
		{"newline", "http://example.com/\r\nSet-Cookie: x=1", "form_param_value_invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := browse(t, b, "GET", s.URL+handshakeQuery{redirect: tc.redirect, nonce: true}.String(), nil)
			if resp.StatusCode != http.StatusUnprocessableEntity || resp.Header.Get("Location") != "" {
				t.Fatalf("%d Location %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			if e := decodeErrors(t, []byte(body)); e.Errors[0].Code != tc.code {
				t.Errorf("code %q, want %q", e.Errors[0].Code, tc.code)
			}
		})
	}
}

func TestHandshakePayloadRefusals(t *testing.T) {
	s, _ := newFrontServer(t, WithProductionInstance())
	b := newBrowser(t)
	resp, _ := browse(t, b, "GET", s.URL+handshakeQuery{redirect: "http://127.0.0.1:1/", nonce: true}.String(), nil)
	nonce := mustParse(t, resp.Header.Get("Location")).Query().Get("__clerk_handshake_nonce")

	get := func(nonce, key string) (*http.Response, []byte) {
		req, err := newRequest(s, "GET", "/v1/clients/handshake_payload?nonce="+url.QueryEscape(nonce), "")
		if err != nil {
			t.Fatal(err)
		}
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		return send(t, s, req)
	}
	for _, tc := range []struct {
		name, nonce, key string
		status           int
		code             string
	}{
		{"no secret key", nonce, "", 401, "authorization_header_format_invalid"},
		{"wrong secret key", nonce, "sk_test_wrong", 401, "clerk_key_invalid"},
		{"missing nonce", "", s.SecretKey(), 422, "form_param_missing"},
		{"unknown nonce", "nope", s.SecretKey(), 404, "resource_not_found"},
		{"the nonce", nonce, s.SecretKey(), 200, ""},
		{"used nonce", nonce, s.SecretKey(), 404, "resource_not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(tc.nonce, tc.key)
			if resp.StatusCode != tc.status {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			if tc.code != "" {
				if e := decodeErrors(t, body); e.Errors[0].Code != tc.code {
					t.Errorf("code %q, want %q", e.Errors[0].Code, tc.code)
				}
				if tc.nonce != "" && strings.Contains(string(body), tc.nonce) {
					t.Error("the error echoes the nonce")
				}
			}
		})
	}
}

// browserCookies returns the cookies the jar sends to u.
func browserCookies(t *testing.T, b *http.Client, u string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, c := range b.Jar.Cookies(mustParse(t, u)) {
		out[c.Name] = c.Value
	}
	return out
}

func TestRefreshSession(t *testing.T) {
	s, clk := newFrontServer(t, WithProductionInstance())
	other := newTestServer(t, WithKey(testKeyB()))
	sfx := s.CookieSuffix()
	b := newBrowser(t)
	signIn(t, s, b, s.DefaultUserID(), "http://127.0.0.1:1/")
	_, byName := parseDirectives(t, handshake(t, s, b, handshakeQuery{redirect: "http://127.0.0.1:1/", nonce: true}))
	expired, refresh := byName["__session"].Value, byName["__refresh_"+sfx].Value
	sid := s.BrowserSessions()[0].ID
	clk.Advance(time.Minute)

	body := func(expired, refresh, format string) string {
		m := map[string]any{"expired_token": expired, "refresh_token": refresh,
			"request_origin": "https://app.example.com", "request_headers": map[string][]string{"Accept": {"text/html"}}}
		if format != "" {
			m["format"] = format
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	for _, tc := range []struct {
		name, path, body string
		status           int
		code             string
		want             []string // cookie names; "S" stands for the suffix
	}{
		{"cookie, suffixed", "/v1/sessions/" + sid + "/refresh?suffixed_cookies=true", body(expired, refresh, "cookie"), 200, "",
			[]string{"__session", "__session_S"}},
		{"cookie, plain", "/v1/sessions/" + sid + "/refresh", body(expired, refresh, "cookie"), 200, "",
			[]string{"__session"}},
		{"token", "/v1/sessions/" + sid + "/refresh", body(expired, refresh, ""), 200, "", nil},
		{"wrong refresh token", "/v1/sessions/" + sid + "/refresh", body(expired, "x", "cookie"), 401, RefreshErrRefreshTokenInvalid, nil},
		{"token of another instance", "/v1/sessions/" + sid + "/refresh",
			body(other.Token(WithSessionID(sid), WithSubject(s.DefaultUserID())), refresh, "cookie"), 401, RefreshErrTokenInvalid, nil},
		{"token of another session", "/v1/sessions/" + sid + "/refresh",
			body(s.Token(WithSubject(s.DefaultUserID())), refresh, "cookie"), 401, RefreshErrTokenInvalid, nil},
		{"garbage token", "/v1/sessions/" + sid + "/refresh", body("a.b.c", refresh, "cookie"), 401, RefreshErrTokenInvalid, nil},
		{"unknown session", "/v1/sessions/sess_nope/refresh", body(expired, refresh, "cookie"), 404, "resource_not_found", nil},
		{"missing refresh token", "/v1/sessions/" + sid + "/refresh", `{"expired_token":"x","request_origin":"https://a"}`, 422, "form_param_missing", nil},
		{"bad format", "/v1/sessions/" + sid + "/refresh", body(expired, refresh, "xml"), 422, "form_param_value_invalid", nil},
		{"not JSON", "/v1/sessions/" + sid + "/refresh", `nope`, 400, "request_body_invalid", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := do(t, s, "POST", tc.path, true, tc.body)
			if resp.StatusCode != tc.status {
				t.Fatalf("%d %s", resp.StatusCode, out)
			}
			if tc.code != "" {
				if e := decodeErrors(t, out); e.Errors[0].Code != tc.code {
					t.Errorf("code %q, want %q", e.Errors[0].Code, tc.code)
				}
				if strings.Contains(string(out), refresh) || strings.Contains(string(out), expired) {
					t.Error("the error echoes a credential")
				}
				return
			}
			var token string
			if tc.want == nil {
				var tok struct{ Object, JWT string }
				if err := json.Unmarshal(out, &tok); err != nil || tok.Object != "token" {
					t.Fatalf("%s: %v", out, err)
				}
				token = tok.JWT
			} else {
				var c Cookies
				if err := json.Unmarshal(out, &c); err != nil || c.Object != "cookies" {
					t.Fatalf("%s: %v", out, err)
				}
				names, byName := parseDirectives(t, c.Cookies)
				var want []string
				for _, n := range tc.want {
					want = append(want, strings.Replace(n, "_S", "_"+sfx, 1))
				}
				if !slices.Equal(names, want) {
					t.Fatalf("cookies %v, want %v", names, want)
				}
				if !byName["__session"].Secure {
					t.Error("https origin, but __session is not Secure")
				}
				token = byName["__session"].Value
			}
			pt := mustVerify(t, fetchJWKS(t, s, "/.well-known/jwks.json"), token)
			if num(t, pt.payload["iat"]) != clk.Now().Unix() || pt.payload["sid"] != sid ||
				pt.payload["azp"] != "https://app.example.com" {
				t.Errorf("refreshed token %v", pt.payload)
			}
		})
	}

	t.Run("wrong secret key", func(t *testing.T) {
		req, _ := newRequest(s, "POST", "/v1/sessions/"+sid+"/refresh", body(expired, refresh, "cookie"))
		req.Header.Set("Authorization", "Bearer sk_test_wrong")
		resp, out := send(t, s, req)
		if resp.StatusCode != 401 || decodeErrors(t, out).Errors[0].Code != "clerk_key_invalid" {
			t.Fatalf("%d %s", resp.StatusCode, out)
		}
	})
	t.Run("ended session", func(t *testing.T) {
		if !s.EndSession(sid) || s.EndSession(sid) {
			t.Fatal("EndSession: want true once, then false")
		}
		resp, out := do(t, s, "POST", "/v1/sessions/"+sid+"/refresh", true, body(expired, refresh, "cookie"))
		if resp.StatusCode != 401 || decodeErrors(t, out).Errors[0].Code != RefreshErrSessionEnded {
			t.Fatalf("%d %s", resp.StatusCode, out)
		}
		// The browser's next handshake signs it out.
		_, byName := parseDirectives(t, handshake(t, s, b, handshakeQuery{redirect: "http://127.0.0.1:1/", nonce: true}))
		if byName["__client_uat"].Value != "0" {
			t.Errorf("after EndSession: __client_uat %q", byName["__client_uat"].Value)
		}
	})
}

func TestSignInPage(t *testing.T) {
	s, _ := newFrontServer(t)
	evil := s.CreateUser(UserParams{FirstName: "<script>alert(1)</script>", Email: "evil@example.com"})
	b := newBrowser(t)

	resp, body := browse(t, b, "GET", s.URL+"/sign-in?redirect_url="+url.QueryEscape("http://127.0.0.1:1/x?a=1"), nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(body, s.DefaultUserID()) || !strings.Contains(body, evil.ID) ||
		!strings.Contains(body, "Test User") || strings.Contains(body, "<script>") {
		t.Errorf("page:\n%s", body)
	}

	for _, tc := range []struct {
		name   string
		method string
		path   string
		form   url.Values
		status int
	}{
		{"page, bad redirect_url", "GET", "/sign-in?redirect_url=javascript:alert(1)", nil, 400},
		{"unknown user", "POST", "/sign-in", url.Values{"user_id": {"user_nope"}}, 400},
		{"bad redirect_url", "POST", "/sign-in", url.Values{"user_id": {evil.ID}, "redirect_url": {"//evil.example"}}, 400},
		{"sign out, bad redirect_url", "POST", "/sign-out", url.Values{"redirect_url": {"ftp://x"}}, 400},
		{"no redirect_url", "POST", "/sign-in", url.Values{"user_id": {evil.ID}}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := browse(t, newBrowser(t), tc.method, s.URL+tc.path, tc.form)
			if resp.StatusCode != tc.status || resp.Header.Get("Location") != "" {
				t.Fatalf("%d Location %q: %s", resp.StatusCode, resp.Header.Get("Location"), body)
			}
		})
	}
}

func TestSignInAndOut(t *testing.T) {
	for _, production := range []bool{false, true} {
		t.Run("production="+strconv.FormatBool(production), func(t *testing.T) {
			var opts []Option
			if production {
				opts = append(opts, WithProductionInstance())
			}
			s, clk := newFrontServer(t, opts...)
			sfx := s.CookieSuffix()
			b := newBrowser(t)
			app := "http://127.0.0.1:1/dashboard?x=1"
			loc := mustParse(t, signIn(t, s, b, s.DefaultUserID(), app))
			db := loc.Query().Get("__clerk_db_jwt")
			if production == (db != "") {
				t.Errorf("Location %s: development-browser token %q", loc, db)
			}
			if loc.Query().Get("x") != "1" || loc.Host != "127.0.0.1:1" || loc.Path != "/dashboard" {
				t.Errorf("Location %s", loc)
			}
			// The app (another port of 127.0.0.1) sees __client_uat.
			cookies := browserCookies(t, b, "http://127.0.0.1:1/")
			want := strconv.FormatInt(clk.Now().Unix(), 10)
			if cookies["__client_uat"] != want || cookies["__client_uat_"+sfx] != want || cookies["__client"] == "" {
				t.Errorf("cookies after sign-in: %v", cookies)
			}
			if _, ok := cookies["__session"]; ok {
				t.Error("sign-in set __session on the app")
			}
			// Signing in again replaces the session.
			signIn(t, s, b, s.DefaultUserID(), app)
			var active int
			for _, sess := range s.BrowserSessions() {
				if sess.Status == SessionActive {
					active++
				}
			}
			if active != 1 || len(s.BrowserSessions()) != 2 {
				t.Errorf("sessions %v", s.BrowserSessions())
			}

			clk.Advance(time.Second)
			resp, body := browse(t, b, "POST", s.URL+"/sign-out", url.Values{"redirect_url": {app}})
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != app {
				t.Fatalf("sign-out: %d %q %s", resp.StatusCode, resp.Header.Get("Location"), body)
			}
			cookies = browserCookies(t, b, "http://127.0.0.1:1/")
			if cookies["__client_uat"] != "0" || cookies["__client_uat_"+sfx] != "0" {
				t.Errorf("cookies after sign-out: %v", cookies)
			}
			_, byName := parseDirectives(t, handshake(t, s, b, handshakeQuery{redirect: app, nonce: true, devBrowser: db}))
			if byName["__client_uat"].Value != "0" || byName["__session"].MaxAge >= 0 {
				t.Errorf("handshake after sign-out: %v", byName)
			}
		})
	}
}

func TestDevBrowser(t *testing.T) {
	s, _ := newFrontServer(t)
	resp, body := do(t, s, "POST", "/v1/dev_browser", false, "")
	var db struct{ ID string }
	if err := json.Unmarshal(body, &db); resp.StatusCode != 200 || err != nil || db.ID == "" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	// A browser known only by its development-browser token: signed out,
	// and its own token handed back (no new one).
	names, byName := parseDirectives(t, handshake(t, s, newBrowser(t), handshakeQuery{redirect: "http://127.0.0.1:1/", nonce: true, devBrowser: db.ID}))
	if !slices.Contains(names, "__clerk_db_jwt") || byName["__clerk_db_jwt"].Value != db.ID {
		t.Errorf("directives %v", names)
	}
	// Signing in with that token (the form carries it) signs that browser in,
	// whatever its cookies.
	b := newBrowser(t)
	resp, _ = browse(t, b, "POST", s.URL+"/sign-in", url.Values{"user_id": {s.DefaultUserID()},
		"redirect_url": {"http://127.0.0.1:1/"}, "__clerk_db_jwt": {db.ID}})
	if got := mustParse(t, resp.Header.Get("Location")).Query().Get("__clerk_db_jwt"); got != db.ID {
		t.Errorf("handed back %q, want %q", got, db.ID)
	}
	_, byName = parseDirectives(t, handshake(t, s, newBrowser(t), handshakeQuery{redirect: "http://127.0.0.1:1/", nonce: true, devBrowser: db.ID}))
	if byName["__session"].Value == "" {
		t.Errorf("dev browser not signed in: %v", byName)
	}
}

func TestHandshakeNoncesAreCapped(t *testing.T) {
	s, _ := newFrontServer(t, WithProductionInstance())
	s.fmu.Lock()
	s.front.init()
	for i := range maxNonces + 10 {
		s.addNonceLocked(strconv.Itoa(i), []string{"x"})
	}
	n, order := len(s.front.nonces), len(s.front.nonceOrder)
	s.fmu.Unlock()
	if n != maxNonces || order != maxNonces {
		t.Fatalf("%d nonces (%d in order), want %d", n, order, maxNonces)
	}
	if resp, _ := do(t, s, "GET", "/v1/clients/handshake_payload?nonce=0", true, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the oldest nonce: %d, want 404", resp.StatusCode)
	}
	if got := payload(t, s, strconv.Itoa(maxNonces+9)); len(got) != 1 {
		t.Errorf("the newest nonce: %v", got)
	}
}

// A deleted user's session ends: the refresh fails, the handshake signs out.
func TestDeletedUserEndsSession(t *testing.T) {
	s, clk := newFrontServer(t, WithProductionInstance())
	u := s.CreateUser(UserParams{FirstName: "Gone", Email: "gone@example.com"})
	b := newBrowser(t)
	signIn(t, s, b, u.ID, "http://127.0.0.1:1/")
	_, byName := parseDirectives(t, handshake(t, s, b, handshakeQuery{redirect: "http://127.0.0.1:1/", nonce: true}))
	expired, refresh := byName["__session"].Value, byName["__refresh_"+s.CookieSuffix()].Value
	sid := s.BrowserSessions()[0].ID
	if !s.DeleteUser(u.ID) {
		t.Fatal("DeleteUser")
	}
	clk.Advance(time.Minute)
	body, _ := json.Marshal(map[string]string{"expired_token": expired, "refresh_token": refresh,
		"request_origin": "http://127.0.0.1:1", "format": "cookie"})
	resp, out := do(t, s, "POST", "/v1/sessions/"+sid+"/refresh", true, string(body))
	if resp.StatusCode != 401 || decodeErrors(t, out).Errors[0].Code != RefreshErrSessionEnded {
		t.Fatalf("refresh: %d %s", resp.StatusCode, out)
	}
	_, byName = parseDirectives(t, handshake(t, s, b, handshakeQuery{redirect: "http://127.0.0.1:1/", nonce: true}))
	if byName["__client_uat"].Value != "0" {
		t.Errorf("handshake after the user's deletion: __client_uat %q", byName["__client_uat"].Value)
	}
	if got := s.BrowserSessions()[0].Status; got != SessionEnded {
		t.Errorf("status %q", got)
	}
}

// TestCookieSuffix: the vectors of @clerk/shared's getCookieSuffix tests
// (packages/shared/src/__tests__/keys.spec.ts).
func TestCookieSuffix(t *testing.T) {
	for pk, want := range map[string]string{
		"pk_live_ZmFrZS1jbGVyay10ZXN0LmNsZXJrLmFjY291bnRzLmRldiQ=":             "qReyu04C",
		"pk_test_Y2xlcmsuY2xlcmsuZGV2JA":                                       "QvfNY2dr",
		"pk_test_ZW5vdWdoLWFscGFjYS04Mi5jbGVyay5hY2NvdW50cy5sY2xjbGVyay5jb20k": "jtYvyt_H",
		"pk_test_eHh4eHh4LXhhYWFhYS1hYS5jbGVyay5hY2NvdW50cy5sY2xjbGVyay5jb20k": "tZJdb-5s",
	} {
		if got := CookieSuffix(pk); got != want {
			t.Errorf("CookieSuffix(%s) = %q, want %q", pk, got, want)
		}
	}
}
