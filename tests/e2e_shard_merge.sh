#!/bin/sh
# SPDX-License-Identifier: MIT
# e2e: a sharded run renders what an unsharded run renders.
#
#   lutgen generate goid --shard K/2 --results-out rK.json   (K = 1, 2)
#   lutgen merge r1.json r2.json --out-dir merged
#   lutgen generate goid --out-dir direct
# must give byte-identical files; then the --check exit codes: 0 when up
# to date, 3 (summary on stdout) against an empty directory, 1 for an
# incomplete shard set.
#
# Real toolchains from the Debian-built mirror (`go-mirror goroots`, used
# as --goroot, so nothing is downloaded) and an index cut down to three
# of the mirror's releases (3 versions x 2 arches = 6 builds).
set -u
exe=${LUTGEN_EXE:?set by meson}
src=${LUTGEN_SOURCE_ROOT:?set by meson}
mirror=${LUTGEN_GO_MIRROR:?set by meson}

index=$("$mirror" --quiet index) || { echo "go-mirror index failed" >&2; exit 1; }
goroots=$("$mirror" --quiet goroots) || { echo "go-mirror goroots failed" >&2; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

keep="go1.21.13 go1.22.12 go1.23.5"
python3 - "$index" "$scratch/index.json" $keep <<'EOF' || exit 1
import json, sys
rel = json.load(open(sys.argv[1]))
keep = set(sys.argv[3:])
out = [r for r in rel if r["version"] in keep]
if len(out) != len(keep):
    sys.exit("mirror index lacks some of %s" % sorted(keep))
json.dump(out, open(sys.argv[2], "w"))
EOF
set -- --quiet --cache "$scratch/cache" --index-url "file://$scratch/index.json"
for v in $keep; do
	dir=$(printf '%s\n' "$goroots" | awk -v v="$v" '$1 == v { print $2 }')
	[ -n "$dir" ] || { echo "no GOROOT for $v in the mirror" >&2; exit 1; }
	set -- "$@" --goroot "$dir"
done
spec=$src/lutgen/specs/goid.json
export TMPDIR="$scratch"

for k in 1 2; do
	"$exe" "$@" generate "$spec" --shard "$k/2" --results-out "$scratch/r$k.json" \
		>"$scratch/out" 2>"$scratch/err" || fail "shard $k/2: $(cat "$scratch/err")"
done
"$exe" "$@" merge --out-dir "$scratch/merged" "$scratch/r2.json" "$scratch/r1.json" \
	>"$scratch/out" 2>"$scratch/err" || fail "merge: $(cat "$scratch/err")"
"$exe" "$@" generate "$spec" --out-dir "$scratch/direct" \
	>"$scratch/out" 2>"$scratch/err" || fail "unsharded: $(cat "$scratch/err")"
for f in goid.c goid.h goid.json lutgen_go.c lutgen_go.h; do
	cmp "$scratch/direct/$f" "$scratch/merged/$f" || fail "$f differs"
done
# The committed JSON lists the three versions per arch (by hand: 3 x 2).
python3 - "$scratch/merged/goid.json" <<'EOF' || fail "merged goid.json entries"
import json, sys
doc = json.load(open(sys.argv[1]))
got = sorted((e["version"], e["arch"]) for e in doc["lookups"][0]["entries"])
want = sorted((v, a) for v in ("go1.21.13", "go1.22.12", "go1.23.5")
              for a in ("amd64", "arm64"))
assert got == want, got
EOF

check() {  # check WANT_RC ARGS...
	want=$1
	shift
	"$exe" "$@" >"$scratch/out" 2>"$scratch/err"
	got=$?
	[ "$got" = "$want" ] || fail "lutgen $* exited $got, want $want: $(cat "$scratch/err")"
}
check 0 "$@" merge --check --out-dir "$scratch/direct" "$scratch/r1.json" "$scratch/r2.json"
grep -qx 'goid: up to date' "$scratch/out" || fail "merge --check: $(cat "$scratch/out")"
check 0 "$@" generate --check --out-dir "$scratch/merged" "$spec"
grep -qx 'goid: up to date' "$scratch/out" || fail "generate --check: $(cat "$scratch/out")"
mkdir "$scratch/empty"
check 3 "$@" generate --check --out-dir "$scratch/empty" "$spec"
grep -q '^goid: new table (' "$scratch/out" || fail "generate --check summary: $(cat "$scratch/out")"
[ -e "$scratch/empty/goid.c" ] && fail "--check wrote files"
check 3 "$@" merge --check --out-dir "$scratch/empty" "$scratch/r1.json" "$scratch/r2.json"
check 1 "$@" merge --check --out-dir "$scratch/direct" "$scratch/r1.json"
grep -q 'incomplete: 1 of 2 shards missing (2/2)' "$scratch/err" || fail "incomplete message: $(cat "$scratch/err")"

if [ "$failures" -ne 0 ]; then
	echo "$failures check(s) failed" >&2
	exit 1
fi
echo "e2e_shard_merge: sharded and unsharded output identical"
