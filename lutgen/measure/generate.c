/* SPDX-License-Identifier: MIT */
/* The generate pipeline: select versions, install toolchains, build and
 * inspect in parallel behind a result cache, fill one table per spec. */
#include "lutgen/measure/generate.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/goarch.h"
#include "common/sha256.h"
#include "lutgen/core/json.h"
#include "lutgen/measure/builder.h"
#include "lutgen/measure/dwarf.h"
#include "lutgen/measure/lookup.h"
#include "rungo/cache.h"
#include "rungo/select.h"

/* ---- internal state ----------------------------------------------------- */

struct gspec {
	const struct lutgen_spec *spec;
	char *program_dir;
	char program_hash[65];
	char *lookups_json;          /* canonical JSON of the lookups */
	struct rungo_version *versions;
	size_t nversions;
	struct lutgen_table *table;
};

struct gversion {
	struct rungo_version v;
	char vstr[RUNGO_VERSION_STR_MAX];
	char key[65];                /* toolchain key; "" until known */
	char sha256[65];             /* archive sha256 ("" local) */
	char gomod_hash[65];
	bool need_build;
	bool installed;
	struct rungo_toolchain tc;
};

struct lutgen_generate {
	struct lutgen_generate_opts o;
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

	/* Shared between the installer and the workers. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_mutex_t dwarf_lock;  /* libdw/libelf are not shown thread-safe */
	size_t *queue;
	size_t q_head, q_tail;
	bool installer_done;
	bool stop;
	size_t done, total;
	struct common_err first_err;
	bool ran;
};

static char *xasprintf(const char *fmt, ...) COMMON_PRINTF(1, 2);
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = malloc((size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

static void logf_(struct lutgen_generate *g, enum common_log_level lvl,
		  const char *fmt, ...) COMMON_PRINTF(3, 4);
static void logf_(struct lutgen_generate *g, enum common_log_level lvl,
		  const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!g->o.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	g->o.log(g->o.log_ctx, lvl, msg);
}

const char *lutgen_generate_host_arch(void)
{
	return common_host_arch();
}

/* ---- keys --------------------------------------------------------------- */

/* Key of a local GOROOT: its real path and VERSION file. */
static int local_key(const char *goroot, char key[65],
		     struct rungo_version *v)
{
	char real[PATH_MAX], vpath[PATH_MAX + 16];
	char *ver = NULL, *material = NULL;
	size_t len = 0;
	int rc;

	if (!realpath(goroot, real))
		return -errno;
	if (snprintf(vpath, sizeof(vpath), "%s/VERSION", real) >=
	    (int)sizeof(vpath))
		return -ENAMETOOLONG;
	rc = common_fs_read_file(vpath, 64u << 20, &ver, &len, NULL);
	if (rc)
		return rc;
	if (v) {
		char first[64];
		size_t n = strcspn(ver, "\r\n");

		if (n >= sizeof(first))
			n = sizeof(first) - 1;
		memcpy(first, ver, n);
		first[n] = '\0';
		if (rungo_version_parse(first, v, NULL) != 0) {
			rc = -EINVAL;
			goto out;
		}
	}
	material = xasprintf("local GOROOT\n%s\n%s", real, ver);
	if (!material) {
		rc = -ENOMEM;
		goto out;
	}
	common_sha256_buf(material, strlen(material), key);
out:
	free(material);
	free(ver);
	return rc;
}

static int measurement_key(struct lutgen_generate *g, size_t mi)
{
	const struct lutgen_measurement *m = &g->m[mi];
	const struct gversion *gv = &g->versions[g->m_version[mi]];
	const struct gspec *gs = &g->specs[m->spec];
	char *material;

	if (!gv->key[0]) {
		g->m_key[mi][0] = '\0';
		return 0;
	}
	material = xasprintf("lutgen result\nformat=%d\ntoolchain=%s\n"
			     "version=%s\ngoarch=%s\nprogram=%s\ngomod=%s\n"
			     "lookups=%s\n",
			     LUTGEN_RESULT_FORMAT, gv->key, gv->vstr,
			     m->goarch, gs->program_hash, gv->gomod_hash,
			     gs->lookups_json);
	if (!material)
		return -ENOMEM;
	common_sha256_buf(material, strlen(material), g->m_key[mi]);
	free(material);
	return 0;
}

/* ---- cache entries ------------------------------------------------------ */

/* One value of a cache file: {"name", "kind", "value"[, "matched"]}, the
 * value in the spelling of lutgen_value_to_json. */
static cJSON *entry_to_json(const struct lutgen_lookup *l,
			    const struct lutgen_value *v)
{
	cJSON *o = cJSON_CreateObject(), *val = NULL, *m = NULL;

	if (!o || !cJSON_AddStringToObject(o, "name", l->name) ||
	    !cJSON_AddStringToObject(o, "kind",
				     lutgen_lookup_kind_name(v->kind)))
		goto fail;
	val = lutgen_value_to_json(v);
	if (!val || !cJSON_AddItemToObject(o, "value", val))
		goto fail;
	val = NULL;
	if (lutgen_value_matched_to_json(v, &m) != 0 ||
	    (m && !cJSON_AddItemToObject(o, "matched", m)))
		goto fail;
	return o;
fail:
	cJSON_Delete(m);
	cJSON_Delete(val);
	cJSON_Delete(o);
	return NULL;
}

/* Read one cached value for lookup `l`; false on any mismatch (a miss). */
static bool entry_from_json(const cJSON *o, const struct lutgen_lookup *l,
			    struct lutgen_value *v)
{
	const char *name = lutgen_json_str(o, "name");
	const char *kind = lutgen_json_str(o, "kind");

	memset(v, 0, sizeof(*v));
	if (!name || strcmp(name, l->name) != 0 || !kind ||
	    strcmp(kind, lutgen_lookup_kind_name(l->kind)) != 0)
		return false;
	if (lutgen_value_from_json(cJSON_GetObjectItemCaseSensitive(o, "value"),
				   l->kind, v, "result cache", NULL) != 0)
		return false;
	if ((v->absent && !l->optional) ||
	    lutgen_value_matched_from_json(
		    cJSON_GetObjectItemCaseSensitive(o, "matched"), v) != 0) {
		lutgen_value_free(v);
		memset(v, 0, sizeof(*v));
		return false;
	}
	return true;
}

/* ---- result cache ------------------------------------------------------- */

static int result_path(const struct lutgen_generate *g, size_t mi, char *buf,
		       size_t size)
{
	int n = snprintf(buf, size, "%s/%s.json", g->results_dir, g->m_key[mi]);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Fill measurement `mi` from the cache; true on a hit. */
static bool result_load(struct lutgen_generate *g, size_t mi)
{
	struct lutgen_measurement *m = &g->m[mi];
	const struct lutgen_spec *s = g->specs[m->spec].spec;
	char path[PATH_MAX];
	char *text = NULL;
	size_t len, i = 0;
	cJSON *root = NULL;
	const cJSON *vals, *it, *fmt, *sha;
	bool ok = false;

	if (!g->m_key[mi][0] || result_path(g, mi, path, sizeof(path)) != 0 ||
	    common_fs_read_file(path, 64u << 20, &text, &len, NULL) != 0)
		return false;
	root = cJSON_ParseWithLength(text, len);
	if (!root)
		goto out;
	fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
	vals = cJSON_GetObjectItemCaseSensitive(root, "values");
	sha = cJSON_GetObjectItemCaseSensitive(root, "toolchain_sha256");
	if (!cJSON_IsNumber(fmt) || fmt->valueint != LUTGEN_RESULT_FORMAT ||
	    !cJSON_IsArray(vals) ||
	    (size_t)cJSON_GetArraySize(vals) != s->nlookups ||
	    !cJSON_IsString(sha) || strlen(sha->valuestring) > 64)
		goto out;
	m->values = calloc(s->nlookups, sizeof(*m->values));
	if (!m->values)
		goto out;
	cJSON_ArrayForEach(it, vals) {
		if (!entry_from_json(it, &s->lookups[i], &m->values[i]))
			goto out;
		i++;
	}
	memcpy(m->toolchain_sha256, sha->valuestring,
	       strlen(sha->valuestring) + 1);
	m->state = LUTGEN_MEASURE_CACHED;
	ok = true;
out:
	if (!ok && m->values) {
		size_t k;

		for (k = 0; k < s->nlookups; k++)
			lutgen_value_free(&m->values[k]);
		free(m->values);
		m->values = NULL;
	}
	cJSON_Delete(root);
	free(text);
	return ok;
}

/* Write measurement `mi` atomically.  Failure only costs a rebuild later,
 * so it is logged, not fatal. */
static void result_store(struct lutgen_generate *g, size_t mi)
{
	const struct lutgen_measurement *m = &g->m[mi];
	const struct lutgen_spec *s = g->specs[m->spec].spec;
	const struct gversion *gv = &g->versions[g->m_version[mi]];
	char path[PATH_MAX], tmp[PATH_MAX + 32];
	cJSON *root = cJSON_CreateObject(), *vals;
	char *text = NULL;
	size_t i, len;
	int fd = -1;
	bool ok = false;

	if (!root || !g->m_key[mi][0] ||
	    result_path(g, mi, path, sizeof(path)) != 0 ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >=
		    (int)sizeof(tmp))
		goto out;
	if (!cJSON_AddNumberToObject(root, "format", LUTGEN_RESULT_FORMAT) ||
	    !cJSON_AddStringToObject(root, "spec", s->name) ||
	    !cJSON_AddStringToObject(root, "version", m->version_str) ||
	    !cJSON_AddStringToObject(root, "goarch", m->goarch) ||
	    !cJSON_AddStringToObject(root, "toolchain_key", gv->key) ||
	    !cJSON_AddStringToObject(root, "toolchain_sha256",
				     m->toolchain_sha256) ||
	    !cJSON_AddStringToObject(root, "program_hash",
				     g->specs[m->spec].program_hash))
		goto out;
	vals = cJSON_AddArrayToObject(root, "values");
	if (!vals)
		goto out;
	for (i = 0; i < s->nlookups; i++) {
		cJSON *v = entry_to_json(&s->lookups[i], &m->values[i]);

		if (!v || !cJSON_AddItemToArray(vals, v)) {
			cJSON_Delete(v);
			goto out;
		}
	}
	text = cJSON_Print(root);
	if (!text)
		goto out;
	fd = mkstemp(tmp);
	if (fd < 0)
		goto out;
	len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 ||
	    fchmod(fd, 0644) != 0 || close(fd) != 0) {
		fd = -1;
		unlink(tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		goto out;
	}
	ok = true;
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	if (!ok)
		logf_(g, COMMON_LOG_WARN,
		      "could not write the result cache entry of %s %s/%s in %s",
		      s->name, m->version_str, m->goarch, g->results_dir);
	free(text);
	cJSON_Delete(root);
}

/* ---- setup -------------------------------------------------------------- */

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
	g = calloc(1, sizeof(*g));
	if (!g)
		return common_err_set(err, -ENOMEM, "out of memory");
	g->o = *opts;
	arch = opts->host_arch ? opts->host_arch : lutgen_generate_host_arch();
	if (!arch) {
		free(g);
		return common_err_set(err, -ENOTSUP,
				      "generate: unknown host architecture; no Go toolchain to run here");
	}
	snprintf(g->host_arch, sizeof(g->host_arch), "%s", arch);
	snprintf(g->host_os, sizeof(g->host_os), "%s",
		 opts->host_os ? opts->host_os : "linux");
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	g->jobs = opts->jobs > 0 ? opts->jobs : (ncpu > 0 ? (int)ncpu : 1);
	if (g->jobs > 256)
		g->jobs = 256;
	rc = rungo_cache_subdir(opts->cache, "results", g->results_dir,
				sizeof(g->results_dir));
	if (rc) {
		free(g);
		return common_err_set(err, rc, "generate: result cache path too long");
	}
	pthread_mutex_init(&g->lock, NULL);
	pthread_mutex_init(&g->dwarf_lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	*out = g;
	return 0;
}

void lutgen_generate_free(struct lutgen_generate *g)
{
	size_t i, k;

	if (!g)
		return;
	for (i = 0; i < g->nm; i++) {
		struct lutgen_measurement *m = &g->m[i];

		if (m->values) {
			for (k = 0; k < g->specs[m->spec].spec->nlookups; k++)
				lutgen_value_free(&m->values[k]);
			free(m->values);
		}
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
	pthread_mutex_destroy(&g->lock);
	pthread_mutex_destroy(&g->dwarf_lock);
	pthread_cond_destroy(&g->cond);
	free(g);
}

static char *default_program_dir(const struct lutgen_spec *s)
{
	const char *path = s->path ? s->path : "";
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xasprintf("../programs/%s", s->program);
	return xasprintf("%.*s/../programs/%s", (int)(slash - path), path,
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

int lutgen_generate_add_spec(struct lutgen_generate *g,
			     const struct lutgen_spec *spec,
			     const char *program_dir, struct common_err *err)
{
	struct rungo_version *sel = NULL;
	struct gspec *gs, *ns;
	size_t nsel = 0, i, kept = 0, a, need;
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

	rc = lutgen_spec_select(spec, g->o.index, g->host_os, g->host_arch,
				&sel, &nsel, err);
	if (rc)
		return rc;
	for (i = 0; i < nsel; i++)
		if (!g->o.version_filter ||
		    g->o.version_filter(g->o.filter_ctx, &sel[i]))
			sel[kept++] = sel[i];
	if (kept == 0) {
		free(sel);
		return common_err_set(err, -ENOENT,
				      "spec %s: no selected version left after filtering",
				      spec->name);
	}
	gs->versions = sel;
	gs->nversions = kept;

	need = g->nm + kept * spec->narches;
	if (need > g->cap_m) {
		struct lutgen_measurement *nm;
		size_t *nmv;
		char(*nk)[65];

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
			return common_err_set(err, -ENOMEM, "out of memory");
		g->cap_m = need;
	}
	for (i = 0; i < kept; i++) {
		size_t vi;

		rc = add_version(g, &sel[i], &vi);
		if (rc)
			return common_err_set(err, rc, "out of memory");
		for (a = 0; a < spec->narches; a++) {
			struct lutgen_measurement *m = &g->m[g->nm];

			if (g->o.job_filter &&
			    !g->o.job_filter(g->o.filter_ctx, &sel[i],
					     spec->arches[a]))
				continue;

			memset(m, 0, sizeof(*m));
			m->spec = g->nspecs - 1;
			m->version = sel[i];
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

			if (local_key(g->o.goroots[k], key, &lv) == 0 &&
			    rungo_version_cmp(&lv, &gv->v) == 0) {
				memcpy(gv->key, key, sizeof(key));
				gv->sha256[0] = '\0';
				break;
			}
		}
		if (gv->key[0])
			continue;
		f = rungo_index_find_file(g->o.index, &gv->v, g->host_os,
					  g->host_arch, "archive");
		if (f && strlen(f->sha256) == 64) {
			memcpy(gv->key, f->sha256, sizeof(gv->key));
			memcpy(gv->sha256, f->sha256, sizeof(gv->sha256));
		}
	}
}

/* ---- the pipeline ------------------------------------------------------- */

static void progress_locked(struct lutgen_generate *g)
{
	if (g->o.progress)
		g->o.progress(g->o.progress_ctx, "builds",
			      (unsigned long long)g->done,
			      (unsigned long long)g->total);
}

/* Record a failure (called with g->lock held). */
static void fail_locked(struct lutgen_generate *g, size_t mi, const char *msg,
			char *report)
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
	g->done++;
	progress_locked(g);
}

static int inspect(struct lutgen_generate *g, size_t mi, const char *binary,
		   struct lutgen_value *vals, struct common_err *err)
{
	const struct lutgen_measurement *m = &g->m[mi];
	const struct lutgen_spec *s = g->specs[m->spec].spec;
	struct lutgen_dwarf *d = NULL;
	const char *arch;
	size_t i;
	int rc;

	pthread_mutex_lock(&g->dwarf_lock);
	rc = lutgen_dwarf_open(binary, &d, err);
	if (rc)
		goto out;
	arch = lutgen_dwarf_goarch(d);
	if (!arch || strcmp(arch, m->goarch) != 0) {
		rc = common_err_set(err, -EPROTO,
				    "the binary built for %s is %s",
				    m->goarch, arch ? arch : "of an unknown arch");
		goto out;
	}
	for (i = 0; i < s->nlookups; i++) {
		const struct lutgen_lookup *l = &s->lookups[i];

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

static void measure(struct lutgen_generate *g, size_t mi)
{
	struct lutgen_measurement *m = &g->m[mi];
	const struct gspec *gs = &g->specs[m->spec];
	const struct gversion *gv = &g->versions[g->m_version[mi]];
	struct lutgen_build_opts bo;
	struct lutgen_build *b = NULL;
	struct lutgen_value *vals = NULL;
	struct common_err err = { 0 };
	char gocache[PATH_MAX], msg[COMMON_ERR_MSG_SIZE + 128];
	char *report = NULL;
	size_t k;
	int rc;

	vals = calloc(gs->spec->nlookups, sizeof(*vals));
	if (!vals) {
		rc = common_err_set(&err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = rungo_cache_gocache_dir(g->o.cache, &gv->tc, gocache,
				     sizeof(gocache));
	if (rc) {
		common_err_set(&err, rc, "GOCACHE path too long");
		goto out;
	}
	memset(&bo, 0, sizeof(bo));
	bo.goroot = gv->tc.goroot;
	bo.version = &gv->v;
	bo.goarch = m->goarch;
	bo.program_dir = gs->program_dir;
	bo.gocache = gocache;
	bo.tmp_dir = g->o.tmp_dir;
	rc = lutgen_build_run(&bo, &b, &err);
	if (b) {
		m->wall_s = b->wall_s;
		m->cpu_s = b->cpu_s;
	}
	if (rc) {
		if (b)
			report = lutgen_build_report(b);
		goto out;
	}
	rc = inspect(g, mi, b->binary, vals, &err);
	if (rc)
		goto out;
out:
	lutgen_build_free(b);
	pthread_mutex_lock(&g->lock);
	if (rc) {
		snprintf(msg, sizeof(msg), "%s: %s linux/%s: %s",
			 gs->spec->name, m->version_str, m->goarch, err.msg);
		fail_locked(g, mi, msg, report);
		report = NULL;
	} else {
		m->values = vals;
		vals = NULL;
		snprintf(m->toolchain_sha256, sizeof(m->toolchain_sha256),
			 "%s", gv->tc.local ? "" : gv->tc.sha256);
		m->state = LUTGEN_MEASURE_BUILT;
		g->done++;
		progress_locked(g);
	}
	pthread_mutex_unlock(&g->lock);
	if (rc == 0) {
		logf_(g, COMMON_LOG_DEBUG, "%s: %s linux/%s built in %.1f s",
		      gs->spec->name, m->version_str, m->goarch, m->wall_s);
		result_store(g, mi);
	}
	if (vals) {
		for (k = 0; k < gs->spec->nlookups; k++)
			lutgen_value_free(&vals[k]);
		free(vals);
	}
	free(report);
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
		stop = g->stop;
		pthread_mutex_unlock(&g->lock);
		if (!stop)
			measure(g, mi);
	}
	return NULL;
}

/* Make the toolchain key of a version known only after installing. */
static void key_after_install(struct lutgen_generate *g, struct gversion *gv)
{
	size_t mi;

	if (gv->key[0])
		return;
	if (gv->tc.local) {
		if (local_key(gv->tc.goroot, gv->key, NULL) != 0)
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

static void *installer_main(void *arg)
{
	struct lutgen_generate *g = arg;
	size_t vi, mi;

	for (vi = 0; vi < g->nversions; vi++) {
		struct gversion *gv = &g->versions[vi];
		struct common_err err = { 0 };
		int rc;

		if (!gv->need_build)
			continue;
		pthread_mutex_lock(&g->lock);
		if (g->stop) {
			pthread_mutex_unlock(&g->lock);
			break;
		}
		pthread_mutex_unlock(&g->lock);

		rc = rungo_cache_install(g->o.cache, g->o.index, &gv->v,
					 g->host_os, g->host_arch, &gv->tc,
					 &err);
		if (rc == 0) {
			gv->installed = true;
			key_after_install(g, gv);
		}
		pthread_mutex_lock(&g->lock);
		for (mi = 0; mi < g->nm; mi++) {
			if (g->m_version[mi] != vi ||
			    g->m[mi].state != LUTGEN_MEASURE_PENDING)
				continue;
			if (rc) {
				char msg[COMMON_ERR_MSG_SIZE + 128];

				snprintf(msg, sizeof(msg),
					 "%s: %s linux/%s: no toolchain: %s",
					 g->specs[g->m[mi].spec].spec->name,
					 g->m[mi].version_str, g->m[mi].goarch,
					 err.msg);
				fail_locked(g, mi, msg, NULL);
			} else {
				g->queue[g->q_tail++] = mi;
			}
		}
		pthread_cond_broadcast(&g->cond);
		pthread_mutex_unlock(&g->lock);
	}
	pthread_mutex_lock(&g->lock);
	g->installer_done = true;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

static int fill_tables(struct lutgen_generate *g, struct common_err *err)
{
	size_t si, mi, l;
	int rc;

	for (si = 0; si < g->nspecs; si++) {
		struct gspec *gs = &g->specs[si];
		bool complete = true;

		for (mi = 0; mi < g->nm; mi++)
			if (g->m[mi].spec == si &&
			    g->m[mi].state != LUTGEN_MEASURE_CACHED &&
			    g->m[mi].state != LUTGEN_MEASURE_BUILT)
				complete = false;
		if (!complete)
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

int lutgen_generate_run(struct lutgen_generate *g, struct common_err *err)
{
	pthread_t installer, *workers = NULL;
	int nworkers = 0, i, rc;
	bool installer_started = false;
	size_t mi, vi;

	if (g->ran)
		return common_err_set(err, -EINVAL, "generate: already ran");
	g->ran = true;
	rc = common_fs_mkdir_p(g->results_dir, err);
	if (rc)
		return common_err_prefix(err, rc, "result cache");

	qsort(g->versions, g->nversions, sizeof(*g->versions), cmp_gversion);
	for (mi = 0; mi < g->nm; mi++)
		for (vi = 0; vi < g->nversions; vi++)
			if (rungo_version_cmp(&g->versions[vi].v,
					      &g->m[mi].version) == 0)
				g->m_version[mi] = vi;
	compute_version_keys(g);

	/* The result cache first: what it answers needs no toolchain. */
	for (mi = 0; mi < g->nm; mi++) {
		if (measurement_key(g, mi) != 0)
			return common_err_set(err, -ENOMEM, "out of memory");
		if (!g->o.rebuild && result_load(g, mi))
			continue;
		g->versions[g->m_version[mi]].need_build = true;
		g->total++;
	}
	if (g->total > 0) {
		g->queue = calloc(g->nm, sizeof(*g->queue));
		workers = calloc((size_t)g->jobs, sizeof(*workers));
		if (!g->queue || !workers) {
			rc = common_err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		progress_locked(g);
		rc = pthread_create(&installer, NULL, installer_main, g);
		if (rc) {
			rc = common_err_set(err, -rc, "start a thread: %s",
					    strerror(rc));
			goto out;
		}
		installer_started = true;
		for (i = 0; i < g->jobs && (size_t)i < g->total; i++) {
			rc = pthread_create(&workers[i], NULL, worker_main, g);
			if (rc) {
				/* Fewer workers still finish the queue. */
				if (nworkers > 0) {
					rc = 0;
					break;
				}
				pthread_mutex_lock(&g->lock);
				g->stop = true;
				pthread_mutex_unlock(&g->lock);
				rc = common_err_set(err, -rc,
						    "start a thread: %s",
						    strerror(rc));
				goto out;
			}
			nworkers++;
		}
	}
out:
	if (installer_started)
		pthread_join(installer, NULL);
	for (i = 0; i < nworkers; i++)
		pthread_join(workers[i], NULL);
	free(workers);
	if (rc)
		return rc;
	/* Specs whose measurements are complete get their table even when
	 * another spec failed (--keep-going). */
	rc = fill_tables(g, err);
	if (rc)
		return rc;
	if (g->first_err.code) {
		common_err_set(err, g->first_err.code, "%s", g->first_err.msg);
		return g->first_err.code;
	}
	return 0;
}

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
