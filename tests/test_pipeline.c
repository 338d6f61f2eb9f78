/* SPDX-License-Identifier: MIT */
/*
 * tests/test_pipeline.c - the generate pipeline (lutgen/measure/generate.h)
 * with a fake installer and builder: no toolchain, no build, seconds.
 *
 * The fake measures values from a formula written here (offset = 8 x
 * minor, +1 on arm64; one parameter in RAX from go1.21, on the stack
 * before), so every expected value is independent of the code under test.
 * Covered: N workers really run at once, the result cache answers a rerun
 * without installing or building anything, an installer failure, a build
 * failure with and without keep_going, cancellation, progress counts,
 * two specs of one program sharing each build, and a GOARCH a toolchain
 * cannot target (unsupported, cached as such, left out of the table).
 * Run under ThreadSanitizer by `scripts/test --all`.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/fs.h"
#include "lutgen/measure/generate.h"
#include "rungo/cache.h"
#include "rungo/index.h"

#define SHA(c) c c c c c c c c c c c c c c c c   /* 64 hex digits of c x 4 */

static const char index_json[] =
	"[{\"version\": \"go1.22.0\", \"stable\": true, \"files\": ["
	"  {\"filename\": \"go1.22.0.linux-amd64.tar.gz\", \"os\": \"linux\","
	"   \"arch\": \"amd64\", \"version\": \"go1.22.0\", \"sha256\": \""
	SHA("2222") "\", \"size\": 1, \"kind\": \"archive\"}]},"
	" {\"version\": \"go1.21.0\", \"stable\": true, \"files\": ["
	"  {\"filename\": \"go1.21.0.linux-amd64.tar.gz\", \"os\": \"linux\","
	"   \"arch\": \"amd64\", \"version\": \"go1.21.0\", \"sha256\": \""
	SHA("1111") "\", \"size\": 1, \"kind\": \"archive\"}]},"
	" {\"version\": \"go1.20\", \"stable\": true, \"files\": ["
	"  {\"filename\": \"go1.20.linux-amd64.tar.gz\", \"os\": \"linux\","
	"   \"arch\": \"amd64\", \"version\": \"go1.20\", \"sha256\": \""
	SHA("0000") "\", \"size\": 1, \"kind\": \"archive\"}]}]";

static const char spec_json[] =
	"{\"name\": \"fake\", \"program\": \"fake\", \"min_version\": \"go1.20\","
	" \"arches\": [\"amd64\", \"arm64\"], \"lookups\": ["
	"  {\"name\": \"off\", \"kind\": \"struct_offset\","
	"   \"type\": \"runtime.g\", \"field\": \"goid\"},"
	"  {\"name\": \"args\", \"kind\": \"func_params\","
	"   \"function\": \"main.f\"}]}";

/* A second spec of the same program: its measurements share the builds. */
static const char spec2_json[] =
	"{\"name\": \"fake2\", \"program\": \"fake\", \"min_version\": \"go1.20\","
	" \"arches\": [\"amd64\", \"arm64\"], \"lookups\": ["
	"  {\"name\": \"off2\", \"kind\": \"struct_offset\","
	"   \"type\": \"runtime.g\", \"field\": \"goid\"},"
	"  {\"name\": \"args2\", \"kind\": \"func_params\","
	"   \"function\": \"main.f\"}]}";

struct fake {
	/* configuration */
	int fail_install_minor;     /* 0: none */
	int fail_build_minor;       /* 0: none; fails on amd64 only */
	int unsupported_minor;      /* 0: none; arm64 only */
	bool cancel_first;
	int want_parallel;          /* hold each build until this many run */
	struct lutgen_generate *g;
	/* observations */
	atomic_int installs, builds, running, max_running;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned long long last_done, last_total, progress_calls;
	bool progress_backwards;
	/* build_done events: how many, ok/failed, numbering and content */
	size_t events, events_ok, events_failed, events_failed_minor21;
	bool events_misnumbered, events_bad;
};

static char scratch[4096], program_dir[4200];
static struct rungo_index *idx;
static struct lutgen_spec *spec, *spec2;
static bool with_spec2;   /* run() adds spec2 (same program) too */

static int fake_install(void *ctx, const struct rungo_version *v,
			const char *os, const char *arch,
			struct rungo_toolchain *out, struct common_err *err)
{
	struct fake *f = ctx;

	atomic_fetch_add(&f->installs, 1);
	if (strcmp(os, "linux") != 0 || strcmp(arch, "amd64") != 0)
		return common_err_set(err, -EINVAL, "fake: host %s/%s", os,
				      arch);
	if (v->minor == f->fail_install_minor)
		return common_err_set(err, -ENOENT, "fake install failed");
	memset(out, 0, sizeof(*out));
	out->version = *v;
	rungo_version_format(v, out->version_str, sizeof(out->version_str));
	if (snprintf(out->goroot, sizeof(out->goroot), "%.3000s/goroot-%d",
		     scratch, v->minor) < 0)
		return -EIO;
	snprintf(out->sha256, sizeof(out->sha256), "%s",
		 v->minor == 20 ? SHA("0000") :
		 v->minor == 21 ? SHA("1111") : SHA("2222"));
	return 0;
}

/* Hold the build until `want` builds run at once (5 s at most). */
static void wait_parallel(struct fake *f, int want)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&f->lock);
	pthread_cond_broadcast(&f->cond);
	while (atomic_load(&f->max_running) < want &&
	       pthread_cond_timedwait(&f->cond, &f->lock, &until) == 0)
		;
	pthread_mutex_unlock(&f->lock);
}

static int fake_values(const struct lutgen_generate_job *job,
		       struct lutgen_value *vals)
{
	int minor = job->tc->version.minor;
	struct lutgen_param *p;

	vals[0].kind = LUTGEN_LOOKUP_STRUCT_OFFSET;
	vals[0].u = 8u * (unsigned)minor +
		    (strcmp(job->goarch, "arm64") == 0);
	vals[1].kind = LUTGEN_LOOKUP_FUNC_PARAMS;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	vals[1].params = p;
	vals[1].nparams = 1;
	p->name = strdup("x");
	p->size = 8;
	p->pieces = calloc(1, sizeof(*p->pieces));
	if (!p->name || !p->pieces)
		return -ENOMEM;
	p->npieces = 1;
	p->pieces[0].size = 8;
	if (minor >= 21) {
		p->pieces[0].kind = LUTGEN_PIECE_REG;
		snprintf(p->pieces[0].reg_name, sizeof(p->pieces[0].reg_name),
			 "RAX");
	} else {
		p->pieces[0].kind = LUTGEN_PIECE_STACK;
		p->pieces[0].stack_offset = 8;
	}
	return 0;
}

static int fake_measure(void *ctx, const struct lutgen_generate_job *job,
			struct lutgen_value **vals, int *rcs,
			struct common_err *errs,
			struct lutgen_generate_job_result *res,
			struct common_err *err)
{
	struct fake *f = ctx;
	int now, max, rc = 0;
	size_t k;

	if (atomic_fetch_add(&f->builds, 1) == 0 && f->cancel_first)
		lutgen_generate_cancel(f->g);
	now = atomic_fetch_add(&f->running, 1) + 1;
	max = atomic_load(&f->max_running);
	while (now > max &&
	       !atomic_compare_exchange_weak(&f->max_running, &max, now))
		;
	if (f->want_parallel > 1)
		wait_parallel(f, f->want_parallel);
	assert_non_null(strstr(job->program_dir, "prog"));
	assert_non_null(job->gocache);
	res->wall_s = 1.0;
	res->cpu_s = 2.0;
	if (job->tc->version.minor == f->unsupported_minor &&
	    strcmp(job->goarch, "arm64") == 0) {
		rc = common_err_set(err, -ENOTSUP, "fake: no arm64 port");
	} else if (job->tc->version.minor == f->fail_build_minor &&
	    strcmp(job->goarch, "amd64") == 0) {
		res->report = strdup("fake build report");
		rc = common_err_set(err, -EIO, "fake build failed");
	} else {
		for (k = 0; k < job->nspecs; k++) {
			rcs[k] = fake_values(job, vals[k]);
			if (rcs[k])
				common_err_set(&errs[k], rcs[k], "out of memory");
		}
	}
	atomic_fetch_sub(&f->running, 1);
	return rc;
}

static void on_progress(void *ctx, const char *what, unsigned long long done,
			unsigned long long total)
{
	struct fake *f = ctx;

	assert_string_equal(what, "builds");
	/* Called outside the run's locks, one at a time. */
	pthread_mutex_lock(&f->lock);
	if (done < f->last_done)
		f->progress_backwards = true;
	f->last_done = done;
	f->last_total = total;
	f->progress_calls++;
	pthread_mutex_unlock(&f->lock);
}

static void on_build_done(void *ctx, const struct lutgen_build_event *e)
{
	struct fake *f = ctx;

	/* One call at a time (no lock of ours needed, but the counters
	 * are read by the test thread afterwards). */
	pthread_mutex_lock(&f->lock);
	f->events++;
	if (e->done != f->events || e->total != 6)
		f->events_misnumbered = true;
	if (strcmp(e->spec, "fake") != 0 ||
	    (strcmp(e->goarch, "amd64") != 0 && strcmp(e->goarch, "arm64") != 0) ||
	    strncmp(e->version, "go1.2", 5) != 0)
		f->events_bad = true;
	if (e->ok) {
		f->events_ok++;
		if (e->wall_s != 1.0)   /* the fake's build time */
			f->events_bad = true;
	} else {
		f->events_failed++;
		f->events_failed_minor21 += strcmp(e->version, "go1.21.0") == 0;
	}
	pthread_mutex_unlock(&f->lock);
}

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
}

static void fake_fini(struct fake *f)
{
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->cond);
}

/* One run over `cache_name` (a fresh directory per test). */
static int run(struct fake *f, const char *cache_name, int jobs,
	       bool keep_going, struct lutgen_generate **out)
{
	struct lutgen_generate_backend be = { fake_install, fake_measure, f };
	struct lutgen_generate_opts o;
	struct rungo_cache_opts co;
	struct rungo_cache *cache = NULL;
	struct common_err err = { 0 };
	char dir[4400];
	int rc;

	snprintf(dir, sizeof(dir), "%s/%s", scratch, cache_name);
	memset(&co, 0, sizeof(co));
	co.dir = dir;
	if (rungo_cache_open(&co, &cache, &err) != 0)
		fail_msg("cache: %s", err.msg);
	memset(&o, 0, sizeof(o));
	o.cache = cache;
	o.index = idx;
	o.host_os = "linux";
	o.host_arch = "amd64";
	o.jobs = jobs;
	o.keep_going = keep_going;
	o.tmp_dir = scratch;
	o.progress = on_progress;
	o.progress_ctx = f;
	o.build_done = on_build_done;
	o.build_done_ctx = f;
	o.backend = &be;
	if (lutgen_generate_new(&o, out, &err) != 0)
		fail_msg("new: %s", err.msg);
	f->g = *out;
	if (lutgen_generate_add_spec(*out, spec, program_dir, &err) != 0 ||
	    (with_spec2 &&
	     lutgen_generate_add_spec(*out, spec2, program_dir, &err) != 0))
		fail_msg("add: %s", err.msg);
	rc = lutgen_generate_run(*out, &err);
	rungo_cache_free(cache);   /* the run keeps no pointer into it */
	return rc;
}

static size_t count_state(const struct lutgen_generate *g,
			  enum lutgen_measure_state s)
{
	const struct lutgen_measurement *m;
	size_t n, i, c = 0;

	m = lutgen_generate_measurements(g, &n);
	for (i = 0; i < n; i++)
		c += m[i].state == s;
	return c;
}

/* The table holds the fake's formula for every (version, arch). */
static void check_table(const struct lutgen_table *t)
{
	static const int minors[] = { 20, 21, 22 };
	static const char *const arches[] = { "amd64", "arm64" };
	const struct lutgen_entry *e;
	size_t n, a, i;

	assert_non_null(t);
	for (a = 0; a < 2; a++) {
		e = lutgen_table_entries(t, 0, arches[a], &n);
		assert_int_equal(n, 3);
		for (i = 0; i < 3; i++) {
			assert_int_equal(e[i].version.minor, minors[i]);
			assert_int_equal(e[i].value.u, 8 * minors[i] + (int)a);
		}
		e = lutgen_table_entries(t, 1, arches[a], &n);
		assert_int_equal(n, 3);
		assert_int_equal(e[0].value.params[0].pieces[0].kind,
				 LUTGEN_PIECE_STACK);
		assert_int_equal(e[0].value.params[0].pieces[0].stack_offset, 8);
		assert_int_equal(e[2].value.params[0].pieces[0].kind,
				 LUTGEN_PIECE_REG);
		assert_string_equal(e[2].value.params[0].pieces[0].reg_name,
				    "RAX");
		assert_string_equal(e[2].toolchain_sha256, SHA("2222"));
	}
}

static void test_workers_and_cache(void **state)
{
	struct lutgen_generate *g = NULL;
	struct lutgen_generate_stats st;
	struct fake f;

	(void)state;
	fake_init(&f);
	f.want_parallel = 3;
	assert_int_equal(run(&f, "c-workers", 4, false, &g), 0);
	assert_int_equal(lutgen_generate_jobs(g), 4);
	assert_int_equal(atomic_load(&f.builds), 6);
	assert_int_equal(atomic_load(&f.installs), 3);
	assert_true(atomic_load(&f.max_running) >= 3);
	assert_int_equal(count_state(g, LUTGEN_MEASURE_BUILT), 6);
	check_table(lutgen_generate_table(g, 0));
	lutgen_generate_stats(g, 0, &st);
	assert_int_equal(st.built, 6);
	assert_true(st.build_cpu_s == 12.0);
	assert_false(f.progress_backwards);
	assert_int_equal(f.last_done, 6);
	assert_int_equal(f.last_total, 6);
	/* One event per build, numbered 1..6 in call order. */
	assert_int_equal(f.events, 6);
	assert_int_equal(f.events_ok, 6);
	assert_false(f.events_misnumbered);
	assert_false(f.events_bad);
	lutgen_generate_free(g);
	fake_fini(&f);

	/* Rerun: every answer from the result cache, nothing installed or
	 * built, the same table. */
	fake_init(&f);
	assert_int_equal(run(&f, "c-workers", 4, false, &g), 0);
	assert_int_equal(atomic_load(&f.builds), 0);
	assert_int_equal(atomic_load(&f.installs), 0);
	assert_int_equal(count_state(g, LUTGEN_MEASURE_CACHED), 6);
	assert_int_equal(f.progress_calls, 0);
	assert_int_equal(f.events, 0);
	check_table(lutgen_generate_table(g, 0));
	lutgen_generate_free(g);
	fake_fini(&f);
}

static void test_install_failure(void **state)
{
	const struct lutgen_measurement *m;
	struct lutgen_generate *g = NULL;
	struct fake f;
	size_t n, i;

	(void)state;
	fake_init(&f);
	f.fail_install_minor = 21;
	assert_int_equal(run(&f, "c-install", 2, true, &g), -EIO);
	assert_int_equal(count_state(g, LUTGEN_MEASURE_FAILED), 2);
	assert_int_equal(count_state(g, LUTGEN_MEASURE_BUILT), 4);
	assert_int_equal(atomic_load(&f.builds), 4);
	m = lutgen_generate_measurements(g, &n);
	for (i = 0; i < n; i++)
		if (m[i].state == LUTGEN_MEASURE_FAILED) {
			assert_int_equal(m[i].version.minor, 21);
			assert_non_null(strstr(m[i].error, "no toolchain"));
			assert_non_null(strstr(m[i].error,
					       "fake install failed"));
			assert_null(m[i].report);
		}
	assert_null(lutgen_generate_table(g, 0));   /* incomplete */
	assert_int_equal(f.last_done, 6);
	/* The two jobs without a toolchain end too, as failures. */
	assert_int_equal(f.events, 6);
	assert_int_equal(f.events_ok, 4);
	assert_int_equal(f.events_failed, 2);
	assert_int_equal(f.events_failed_minor21, 2);
	assert_false(f.events_misnumbered);
	assert_false(f.events_bad);
	lutgen_generate_free(g);
	fake_fini(&f);
}

static void test_build_failure(void **state)
{
	const struct lutgen_measurement *m;
	struct lutgen_generate *g = NULL;
	struct lutgen_generate_stats st;
	struct fake f;
	size_t n, i, failed = 0;

	(void)state;
	/* Fail fast: one worker, the first build fails, nothing else runs
	 * after it. */
	fake_init(&f);
	f.fail_build_minor = 20;
	assert_int_equal(run(&f, "c-fast", 1, false, &g), -EIO);
	assert_int_equal(count_state(g, LUTGEN_MEASURE_FAILED), 1);
	assert_int_equal(atomic_load(&f.builds), 1);
	lutgen_generate_stats(g, 0, &st);
	assert_int_equal(st.skipped, 5);
	m = lutgen_generate_measurements(g, &n);
	for (i = 0; i < n; i++)
		if (m[i].state == LUTGEN_MEASURE_FAILED) {
			assert_string_equal(m[i].goarch, "amd64");
			assert_non_null(strstr(m[i].error,
					       "fake build failed"));
			assert_string_equal(m[i].report, "fake build report");
		}
	lutgen_generate_free(g);
	fake_fini(&f);

	/* keep_going: everything else is built, the failure recorded. */
	fake_init(&f);
	f.fail_build_minor = 20;
	assert_int_equal(run(&f, "c-keep", 3, true, &g), -EIO);
	m = lutgen_generate_measurements(g, &n);
	for (i = 0; i < n; i++)
		failed += m[i].state == LUTGEN_MEASURE_FAILED;
	assert_int_equal(failed, 1);
	assert_int_equal(count_state(g, LUTGEN_MEASURE_BUILT), 5);
	assert_int_equal(atomic_load(&f.builds), 6);
	lutgen_generate_free(g);
	fake_fini(&f);
}

static void test_cancel(void **state)
{
	struct lutgen_generate *g = NULL;
	struct fake f;

	(void)state;
	fake_init(&f);
	f.cancel_first = true;
	assert_int_equal(run(&f, "c-cancel", 1, false, &g), -ECANCELED);
	/* The running build finished; nothing was started after it. */
	assert_int_equal(atomic_load(&f.builds), 1);
	assert_int_equal(count_state(g, LUTGEN_MEASURE_BUILT), 1);
	assert_int_equal(count_state(g, LUTGEN_MEASURE_PENDING), 5);
	assert_int_equal(count_state(g, LUTGEN_MEASURE_FAILED), 0);
	assert_null(lutgen_generate_table(g, 0));
	lutgen_generate_free(g);
	fake_fini(&f);
	lutgen_generate_cancel(NULL);   /* harmless */
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	char path[4300];
	FILE *f;

	(void)state;
	snprintf(scratch, sizeof(scratch), "%s/lutgen-test-pipeline-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(scratch))
		return -1;
	snprintf(program_dir, sizeof(program_dir), "%s/prog", scratch);
	snprintf(path, sizeof(path), "%s/main.go", program_dir);
	if (mkdir(program_dir, 0755) != 0 || !(f = fopen(path, "w")))
		return -1;
	fputs("package main\n\nfunc main() {}\n", f);
	fclose(f);
	if (rungo_index_parse(index_json, strlen(index_json), &idx, NULL) ||
	    lutgen_spec_parse(spec_json, strlen(spec_json), "fake.json", &spec,
			      NULL) ||
	    lutgen_spec_parse(spec2_json, strlen(spec2_json), "fake2.json",
			      &spec2, NULL))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	lutgen_spec_free(spec);
	lutgen_spec_free(spec2);
	rungo_index_free(idx);
	common_fs_rmtree(scratch, NULL, NULL);
	return 0;
}

/* Two specs of one program: one build per (version, arch) serves both;
 * the build's time counts once, for the first spec. */
static void test_shared_builds(void **state)
{
	struct lutgen_generate *g = NULL;
	struct lutgen_generate_stats st0, st1;
	struct fake f;

	(void)state;
	fake_init(&f);
	with_spec2 = true;
	assert_int_equal(run(&f, "c-shared", 2, false, &g), 0);
	with_spec2 = false;
	assert_int_equal(atomic_load(&f.builds), 6);
	assert_int_equal(count_state(g, LUTGEN_MEASURE_BUILT), 12);
	check_table(lutgen_generate_table(g, 0));
	check_table(lutgen_generate_table(g, 1));
	lutgen_generate_stats(g, 0, &st0);
	lutgen_generate_stats(g, 1, &st1);
	assert_int_equal(st0.built + st1.built, 12);
	assert_true(st0.build_cpu_s + st1.build_cpu_s == 12.0);
	assert_int_equal(f.last_done, 6);
	assert_int_equal(f.last_total, 6);
	lutgen_generate_free(g);
	fake_fini(&f);
}

/* A toolchain that cannot target arm64: those measurements are
 * unsupported, the table holds the rest, a rerun builds nothing. */
static void test_unsupported(void **state)
{
	const struct lutgen_entry *e;
	struct lutgen_generate *g = NULL;
	struct lutgen_generate_stats st;
	struct fake f;
	size_t n;

	(void)state;
	fake_init(&f);
	f.unsupported_minor = 20;
	assert_int_equal(run(&f, "c-unsup", 2, false, &g), 0);
	assert_int_equal(count_state(g, LUTGEN_MEASURE_UNSUPPORTED), 1);
	assert_int_equal(count_state(g, LUTGEN_MEASURE_BUILT), 5);
	lutgen_generate_stats(g, 0, &st);
	assert_int_equal(st.unsupported, 1);
	e = lutgen_table_entries(lutgen_generate_table(g, 0), 0, "arm64", &n);
	assert_int_equal(n, 2);
	assert_int_equal(e[0].version.minor, 21);
	lutgen_generate_free(g);
	fake_fini(&f);

	fake_init(&f);
	f.unsupported_minor = 20;
	assert_int_equal(run(&f, "c-unsup", 2, false, &g), 0);
	assert_int_equal(atomic_load(&f.builds), 0);
	assert_int_equal(atomic_load(&f.installs), 0);
	assert_int_equal(count_state(g, LUTGEN_MEASURE_UNSUPPORTED), 1);
	assert_int_equal(count_state(g, LUTGEN_MEASURE_CACHED), 5);
	lutgen_generate_free(g);
	fake_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_workers_and_cache),
		cmocka_unit_test(test_install_failure),
		cmocka_unit_test(test_build_failure),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_shared_builds),
		cmocka_unit_test(test_unsupported),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
