package clerktest

import (
	"crypto/subtle"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Query parameters of the handshake (@clerk/backend constants.ts).
const (
	paramRedirectURL     = "redirect_url"
	paramSuffixedCookies = "suffixed_cookies"
	paramFormat          = "format"
	paramHandshake       = "__clerk_handshake"
	paramHandshakeNonce  = "__clerk_handshake_nonce"
)

// serveHandshake is the Frontend API's GET /v1/client/handshake. It reads
// the browser's client (the development-browser token in the query, else
// the __client cookie), builds the Set-Cookie directives of its state and
// sends the browser back to redirect_url with them: as a one-time nonce
// (format=nonce) that the app exchanges through the Backend API, or in a
// __clerk_handshake JWT signed by the instance key.
//
// The query's __session (the app's current token), __clerk_hs_reason,
// __clerk_api_version and organization_id are accepted and recorded (see
// [Server.LastHandshakeQuery]); organization_id sets the session's active
// organization (see [Server.AddOrgMembership]).
func (s *Server) serveHandshake(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, ok := validRedirectURL(q.Get(paramRedirectURL))
	s.fmu.Lock()
	s.front.init()
	s.front.lastQuery = q
	s.fmu.Unlock()
	if !ok {
		// Guess: Clerk's code; it validates redirect_url against the
		// instance's allowed origins too.
		if q.Get(paramRedirectURL) == "" {
			s.writeAPIError(w, paramError(http.StatusUnprocessableEntity, "form_param_missing", paramRedirectURL,
				"is missing", "redirect_url must be included."))
			return
		}
		s.writeAPIError(w, paramError(http.StatusUnprocessableEntity, "form_param_value_invalid", paramRedirectURL,
			"is invalid", "redirect_url must be an absolute http or https URL."))
		return
	}
	d := directiveSet{
		suffix:   s.CookieSuffix(),
		suffixed: q.Get(paramSuffixedCookies) == "true",
		secure:   redirect.Scheme == "https",
	}
	devBrowser := ""
	if !s.production {
		devBrowser = q.Get(CookieDevBrowser)
	}
	clientCookie := ""
	if c, err := r.Cookie(CookieClient); err == nil {
		clientCookie = c.Value
	}

	s.fmu.Lock()
	c := s.clientLocked(devBrowser, clientCookie)
	handOutDevBrowser := ""
	if !s.production {
		// A development instance's browser gets its development-browser
		// token as a directive on every handshake: a new one when it had
		// none (the app's "dev-browser-missing" handshake), else the one
		// it sent, so that the app's domain has it in the cookie forms it
		// reads (plain, and suffixed with suffixed_cookies=true) after a
		// "dev-browser-sync" handshake too. Guess: Clerk's Frontend API
		// does the same; the fake reuses the client of its __client
		// cookie when there is one (Clerk's development Frontend API
		// recognises browsers by the token alone).
		if c == nil {
			c = s.newClientLocked()
		}
		handOutDevBrowser = c.devBrowser
	}
	var sess BrowserSession
	var refresh string
	var uat = s.clock()
	active := s.activeSessionLocked(c)
	if active != nil {
		if org, ok := q["organization_id"]; ok && len(org) > 0 {
			active.Org = s.membershipLocked(active.UserID, org[0])
		}
		sess, refresh, uat = active.BrowserSession, active.refreshToken, c.updatedAt
	}
	s.fmu.Unlock()

	if active != nil {
		if _, ok := s.User(sess.UserID); !ok {
			// A deleted user's sessions end with it, as Clerk's do.
			s.EndSession(sess.ID)
			active = nil
		}
	}
	if handOutDevBrowser != "" {
		d.add(CookieDevBrowser, handOutDevBrowser, cookieMaxAge, false, true)
	}
	var directives []string
	if active != nil {
		directives = d.signedIn(s.sessionToken(sess, originOf(redirect)), uat, refresh)
	} else {
		directives = d.signedOut()
	}

	var location string
	if q.Get(paramFormat) == "nonce" {
		nonce := randomString(40)
		s.fmu.Lock()
		s.addNonceLocked(nonce, directives)
		s.fmu.Unlock()
		location = withQuery(redirect, paramHandshakeNonce, nonce)
	} else {
		location = withQuery(redirect, paramHandshake, s.handshakeToken(directives))
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", location)
	w.WriteHeader(http.StatusTemporaryRedirect)
}

// handshakeToken signs the directives as Clerk's __clerk_handshake JWT: the
// instance key, the session-token category (handshake.ts: "Handshake tokens
// are minted with the session-token category") and a "handshake" claim.
// Guess: Clerk may add other claims; the SDK reads only "handshake".
func (s *Server) handshakeToken(directives []string) string {
	s.mu.Lock()
	cur := *s.current
	s.mu.Unlock()
	h := map[string]any{"alg": "RS256", "cat": SessionTokenCategory, "kid": cur.kid, "typ": "JWT"}
	return signMaps(cur.key, h, map[string]any{"handshake": directives})
}

// HandshakePayload is the Backend API's answer for a handshake nonce
// (@clerk/backend's HandshakePayloadJSON).
type HandshakePayload struct {
	Directives []string `json:"directives"`
}

// serveHandshakePayload is the Backend API's GET
// /v1/clients/handshake_payload?nonce=: the directives of a nonce, once.
func (s *Server) serveHandshakePayload(w http.ResponseWriter, r *http.Request) {
	nonce := r.URL.Query().Get("nonce")
	if nonce == "" {
		s.writeAPIError(w, paramError(http.StatusUnprocessableEntity, "form_param_missing", "nonce",
			"is missing", "nonce must be included."))
		return
	}
	s.fmu.Lock()
	s.front.init()
	directives, ok := s.front.nonces[nonce]
	delete(s.front.nonces, nonce)
	s.fmu.Unlock()
	if !ok {
		// The nonce is not echoed: it is a credential.
		s.writeAPIError(w, &apiError{status: http.StatusNotFound, code: "resource_not_found", msg: "not found",
			long: "No handshake payload was found for this nonce."})
		return
	}
	s.writeJSON(w, http.StatusOK, HandshakePayload{Directives: directives})
}

// serveDevBrowser is the Frontend API's POST /v1/dev_browser, which
// clerk-js calls on a development instance to get a development-browser
// token (it reads "id"). Guess: the rest of Clerk's answer.
func (s *Server) serveDevBrowser(w http.ResponseWriter, _ *http.Request) {
	s.fmu.Lock()
	c := s.newClientLocked()
	s.fmu.Unlock()
	s.writeJSON(w, http.StatusOK, map[string]any{"object": "dev_browser", "id": c.devBrowser})
}

type refreshParams struct {
	ExpiredToken         *string             `json:"expired_token"`
	RefreshToken         *string             `json:"refresh_token"`
	RequestOrigin        *string             `json:"request_origin"`
	RequestOriginatingIP *string             `json:"request_originating_ip"`
	RequestHeaders       map[string][]string `json:"request_headers"`
	Format               *string             `json:"format"`
}

// Cookies is the Backend API's answer to a session refresh with format
// "cookie" (the Cookies schema).
type Cookies struct {
	Object  string   `json:"object"`
	Cookies []string `json:"cookies"`
}

// Refresh error codes of the fake. Guess: Clerk's codes are not in the
// SDK sources or the spec; the spec says only that "a 401 is returned when
// there are validation errors, which signals the SDKs to fall back to the
// handshake flow". @clerk/backend puts the code into the reason
// "session-token-expired-refresh-<code>".
const (
	// RefreshErrSessionEnded answers the refresh of a session that was
	// signed out or ended ([Server.EndSession]).
	RefreshErrSessionEnded = "session_ended"
	// RefreshErrTokenInvalid answers an expired_token that is not a token of
	// this instance for this session.
	RefreshErrTokenInvalid = "expired_token_invalid"
	// RefreshErrRefreshTokenInvalid answers a refresh_token that is not the
	// session's.
	RefreshErrRefreshTokenInvalid = "refresh_token_invalid"
)

// serveRefreshSession is the Backend API's POST
// /v1/sessions/{session_id}/refresh: a new session token for the session of
// the expired token, given the refresh token that the handshake set in
// __refresh_<suffix>. With format "cookie" it answers the Set-Cookie
// directives (__session, and __session_<suffix> when the query says
// suffixed_cookies=true, as SessionApi.ts sends it); otherwise
// {"object":"token","jwt":...}. Guess: that Clerk sets only __session here.
func (s *Server) serveRefreshSession(w http.ResponseWriter, r *http.Request) {
	var p refreshParams
	if _, e := decodeBody(r, &p); e != nil {
		s.writeAPIError(w, e)
		return
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"expired_token", p.ExpiredToken}, {"refresh_token", p.RefreshToken}, {"request_origin", p.RequestOrigin}} {
		if f.v == nil || *f.v == "" {
			s.writeAPIError(w, paramError(http.StatusUnprocessableEntity, "form_param_missing", f.name,
				"is missing", f.name+" must be included."))
			return
		}
	}
	format := "token"
	if p.Format != nil && *p.Format != "" {
		format = *p.Format
	}
	if format != "token" && format != "cookie" {
		s.writeAPIError(w, paramError(http.StatusUnprocessableEntity, "form_param_value_invalid", "format",
			"is invalid", "format must be token or cookie."))
		return
	}
	id := r.PathValue("session_id")
	s.fmu.Lock()
	s.front.init()
	stored := s.front.sessions[id]
	var sess BrowserSession
	var refresh string
	if stored != nil {
		sess, refresh = stored.BrowserSession, stored.refreshToken
	}
	s.fmu.Unlock()
	if stored == nil {
		s.writeAPIError(w, &apiError{status: http.StatusNotFound, code: "resource_not_found", msg: "not found",
			long: "No session was found with id " + id + "."})
		return
	}
	unauthorized := func(code, long string) {
		s.writeAPIError(w, &apiError{status: http.StatusUnauthorized, code: code, msg: "Session refresh failed", long: long})
	}
	claims, err := s.parseInstanceToken(*p.ExpiredToken)
	if err != nil || claims.Sid != sess.ID || claims.Sub != sess.UserID {
		unauthorized(RefreshErrTokenInvalid, "expired_token is not a session token of this session.")
		return
	}
	if subtle.ConstantTimeCompare([]byte(*p.RefreshToken), []byte(refresh)) != 1 {
		unauthorized(RefreshErrRefreshTokenInvalid, "refresh_token does not belong to this session.")
		return
	}
	if _, ok := s.User(sess.UserID); !ok && sess.Status == SessionActive {
		// A deleted user's sessions end with it, as Clerk's do.
		s.EndSession(sess.ID)
		sess.Status = SessionEnded
	}
	if sess.Status != SessionActive {
		unauthorized(RefreshErrSessionEnded, "The session has ended; sign in again.")
		return
	}
	azp := ""
	if u, err := url.Parse(*p.RequestOrigin); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		azp = originOf(u)
	}
	token := s.sessionToken(sess, azp)
	if format == "token" {
		s.writeJSON(w, http.StatusOK, map[string]string{"object": "token", "jwt": token})
		return
	}
	d := directiveSet{
		suffix:   s.CookieSuffix(),
		suffixed: r.URL.Query().Get(paramSuffixedCookies) == "true",
		secure:   strings.HasPrefix(*p.RequestOrigin, "https://"),
	}
	d.add(CookieSession, token, cookieMaxAge, false, true)
	s.writeJSON(w, http.StatusOK, Cookies{Object: "cookies", Cookies: d.out})
}

// The sign-in page standing in for the Account Portal.

var signInPage = template.Must(template.New("sign-in").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Sign in (clerktest)</title></head>
<body>
<h1>Sign in</h1>
<p>clerktest's stand-in for the Account Portal: pick a user.</p>
{{range .Users}}<form method="post" action="sign-in">
<input type="hidden" name="redirect_url" value="{{$.RedirectURL}}">
<input type="hidden" name="__clerk_db_jwt" value="{{$.DevBrowser}}">
<button type="submit" name="user_id" value="{{.ID}}" id="{{.ID}}">{{.Name}}</button>
</form>
{{else}}<p>The fake has no users.</p>{{end}}
</body></html>
`))

var messagePage = template.Must(template.New("message").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>{{.}} (clerktest)</title></head>
<body><p id="message">{{.}}</p></body></html>
`))

func (s *Server) writePage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = messagePage.Execute(w, msg)
}

// formRedirect reads the optional redirect_url of a sign-in or sign-out
// request; ok is false when one is given but is not an absolute http(s)
// URL.
func formRedirect(v string) (u *url.URL, ok bool) {
	if v == "" {
		return nil, true
	}
	return validRedirectURL(v)
}

type pageUser struct{ ID, Name string }

func displayName(u User) string {
	var parts []string
	for _, p := range []*string{u.FirstName, u.LastName} {
		if p != nil && *p != "" {
			parts = append(parts, *p)
		}
	}
	name := strings.Join(parts, " ")
	if e := u.PrimaryEmail(); e != "" {
		if name == "" {
			return e
		}
		return name + " <" + e + ">"
	}
	if name == "" {
		return u.ID
	}
	return name
}

// serveSignInPage is GET /sign-in?redirect_url=: one button per user.
func (s *Server) serveSignInPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if _, ok := formRedirect(q.Get(paramRedirectURL)); !ok {
		s.writePage(w, http.StatusBadRequest, "redirect_url must be an absolute http or https URL.")
		return
	}
	data := struct {
		RedirectURL, DevBrowser string
		Users                   []pageUser
	}{RedirectURL: q.Get(paramRedirectURL), DevBrowser: q.Get(CookieDevBrowser)}
	for _, u := range s.Users() {
		data.Users = append(data.Users, pageUser{ID: u.ID, Name: displayName(u)})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_ = signInPage.Execute(w, data)
}

const maxFormBytes = 64 << 10

// browserClientLocked finds the client of a sign-in page request: the
// development-browser token of the form (development instances), else the
// __client cookie.
func (s *Server) browserClientLocked(r *http.Request) *frontendClient {
	devBrowser := ""
	if !s.production {
		devBrowser = r.PostFormValue(CookieDevBrowser)
	}
	cookie := ""
	if c, err := r.Cookie(CookieClient); err == nil {
		cookie = c.Value
	}
	c := s.clientLocked(devBrowser, "")
	if c == nil {
		c = s.clientLocked("", cookie)
	}
	return c
}

// setBrowserCookies sets the fake's cookies on its own host: __client
// (HttpOnly) and __client_uat, plain and suffixed. Cookies ignore ports, so
// on 127.0.0.1 __client_uat reaches an app on another port, as Clerk's
// root-domain __client_uat reaches the app's subdomain.
func (s *Server) setBrowserCookies(w http.ResponseWriter, clientCookie string, uat string) {
	if clientCookie != "" {
		http.SetCookie(w, &http.Cookie{Name: CookieClient, Value: clientCookie, Path: "/", MaxAge: cookieMaxAge, //nolint:gosec // plain-http loopback fake: no Secure
			HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	for _, n := range []string{CookieClientUat, CookieClientUat + "_" + s.CookieSuffix()} {
		// __client_uat is readable by clerk-js (no HttpOnly), as Clerk's is.
		http.SetCookie(w, &http.Cookie{Name: n, Value: uat, Path: "/", MaxAge: cookieMaxAge, //nolint:gosec // mirrors Clerk's __client_uat on a plain-http loopback fake
			SameSite: http.SameSiteLaxMode})
	}
}

// serveSignIn is POST /sign-in (form: user_id, redirect_url,
// __clerk_db_jwt): it creates a session for the user on the browser's
// client, replacing the client's previous session (single-session mode),
// sets the fake's cookies and redirects (303) to redirect_url, adding the
// development-browser token on a development instance as the Account
// Portal does.
func (s *Server) serveSignIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.writePage(w, http.StatusBadRequest, "The form could not be read.")
		return
	}
	redirect, ok := formRedirect(r.PostFormValue(paramRedirectURL))
	if !ok {
		s.writePage(w, http.StatusBadRequest, "redirect_url must be an absolute http or https URL.")
		return
	}
	u, ok := s.User(r.PostFormValue("user_id"))
	if !ok {
		s.writePage(w, http.StatusBadRequest, "No such user.")
		return
	}
	s.fmu.Lock()
	c := s.browserClientLocked(r)
	if c == nil {
		c = s.newClientLocked()
	}
	if old := s.activeSessionLocked(c); old != nil {
		old.Status = SessionRemoved
	}
	s.signInLocked(c, u.ID)
	cookie, devBrowser, uat := c.cookie, c.devBrowser, c.updatedAt
	s.fmu.Unlock()

	s.setBrowserCookies(w, cookie, strconv.FormatInt(uat.Unix(), 10))
	if redirect == nil {
		s.writePage(w, http.StatusOK, "Signed in as "+displayName(u)+".")
		return
	}
	location := redirect.String()
	if !s.production {
		location = withQuery(redirect, CookieDevBrowser, devBrowser)
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, location, http.StatusSeeOther)
}

// serveSignOut is POST /sign-out (form: redirect_url, __clerk_db_jwt): it
// removes the browser's session, sets __client_uat to 0 on the fake's host
// and redirects (303) to redirect_url when one is given. (Clerk's own
// sign-out is clerk-js calling the Frontend API; this form stands in for
// it.)
func (s *Server) serveSignOut(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.writePage(w, http.StatusBadRequest, "The form could not be read.")
		return
	}
	redirect, ok := formRedirect(r.PostFormValue(paramRedirectURL))
	if !ok {
		s.writePage(w, http.StatusBadRequest, "redirect_url must be an absolute http or https URL.")
		return
	}
	s.fmu.Lock()
	c := s.browserClientLocked(r)
	if sess := s.activeSessionLocked(c); sess != nil {
		sess.Status = SessionRemoved
		c.session = ""
		c.updatedAt = s.clock()
	}
	cookie := ""
	if c != nil {
		cookie = c.cookie
	}
	s.fmu.Unlock()
	s.setBrowserCookies(w, cookie, "0")
	if redirect == nil {
		s.writePage(w, http.StatusOK, "Signed out.")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, redirect.String(), http.StatusSeeOther)
}
