#!/usr/bin/env bash
# Runs the benchmark suite and writes results/raw.txt (raw go test output
# plus a description of the machine) and results/RESULTS.md (the tables).
#
#   bench/run.sh                       # ROUNDS=8 BENCHTIME=500ms: about 5 minutes on 2 cores
#   ROUNDS=3 BENCHTIME=200ms bench/run.sh   # a quick look
#
# The timing benchmarks run as ROUNDS separate passes of the whole suite
# (each pass is -test.count=1) rather than -count=ROUNDS, so that on a
# shared or noisy machine every variant sees the same mix of quiet and busy
# moments; the table takes the median of each benchmark over the passes and
# compares medians of this one run only. The key-fetch scenarios run once
# (-benchtime=1x): their counts do not depend on timing.
set -euo pipefail
cd "$(dirname "$0")"

ROUNDS="${ROUNDS:-8}"
BENCHTIME="${BENCHTIME:-500ms}"
RAW=results/raw.txt
OUT=results/RESULTS.md

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p results

echo "building the benchmark binary and the table generator..."
go test -c -o "$work/bench.test" .
go build -o "$work/table" ./cmd/table

{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "go-version: $(go version)"
	echo "cpu-model: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "cores: $(nproc)"
	echo "rounds: $ROUNDS"
	echo "load-before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "command: ROUNDS=$ROUNDS BENCHTIME=$BENCHTIME bench/run.sh"
} >"$RAW"

for round in $(seq "$ROUNDS"); do
	echo "round $round/$ROUNDS (load $(cut -d' ' -f1-3 /proc/loadavg))"
	"$work/bench.test" -test.run '^$' \
		-test.bench '^Benchmark(Floor|Core|NetHTTP|Gin|Echo|Fiber|Paired|Machine)$' \
		-test.benchtime "$BENCHTIME" -test.count 1 >>"$RAW"
done
echo "key-fetch scenarios"
"$work/bench.test" -test.run '^$' -test.bench '^BenchmarkKeyFetch$' -test.benchtime 1x >>"$RAW"
echo "load-after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$RAW"

"$work/table" -in "$RAW" -out "$OUT"
echo "wrote bench/$RAW and bench/$OUT"
