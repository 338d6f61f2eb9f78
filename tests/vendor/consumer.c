/* SPDX-License-Identifier: MIT */
/*
 * An agent that vendors lutgen's output: only generated/lutgen_go.{h,c} and
 * generated/goid.{h,c} are copied next to this file and built with a plain
 * `cc`.  Expected values are the documented history of runtime.g.goid
 * (152 bytes in go1.13-go1.22, 160 in go1.23-go1.24, 152 again from go1.25),
 * not lutgen's output.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "goid.h"

static int failures;

static void expect(const char *version, const char *arch, int want_rc_sign,
		   uint64_t want)
{
	uint64_t off = 0xdeadbeef;
	int rc = goid_offset(version, arch, &off);
	int sign = rc > 0 ? 1 : rc < 0 ? -1 : 0;

	if (sign != want_rc_sign || (rc >= 0 && off != want)) {
		fprintf(stderr,
			"goid_offset(%s, %s) = %d, %" PRIu64
			"; want rc sign %d, value %" PRIu64 "\n",
			version, arch, rc, off, want_rc_sign, want);
		failures++;
	}
	if (rc < 0 && off != 0xdeadbeef) {
		fprintf(stderr, "goid_offset(%s, %s) wrote *out on error\n",
			version, arch);
		failures++;
	}
}

int main(void)
{
	static const char *const arches[] = { "amd64", "arm64" };
	size_t i;

	for (i = 0; i < 2; i++) {
		expect("go1.22.12", arches[i], 0, 152);
		expect("1.22.0", arches[i], 0, 152);
		expect("go1.23.5", arches[i], 0, 160);
		expect("go1.24.4", arches[i], 0, 160);
		expect("go1.25.12", arches[i], 0, 152);
		expect("go1.27.4", arches[i], 0, 152);
		expect("go1.99.0", arches[i], 1, 152);   /* extrapolated */
		expect("go1.2", arches[i], -1, 0);       /* older than measured */
		expect("not-a-version", arches[i], -1, 0);
	}
	expect("go1.22.12", "sparc", -1, 0);
	if (failures) {
		fprintf(stderr, "%d failures\n", failures);
		return 1;
	}
	puts("vendored goid table: ok");
	return 0;
}
