/* SPDX-License-Identifier: MIT */
/*
 * lutgen/lutgen.h - the one public header of the lutgen library.
 *
 * A client (the `lutgen` command is one) includes this and rungo/rungo.h,
 * nothing else of the tree: the stage folders under lutgen/ refuse to
 * compile outside the library (lutgen/<stage>/layer.h).
 *
 * The library's unit of work is a run:
 *   - generate: load specs, measure them over Go versions and arches
 *     (installing toolchains through a rungo cache, building in parallel
 *     behind a result cache), then finish;
 *   - merge: load the results files of a sharded generate, merge them into
 *     what an unsharded run measures, then finish.
 * Finishing is the same for both: per spec, the table's notes, then emit
 * generated files, or (check) compare with what out_dir holds, or (results)
 * write the measurements of this shard to a results file; then a summary
 * for humans and one JSON report.
 *
 * Conventions: functions return 0 or a negative errno and fill a
 * struct common_err (may be NULL) with one line naming what failed.
 * Nothing is printed; progress and diagnostics go through the callbacks
 * in the options.  Objects come from lutgen_run_new and go back with
 * lutgen_run_free (NULL accepted); getters return borrowed pointers valid
 * until lutgen_run_free.
 */
#ifndef LUTGEN_LUTGEN_H
#define LUTGEN_LUTGEN_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "rungo/rungo.h"

struct cJSON;

/* Most parallel builds a run starts. */
#define LUTGEN_MAX_JOBS 256
/* Largest shard count. */
#define LUTGEN_MAX_SHARDS 1000

enum lutgen_run_mode {
	LUTGEN_RUN_EMIT = 0,   /* write out_dir/<name>.{c,h,json}, lutgen_go.{c,h} */
	LUTGEN_RUN_CHECK,      /* write nothing; compare with out_dir */
	LUTGEN_RUN_RESULTS,    /* generate only: write results_out */
};

/* What a check found, worst last. */
enum lutgen_drift_level {
	LUTGEN_DRIFT_NONE = 0,
	/* Same values; only the sha256 of toolchains the values were
	 * measured with differ (e.g. an archive repacked elsewhere). */
	LUTGEN_DRIFT_PROVENANCE,
	/* A lookup answers differently, a version or lookup came or went, or
	 * a generated file would change otherwise. */
	LUTGEN_DRIFT_VALUES,
};

/* What build_timeout_s 0 means (the builder's default). */
#define LUTGEN_RUN_BUILD_TIMEOUT_DEFAULT_S 900

/* One build of a generate run that ended: measured, or failed (also for
 * want of its toolchain).  Borrowed for the call. */
struct lutgen_build_event {
	const char *spec;       /* spec name */
	const char *version;    /* "go1.22.12" */
	const char *goarch;
	bool ok;                /* false: failed; the run reports why */
	double wall_s;          /* build and inspection (0: never started) */
	size_t done, total;     /* builds ended so far, this one included, of
				 * the run's builds (cached ones not counted) */
};
/* Called from the run's threads, one call at a time, `done` counting up
 * by one from call to call. */
typedef void (*lutgen_build_fn)(void *ctx, const struct lutgen_build_event *e);

struct lutgen_run_opts {
	enum lutgen_run_mode mode;
	const char *out_dir;          /* NULL: "generated" */
	const char *results_out;      /* RESULTS: the file to write */
	int shard_k, shard_n;         /* RESULTS: shard K of N (0: 1/1) */
	/* Measure every spec with this policy instead of its own (the
	 * emitted table records it). */
	bool override_policy;
	enum rungo_policy policy;
	/* EMIT: an entry whose value is what out_dir already has keeps its
	 * committed toolchain sha256, so the files change where values do,
	 * never for provenance alone (lutgen_drift_keep_provenance). */
	bool keep_provenance;

	/* generate only */
	const char *const *goroots;          /* local GOROOTs registered with */
	size_t ngoroots;                     /* the cache (result cache key) */
	int jobs;                            /* 0: online CPUs; max LUTGEN_MAX_JOBS */
	bool keep_going;                     /* run every build after a failure */
	bool rebuild;                        /* ignore the result cache */
	double build_timeout_s;              /* per go build (its process group
					      * is killed past it); 0: default */
	common_progress_fn progress;         /* ("builds", done, total) */
	void *progress_ctx;
	lutgen_build_fn build_done;          /* each build that ended; NULL: none */
	void *build_done_ctx;
	common_log_fn log;
	void *log_ctx;
	/* Module specs (generate): the module proxy (required when a spec
	 * names a module) and the go.sum-style file their zips are checked
	 * against and new versions recorded in (NULL: modules.sum beside the
	 * first module spec's directory, i.e. lutgen/modules.sum for
	 * lutgen/modspecs/x.json; not written by CHECK). */
	const struct rungo_goproxy *proxy;
	const char *sum_file;
	/* scripts/go-mirror's module mirror generation directory (its
	 * modules.json and suites/<suite>.replace pin the versions a module
	 * version builds with, rungo/modmirror.h); NULL: none, the graph is
	 * resolved from the proxy alone. */
	const char *module_mirror;
};

struct lutgen_run;

/* "K/N" with 1 <= K <= N <= LUTGEN_MAX_SHARDS -> *k, *n; -EINVAL with a
 * message quoting `s` otherwise. */
int lutgen_shard_parse(const char *s, int *k, int *n, struct common_err *err);

int lutgen_run_new(const struct lutgen_run_opts *opts,
		   struct lutgen_run **out, struct common_err *err);
void lutgen_run_free(struct lutgen_run *r);

/* generate: add the spec file `path` (validated; two specs may not share
 * a name). */
int lutgen_run_add_spec(struct lutgen_run *r, const char *path,
			struct common_err *err);
/* merge: add a results file (loaded and checked now). */
int lutgen_run_add_results(struct lutgen_run *r, const char *path,
			   struct common_err *err);

/* Measure the specs with toolchains from `cache` (installed from `index`
 * when missing; both borrowed for the call) and finish.  -EIO when builds
 * failed (err: how many; lutgen_run_failures has each), -ECANCELED after
 * lutgen_run_cancel, other codes for failures of the run itself. */
int lutgen_run_generate(struct lutgen_run *r, struct rungo_cache *cache,
			const struct rungo_index *index,
			struct common_err *err);
/* Merge the results files and finish. */
int lutgen_run_merge(struct lutgen_run *r, struct common_err *err);

/* Stop a generate: builds not started are not run.  Safe from any thread
 * and from a signal handler. */
void lutgen_run_cancel(struct lutgen_run *r);

/* After a run (also a failed one, as far as it got). */

/* CHECK: what differs from out_dir. */
enum lutgen_drift_level lutgen_run_drift(const struct lutgen_run *r);
/* Lines for a human on stdout: one summary line per spec, the results
 * file written, or (CHECK) the drift lines. */
const char *const *lutgen_run_lines(const struct lutgen_run *r, size_t *n);
/* Findings worth a look, not something to act on: "NAME: lookup/arches:
 * message" (a value returning to an earlier one, a change between patch
 * releases), one per finding with every arch it holds for
 * ("goid_offset/amd64,arm64: 160 in go1.24.4 -> 152 in go1.25.12, back to
 * the value of go1.22.12"). */
const char *const *lutgen_run_notes(const struct lutgen_run *r, size_t *n);
/* Every failed build or install: its message, then for a build the
 * command, environment and output. */
const char *const *lutgen_run_failures(const struct lutgen_run *r,
				       size_t *n);
/* Builds not run because the run stopped at the first failure. */
size_t lutgen_run_skipped(const struct lutgen_run *r);
/* The report as one JSON object (caller deletes; NULL when out of
 * memory):
 *   {"out_dir", "check": bool, "wall_s",
 *    "specs": [{"name", "path", "versions": [...], "arches": [...],
 *               "builds", "cached", "built", "failed", "skipped",
 *               "build_cpu_s", "build_wall_s", "measurements",
 *               "notes": [...], "files": [...], "changed": bool}],
 *    CHECK: "drift": bool, "drift_kind": "none"|"provenance"|"values",
 *           "drift_specs": [...] (lutgen/refresh/drift.h's "specs"),
 *    generate: "jobs", "cores", "build_cpu_s", "floor_s", "builds",
 *              "built", "cached", "measurements": [{"spec", "version",
 *              "goarch", "state", "wall_s", "cpu_s", "error"?,
 *              "report"?}],
 *    RESULTS: "results_out", "shard": {"k", "n"},
 *    merge: "files": [...], "shards"}
 * The caller adds "ok" and "error". */
struct cJSON *lutgen_run_json(const struct lutgen_run *r);

/* Name of a drift level: "none", "provenance", "values". */
const char *lutgen_drift_name(enum lutgen_drift_level d);

#endif
