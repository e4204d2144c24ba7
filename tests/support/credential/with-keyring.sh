#!/usr/bin/env bash
# Runs a command inside throw-away keyrings:
#   - a fresh kernel session keyring (`keyctl session -`), for the keyutils store;
#   - a private D-Bus session bus (`dbus-run-session`) with a freshly started, unlocked
#     gnome-keyring-daemon whose keyring files live in a temporary directory, for the
#     Secret Service store.
# Nothing of the caller's session is used or touched. The command's exit status is
# passed through.
#
# Usage: with-keyring.sh [--keyutils-only|--secret-service-only] COMMAND [ARGS...]
# Needs (Debian): keyutils, dbus-daemon (dbus-run-session, dbus-send), gnome-keyring.
set -euo pipefail

mode=both
case "${1:-}" in
--keyutils-only) mode=keyutils; shift ;;
--secret-service-only) mode=secret-service; shift ;;
esac
[ $# -gt 0 ] || { echo "usage: $0 [--keyutils-only|--secret-service-only] COMMAND [ARGS...]" >&2; exit 2; }

if [ "${_WITH_KEYRING_INNER:-}" = 1 ]; then
	# Inside dbus-run-session: start and unlock gnome-keyring with a throw-away password.
	tmp=$(mktemp -d)
	trap 'kill "${GNOME_KEYRING_PID:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
	export XDG_RUNTIME_DIR="$tmp/run" XDG_DATA_HOME="$tmp/data"
	mkdir -p -m 700 "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME"
	eval "$(printf %s ci-keyring-password | gnome-keyring-daemon --unlock --components=secrets)"
	export GNOME_KEYRING_CONTROL
	# Wait until the daemon owns the bus name; otherwise D-Bus activation could start a
	# second, locked daemon that prompts for a password on a display nobody has.
	for _ in $(seq 200); do
		if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
			org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
			grep -q 'boolean true'; then
			break
		fi
		sleep 0.05
	done
	# Run the command as a child (not exec) so the trap above stops the daemon.
	status=0
	"$@" || status=$?
	exit "$status"
fi

self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
case $mode in
keyutils) exec keyctl session - "$@" ;;
secret-service) exec env _WITH_KEYRING_INNER=1 dbus-run-session -- "$self" "$@" ;;
both) exec keyctl session - env _WITH_KEYRING_INNER=1 dbus-run-session -- "$self" "$@" ;;
esac
