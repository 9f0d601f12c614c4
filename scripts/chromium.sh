#!/usr/bin/env bash
# Finds (or installs) a headless-capable Chromium for the real-browser test
# (tools/browsertest).
#
#   CLERKGO_CHROMIUM=$(scripts/chromium.sh) || echo "no browser"
#   (cd tools/browsertest && CLERKGO_CHROMIUM=$CLERKGO_CHROMIUM go test -race ./...)
#
# It prints the path of the browser on stdout and exits 0. When no chromium
# is on PATH and the script runs as root with apt-get (as in CI), it installs
# Debian's chromium first. Otherwise it prints a loud SKIPPED line on stderr
# and exits 3, so that callers can skip the browser test visibly rather than
# pass it silently. Everything but the path goes to stderr.
set -euo pipefail

log() { printf 'chromium.sh: %s\n' "$*" >&2; }

find_browser() {
	local b
	for b in chromium chromium-browser google-chrome-stable google-chrome; do
		if command -v "$b" >/dev/null 2>&1; then
			command -v "$b"
			return 0
		fi
	done
	return 1
}

if path=$(find_browser); then
	echo "$path"
	exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	log "chromium is not on PATH; installing Debian's chromium with apt-get"
	if DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1; then
		if path=$(find_browser); then
			log "installed $path"
			echo "$path"
			exit 0
		fi
	fi
	log "apt-get could not install chromium"
fi
log "SKIPPED: no chromium on PATH, and none could be installed (that needs root and apt-get): the real-browser test does not run"
exit 3
