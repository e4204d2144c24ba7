#!/usr/bin/env bash
# Benchmark: the remote helper's peak memory (max RSS) when the server or git hands it
# something hostile, next to a normal clone measured in the same run (issue 13).
#
#   bench/hostile.sh
#
# A clone of the fake's sample API goes through a small proxy (python3) that passes
# every request to the fake Postman API, except the first `GET /collections/<uid>`,
# which it answers with:
#   baseline        nothing changed: the normal clone
#   body-200MB      200 MB of JSON with its Content-Length (over the 160 MB cap)
#   chunked-200MB   the same sent chunked, no length announced: the cap must stop reading
#   nested-20000    a collection whose "variable" field is [[[...]]] 20,000 deep
#   nested-100000   the same 100,000 deep
# and, straight to the helper's stdin (no server):
#   line-100MB      one protocol line of 100 MB
# The helper runs under /usr/bin/time (a wrapper first on PATH), so the figure is the
# helper's own peak RSS, not git's. Each hostile case must fail (a clear error, no
# crash); the baseline must succeed. Not a test: run it on demand (release build).
# RELEASE_DIR=<dir> takes git-postman and examples/fake-postman from there, unbuilt:
# RELEASE_DIR=target/debug measures a debug build (after `cargo build --bin git-postman
# --example fake-postman`), whose baseline is larger; the ratios to the baseline of the
# same run are what count.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${RELEASE_DIR:-}" ]; then
	(cd "$repo" && cargo build --quiet --locked --release --bin git-postman --example fake-postman)
fi
release=${RELEASE_DIR:-$repo/target/release}

work=$(mktemp -d)
trap 'kill ${fake_pid:-} ${proxy_pid:-} 2>/dev/null; rm -rf "$work"' EXIT
. "$repo/bench/measure.sh"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
export GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 HOME="$work/home"
mkdir -p "$HOME" "$work/bin" "$work/helper"
git config --global init.defaultBranch main

# The helper is the multi-call binary run by that name (as installed: a link).
helper="$work/helper/git-remote-postman"
ln -s "$release/git-postman" "$helper"
# Measured: git runs this wrapper, which records the helper's own max RSS.
cat >"$work/bin/git-remote-postman" <<SH
#!/bin/sh
exec /usr/bin/time -f %M -a -o "$work/helper.kb" "$helper" "\$@"
SH
chmod +x "$work/bin/git-remote-postman"
export PATH="$work/bin:$PATH"

"$release/examples/fake-postman" --port 0 --seed sample >"$work/fake.log" 2>&1 &
fake_pid=$!
for _ in $(seq 100); do grep -q FAKE_POSTMAN_API_ID "$work/fake.log" && break; sleep 0.1; done
fake_url=$(sed -n 's/^FAKE_POSTMAN_URL=//p' "$work/fake.log")
api=$(sed -n 's/^FAKE_POSTMAN_API_ID=//p' "$work/fake.log")
export POSTMAN_API_KEY
POSTMAN_API_KEY=$(sed -n 's/^POSTMAN_API_KEY=//p' "$work/fake.log")

# The proxy reads the case to play from $work/case before each request.
cat >"$work/proxy.py" <<'PY'
import http.client, http.server, os, sys, urllib.parse
upstream = urllib.parse.urlsplit(sys.argv[1])
case_file = sys.argv[2]
MB = 1024 * 1024

def hostile(case):
    """(chunks, length or None) of the hostile answer for `case`."""
    if case.startswith("nested-"):
        depth = int(case.split("-")[1])
        body = ('{"collection":{"info":{"name":"Deep","schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},"item":[],"variable":'
                + "[" * depth + "]" * depth + "}}").encode()
        return [body], len(body)
    size = int(case.split("-")[1].rstrip("MB")) * MB
    head = b'{"collection":{"info":{"name":"Big"},"item":[],"x":"'
    tail = b'"}}'
    pad = b"x" * MB
    chunks = [head] + [pad] * ((size - len(head) - len(tail)) // MB) + [tail]
    return chunks, (None if case.startswith("chunked") else sum(map(len, chunks)))

class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def handle_one(self):
        case = open(case_file).read().strip()
        if case != "baseline" and self.command == "GET" and self.path.startswith("/collections/") \
                and not os.path.exists(case_file + ".used"):
            open(case_file + ".used", "w").close()
            chunks, length = hostile(case)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if length is None:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(length))
            self.end_headers()
            try:
                for c in chunks:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(c), c) if length is None else c)
                if length is None:
                    self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the helper stopped reading: what the cap is for
            self.close_connection = True
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        conn.request(self.command, self.path, body=body or None, headers=headers)
        answer = conn.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for k, v in answer.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = handle_one

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
print(server.server_address[1], flush=True)
server.serve_forever()
PY
echo baseline >"$work/case"
python3 "$work/proxy.py" "$fake_url" "$work/case" >"$work/proxy.port" &
proxy_pid=$!
for _ in $(seq 100); do [ -s "$work/proxy.port" ] && break; sleep 0.1; done
url="postman::http://127.0.0.1:$(cat "$work/proxy.port")/apis/$api"

# clone_case NAME: a clone through the proxy playing NAME; prints the helper's max RSS
# (KB), and git's last line of stderr to $work/NAME.err. Success is asked of the baseline only.
clone_case() {
	echo "$1" >"$work/case"
	rm -f "$work/case.used" "$work/helper.kb"
	local status=0
	git clone -q "$url" "$work/clone-$1" 2>"$work/$1.err" || status=$?
	if [ "$1" = baseline ] && [ $status != 0 ]; then cat "$work/$1.err" >&2; exit 1; fi
	if [ "$1" != baseline ] && { [ $status = 0 ] || [ ! -e "$work/case.used" ]; }; then
		echo "$1: the clone did not meet the hostile answer (status $status)" >&2
		exit 1
	fi
	sort -n "$work/helper.kb" | tail -1
}

printf '%-15s %12s %9s  %s\n' case "helper RSS" ratio "what the helper said"
base_kb=$(clone_case baseline)
printf '%-15s %9d KB %9s  %s\n' baseline "$base_kb" 1.00x "(clone succeeded)"
for case in body-200MB chunked-200MB nested-20000 nested-100000; do
	kb=$(clone_case "$case")
	said=$(grep -v '^warning' "$work/$case.err" | head -1 | sed 's/[0-9a-f-]\{30,\}/<uid>/' | cut -c1-150)
	printf '%-15s %9d KB %9s  %s\n' "$case" "$kb" "$(ratio "$kb" "$base_kb")" "$said"
done

# A 100 MB protocol line on the helper's stdin, inside a clone's repository.
head -c $((100 * 1024 * 1024)) /dev/zero | tr '\0' x >"$work/line"
echo >>"$work/line"
status=0
(cd "$work/clone-baseline" && GIT_DIR=.git /usr/bin/time -f %M -o "$work/line.kb" \
	"$helper" origin "$url" <"$work/line" >/dev/null 2>"$work/line.err") || status=$?
kb=$(cat "$work/line.kb" | tail -1)
[ "$status" != 0 ] || { echo "line-100MB: the helper accepted it" >&2; exit 1; }
printf '%-15s %9d KB %9s  %s\n' line-100MB "$kb" "$(ratio "$kb" "$base_kb")" "$(head -c 110 "$work/line.err" | head -1)"
