/* SPDX-License-Identifier: MIT */
/*
 * lutgen/measure/generate.h - measure specs over Go versions and arches.
 *
 * A run takes one or more specs, selects each spec's versions from the
 * index (rungo_select: the spec's min_version and policy, os/arch of the
 * host), and measures every (spec, version, GOARCH): build the spec's test
 * program (lutgen/measure/builder.h) and read each lookup from the binary's DWARF
 * (lutgen/measure/dwarf.h).  The results fill one lutgen_table per spec.
 *
 * Pipeline, not phases: one installer thread walks the versions that need
 * building oldest first, installs each toolchain (rungo_cache_install) and
 * queues its (spec, GOARCH) jobs; `jobs` worker threads build and inspect
 * them, so builds start while later toolchains still download.  By default
 * the first failure stops scheduling (running builds finish); with
 * keep_going every job runs and every failure is recorded.
 *
 * Result cache: one JSON file per measurement under
 * rungo_cache_subdir(cache, "results"), named by the sha256 of
 *   - the toolchain: the index's archive sha256, or for a local GOROOT
 *     (opts.goroots) the sha256 of its real path and VERSION file,
 *   - GOARCH,
 *   - the test program: every file of its directory plus the go.mod the
 *     builder writes,
 *   - the lookup set: canonical JSON of the spec's lookups (name, kind,
 *     type, field, function; `doc` does not change a measurement),
 *   - LUTGEN_RESULT_FORMAT.
 * A cached measurement needs neither its toolchain nor a build: a rerun
 * with nothing new installs and builds nothing.  Files are written
 * atomically (temporary file + rename); an unreadable or mismatching file
 * counts as a miss.  opts.rebuild ignores (and rewrites) the cache.
 *
 * Convention: 0 / negative errno, one-line details in `err`.  Nothing is
 * printed; diagnostics go through opts.log, progress through
 * opts.progress ("builds", done, total — counts of builds, not bytes).
 */
#ifndef LUTGEN_GENERATE_H
#define LUTGEN_GENERATE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "lutgen/core/spec.h"
#include "lutgen/core/table.h"
#include "lutgen/core/value.h"
#include "lutgen/measure/layer.h"
#include "rungo/cache.h"
#include "rungo/index.h"
#include "rungo/version.h"

/* Bump when the inspector's readings or the file format change: every
 * cached result becomes a miss. */
#define LUTGEN_RESULT_FORMAT 2

struct lutgen_generate_opts {
	struct rungo_cache *cache;          /* required */
	const struct rungo_index *index;    /* required */
	const char *host_os;                /* NULL: "linux" */
	const char *host_arch;              /* NULL: lutgen_generate_host_arch() */
	const char *const *goroots;         /* local GOROOTs also registered */
	size_t ngoroots;                    /* with the cache (for the key) */
	int jobs;                           /* 0: number of online CPUs */
	bool keep_going;
	bool rebuild;                       /* ignore the result cache */
	const char *tmp_dir;                /* build dirs; NULL: $TMPDIR, /tmp */
	/* Measure only versions this accepts (sharding); NULL: all. */
	bool (*version_filter)(void *ctx, const struct rungo_version *v);
	/* Measure only the (version, GOARCH) pairs this accepts (sharding,
	 * together with version_filter); NULL: all.  ctx = filter_ctx. */
	bool (*job_filter)(void *ctx, const struct rungo_version *v,
			   const char *goarch);
	void *filter_ctx;
	common_progress_fn progress;         /* NULL: silent */
	void *progress_ctx;
	common_log_fn log;                   /* NULL: silent */
	void *log_ctx;
};

enum lutgen_measure_state {
	LUTGEN_MEASURE_PENDING = 0,  /* not run (fail-fast stopped the run) */
	LUTGEN_MEASURE_CACHED,       /* read from the result cache */
	LUTGEN_MEASURE_BUILT,        /* built and inspected now */
	LUTGEN_MEASURE_FAILED,
};

/* One (spec, version, GOARCH).  Everything is owned by the run. */
struct lutgen_measurement {
	size_t spec;                         /* index in add order */
	struct rungo_version version;
	char version_str[RUNGO_VERSION_STR_MAX];
	char goarch[16];
	char toolchain_sha256[65];           /* "" for a local GOROOT */
	enum lutgen_measure_state state;
	struct lutgen_value *values;         /* one per lookup when measured */
	double wall_s;                       /* build time (0 when cached) */
	double cpu_s;                        /* CPU of the go build (0 when cached) */
	char *error;                         /* FAILED: one line */
	char *report;                        /* FAILED build: command, env, output */
};

struct lutgen_generate_stats {
	size_t versions;      /* distinct versions selected */
	size_t arches;
	size_t measurements;  /* versions x arches */
	size_t cached;
	size_t built;
	size_t failed;
	size_t skipped;       /* not run after a failure */
	double build_cpu_s;   /* summed CPU time of this spec's go builds */
	double build_wall_s;  /* summed wall time of this spec's go builds */
};

struct lutgen_generate;

int lutgen_generate_new(const struct lutgen_generate_opts *opts,
			struct lutgen_generate **out, struct common_err *err);
void lutgen_generate_free(struct lutgen_generate *g);

/* Add a spec (borrowed: it must outlive the run).  `program_dir` NULL
 * means <directory of spec->path>/../programs/<spec->program>, i.e.
 * lutgen/specs/x.json -> lutgen/programs/<program>/.  Selects the spec's
 * versions now: an empty selection is an error naming the spec. */
int lutgen_generate_add_spec(struct lutgen_generate *g,
			     const struct lutgen_spec *spec,
			     const char *program_dir, struct common_err *err);

/* Measure everything.  0 when every measurement succeeded; -EIO when some
 * failed (err holds the first failure; lutgen_generate_measurements has
 * all of them); other codes for failures of the run itself. */
int lutgen_generate_run(struct lutgen_generate *g, struct common_err *err);

/* After run: all measurements, grouped by spec, then version (oldest
 * first), then arch in the spec's order.  Borrowed. */
const struct lutgen_measurement *
lutgen_generate_measurements(const struct lutgen_generate *g, size_t *n);

/* After run: the table of spec `i`, filled from its measurements; NULL
 * when any of that spec's measurements failed or did not run.
 * Borrowed, valid until lutgen_generate_free. */
const struct lutgen_table *lutgen_generate_table(const struct lutgen_generate *g,
						 size_t i);

void lutgen_generate_stats(const struct lutgen_generate *g, size_t i,
			   struct lutgen_generate_stats *out);

/* Effective number of worker threads. */
int lutgen_generate_jobs(const struct lutgen_generate *g);

/* GOARCH of the running machine ("amd64", "arm64", ...; NULL if unknown). */
const char *lutgen_generate_host_arch(void);

#endif
