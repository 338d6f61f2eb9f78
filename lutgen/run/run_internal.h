/* SPDX-License-Identifier: MIT */
/*
 * lutgen/run/run_internal.h - the state of a run (lutgen/lutgen.h), shared
 * by the files of lutgen/run/ and nothing else.
 */
#ifndef LUTGEN_RUN_INTERNAL_H
#define LUTGEN_RUN_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "lutgen/core/spec.h"
#include "lutgen/core/table.h"
#include "lutgen/lutgen.h"
#include "lutgen/measure/generate.h"
#include "lutgen/refresh/drift.h"
#include "lutgen/refresh/results.h"
#include "lutgen/refresh/shard.h"
#include "lutgen/run/layer.h"
#include "rungo/gosum.h"
#include "rungo/modmirror.h"

/* A growable list of owned strings. */
struct run_strv {
	char **v;
	size_t n;
};

/* One spec of the run and what finishing it did. */
struct run_spec {
	const struct lutgen_spec *spec;     /* owned by the run or a results */
	const struct lutgen_table *table;   /* NULL: failed, or no job here */
	struct rungo_version *versions;     /* the selection (owned) */
	size_t nversions;
	struct lutgen_generate_stats stats;
	size_t entries;                     /* measurements in the table */
	struct run_strv notes;              /* messages, without the name */
	struct lutgen_table *kept;          /* keep_provenance's copy (owned) */
	struct rungo_modver *modvers;       /* module specs: versions (owned) */
	size_t nmodvers;
	bool emitted, changed;
};

struct lutgen_run {
	struct lutgen_run_opts o;
	char *out_dir;
	char *results_out;
	bool merging;
	double t0;

	struct lutgen_spec **own_specs;     /* generate: loaded specs */
	struct run_spec *specs;
	size_t nspecs;

	/* generate */
	struct lutgen_generate *gen;
	/* For lutgen_run_cancel from another thread or a signal handler. */
	_Atomic(struct lutgen_generate *) live_gen;
	atomic_bool cancelled;
	struct lutgen_shard_plan *plan;
	long *gen_idx;                      /* spec i -> index in gen, -1 */
	struct rungo_gosum *sums;           /* module specs */
	char *sum_file;
	struct rungo_modmirror *mirror;    /* module specs, opts.module_mirror */
	double build_cpu_s;

	/* merge */
	struct lutgen_results **files;
	size_t nfiles;
	struct run_strv file_names;
	struct lutgen_results *merged;

	struct lutgen_drift *drift;         /* CHECK */
	struct run_strv lines, notes, failures;
	size_t skipped;
	double wall_s;
};

int run_strv_add(struct run_strv *s, const char *fmt, ...) COMMON_PRINTF(2, 3);
void run_strv_free(struct run_strv *s);
double run_now(void);

/* run_finish.c: notes, then emit / check / results, per spec. */
int run_finish(struct lutgen_run *r, struct common_err *err);

#endif
