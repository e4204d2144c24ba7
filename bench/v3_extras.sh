#!/usr/bin/env bash
# How much of each collection the v3 converter keeps in its extras file
# (.resources/git-postman.v2.json, layout::v3::extras): the number of entries (items
# with something v3 has no field for) and of patches, per collection of
# ../shared/postman/collections/ and in total.
#
#   bench/v3_extras.sh [COLLECTION.json...]      (default: the shared collections)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
(cd "$repo" && cargo build --quiet --release --example v3-convert)
convert="$repo/target/release/examples/v3-convert"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ $# -gt 0 ] || set -- "$repo"/../shared/postman/collections/*.json
for input in "$@"; do
	out="$work/$(basename "$input" .json)"
	mkdir -p "$out"
	"$convert" to-v3 "$input" "$out" 2>/dev/null || { echo "$(basename "$input"): not converted" >&2; continue; }
done
python3 - "$work" <<'PY'
import json, pathlib, sys
rows, entries, patches = [], 0, 0
for d in sorted(pathlib.Path(sys.argv[1]).iterdir()):
    extras = list(d.glob("*/.resources/git-postman.v2.json"))
    kept = json.loads(extras[0].read_text()) if extras else {}
    items = {k: v for k, v in kept.items() if isinstance(v, list)}
    n = sum(len(v) for v in items.values())
    flags = " ".join(f"{k}={v}" for k, v in kept.items() if not isinstance(v, list))
    rows.append((d.name, len(items), n, flags))
    entries, patches = entries + len(items), patches + n
for name, e, n, flags in rows:
    print(f"{name:28} {e:5} entries {n:6} patches {flags}")
print(f"{'total':28} {entries:5} entries {patches:6} patches")
PY
