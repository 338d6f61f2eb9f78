#!/bin/sh
# SPDX-License-Identifier: MIT
# e2e: scripts/apt-wait (run by scripts/bootstrap before apt-get) against
# lock files of our own (LUTGEN_APT_LOCKS), held by a helper the way apt
# holds its locks (fcntl/lockf), and by flock(1):
#   - free or missing locks: returns at once, silent;
#   - a lock held for a while: says what it waits for (the lock, the PID
#     and name of its holder) and returns 0 only after the holder let go;
#   - a lock held past the timeout: exit 1 naming the lock and holder;
#   - a bad TIMEOUT: exit 2.
# No system lock is touched.  About 5 s.
set -u
src=${LUTGEN_SOURCE_ROOT:?set by meson}
wait=$src/scripts/apt-wait
work=$(mktemp -d)
holder_pid=
trap 'if [ -n "$holder_pid" ]; then kill "$holder_pid" 2>/dev/null; fi; rm -rf "$work"' EXIT
failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

lock1=$work/lock-frontend
lock2=$work/lists-lock
: >"$lock1"
: >"$lock2"
export LUTGEN_APT_LOCKS="$lock1 $lock2 $work/no-such-lock"

# hold LOCK SECONDS: hold a POSIX write lock on LOCK (as apt does) in the
# background for SECONDS, then write LOCK.released and exit.
hold() {
	python3 - "$1" "$2" <<'PY' &
import fcntl, os, sys, time
f = open(sys.argv[1], "w")
fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[1] + ".held", "w").close()
time.sleep(float(sys.argv[2]))
open(sys.argv[1] + ".released", "w").close()
PY
	holder_pid=$!
	while [ ! -e "$1.held" ]; do sleep 0.1; done
}

# Free (one missing): at once, nothing said.
"$wait" 30 >"$work/out" 2>"$work/err" || fail "free locks: exit $?"
[ -s "$work/err" ] && fail "free locks: said $(cat "$work/err")"

# Held for 3 s (the second lock, like apt update's lists lock): waits,
# says for what, returns after the release.
hold "$lock2" 3
"$wait" 30 2>"$work/err"
rc=$?
[ "$rc" = 0 ] || fail "held then released: exit $rc: $(cat "$work/err")"
[ -e "$lock2.released" ] || fail "returned while the lock was still held"
grep -q "waiting for $lock2, held by process $holder_pid (python3)" "$work/err" ||
	fail "no message naming the lock and its holder: $(cat "$work/err")"
wait "$holder_pid"
holder_pid=

# Held past the timeout: exit 1 naming the lock and the holder.
hold "$lock1" 30
"$wait" 2 2>"$work/err"
rc=$?
[ "$rc" = 1 ] || fail "timeout: exit $rc, want 1"
grep -q "$lock1 is still held by process $holder_pid (python3) after 2 s" "$work/err" ||
	fail "timeout message: $(cat "$work/err")"
kill "$holder_pid" 2>/dev/null
wait "$holder_pid" 2>/dev/null
holder_pid=

# A flock(2) lock counts too (other package tools use it).
if command -v flock >/dev/null; then
	flock "$lock1" sleep 30 &
	holder_pid=$!
	i=0
	while ! grep -q "FLOCK.*:$(stat -c %i "$lock1") " /proc/locks && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	"$wait" 1 2>"$work/err"
	[ $? = 1 ] || fail "a flock(2) lock was not seen"
	kill "$holder_pid" 2>/dev/null
	wait "$holder_pid" 2>/dev/null
	holder_pid=
fi

"$wait" soon 2>"$work/err"
[ $? = 2 ] || fail "TIMEOUT 'soon' accepted"

if [ "$failures" -ne 0 ]; then
	echo "$failures check(s) failed" >&2
	exit 1
fi
echo "e2e_apt_wait: all checks passed"
