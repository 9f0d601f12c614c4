#!/usr/bin/env bash
# Checks the README's Install lines the way a new user runs them: in a fresh
# module outside the repository (a temp directory, no go.work), it runs the
# shell block that follows the README's "<!-- install-check -->" marker, with
# /path/to/clerkgo standing for this clone, then builds a tiny main.go that
# protects a net/http handler with chiclerk. CI (.ci/run) runs it.
#
# Usage: scripts/install-check.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
repo=$PWD

step "the README's Install block"
block=$(awk '
	/^<!-- install-check -->$/ { marked = 1; next }
	marked && /^```sh$/ { inblock = 1; next }
	inblock && /^```$/ { exit }
	inblock { print }
' README.md)
if [ -z "$block" ]; then
	echo "README.md has no \`\`\`sh block after a <!-- install-check --> marker"
	exit 1
fi
echo "$block"
grep -q '/path/to/clerkgo' <<<"$block" || { echo "the Install block does not name /path/to/clerkgo"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/clerkgo-install-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export GOWORK=off

step "a fresh module in $tmp"
go mod init example.com/app
cat >main.go <<'GO'
// The app of scripts/install-check.sh: a net/http handler behind chiclerk.
package main

import (
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/clerkgo/clerk/chiclerk"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/me", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", chiclerk.Auth(r.Context()).UserID())
	})
	srv := &http.Server{Addr: ":8080", Handler: chiclerk.Middleware()(mux), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
GO

step "run the Install block (/path/to/clerkgo = $repo)"
bash -euo pipefail -c "${block//\/path\/to\/clerkgo/$repo}"

step "go build"
go build -o app .
echo "built $tmp/app from a module outside the repository"
cd "$repo"
done_ok
