/* SPDX-License-Identifier: MIT */
/*
 * bench/gobin_query.c - what an agent pays to learn about a Go binary with
 * the vendorable reader (generated/lutgen_gobin.c), timed in-process.
 *
 *   gobin-query [-n RUNS] version BINARY
 *       open, Go version, GOARCH and the whole module list, close
 *   gobin-query [-n RUNS] symbol NAME BINARY
 *       open, NAME -> address and file offset, close
 *
 * Prints the answer once, then (RUNS > 1) the median and mean wall time
 * of one whole operation over RUNS repetitions, in microseconds.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lutgen_gobin.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One operation; prints its answer when `print`. */
static int once(const char *what, const char *name, const char *path,
		int print)
{
	struct lutgen_gobin *b;
	struct lutgen_gobin_err err;
	const struct lutgen_gobin_info *in;
	struct lutgen_gobin_func f;
	size_t i, bytes = 0;

	if (lutgen_gobin_open(path, NULL, &b, &err) != 0) {
		fprintf(stderr, "gobin-query: %s\n", err.msg);
		return 1;
	}
	in = lutgen_gobin_info(b);
	if (strcmp(what, "version") == 0) {
		/* Touch what an agent would read. */
		for (i = 0; i < in->ndeps; i++)
			bytes += strlen(in->deps[i].path) +
				 strlen(in->deps[i].version);
		if (print)
			printf("%s %s, %zu modules (%zu bytes of names), %zu settings\n",
			       in->go_version ? in->go_version : "-",
			       in->goarch ? in->goarch : "-", in->ndeps + 1,
			       bytes, in->nsettings);
	} else {
		if (lutgen_gobin_func_find(b, name, &f) != 0) {
			fprintf(stderr, "gobin-query: %s: no %s\n", path, name);
			lutgen_gobin_free(b);
			return 1;
		}
		if (print)
			printf("%s: address 0x%" PRIx64 ", file offset 0x%" PRIx64
			       " (%s of %zu functions)\n",
			       f.name, f.addr, f.offset,
			       f.source == LUTGEN_GOBIN_SYM_PCLNTAB ? "pclntab"
								    : "symtab",
			       in->nfuncs);
	}
	lutgen_gobin_free(b);
	return 0;
}

int main(int argc, char **argv)
{
	int runs = 1, i = 1, k;
	const char *what, *name = NULL, *path;
	double *t;

	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		runs = atoi(argv[2]);
		i = 3;
	}
	if (runs < 1 || argc - i < 2 ||
	    (strcmp(argv[i], "symbol") == 0 && argc - i < 3)) {
		fprintf(stderr, "usage: gobin-query [-n RUNS] version BINARY | symbol NAME BINARY\n");
		return 2;
	}
	what = argv[i];
	if (strcmp(what, "symbol") == 0)
		name = argv[i + 1];
	path = argv[argc - 1];
	if (once(what, name, path, 1) != 0)
		return 1;
	if (runs == 1)
		return 0;
	t = malloc((size_t)runs * sizeof(*t));
	if (!t)
		return 1;
	for (k = 0; k < runs; k++) {
		double t0 = now_us();

		if (once(what, name, path, 0) != 0)
			return 1;
		t[k] = now_us() - t0;
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp_double);
	{
		double sum = 0;

		for (k = 0; k < runs; k++)
			sum += t[k];
		printf("%s%s%s: median %.1f us, mean %.1f us over %d runs\n",
		       what, name ? " " : "", name ? name : "", t[runs / 2],
		       sum / runs, runs);
	}
	free(t);
	return 0;
}
