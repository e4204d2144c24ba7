#!/usr/bin/env bash
# The test "browser" (GIT_POSTMAN_BROWSER): acts as the user at the test forge's
# oidc-provider dev interaction pages, then follows the redirect to the app's loopback
# listener, as a browser would. Returns at once and works in the background, like a real
# browser launcher; its output goes nowhere, like a browser's must (git reads the helper's
# stdout).
#
#   FAKE_USER            login name (default alice)
#   FAKE_BROWSER_ACTION  consent (default) | abort (the user clicks "abort") | ignore (the
#                        user closes the window)
#   FAKE_BROWSER_LOG     a file that gets one line per start: "opened"
set -u
url=$1
[ -n "${FAKE_BROWSER_LOG:-}" ] && echo opened >>"$FAKE_BROWSER_LOG"
[ "${FAKE_BROWSER_ACTION:-consent}" = ignore ] && exit 0
(
	set -e
	jar=$(mktemp)
	trap 'rm -f "$jar"' EXIT
	go() { curl -sS --max-time 10 -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$@"; }
	loc=$(go "$url")                                   # -> /interaction/<uid> (login)
	if [ "${FAKE_BROWSER_ACTION:-consent}" = abort ]; then
		loc=$(go "$loc/abort")                         # -> resume -> redirect with error
	else
		loc=$(go -X POST "$loc" -d prompt=login -d "login=${FAKE_USER:-alice}")
		loc=$(go "$loc")                               # -> /interaction/<uid> (consent)
		loc=$(go -X POST "$loc" -d prompt=consent)
	fi
	loc=$(go "$loc")                                   # -> http://127.0.0.1:PORT/?code=..&state=..
	curl -sS --max-time 10 -o /dev/null "$loc"
) </dev/null >/dev/null 2>&1 &
exit 0
