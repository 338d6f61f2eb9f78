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
#include "rungo/modcache.h"
#include "rungo/modgraph.h"
#include "rungo/select.h"

/* ---- internal state ----------------------------------------------------- */

/* One selected module version of a module spec. */
struct gmod {
	struct rungo_modver v;
	struct rungo_module zip;          /* verified, in the cache */
	struct rungo_modgraph *graph;
	char *suite;                      /* module mirror suite, or NULL */
	char *gomod_tail;                 /* require + replace lines */
	char *gosum;                      /* the module's go.sum lines */
	char buildmod_hash[65];           /* sha256 of tail and go.sum */
	struct rungo_version *compat;     /* Go toolchains it allows, sorted */
	size_t ncompat;
	size_t dflt;                      /* compat index of the default */
};

struct gspec {
	const struct lutgen_spec *spec;
	/* Module specs. */
	struct gmod *mods;
	size_t nmods;
	bool keys_go;
	char *evidence;
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
	struct rungo_cache_hold *hold;  /* keeps tc from prune until built */
};

/* One build: the measurements (of any spec) that need the same program,
 * toolchain and GOARCH. */
struct gbuild {
	size_t *mi;
	size_t n;
};

struct lutgen_generate {
	struct lutgen_generate_opts o;
	struct lutgen_generate_backend be;   /* NULL members: the real ones */
	char host_os[32];
	char host_arch[32];
	int jobs;
	char results_dir[PATH_MAX];
	/* A read-only cache: results are read, not written, and builds get a
	 * private GOCACHE under tmp_dir, removed with the run. */
	bool readonly;
	char private_gocache[PATH_MAX];

	struct gspec *specs;
	size_t nspecs;
	struct gversion *versions;   /* union of the specs', sorted */
	size_t nversions;

	char build_goproxy[4096];    /* GOPROXY of module builds */
	char gomodcache[PATH_MAX];   /* GOMODCACHE of module builds */

	struct lutgen_measurement *m;
	size_t *m_version;           /* index into versions, per measurement */
	size_t *m_mod;               /* the spec's module version, or SIZE_MAX */
	char (*m_key)[65];           /* result-cache file stem, "" unknown */
	size_t nm, cap_m;
	struct gbuild *builds;       /* what needs building */
	size_t nbuilds;

	/* Shared between the installer and the workers, under `lock`. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
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
	size_t ended_reported;           /* build_done calls so far */
};

/* ---- the real backend --------------------------------------------------- */

/* Install and hold: the toolchain stays out of prune's reach until
 * lutgen_generate_run's builds are done (release_holds). */
static int real_install(struct lutgen_generate *g, struct gversion *gv,
			struct common_err *err)
{
	return rungo_cache_acquire(g->o.cache, g->o.index, &gv->v, g->host_os,
				   g->host_arch, &gv->tc, &gv->hold, err);
}

static void release_holds(struct lutgen_generate *g)
{
	size_t vi;

	for (vi = 0; vi < g->nversions; vi++) {
		rungo_cache_release(g->versions[vi].hold);
		g->versions[vi].hold = NULL;
	}
}

/* Does a failed build say the toolchain cannot target its GOARCH? */
static bool build_unsupported(const struct lutgen_build *b)
{
	return b && b->output &&
	       strstr(b->output, "unsupported GOOS/GOARCH pair") != NULL;
}

/* Every lookup of every spec of the job, borrowed, for one pass. */
static struct lutgen_lookup *all_lookups(const struct lutgen_generate_job *job,
					 size_t *n, unsigned *need)
{
	struct lutgen_lookup *all;
	size_t k, i, total = 0;

	*need = 0;
	for (k = 0; k < job->nspecs; k++) {
		total += job->specs[k]->nlookups;
		*need |= lutgen_measure_needs(job->specs[k]->lookups,
					      job->specs[k]->nlookups);
	}
	all = calloc(total ? total : 1, sizeof(*all));
	for (k = 0, *n = 0; all && k < job->nspecs; k++)
		for (i = 0; i < job->specs[k]->nlookups; i++)
			all[(*n)++] = job->specs[k]->lookups[i];
	return all;
}

/*
 * Read every lookup of every spec of the job from `binary`: all their
 * names resolved in one pass, then each spec's lookups (a spec that fails
 * does not fail the others).  No lock: DWARF handles are independent
 * (lutgen/measure/dwarf.h).
 */
static int inspect(const struct lutgen_generate_job *job, const char *binary,
		   struct lutgen_value **vals, int *rcs,
		   struct common_err *errs, struct common_err *err)
{
	struct lutgen_dwarf *d = NULL;
	struct lutgen_lookup *all;
	size_t n = 0, k, failed;
	unsigned need;
	int rc;

	all = all_lookups(job, &n, &need);
	if (!all)
		return common_err_set(err, -ENOMEM, "out of memory");
	rc = lutgen_dwarf_open_for(binary, need, &d, err);
	if (rc == 0 && strcmp(lutgen_dwarf_goarch(d), job->goarch) != 0)
		rc = common_err_set(err, -EPROTO,
				    "the binary built for %s is %s",
				    job->goarch, lutgen_dwarf_goarch(d));
	if (rc == 0)
		rc = lutgen_measure_prefetch(d, all, n, err);
	for (k = 0; rc == 0 && k < job->nspecs; k++) {
		const struct lutgen_spec *s = job->specs[k];

		rcs[k] = lutgen_measure_lookups(d, s->lookups, s->nlookups,
						vals[k], &failed, &errs[k]);
		if (rcs[k])
			common_err_prefix(&errs[k], rcs[k], "lookup %s",
					  s->lookups[failed].name);
	}
	lutgen_dwarf_close(d);
	free(all);
	return rc;
}

/* Build the job's program once, then inspect the binary. */
static int real_measure(const struct lutgen_generate_job *job,
			struct lutgen_value **vals, int *rcs,
			struct common_err *errs,
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
	bo.gomod = job->gomod;
	bo.gosum = job->gosum;
	bo.goproxy = job->goproxy;
	bo.gomodcache = job->gomodcache;
	bo.timeout_s = job->timeout_s;
	rc = lutgen_build_run(&bo, &b, err);
	if (b) {
		res->wall_s = b->wall_s;
		res->cpu_s = b->cpu_s;
	}
	if (rc == 0)
		rc = inspect(job, b->binary, vals, rcs, errs, err);
	else if (build_unsupported(b))
		rc = common_err_set(err, -ENOTSUP,
				    "%s cannot target linux/%s",
				    job->tc->goroot, job->goarch);
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
	rc = pthread_mutex_init(&g->progress_lock, NULL);
	if (rc)
		goto fail_lock;
	rc = pthread_cond_init(&g->cond, NULL);
	if (rc)
		goto fail_progress;
	g->locks_ready = true;
	return 0;
fail_progress:
	pthread_mutex_destroy(&g->progress_lock);
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
	release_holds(g);
	for (i = 0; i < g->nm; i++) {
		struct lutgen_measurement *m = &g->m[i];

		lutgen_values_free(m->values, g->specs[m->spec].spec->nlookups);
		free(m->error);
		free(m->report);
	}
	free(g->m);
	free(g->m_version);
	free(g->m_mod);
	free(g->m_key);
	free(g->queue);
	for (i = 0; i < g->nbuilds; i++)
		free(g->builds[i].mi);
	free(g->builds);
	for (i = 0; i < g->nspecs; i++) {
		size_t k;

		for (k = 0; k < g->specs[i].nmods; k++) {
			struct gmod *gm = &g->specs[i].mods[k];

			rungo_modgraph_free(gm->graph);
			free(gm->suite);
			free(gm->gomod_tail);
			free(gm->gosum);
			free(gm->compat);
		}
		free(g->specs[i].mods);
		free(g->specs[i].evidence);
		free(g->specs[i].program_dir);
		free(g->specs[i].lookups_json);
		free(g->specs[i].versions);
		lutgen_table_free(g->specs[i].table);
	}
	free(g->specs);
	free(g->versions);
	if (g->locks_ready) {
		pthread_mutex_destroy(&g->lock);
		pthread_mutex_destroy(&g->progress_lock);
		pthread_cond_destroy(&g->cond);
	}
	if (g->private_gocache[0])
		(void)common_fs_rmtree(g->private_gocache, NULL, NULL);
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
	size_t *nmv, *nmm;
	char(*nk)[65];

	if (need <= g->cap_m)
		return 0;
	if (need < 2 * g->cap_m)
		need = 2 * g->cap_m;
	nm = realloc(g->m, need * sizeof(*nm));
	if (nm)
		g->m = nm;
	nmv = realloc(g->m_version, need * sizeof(*nmv));
	if (nmv)
		g->m_version = nmv;
	nmm = realloc(g->m_mod, need * sizeof(*nmm));
	if (nmm)
		g->m_mod = nmm;
	nk = realloc(g->m_key, need * sizeof(*nk));
	if (nk)
		g->m_key = nk;
	if (!nm || !nmv || !nmm || !nk)
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
			g->m_mod[g->nm] = SIZE_MAX;
			g->m_key[g->nm][0] = '\0';
			g->nm++;
		}
	}
	return 0;
}

/* Add the measurement (spec si, Go version v, arch, module version mod of
 * the spec) unless it exists; v joins the versions. */
static int add_measurement(struct lutgen_generate *g, size_t si,
			   const struct rungo_version *v, const char *goarch,
			   size_t mod, bool proof)
{
	const struct gspec *gs = &g->specs[si];
	struct lutgen_measurement *m;
	size_t vi, i;
	int rc;

	for (i = 0; i < g->nm; i++)
		if (g->m[i].spec == si && g->m_mod[i] == mod &&
		    rungo_version_cmp(&g->m[i].version, v) == 0 &&
		    strcmp(g->m[i].goarch, goarch) == 0)
			return 0;
	rc = add_version(g, v, &vi);
	if (rc == 0)
		rc = reserve_measurements(g, 1);
	if (rc)
		return rc;
	m = &g->m[g->nm];
	memset(m, 0, sizeof(*m));
	m->spec = si;
	m->version = *v;
	memcpy(m->version_str, g->versions[vi].vstr, sizeof(m->version_str));
	snprintf(m->goarch, sizeof(m->goarch), "%s", goarch);
	m->module = true;
	m->modver = gs->mods[mod].v;
	memcpy(m->module_h1, gs->mods[mod].zip.h1, sizeof(m->module_h1));
	m->proof = proof;
	g->m_version[g->nm] = vi;
	g->m_mod[g->nm] = mod;
	g->m_key[g->nm][0] = '\0';
	g->nm++;
	return 0;
}

/* ---- module specs ------------------------------------------------------ */

static int modcache_opts(struct lutgen_generate *g,
			 struct rungo_modcache_opts *mo)
{
	memset(mo, 0, sizeof(*mo));
	mo->cache = g->o.cache;
	mo->proxy = g->o.proxy;
	mo->sums = g->o.sums;
	mo->log = g->o.log;
	mo->log_ctx = g->o.log_ctx;
	return 0;
}

/* The module graph of path@gm->v, pinned by the module mirror when it
 * names that version. */
static int resolve(struct lutgen_generate *g, const char *path,
		   struct gmod *gm, struct common_err *err)
{
	struct rungo_modmirror_build *b = NULL;
	struct rungo_modgraph_opts go;
	struct rungo_modcache_opts mo;
	int rc;

	memset(&go, 0, sizeof(go));
	modcache_opts(g, &mo);
	if (g->o.mirror) {
		rc = rungo_modmirror_build(g->o.mirror, path, &gm->v, &b, err);
		if (rc && rc != -ENOENT)
			return rc;
		if (rc == 0) {
			gm->suite = strdup(b->suite);
			if (!gm->suite) {
				rungo_modmirror_build_free(b);
				return common_err_set(err, -ENOMEM,
						     "out of memory");
			}
			go.pins = b->pins;
			go.npins = b->npins;
		}
	}
	rc = rungo_modgraph_resolve(&mo, &go, path, &gm->v, &gm->graph, err);
	rungo_modmirror_build_free(b);
	return rc;
}

/* go.mod lines after "module" and "go": the measured version and the
 * replacements; the go.sum lines of the module. */
static int build_files(const struct lutgen_spec *spec, struct gmod *gm)
{
	struct common_sb t = { 0 }, sum = { 0 };
	size_t i;
	int rc = 0;

	common_sb_printf(&t, "require %s %s\n", spec->module->path, gm->v.str);
	for (i = 0; i < gm->graph->nrequires; i++)
		common_sb_printf(&t, "require %s %s // has the packages of %s\n",
				 gm->graph->requires[i].path,
				 gm->graph->requires[i].version.str,
				 gm->graph->requires[i].encloses);
	if (gm->graph->nexcludes)
		common_sb_puts(&t, "\n// Required below the modules above, "
				   "not in the suite, not needed.\n"
				   "exclude (\n");
	for (i = 0; i < gm->graph->nexcludes; i++)
		common_sb_printf(&t, "\t%s %s\n", gm->graph->excludes[i].path,
				 gm->graph->excludes[i].version.str);
	if (gm->graph->nexcludes)
		common_sb_puts(&t, ")\n");
	if (gm->graph->nreplaces) {
		if (gm->suite)
			common_sb_printf(&t, "\n// The module mirror's %s suite: "
					 "versions that build together.",
					 gm->suite);
		common_sb_puts(&t, "\n// Versions the module proxy lacks, "
				   "replaced by ones it has.\nreplace (\n");
		for (i = 0; i < gm->graph->nreplaces; i++) {
			const struct rungo_modreplace *r = &gm->graph->replaces[i];

			if (r->has_from)
				common_sb_printf(&t, "\t%s %s => %s %s\n",
						 r->path, r->from.str, r->path,
						 r->to.str);
			else
				common_sb_printf(&t, "\t%s => %s %s\n",
						 r->path, r->path, r->to.str);
		}
		common_sb_puts(&t, ")\n");
	}
	common_sb_printf(&sum, "%s %s %s\n%s %s/go.mod %s\n",
			 spec->module->path, gm->v.str, gm->zip.h1,
			 spec->module->path, gm->v.str, gm->zip.gomod_h1);
	if (t.oom || sum.oom) {
		rc = -ENOMEM;
		goto out;
	}
	gm->gomod_tail = t.p;
	gm->gosum = sum.p;
	t.p = sum.p = NULL;
	{
		char *both = common_strf("%s\n--\n%s", gm->gomod_tail, gm->gosum);

		if (!both) {
			rc = -ENOMEM;
			goto out;
		}
		common_sha256_buf(both, strlen(both), gm->buildmod_hash);
		free(both);
	}
out:
	free(t.p);
	free(sum.p);
	return rc;
}

/* The Go toolchains that may build module spec `spec` on this host;
 * *gos is the caller's, freed with free(). */
static int select_module_gos(struct lutgen_generate *g,
			     const struct lutgen_spec *spec,
			     struct rungo_version **gos, size_t *ngos,
			     struct common_err *err)
{
	struct rungo_select_opts so;
	char minv[RUNGO_VERSION_STR_MAX];
	int rc;

	memset(&so, 0, sizeof(so));
	so.min = &spec->min_version;
	so.policy = spec->policy;
	so.os = g->host_os;
	so.arch = g->host_arch;
	rc = rungo_select(g->o.index, &so, gos, ngos, err);
	if (rc)
		return common_err_prefix(err, rc, "spec %s", spec->name);
	if (*ngos > 0)
		return 0;
	rungo_version_format(&spec->min_version, minv, sizeof(minv));
	return common_err_set(err, -ENOENT,
			      "spec %s: the index has no Go release >= %s for %s/%s",
			      spec->name, minv, g->host_os, g->host_arch);
}

/* The module versions the proxy lists and the spec selects; *sel is the
 * caller's, freed with free(). */
static int select_module_versions(struct lutgen_generate *g,
				  const struct lutgen_spec *spec,
				  struct rungo_modver **sel, size_t *nsel,
				  struct common_err *err)
{
	const struct lutgen_spec_module *sm = spec->module;
	struct rungo_modver_select_opts mso;
	struct rungo_modver *all = NULL;
	size_t nall = 0, i, k;
	int rc;

	rc = rungo_goproxy_list(g->o.proxy, sm->path, &all, &nall, err);
	if (rc) {
		common_err_prefix(err, rc, "spec %s", spec->name);
		goto out;
	}
	/* Skipped versions are as if the proxy did not list them. */
	for (i = k = 0; i < nall; i++)
		if (!lutgen_spec_mod_skip(sm, &all[i]))
			all[k++] = all[i];
	nall = k;
	memset(&mso, 0, sizeof(mso));
	mso.min = sm->has_min ? &sm->min_version : NULL;
	mso.max = sm->has_max ? &sm->max_version : NULL;
	mso.policy = sm->policy;
	mso.prerelease = sm->prerelease;
	rc = rungo_modver_select(all, nall, &mso, sel, nsel, err);
	if (rc) {
		common_err_prefix(err, rc, "spec %s", spec->name);
		goto out;
	}
	if (*nsel == 0)
		rc = common_err_set(err, -ENOENT,
				   "spec %s: the module proxy (%s) lists %zu version%s of %s, none selected by the spec (min_version %s, max_version %s, policy %s%s)",
				   spec->name, rungo_goproxy_string(g->o.proxy),
				   nall, nall == 1 ? "" : "s", sm->path,
				   sm->has_min ? sm->min_version.str : "none",
				   sm->has_max ? sm->max_version.str : "none",
				   rungo_policy_name(sm->policy),
				   sm->prerelease ? ", pre-releases" : "");
out:
	free(all);
	return rc;
}

/* Of the Go selection gos, the toolchains gm's module graph allows, and
 * the default one the spec's module.go picks. */
static int module_compat(const struct lutgen_spec *spec, struct gmod *gm,
			 const struct rungo_version *gos, size_t ngos,
			 struct common_err *err)
{
	const struct lutgen_spec_module *sm = spec->module;
	char need[RUNGO_VERSION_STR_MAX], want[RUNGO_VERSION_STR_MAX];
	size_t k;

	gm->compat = calloc(ngos, sizeof(*gm->compat));
	if (!gm->compat)
		return common_err_set(err, -ENOMEM, "out of memory");
	for (k = 0; k < ngos; k++)
		if (!gm->graph->has_go ||
		    rungo_version_cmp(&gos[k], &gm->graph->go) >= 0)
			gm->compat[gm->ncompat++] = gos[k];
	if (gm->ncompat == 0) {
		rungo_version_format(&gm->graph->go, need, sizeof(need));
		return common_err_set(err, -ENOENT,
				      "spec %s: %s@%s needs %s or newer (the highest go directive of its module graph, in %s); the spec's Go selection has no such toolchain",
				      spec->name, sm->path, gm->v.str, need,
				      gm->graph->go_from);
	}
	gm->dflt = sm->go == LUTGEN_MOD_GO_OLDEST ? 0 : gm->ncompat - 1;
	if (sm->go != LUTGEN_MOD_GO_FIXED)
		return 0;
	for (k = 0; k < gm->ncompat; k++)
		if (rungo_version_cmp(&gm->compat[k], &sm->go_fixed) == 0)
			break;
	if (k == gm->ncompat) {
		rungo_version_format(&sm->go_fixed, want, sizeof(want));
		return common_err_set(err, -EINVAL,
				      "spec %s: module.go %s is not among the Go toolchains %s@%s allows in the spec's Go selection",
				      spec->name, want, sm->path, gm->v.str);
	}
	gm->dflt = k;
	return 0;
}

/* Download and resolve module version gm->v, write its go.mod tail and
 * go.sum, and add every toolchain it allows to the version list (pass 2
 * adds measurements, not versions). */
static int prepare_module(struct lutgen_generate *g,
			  const struct lutgen_spec *spec, struct gmod *gm,
			  const struct rungo_version *gos, size_t ngos,
			  struct common_err *err)
{
	const struct lutgen_spec_module *sm = spec->module;
	struct rungo_modcache_opts mo;
	size_t k, vi;
	int rc;

	modcache_opts(g, &mo);
	rc = rungo_modcache_download(&mo, sm->path, &gm->v, &gm->zip, err);
	if (rc == 0)
		rc = resolve(g, sm->path, gm, err);
	if (rc) {
		common_err_prefix(err, rc, "spec %s", spec->name);
		return rc;
	}
	if (gm->graph->nmissing)
		common_logf(g->o.log, g->o.log_ctx, COMMON_LOG_INFO,
			    "spec %s: %s@%s: the module proxy has no version of %zu module%s of its graph (first: %s); the build fails only if it needs them",
			    spec->name, sm->path, gm->v.str,
			    gm->graph->nmissing,
			    gm->graph->nmissing == 1 ? "" : "s",
			    gm->graph->missing[0]);
	if (build_files(spec, gm) != 0)
		return common_err_set(err, -ENOMEM, "out of memory");
	rc = module_compat(spec, gm, gos, ngos, err);
	if (rc)
		return rc;
	for (k = 0; k < gm->ncompat; k++) {
		rc = add_version(g, &gm->compat[k], &vi);
		if (rc)
			return common_err_set(err, rc, "out of memory");
	}
	return 0;
}

/* Pass 1 of module spec si: the oldest and newest module version, each
 * with the oldest and newest toolchain it allows. */
static int add_module_pass1(struct lutgen_generate *g, size_t si,
			    struct common_err *err)
{
	const struct gspec *gs = &g->specs[si];
	const struct lutgen_spec *spec = gs->spec;
	size_t i, a;
	int rc;

	for (i = 0; i < gs->nmods;
	     i = i + 1 < gs->nmods ? gs->nmods - 1 : gs->nmods) {
		const struct gmod *gm = &gs->mods[i];

		for (a = 0; a < spec->narches; a++) {
			rc = add_measurement(g, si, &gm->compat[0],
					     spec->arches[a], i, true);
			if (rc == 0)
				rc = add_measurement(g, si,
						     &gm->compat[gm->ncompat - 1],
						     spec->arches[a], i, true);
			if (rc)
				return common_err_set(err, rc, "out of memory");
		}
	}
	return 0;
}

/* Select the module versions of spec si, download and resolve each, work
 * out the toolchains each allows, and add the pass-1 measurements. */
static int add_module_spec(struct lutgen_generate *g, size_t si,
			   struct common_err *err)
{
	struct gspec *gs = &g->specs[si];
	const struct lutgen_spec *spec = gs->spec;
	struct rungo_modver *sel = NULL;
	struct rungo_version *gos = NULL;
	size_t nsel = 0, ngos = 0, i;
	int rc;

	if (!g->o.proxy)
		return common_err_set(err, -EINVAL,
				     "spec %s measures module %s: a module proxy is needed (--goproxy or GOPROXY)",
				     spec->name, spec->module->path);
	if (g->o.version_filter || g->o.job_filter)
		return common_err_set(err, -ENOTSUP,
				     "spec %s is a module spec: module specs are not sharded; run them without --shard",
				     spec->name);
	rc = select_module_gos(g, spec, &gos, &ngos, err);
	if (rc == 0)
		rc = select_module_versions(g, spec, &sel, &nsel, err);
	if (rc)
		goto out;
	gs->mods = calloc(nsel, sizeof(*gs->mods));
	if (!gs->mods) {
		rc = common_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < nsel; i++) {
		gs->nmods = i + 1;
		gs->mods[i].v = sel[i];
		rc = prepare_module(g, spec, &gs->mods[i], gos, ngos, err);
		if (rc)
			goto out;
	}
	rc = add_module_pass1(g, si, err);
	if (rc)
		goto out;
	gs->versions = gos;   /* the Go selection, for the record */
	gs->nversions = ngos;
	gos = NULL;
out:
	free(gos);
	free(sel);
	return rc;
}

/* After pass 1: does any value differ between the two toolchains of a
 * sampled module version?  Sets keys_go and the evidence line. */
static int decide_keys_go(struct lutgen_generate *g, size_t si)
{
	struct gspec *gs = &g->specs[si];
	const struct lutgen_spec *spec = gs->spec;
	struct common_sb ev = { 0 };
	size_t i, j, l;

	gs->keys_go = false;
	for (i = 0; i < g->nm && !gs->keys_go; i++) {
		const struct lutgen_measurement *a = &g->m[i];

		if (a->spec != si || !a->proof || !a->values)
			continue;
		for (j = 0; j < g->nm && !gs->keys_go; j++) {
			const struct lutgen_measurement *b = &g->m[j];

			if (b->spec != si || !b->proof || !b->values ||
			    g->m_mod[j] != g->m_mod[i] ||
			    strcmp(a->goarch, b->goarch) != 0 ||
			    rungo_version_cmp(&a->version, &b->version) >= 0)
				continue;
			for (l = 0; l < spec->nlookups; l++) {
				char va[128], vb[128];

				if (lutgen_value_cmp(&a->values[l],
						     &b->values[l]) == 0)
					continue;
				if (lutgen_value_format(&a->values[l], va,
							sizeof(va)) != 0)
					snprintf(va, sizeof(va), "(long value)");
				if (lutgen_value_format(&b->values[l], vb,
							sizeof(vb)) != 0)
					snprintf(vb, sizeof(vb), "(long value)");
				common_sb_printf(&ev,
						 "%s/%s at %s: %s with %s, %s with %s",
						 spec->lookups[l].name, a->goarch,
						 a->modver.str, va, a->version_str,
						 vb, b->version_str);
				gs->keys_go = true;
				break;
			}
		}
	}
	if (!gs->keys_go) {
		/* "v1.27.1 with go1.15.15 and go1.27.4, v1.81.1 with ...:
		 * every lookup agrees". */
		for (i = 0; i < gs->nmods; i = i + 1 < gs->nmods ? gs->nmods - 1 : gs->nmods) {
			const struct gmod *gm = &gs->mods[i];
			char lo[RUNGO_VERSION_STR_MAX], hi[RUNGO_VERSION_STR_MAX];

			rungo_version_format(&gm->compat[0], lo, sizeof(lo));
			rungo_version_format(&gm->compat[gm->ncompat - 1], hi,
					     sizeof(hi));
			if (gm->ncompat == 1)
				common_sb_printf(&ev, "%s%s with %s (the only toolchain it allows)",
						 i ? ", " : "", gm->v.str, lo);
			else
				common_sb_printf(&ev, "%s%s with %s and %s",
						 i ? ", " : "", gm->v.str, lo, hi);
		}
		common_sb_printf(&ev, ": every lookup agrees on every arch");
	}
	if (ev.oom) {
		free(ev.p);
		return -ENOMEM;
	}
	free(gs->evidence);
	gs->evidence = ev.p;
	return 0;
}

/* Pass 2 of a module spec: what the decision asks for. */
static int add_module_pass2(struct lutgen_generate *g, size_t si)
{
	struct gspec *gs = &g->specs[si];
	size_t i, k, a;
	int rc;

	for (i = 0; i < gs->nmods; i++) {
		const struct gmod *gm = &gs->mods[i];

		for (k = 0; k < gm->ncompat; k++) {
			if (!gs->keys_go && k != gm->dflt)
				continue;
			for (a = 0; a < gs->spec->narches; a++) {
				rc = add_measurement(g, si, &gm->compat[k],
						     gs->spec->arches[a], i,
						     false);
				if (rc)
					return rc;
			}
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
	if (spec->module)
		return add_module_spec(g, g->nspecs - 1, err);
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
	k.module = k.module_h1 = k.buildmod_hash = NULL;
	if (m->module) {
		const struct gmod *gm = &gs->mods[g->m_mod[mi]];
		char *mod = common_strf("%s@%s", gs->spec->module->path,
					gm->v.str);
		int rc;

		if (!mod)
			return -ENOMEM;
		k.module = mod;
		k.module_h1 = gm->zip.h1;
		k.buildmod_hash = gm->buildmod_hash;
		rc = lutgen_rcache_key(&k, g->m_key[mi]);
		free(mod);
		return rc;
	}
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
	bool unsupported = false;

	if (!lutgen_rcache_load(g->results_dir, g->m_key[mi],
				g->specs[m->spec].spec, &m->values,
				&unsupported, m->toolchain_sha256))
		return false;
	m->state = unsupported ? LUTGEN_MEASURE_UNSUPPORTED
			       : LUTGEN_MEASURE_CACHED;
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

	if (!g->m_key[mi][0] || g->readonly)
		return;   /* no toolchain identity, or nowhere to write */
	e.version = m->version_str;
	e.goarch = m->goarch;
	e.toolchain_key = gv->key;
	e.toolchain_sha256 = m->toolchain_sha256;
	e.program_hash = gs->program_hash;
	e.values = m->values;   /* NULL: unsupported */
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

/* Tell o.build_done that measurement mi ended.  Called outside g->lock
 * by the thread that ended it (its state and times are final and no
 * other thread writes them); numbered in call order. */
/* Tell the caller a build ended: its specs' names ("goroutine+gotls"),
 * ok when every member was measured. */
static void report_ended(struct lutgen_generate *g, const struct gbuild *bd)
{
	const struct lutgen_measurement *m = &g->m[bd->mi[0]];
	struct lutgen_build_event e;
	char names[256];
	size_t k, len = 0;

	if (!g->o.build_done)
		return;
	memset(&e, 0, sizeof(e));
	names[0] = '\0';
	e.ok = true;
	for (k = 0; k < bd->n; k++) {
		const struct lutgen_measurement *mk = &g->m[bd->mi[k]];
		int n = snprintf(names + len, sizeof(names) - len, "%s%s",
				 k ? "+" : "", g->specs[mk->spec].spec->name);

		if (n > 0 && (size_t)n < sizeof(names) - len)
			len += (size_t)n;
		if (mk->state != LUTGEN_MEASURE_BUILT)
			e.ok = false;
	}
	e.spec = names;
	e.version = m->version_str;
	e.goarch = m->goarch;
	e.wall_s = m->wall_s;
	e.total = g->total;   /* fixed once the run starts */
	pthread_mutex_lock(&g->progress_lock);
	e.done = ++g->ended_reported;
	g->o.build_done(g->o.build_done_ctx, &e);
	pthread_mutex_unlock(&g->progress_lock);
}

static bool stopping_locked(struct lutgen_generate *g)
{
	return g->stop || atomic_load(&g->cancel);
}

/* Record a failure (g->lock held); returns the done count (the caller
 * counts its build done). */
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
	return g->done;
}

/* The per-spec buffers of one build. */
struct gout {
	struct lutgen_value **vals;
	const struct lutgen_spec **specs;
	int *rcs;
	struct common_err *errs;
	size_t n;
};

static void gout_free(struct gout *o)
{
	size_t k;

	for (k = 0; o->vals && k < o->n; k++)
		lutgen_values_free(o->vals[k], o->specs[k]->nlookups);
	free(o->vals);
	free(o->specs);
	free(o->rcs);
	free(o->errs);
}

static int gout_new(struct lutgen_generate *g, const struct gbuild *bd,
		    struct gout *o)
{
	size_t k;

	memset(o, 0, sizeof(*o));
	o->n = bd->n;
	o->vals = calloc(bd->n, sizeof(*o->vals));
	o->specs = calloc(bd->n, sizeof(*o->specs));
	o->rcs = calloc(bd->n, sizeof(*o->rcs));
	o->errs = calloc(bd->n, sizeof(*o->errs));
	if (!o->vals || !o->specs || !o->rcs || !o->errs)
		return -ENOMEM;
	for (k = 0; k < bd->n; k++) {
		o->specs[k] = g->specs[g->m[bd->mi[k]].spec].spec;
		o->vals[k] = calloc(o->specs[k]->nlookups ?
				    o->specs[k]->nlookups : 1,
				    sizeof(**o->vals));
		if (!o->vals[k])
			return -ENOMEM;
	}
	return 0;
}

/* Build build `bi` once and measure every member with the backend. */
static int run_job(struct lutgen_generate *g, const struct gbuild *bd,
		   struct gout *o, struct lutgen_generate_job_result *res,
		   char **gomod, struct common_err *err)
{
	const struct lutgen_measurement *m0 = &g->m[bd->mi[0]];
	const struct gversion *gv = &g->versions[g->m_version[bd->mi[0]]];
	struct lutgen_generate_job job;
	char gocache[PATH_MAX];
	int rc;

	if (gout_new(g, bd, o) != 0)
		return common_err_set(err, -ENOMEM, "out of memory");
	if (g->readonly)
		rc = snprintf(gocache, sizeof(gocache), "%s",
			      g->private_gocache) >= (int)sizeof(gocache) ?
			     -ENAMETOOLONG : 0;
	else
		rc = rungo_cache_gocache_dir(g->o.cache, &gv->tc, gocache,
					     sizeof(gocache));
	if (rc)
		return common_err_set(err, rc, "GOCACHE path too long");
	job.specs = o->specs;
	job.nspecs = o->n;
	job.program_dir = g->specs[m0->spec].program_dir;
	job.tc = &gv->tc;
	job.goarch = m0->goarch;
	job.gocache = gocache;
	job.tmp_dir = g->o.tmp_dir;
	job.timeout_s = g->o.build_timeout_s;
	job.gomod = job.gosum = job.goproxy = job.gomodcache = NULL;
	if (m0->module) {   /* builds alone (add_to_build) */
		const struct gmod *gm =
			&g->specs[m0->spec].mods[g->m_mod[bd->mi[0]]];

		*gomod = common_strf("module lutgenprobe\n\ngo %d.%d\n\n%s",
				     gv->v.major, gv->v.minor, gm->gomod_tail);
		if (!*gomod)
			return common_err_set(err, -ENOMEM, "out of memory");
		job.gomod = *gomod;
		job.gosum = gm->gosum;
		job.goproxy = g->build_goproxy;
		job.gomodcache = g->gomodcache;
	}
	if (g->be.measure)
		return g->be.measure(g->be.ctx, &job, o->vals, o->rcs, o->errs,
				     res, err);
	return real_measure(&job, o->vals, o->rcs, o->errs, res, err);
}

/* Record member k of a build (g->lock held); returns the done count. */
static size_t finish_locked(struct lutgen_generate *g, const struct gbuild *bd,
			    size_t k, int rc, const char *why, char *report,
			    struct gout *o)
{
	struct lutgen_measurement *m = &g->m[bd->mi[k]];
	const struct gversion *gv = &g->versions[g->m_version[bd->mi[k]]];
	char msg[COMMON_ERR_MSG_SIZE + RUNGO_MODPATH_MAX + RUNGO_MODVER_MAX +
		 128];

	if (rc == -ENOTSUP) {
		m->state = LUTGEN_MEASURE_UNSUPPORTED;
	} else if (rc) {
		if (m->module)
			snprintf(msg, sizeof(msg), "%s: %s@%s with %s linux/%s: %s",
				 o->specs[k]->name, o->specs[k]->module->path,
				 m->modver.str, m->version_str, m->goarch, why);
		else
			snprintf(msg, sizeof(msg), "%s: %s linux/%s: %s",
				 o->specs[k]->name, m->version_str, m->goarch,
				 why);
		fail_locked(g, bd->mi[k], msg, report);
		return g->done;
	} else {
		m->values = o->vals[k];
		o->vals[k] = NULL;
		snprintf(m->toolchain_sha256, sizeof(m->toolchain_sha256),
			 "%s", gv->tc.local ? "" : gv->tc.sha256);
		m->state = LUTGEN_MEASURE_BUILT;
	}
	free(report);
	return g->done;
}

static void measure(struct lutgen_generate *g, size_t bi)
{
	const struct gbuild *bd = &g->builds[bi];
	struct lutgen_measurement *m0 = &g->m[bd->mi[0]];
	struct lutgen_generate_job_result res = { 0 };
	struct common_err err = { 0 };
	struct gout o;
	char *gomod = NULL;
	size_t k, done, total;
	int rc;

	rc = run_job(g, bd, &o, &res, &gomod, &err);
	free(gomod);
	pthread_mutex_lock(&g->lock);
	m0->wall_s = res.wall_s;
	m0->cpu_s = res.cpu_s;
	for (k = 0; k < bd->n; k++) {
		int mrc = rc ? rc : o.rcs[k];
		char *report = k + 1 == bd->n ? res.report
			       : res.report ? strdup(res.report) : NULL;

		finish_locked(g, bd, k, mrc, rc ? err.msg : o.errs[k].msg,
			      mrc && mrc != -ENOTSUP ? report : NULL, &o);
		if (!(mrc && mrc != -ENOTSUP))
			free(report);
	}
	res.report = NULL;
	done = ++g->done;
	total = g->total;
	pthread_mutex_unlock(&g->lock);
	progress(g, done, total);
	report_ended(g, bd);
	if (rc == 0)
		common_logf(g->o.log, g->o.log_ctx, COMMON_LOG_DEBUG,
			    "%s linux/%s: one build for %zu spec(s) in %.1f s",
			    m0->version_str, m0->goarch, bd->n, m0->wall_s);
	for (k = 0; k < bd->n; k++) {
		enum lutgen_measure_state st = g->m[bd->mi[k]].state;

		if (st == LUTGEN_MEASURE_BUILT ||
		    st == LUTGEN_MEASURE_UNSUPPORTED)
			result_store(g, bd->mi[k]);
	}
	gout_free(&o);
}

static void *worker_main(void *arg)
{
	struct lutgen_generate *g = arg;

	for (;;) {
		size_t bi;
		bool stop;

		pthread_mutex_lock(&g->lock);
		while (g->q_head == g->q_tail && !g->installer_done)
			pthread_cond_wait(&g->cond, &g->lock);
		if (g->q_head == g->q_tail) {
			pthread_mutex_unlock(&g->lock);
			break;
		}
		bi = g->queue[g->q_head++];
		stop = stopping_locked(g);
		pthread_mutex_unlock(&g->lock);
		if (!stop)
			measure(g, bi);
	}
	return NULL;
}

/* After installing version vi (rc: the install's result): queue its
 * builds, or fail their measurements.  Returns the done count. */
static size_t dispatch_locked(struct lutgen_generate *g, size_t vi, int rc,
			      const struct common_err *err)
{
	char msg[COMMON_ERR_MSG_SIZE + 128];
	size_t bi, k;

	for (bi = 0; bi < g->nbuilds; bi++) {
		const struct gbuild *bd = &g->builds[bi];

		if (g->m_version[bd->mi[0]] != vi)
			continue;
		if (rc == 0) {
			g->queue[g->q_tail++] = bi;
			continue;
		}
		for (k = 0; k < bd->n; k++) {
			const struct lutgen_measurement *m = &g->m[bd->mi[k]];

			snprintf(msg, sizeof(msg),
				 "%s: %s linux/%s: no toolchain: %s",
				 g->specs[m->spec].spec->name, m->version_str,
				 m->goarch, err->msg);
			fail_locked(g, bd->mi[k], msg, NULL);
		}
		g->done++;
	}
	return g->done;
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
			rc = real_install(g, gv, &err);
		if (rc == 0)
			key_after_install(g, gv);
		pthread_mutex_lock(&g->lock);
		done = dispatch_locked(g, vi, rc, &err);
		total = g->total;
		pthread_cond_broadcast(&g->cond);
		pthread_mutex_unlock(&g->lock);
		if (rc) {
			size_t bi;

			progress(g, done, total);
			/* The builds of this version that failed just now
			 * (only this thread touches builds never queued). */
			for (bi = 0; bi < g->nbuilds; bi++)
				if (g->m_version[g->builds[bi].mi[0]] == vi)
					report_ended(g, &g->builds[bi]);
		}
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
		    g->m[mi].state != LUTGEN_MEASURE_BUILT &&
		    g->m[mi].state != LUTGEN_MEASURE_UNSUPPORTED)
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
		if (gs->spec->module) {
			lutgen_table_set_keys_go(gs->table, gs->keys_go);
			if (lutgen_table_set_go_evidence(gs->table,
							 gs->evidence) != 0)
				return common_err_set(err, -ENOMEM,
						      "out of memory");
		}
		for (mi = 0; mi < g->nm; mi++) {
			const struct lutgen_measurement *m = &g->m[mi];

			if (m->spec != si || !m->values)
				continue;   /* unsupported: not in the table */
			for (l = 0; l < gs->spec->nlookups; l++) {
				if (m->module)
					rc = lutgen_table_add_module(
						gs->table, l, m->goarch,
						&m->modver, m->module_h1,
						&m->version, m->toolchain_sha256,
						&m->values[l], err);
				else
					rc = lutgen_table_add(
						gs->table, l, m->goarch,
						&m->version, m->toolchain_sha256,
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

/* Put measurement mi into the build of its (program, toolchain,
 * GOARCH).  A module measurement builds alone: its go.mod is its own. */
static int add_to_build(struct lutgen_generate *g, size_t mi)
{
	const struct lutgen_measurement *m = &g->m[mi];
	const char *hash = g->specs[m->spec].program_hash;
	struct gbuild *bd = NULL, *nb;
	size_t bi, *nmi;

	for (bi = 0; bi < g->nbuilds && !bd && !m->module; bi++) {
		const struct lutgen_measurement *o = &g->m[g->builds[bi].mi[0]];

		if (!o->module &&
		    g->m_version[g->builds[bi].mi[0]] == g->m_version[mi] &&
		    strcmp(o->goarch, m->goarch) == 0 &&
		    strcmp(g->specs[o->spec].program_hash, hash) == 0)
			bd = &g->builds[bi];
	}
	if (!bd) {
		nb = realloc(g->builds, (g->nbuilds + 1) * sizeof(*nb));
		if (!nb)
			return -ENOMEM;
		g->builds = nb;
		bd = &g->builds[g->nbuilds++];
		memset(bd, 0, sizeof(*bd));
	}
	nmi = realloc(bd->mi, (bd->n + 1) * sizeof(*nmi));
	if (!nmi)
		return -ENOMEM;
	bd->mi = nmi;
	bd->mi[bd->n++] = mi;
	return 0;
}

/* Sort the versions (first pass only), key them, and take what the
 * result cache knows of the measurements from `from` on; the rest is
 * grouped into builds (*todo of them, added to g->total). */
static int prepare(struct lutgen_generate *g, size_t from, size_t *todo,
		   struct common_err *err)
{
	size_t mi, vi;

	for (vi = 0; vi < g->nbuilds; vi++)   /* the last pass's, all run */
		free(g->builds[vi].mi);
	g->nbuilds = 0;
	if (from == 0) {
		qsort(g->versions, g->nversions, sizeof(*g->versions),
		      cmp_gversion);
		compute_version_keys(g);
	}
	for (mi = from; mi < g->nm; mi++)
		for (vi = 0; vi < g->nversions; vi++)
			if (rungo_version_cmp(&g->versions[vi].v,
					      &g->m[mi].version) == 0)
				g->m_version[mi] = vi;
	for (vi = 0; vi < g->nversions; vi++)
		g->versions[vi].need_build = false;
	*todo = 0;
	for (mi = from; mi < g->nm; mi++) {
		if (measurement_key(g, mi) != 0)
			return common_err_set(err, -ENOMEM, "out of memory");
		if (!g->o.rebuild && result_load(g, mi))
			continue;
		g->versions[g->m_version[mi]].need_build = true;
		if (add_to_build(g, mi) != 0)
			return common_err_set(err, -ENOMEM, "out of memory");
	}
	*todo = g->nbuilds;
	g->total += *todo;
	return 0;
}

/* Start the installer and up to `jobs` workers, wait for all of them. */
static int run_threads(struct lutgen_generate *g, struct common_err *err)
{
	pthread_t installer, *workers;
	int nworkers = 0, i, rc;

	free(g->queue);
	g->queue = calloc(g->nbuilds ? g->nbuilds : 1, sizeof(*g->queue));
	workers = calloc((size_t)g->jobs, sizeof(*workers));
	if (!g->queue || !workers) {
		free(workers);
		return common_err_set(err, -ENOMEM, "out of memory");
	}
	g->q_head = g->q_tail = 0;
	g->installer_done = false;
	progress(g, g->done, g->total);
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
	/* Every build is done: prune may have the toolchains now. */
	release_holds(g);
	return nworkers ? 0 : -rc;
}

/* Where module builds find modules: the verified cache first, then the
 * proxies, never the network directly. */
static int module_setup(struct lutgen_generate *g, struct common_err *err)
{
	char dir[PATH_MAX], first[PATH_MAX + 16];
	size_t si;
	bool modules = false;

	for (si = 0; si < g->nspecs; si++)
		modules |= g->specs[si].spec->module != NULL;
	if (!modules)
		return 0;
	if (rungo_modcache_dir(g->o.cache, dir, sizeof(dir)) ||
	    rungo_cache_subdir(g->o.cache, "gomodcache", g->gomodcache,
			       sizeof(g->gomodcache)) ||
	    snprintf(first, sizeof(first), "file://%s", dir) >=
		    (int)sizeof(first) ||
	    rungo_goproxy_build_list(g->o.proxy, first, g->build_goproxy,
				     sizeof(g->build_goproxy)))
		return common_err_set(err, -ENAMETOOLONG,
				      "generate: module cache paths too long");
	return 0;
}

/* The result cache, or for a read-only cache a private GOCACHE. */
static int setup_result_cache(struct lutgen_generate *g,
			      struct common_err *err)
{
	const char *parent = g->o.tmp_dir && *g->o.tmp_dir ? g->o.tmp_dir :
							   getenv("TMPDIR");
	int rc;

	g->readonly = !rungo_cache_writable(g->o.cache);
	if (!g->readonly) {
		rc = common_fs_mkdir_p(g->results_dir, err);
		return rc ? common_err_prefix(err, rc, "result cache") : 0;
	}
	if (!parent || !*parent)
		parent = "/tmp";
	if (snprintf(g->private_gocache, sizeof(g->private_gocache),
		     "%s/lutgen-gocache-XXXXXX", parent) >=
		    (int)sizeof(g->private_gocache)) {
		g->private_gocache[0] = '\0';
		return common_err_set(err, -ENAMETOOLONG, "%s: name too long",
				      parent);
	}
	if (!mkdtemp(g->private_gocache)) {
		rc = -errno;
		g->private_gocache[0] = '\0';
		return common_err_set(err, rc,
				      "a GOCACHE in %s for a read-only cache: %s",
				      parent, strerror(-rc));
	}
	common_logf(g->o.log, g->o.log_ctx, COMMON_LOG_INFO,
		    "the cache %s is read-only: results are only read, builds use %s",
		    rungo_cache_root(g->o.cache), g->private_gocache);
	return 0;
}

int lutgen_generate_run(struct lutgen_generate *g, struct common_err *err)
{
	size_t todo = 0, from, si;
	int rc;

	if (g->ran)
		return common_err_set(err, -EINVAL, "generate: already ran");
	g->ran = true;
	rc = setup_result_cache(g, err);
	if (rc)
		return rc;
	rc = module_setup(g, err);
	if (rc)
		return rc;
	rc = prepare(g, 0, &todo, err);
	if (rc)
		return rc;
	if (todo > 0) {
		rc = run_threads(g, err);
		if (rc)
			return rc;
	}
	/* Module specs: pass 2, by what pass 1 showed. */
	from = g->nm;
	for (si = 0; si < g->nspecs; si++) {
		if (!g->specs[si].spec->module)
			continue;
		if ((g->first_err.code && !g->o.keep_going) ||
		    atomic_load(&g->cancel))
			break;
		if (decide_keys_go(g, si) != 0 || add_module_pass2(g, si) != 0)
			return common_err_set(err, -ENOMEM, "out of memory");
		if (g->specs[si].keys_go)
			common_logf(g->o.log, g->o.log_ctx, COMMON_LOG_INFO,
				    "%s: the Go version matters (%s): measuring every module version with every Go toolchain it allows",
				    g->specs[si].spec->name,
				    g->specs[si].evidence);
	}
	if (g->nm > from) {
		rc = prepare(g, from, &todo, err);
		if (rc)
			return rc;
		if (todo > 0) {
			rc = run_threads(g, err);
			if (rc)
				return rc;
		}
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
	st->versions = g->specs[i].spec->module ? g->specs[i].nmods
						 : g->specs[i].nversions;
	st->module = g->specs[i].spec->module != NULL;
	st->keys_go = g->specs[i].keys_go;
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
		case LUTGEN_MEASURE_UNSUPPORTED:
			st->unsupported++;
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
