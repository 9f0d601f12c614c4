#!/usr/bin/env bash
# golangci-lint over every module of the workspace, by the project's
# .golangci.yml (CI runs it after scripts/test.sh).
#
# The linter is built once per version with `go install` into
# ${XDG_CACHE_HOME:-~/.cache}/clerkgo-tools/: the first run on a machine
# spends about 3 minutes building it (a fresh 2-core machine), later runs
# only lint.
#
# Usage: scripts/lint.sh
#        scripts/lint.sh --build-only   (only build the linter: .ci/run does
#                                        it at low priority beside test.sh)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
GOLANGCI_LINT_VERSION=v2.15.0

step "golangci-lint $GOLANGCI_LINT_VERSION (.golangci.yml)"
lintbin="${XDG_CACHE_HOME:-$HOME/.cache}/clerkgo-tools/golangci-lint-$GOLANGCI_LINT_VERSION"
if [ ! -x "$lintbin/golangci-lint" ]; then
	echo "building golangci-lint $GOLANGCI_LINT_VERSION into $lintbin"
	GOBIN="$lintbin" GOFLAGS= go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$GOLANGCI_LINT_VERSION"
fi
if [ "${1:-}" = --build-only ]; then
	done_ok
	exit 0
fi
# One run over every module of the workspace (go.work): the packages they
# share are loaded and checked once, not once per module.
mapfile -t patterns < <(go list -m -f '{{.Dir}}' | sed "s|^$PWD|.|; s|\$|/...|")
"$lintbin/golangci-lint" run --config .golangci.yml "${patterns[@]}" || { echo "golangci-lint: findings (above)"; exit 1; }
echo "clean: ${#patterns[@]} modules"
done_ok
