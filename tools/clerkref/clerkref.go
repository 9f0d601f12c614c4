// Package clerkref is a differential test of clerkgo's session-token
// verification against Clerk's reference verifier, the npm package
// @clerk/backend (pinned in node/package-lock.json).
//
// The test generates a broad set of cases (tokens and requests), writes them
// as JSON, runs node/harness.mjs once over all of them, computes clerkgo's
// verdicts through the public core API, and compares the two: accept or
// reject, the reason (mapped through one explicit table, reasons.go), and
// for accepted sessions the subject, session and organization. Every
// disagreement must carry a judged verdict in verdicts.json; the generated
// table DISAGREEMENTS.md lists them. The page cases (pages.go) compare
// browser requests for pages: Clerk's handshake decision against
// Authenticator.AuthenticatePage. See docs/verification.md.
package clerkref

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"
	"time"
)

// ClerkBackendVersion is the @clerk/backend release the harness must run.
const ClerkBackendVersion = "3.25.0"

// The instance both verifiers are configured for: a production instance
// (pk_live_), so Clerk's development-instance dev-browser logic stays out.
const (
	frontendHost   = "clerk.example.com"
	issuer         = "https://" + frontendHost
	appOrigin      = "https://app.example.com"
	otherIssuer    = "https://clerk.other-app.com"
	secretKey      = "sk_live_clerkrefdifferentialtest"
	closedLoopback = "http://127.0.0.1:9" // any Backend API call fails at once
	instanceKID    = "ins_clerkref"
	fixedUnix      = 1780000000 // 2026-05-28T20:26:40Z, a whole second
)

// env is the shared configuration of one run: keys, clock and instance.
type env struct {
	now            time.Time
	key, otherKey  *rsa.PrivateKey
	pem            string // PKIX PEM of key.PublicKey: the JWT key of both sides
	publishableKey string
	cookieSuffix   string // Clerk's suffix for __session_<suffix> and friends
}

// newEnv generates the run's keys. 2048-bit keys with e = 65537 are what
// Clerk's PEM loader expects (it slices the modulus out of the DER).
func newEnv() (*env, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	pk := "pk_live_" + base64.StdEncoding.EncodeToString([]byte(frontendHost+"$"))
	return &env{
		now:            time.Unix(fixedUnix, 0),
		key:            key,
		otherKey:       other,
		pem:            string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
		publishableKey: pk,
		cookieSuffix:   cookieSuffix(pk),
	}, nil
}

// cookieSuffix is Clerk's getCookieSuffix (@clerk/shared keys.ts): the first
// 8 characters of the URL-safe base64 of SHA-1(publishable key).
func cookieSuffix(publishableKey string) string {
	sum := sha1.Sum([]byte(publishableKey))
	s := base64.StdEncoding.EncodeToString(sum[:])
	s = strings.NewReplacer("+", "-", "/", "_").Replace(s)
	return s[:8]
}

// unix returns the fixed clock plus d seconds, as a JSON number.
func (e *env) unix(d int64) string { return fmt.Sprint(e.now.Unix() + d) }

// testCase is one input to both verifiers. Its ID (family/name) is stable
// across runs: verdicts are keyed by it.
type testCase struct {
	ID     string `json:"id"`
	Family string `json:"-"`
	Name   string `json:"-"`
	// Mode is "request" (Clerk's authenticateRequest, clerkgo's
	// Authenticator), "verifyToken" (Clerk's verifyToken, clerkgo's
	// Client.VerifyToken) or "page" (a browser's request: Clerk's
	// authenticateRequest, clerkgo's Authenticator.AuthenticatePage; see
	// pages.go).
	Mode string `json:"mode"`
	// Authorization is the Authorization header value; "" for none.
	Authorization string `json:"authorization,omitempty"`
	// Cookies are Cookie header lines, joined with "; " on both sides.
	Cookies []string `json:"cookies,omitempty"`
	// Token is the token of a verifyToken case.
	Token string `json:"token,omitempty"`
	// AuthorizedParties configures azp checking on both sides.
	AuthorizedParties []string `json:"authorizedParties,omitempty"`

	// The fields of a page case.

	// Instance names the instance of a page case ("live" or "test").
	Instance string `json:"instance,omitempty"`
	// Method is the page request's method; "" for GET.
	Method string `json:"method,omitempty"`
	// URL is the page's absolute URL.
	URL string `json:"url,omitempty"`
	// Headers are the page request's other headers (Sec-Fetch-Dest, Accept,
	// Authorization).
	Headers map[string]string `json:"headers,omitempty"`
	// Nonce replaces "{nonce}" in URL and Cookies on Clerk's side; goNonce
	// on clerkgo's. A handshake nonce resolves once, so each side has its
	// own, with the same directives behind it.
	Nonce   string `json:"nonce,omitempty"`
	goNonce string
	// trustForwarded turns on clerkgo's Options.TrustForwardedHeaders
	// (Clerk always reads X-Forwarded-*).
	trustForwarded bool
	// Config is a page case's multi-domain configuration (satellite,
	// proxy, organization sync; see pages_domains.go); nil for none.
	Config *pageConfig `json:"config,omitempty"`
}

// outcome is one verifier's verdict on a case.
type outcome struct {
	Accepted bool   `json:"accepted"`
	Reason   string `json:"reason,omitempty"`
	// Message is Clerk's error message; the reason table reads it to tell
	// Clerk's coarse reasons apart. Not shown in the table.
	Message        string   `json:"message,omitempty"`
	Sub            string   `json:"sub,omitempty"`
	Sid            string   `json:"sid,omitempty"`
	OrgID          string   `json:"orgId,omitempty"`
	OrgSlug        string   `json:"orgSlug,omitempty"`
	OrgRole        string   `json:"orgRole,omitempty"`
	OrgPermissions []string `json:"orgPermissions,omitempty"`
	// Page is the answer to a page case; nil when Clerk threw.
	Page *pageOutcome `json:"page,omitempty"`
}
