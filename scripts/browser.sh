#!/usr/bin/env bash
# The real-browser test (tools/browsertest): headless Chromium drives the fake
# Clerk's Frontend API (sign-in page, handshake, refresh). scripts/chromium.sh
# finds the browser, installing Debian's chromium when root with apt-get (as
# in CI); without one the test is SKIPPED, loudly. CI (.ci/run) runs it after
# scripts/test.sh: installing a browser does not belong in the quick test
# command (there the same test skips for want of CLERKGO_CHROMIUM).
#
# Usage: scripts/browser.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

step "real browser: headless Chromium against the fake Frontend API (tools/browsertest)"
chromium_rc=0
chromium=$(scripts/chromium.sh) || chromium_rc=$?
case $chromium_rc in
0)
	out=$(cd tools/browsertest && CLERKGO_CHROMIUM="$chromium" go test -race -count=1 -v ./... 2>&1) ||
		{ echo "$out"; echo "browser test failed"; exit 1; }
	grep -E '^(--- |ok )' <<<"$out" || true
	;;
3) skip "real-browser test (no chromium, and none could be installed)" ;;
*) echo "scripts/chromium.sh failed"; exit 1 ;;
esac
done_ok
