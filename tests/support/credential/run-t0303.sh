#!/usr/bin/env bash
# Runs git's own external-credential-helper suite against git-credential-postman:
#   - t/t0303-credential-external.sh, with GIT_TEST_CREDENTIAL_HELPER=postman and the store
#     chosen by GIT_TEST_CREDENTIAL_HELPER_SETUP (the suite splits the helper string into
#     words, so a --store= argument cannot be passed there);
#   - helper_test_authtype of t/lib-credential.sh, which t0303 does not call, run the way
#     t0301 runs it.
# once per store: keyutils (in a fresh `keyctl session`) and secret-service (gnome-keyring
# on a private `dbus-run-session`).
#
# Usage: GIT_SRC=/path/to/built/git/source tests/support/credential/run-t0303.sh [STORE...]
#   STORE: keyutils, secret-service (default: both)
#   GIT_SRC: a git source tree (v2.46 or newer) where `make` has been run.
#   HELPER_DIR: directory holding git-credential-postman (default: target/debug of this repo).
# Exit status: 0 when every check of every run passed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
: "${GIT_SRC:?set GIT_SRC to a built git source tree (v2.46 or newer)}"
GIT_SRC=$(cd "$GIT_SRC" && pwd)
HELPER_DIR=$(cd "${HELPER_DIR:-$repo/target/debug}" && pwd)
[ -f "$GIT_SRC/t/t0303-credential-external.sh" ] || { echo "no t/t0303-credential-external.sh in $GIT_SRC" >&2; exit 2; }
[ -x "$GIT_SRC/git" ] || { echo "$GIT_SRC is not built (no ./git); run make there first" >&2; exit 2; }
[ -x "$HELPER_DIR/git-credential-postman" ] || { echo "no git-credential-postman in $HELPER_DIR (cargo build first)" >&2; exit 2; }
stores=("$@")
[ ${#stores[@]} -gt 0 ] || stores=(keyutils secret-service)

# helper_test_authtype as t0301 runs it, plus a clean-up of the hosts it uses.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cat >"$scratch/t0399-postman-authtype.sh" <<'TEST'
#!/bin/sh
test_description='authtype checks of lib-credential.sh against an external helper (as t0301 runs them)'
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-credential.sh
test -z "$GIT_TEST_CREDENTIAL_HELPER_SETUP" || eval "$GIT_TEST_CREDENTIAL_HELPER_SETUP"
helper_test_authtype "$GIT_TEST_CREDENTIAL_HELPER"
test_expect_success 'clean up authtype entries' '
	for host in git.example.com git2.example.com
	do
		printf "protocol=https\nhost=%s\n" "$host" |
		git -c credential.helper="$GIT_TEST_CREDENTIAL_HELPER" credential reject || return 1
	done
'
test_done
TEST

wrap() {
	case $1 in
	keyutils) echo "keyctl session -" ;;
	secret-service) echo "$here/with-keyring.sh --secret-service-only" ;;
	*) echo "unknown store '$1' (keyutils or secret-service)" >&2; exit 2 ;;
	esac
}

version=$("$GIT_SRC/git" --version)
failed=0
for store in "${stores[@]}"; do
	for suite in "$GIT_SRC/t/t0303-credential-external.sh" "$scratch/t0399-postman-authtype.sh"; do
		name=$(basename "$suite" .sh)
		log="$scratch/$store-$name.log"
		status=0
		# shellcheck disable=SC2046 # the wrapper is a command line
		$(wrap "$store") env PATH="$HELPER_DIR:$PATH" \
			GIT_TEST_CREDENTIAL_HELPER=postman \
			GIT_TEST_CREDENTIAL_HELPER_SETUP="git config --global credential.postmanStore $store" \
			sh -c 'cd "$1/t" && sh "$2" -v' - "$GIT_SRC" "$suite" >"$log" 2>&1 || status=$?
		summary=$(grep -E '^# (passed all|failed|still have)|^# [0-9]+ known' "$log" | tr '\n' ' ')
		printf '%-15s %-30s %s (%s)\n' "$store" "$name" "${summary:-no summary}" "$version"
		if [ "$status" -ne 0 ]; then
			failed=1
			grep -E '^not ok' "$log" | sed 's/^/    /'
			echo "    full log: $log (kept)"
			trap - EXIT
		fi
	done
done
exit "$failed"
