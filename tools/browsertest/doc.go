// Package browsertest drives a real headless Chromium against the fake Clerk
// (core/clerktest) playing Clerk's Frontend API: the browser signs in on the
// fake's sign-in page, is handed by a small app to the fake's handshake,
// comes back with a nonce that the app resolves through the fake's Backend
// API, and holds the cookies Clerk would give it (__session, __client_uat,
// __refresh_<suffix>); past the session token's lifetime on the fake's clock
// the app refreshes it.
//
// It is a module of its own so that neither the core module nor any adapter
// depends on github.com/chromedp/chromedp. It has no API. The test runs when
// CLERKGO_CHROMIUM names a Chromium binary (scripts/chromium.sh finds or
// installs one; scripts/test.sh does both) and skips, saying SKIPPED,
// otherwise:
//
//	CLERKGO_CHROMIUM=$(scripts/chromium.sh) go test ./tools/browsertest/...
package browsertest
