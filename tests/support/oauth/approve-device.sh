#!/usr/bin/env bash
# The test user at another device: enters USER_CODE at VERIFICATION_URI (the test forge's
# oidc-provider dev pages), logs in as LOGIN and consents, or aborts.
# Usage: approve-device.sh VERIFICATION_URI USER_CODE [LOGIN] [approve|abort]
# Prints the title of the last page ("Sign-in Success" when approved).
set -euo pipefail
uri=$1 code=$2 who=${3:-alice} action=${4:-approve}
jar=$(mktemp)
trap 'rm -f "$jar"' EXIT
c() { curl -sS --max-time 10 -c "$jar" -b "$jar" "$@"; }
xsrf() { grep -o 'name="xsrf" value="[^"]*"' | sed 's/.*value="//;s/"$//'; }
go() { c -o /dev/null -w '%{redirect_url}' "$@"; }
x=$(c "$uri" | xsrf)
x=$(c -X POST "$uri" -d "xsrf=$x" --data-urlencode "user_code=$code" | xsrf)
if [ "$action" = abort ]; then
	c -X POST "$uri" -d "xsrf=$x" --data-urlencode "user_code=$code" -d abort=yes | grep -o '<h1>[^<]*</h1>'
	exit 0
fi
loc=$(go -X POST "$uri" -d "xsrf=$x" --data-urlencode "user_code=$code" -d confirm=yes)
loc=$(go -X POST "$loc" -d prompt=login -d "login=$who")
loc=$(go "$loc")
loc=$(go -X POST "$loc" -d prompt=consent)
c -L "$loc" | grep -o '<h1>[^<]*</h1>'
