/* SPDX-License-Identifier: MIT */
/*
 * bench/dwarf_query.c - tiny driver for bench/inspect-speed: open a Go
 * binary with the inspector and answer one lookup.
 *
 *   dwarf-query BINARY TYPE FIELD_PATH   struct offset ("runtime.g" "goid")
 *   dwarf-query BINARY -s TYPE           type size
 *   dwarf-query BINARY -z TYPE FIELD     field size
 *   dwarf-query BINARY -c CONSTANT       constant value
 *   dwarf-query BINARY -f FUNCTION       parameter locations at entry
 *   dwarf-query BINARY -r FUNCTION       result locations at return
 *   dwarf-query BINARY -g FUNCTION       where g is at entry
 *   dwarf-query BINARY -a SPEC...        every lookup of the specs, in
 *                                        one pass (one line each)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lutgen/core/spec.h"
#include "lutgen/measure/dwarf.h"
#include "lutgen/measure/lookup.h"

static int usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s BINARY TYPE FIELD | BINARY -s TYPE | BINARY -z TYPE FIELD\n"
		"       | BINARY -c CONST | BINARY -f|-r|-g FUNCTION | BINARY -a SPEC...\n",
		argv0);
	return 2;
}

/* Every lookup of the specs from one handle, in one pass. */
static int all_specs(const char *binary, char **specs, int n,
		     struct common_err *err)
{
	struct lutgen_lookup *ls = NULL;
	struct lutgen_spec *sp[64];
	struct lutgen_value *vals = NULL;
	struct lutgen_dwarf *d = NULL;
	size_t nl = 0, i, failed = 0;
	char buf[4096];
	int rc = 0, k, loaded = 0;

	if (n > 64)
		return -E2BIG;
	for (k = 0; k < n && rc == 0; k++) {
		rc = lutgen_spec_load(specs[k], &sp[k], err);
		if (rc == 0)
			nl += sp[loaded++]->nlookups;
	}
	ls = calloc(nl ? nl : 1, sizeof(*ls));
	vals = calloc(nl ? nl : 1, sizeof(*vals));
	if (rc == 0 && (!ls || !vals))
		rc = -ENOMEM;
	for (k = 0, nl = 0; rc == 0 && k < n; k++)
		for (i = 0; i < sp[k]->nlookups; i++)
			ls[nl++] = sp[k]->lookups[i];  /* borrowed */
	if (rc == 0)
		rc = lutgen_dwarf_open_for(binary, lutgen_measure_needs(ls, nl),
					   &d, err);
	if (rc == 0)
		rc = lutgen_measure_lookups(d, ls, nl, vals, &failed, err);
	for (i = 0; rc == 0 && i < nl; i++) {
		if (lutgen_value_format(&vals[i], buf, sizeof(buf)) != 0)
			snprintf(buf, sizeof(buf), "(too long)");
		printf("%s\t%s\n", ls[i].name, buf);
		lutgen_value_free(&vals[i]);
	}
	lutgen_dwarf_close(d);
	free(ls);
	free(vals);
	for (k = 0; k < loaded; k++)
		lutgen_spec_free(sp[k]);
	return rc;
}

int main(int argc, char **argv)
{
	struct common_err err = { 0 };
	struct lutgen_dwarf *d = NULL;
	struct lutgen_value v = { 0 };
	enum lutgen_lookup_kind kind = LUTGEN_LOOKUP_STRUCT_OFFSET;
	const char *type = NULL, *field = NULL, *sym = NULL, *o;
	char buf[4096];
	int rc;

	if (argc >= 4 && strcmp(argv[2], "-a") == 0) {
		rc = all_specs(argv[1], argv + 3, argc - 3, &err);
		if (rc)
			fprintf(stderr, "dwarf-query: %s\n", err.msg);
		return rc == 0 && fflush(stdout) == 0 ? 0 : 1;
	}
	if (argc != 4 && !(argc == 5 && strcmp(argv[2], "-z") == 0))
		return usage(argv[0]);
	o = argv[2];
	if (strcmp(o, "-s") == 0) {
		kind = LUTGEN_LOOKUP_TYPE_SIZE;
		type = argv[3];
	} else if (strcmp(o, "-z") == 0) {
		kind = LUTGEN_LOOKUP_FIELD_SIZE;
		type = argv[3];
		field = argv[4];
	} else if (o[0] == '-' && strchr("cfrg", o[1]) && o[1] && !o[2]) {
		kind = o[1] == 'c' ? LUTGEN_LOOKUP_CONST :
		       o[1] == 'f' ? LUTGEN_LOOKUP_FUNC_PARAMS :
		       o[1] == 'r' ? LUTGEN_LOOKUP_FUNC_RESULTS :
				     LUTGEN_LOOKUP_G_LOCATION;
		sym = argv[3];
	} else if (o[0] == '-') {
		return usage(argv[0]);
	} else {
		type = argv[2];
		field = argv[3];
	}
	rc = lutgen_dwarf_open_for(argv[1], lutgen_dwarf_need_of(kind), &d,
				   &err);
	if (rc == 0)
		rc = lutgen_dwarf_lookup(d, kind, type, field, sym, &v, &err);
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
