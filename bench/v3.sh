#!/usr/bin/env bash
# Benchmark: the Collection v3 converter (layout::v3) both ways, next to Postman's own
# converter (`postman collection migrate`, the pinned postman-cli) on the same file in
# the same run.
#
#   bench/v3.sh [COLLECTION_MB]      (default: 30)
#
# Converts the largest collection of ../shared/postman/collections/ and a synthetic
# collection of about COLLECTION_MB (folders, requests with headers, query, scripts and
# examples, URLs as the API serves them), v2.1 -> v3 and v3 -> v2.1, and prints wall
# time, peak memory (max RSS), peak memory over the JSON's size (issue 11: at most 3x)
# and the time ratio to `postman collection migrate`. Not a test: run it on demand. Needs python3,
# /usr/bin/time and `tests/support/install-deps.sh` (it installs the pinned
# Postman CLI).
set -euo pipefail
megabytes=${1:-30}
repo=$(cd "$(dirname "$0")/.." && pwd)
postman="$repo/tests/support/postman-cli/node_modules/.bin/postman"
[ -x "$postman" ] || { echo "the Postman CLI is missing: run tests/support/install-deps.sh" >&2; exit 1; }

(cd "$repo" && cargo build --quiet --release --example v3-convert)
convert="$repo/target/release/examples/v3-convert"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The CLI's update check asks this host; a closed loopback port keeps it off the network.
export ARS_CLI_BASE_URL=http://127.0.0.1:9

largest=$(ls -S "$repo"/../shared/postman/collections/*.json 2>/dev/null | head -1 || true)
python3 - "$work/synthetic.json" "$megabytes" <<'PY'
import json, sys
out, mb = sys.argv[1], int(sys.argv[2])
folders, size, n = [], 0, 0
while size < mb * 1024 * 1024:
    items = []
    for _ in range(50):
        item = {"name": f"Request {n}", "id": f"00000000-0000-4000-8000-{n:012d}",
                "event": [{"listen": "test", "script": {"type": "text/javascript",
                           "exec": ["pm.test('status', function () {", "    pm.response.to.have.status(200);", "});"]}}],
                "request": {"method": "POST",
                            "header": [{"key": "Content-Type", "value": "application/json"}, {"key": "X-N", "value": str(n)}],
                            "body": {"mode": "raw", "raw": json.dumps({"n": n, "pad": "x" * 200}, indent=2),
                                     "options": {"raw": {"language": "json"}}},
                            "url": {"raw": f"https://{{{{host}}}}/r/{n}?page=1", "protocol": "https", "host": ["{{host}}"], "path": ["r", str(n)],
                                    "query": [{"key": "page", "value": "1"}]},
                            "description": f"Request number {n}, with a description long enough to be folded by the YAML writer at eighty columns."},
                "response": [{"name": "OK", "code": 200, "status": "OK", "_postman_previewlanguage": "json",
                              "header": [{"key": "Content-Type", "value": "application/json"}],
                              "body": json.dumps({"id": n, "items": list(range(20))}, indent=2)}]}
        items.append(item)
        # As written below: tab indented, five levels deep (collection, item, folder, item).
        text = json.dumps(item, indent="\t")
        size += len(text) + 5 * text.count("\n")
        n += 1
    folders.append({"name": f"Folder {len(folders)}", "item": items})
collection = {"info": {"_postman_id": "0b5e7c11-0000-4000-8000-00000000beef", "name": "Synthetic",
                       "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
              "item": folders, "variable": [{"key": "host", "value": "api.example.com"}]}
with open(out, "w") as f:
    json.dump(collection, f, indent="\t")
print(f"synthetic collection: {n} requests in {len(folders)} folders", file=sys.stderr)
PY

. "$repo/bench/measure.sh"

# conv NAME: the in-memory conversion time v3-convert reports (the rest is file I/O).
conv() { sed -n 's/^conversion: \(.*\) s$/\1/p' "$work/$1.err"; }
printf '%-14s %8s %9s %9s %9s %10s %7s %11s %8s\n' collection "JSON MB" step "ours (s)" "in-mem s" "ours (MB)" "x JSON" "migrate (s)" ratio
for input in ${largest:+"$largest"} "$work/synthetic.json"; do
	label=$(basename "$input" .json)
	mkdir -p "$work/$label/ours" "$work/$label/postman"
	measure to_v3 "$work" "$convert" to-v3 "$input" "$work/$label/ours"
	measure migrate "$work/$label/postman" "$postman" collection migrate "$input"
	tree=$(find "$work/$label/ours" -mindepth 1 -maxdepth 1 -type d)
	measure to_v2 "$work" "$convert" to-v2 "$tree" "$work/$label/back.json"
	mb=$(python3 -c "import os; print(f'{os.path.getsize(\"$input\")/1048576:.1f}')")
	json_kb=$(($(stat -c %s "$input") / 1024))
	printf '%-14s %8s %9s %9s %9s %10s %7s %11s %8s\n' "$label" "$mb" "v2.1->v3" "$to_v3_s" "$(conv to_v3)" "$((to_v3_kb / 1024))" "$(ratio "$to_v3_kb" "$json_kb")" "$migrate_s" "$(ratio "$to_v3_s" "$migrate_s")"
	printf '%-14s %8s %9s %9s %9s %10s %7s %11s %8s\n' "" "" "v3->v2.1" "$to_v2_s" "$(conv to_v2)" "$((to_v2_kb / 1024))" "$(ratio "$to_v2_kb" "$json_kb")" "" ""
	echo "  postman collection migrate: peak $((migrate_kb / 1024)) MB ($(ratio "$to_v3_kb" "$migrate_kb") ours/theirs)"
done
echo "(x JSON: our peak memory / the JSON's size; ratio: our time / postman collection migrate's time on the same file)"
