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
mapfile -t files < <(git grep -l '^func Fuzz' -- '*_test.go')
[ ${#files[@]} -gt 0 ] || { echo "no fuzz targets found"; exit 1; }
n=0
for file in "${files[@]}"; do
	dir=./$(dirname "$file")
	if [ $# -gt 0 ]; then
		want=0
		for pkg in "$@"; do [ "${pkg%/}" = "$dir" ] && want=1; done
		[ $want = 1 ] || continue
	fi
	for target in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$file" | sed 's/^func //'); do
		echo "-- $dir $target"
		fuzz_one "$dir" "$target"
		n=$((n + 1))
	done
done
echo "fuzzed: $n targets"
done_ok
