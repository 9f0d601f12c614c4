#!/usr/bin/env bash
# Runs every check of the project over every module of the workspace:
# gofmt, go vet, go test -race, each adapter module alone (GOWORK=off), and
# each fuzz target briefly. Usage: scripts/test.sh   (FUZZTIME=3s by default)
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

mapfile -t modules < <(go list -m -f '{{.Dir}}')

# has_packages DIR: whether the module in DIR holds any Go package yet.
has_packages() { (cd "$1" && [ -n "$(go list ./... 2>/dev/null)" ]); }

for dir in "${modules[@]}"; do
	rel=${dir#"$PWD"}; rel=".${rel}"
	has_packages "$dir" || { step "skip $rel: no Go packages"; continue; }
	step "vet + test -race: $rel"
	(cd "$dir" && go vet ./... && go test -race -count=1 ./...)
done

for dir in ginclerk echoclerk chiclerk fiberclerk examples; do
	[ -f "$dir/go.mod" ] && has_packages "$dir" || continue
	step "module alone (GOWORK=off): $dir"
	(cd "$dir" && GOWORK=off go vet ./... && GOWORK=off go test -count=1 ./...)
done

step "fuzz targets (${FUZZTIME} each)"
for dir in "${modules[@]}"; do
	has_packages "$dir" || continue
	(
		cd "$dir"
		for pkg in $(go list ./...); do
			for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
				echo "-- $pkg $target"
				go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" "$pkg" | tail -1
			done
		done
	)
done

step "all checks passed"
