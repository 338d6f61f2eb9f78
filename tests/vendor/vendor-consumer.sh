#!/bin/sh
# SPDX-License-Identifier: MIT
# Vendoring check: copy only generated/lutgen_go.{h,c} and generated/goid.{h,c}
# into a scratch directory, as another agent would, and build them alone with
# a plain `cc` (C99, strict warnings) and `c++`, then run the consumer.
set -eu
src=${LUTGEN_SOURCE_ROOT:?set by meson}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for f in lutgen_go.h lutgen_go.c goid.h goid.c; do
	if [ ! -f "$src/generated/$f" ]; then
		echo "generated/$f is missing: run 'meson compile -C build gen-goid-lut'" >&2
		exit 1
	fi
	cp "$src/generated/$f" "$scratch/"
done
cp "$src/tests/vendor/consumer.c" "$scratch/"
cd "$scratch"
cc=${CC:-cc}
$cc -std=c99 -Wall -Wextra -Werror -pedantic -o consumer consumer.c goid.c lutgen_go.c
./consumer
cxx=${CXX:-c++}
if command -v "$cxx" >/dev/null 2>&1; then
	cp consumer.c consumer.cc
	$cc -std=c99 -Wall -Wextra -Werror -pedantic -c goid.c lutgen_go.c
	$cxx -std=c++11 -Wall -Wextra -Werror -pedantic -o consumer-cxx consumer.cc goid.o lutgen_go.o
	./consumer-cxx
fi
