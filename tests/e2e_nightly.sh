#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/nightly-refresh --from-results on a clone of the repository, fed
# results files made from the committed generated/goid.json
# (tests/nightly_fixture.c): no toolchain, a few seconds.
#   1. the same measurements: exit 0, nothing committed; `merge --check`
#      says the table's revert (goid 152 -> 160 -> 152) once, as a note;
#   2. the same values from archives of other hashes: exit 11, one commit
#      "generated: toolchain provenance only (values unchanged)" that
#      changes toolchain hashes in goid.json and nothing else;
#   3. a changed value and other hashes: exit 10, first a table commit
#      that changes that value and keeps the hashes of unchanged entries,
#      then the provenance commit.
# usage: e2e_nightly.sh FIXTURE   (LUTGEN_SOURCE_ROOT, LUTGEN_EXE)
set -u
fixture=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=${LUTGEN_SOURCE_ROOT:?}
exe=${LUTGEN_EXE:?}
if ! command -v git >/dev/null; then
	# Under CI the suite provides its prerequisites: missing is a failure.
	case ${CI:-} in
	""|0|false) echo "SKIP: git not found" >&2; exit 77 ;;
	*) echo "FAIL (CI): git not found" >&2; exit 1 ;;
	esac
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

git clone -q "$src" "$scratch/repo" || exit 1
cd "$scratch/repo" || exit 1
# The script under test is the source tree's, on the committed tables.
cp "$src/scripts/nightly-refresh" scripts/nightly-refresh || exit 1
git config user.name test
git config user.email test@localhost
base=$(git rev-parse HEAD)
sha_c=cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc
nightly() {  # nightly WANT_RC RESULTS
	scripts/nightly-refresh --lutgen "$exe" --no-test --no-modules \
		--from-results "$2" \
		>"$scratch/out" 2>&1
	got=$?
	[ "$got" = "$1" ] || fail "nightly-refresh exited $got, want $1: $(cat "$scratch/out")"
}
# What a commit changed in goid.json, hashes blanked: prints the changed
# (old, new) values, or nothing when only hashes changed.
value_diff() {  # value_diff REV
	python3 - "$1" <<'PY'
import json, subprocess, sys
rev = sys.argv[1]
def load(r):
    return json.loads(subprocess.check_output(
        ["git", "show", "%s:generated/goid.json" % r]))
def blank(d):
    for lk in d["lookups"]:
        for e in lk["entries"]:
            e["toolchain_sha256"] = ""
        for arch in lk["ranges"].values():
            for rg in arch:
                rg["from_sha256"] = ""
    return d
a, b = blank(load(rev + "^")), blank(load(rev))
if a != b:
    ea = a["lookups"][0]["entries"][0]["value"]
    eb = b["lookups"][0]["entries"][0]["value"]
    print("%s %s" % (ea, eb))
PY
}

"$fixture" . goid "$scratch/same.json" || exit 1
nightly 0 "$scratch/same.json"
[ "$(git rev-parse HEAD)" = "$base" ] || fail "up to date, yet committed"

# goid_offset goes 152 -> 160 -> 152 (go1.23, go1.25) on both arches: a
# note in the summary on stdout, once for both arches; no warning.
"$exe" merge --check --out-dir generated "$scratch/same.json" \
	>"$scratch/merge.out" 2>"$scratch/merge.err" ||
	fail "merge --check of the same measurements: $(cat "$scratch/merge.err")"
n=$(grep -c '^note: goid: goid_offset/amd64,arm64: 160 in go1\.24\.[0-9]* -> 152 in go1\.25\.[0-9]*, back to the value of go1\.22\.[0-9]*$' \
	"$scratch/merge.out")
[ "$n" = 1 ] || fail "the revert is not one note on stdout: $(cat "$scratch/merge.out")"
[ "$(grep -c '^note: ' "$scratch/merge.out")" = 1 ] ||
	fail "more notes than the revert: $(cat "$scratch/merge.out")"
grep -q "warning" "$scratch/merge.err" && fail "a note printed as a warning: $(cat "$scratch/merge.err")"

"$fixture" . goid "$scratch/prov.json" --resha "$sha_c" || exit 1
nightly 11 "$scratch/prov.json"
[ "$(git log -1 --format=%s)" = "generated: toolchain provenance only (values unchanged)" ] ||
	fail "provenance commit subject: $(git log -1 --format=%s)"
[ "$(git rev-list --count "$base"..HEAD)" = 1 ] || fail "provenance: not one commit"
[ "$(git diff --name-only "$base" HEAD)" = generated/goid.json ] ||
	fail "provenance commit touches $(git diff --name-only "$base" HEAD)"
[ -z "$(value_diff HEAD)" ] || fail "provenance commit changes values: $(value_diff HEAD)"
grep -q "$sha_c" generated/goid.json || fail "hashes not refreshed"

git switch -q --detach "$base"
"$fixture" . goid "$scratch/both.json" --resha "$sha_c" --bump || exit 1
nightly 10 "$scratch/both.json"
[ "$(git rev-list --count "$base"..HEAD)" = 2 ] || fail "values + provenance: not two commits"
[ "$(git log -1 --format=%s HEAD~1)" = "generated: refresh lookup tables" ] ||
	fail "first commit: $(git log -1 --format=%s HEAD~1)"
[ "$(git log -1 --format=%s HEAD)" = "generated: toolchain provenance only (values unchanged)" ] ||
	fail "second commit: $(git log -1 --format=%s HEAD)"
[ -n "$(value_diff HEAD~1)" ] || fail "the table commit changes no value"
[ -z "$(value_diff HEAD)" ] || fail "the provenance commit changes values"
# The table commit keeps the hashes of unchanged entries: one entry's
# hash changes with its value, no other.
n=$(git diff "$base" HEAD~1 -- generated/goid.json | grep -c "^+.*$sha_c" || true)
[ "$n" -le 2 ] || fail "the table commit changes $n lines of hashes"
git log -1 --format=%b HEAD~1 | grep -q 'goid_offset/' ||
	fail "the table commit does not list the value change"

[ "$failures" = 0 ] || { echo "$failures check(s) failed" >&2; exit 1; }
echo "nightly-refresh: up to date, provenance only, values + provenance: ok"
