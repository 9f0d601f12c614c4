package clerktest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	"github.com/clerkgo/clerk/core/clerktest"
)

// The fake plays Clerk's Frontend API: a browser signs in on its page, and
// the handshake sends it back to the app with a nonce that the app
// exchanges, with the secret key, for the cookies to set.
func Example_frontendAPI() {
	now := time.Date(2026, 5, 12, 12, 0, 0, 0, time.UTC)
	fake := clerktest.New(clerktest.WithClock(func() time.Time { return now }),
		clerktest.WithProductionInstance(), clerktest.WithSessionTokenLifetime(30*time.Second))
	defer fake.Close()
	app := "http://127.0.0.1:3000/dashboard" // the app under test

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse // look at each redirect
	}}

	// The sign-in page (GET /sign-in?redirect_url=...) posts the chosen user.
	resp, err := browser.PostForm(fake.URL+"/sign-in", url.Values{"user_id": {fake.DefaultUserID()}, "redirect_url": {app}})
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println("sign-in:", resp.StatusCode, resp.Header.Get("Location"))

	// The app saw __client_uat without __session: the handshake.
	q := url.Values{"redirect_url": {app}, "suffixed_cookies": {"false"}, "format": {"nonce"},
		"__clerk_hs_reason": {"client-uat-but-no-session-token"}, "__clerk_api_version": {"2026-05-12"}}
	resp, err = browser.Get(fake.URL + "/v1/client/handshake?" + q.Encode())
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	back, _ := url.Parse(resp.Header.Get("Location"))
	fmt.Println("handshake:", resp.StatusCode, back.Host+back.Path)

	// The app resolves the nonce through the Backend API.
	req, _ := http.NewRequest("GET", fake.URL+"/v1/clients/handshake_payload?nonce="+
		url.QueryEscape(back.Query().Get("__clerk_handshake_nonce")), nil)
	req.Header.Set("Authorization", "Bearer "+fake.SecretKey())
	resp, err = fake.Client().Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var payload clerktest.HandshakePayload
	_ = json.NewDecoder(resp.Body).Decode(&payload)
	for _, d := range payload.Directives {
		c, _ := http.ParseSetCookie(d)
		fmt.Println("set:", strings.Replace(c.Name, fake.CookieSuffix(), "<suffix>", 1))
	}
	// Output:
	// sign-in: 303 http://127.0.0.1:3000/dashboard
	// handshake: 307 127.0.0.1:3000/dashboard
	// set: __session
	// set: __client_uat
	// set: __refresh_<suffix>
}
