/* SPDX-License-Identifier: MIT */
/*
 * lutgen/measure/generate.h - measure specs over Go versions and arches.
 *
 * A run takes one or more specs, selects each spec's versions from the
 * index (lutgen_spec_select: the spec's min_version and policy, os/arch
 * of the host), and measures every (spec, version, GOARCH): build the spec's test
 * program (lutgen/measure/builder.h) and read each lookup from the binary's DWARF
 * (lutgen/measure/dwarf.h).  The results fill one lutgen_table per spec.
 *
 * Shared builds: specs whose test programs are identical (same program
 * hash) share their builds.  Each (program, version, GOARCH) is one job,
 * built once and read once for the lookups of all its specs (one pass
 * over the DWARF); its build time counts for the first of them.  A
 * (version, GOARCH) the toolchain cannot target ("unsupported GOOS/GOARCH
 * pair", e.g. loong64 before go1.19) is LUTGEN_MEASURE_UNSUPPORTED,
 * cached as such and left out of the table, whose generated code then
 * answers LUTGEN_E_TOO_OLD for it.
 *
 * Pipeline, not phases: one installer thread walks the versions that need
 * building oldest first, installs each toolchain (rungo_cache_acquire:
 * held until the run's builds are done, so a concurrent prune keeps it) and
 * queues its (spec, GOARCH) jobs; `jobs` worker threads build and inspect
 * them, so builds start while later toolchains still download.  By default
 * the first failure stops scheduling (running builds finish); with
 * keep_going every job runs and every failure is recorded.
 *
 * Result cache (lutgen/measure/rcache.h): a measurement already made
 * with the same toolchain, program and lookups needs neither its
 * toolchain nor a build, so a rerun with nothing new installs and builds
 * nothing.  opts.rebuild ignores (and rewrites) the cache.
 *
 * Cancellation: lutgen_generate_cancel (async-signal-safe) stops
 * scheduling; running builds finish, the rest stays pending, and the run
 * returns -ECANCELED.
 *
 * Threads: progress and log callbacks are called from the installer and
 * worker threads, never with a lock of the run held; progress counts only
 * go up.
 *
 * Module specs (spec->module): their module versions come from the module
 * proxy (opts.proxy) by the spec's module policy; each is downloaded,
 * checked against opts.sums (rungo/modcache.h; new versions are recorded
 * there) and its requirement graph resolved (rungo/modgraph.h), which
 * also gives the oldest Go toolchain it allows.  The program then builds
 * against exactly that version (go.mod requiring it, replacements for
 * versions the proxy lacks, go.sum pinning its zip).  Whether Go's version
 * matters is measured in two passes:
 *   1. the oldest and the newest selected module version, each with the
 *      oldest and the newest Go toolchain it allows (of the spec's Go
 *      selection), every arch;
 *   2. if any value differs between the two toolchains, the table keys on
 *      Go: every module version with every toolchain it allows; otherwise
 *      every module version with one toolchain (the spec's "go" choice:
 *      newest allowed by default).
 * The table records the decision and its evidence (lutgen/core/table.h).
 * The result cache key of a module measurement adds the module path,
 * version, zip hash and the go.mod/go.sum the build gets.  Module specs
 * cannot be sharded (version_filter/job_filter): -ENOTSUP.
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
#include "lutgen/measure/builder.h"
#include "lutgen/core/table.h"
#include "lutgen/core/value.h"
#include "lutgen/lutgen.h"
#include "lutgen/measure/layer.h"
#include "rungo/cache.h"
#include "rungo/dirhash.h"
#include "rungo/goproxy.h"
#include "rungo/gosum.h"
#include "rungo/modmirror.h"
#include "rungo/index.h"
#include "rungo/modversion.h"
#include "rungo/version.h"

/* One build job, as a backend sees it: the specs that share the build
 * (same program).  Everything is borrowed for the duration of the call. */
struct lutgen_generate_job {
	const struct lutgen_spec *const *specs;
	size_t nspecs;
	const char *program_dir;
	const struct rungo_toolchain *tc;   /* installed by backend.install */
	const char *goarch;
	const char *gocache;                /* GOCACHE of the toolchain */
	const char *tmp_dir;                /* NULL: $TMPDIR, /tmp */
	double timeout_s;                   /* per go build (0: the default) */
	/* Module specs (NULL otherwise): lutgen_build_opts's module fields. */
	const char *gomod;
	const char *gosum;
	const char *goproxy;
	const char *gomodcache;
};

/* What a backend's measure reports besides the values. */
struct lutgen_generate_job_result {
	double wall_s;      /* build time */
	double cpu_s;       /* CPU time of the build */
	char *report;       /* failed build: command, env, output (malloc'd) */
};

/*
 * How a run installs toolchains and measures.  NULL members (and a NULL
 * opts.backend) mean the real ones: rungo_cache_acquire (held until the
 * run's builds are done, so a concurrent prune keeps it), and the builder
 * (lutgen/measure/builder.h) followed by the DWARF inspector.  Tests swap
 * in fakes.  Called from the installer thread (install, one at a time)
 * and from worker threads (measure, concurrently); 0 or negative errno
 * with a message in err.
 */
struct lutgen_generate_backend {
	int (*install)(void *ctx, const struct rungo_version *v,
		       const char *os, const char *arch,
		       struct rungo_toolchain *out, struct common_err *err);
	/* Build once, then fill vals[k][0..specs[k]->nlookups) for every
	 * spec k of the job (zeroed on entry; the run frees what was
	 * filled).  A spec whose lookups fail gets rcs[k] < 0 and its message
	 * in errs[k]; the return value fails the whole job (the build);
	 * -ENOTSUP: the toolchain cannot target job->goarch. */
	int (*measure)(void *ctx, const struct lutgen_generate_job *job,
		       struct lutgen_value **vals, int *rcs,
		       struct common_err *errs,
		       struct lutgen_generate_job_result *res,
		       struct common_err *err);
	void *ctx;
};

struct lutgen_generate_opts {
	struct rungo_cache *cache;          /* required */
	const struct rungo_index *index;    /* required */
	const char *host_os;                /* NULL: "linux" */
	const char *host_arch;              /* NULL: common_host_arch() */
	const char *const *goroots;         /* local GOROOTs also registered */
	size_t ngoroots;                    /* with the cache (for the key) */
	int jobs;                           /* 0: online CPUs; at most LUTGEN_MAX_JOBS */
	bool keep_going;
	bool rebuild;                       /* ignore the result cache */
	const char *tmp_dir;                /* build dirs; NULL: $TMPDIR, /tmp */
	double build_timeout_s;             /* per go build; 0: LUTGEN_BUILD_TIMEOUT_DEFAULT_S */
	/* Measure only versions this accepts (sharding); NULL: all. */
	bool (*version_filter)(void *ctx, const struct rungo_version *v);
	/* Measure only the (version, GOARCH) pairs this accepts (sharding,
	 * together with version_filter); NULL: all.  ctx = filter_ctx. */
	bool (*job_filter)(void *ctx, const struct rungo_version *v,
			   const char *goarch);
	void *filter_ctx;
	/* Module specs: where modules come from, and the go.sum records they
	 * are checked against (new versions added; the caller saves them). */
	const struct rungo_goproxy *proxy;
	struct rungo_gosum *sums;
	/* Pins from scripts/go-mirror's module mirror; NULL: none. */
	const struct rungo_modmirror *mirror;
	common_progress_fn progress;         /* NULL: silent */
	void *progress_ctx;
	lutgen_build_fn build_done;          /* NULL: none (lutgen/lutgen.h) */
	void *build_done_ctx;
	common_log_fn log;                   /* NULL: silent */
	void *log_ctx;
	const struct lutgen_generate_backend *backend;  /* NULL: the real one */
};

enum lutgen_measure_state {
	LUTGEN_MEASURE_PENDING = 0,  /* not run (stopped by a failure or a cancel) */
	LUTGEN_MEASURE_CACHED,       /* read from the result cache */
	LUTGEN_MEASURE_BUILT,        /* built and inspected now */
	LUTGEN_MEASURE_FAILED,
	/* the toolchain cannot target the GOARCH: no values, not in the
	 * table */
	LUTGEN_MEASURE_UNSUPPORTED,
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
	/* Module specs only. */
	bool module;
	struct rungo_modver modver;          /* the module version built */
	char module_h1[RUNGO_H1_SIZE];       /* its zip's hash */
	bool proof;                          /* pass 1: does Go matter? */
};

struct lutgen_generate_stats {
	size_t versions;      /* distinct versions selected (module versions
			       * for a module spec) */
	bool module;          /* a module spec ... */
	bool keys_go;         /* ... whose table keys on Go */
	size_t arches;
	size_t measurements;  /* versions x arches */
	size_t cached;
	size_t built;
	size_t failed;
	size_t skipped;       /* not run after a failure */
	size_t unsupported;   /* GOARCH not supported by that toolchain */
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

/* Stop scheduling: builds not started stay pending and run returns
 * -ECANCELED.  Safe from any thread and from a signal handler. */
void lutgen_generate_cancel(struct lutgen_generate *g);

/* Effective number of worker threads. */
int lutgen_generate_jobs(const struct lutgen_generate *g);

#endif
