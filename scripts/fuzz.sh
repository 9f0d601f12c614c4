#!/usr/bin/env bash
# Every fuzz target of the repository, briefly (CI runs it after
# scripts/test.sh, whose ordinary test run already replays each target's seed
# corpus and saved inputs). A new failing input is saved under testdata/fuzz
# and fails the run.
#
# Usage: scripts/fuzz.sh               (FUZZTIME=30s for a longer run)
#        scripts/fuzz.sh ./core/webhook (only the targets of these packages)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
FUZZTIME="${FUZZTIME:-2s}"

# Each package's fuzz test binary is built once, instrumented for fuzzing
# (go test -c -fuzz=.), and run once per target from the package directory,
# where its testdata/fuzz corpus lives: linking once per package instead of
# once per target saves about a minute of the CI run.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fuzzcache="$(go env GOCACHE)/fuzz"

# fuzz_one DIR BINARY TARGET fuzzes one target for FUZZTIME. A failing input
# is saved under DIR/testdata/fuzz and fails the run, as does any other
# failure, with one exception: Go 1.26's fuzz coordinator can fail a target
# at the -fuzztime deadline with a bare "context deadline exceeded" and no
# failing input (golang/go#75804, fixed in Go 1.27). Only that failure is
# retried, at most twice. The output of every failure is shown in full.
fuzz_one() {
	local out attempt
	for attempt in 1 2 3; do
		if out=$(cd "$1" && "$2" -test.run '^$' -test.fuzz "^$3\$" -test.fuzztime "$FUZZTIME" -test.fuzzcachedir "$fuzzcache" 2>&1); then
			echo "$out" | grep '^fuzz: elapsed' | tail -1 # the execs: it really fuzzed
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
mapfile -t files < <(git grep -l '^func Fuzz' -- '*_test.go')
[ ${#files[@]} -gt 0 ] || { echo "no fuzz targets found"; exit 1; }
mapfile -t dirs < <(for f in "${files[@]}"; do echo "./$(dirname "$f")"; done | sort -u)
n=0
for dir in "${dirs[@]}"; do
	if [ $# -gt 0 ]; then
		want=0
		for pkg in "$@"; do [ "${pkg%/}" = "$dir" ] && want=1; done
		[ $want = 1 ] || continue
	fi
	bin="$work/$(echo "${dir#./}" | tr / _).test"
	echo "-- building $dir"
	(cd "$dir" && go test -c -fuzz=. -o "$bin" .)
	for file in "${files[@]}"; do
		[ "./$(dirname "$file")" = "$dir" ] || continue
		for target in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$file" | sed 's/^func //'); do
			echo "-- $dir $target"
			fuzz_one "$dir" "$bin" "$target"
			n=$((n + 1))
		done
	done
done
echo "fuzzed: $n targets"
done_ok
