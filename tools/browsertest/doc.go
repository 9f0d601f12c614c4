// Package browsertest drives a real headless Chromium against apps served
// by the real adapters (chiclerk, ...) with BrowserPages on, and the fake
// Clerk (core/clerktest) playing Clerk's Frontend API:
//
//   - TestBrowserWalk: the browser opens /dashboard signed out, is sent to
//     Clerk (a development instance's handshake first) and on to the fake's
//     sign-in page, clicks a user, and is back on /dashboard signed in with
//     Clerk's cookies (__session, __client_uat, an HttpOnly
//     __refresh_<suffix>); past the session token's lifetime on the
//     injected clock it keeps navigating signed in (one refresh, no
//     handshake), and no response it sees is a 401 (every status is
//     recorded from the DevTools network events), for a development and a
//     production instance;
//   - TestBrowserKeysMismatch: an app whose instance keys do not match the
//     browser's (its JWT key is another fake's) stops handing the browser
//     to the handshake after the loop guard (__clerk_redirect_count): the
//     browser ends on the sign-in page after at most 3 + 1 handshakes, and
//     the client logs why;
//   - TestBrowserProxy: an app serves its Frontend API from its own
//     /__clerk (Config.ProxyURL; the adapter's FrontendAPIProxy forwards
//     to the fake), with the fake's sign-in page through it too; the
//     browser signs in and is back on /dashboard signed in, and every
//     request it sent went to the app's host, never to the fake's (chi,
//     Gin; development and production);
//   - TestBrowserSatellite: signed in on a primary app (127.0.0.1), the
//     browser opens a satellite app's /dashboard (localhost: another site
//     for cookies), is sent to the primary's sign-in page and back with
//     __clerk_synced=false, syncs (development: the primary's
//     primary-responds-to-syncing answer and a dev-browser-sync handshake;
//     production: a satellite-needs-syncing handshake) and ends signed in
//     on the satellite after a pinned list of redirects, with no 401.
//
// The tests share one Chromium (started by the first, stopped by
// TestMain); each opens a browser context of its own, with cookies of its
// own.
//
// It is a module of its own so that neither the core module nor any adapter
// depends on github.com/chromedp/chromedp. It has no API. The tests run when
// CLERKGO_CHROMIUM names a Chromium binary (scripts/browser.sh finds or
// installs one with scripts/chromium.sh) and skip, saying SKIPPED,
// otherwise:
//
//	CLERKGO_CHROMIUM=$(scripts/chromium.sh) go test ./tools/browsertest/...
package browsertest
