#!/bin/sh
# Installs git-postman's man pages (man/*.1) where `man` and `git help` find them:
# git-postman(1), git-remote-postman(1), git-credential-postman(1).
#
#   tests/support/install-man.sh [MANDIR]
#
# Without MANDIR the pages go beside the installed programs: <prefix>/share/man for
# the <prefix>/bin that holds git-postman (`cargo install --path .` puts it in
# ~/.cargo/bin, so ~/.cargo/share/man). man-db searches <dir>/../share/man for every
# <dir> on PATH, so `git help postman` and `git postman --help` find them with no
# MANPATH. Without an installed git-postman: ~/.local/share/man. With a MANDIR man does
# not search by itself, add it: export MANPATH="MANDIR:$MANPATH" (the trailing colon
# keeps the system's pages).
set -eu
source_dir=$(cd "$(dirname "$0")/../../man" && pwd)
if [ $# -ge 1 ]; then
    mandir=$1
elif bin=$(command -v git-postman 2>/dev/null); then
    mandir=$(cd "$(dirname "$bin")/.." && pwd)/share/man
else
    mandir=$HOME/.local/share/man
fi
mkdir -p "$mandir/man1"
count=0
for page in "$source_dir"/*.1; do
    cp "$page" "$mandir/man1/"
    chmod 644 "$mandir/man1/$(basename "$page")"
    count=$((count + 1))
done
echo "installed $count man pages in $mandir/man1"
