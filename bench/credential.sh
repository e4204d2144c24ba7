#!/usr/bin/env bash
# Benchmark: `get` of a stored credential, git-credential-postman vs git's own
# credential-store (and git-credential-oauth when installed), in the same run.
#
# Usage: bench/credential.sh [ROUNDS]          (default 300 rounds per command)
#   STORES="keyutils secret-service"           which of our stores to time (default: keyutils;
#                                              secret-service runs on a private gnome-keyring)
#   HELPER_DIR=dir                             use this git-credential-postman instead of
#                                              building target/release
# Prints the mean wall time per call of each command and the ratio to credential-store.
# Not part of the tests: run it on demand. Target: keyutils <= 2x credential-store.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
rounds=${1:-300}
stores=${STORES:-keyutils}

if [ -z "${HELPER_DIR:-}" ]; then
	(cd "$repo" && cargo build --quiet --release --bin git-credential-postman --bin git-postman)
	HELPER_DIR=$repo/target/release
fi
HELPER_DIR=$(cd "$HELPER_DIR" && pwd)

if [ "${_BENCH_INNER:-}" != 1 ]; then
	# Private keyrings: a fresh kernel session keyring, and a D-Bus session with an unlocked
	# gnome-keyring when the Secret Service is timed.
	wrapper=(keyctl session -)
	case " $stores " in
	*" secret-service "*) wrapper=("$repo/tests/support/credential/with-keyring.sh") ;;
	esac
	exec "${wrapper[@]}" env _BENCH_INNER=1 HELPER_DIR="$HELPER_DIR" STORES="$stores" "$0" "$rounds"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 XDG_CONFIG_HOME=$work/.config
export PATH="$HELPER_DIR:$PATH"
host="bench-$$.example.com"
request=$(printf 'protocol=https\nhost=%s\n' "$host")
stored="$request
username=bench-user
password=bench-token-0123456789abcdef0123456789abcdef
"

# Mean milliseconds per call of "$@" with the request on stdin, over $rounds calls.
time_calls() {
	local start end i
	for i in 1 2 3 4 5; do "$@" <<<"$request" >/dev/null; done # warm caches
	start=$(date +%s%N)
	for ((i = 0; i < rounds; i++)); do "$@" <<<"$request" >/dev/null; done
	end=$(date +%s%N)
	echo "scale=3; ($end - $start) / $rounds / 1000000" | bc
}

# Same answer from both, or the timing means nothing.
check_answer() {
	local got
	got=$("$@" <<<"$request")
	case $got in
	*password=bench-token-*) ;;
	*) echo "benchmark set-up failed: '$*' did not return the stored credential" >&2; exit 1 ;;
	esac
}

git credential-store --file="$work/git-credentials" store <<<"$stored"
check_answer git credential-store --file="$work/git-credentials" get
base=$(time_calls git credential-store --file="$work/git-credentials" get)

printf 'git %s, %s rounds, mean wall time per call\n' "$(git --version | cut -d' ' -f3)" "$rounds"
row() { printf '  %-60s %8s ms  %5.2fx\n' "$1" "$2" "$(echo "scale=4; $2 / $base" | bc)"; }
row "git credential-store get (plain file)" "$base"
row "(floor: starting /bin/true)" "$(time_calls /bin/true)"

for store in $stores; do
	git-credential-postman --store="$store" store <<<"$stored"
	check_answer git-credential-postman --store="$store" get
	check_answer git credential-postman --store="$store" get
	row "git-credential-postman get ($store, binary direct)" "$(time_calls git-credential-postman --store="$store" get)"
	row "git credential-postman get ($store, as git runs it)" "$(time_calls git credential-postman --store="$store" get)"
	# `cargo install` puts a small hand-over program under the helper's name; `git postman
	# install` and the .deb put a link to git-postman there. The difference is one exec.
	if [ -x "$HELPER_DIR/git-postman" ]; then
		mkdir -p "$work/linked" && ln -sf "$HELPER_DIR/git-postman" "$work/linked/git-credential-postman"
		check_answer "$work/linked/git-credential-postman" --store="$store" get
		row "git-credential-postman get ($store, a link to git-postman)" \
			"$(time_calls "$work/linked/git-credential-postman" --store="$store" get)"
	fi
	git-credential-postman --store="$store" erase <<<"$request"
done

# What a user pays per lookup: `git credential fill` with one helper, end to end.
store_fill=(git -c credential.helper= -c "credential.helper=store --file=$work/git-credentials" credential fill)
check_answer "${store_fill[@]}"
fill_base=$(time_calls "${store_fill[@]}")
for store in $stores; do
	git-credential-postman --store="$store" store <<<"$stored"
	ours_fill=(git -c credential.helper= -c "credential.helper=postman --store=$store" credential fill)
	check_answer "${ours_fill[@]}"
	ours=$(time_calls "${ours_fill[@]}")
	printf '  %-60s %8s ms  %5.2fx (vs %s ms with helper=store)\n' "git credential fill, helper=postman ($store)" "$ours" \
		"$(echo "scale=4; $ours / $fill_base" | bc)" "$fill_base"
	git-credential-postman --store="$store" erase <<<"$request"
done

if command -v git-credential-oauth >/dev/null; then
	# A generator, not a store: for a host it has no configuration for it answers nothing
	# at once, which is its startup cost on every get.
	row "git-credential-oauth get (unknown host, answers nothing)" "$(time_calls git-credential-oauth get)"
else
	echo "  (git-credential-oauth not installed: not timed)"
fi
