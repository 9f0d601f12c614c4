#!/usr/bin/env bash
# Runs every check of the project over every module of the workspace:
# gofmt, go vet, go test -race (the shared-cache tests against a throwaway
# redis-server, see scripts/redis.sh), each adapter module alone
# (GOWORK=off), and each fuzz target briefly.
# Usage: scripts/test.sh   (FUZZTIME=3s by default)
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME="${FUZZTIME:-3s}"
export CLERK_BAPI_SPEC="${CLERK_BAPI_SPEC:-$(cd .. && pwd)/shared/clerk-bapi-2026-05-12.yml}"

step() { printf '\n== %s\n' "$*"; }

step "go version"
go version

step "gofmt"
unformatted=$(git ls-files '*.go' | xargs gofmt -l)
if [ -n "$unformatted" ]; then
	echo "not gofmt-clean:"; echo "$unformatted"; exit 1
fi

# The differential test against @clerk/backend (tools/clerkref) needs Node.js
# >= 20.9 and the pinned package (npm ci). Without them it is skipped, loudly.
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
	echo "SKIPPED: differential test against @clerk/backend: $clerkref_skip"
else
	out=$(cd tools/clerkref && go test -count=1 -run '^TestReference$' -v . 2>&1) || { echo "$out"; exit 1; }
	if grep -q 'SKIPPED:' <<<"$out"; then
		grep 'SKIPPED:' <<<"$out" | sed 's/^ *reference_test.go:[0-9]*: //'
	else
		grep -o '[0-9]* cases, [0-9]* disagreements.*' <<<"$out" || true
		echo "$out" | tail -1
	fi
fi

# The shared-cache tests (core/rediscache) run against a real redis-server:
# scripts/redis.sh starts one on a free loopback port (installing Debian's
# when root with apt-get, as in CI) and it is stopped on exit. A
# CLERKGO_REDIS_ADDR already set is used as is. Without any, the tests are
# skipped, loudly.
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
	3) echo "SKIPPED: Redis tests (no redis-server)" ;;
	*) echo "scripts/redis.sh start failed"; exit 1 ;;
	esac
fi

mapfile -t modules < <(go list -m -f '{{.Dir}}')

# has_packages DIR: whether the module in DIR holds any Go package yet.
has_packages() { (cd "$1" && [ -n "$(go list ./... 2>/dev/null)" ]); }

for dir in "${modules[@]}"; do
	rel=${dir#"$PWD"}; rel=".${rel}"
	has_packages "$dir" || { step "skip $rel: no Go packages"; continue; }
	step "vet + test -race: $rel"
	(cd "$dir" && go vet ./... && go test -race -count=1 ./...)
done

for dir in ginclerk echoclerk chiclerk fiberclerk examples core/rediscache; do
	[ -f "$dir/go.mod" ] && has_packages "$dir" || continue
	step "module alone (GOWORK=off): $dir"
	(cd "$dir" && GOWORK=off go vet ./... && GOWORK=off go test -count=1 ./...)
done

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

step "fuzz targets (${FUZZTIME} each)"
for dir in "${modules[@]}"; do
	has_packages "$dir" || continue
	(
		cd "$dir"
		for pkg in $(go list ./...); do
			for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
				echo "-- $pkg $target"
				fuzz_one "$pkg" "$target"
			done
		done
	)
done

step "all checks passed"
