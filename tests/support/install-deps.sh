#!/usr/bin/env bash
# Installs what git-postman's tests and demo use on a Debian machine that has the Rust
# toolchain: Debian packages (git, real keyrings, man-db, Node.js), cargo-deb, and the pinned npm packages
# (postman-collection and newman in tests/support/node, the OAuth server oidc-provider in
# tests/support/oauth, the Postman CLI postman-cli in tests/support/postman-cli, each
# pinned by its package-lock.json).
#
# Usage: tests/support/install-deps.sh [--demo]   (--demo: only what the demo needs)
set -euo pipefail
cd "$(dirname "$0")/../.."

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"

packages=(git ca-certificates curl)
if [ "${1:-}" != "--demo" ]; then
	# Real keyrings for the credential helper's tests: kernel keyutils, and
	# gnome-keyring on a private D-Bus session bus.
	packages+=(keyutils dbus dbus-daemon dbus-bin gnome-keyring libsecret-tools)
	# libfaketime: runs the credential helper at a later time, so expiry is tested
	# without waiting for the wall clock.
	packages+=(faketime)
	# man-db: `git help postman` in the install tests; dpkg-deb is dpkg's own.
	packages+=(man-db)
	# Node.js for the real Postman tools; keep a Node.js that is already there.
	command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "${1:-}" != "--demo" ]; then
	# cargo-deb: the Debian package test (tests/install.rs, pkg/deb.sh). Pinned; a few
	# minutes of compiling, once per machine.
	if ! cargo deb --version >/dev/null 2>&1; then
		echo "installing cargo-deb"
		cargo install --locked --quiet cargo-deb --version 3.8.0
	fi
	npm ci --prefix tests/support/node --no-audit --no-fund --loglevel=error
	npm ci --prefix tests/support/oauth --no-audit --no-fund --loglevel=error
	# The Postman CLI: the oracle for the Collection v3 converter (migrate, lint). Not
	# `npm ci`: postman-cli lists a binary package per platform as optional, the lock
	# can only record the ones the registry serves (linux-x64), and `npm ci` refuses a
	# lock without the others. `npm install` installs what the lock pins; the check
	# after it makes sure it did not resolve anything anew.
	npm install --prefix tests/support/postman-cli --no-audit --no-fund --loglevel=error
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
		! git diff --quiet -- tests/support/postman-cli/package-lock.json; then
		echo "tests/support/postman-cli/package-lock.json changed during npm install" >&2
		exit 1
	fi
fi
