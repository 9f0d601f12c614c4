#!/usr/bin/env bash
# The core's tests under the two other JSON builds jwx can be compiled with
# (GOEXPERIMENT=jsonv2 and -tags jwx_goccy change the JSON decoder jwx uses
# for key sets and headers; docs/performance.md). Each compiles the core's
# dependencies once more, so CI (.ci/run) runs this after scripts/test.sh
# rather than in the quick test command.
#
# Usage: scripts/builds.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

step "core under GOEXPERIMENT=jsonv2"
GOEXPERIMENT=jsonv2 go test -race -count=1 github.com/clerkgo/clerk/core
step "core under -tags jwx_goccy"
go test -race -count=1 -tags jwx_goccy github.com/clerkgo/clerk/core
done_ok
