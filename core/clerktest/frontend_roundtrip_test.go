package clerktest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tinyApp stands in for an app that renders pages for signed-in browsers,
// doing in a few lines what the core's browser flow does at length: it
// resolves handshake nonces through the Backend API, syncs the
// development-browser token, verifies __session, refreshes an expired one
// with __refresh_<suffix>, and otherwise hands the browser to the
// handshake when __client_uat says it is signed in.
type tinyApp struct {
	t   *testing.T
	s   *Server
	dev bool
}

func (a *tinyApp) bapi(method, path, body string) (int, []byte) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.s.URL+path, r)
	if err != nil {
		a.t.Error(err)
		return 0, nil
	}
	req.Header.Set("Authorization", "Bearer "+a.s.SecretKey())
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.s.Client().Do(req)
	if err != nil {
		a.t.Error(err)
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (a *tinyApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sfx := a.s.CookieSuffix()
	q := r.URL.Query()
	self := "http://" + r.Host + r.URL.Path
	clean := func() string {
		q.Del("__clerk_handshake_nonce")
		q.Del("__clerk_db_jwt")
		if len(q) == 0 {
			return self
		}
		return self + "?" + q.Encode()
	}
	if nonce := q.Get("__clerk_handshake_nonce"); nonce != "" {
		status, body := a.bapi("GET", "/v1/clients/handshake_payload?nonce="+url.QueryEscape(nonce), "")
		var p HandshakePayload
		if status != http.StatusOK || json.Unmarshal(body, &p) != nil {
			http.Error(w, "bad nonce", http.StatusUnauthorized)
			return
		}
		for _, d := range p.Directives {
			w.Header().Add("Set-Cookie", d)
		}
		http.Redirect(w, r, clean(), http.StatusTemporaryRedirect)
		return
	}
	if db := q.Get("__clerk_db_jwt"); db != "" && a.dev {
		http.SetCookie(w, &http.Cookie{Name: "__clerk_db_jwt", Value: db, Path: "/"})
		http.Redirect(w, r, clean(), http.StatusTemporaryRedirect)
		return
	}
	cookie := func(name string) string {
		if c, err := r.Cookie(name); err == nil {
			return c.Value
		}
		return ""
	}
	session, uat := cookie("__session"), cookie("__client_uat")
	reason := "client-uat-but-no-session-token"
	if session != "" {
		claims, err := a.s.parseInstanceToken(session)
		exp := tokenExp(session)
		switch {
		case err != nil:
			reason = "session-token-invalid"
		case a.s.Now().Unix() < exp:
			fmt.Fprintf(w, "hello %s", claims.Sub)
			return
		default:
			reason = "session-token-expired"
			if refresh := cookie("__refresh_" + sfx); refresh != "" {
				body, _ := json.Marshal(map[string]any{"format": "cookie", "expired_token": session,
					"refresh_token": refresh, "request_origin": "http://" + r.Host})
				status, out := a.bapi("POST", "/v1/sessions/"+claims.Sid+"/refresh", string(body))
				var c Cookies
				if status == http.StatusOK && json.Unmarshal(out, &c) == nil {
					for _, d := range c.Cookies {
						w.Header().Add("Set-Cookie", d)
					}
					fmt.Fprintf(w, "hello %s (refreshed)", claims.Sub)
					return
				}
				reason += "-refresh-" + decodeErrorsCode(out)
			}
		}
	}
	if session != "" || (uat != "" && uat != "0") {
		v := url.Values{"redirect_url": {clean()}, "__clerk_api_version": {"2026-05-12"},
			"suffixed_cookies": {"false"}, "__clerk_hs_reason": {reason}, "format": {"nonce"}}
		if session != "" {
			v.Set("__session", session)
		}
		if db := cookie("__clerk_db_jwt"); db != "" && a.dev {
			v.Set("__clerk_db_jwt", db)
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, a.s.URL+"/v1/client/handshake?"+v.Encode(), http.StatusTemporaryRedirect)
		return
	}
	http.Error(w, "signed out", http.StatusUnauthorized)
}

func decodeErrorsCode(body []byte) string {
	var e ErrorResponse
	if json.Unmarshal(body, &e) != nil || len(e.Errors) == 0 {
		return "unexpected"
	}
	return e.Errors[0].Code
}

func tokenExp(tok string) int64 {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return 0
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return 0
	}
	var p struct {
		Exp int64 `json:"exp"`
	}
	_ = json.Unmarshal(b, &p)
	return p.Exp
}

// TestBrowserRoundTrip walks a browser (a cookie jar that follows
// redirects) through sign-in on the fake's page, the handshake back to the
// app with a nonce, the nonce's resolution with the secret key, an expired
// token refreshed with __refresh_<suffix>, and an ended session signed out
// by the next handshake, for a development and a production instance.
func TestBrowserRoundTrip(t *testing.T) {
	for _, dev := range []bool{true, false} {
		t.Run("development="+strconv.FormatBool(dev), func(t *testing.T) {
			var opts []Option
			if !dev {
				opts = append(opts, WithProductionInstance())
			}
			s, clk := newFrontServer(t, opts...)
			app := httptest.NewServer(&tinyApp{t: t, s: s, dev: dev})
			t.Cleanup(app.Close)
			jar, err := cookiejar.New(nil)
			if err != nil {
				t.Fatal(err)
			}
			b := &http.Client{Jar: jar}
			dashboard := app.URL + "/dashboard?tab=2"
			get := func(wantStatus int, wantBody string) {
				t.Helper()
				resp, body := browse(t, b, "GET", dashboard, nil)
				if resp.StatusCode != wantStatus || !strings.Contains(body, wantBody) {
					t.Fatalf("GET /dashboard: %d %q, want %d %q", resp.StatusCode, body, wantStatus, wantBody)
				}
				if resp.Request.URL.String() != dashboard {
					t.Errorf("ended at %s, want the clean %s", resp.Request.URL, dashboard)
				}
			}
			user := s.DefaultUserID()

			get(http.StatusUnauthorized, "signed out")

			// Sign in: the fake sets __client_uat, the app hands the browser
			// to the handshake, which comes back with a nonce; the app
			// resolves it into __session.
			resp, body := browse(t, b, "POST", s.URL+"/sign-in", url.Values{"user_id": {user}, "redirect_url": {dashboard}})
			if resp.StatusCode != http.StatusOK || body != "hello "+user {
				t.Fatalf("after sign-in: %d %q", resp.StatusCode, body)
			}
			if resp.Request.URL.String() != dashboard {
				t.Errorf("ended at %s", resp.Request.URL)
			}
			if n := s.Requests(EndpointHandshake); n != 1 {
				t.Errorf("%d handshakes, want 1", n)
			}
			if r := s.LastHandshakeQuery().Get("__clerk_hs_reason"); r != "client-uat-but-no-session-token" {
				t.Errorf("handshake reason %q", r)
			}
			if got := s.LastHandshakeQuery().Get("__clerk_db_jwt") != ""; got != dev {
				t.Errorf("handshake carried a development-browser token: %v", got)
			}
			cookies := browserCookies(t, b, app.URL)
			if cookies["__session"] == "" || cookies["__refresh_"+s.CookieSuffix()] == "" {
				t.Fatalf("app cookies %v", cookies)
			}
			get(http.StatusOK, "hello "+user)

			// Past the token's lifetime on the fake's clock: refreshed, no
			// handshake.
			clk.Advance(31 * time.Second)
			get(http.StatusOK, "hello "+user+" (refreshed)")
			get(http.StatusOK, "hello "+user)
			if s.Requests(EndpointRefreshSession) != 1 || s.Requests(EndpointHandshake) != 1 {
				t.Errorf("refreshes %d, handshakes %d", s.Requests(EndpointRefreshSession), s.Requests(EndpointHandshake))
			}

			// The session ends: the refresh fails with a code, the handshake
			// signs the browser out.
			if !s.EndSession(s.BrowserSessions()[0].ID) {
				t.Fatal("EndSession")
			}
			clk.Advance(31 * time.Second)
			get(http.StatusUnauthorized, "signed out")
			if r := s.LastHandshakeQuery().Get("__clerk_hs_reason"); r != "session-token-expired-refresh-"+RefreshErrSessionEnded {
				t.Errorf("handshake reason %q", r)
			}
			cookies = browserCookies(t, b, app.URL)
			if cookies["__client_uat"] != "0" || cookies["__session"] != "" {
				t.Errorf("cookies after the session ended: %v", cookies)
			}
		})
	}
}
