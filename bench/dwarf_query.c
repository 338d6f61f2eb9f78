/* SPDX-License-Identifier: MIT */
/*
 * bench/dwarf_query.c - tiny driver for bench/inspect-speed: open a Go
 * binary with the inspector and answer one lookup.
 *
 *   dwarf-query BINARY TYPE FIELD_PATH   struct offset ("runtime.g" "goid")
 *   dwarf-query BINARY -s TYPE           type size
 *   dwarf-query BINARY -f FUNCTION       parameter locations at entry
 */
#include <stdio.h>
#include <string.h>

#include "lutgen/measure/dwarf.h"

int main(int argc, char **argv)
{
	struct common_err err = { 0 };
	struct lutgen_dwarf *d = NULL;
	struct lutgen_value v = { 0 };
	char buf[4096];
	int rc;

	if (argc != 4) {
		fprintf(stderr,
			"usage: %s BINARY TYPE FIELD | BINARY -s TYPE | BINARY -f FUNCTION\n",
			argv[0]);
		return 2;
	}
	rc = lutgen_dwarf_open(argv[1], &d, &err);
	if (rc == 0) {
		if (strcmp(argv[2], "-s") == 0)
			rc = lutgen_dwarf_lookup(d, LUTGEN_LOOKUP_TYPE_SIZE,
						 argv[3], NULL, NULL, &v, &err);
		else if (strcmp(argv[2], "-f") == 0)
			rc = lutgen_dwarf_lookup(d, LUTGEN_LOOKUP_FUNC_PARAMS,
						 NULL, NULL, argv[3], &v, &err);
		else
			rc = lutgen_dwarf_lookup(d, LUTGEN_LOOKUP_STRUCT_OFFSET,
						 argv[2], argv[3], NULL, &v,
						 &err);
	}
	if (rc == 0)
		rc = lutgen_value_format(&v, buf, sizeof(buf));
	if (rc == 0)
		printf("%s\n", buf);
	else
		fprintf(stderr, "dwarf-query: %s\n",
			err.msg[0] ? err.msg : "formatting failed");
	lutgen_value_free(&v);
	lutgen_dwarf_close(d);
	if (fflush(stdout) != 0)
		return 1;
	return rc == 0 ? 0 : 1;
}
