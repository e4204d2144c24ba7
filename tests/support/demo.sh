#!/usr/bin/env bash
# The demo: installs git-postman and runs the main job end to end against the bundled
# fake Postman API, narrating each step. Safe to run again; it works in a temporary
# directory and stops the fake server when it ends.
#
# Usage: tests/support/demo.sh        (from a checkout, on Debian with the Rust toolchain)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '\033[36m$ %s\033[0m\n' "$*"; "$@"; }

say "Installing: Debian packages, then git-postman (one release build, with the fake)"
tests/support/install-deps.sh --demo
# One cargo build for the binary and the fake: `cargo install` and then the fake (which
# has dev-dependencies, so other features) would compile everything twice. Only the
# multi-call binary: the other two names are links to it.
cargo build --quiet --locked --release --bin git-postman --example fake-postman
# The one binary, its two other names as links, man pages and completions under ~/.local.
target/release/git-postman install --prefix "$HOME/.local" >/dev/null
export PATH="$HOME/.local/bin:$PATH"

work=$(mktemp -d)
log="$work/fake.log"
target/release/examples/fake-postman --port 0 --seed sample >"$log" 2>&1 &
fake_pid=$!
trap 'kill $fake_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q FAKE_POSTMAN_API_ID "$log" && break; sleep 0.1; done
url=$(sed -n 's/^FAKE_POSTMAN_URL=//p' "$log")
api=$(sed -n 's/^FAKE_POSTMAN_API_ID=//p' "$log")
export POSTMAN_API_KEY
POSTMAN_API_KEY=$(sed -n 's/^POSTMAN_API_KEY=//p' "$log")
remote="postman::$url/apis/$api"
export GIT_AUTHOR_NAME="Demo" GIT_AUTHOR_EMAIL="demo@example.com"
export GIT_COMMITTER_NAME="Demo" GIT_COMMITTER_EMAIL="demo@example.com"
cd "$work"

say "The fake Postman API runs at $url with the API 'Payments API' ($api)"
say "Clone it with plain git"
run git clone "$remote" payments-api
cd payments-api
run git log --stat --format='%h %an <%ae> %ad%n    %s' HEAD
run git tag --list
run cat ".postman/api_$api"

say "Someone edits the API in Postman (here: a PUT to the fake's API)"
schema_id=$(curl -sf -H "X-API-Key: $POSTMAN_API_KEY" -H 'Accept: application/vnd.api.v10+json' \
	"$url/apis/$api?include=schemas" | sed -n 's/.*"schemas":\[{"id":"\([^"]*\)".*/\1/p')
curl -sf -X PUT -H "X-API-Key: $POSTMAN_API_KEY" -H 'Accept: application/vnd.api.v10+json' \
	-H 'Content-Type: application/json' \
	-d '{"content":"type: object\nrequired: [amount, currency]\nproperties:\n  amount: {type: integer}\n  currency: {type: string}\n"}' \
	"$url/apis/$api/schemas/$schema_id/files/components/schemas/Money.yaml" >/dev/null
run git pull --ff-only
run git log --oneline --stat -1

say "Edit in git and push: Postman gets exactly this change"
printf '# Reviewed in git\n' >>postman/schemas/index.yaml
run git commit -qam "Review note on the API definition"
run git push
run git fetch
run git status -sb

say "Add a schema file in git: Postman gets it, and the next push needs no pull"
cat >postman/schemas/components/schemas/Refund.yaml <<'YAML'
type: object
properties:
  amount:
    $ref: Money.yaml
YAML
printf '    Refund:\n      $ref: components/schemas/Refund.yaml\n' >>postman/schemas/index.yaml
run git add -A
run git commit -qm "Refund schema"
run git push
printf '# Refunds reviewed\n' >>postman/schemas/index.yaml
run git commit -qam "Refunds reviewed"
run git push
run git pull --ff-only

say "A concurrent change in Postman: git refuses the push, as it would for any remote"
curl -sf -X PUT -H "X-API-Key: $POSTMAN_API_KEY" -H 'Accept: application/vnd.api.v10+json' \
	-H 'Content-Type: application/json' -d '{"content":"type: string\n"}' \
	"$url/apis/$api/schemas/$schema_id/files/components/schemas/Error.yaml" >/dev/null
printf '# second note\n' >>postman/schemas/index.yaml
run git commit -qam "Second note"
run git push || true
run git pull --no-rebase --no-edit
run git push

say "Publish version v1.1.0 from an annotated tag"
run git tag -a v1.1.0 -m "Refunds"
run git push origin v1.1.0
run git ls-remote origin

say "Move to Postman v12: the API becomes a Spec Hub spec in a workspace, in one commit"
run git postman migrate --new-workspace "Payments"
run git log --stat --format='%h %an <%ae>%n    %s' -1
run git remote get-url origin
run cat .postman/resources.yaml

say "The same plain git on the workspace: edit the spec and a request, push, tag"
spec_dir=$(find postman/specs -mindepth 1 -maxdepth 1 | head -1)
printf '# Reviewed on v12\n' >>"$(find "$spec_dir" -type f -name '*.yaml' | sort | head -1)"
request=$(find postman/collections -name '*.request.yaml' | sort | head -1)
printf 'description: Reviewed on v12\n' >>"$request"
run git commit -qam "Reviewed on v12"
run git push
run git pull --ff-only
run git tag -a v2.0.0 -m "First Spec Hub version"
run git push origin v2.0.0
run git postman status

say "Done. Everything above was plain git; the Postman side was the fake server."
