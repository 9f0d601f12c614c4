#!/usr/bin/env bash
# Runs every check of the project over every module of the workspace, the
# command CI runs (.ci/run) and the README's test command:
#
#   1. gofmt
#   2. golangci-lint (pinned, built once with `go install` into a cache)
#   3. go vet and go test -race over every package of every module at once
#      (one go command for the whole workspace: packages build and run in
#      parallel), with a redis-server for the shared-cache tests
#   4. the core again under GOEXPERIMENT=jsonv2 and -tags jwx_goccy
#   5. each published module alone (GOWORK=off go vet: its own go.mod and
#      go.sum resolve)
#   6. the differential test against @clerk/backend (Node.js, npm ci)
#   7. the real-browser test (headless Chromium, scripts/chromium.sh)
#   8. every fuzz target for FUZZTIME (default 2s)
#
# Each step is printed; a check that cannot run here says SKIPPED loudly.
# Usage: scripts/test.sh   (FUZZTIME=30s for a longer fuzz run)
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME="${FUZZTIME:-2s}"
GOLANGCI_LINT_VERSION=v2.15.0
export CLERK_BAPI_SPEC="${CLERK_BAPI_SPEC:-$(cd .. && pwd)/shared/clerk-bapi-2026-05-12.yml}"
start=$(date +%s)

step() { printf '\n== %s  (%ss)\n' "$*" "$(($(date +%s) - start))"; }
skipped=()
skip() { echo "SKIPPED: $*"; skipped+=("$*"); }

step "go version"
go version
[ -f "$CLERK_BAPI_SPEC" ] || skip "Backend API spec not found at $CLERK_BAPI_SPEC: the generator and conformance tests skip"

step "gofmt"
unformatted=$(git ls-files '*.go' | xargs gofmt -l)
if [ -n "$unformatted" ]; then
	echo "not gofmt-clean:"; echo "$unformatted"; exit 1
fi

# golangci-lint, built once per version into a cache directory (CI starts
# empty and builds it, about a minute).
step "golangci-lint $GOLANGCI_LINT_VERSION (.golangci.yml)"
lintbin="${XDG_CACHE_HOME:-$HOME/.cache}/clerkgo-tools/golangci-lint-$GOLANGCI_LINT_VERSION"
if [ ! -x "$lintbin/golangci-lint" ]; then
	echo "building golangci-lint $GOLANGCI_LINT_VERSION into $lintbin"
	GOBIN="$lintbin" GOFLAGS= go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$GOLANGCI_LINT_VERSION"
fi
mapfile -t modules < <(go list -m -f '{{.Dir}}')
for dir in "${modules[@]}"; do
	(cd "$dir" && "$lintbin/golangci-lint" run --config "$OLDPWD/.golangci.yml" ./...) || { echo "golangci-lint: findings in ${dir#"$PWD"/}"; exit 1; }
done
echo "clean: ${#modules[@]} modules"

# The shared-cache tests (core/rediscache) run against a real redis-server:
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
# import-path pattern spans all the workspace's modules.
step "go vet: every module"
go vet github.com/clerkgo/clerk/...
step "go test -race: every module"
testlog=$(mktemp)
if ! go test -race -count=1 github.com/clerkgo/clerk/... >"$testlog" 2>&1; then
	cat "$testlog"; rm -f "$testlog"
	echo "tests failed"; exit 1
fi
grep -v '^ok ' "$testlog" || true
echo "ok: $(grep -c '^ok ' "$testlog") packages"
rm -f "$testlog"

# The token path under the two faster JSON builds docs/performance.md
# offers applications (jwx decodes JOSE headers with encoding/json; these
# change what it uses): the core's tests must pass under both.
step "core under GOEXPERIMENT=jsonv2 and -tags jwx_goccy (docs/performance.md)"
GOEXPERIMENT=jsonv2 go test -race -count=1 github.com/clerkgo/clerk/core
go test -race -count=1 -tags jwx_goccy github.com/clerkgo/clerk/core

# Each published module on its own go.mod (what `go get` users build).
step "modules alone (GOWORK=off go vet)"
for dir in ginclerk echoclerk echo5clerk chiclerk fiberclerk fiber3clerk core/otelclerk core/rediscache oauth2clerk mcpclerk examples; do
	(cd "$dir" && GOWORK=off go vet ./...) || { echo "GOWORK=off: $dir does not build on its own go.mod"; exit 1; }
	echo "ok: $dir"
done

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
	out=$(cd tools/clerkref && go test -count=1 -run '^TestReference$' -v . 2>&1) || { echo "$out"; exit 1; }
	if grep -q 'SKIPPED:' <<<"$out"; then
		skip "$(grep -m1 'SKIPPED:' <<<"$out" | sed 's/^ *reference_test.go:[0-9]*: SKIPPED: //')"
	else
		grep -o '[0-9]* cases, [0-9]* disagreements.*' <<<"$out" || true
		echo "$out" | tail -1
	fi
fi

# The real-browser test (tools/browsertest) drives headless Chromium against
# the fake Frontend API. scripts/chromium.sh finds the browser (installing
# Debian's chromium when root with apt-get, as in CI); without one the test
# is SKIPPED, loudly. (Above, with the other tests, it skipped for want of
# CLERKGO_CHROMIUM.)
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

# fuzz_one PKG TARGET fuzzes one target for FUZZTIME. A failing input is
# saved under testdata/fuzz and fails the run, as does any other failure,
# with one exception: Go 1.26's fuzz coordinator can fail a target at the
# -fuzztime deadline with a bare "context deadline exceeded" and no failing
# input (golang/go#75804, fixed in Go 1.27). Only that failure is retried, at
# most twice. The output of every failure is shown in full.
fuzz_one() {
	local out attempt
	for attempt in 1 2 3; do
		if out=$(go test -run '^$' -fuzz "^$2\$" -fuzztime "$FUZZTIME" "$1" 2>&1); then
			echo "$out" | tail -1
			return 0
		fi
		echo "$out" | grep -v '^fuzz: elapsed'
		if [ -n "$(git status --porcelain -- '*testdata/fuzz*')" ]; then
			echo "failing input saved:"; git status --porcelain -- '*testdata/fuzz*'
			return 1
		fi
		if ! grep -q 'context deadline exceeded' <<<"$out" || grep -q 'Failing input written' <<<"$out"; then
			return 1
		fi
		echo "no failing input, only the fuzz engine's deadline race (golang/go#75804): attempt $attempt of 3"
	done
	return 1
}

# The targets are found in the sources (go test -list would build every
# test binary once more).
step "fuzz targets (${FUZZTIME} each)"
git grep -h -o '^func Fuzz[A-Za-z0-9_]*' -- '*_test.go' >/dev/null || skip "no fuzz targets found"
for file in $(git grep -l '^func Fuzz' -- '*_test.go'); do
	dir=./$(dirname "$file")
	for target in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$file" | sed 's/^func //'); do
		echo "-- $dir $target"
		fuzz_one "$dir" "$target"
	done
done

step "all checks passed"
if [ ${#skipped[@]} -gt 0 ]; then
	echo "but SKIPPED:"
	printf '  - %s\n' "${skipped[@]}"
fi
