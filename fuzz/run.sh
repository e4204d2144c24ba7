#!/usr/bin/env bash
# Fuzzes each target for a fixed budget with cargo-fuzz (libFuzzer). Not part of CI:
# CI replays the committed corpora (tests/fuzz_corpora.rs).
#
# Usage: fuzz/run.sh [seconds per target, default 60] [target...]
# Needs: a nightly toolchain and `cargo install cargo-fuzz`. Builds with -O (release,
# no debug assertions): the first run compiles the project instrumented, once.
# New interesting inputs go to target/fuzz-corpus/<target>/ (not committed: copy a few
# small ones to fuzz/corpus/<target>/ by hand); a crash is saved under fuzz/artifacts/
# and belongs, once fixed, in fuzz/regressions/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(credential_protocol dotpostman collection v3_converter v3_request_file remote_protocol)
for target in "${targets[@]}"; do
	work=target/fuzz-corpus/$target
	mkdir -p "$work"
	echo "== $target: $seconds s"
	log=target/fuzz-$target.log
	status=0
	cargo +nightly fuzz run -O "$target" "$work" "fuzz/corpus/$target" -- \
		-max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 >"$log" 2>&1 || status=$?
	grep -E '^#[0-9]+[[:space:]]+DONE' "$log" || true
	if [ "$status" != 0 ]; then
		grep -E -A8 'panicked at|ERROR: libFuzzer' "$log" | head -40
		echo "$target: crashed (input saved under fuzz/artifacts/$target/; whole log: $log)"
		exit 1
	fi
done
