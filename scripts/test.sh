#!/usr/bin/env bash
# The README's test command: every test of every module of the workspace.
#
#   1. gofmt
#   2. go vet and go test -race over every package of every module at once
#      (one go command for the whole workspace: packages build and run in
#      parallel), with a redis-server for the shared-cache tests
#      (scripts/redis.sh)
#   3. the differential test against @clerk/backend (Node.js, npm ci)
# Every build uses -race, so each package compiles once.
#
# The fuzz targets' seed corpora run here as ordinary tests. CI (.ci/run)
# runs this, then scripts/modules.sh (each published module on its own
# go.mod), scripts/builds.sh (the core under the other JSON builds),
# scripts/browser.sh (headless Chromium), scripts/lint.sh (golangci-lint),
# scripts/fuzz.sh (every fuzz target briefly) and scripts/install-check.sh.
# Each step is printed; a check that cannot run here says SKIPPED loudly.
# Usage: scripts/test.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

step "go version"
go version
[ -f "$CLERK_BAPI_SPEC" ] || skip "Backend API spec not found at $CLERK_BAPI_SPEC: the generator and conformance tests skip"

step "gofmt"
unformatted=$(git ls-files '*.go' | xargs gofmt -l)
if [ -n "$unformatted" ]; then
	echo "not gofmt-clean:"; echo "$unformatted"; exit 1
fi

# The shared-cache tests (rediscache) run against a real redis-server:
# scripts/redis.sh starts one on a free loopback port (installing Debian's
# when root with apt-get, as in CI) and it is stopped on exit. A
# CLERKGO_REDIS_ADDR already set is used as is.
step "redis-server for the shared-cache tests (scripts/redis.sh)"
if [ -n "${CLERKGO_REDIS_ADDR:-}" ]; then
	echo "using CLERKGO_REDIS_ADDR=$CLERKGO_REDIS_ADDR"
else
	redis_rc=0
	redis_env=$(scripts/redis.sh start) || redis_rc=$?
	case $redis_rc in
	0)
		eval "$redis_env"
		trap 'scripts/redis.sh stop "$CLERKGO_REDIS_PIDFILE"' EXIT
		echo "redis-server at $CLERKGO_REDIS_ADDR"
		;;
	3) skip "Redis tests (no redis-server, and none could be installed)" ;;
	*) echo "scripts/redis.sh start failed"; exit 1 ;;
	esac
fi

# Every package of every module of the workspace, in one go command: the
# import-path pattern spans all the workspace's modules. go vet takes -race
# too, so that it compiles every dependency once, the way go test -race
# needs it, instead of a second time without the race detector (on cold
# caches, most of the time goes to compiling).
step "go vet: every module"
go vet -race github.com/clerkgo/clerk/...
step "go test -race: every module"
testlog=$(mktemp)
if ! go test -race -count=1 github.com/clerkgo/clerk/... >"$testlog" 2>&1; then
	cat "$testlog"; rm -f "$testlog"
	echo "tests failed"; exit 1
fi
grep -v '^ok ' "$testlog" || true
echo "ok: $(grep -c '^ok ' "$testlog") packages"
rm -f "$testlog"

# The differential test against @clerk/backend (tools/clerkref) needs Node.js
# >= 20.9 and the pinned package (npm ci). It ran above with the other tests
# when node_modules was already there; here it runs for sure, and says so.
step "clerkref: differential test against @clerk/backend (tools/clerkref)"
clerkref_skip=""
if ! command -v node >/dev/null 2>&1; then
	clerkref_skip="node is not on PATH (needs Node.js >= 20.9)"
elif ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=9)?0:1)'; then
	clerkref_skip="node $(node --version) is older than 20.9"
elif ! (cd tools/clerkref/node && npm ci --no-audit --no-fund --loglevel=error); then
	clerkref_skip="npm ci in tools/clerkref/node failed"
fi
if [ -n "$clerkref_skip" ]; then
	skip "differential test against @clerk/backend: $clerkref_skip"
else
	out=$(cd tools/clerkref && go test -race -count=1 -run '^TestReference$' -v . 2>&1) || { echo "$out"; exit 1; }
	if grep -q 'SKIPPED:' <<<"$out"; then
		skip "$(grep -m1 'SKIPPED:' <<<"$out" | sed 's/^ *reference_test.go:[0-9]*: SKIPPED: //')"
	else
		grep -o '[0-9]* cases, [0-9]* disagreements.*' <<<"$out" || true
		echo "$out" | tail -1
	fi
fi

done_ok
