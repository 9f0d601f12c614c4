#!/usr/bin/env bash
# Each published module on its own go.mod, as `go get` users build it
# (GOWORK=off: its go.mod and go.sum must resolve and be tidy without the
# workspace). A packaging check, not a test: CI (.ci/run) runs it after
# scripts/test.sh.
#
# Usage: scripts/modules.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# Each published module on its own go.mod (what `go get` users build).
step "modules alone (GOWORK=off go vet)"
for dir in ginclerk echoclerk echo5clerk chiclerk fiberclerk fiber3clerk otelclerk rediscache oauth2clerk mcpclerk examples; do
	(cd "$dir" && GOWORK=off go vet ./...) || { echo "GOWORK=off: $dir does not build on its own go.mod"; exit 1; }
	echo "ok: $dir"
done

done_ok
