/* SPDX-License-Identifier: MIT */
/*
 * tests/e2e_params_live.c - driver of the live parameter proof
 * (tests/e2e_params_live.py): prints what lutgen's inspector (lutgen/measure/dwarf.h)
 * answers for a Go binary, in a line format the script parses.  It is the
 * code under test's mouthpiece, nothing more: the expected values come from
 * the Go program (known arguments) and from gdb reading registers and memory.
 *
 *   e2e_params_live params BINARY FUNCTION...
 *     one line per parameter and per result, in declaration order:
 *       param<TAB>FUNCTION<TAB>NAME<TAB>SIZE<TAB>PIECES
 *       result<TAB>FUNCTION<TAB>NAME<TAB>SIZE<TAB>PIECES
 *     PIECES is space-separated, in order: reg:NAME:DWARFNO:SIZE or
 *     stack:OFFSET:SIZE (OFFSET from SP at the function's first
 *     instruction, and at its return instructions for results;
 *     lutgen/core/value.h).  "-" when there are none.  Then where g is at
 *     the function's entry, when its prologue says so:
 *       g<TAB>FUNCTION<TAB>reg:NAME:DWARFNO:SIZE | tls:OFFSET:SIZE
 *     and once, the offset of goid in runtime.g:
 *       goid_offset<TAB>OFFSET
 *   e2e_params_live lookups SPEC BINARY
 *     loads a spec (lutgen/core/spec.h) and answers every lookup, with
 *     its alternatives and optional (lutgen/measure/lookup.h):
 *       ok<TAB>NAME<TAB>RENDERING    or    fail<TAB>NAME<TAB>MESSAGE
 *
 * Exit status: 0 all answered, 1 some lookup failed, 2 usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lutgen/core/spec.h"
#include "lutgen/core/value.h"
#include "lutgen/measure/dwarf.h"
#include "lutgen/measure/lookup.h"

static void print_params(const char *tag, const char *function,
			 const struct lutgen_param *ps, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		const struct lutgen_param *p = &ps[i];

		printf("%s\t%s\t%s\t%" PRIu64 "\t", tag, function, p->name,
		       p->size);
		if (p->npieces == 0)
			printf("-");
		for (k = 0; k < p->npieces; k++) {
			const struct lutgen_piece *pc = &p->pieces[k];

			if (k)
				printf(" ");
			if (pc->kind == LUTGEN_PIECE_REG)
				printf("reg:%s:%d:%" PRIu64, pc->reg_name,
				       pc->reg, pc->size);
			else
				printf("%s:%" PRId64 ":%" PRIu64,
				       pc->kind == LUTGEN_PIECE_TLS ? "tls"
								    : "stack",
				       pc->stack_offset, pc->size);
		}
		printf("\n");
	}
}

static int cmd_params(const char *binary, char **functions, int nfunctions)
{
	struct common_err err = {0};
	struct lutgen_dwarf *d = NULL;
	int i, status = 0;

	if (lutgen_dwarf_open(binary, &d, &err) < 0) {
		fprintf(stderr, "e2e_params_live: %s\n", err.msg);
		return 1;
	}
	printf("goarch\t%s\n", lutgen_dwarf_goarch(d));
	for (i = 0; i < nfunctions; i++) {
		struct lutgen_param *ps = NULL;
		size_t n = 0;
		struct lutgen_value v = {0};

		common_err_clear(&err);
		if (lutgen_dwarf_func_params(d, functions[i], &ps, &n,
					     &err) < 0) {
			printf("fail\t%s\t%s\n", functions[i], err.msg);
			status = 1;
			continue;
		}
		print_params("param", functions[i], ps, n);
		lutgen_params_free(ps, n);
		ps = NULL;
		n = 0;
		if (lutgen_dwarf_func_results(d, functions[i], &ps, &n,
					      &err) < 0) {
			printf("fail\t%s\t%s\n", functions[i], err.msg);
			status = 1;
			continue;
		}
		print_params("result", functions[i], ps, n);
		lutgen_params_free(ps, n);
		ps = NULL;
		n = 0;
		/* leaf functions without a stack check have no g prologue */
		if (lutgen_dwarf_g_location(d, functions[i], &ps, &n, NULL) == 0)
			print_params("g", functions[i], ps, n);
		v.kind = LUTGEN_LOOKUP_G_LOCATION;
		v.params = ps;
		v.nparams = n;
		lutgen_value_free(&v);
	}
	{
		uint64_t off;

		if (lutgen_dwarf_struct_offset(d, "runtime.g", "goid", &off,
					       &err) == 0)
			printf("goid_offset\t%" PRIu64 "\n", off);
	}
	lutgen_dwarf_close(d);
	return status;
}

static int cmd_lookups(const char *spec_path, const char *binary)
{
	struct common_err err = {0};
	struct lutgen_spec *spec = NULL;
	struct lutgen_dwarf *d = NULL;
	char buf[4096];
	size_t i;
	int status = 0;

	if (lutgen_spec_load(spec_path, &spec, &err) < 0) {
		fprintf(stderr, "e2e_params_live: %s\n", err.msg);
		return 1;
	}
	if (lutgen_dwarf_open(binary, &d, &err) < 0) {
		fprintf(stderr, "e2e_params_live: %s\n", err.msg);
		lutgen_spec_free(spec);
		return 1;
	}
	for (i = 0; i < spec->nlookups; i++) {
		const struct lutgen_lookup *l = &spec->lookups[i];
		struct lutgen_value v = {0};

		common_err_clear(&err);
		if (lutgen_measure_lookup(d, l, &v, &err) < 0) {
			printf("fail\t%s\t%s\n", l->name, err.msg);
			status = 1;
		} else if (lutgen_value_format(&v, buf, sizeof(buf)) < 0) {
			printf("fail\t%s\trendering longer than %zu bytes\n",
			       l->name, sizeof(buf));
			status = 1;
		} else {
			printf("ok\t%s\t%s\n", l->name, buf);
		}
		lutgen_value_free(&v);
	}
	lutgen_dwarf_close(d);
	lutgen_spec_free(spec);
	return status;
}

int main(int argc, char **argv)
{
	int status;

	if (argc >= 4 && strcmp(argv[1], "params") == 0)
		status = cmd_params(argv[2], argv + 3, argc - 3);
	else if (argc == 4 && strcmp(argv[1], "lookups") == 0)
		status = cmd_lookups(argv[2], argv[3]);
	else {
		fprintf(stderr,
			"usage: e2e_params_live params BINARY FUNCTION...\n"
			"       e2e_params_live lookups SPEC BINARY\n");
		return 2;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("e2e_params_live: stdout");
		return 1;
	}
	return status;
}
