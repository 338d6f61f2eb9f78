#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/e2e_toolchain.sh - `lutgen toolchain` against the Debian-built
# mirror (scripts/go-mirror) over HTTP on 127.0.0.1, with a REAL toolchain:
#   - install it (trimmed), check the GOROOT printed and `bin/go version`;
#   - build and run a hello program with the trimmed toolchain;
#   - list --json names it with the sha256 of the mirror's archive
#     (computed here with sha256sum);
#   - a second install is served from the cache (no index, no download);
#   - two `lutgen toolchain install` at once in a fresh cache both succeed
#     with one download (counted in the mirror's request log);
#   - bin/ deleted by hand: reported offline, installed again online; a
#     FIFO in place of the metadata does not hang `toolchain list`;
#   - LUTGEN_EXTRACT_MAX_FILES / _BYTES stop an install past them;
#   - prune --all empties the cache;
#   - progress: on a terminal (pseudo-terminal) "download" and "extract"
#     bars at 100% once; into a file one line per download;
#   - modes under umask 027 (group-readable, nothing for others).
# Environment (from meson): LUTGEN_EXE, LUTGEN_GO_MIRROR.  Optional:
# LUTGEN_E2E_GO_VERSION (default go1.22.12, else the newest in the mirror).
set -eu

fail() { echo "e2e_toolchain: FAIL: $*" >&2; exit 1; }
# Under CI (CI=true) the suite provides its prerequisites: missing fails.
skip() {
	case "${CI:-}" in
	""|0|false) echo "e2e_toolchain: SKIP: $*" >&2; exit 77 ;;
	*) echo "e2e_toolchain: FAIL (CI): $*" >&2; exit 1 ;;
	esac
}

if [ "${1:-}" != "--inner" ]; then
	[ -n "${LUTGEN_EXE:-}" ] && [ -x "$LUTGEN_EXE" ] ||
		fail "LUTGEN_EXE (${LUTGEN_EXE:-unset}) is not an executable"
	[ -n "${LUTGEN_GO_MIRROR:-}" ] && [ -x "$LUTGEN_GO_MIRROR" ] ||
		fail "LUTGEN_GO_MIRROR (${LUTGEN_GO_MIRROR:-unset}) is not executable"
	command -v python3 >/dev/null || skip "python3 is not installed"
	command -v sha256sum >/dev/null || skip "sha256sum is not installed"
	case "$(uname -m)" in
	x86_64) ;;
	*) skip "the mirror holds linux-amd64 toolchains only" ;;
	esac
	index=$("$LUTGEN_GO_MIRROR" -q index) ||
		fail "scripts/go-mirror index failed (build the mirror: scripts/go-mirror build)"
	want=${LUTGEN_E2E_GO_VERSION:-go1.22.12}
	version=$(python3 - "$index" "$want" <<'EOF'
import json, sys
rels = json.load(open(sys.argv[1]))
names = [r["version"] for r in rels
         if any(f["os"] == "linux" and f["arch"] == "amd64" and
                f["kind"] == "archive" for f in r["files"])]
print(sys.argv[2] if sys.argv[2] in names else (names[0] if names else ""))
EOF
)
	[ -n "$version" ] || fail "the mirror index $index has no linux-amd64 archive"
	work=$(mktemp -d /tmp/lutgen-e2e-toolchain.XXXXXX)
	trap 'rm -rf "$work"' EXIT INT TERM
	export E2E_WORK="$work" E2E_VERSION="$version"
	export E2E_SRC="${LUTGEN_SOURCE_ROOT:?set by meson}"
	export E2E_MIRROR_FILES="$(dirname "$index")/files"
	export E2E_MIRROR_LOG="$work/mirror.log"
	# The mirror's request log goes to mirror.log; the inner script's
	# stderr to inner.err, shown afterwards.
	status=0
	"$LUTGEN_GO_MIRROR" -q run --log -- sh "$0" --inner \
		2>"$E2E_MIRROR_LOG" || status=$?
	[ ! -s "$work/inner.err" ] || cat "$work/inner.err" >&2
	[ $status = 0 ] || [ -s "$work/inner.err" ] || cat "$E2E_MIRROR_LOG" >&2
	exit $status
fi

# ---- inner: LUTGEN_INDEX_URL / LUTGEN_DOWNLOAD_URL point at the mirror.
work=$E2E_WORK
exec 2>>"$work/inner.err"
version=$E2E_VERSION
id="$version.linux-amd64"
# Archive downloads the mirror has served so far (go.dev style: /dl/<file>
# redirects to /files/<file>).
downloads() { grep -c "GET /files/$id.tar.gz " "$E2E_MIRROR_LOG" || true; }
export LUTGEN_CACHE="$work/cache"
unset XDG_CACHE_HOME GOROOT GOFLAGS GOPATH GOCACHE GOTOOLCHAIN || true

"$LUTGEN_EXE" toolchain --help | grep -q "install VERSION" ||
	fail "toolchain --help"
for c in install list prune; do
	"$LUTGEN_EXE" toolchain "$c" --help | grep -q "Usage: lutgen toolchain $c" ||
		fail "toolchain $c --help"
done

# An empty cache: nothing on stdout, stderr says so (and where).
"$LUTGEN_EXE" toolchain list >"$work/list.out" 2>"$work/list.err" ||
	fail "list on an empty cache failed"
[ -s "$work/list.out" ] && fail "list on an empty cache printed $(cat "$work/list.out")"
grep -q "no toolchains in .*$work/cache" "$work/list.err" ||
	fail "list on an empty cache does not say so: $(cat "$work/list.err")"
"$LUTGEN_EXE" --quiet toolchain list 2>"$work/list.err" >/dev/null
[ -s "$work/list.err" ] && fail "--quiet list said $(cat "$work/list.err")"

# On a terminal: a "download" bar, then an "extract" bar, each drawn at
# 100% once (tests/support/ptyrun.py puts stderr on a pseudo-terminal).
goroot=$(python3 "$E2E_SRC/tests/support/ptyrun.py" "$work/tty.out" \
	"$LUTGEN_EXE" toolchain install "$version") ||
	fail "toolchain install $version: $(cat "$work/tty.out")"
full='\[##############################\]'
for verb in download extract; do
	n=$(grep -a -o "$verb  *$id.tar.gz  *$full [ 0-9.]*/[0-9.]* MB in [0-9.]* s" \
		"$work/tty.out" | wc -l)
	[ "$n" = 1 ] || fail "the $verb bar at 100% shows $n times: $(cat -v "$work/tty.out" | tail -5)"
done
grep -a -q "download  *$id.tar.gz  *\[#*\.*\] " "$work/tty.out" ||
	fail "no download bar on the terminal"
grep -a -q "installed $id" "$work/tty.out" || fail "no 'installed' on the terminal"
mkdir -p "$work/cache"
expect="$(cd "$work/cache" && pwd -P)/toolchains/$id"
[ "$goroot" = "$expect" ] || fail "install printed '$goroot', expected '$expect'"
[ "$(downloads)" = 1 ] || fail "expected 1 download, the mirror served $(downloads)"

# The toolchain's own answer.
out=$("$goroot/bin/go" version) || fail "$goroot/bin/go version failed"
case "$out" in
"go version $version linux/amd64") ;;
*) fail "'$goroot/bin/go version' says '$out', expected $version" ;;
esac

# Trimmed: what go build needs is there, the rest is not.
[ -f "$goroot/src/runtime/proc.go" ] || fail "src/runtime/proc.go missing"
[ -x "$goroot/pkg/tool/linux_amd64/compile" ] || fail "compile missing"
[ -x "$goroot/pkg/tool/linux_amd64/link" ] || fail "link missing"
[ ! -e "$goroot/pkg/tool/linux_amd64/vet" ] || fail "vet not trimmed"
[ ! -e "$goroot/test" ] || fail "test/ not trimmed"
[ ! -e "$goroot/src/runtime/proc_test.go" ] || fail "_test.go not trimmed"

# Build and run a program with the trimmed toolchain.
mkdir -p "$work/hello" "$work/home"
cat > "$work/hello/main.go" <<'EOF'
package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
)

func main() {
	b, _ := json.Marshal(map[string]int{"ok": http.StatusOK})
	fmt.Fprintln(os.Stdout, "hello", string(b))
}
EOF
printf 'module hello\n\ngo 1.15\n' > "$work/hello/go.mod"
(cd "$work/hello" &&
	env GOROOT="$goroot" GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod \
	    CGO_ENABLED=0 GOCACHE="$work/gocache" GOPATH="$work/gopath" \
	    HOME="$work/home" "$goroot/bin/go" build -o "$work/hello/hello" .) ||
	fail "go build with the trimmed $version failed"
out=$("$work/hello/hello")
[ "$out" = 'hello {"ok":200}' ] || fail "hello printed '$out'"

# list --json: sha256 of the archive the mirror served.
sha=$(sha256sum "$E2E_MIRROR_FILES/$id.tar.gz" | cut -d' ' -f1)
"$LUTGEN_EXE" toolchain list --json > "$work/list.json" || fail "list --json"
python3 - "$work/list.json" "$version" "$goroot" "$sha" <<'EOF' || fail "list --json content"
import json, sys
doc = json.load(open(sys.argv[1]))
assert isinstance(doc, list) and len(doc) == 1, doc
t = doc[0]
assert t["version"] == sys.argv[2], t
assert t["goroot"] == sys.argv[3], t
assert t["sha256"] == sys.argv[4], t
assert t["trimmed"] is True and t["local"] is False, t
assert t["disk_bytes"] > 0 and t["saved_bytes"] > 0, t
EOF

# Installed: answered from the cache without the index or a download.
again=$(LUTGEN_INDEX_URL=http://127.0.0.1:9/unreachable \
	LUTGEN_DOWNLOAD_URL=http://127.0.0.1:9/unreachable \
	"$LUTGEN_EXE" --quiet toolchain install "$version") ||
	fail "second install needed the network"
[ "$again" = "$goroot" ] || fail "second install printed '$again'"
[ "$(downloads)" = 1 ] || fail "second install downloaded again"

# Two installs at once into a fresh cache: both succeed, one toolchain.
# Their stderr is a file: no bars, one line for the one download.  Under
# umask 027 (a cache for one group): nothing for others, all readable
# by the group, the toolchain root not mkdtemp's 0700.
export LUTGEN_CACHE="$work/cache2"
(umask 027 && exec "$LUTGEN_EXE" toolchain install "$version") \
	> "$work/a.out" 2> "$work/a.err" &
pa=$!
(umask 027 && exec "$LUTGEN_EXE" toolchain install "$version") \
	> "$work/b.out" 2> "$work/b.err" &
pb=$!
wait $pa || fail "concurrent install A: $(cat "$work/a.err")"
wait $pb || fail "concurrent install B: $(cat "$work/b.err")"
expect2="$(cd "$work/cache2" && pwd -P)/toolchains/$id"
[ "$(cat "$work/a.out")" = "$expect2" ] || fail "A printed $(cat "$work/a.out")"
[ "$(cat "$work/b.out")" = "$expect2" ] || fail "B printed $(cat "$work/b.out")"
[ "$(downloads)" = 2 ] ||
	fail "two concurrent installs: expected 1 more download, total $(downloads)"
[ -z "$(ls -A "$work/cache2/tmp")" ] || fail "tmp/ not empty"
[ -z "$(ls -A "$work/cache2/downloads")" ] || fail "downloads/ not empty"
"$expect2/bin/go" version | grep -q "go version $version " ||
	fail "concurrently installed toolchain does not run"
cat "$work/a.err" "$work/b.err" > "$work/ab.err"
n=$(grep -c "^$id.tar.gz downloaded ([0-9.]* MB) in [0-9.]* s\$" "$work/ab.err")
[ "$n" = 1 ] || fail "expected one 'downloaded' line, got $n: $(cat "$work/ab.err")"
grep -q "$(printf '\r')" "$work/ab.err" && fail "a bar was drawn into a file"
[ "$(stat -c %a "$expect2")" = 750 ] ||
	fail "toolchain root is mode $(stat -c %a "$expect2") under umask 027"
bad=$(find "$work/cache2" ! -type l \( -perm /007 -o ! -perm -040 \) | head -3)
[ -z "$bad" ] || fail "modes do not follow umask 027: $(ls -ld $bad)"
bad=$(find "$work/cache2" -type d ! -perm -050 | head -3)
[ -z "$bad" ] || fail "directories the group cannot enter: $(ls -ld $bad)"

# Damaged by hand: bin/ deleted.  Without an index the install fails
# naming the damage; with it the toolchain is installed again.  A FIFO in
# place of the metadata does not hang `toolchain list`.
rm -rf "$expect2/bin"
if LUTGEN_INDEX_URL=http://127.0.0.1:9/unreachable \
	"$LUTGEN_EXE" --quiet toolchain install --index-timeout 3 "$version" \
	>/dev/null 2>"$work/d.err"; then
	fail "install of a toolchain without bin/ succeeded offline"
fi
grep -q "is damaged" "$work/d.err" || fail "damage not named: $(cat "$work/d.err")"
again=$("$LUTGEN_EXE" --quiet toolchain install "$version") ||
	fail "reinstall of the damaged toolchain"
[ "$again" = "$expect2" ] || fail "reinstall printed '$again'"
"$expect2/bin/go" version | grep -q "go version $version " ||
	fail "reinstalled toolchain does not run"
rm -f "$expect2/.lutgen-toolchain.json"
mkfifo "$expect2/.lutgen-toolchain.json"
timeout 30 "$LUTGEN_EXE" toolchain list >"$work/l.out" 2>"$work/l.err" ||
	fail "toolchain list with a FIFO as metadata: exit $?"
grep -q "not a regular file" "$work/l.err" || fail "FIFO not reported: $(cat "$work/l.err")"
rm -f "$expect2/.lutgen-toolchain.json"

# Archive bomb limits from the environment: a real toolchain is past 10
# files and past 1 MB, so both stop the install with the limit and its
# variable named, publish nothing and leave tmp/ empty.  The download is
# kept: the second attempt only extracts.
export LUTGEN_CACHE="$work/cache3"
before=$(downloads)
for lim in LUTGEN_EXTRACT_MAX_FILES=10 LUTGEN_EXTRACT_MAX_BYTES=1000000; do
	if env "$lim" "$LUTGEN_EXE" --quiet toolchain install "$version" \
		>/dev/null 2>"$work/bomb.err"; then
		fail "$lim: a real toolchain installed"
	fi
	case $lim in
	*FILES*) want="holds more than 10 files; stopped" ;;
	*) want="expands to more than 1000000 bytes; stopped" ;;
	esac
	grep -q "$want" "$work/bomb.err" ||
		fail "$lim: not named: $(cat "$work/bomb.err")"
	grep -q "${lim%%=*}" "$work/bomb.err" ||
		fail "$lim: the variable is not named: $(cat "$work/bomb.err")"
	[ -z "$(ls -A "$work/cache3/toolchains")" ] ||
		fail "$lim: a toolchain was published"
	[ -z "$(ls -A "$work/cache3/tmp")" ] || fail "$lim: tmp/ not empty"
done
[ "$(downloads)" = $((before + 1)) ] ||
	fail "the limits: expected 1 more download, $before before, $(downloads) now"
LUTGEN_EXTRACT_MAX_FILES=many "$LUTGEN_EXE" --quiet toolchain install \
	"$version" >/dev/null 2>"$work/bomb.err" &&
	fail "LUTGEN_EXTRACT_MAX_FILES=many accepted"
grep -q "LUTGEN_EXTRACT_MAX_FILES 'many'" "$work/bomb.err" ||
	fail "bad limit not named: $(cat "$work/bomb.err")"
export LUTGEN_CACHE="$work/cache2"

# prune --all empties both caches.
for cache in "$work/cache" "$work/cache2" "$work/cache3"; do
	LUTGEN_CACHE=$cache "$LUTGEN_EXE" --quiet toolchain prune --all >/dev/null ||
		fail "prune --all"
	[ -z "$(ls -A "$cache/toolchains")" ] || fail "prune --all left toolchains in $cache"
done
echo "e2e_toolchain: OK ($version)"
