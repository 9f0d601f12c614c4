#!/usr/bin/env bash
# Cuts a release: one version for every module of the repository (the
# OpenTelemetry-Go pattern). It sets the version of every require of a
# github.com/clerkgo/clerk module in every go.mod (the replace directives for
# local development stay), internal/version's Version, and a CHANGELOG.md
# section for the version (the Unreleased notes move into it), checks that
# they agree, and prints the tags to push.
#
#   scripts/release.sh 0.2.0        # or v0.2.0
set -euo pipefail
cd "$(dirname "$0")/.."

v="${1:-}"
v="${v#v}"
if ! [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
	echo "usage: scripts/release.sh VERSION   (semantic version, e.g. 0.2.0)" >&2
	exit 2
fi

mapfile -t mods < <(git ls-files '*go.mod' | grep -v '/testdata/')
for mod in "${mods[@]}"; do
	# require lines and require blocks: "github.com/clerkgo/clerk[/x] vX"
	sed -E -i "s#^(([[:space:]]*|require[[:space:]]+)github\.com/clerkgo/clerk(/[A-Za-z0-9_./-]+)?[[:space:]]+)v[^[:space:]]+#\1v$v#" "$mod"
done

sed -E -i "s#^const Version = \"[^\"]*\"#const Version = \"$v\"#" internal/version/version.go

if ! grep -q "^## \[$v\]" CHANGELOG.md; then
	today=$(date -u +%Y-%m-%d)
	awk -v v="$v" -v d="$today" '
		/^## \[Unreleased\]/ && !done { print; print ""; print "## [" v "] - " d; done = 1; next }
		{ print }
	' CHANGELOG.md >CHANGELOG.md.new
	mv CHANGELOG.md.new CHANGELOG.md
fi

# Check: every require of a clerkgo module is at v$v.
bad=$(grep -nE '(^|[[:space:]])github\.com/clerkgo/clerk(/[A-Za-z0-9_./-]+)?[[:space:]]+v' "${mods[@]}" | grep -v "[[:space:]]v$v\$" | grep -v '=>' || true)
if [ -n "$bad" ]; then
	echo "these requires disagree with v$v:" >&2
	echo "$bad" >&2
	exit 1
fi
grep -q "^const Version = \"$v\"" internal/version/version.go

echo "All modules at v$v. After committing, push these tags:"
echo "  git tag v$v"
for mod in "${mods[@]}"; do
	dir=$(dirname "$mod")
	case "$dir" in
	. | examples | bench | tools/*) ;; # the root tag covers ".", the others are not published
	*) echo "  git tag $dir/v$v" ;;
	esac
done
echo "  git push origin --tags"
