#!/usr/bin/env bash
# Builds git-postman's Debian package with cargo-deb ([package.metadata.deb] in
# Cargo.toml): the one binary in /usr/bin, git-remote-postman and git-credential-postman
# as links to it, the man pages, and the bash, zsh and fish completions.
#
#   pkg/deb.sh [--profile release|dev] [--no-build] [--fast] [--output DIR]
#
# The man pages and completions are what `git postman install` writes: the script runs
# the built binary's install into a staging prefix beside it, and the package takes them
# from there, so the package and `git postman install` cannot drift apart.
# --profile dev packages the debug binary (the test does, to reuse the test build; cargo-deb
# warns that it is meant for releases). --no-build packages the binary already built.
# Needs cargo-deb: cargo install --locked cargo-deb
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
	echo "usage: pkg/deb.sh [--profile release|dev] [--no-build] [--fast] [--output DIR]" >&2
	exit 2
}
profile=release build=1 deb_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--profile) [ $# -ge 2 ] || usage; profile=$2; shift 2 ;;
	--no-build) build=0; shift ;;
	--fast) deb_args+=(--fast); shift ;;
	--output) [ $# -ge 2 ] || usage; deb_args+=(--output "$2"); shift 2 ;;
	*) usage ;;
	esac
done
if ! command -v cargo-deb >/dev/null; then
	echo "pkg/deb.sh: cargo-deb is not installed: cargo install --locked cargo-deb" >&2
	exit 1
fi

target_dir=$(cargo metadata --format-version 1 --no-deps --locked |
	sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
case $profile in dev) out_dir=debug ;; *) out_dir=$profile ;; esac
if [ "$build" = 1 ]; then
	cargo build --locked --profile "$profile" --bin git-postman
fi
# Cargo.toml's assets name this as target/release/deb-stage: cargo-deb maps target/release
# to the profile's directory.
stage="$target_dir/$out_dir/deb-stage"
rm -rf "$stage"
"$target_dir/$out_dir/git-postman" install --prefix "$stage" >/dev/null
cargo deb --no-build --profile "$profile" "${deb_args[@]}"
