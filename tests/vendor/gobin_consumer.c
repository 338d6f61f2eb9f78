/* SPDX-License-Identifier: MIT */
/*
 * An agent that vendors lutgen's Go binary reader: only
 * generated/lutgen_gobin.{h,c}, lutgen_go.{h,c} and goid.{h,c} are copied
 * next to this file and built with a plain `cc` (and `c++`).
 *
 *   gobin_consumer BINARY PID MODULE
 *
 * For the binary on disk and for the running process PID, prints
 *   version <go version>
 *   arch <GOARCH>
 *   module <MODULE> <version the code came from>
 *   goid_offset <offset of goid in runtime.g> <status>
 *   casgstatus_offset <file offset of runtime.casgstatus>
 * The test driving it compares them with `go version -m`, `go env` and
 * the known goid history.  Exit 1 when something cannot be read.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "goid.h"
#include "lutgen_gobin.h"

static int report(struct lutgen_gobin *bin, const char *module)
{
	const struct lutgen_gobin_info *info = lutgen_gobin_info(bin);
	struct lutgen_gobin_func fn;
	char ver[128];
	uint64_t goid = 0;
	int rc;

	if (!info->go_version || !info->goarch) {
		fprintf(stderr, "%s: not a Go binary\n", info->name);
		return 1;
	}
	printf("version %s\n", info->go_version);
	printf("arch %s\n", info->goarch);
	rc = lutgen_gobin_module_version(bin, module, ver, sizeof(ver));
	if (rc < 0) {
		fprintf(stderr, "%s: module %s: error %d\n", info->name, module,
			rc);
		return 1;
	}
	printf("module %s %s%s\n", module, ver,
	       rc == LUTGEN_GOBIN_LOCAL ? "(local directory)" : "");
	rc = lutgen_gobin_lookup(bin, &lutgen_go_table_goid, "goid_offset",
				 &goid);
	if (rc < 0) {
		fprintf(stderr, "%s: goid_offset: %s\n", info->name,
			lutgen_gobin_strerror(rc));
		return 1;
	}
	printf("goid_offset %" PRIu64 " %s\n", goid, lutgen_gobin_strerror(rc));
	if (lutgen_gobin_func_find(bin, "runtime.casgstatus", &fn) != 0 ||
	    fn.offset == LUTGEN_GOBIN_NO_OFFSET) {
		fprintf(stderr, "%s: no runtime.casgstatus\n", info->name);
		return 1;
	}
	printf("casgstatus_offset %" PRIx64 "\n", fn.offset);
	return 0;
}

int main(int argc, char **argv)
{
	struct lutgen_gobin *bin = NULL;
	struct lutgen_gobin_err err;
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: gobin_consumer BINARY PID MODULE\n");
		return 2;
	}
	if (lutgen_gobin_open(argv[1], NULL, &bin, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	puts("[file]");
	rc = report(bin, argv[3]);
	lutgen_gobin_free(bin);
	if (rc)
		return rc;
	if (lutgen_gobin_open_pid(atoi(argv[2]), NULL, &bin, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	puts("[process]");
	rc = report(bin, argv[3]);
	lutgen_gobin_free(bin);
	return rc;
}
