/* SPDX-License-Identifier: MIT */
/* The generate pipeline: select versions, install toolchains, build and
 * inspect in parallel behind a result cache, fill one table per spec. */
#include "lutgen/measure/generate.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/goarch.h"
#include "common/sb.h"
#include "common/sha256.h"
#include "lutgen/measure/builder.h"
#include "lutgen/measure/dwarf.h"
#include "lutgen/measure/lookup.h"
#include "lutgen/measure/rcache.h"

/* ---- internal state ----------------------------------------------------- */

struct gspec {
	const struct lutgen_spec *spec;
	char *program_dir;
	char program_hash[65];
	char *lookups_json;          /* lutgen_spec_lookups_canonical */
	struct rungo_version *versions;
	size_t nversions;
	struct lutgen_table *table;
};

struct gversion {
	struct rungo_version v;
	char vstr[RUNGO_VERSION_STR_MAX];
	char key[65];                /* toolchain key; "" until known */
	char gomod_hash[65];
	bool need_build;
	struct rungo_toolchain tc;   /* set by the installer */
};

struct lutgen_generate {
	struct lutgen_generate_opts o;
	struct lutgen_generate_backend be;   /* NULL members: the real ones */
	char host_os[32];
	char host_arch[32];
	int jobs;
	char results_dir[PATH_MAX];

	struct gspec *specs;
	size_t nspecs;
	struct gversion *versions;   /* union of the specs', sorted */
	size_t nversions;

	struct lutgen_measurement *m;
	size_t *m_version;           /* index into versions, per measurement */
	char (*m_key)[65];           /* result-cache file stem, "" unknown */
	size_t nm, cap_m;

	/* Shared between the installer and the workers, under `lock`. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_mutex_t dwarf_lock;  /* libdw/libelf are not shown thread-safe */
	bool locks_ready;
	size_t *queue;
	size_t q_head, q_tail;
	bool installer_done;
	bool stop;                   /* a failure without keep_going */
	size_t done, total;
	struct common_err first_err;
	bool ran;
	/* Outside the lock. */
	atomic_bool cancel;
	pthread_mutex_t progress_lock;   /* orders progress calls */
	size_t progress_shown;
};

/* ---- the real backend --------------------------------------------------- */

static int real_install(struct lutgen_generate *g,
			const struct rungo_version *v, const char *os,
			const char *arch, struct rungo_toolchain *out,
			struct common_err *err)
{
	return rungo_cache_install(g->o.cache, g->o.index, v, os, arch, out,
				   err);
}

/* Read every lookup of the job's spec from `binary`. */
static int inspect(struct lutgen_generate *g,
		   const struct lutgen_generate_job *job, const char *binary,
		   struct lutgen_value *vals, struct common_err *err)
{
	struct lutgen_dwarf *d = NULL;
	const char *arch;
	size_t i;
	int rc;

	pthread_mutex_lock(&g->dwarf_lock);
	rc = lutgen_dwarf_open(binary, &d, err);
	if (rc)
		goto out;
	arch = lutgen_dwarf_goarch(d);
	if (!arch || strcmp(arch, job->goarch) != 0) {
		rc = common_err_set(err, -EPROTO,
				    "the binary built for %s is %s",
				    job->goarch, arch ? arch : "of an unknown arch");
		goto out;
	}
	for (i = 0; i < job->spec->nlookups; i++) {
		const struct lutgen_lookup *l = &job->spec->lookups[i];

		rc = lutgen_measure_lookup(d, l, &vals[i], err);
		if (rc) {
			common_err_prefix(err, rc, "lookup %s", l->name);
			goto out;
		}
	}
out:
	lutgen_dwarf_close(d);
	pthread_mutex_unlock(&g->dwarf_lock);
	return rc;
}

/* Build the job's program, then inspect the binary. */
static int real_measure(struct lutgen_generate *g,
			const struct lutgen_generate_job *job,
			struct lutgen_value *vals,
			struct lutgen_generate_job_result *res,
			struct common_err *err)
{
	struct lutgen_build_opts bo;
	struct lutgen_build *b = NULL;
	int rc;

	memset(&bo, 0, sizeof(bo));
	bo.goroot = job->tc->goroot;
	bo.version = &job->tc->version;
	bo.goarch = job->goarch;
	bo.program_dir = job->program_dir;
	bo.gocache = job->gocache;
	bo.tmp_dir = job->tmp_dir;
	rc = lutgen_build_run(&bo, &b, err);
	if (b) {
		res->wall_s = b->wall_s;
		res->cpu_s = b->cpu_s;
	}
	if (rc == 0)
		rc = inspect(g, job, b->binary, vals, err);
	else if (b)
		res->report = lutgen_build_report(b);
	lutgen_build_free(b);
	return rc;
}

/* ---- setup -------------------------------------------------------------- */

static int init_locks(struct lutgen_generate *g)
{
	int rc;

	rc = pthread_mutex_init(&g->lock, NULL);
	if (rc)
		return -rc;
	rc = pthread_mutex_init(&g->dwarf_lock, NULL);
	if (rc)
		goto fail_lock;
	rc = pthread_mutex_init(&g->progress_lock, NULL);
	if (rc)
		goto fail_dwarf;
	rc = pthread_cond_init(&g->cond, NULL);
	if (rc)
		goto fail_progress;
	g->locks_ready = true;
	return 0;
fail_progress:
	pthread_mutex_destroy(&g->progress_lock);
fail_dwarf:
	pthread_mutex_destroy(&g->dwarf_lock);
fail_lock:
	pthread_mutex_destroy(&g->lock);
	return -rc;
}

int lutgen_generate_new(const struct lutgen_generate_opts *opts,
			struct lutgen_generate **out, struct common_err *err)
{
	struct lutgen_generate *g;
	const char *arch;
	long ncpu;
	int rc;

	if (!opts || !opts->cache || !opts->index)
		return common_err_set(err, -EINVAL,
				      "generate: a cache and an index are required");
	arch = opts->host_arch ? opts->host_arch : common_host_arch();
	if (!arch)
		return common_err_set(err, -ENOTSUP,
				      "generate: unknown host architecture; no Go toolchain to run here");
	g = calloc(1, sizeof(*g));
	if (!g)
		return common_err_set(err, -ENOMEM, "out of memory");
	g->o = *opts;
	if (opts->backend)
		g->be = *opts->backend;
	atomic_init(&g->cancel, false);
	snprintf(g->host_arch, sizeof(g->host_arch), "%s", arch);
	snprintf(g->host_os, sizeof(g->host_os), "%s",
		 opts->host_os ? opts->host_os : "linux");
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	g->jobs = opts->jobs > 0 ? opts->jobs : (ncpu > 0 ? (int)ncpu : 1);
	if (g->jobs > LUTGEN_MAX_JOBS)
		g->jobs = LUTGEN_MAX_JOBS;
	rc = rungo_cache_subdir(opts->cache, "results", g->results_dir,
				sizeof(g->results_dir));
	if (rc) {
		rc = common_err_set(err, rc, "generate: result cache path too long");
		goto fail;
	}
	rc = init_locks(g);
	if (rc) {
		common_err_set(err, rc, "generate: set up locks: %s",
			       strerror(-rc));
		goto fail;
	}
	*out = g;
	return 0;
fail:
	free(g);
	return rc;
}

void lutgen_generate_free(struct lutgen_generate *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->nm; i++) {
		struct lutgen_measurement *m = &g->m[i];

		lutgen_values_free(m->values, g->specs[m->spec].spec->nlookups);
		free(m->error);
		free(m->report);
	}
	free(g->m);
	free(g->m_version);
	free(g->m_key);
	free(g->queue);
	for (i = 0; i < g->nspecs; i++) {
		free(g->specs[i].program_dir);
		free(g->specs[i].lookups_json);
		free(g->specs[i].versions);
		lutgen_table_free(g->specs[i].table);
	}
	free(g->specs);
	free(g->versions);
	if (g->locks_ready) {
		pthread_mutex_destroy(&g->lock);
		pthread_mutex_destroy(&g->dwarf_lock);
		pthread_mutex_destroy(&g->progress_lock);
		pthread_cond_destroy(&g->cond);
	}
	free(g);
}

static char *default_program_dir(const struct lutgen_spec *s)
{
	const char *path = s->path ? s->path : "";
	const char *slash = strrchr(path, '/');

	if (!slash)
		return common_strf("../programs/%s", s->program);
	return common_strf("%.*s/../programs/%s", (int)(slash - path), path,
			   s->program);
}

static int add_version(struct lutgen_generate *g, const struct rungo_version *v,
		       size_t *idx)
{
	struct gversion *nv;
	size_t i;

	for (i = 0; i < g->nversions; i++)
		if (rungo_version_cmp(&g->versions[i].v, v) == 0) {
			*idx = i;
			return 0;
		}
	nv = realloc(g->versions, (g->nversions + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	g->versions = nv;
	memset(&nv[g->nversions], 0, sizeof(*nv));
	nv[g->nversions].v = *v;
	if (rungo_version_format(v, nv[g->nversions].vstr,
				 sizeof(nv[g->nversions].vstr)) < 0)
		return -EINVAL;
	*idx = g->nversions++;
	return 0;
}

/* Room for `more` measurements. */
static int reserve_measurements(struct lutgen_generate *g, size_t more)
{
	size_t need = g->nm + more;
	struct lutgen_measurement *nm;
	size_t *nmv;
	char(*nk)[65];

	if (need <= g->cap_m)
		return 0;
	nm = realloc(g->m, need * sizeof(*nm));
	if (nm)
		g->m = nm;
	nmv = realloc(g->m_version, need * sizeof(*nmv));
	if (nmv)
		g->m_version = nmv;
	nk = realloc(g->m_key, need * sizeof(*nk));
	if (nk)
		g->m_key = nk;
	if (!nm || !nmv || !nk)
		return -ENOMEM;
	g->cap_m = need;
	return 0;
}

/* The measurements of the last spec added: its versions x arches, as far
 * as the job filter lets them. */
static int add_measurements(struct lutgen_generate *g, struct gspec *gs)
{
	const struct lutgen_spec *spec = gs->spec;
	size_t i, a, vi;
	int rc;

	rc = reserve_measurements(g, gs->nversions * spec->narches);
	if (rc)
		return rc;
	for (i = 0; i < gs->nversions; i++) {
		rc = add_version(g, &gs->versions[i], &vi);
		if (rc)
			return rc;
		for (a = 0; a < spec->narches; a++) {
			struct lutgen_measurement *m = &g->m[g->nm];

			if (g->o.job_filter &&
			    !g->o.job_filter(g->o.filter_ctx, &gs->versions[i],
					     spec->arches[a]))
				continue;
			memset(m, 0, sizeof(*m));
			m->spec = g->nspecs - 1;
			m->version = gs->versions[i];
			memcpy(m->version_str, g->versions[vi].vstr,
			       sizeof(m->version_str));
			snprintf(m->goarch, sizeof(m->goarch), "%s",
				 spec->arches[a]);
			g->m_version[g->nm] = vi;
			g->m_key[g->nm][0] = '\0';
			g->nm++;
		}
	}
	return 0;
}

/* The spec's selection, less what the version filter refuses. */
static int select_versions(struct lutgen_generate *g, struct gspec *gs,
			   struct common_err *err)
{
	size_t n = 0, i, kept = 0;
	int rc;

	rc = lutgen_spec_select(gs->spec, g->o.index, g->host_os,
				g->host_arch, &gs->versions, &n, err);
	if (rc)
		return rc;
	for (i = 0; i < n; i++)
		if (!g->o.version_filter ||
		    g->o.version_filter(g->o.filter_ctx, &gs->versions[i]))
			gs->versions[kept++] = gs->versions[i];
	gs->nversions = kept;
	if (kept == 0)
		return common_err_set(err, -ENOENT,
				      "spec %s: no selected version left after filtering",
				      gs->spec->name);
	return 0;
}

int lutgen_generate_add_spec(struct lutgen_generate *g,
			     const struct lutgen_spec *spec,
			     const char *program_dir, struct common_err *err)
{
	struct gspec *gs, *ns;
	int rc;

	if (g->ran)
		return common_err_set(err, -EINVAL,
				      "generate: add specs before running");
	ns = realloc(g->specs, (g->nspecs + 1) * sizeof(*ns));
	if (!ns)
		return common_err_set(err, -ENOMEM, "out of memory");
	g->specs = ns;
	gs = &g->specs[g->nspecs];
	memset(gs, 0, sizeof(*gs));
	gs->spec = spec;
	g->nspecs++;  /* from here, lutgen_generate_free owns gs's members */

	gs->program_dir = program_dir ? strdup(program_dir)
				      : default_program_dir(spec);
	gs->lookups_json = lutgen_spec_lookups_canonical(spec);
	if (!gs->program_dir || !gs->lookups_json)
		return common_err_set(err, -ENOMEM, "out of memory");
	rc = lutgen_build_program_hash(gs->program_dir, gs->program_hash, err);
	if (rc)
		return common_err_prefix(err, rc, "spec %s", spec->name);
	rc = select_versions(g, gs, err);
	if (rc)
		return rc;
	rc = add_measurements(g, gs);
	if (rc)
		return common_err_set(err, rc, "spec %s: %s", spec->name,
				      strerror(-rc));
	return 0;
}

/* ---- keys --------------------------------------------------------------- */

static int cmp_gversion(const void *a, const void *b)
{
	return rungo_version_cmp(&((const struct gversion *)a)->v,
				 &((const struct gversion *)b)->v);
}

/* Toolchain keys and the go.mod hash of every version. */
static void compute_version_keys(struct lutgen_generate *g)
{
	size_t i, k;

	for (i = 0; i < g->nversions; i++) {
		struct gversion *gv = &g->versions[i];
		const struct rungo_file *f;
		char gomod[128];

		if (lutgen_build_gomod(&gv->v, gomod, sizeof(gomod)) == 0)
			common_sha256_buf(gomod, strlen(gomod), gv->gomod_hash);
		for (k = 0; k < g->o.ngoroots; k++) {
			struct rungo_version lv;
			char key[65];

			if (lutgen_rcache_local_key(g->o.goroots[k], key,
						    &lv) == 0 &&
			    rungo_version_cmp(&lv, &gv->v) == 0) {
				memcpy(gv->key, key, sizeof(key));
				break;
			}
		}
		if (gv->key[0])
			continue;
		f = rungo_index_find_file(g->o.index, &gv->v, g->host_os,
					  g->host_arch, "archive");
		if (f && strlen(f->sha256) == 64)
			memcpy(gv->key, f->sha256, sizeof(gv->key));
	}
}

/* The result cache key of measurement mi ("" when its toolchain has no
 * identity yet). */
static int measurement_key(struct lutgen_generate *g, size_t mi)
{
	const struct lutgen_measurement *m = &g->m[mi];
	const struct gversion *gv = &g->versions[g->m_version[mi]];
	const struct gspec *gs = &g->specs[m->spec];
	struct lutgen_rcache_key k;

	g->m_key[mi][0] = '\0';
	if (!gv->key[0])
		return 0;
	k.toolchain = gv->key;
	k.version = gv->vstr;
	k.goarch = m->goarch;
	k.program_hash = gs->program_hash;
	k.gomod_hash = gv->gomod_hash;
	k.lookups = gs->lookups_json;
	return lutgen_rcache_key(&k, g->m_key[mi]);
}

/* Make the toolchain key of a version known only after installing (a
 * registered GOROOT, an index without sha256). */
static void key_after_install(struct lutgen_generate *g, struct gversion *gv)
{
	size_t mi;

	if (gv->key[0])
		return;
	if (gv->tc.local) {
		if (lutgen_rcache_local_key(gv->tc.goroot, gv->key, NULL) != 0)
			return;
	} else if (strlen(gv->tc.sha256) == 64) {
		memcpy(gv->key, gv->tc.sha256, sizeof(gv->key));
	} else {
		return;  /* no identity: never cached */
	}
	for (mi = 0; mi < g->nm; mi++)
		if (&g->versions[g->m_version[mi]] == gv)
			(void)measurement_key(g, mi);
}

/* Fill measurement mi from the result cache; true on a hit. */
static bool result_load(struct lutgen_generate *g, size_t mi)
{
	struct lutgen_measurement *m = &g->m[mi];

	if (!lutgen_rcache_load(g->results_dir, g->m_key[mi],
				g->specs[m->spec].spec, &m->values,
				m->toolchain_sha256))
		return false;
	m->state = LUTGEN_MEASURE_CACHED;
	return true;
}

/* Write measurement mi.  Failure only costs a rebuild later, so it is
 * logged, not fatal. */
static void result_store(struct lutgen_generate *g, size_t mi)
{
	const struct lutgen_measurement *m = &g->m[mi];
	const struct gspec *gs = &g->specs[m->spec];
	const struct gversion *gv = &g->versions[g->m_version[mi]];
	struct lutgen_rcache_entry e;
	struct common_err err = { 0 };

	if (!g->m_key[mi][0])
		return;   /* no toolchain identity */
	e.version = m->version_str;
	e.goarch = m->goarch;
	e.toolchain_key = gv->key;
	e.toolchain_sha256 = m->toolchain_sha256;
	e.program_hash = gs->program_hash;
	e.values = m->values;
	if (lutgen_rcache_store(g->results_dir, g->m_key[mi], gs->spec, &e,
				&err) != 0)
		common_logf(g->o.log, g->o.log_ctx, COMMON_LOG_WARN,
			    "could not write the result cache entry of %s %s/%s: %s",
			    gs->spec->name, m->version_str, m->goarch, err.msg);
}

/* ---- the pipeline ------------------------------------------------------- */

/* Report progress, outside g->lock; counts only go up. */
static void progress(struct lutgen_generate *g, size_t done, size_t total)
{
	if (!g->o.progress)
		return;
	pthread_mutex_lock(&g->progress_lock);
	if (done > g->progress_shown || done == 0) {
		g->progress_shown = done;
		g->o.progress(g->o.progress_ctx, "builds",
			      (unsigned long long)done,
			      (unsigned long long)total);
	}
	pthread_mutex_unlock(&g->progress_lock);
}

static bool stopping_locked(struct lutgen_generate *g)
{
	return g->stop || atomic_load(&g->cancel);
}

/* Record a failure (g->lock held); returns the new done count. */
static size_t fail_locked(struct lutgen_generate *g, size_t mi,
			  const char *msg, char *report)
{
	struct lutgen_measurement *m = &g->m[mi];

	m->state = LUTGEN_MEASURE_FAILED;
	free(m->error);
	m->error = strdup(msg);
	m->report = report;
	if (!g->first_err.code)
		common_err_set(&g->first_err, -EIO, "%s", msg);
	if (!g->o.keep_going)
		g->stop = true;
	return ++g->done;
}

/* Build and inspect measurement mi with the backend. */
static int run_job(struct lutgen_generate *g, size_t mi,
		   struct lutgen_value **vals,
		   struct lutgen_generate_job_result *res,
		   struct common_err *err)
{
	struct lutgen_measurement *m = &g->m[mi];
	const struct gspec *gs = &g->specs[m->spec];
	const struct gversion *gv = &g->versions[g->m_version[mi]];
	struct lutgen_generate_job job;
	char gocache[PATH_MAX];
	int rc;

	*vals = calloc(gs->spec->nlookups ? gs->spec->nlookups : 1,
		       sizeof(**vals));
	if (!*vals)
		return common_err_set(err, -ENOMEM, "out of memory");
	rc = rungo_cache_gocache_dir(g->o.cache, &gv->tc, gocache,
				     sizeof(gocache));
	if (rc)
		return common_err_set(err, rc, "GOCACHE path too long");
	job.spec = gs->spec;
	job.program_dir = gs->program_dir;
	job.tc = &gv->tc;
	job.goarch = m->goarch;
	job.gocache = gocache;
	job.tmp_dir = g->o.tmp_dir;
	if (g->be.measure)
		return g->be.measure(g->be.ctx, &job, *vals, res, err);
	return real_measure(g, &job, *vals, res, err);
}

static void measure(struct lutgen_generate *g, size_t mi)
{
	struct lutgen_measurement *m = &g->m[mi];
	const struct gspec *gs = &g->specs[m->spec];
	const struct gversion *gv = &g->versions[g->m_version[mi]];
	struct lutgen_generate_job_result res = { 0 };
	struct lutgen_value *vals = NULL;
	struct common_err err = { 0 };
	char msg[COMMON_ERR_MSG_SIZE + 128];
	size_t done, total;
	int rc;

	rc = run_job(g, mi, &vals, &res, &err);
	pthread_mutex_lock(&g->lock);
	m->wall_s = res.wall_s;
	m->cpu_s = res.cpu_s;
	if (rc) {
		snprintf(msg, sizeof(msg), "%s: %s linux/%s: %s",
			 gs->spec->name, m->version_str, m->goarch, err.msg);
		done = fail_locked(g, mi, msg, res.report);
		res.report = NULL;
	} else {
		m->values = vals;
		vals = NULL;
		snprintf(m->toolchain_sha256, sizeof(m->toolchain_sha256),
			 "%s", gv->tc.local ? "" : gv->tc.sha256);
		m->state = LUTGEN_MEASURE_BUILT;
		done = ++g->done;
	}
	total = g->total;
	pthread_mutex_unlock(&g->lock);
	progress(g, done, total);
	if (rc == 0) {
		common_logf(g->o.log, g->o.log_ctx, COMMON_LOG_DEBUG,
			    "%s: %s linux/%s built in %.1f s",
			    gs->spec->name, m->version_str, m->goarch, m->wall_s);
		result_store(g, mi);
	}
	lutgen_values_free(vals, gs->spec->nlookups);
	free(res.report);
}

static void *worker_main(void *arg)
{
	struct lutgen_generate *g = arg;

	for (;;) {
		size_t mi;
		bool stop;

		pthread_mutex_lock(&g->lock);
		while (g->q_head == g->q_tail && !g->installer_done)
			pthread_cond_wait(&g->cond, &g->lock);
		if (g->q_head == g->q_tail) {
			pthread_mutex_unlock(&g->lock);
			break;
		}
		mi = g->queue[g->q_head++];
		stop = stopping_locked(g);
		pthread_mutex_unlock(&g->lock);
		if (!stop)
			measure(g, mi);
	}
	return NULL;
}

/* After installing version vi (rc: the install's result): queue its
 * measurements, or fail them.  Returns the done count. */
static size_t dispatch_locked(struct lutgen_generate *g, size_t vi, int rc,
			      const struct common_err *err)
{
	char msg[COMMON_ERR_MSG_SIZE + 128];
	size_t mi, done = g->done;

	for (mi = 0; mi < g->nm; mi++) {
		const struct lutgen_measurement *m = &g->m[mi];

		if (g->m_version[mi] != vi || m->state != LUTGEN_MEASURE_PENDING)
			continue;
		if (rc == 0) {
			g->queue[g->q_tail++] = mi;
			continue;
		}
		snprintf(msg, sizeof(msg), "%s: %s linux/%s: no toolchain: %s",
			 g->specs[m->spec].spec->name, m->version_str,
			 m->goarch, err->msg);
		done = fail_locked(g, mi, msg, NULL);
	}
	return done;
}

static void *installer_main(void *arg)
{
	struct lutgen_generate *g = arg;
	size_t vi, done, total;
	bool stop;

	for (vi = 0; vi < g->nversions; vi++) {
		struct gversion *gv = &g->versions[vi];
		struct common_err err = { 0 };
		int rc;

		if (!gv->need_build)
			continue;
		pthread_mutex_lock(&g->lock);
		stop = stopping_locked(g);
		pthread_mutex_unlock(&g->lock);
		if (stop)
			break;
		if (g->be.install)
			rc = g->be.install(g->be.ctx, &gv->v, g->host_os,
					   g->host_arch, &gv->tc, &err);
		else
			rc = real_install(g, &gv->v, g->host_os, g->host_arch,
					  &gv->tc, &err);
		if (rc == 0)
			key_after_install(g, gv);
		pthread_mutex_lock(&g->lock);
		done = dispatch_locked(g, vi, rc, &err);
		total = g->total;
		pthread_cond_broadcast(&g->cond);
		pthread_mutex_unlock(&g->lock);
		if (rc)
			progress(g, done, total);
	}
	pthread_mutex_lock(&g->lock);
	g->installer_done = true;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

static bool spec_complete(const struct lutgen_generate *g, size_t si)
{
	size_t mi;

	for (mi = 0; mi < g->nm; mi++)
		if (g->m[mi].spec == si &&
		    g->m[mi].state != LUTGEN_MEASURE_CACHED &&
		    g->m[mi].state != LUTGEN_MEASURE_BUILT)
			return false;
	return true;
}

/* Specs whose measurements are complete get their table even when another
 * spec failed (keep_going). */
static int fill_tables(struct lutgen_generate *g, struct common_err *err)
{
	size_t si, mi, l;
	int rc;

	for (si = 0; si < g->nspecs; si++) {
		struct gspec *gs = &g->specs[si];

		if (!spec_complete(g, si))
			continue;
		rc = lutgen_table_new(gs->spec, &gs->table, err);
		if (rc)
			return rc;
		for (mi = 0; mi < g->nm; mi++) {
			const struct lutgen_measurement *m = &g->m[mi];

			if (m->spec != si)
				continue;
			for (l = 0; l < gs->spec->nlookups; l++) {
				rc = lutgen_table_add(gs->table, l, m->goarch,
						      &m->version,
						      m->toolchain_sha256,
						      &m->values[l], err);
				if (rc)
					return common_err_prefix(err, rc,
								 "spec %s",
								 gs->spec->name);
			}
		}
	}
	return 0;
}

/* Sort the versions, key them, and take what the result cache knows;
 * the rest needs a build (g->total). */
static int prepare(struct lutgen_generate *g, struct common_err *err)
{
	size_t mi, vi;

	qsort(g->versions, g->nversions, sizeof(*g->versions), cmp_gversion);
	for (mi = 0; mi < g->nm; mi++)
		for (vi = 0; vi < g->nversions; vi++)
			if (rungo_version_cmp(&g->versions[vi].v,
					      &g->m[mi].version) == 0)
				g->m_version[mi] = vi;
	compute_version_keys(g);
	for (mi = 0; mi < g->nm; mi++) {
		if (measurement_key(g, mi) != 0)
			return common_err_set(err, -ENOMEM, "out of memory");
		if (!g->o.rebuild && result_load(g, mi))
			continue;
		g->versions[g->m_version[mi]].need_build = true;
		g->total++;
	}
	return 0;
}

/* Start the installer and up to `jobs` workers, wait for all of them. */
static int run_threads(struct lutgen_generate *g, struct common_err *err)
{
	pthread_t installer, *workers;
	int nworkers = 0, i, rc;

	g->queue = calloc(g->nm, sizeof(*g->queue));
	workers = calloc((size_t)g->jobs, sizeof(*workers));
	if (!g->queue || !workers) {
		free(workers);
		return common_err_set(err, -ENOMEM, "out of memory");
	}
	progress(g, 0, g->total);
	rc = pthread_create(&installer, NULL, installer_main, g);
	if (rc) {
		free(workers);
		return common_err_set(err, -rc, "start a thread: %s",
				      strerror(rc));
	}
	for (i = 0; i < g->jobs && (size_t)i < g->total; i++) {
		rc = pthread_create(&workers[i], NULL, worker_main, g);
		if (rc)
			break;   /* fewer workers still finish the queue */
		nworkers++;
	}
	if (nworkers == 0) {
		pthread_mutex_lock(&g->lock);
		g->stop = true;   /* the installer stops before its next one */
		pthread_mutex_unlock(&g->lock);
		common_err_set(err, -rc, "start a thread: %s", strerror(rc));
	}
	pthread_join(installer, NULL);
	for (i = 0; i < nworkers; i++)
		pthread_join(workers[i], NULL);
	free(workers);
	return nworkers ? 0 : -rc;
}

int lutgen_generate_run(struct lutgen_generate *g, struct common_err *err)
{
	int rc;

	if (g->ran)
		return common_err_set(err, -EINVAL, "generate: already ran");
	g->ran = true;
	rc = common_fs_mkdir_p(g->results_dir, err);
	if (rc)
		return common_err_prefix(err, rc, "result cache");
	rc = prepare(g, err);
	if (rc)
		return rc;
	if (g->total > 0) {
		rc = run_threads(g, err);
		if (rc)
			return rc;
	}
	rc = fill_tables(g, err);
	if (rc)
		return rc;
	if (g->first_err.code)
		return common_err_set(err, g->first_err.code, "%s",
				      g->first_err.msg);
	if (atomic_load(&g->cancel))
		return common_err_set(err, -ECANCELED,
				      "generate: cancelled; %zu of %zu builds done",
				      g->done, g->total);
	return 0;
}

void lutgen_generate_cancel(struct lutgen_generate *g)
{
	if (g)
		atomic_store(&g->cancel, true);
}

/* ---- results ------------------------------------------------------------ */

const struct lutgen_measurement *
lutgen_generate_measurements(const struct lutgen_generate *g, size_t *n)
{
	*n = g->nm;
	return g->m;
}

const struct lutgen_table *lutgen_generate_table(const struct lutgen_generate *g,
						 size_t i)
{
	return i < g->nspecs ? g->specs[i].table : NULL;
}

void lutgen_generate_stats(const struct lutgen_generate *g, size_t i,
			   struct lutgen_generate_stats *st)
{
	size_t mi;

	memset(st, 0, sizeof(*st));
	if (i >= g->nspecs)
		return;
	st->versions = g->specs[i].nversions;
	st->arches = g->specs[i].spec->narches;
	for (mi = 0; mi < g->nm; mi++) {
		const struct lutgen_measurement *m = &g->m[mi];

		if (m->spec != i)
			continue;
		st->measurements++;
		switch (m->state) {
		case LUTGEN_MEASURE_CACHED:
			st->cached++;
			break;
		case LUTGEN_MEASURE_BUILT:
			st->built++;
			break;
		case LUTGEN_MEASURE_FAILED:
			st->failed++;
			break;
		case LUTGEN_MEASURE_PENDING:
			st->skipped++;
			break;
		}
		st->build_cpu_s += m->cpu_s;
		st->build_wall_s += m->wall_s;
	}
}

int lutgen_generate_jobs(const struct lutgen_generate *g)
{
	return g->jobs;
}
