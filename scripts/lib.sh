# Shared by scripts/test.sh, lint.sh, fuzz.sh and install-check.sh (sourced,
# not run): the repository root as working directory, the Backend API spec
# location, and the step / skip / done reporting every script prints.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CLERK_BAPI_SPEC="${CLERK_BAPI_SPEC:-$(cd .. && pwd)/shared/clerk-bapi-2026-05-12.yml}"
script_start=$(date +%s)
script_name=$(basename "$0")

# step NAME prints a step heading with the seconds since the script started.
step() { printf '\n== %s  (%ss)\n' "$*" "$(($(date +%s) - script_start))"; }

# skip WHY says loudly that a check cannot run here; done lists them again.
skipped=()
skip() {
	echo "SKIPPED: $*"
	skipped+=("$*")
}

# done_ok ends a script that passed: its time and what it skipped.
done_ok() {
	printf '\n== %s: all checks passed in %ss\n' "$script_name" "$(($(date +%s) - script_start))"
	if [ ${#skipped[@]} -gt 0 ]; then
		echo "but SKIPPED:"
		printf '  - %s\n' "${skipped[@]}"
	fi
}
