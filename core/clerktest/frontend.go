package clerktest

import (
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // Clerk's cookie-name suffix, not a security measure
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// The fake Frontend API: the browser's client, its sessions, the handshake
// and the session refresh. What follows mirrors what Clerk's Frontend and
// Backend APIs do as far as @clerk/backend 3.25.0 and clerk-js show it; the
// places where Clerk's behaviour is not visible in those sources are marked
// "Guess:".

// Cookie names Clerk uses (@clerk/backend constants.ts).
const (
	// CookieSession is the session-token cookie (JS-readable).
	CookieSession = "__session"
	// CookieClientUat is the "client updated at" cookie: the unix seconds of
	// the client's last sign-in or sign-out, "0" when signed out.
	CookieClientUat = "__client_uat"
	// CookieRefresh is the refresh-token cookie (always suffixed:
	// __refresh_<suffix>) that the handshake sets for the session refresh.
	CookieRefresh = "__refresh"
	// CookieDevBrowser is the development-browser token cookie of
	// development instances.
	CookieDevBrowser = "__clerk_db_jwt"
	// CookieClient is the cookie the Frontend API keeps on its own host to
	// recognise the browser's client. The app never reads it.
	CookieClient = "__client"
)

// cookieMaxAge is the lifetime of the long-lived cookies (one year, as
// clerk-js sets __session and __client_uat). Max-Age rather than Expires:
// cookie jars and browsers count it on their own clock, which the fake's
// injected clock need not match.
const cookieMaxAge = 365 * 24 * 60 * 60

// CookieSuffix returns the suffix Clerk appends to its cookie names for the
// instance of publishableKey (__session_<suffix>, __client_uat_<suffix>,
// __refresh_<suffix>): the first 8 characters of the base64url SHA-1 of the
// key (@clerk/shared's getCookieSuffix, and core's computation).
func CookieSuffix(publishableKey string) string {
	sum := sha1.Sum([]byte(publishableKey)) //nolint:gosec // a cookie-name suffix, not a security measure
	return base64.URLEncoding.EncodeToString(sum[:])[:8]
}

// CookieSuffix returns the cookie suffix of the server's publishable key.
func (s *Server) CookieSuffix() string { return CookieSuffix(s.PublishableKey()) }

// SessionStatus is the status of a session of the fake's session store.
type SessionStatus string

// Session statuses (a subset of Clerk's).
const (
	// SessionActive is a signed-in session.
	SessionActive SessionStatus = "active"
	// SessionEnded is a session ended by [Server.EndSession].
	SessionEnded SessionStatus = "ended"
	// SessionRemoved is a session signed out (POST /sign-out) or replaced by
	// a new sign-in on the same browser.
	SessionRemoved SessionStatus = "removed"
)

// BrowserSession is a session created by the fake's sign-in page.
type BrowserSession struct {
	ID       string        // "sess_...", the "sid" of its tokens
	UserID   string        // the "sub" of its tokens
	ClientID string        // "client_...", the browser's client
	Status   SessionStatus // active until signed out or ended
	// Org is the session's active organization (its tokens' v2 "o"
	// claim), set by a handshake's organization_id; zero: none.
	Org OrgMembership
}

// OrgMembership is a user's membership of an organization on the fake
// (see [Server.AddOrgMembership]).
type OrgMembership struct {
	OrgID string // "org_..."
	Slug  string // the organization's slug
	Role  string // the member's role, e.g. "org:admin"
}

// AddOrgMembership makes userID a member of an organization, for
// organization sync: a handshake with organization_id (the organization's
// id or slug, as @clerk/backend sends it) activates it on the browser's
// session, whose tokens then carry it. organization_id empty (the
// personal account) or naming an organization the user is not a member
// of leaves the session without an active organization (Guess: Clerk's
// Frontend API answers an invalid one with "a null organization", as
// @clerk/backend's request.ts puts it).
func (s *Server) AddOrgMembership(userID string, m OrgMembership) {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.front.init()
	if s.front.memberships == nil {
		s.front.memberships = map[string][]OrgMembership{}
	}
	s.front.memberships[userID] = append(s.front.memberships[userID], m)
}

// membershipLocked is userID's membership of the organization named by
// idOrSlug, or the zero membership.
func (s *Server) membershipLocked(userID, idOrSlug string) OrgMembership {
	for _, m := range s.front.memberships[userID] {
		if idOrSlug != "" && (m.OrgID == idOrSlug || m.Slug == idOrSlug) {
			return m
		}
	}
	return OrgMembership{}
}

type frontendClient struct {
	id         string
	cookie     string // value of the __client cookie on the fake's host
	devBrowser string // the development-browser token (__clerk_db_jwt)
	session    string // ID of the signed-in session, "" when signed out
	updatedAt  time.Time
}

type frontendSession struct {
	BrowserSession
	refreshToken string
}

// frontendStore holds the browsers' clients, their sessions and the
// handshake nonces. Server.fmu guards it; never hold it while minting a
// token (Server.Token takes Server.mu).
type frontendStore struct {
	clients      map[string]*frontendClient // by ID
	byCookie     map[string]*frontendClient
	byDevBrowser map[string]*frontendClient
	sessions     map[string]*frontendSession
	nonces       map[string][]string        // nonce -> directives, deleted when used
	nonceOrder   []string                   // nonces in order of issue, for the cap
	lastQuery    url.Values                 // query of the last handshake
	memberships  map[string][]OrgMembership // by user ID
}

func (f *frontendStore) init() {
	if f.clients == nil {
		f.clients = map[string]*frontendClient{}
		f.byCookie = map[string]*frontendClient{}
		f.byDevBrowser = map[string]*frontendClient{}
		f.sessions = map[string]*frontendSession{}
		f.nonces = map[string][]string{}
	}
}

// maxNonces bounds the unused handshake nonces the fake keeps: beyond it
// the oldest are forgotten (as Clerk's expire), so that a long-running demo
// whose browsers abandon handshakes does not grow without bound.
const maxNonces = 1024

// addNonceLocked stores the directives of a new nonce.
func (s *Server) addNonceLocked(nonce string, directives []string) {
	s.front.nonces[nonce] = directives
	s.front.nonceOrder = append(s.front.nonceOrder, nonce)
	for len(s.front.nonceOrder) > maxNonces {
		delete(s.front.nonces, s.front.nonceOrder[0])
		s.front.nonceOrder = s.front.nonceOrder[1:]
	}
}

// newClientLocked creates a browser client with a fresh cookie value and
// development-browser token.
func (s *Server) newClientLocked() *frontendClient {
	s.front.init()
	c := &frontendClient{
		id:         newID("client_"),
		cookie:     randomString(40),
		devBrowser: "dvb_" + randomString(40), // Guess: Clerk's is a JWT; nothing outside the Frontend API reads it
		updatedAt:  s.clock(),
	}
	s.front.clients[c.id] = c
	s.front.byCookie[c.cookie] = c
	s.front.byDevBrowser[c.devBrowser] = c
	return c
}

// clientLocked finds the browser's client: by the development-browser
// token when one is given (development instances), else by the __client
// cookie. It returns nil for none or an unknown one.
func (s *Server) clientLocked(devBrowser, cookie string) *frontendClient {
	s.front.init()
	if devBrowser != "" {
		return s.front.byDevBrowser[devBrowser]
	}
	if cookie != "" {
		return s.front.byCookie[cookie]
	}
	return nil
}

// activeSessionLocked returns the client's signed-in session, or nil.
func (s *Server) activeSessionLocked(c *frontendClient) *frontendSession {
	if c == nil || c.session == "" {
		return nil
	}
	sess := s.front.sessions[c.session]
	if sess == nil || sess.Status != SessionActive {
		return nil
	}
	return sess
}

// signInLocked creates an active session of userID on client c.
func (s *Server) signInLocked(c *frontendClient, userID string) *frontendSession {
	sess := &frontendSession{
		BrowserSession: BrowserSession{ID: newID("sess_"), UserID: userID, ClientID: c.id, Status: SessionActive},
		refreshToken:   randomString(48),
	}
	s.front.sessions[sess.ID] = sess
	c.session = sess.ID
	c.updatedAt = s.clock()
	return sess
}

// WithSessionTokenLifetime sets the lifetime of the session tokens that the
// fake Frontend API mints (handshake and refresh): exp is iat+d on the
// fake's clock. The default is [DefaultTokenTTL] (60 s, as Clerk's).
func WithSessionTokenLifetime(d time.Duration) Option {
	return func(c *config) { c.sessionTokenTTL = d }
}

// WithProductionInstance makes the fake a production instance:
// [Server.PublishableKey] starts with "pk_live_" and the sign-in page does
// not hand a development-browser token back. By default the fake is a
// development instance ("pk_test_"), as Clerk instances used in tests are.
func WithProductionInstance() Option {
	return func(c *config) { c.production = true }
}

// BrowserSessions returns the sessions created by the sign-in page, in no
// particular order.
func (s *Server) BrowserSessions() []BrowserSession {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	out := make([]BrowserSession, 0, len(s.front.sessions))
	for _, sess := range s.front.sessions {
		out = append(out, sess.BrowserSession)
	}
	return out
}

// EndSession ends a session of the sign-in page, as a sign-out elsewhere or
// a revocation would: its refresh fails and the next handshake signs the
// browser out. It reports whether the session existed and was active.
func (s *Server) EndSession(id string) bool {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.front.init()
	sess := s.front.sessions[id]
	if sess == nil || sess.Status != SessionActive {
		return false
	}
	sess.Status = SessionEnded
	if c := s.front.clients[sess.ClientID]; c != nil && c.session == id {
		c.session = ""
		c.updatedAt = s.clock()
	}
	return true
}

// LastHandshakeQuery returns the query of the last handshake request
// (redirect_url, __clerk_hs_reason, suffixed_cookies, ...), or nil.
func (s *Server) LastHandshakeQuery() url.Values {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	if s.front.lastQuery == nil {
		return nil
	}
	q := url.Values{}
	for k, v := range s.front.lastQuery {
		q[k] = slices.Clone(v)
	}
	return q
}

// sessionToken mints a session token for sess, valid for the configured
// lifetime from now, with azp the given origin.
func (s *Server) sessionToken(sess BrowserSession, azp string) string {
	opts := []TokenOption{WithSubject(sess.UserID), WithSessionID(sess.ID), WithTTL(s.tokenTTL)}
	if sess.Org.OrgID != "" {
		opts = append(opts, WithOrg(sess.Org.OrgID, sess.Org.Slug, sess.Org.Role, nil))
	}
	if azp != "" {
		opts = append(opts, WithAuthorizedPartyClaim(azp))
	}
	return s.Token(opts...)
}

// directiveSet builds Set-Cookie directives for the app's host.
type directiveSet struct {
	suffix   string
	suffixed bool // also the _<suffix> forms
	secure   bool
	out      []string
}

func (d *directiveSet) add(name, value string, maxAge int, httpOnly, bothForms bool) {
	names := []string{name + "_" + d.suffix}
	if bothForms {
		names = []string{name}
		if d.suffixed {
			names = append(names, name+"_"+d.suffix)
		}
	}
	for _, n := range names {
		// Clerk's attributes: Secure over https only (the fake also serves
		// plain-http loopback tests), HttpOnly only where Clerk sets it.
		c := &http.Cookie{Name: n, Value: value, Path: "/", MaxAge: maxAge, //nolint:gosec // mirrors Clerk's cookies, see above
			HttpOnly: httpOnly, Secure: d.secure, SameSite: http.SameSiteLaxMode}
		d.out = append(d.out, c.String())
	}
}

// signedInDirectives are the cookies of a signed-in browser: __session,
// __client_uat (plain, and suffixed when asked) and __refresh_<suffix>.
//
// Guess: Clerk's exact attributes are not in the SDK sources. The fake sets
// Path=/, SameSite=Lax, Max-Age of one year, Secure only when the app's URL
// is https (a cookie jar drops Secure cookies over http), no Domain (the
// app's host; Clerk scopes __client_uat to the root domain), and HttpOnly
// only on __refresh (clerk-js reads and writes __session and __client_uat;
// the refresh token is for the server only).
func (d *directiveSet) signedIn(token string, uat time.Time, refresh string) []string {
	d.add(CookieSession, token, cookieMaxAge, false, true)
	d.add(CookieClientUat, strconv.FormatInt(uat.Unix(), 10), cookieMaxAge, false, true)
	d.add(CookieRefresh, refresh, cookieMaxAge, true, false)
	return d.out
}

// signedOutDirectives clear __session and __refresh_<suffix> and set
// __client_uat to 0. Guess: that Clerk also clears __refresh.
func (d *directiveSet) signedOut() []string {
	d.add(CookieSession, "", -1, false, true)
	d.add(CookieClientUat, "0", cookieMaxAge, false, true)
	d.add(CookieRefresh, "", -1, true, false)
	return d.out
}

var (
	errTokenMalformed = errors.New("malformed token")
	errTokenSignature = errors.New("token signature invalid")
)

// tokenClaims are the claims the refresh endpoint reads from an expired
// session token.
type tokenClaims struct {
	Sid string `json:"sid"`
	Sub string `json:"sub"`
}

// maxTokenLen bounds the tokens the fake parses.
const maxTokenLen = 16 << 10

// parseInstanceToken verifies that tok is an RS256 compact JWS signed by
// one of the instance's keys (the kid picks the key) and decodes its sid
// and sub. It checks no time claims: the refresh endpoint takes expired
// tokens. tok is untrusted input.
func (s *Server) parseInstanceToken(tok string) (tokenClaims, error) {
	var c tokenClaims
	if len(tok) > maxTokenLen {
		return c, errTokenMalformed
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return c, errTokenMalformed
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return c, errTokenMalformed
	}
	pb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return c, errTokenMalformed
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return c, errTokenMalformed
	}
	var h struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if json.Unmarshal(hb, &h) != nil || h.Alg != "RS256" {
		return c, errTokenMalformed
	}
	if json.Unmarshal(pb, &c) != nil {
		return c, errTokenMalformed
	}
	var pub *rsa.PublicKey
	s.mu.Lock()
	for _, k := range s.keys {
		if k.kid == h.Kid {
			pub = &k.key.PublicKey
		}
	}
	s.mu.Unlock()
	if pub == nil {
		return c, errTokenSignature
	}
	// jwx's RS256 verifier, over the bytes as received (as the core does).
	verifier, err := jws.VerifierFor(jwa.RS256())
	if err != nil || verifier.Verify(pub, []byte(parts[0]+"."+parts[1]), sig) != nil {
		return c, errTokenSignature
	}
	return c, nil
}

// validRedirectURL reports whether raw is an absolute http(s) URL with a
// host and no user information: the only URLs the fake redirects to.
func validRedirectURL(raw string) (*url.URL, bool) {
	if raw == "" || len(raw) > 4096 || strings.ContainsAny(raw, "\r\n\t\\") {
		return nil, false
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Opaque != "" {
		return nil, false
	}
	return u, true
}

// withQuery returns u with key=value added to its query.
func withQuery(u *url.URL, key, value string) string {
	v := *u
	q := v.Query()
	q.Set(key, value)
	v.RawQuery = q.Encode()
	return v.String()
}

// originOf returns scheme://host of u.
func originOf(u *url.URL) string { return u.Scheme + "://" + u.Host }
