#!/bin/sh
# SPDX-License-Identifier: MIT
# e2e: `lutgen versions` against tests/fixtures/index/realistic.json read
# through a file:// URL: selections, exit codes (0 ok, 1 failure, 2 usage),
# the --json document, --help on stdout; the index's time limit against a
# trickling server, and no retries for a host name that does not resolve;
# `generate` refusing specs whose C would clash (issue 8 item 9).
#
# Expected versions are read by hand from the fixture (7 releases:
# go1.23rc1, go1.22.4, go1.21.0, go1.20, go1.9.2rc2, go1.2.2, go1) and the
# policies documented in rungo/select.h.
set -u
exe=${LUTGEN_EXE:?set by meson}
src=${LUTGEN_SOURCE_ROOT:?set by meson}
fixture=$src/tests/fixtures/index/realistic.json
url="file://$fixture"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# run EXPECTED_RC ARGS...: stdout to $scratch/out, stderr to $scratch/err.
run() {
	want=$1
	shift
	"$exe" "$@" >"$scratch/out" 2>"$scratch/err"
	got=$?
	if [ "$got" != "$want" ]; then
		fail "lutgen $* exited $got, want $want; stderr: $(cat "$scratch/err")"
	fi
}

# expect_out LINE...: stdout is exactly these lines.
expect_out() {
	if [ $# -eq 0 ]; then
		: >"$scratch/want"
	else
		printf '%s\n' "$@" >"$scratch/want"
	fi
	if ! cmp -s "$scratch/want" "$scratch/out"; then
		fail "stdout differs:
--- want
$(cat "$scratch/want")
--- got
$(cat "$scratch/out")"
	fi
}

# Policy minor (default): per minor its x.y.0, else its newest; go1.9 and
# go1.23 have only prereleases and are left out.
run 0 versions --index-url "$url"
expect_out go1 go1.2.2 go1.20 go1.21.0 go1.22.4

# Only releases with a linux/arm64 archive.
run 0 versions --index-url "$url" --os linux --arch arm64
expect_out go1.21.0 go1.22.4

# linux/amd64 with prereleases: the prerelease-only minors come back.
run 0 versions --index-url "$url" --os linux --arch amd64 --prerelease
expect_out go1.2.2 go1.9.2rc2 go1.20 go1.21.0 go1.22.4 go1.23rc1

# Every stable release from go1.20 on, up to go1.21.
run 0 versions --index-url "$url" --policy all --min go1.20 --max 1.21.0
expect_out go1.20 go1.21.0

# Both ends of each minor; with prereleases, a prerelease-only minor
# gives its newest (one release per minor in this fixture).
run 0 versions --index-url "$url" --policy ends --prerelease
expect_out go1 go1.2.2 go1.9.2rc2 go1.20 go1.21.0 go1.22.4 go1.23rc1

# The environment works like the option; global options before the
# subcommand too.
LUTGEN_INDEX_URL=$url run 0 --quiet versions --min go1.22
expect_out go1.22.4

# Nothing matches: success, empty stdout.
run 0 --quiet versions --index-url "$url" --min go1.30
expect_out

# --json: one document, fields as documented in lutgen/cli/cmd_versions.c.
run 0 --json versions --index-url "$url" --os linux --arch arm64
python3 - "$scratch/out" "$url" <<'EOF' || fail "--json document"
import json, sys
doc = json.load(open(sys.argv[1]))
url = sys.argv[2]
assert doc["index_url"] == url, doc["index_url"]
assert doc["policy"] == "minor"
assert doc["prerelease"] is False
assert doc["min"] is None and doc["max"] is None
assert doc["os"] == "linux" and doc["arch"] == "arm64"
vs = doc["versions"]
assert [v["version"] for v in vs] == ["go1.21.0", "go1.22.4"], vs
assert all(v["stable"] is True for v in vs)
a = vs[0]["archives"]
assert sorted(a) == ["linux-amd64", "linux-arm64", "windows-arm64"], sorted(a)
assert a["linux-arm64"] == {
    "filename": "go1.21.0.linux-arm64.tar.gz",
    "sha256": "2ad9c118e1b15ce1ccb547a38928d274706c77bc890c30ca0df0b5b15fa3757c",
    "size": 62793203}, a["linux-arm64"]
b = vs[1]["archives"]["linux-arm64"]
assert b["sha256"] == "e9256e2dbc77fa948fbed399c6a5a6156d373569bdcdb91673dde0b7b2b81052"
assert b["size"] == 65432245
EOF

# --json with --min spelled without "go": canonical spelling in "min"
# (from go1.21 on the .0 is spelled out, rungo/version.h).
run 0 --json versions --index-url "$url" --min 1.21 --policy latest-patch
python3 - "$scratch/out" <<'EOF' || fail "--json min spelling"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["min"] == "go1.21.0", doc["min"]
assert doc["policy"] == "latest-patch"
assert [v["version"] for v in doc["versions"]] == ["go1.21.0", "go1.22.4"]
EOF

# --help: stdout, exit 0, nothing on stderr; also `lutgen help versions`.
run 0 versions --help
grep -q '^Usage: lutgen versions' "$scratch/out" || fail "--help not on stdout"
[ -s "$scratch/err" ] && fail "--help wrote to stderr"
run 0 help versions
grep -q '^Usage: lutgen versions' "$scratch/out" || fail "help versions"

# Usage errors: 2, nothing on stdout.
run 2 versions --index-url "$url" --bogus
[ -s "$scratch/out" ] && fail "usage error printed on stdout"
grep -q "unknown option" "$scratch/err" || fail "unknown option message"
run 2 versions --index-url "$url" --min go1.x
run 2 versions --index-url "$url" --min go1.22 --max go1.21
grep -q "above --max" "$scratch/err" || fail "--min above --max message"
run 2 versions --index-url "$url" --policy newest
run 2 versions --index-url "$url" extra
run 2 versions --index-url "$url" --min

# Failures: 1 with a message naming the problem.
run 1 versions --index-url "file://$scratch/no-such-index.json"
[ -s "$scratch/err" ] || fail "missing index: no message"
run 1 versions --index-url "file://$src/tests/fixtures/index/not-an-index.json"
[ -s "$scratch/err" ] || fail "not an index: no message"
# ... and with --json the error is the one stdout document.
run 1 --json versions --index-url "file://$scratch/no-such-index.json"
python3 - "$scratch/out" <<'EOF' || fail "--json error document"
import json, sys
doc = json.load(open(sys.argv[1]))
assert isinstance(doc.get("error"), str) and doc["error"], doc
EOF

# A server that trickles a byte every 0.2 s never stalls: the index's
# total time limit ends it (option and environment), and the message
# shows the way out.
python3 - "$scratch/port" <<'EOF' &
import http.server, os, socketserver, sys, time
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            for _ in range(100000):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass
    def log_message(self, *a):
        pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(s.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
EOF
trickle_pid=$!
trap 'kill $trickle_pid 2>/dev/null; rm -rf "$scratch"' EXIT
i=0
while [ ! -s "$scratch/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
trickle="http://127.0.0.1:$(cat "$scratch/port")/dl/?mode=json"
start=$(date +%s)
run 1 versions --index-url "$trickle" --index-timeout 1
grep -q "total time limit of 1 s" "$scratch/err" ||
	fail "--index-timeout: $(cat "$scratch/err")"
grep -q "LUTGEN_INDEX_URL" "$scratch/err" || fail "no LUTGEN_INDEX_URL hint"
grep -q "scripts/go-mirror run --" "$scratch/err" || fail "no mirror hint"
LUTGEN_INDEX_TIMEOUT=1 run 1 versions --index-url "$trickle"
grep -q "total time limit of 1 s" "$scratch/err" ||
	fail "LUTGEN_INDEX_TIMEOUT: $(cat "$scratch/err")"
[ $(($(date +%s) - start)) -lt 20 ] || fail "the index time limit took too long"
run 2 versions --index-url "$trickle" --index-timeout soon
LUTGEN_INDEX_TIMEOUT=soon run 1 versions --index-url "$trickle"
grep -q "LUTGEN_INDEX_TIMEOUT 'soon'" "$scratch/err" || fail "bad env value message"
# Archive downloads: --timeout and LUTGEN_TIMEOUT.
tbase="http://127.0.0.1:$(cat "$scratch/port")/dl/"
start=$(date +%s)
run 1 toolchain install go1.22.4 --cache "$scratch/cache" --index-url "$url" \
	--download-url "$tbase" --timeout 1
grep -q "total time limit of 1 s" "$scratch/err" ||
	fail "--timeout: $(cat "$scratch/err")"
LUTGEN_TIMEOUT=1 run 1 toolchain install go1.22.4 --cache "$scratch/cache" \
	--index-url "$url" --download-url "$tbase"
grep -q "total time limit of 1 s" "$scratch/err" ||
	fail "LUTGEN_TIMEOUT: $(cat "$scratch/err")"
[ $(($(date +%s) - start)) -lt 20 ] || fail "the download time limit took too long"
kill $trickle_pid 2>/dev/null

# A host that does not resolve (.invalid never does, RFC 6761), as go.dev
# offline: no retry (waiting does not make a name resolve) and the error
# says how to get toolchains without it.  -v would show retries.
run 1 -v versions --index-url "http://lutgen-test.invalid/dl/?mode=json"
grep -q "Could not resolve host: lutgen-test.invalid" "$scratch/err" ||
	fail "unresolvable host: not named: $(cat "$scratch/err")"
grep -q "retrying" "$scratch/err" && fail "a name that does not resolve was retried"
grep -q "LUTGEN_INDEX_URL" "$scratch/err" && grep -q "scripts/go-mirror run --" "$scratch/err" ||
	fail "unresolvable host: no hint at the mirror: $(cat "$scratch/err")"
# ... the same for `toolchain install` when the archive's host does not
# resolve (the index is the fixture; nothing lands in the cache).
run 1 toolchain install --cache "$scratch/cache" --index-url "$url" \
	--download-url "http://lutgen-test.invalid/dl/" go1.22.4
grep -q "LUTGEN_DOWNLOAD_URL" "$scratch/err" ||
	fail "install from an unresolvable host: no hint: $(cat "$scratch/err")"
[ -z "$(ls "$scratch/cache/toolchains")" ] || fail "install failed but left a toolchain"

# Two specs of one generate that could not be linked together (the same
# C function; names differing only in case): refused naming both specs
# and the key, before the index is fetched or anything is written.
mkdir "$scratch/clash"
for n in a b A; do
	printf '{"name": "%s", "program": "goid", "min_version": "go1.20",
 "arches": ["amd64"], "lookups": [{"name": "%s", "kind":
 "struct_offset", "type": "runtime.g", "field": "goid"}]}\n' \
		"$n" "$([ "$n" = A ] && echo other_offset || echo goid_offset)" \
		>"$scratch/clash/$n.json"
done
cd "$scratch/clash" || exit 1
run 1 generate a.json b.json --out-dir "$scratch/clash/out" \
	--cache "$scratch/clash/cache" --index-url http://127.0.0.1:9/unreachable
grep -q "b.json: lookups\[0\] (goid_offset): key 'name': clashes with lookups\[0\] (goid_offset) of a.json: both would define the C function goid_offset" "$scratch/err" ||
	fail "lookup clash across specs: $(cat "$scratch/err")"
run 1 generate a.json A.json --out-dir "$scratch/clash/out" \
	--cache "$scratch/clash/cache" --index-url http://127.0.0.1:9/unreachable
grep -q "A.json: key 'name': \"A\" differs only in case from the name \"a\" of a.json" "$scratch/err" ||
	fail "spec names differing in case: $(cat "$scratch/err")"
grep -q "127.0.0.1:9" "$scratch/err" && fail "the index was fetched before the clash check"
[ ! -e "$scratch/clash/out" ] && [ ! -e "$scratch/clash/cache" ] ||
	fail "a refused run wrote to the output or cache directory"
cd "$scratch" || exit 1

if [ "$failures" -ne 0 ]; then
	echo "$failures check(s) failed" >&2
	exit 1
fi
echo "e2e_cli_versions: all checks passed"
