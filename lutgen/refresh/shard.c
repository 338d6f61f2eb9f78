/* SPDX-License-Identifier: MIT */
/* lutgen/refresh/shard.c - splitting a generate run over N CI jobs. */
#include "lutgen/refresh/shard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


struct plan_spec {
	char **arches;               /* borrowed from the spec */
	size_t narches;
	struct rungo_version *versions;
	size_t nversions;
};

struct lutgen_shard_plan {
	int k, n;
	struct plan_spec *specs;
	size_t nspecs;
	struct lutgen_shard_job *jobs;
	size_t njobs;
};

static int parse_int(const char *s, size_t len, int *out)
{
	long v = 0;
	size_t i;

	if (len == 0 || len > 6)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*out = (int)v;
	return 0;
}

int lutgen_shard_parse(const char *s, int *k, int *n, struct common_err *err)
{
	const char *slash;
	int kk, nn;

	if (!s || !k || !n)
		return common_err_set(err, -EINVAL, "shard: NULL argument");
	slash = strchr(s, '/');
	if (!slash || parse_int(s, (size_t)(slash - s), &kk) != 0 ||
	    parse_int(slash + 1, strlen(slash + 1), &nn) != 0)
		return common_err_set(err, -EINVAL,
				      "shard '%s': expected K/N, e.g. 2/4", s);
	if (nn < 1 || nn > LUTGEN_MAX_SHARDS || kk < 1 || kk > nn)
		return common_err_set(err, -EINVAL,
				      "shard '%s': need 1 <= K <= N <= %d", s,
				      LUTGEN_MAX_SHARDS);
	*k = kk;
	*n = nn;
	return 0;
}

bool lutgen_shard_owns(int k, int n, size_t job_index)
{
	if (n < 1 || k < 1 || k > n)
		return false;
	return job_index % (size_t)n == (size_t)(k - 1);
}

int lutgen_shard_job_cmp(const struct lutgen_shard_job *a,
			 const struct lutgen_shard_job *b)
{
	int c = rungo_version_cmp(&a->version, &b->version);

	return c ? c : strcmp(a->goarch, b->goarch);
}

/* Position of the first job >= key (binary search). */
static size_t lower_bound(const struct lutgen_shard_job *jobs, size_t n,
			  const struct lutgen_shard_job *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (lutgen_shard_job_cmp(&jobs[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int make_key(struct lutgen_shard_job *key, const struct rungo_version *v,
		    const char *goarch)
{
	int w;

	memset(key, 0, sizeof(*key));
	key->version = *v;
	w = snprintf(key->goarch, sizeof(key->goarch), "%s", goarch);
	return w < 0 || (size_t)w >= sizeof(key->goarch) ? -ENAMETOOLONG : 0;
}

long lutgen_shard_jobs_find(const struct lutgen_shard_job *jobs, size_t n,
			    const struct rungo_version *v, const char *goarch)
{
	struct lutgen_shard_job key;
	size_t pos;

	if (!v || !goarch || make_key(&key, v, goarch) != 0)
		return -1;
	pos = lower_bound(jobs, n, &key);
	if (pos < n && lutgen_shard_job_cmp(&jobs[pos], &key) == 0)
		return (long)pos;
	return -1;
}

int lutgen_shard_jobs_add(struct lutgen_shard_job **jobs, size_t *n,
			  const struct rungo_version *versions,
			  size_t nversions, char *const *arches,
			  size_t narches, struct common_err *err)
{
	struct lutgen_shard_job key, *nj;
	size_t v, a, pos;

	if (!jobs || !n || (nversions && !versions) || (narches && !arches))
		return common_err_set(err, -EINVAL, "shard: NULL argument");
	for (v = 0; v < nversions; v++) {
		for (a = 0; a < narches; a++) {
			if (make_key(&key, &versions[v], arches[a]) != 0)
				return common_err_set(err, -EINVAL,
						      "shard: GOARCH '%s' too long",
						      arches[a]);
			pos = lower_bound(*jobs, *n, &key);
			if (pos < *n &&
			    lutgen_shard_job_cmp(&(*jobs)[pos], &key) == 0)
				continue;
			nj = realloc(*jobs, (*n + 1) * sizeof(*nj));
			if (!nj)
				return common_err_set(err, -ENOMEM,
						      "shard: out of memory");
			*jobs = nj;
			memmove(&nj[pos + 1], &nj[pos],
				(*n - pos) * sizeof(*nj));
			nj[pos] = key;
			(*n)++;
		}
	}
	return 0;
}

int lutgen_shard_plan_new(int k, int n, struct lutgen_shard_plan **out,
			  struct common_err *err)
{
	struct lutgen_shard_plan *p;

	if (!out)
		return common_err_set(err, -EINVAL, "shard: NULL argument");
	if (n < 1 || n > LUTGEN_MAX_SHARDS || k < 1 || k > n)
		return common_err_set(err, -EINVAL,
				      "shard %d/%d: need 1 <= K <= N <= %d", k,
				      n, LUTGEN_MAX_SHARDS);
	p = calloc(1, sizeof(*p));
	if (!p)
		return common_err_set(err, -ENOMEM, "shard: out of memory");
	p->k = k;
	p->n = n;
	*out = p;
	return 0;
}

void lutgen_shard_plan_free(struct lutgen_shard_plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nspecs; i++)
		free(p->specs[i].versions);
	free(p->specs);
	free(p->jobs);
	free(p);
}

int lutgen_shard_plan_add_versions(struct lutgen_shard_plan *p,
				   const struct lutgen_spec *spec,
				   const struct rungo_version *versions,
				   size_t nversions, struct common_err *err)
{
	struct plan_spec *ns, *ps;
	int rc;

	if (!p || !spec || (nversions && !versions))
		return common_err_set(err, -EINVAL, "shard: NULL argument");
	ns = realloc(p->specs, (p->nspecs + 1) * sizeof(*ns));
	if (!ns)
		return common_err_set(err, -ENOMEM, "shard: out of memory");
	p->specs = ns;
	ps = &ns[p->nspecs];
	memset(ps, 0, sizeof(*ps));
	ps->arches = spec->arches;
	ps->narches = spec->narches;
	if (nversions) {
		ps->versions = malloc(nversions * sizeof(*ps->versions));
		if (!ps->versions)
			return common_err_set(err, -ENOMEM,
					      "shard: out of memory");
		memcpy(ps->versions, versions,
		       nversions * sizeof(*ps->versions));
	}
	ps->nversions = nversions;
	p->nspecs++;
	rc = lutgen_shard_jobs_add(&p->jobs, &p->njobs, versions, nversions,
				   spec->arches, spec->narches, err);
	if (rc)
		return common_err_prefix(err, rc, "spec %s", spec->name);
	return 0;
}

int lutgen_shard_plan_add_spec(struct lutgen_shard_plan *p,
			       const struct rungo_index *idx,
			       const struct lutgen_spec *spec,
			       const char *host_os, const char *host_arch,
			       struct common_err *err)
{
	struct rungo_version *sel = NULL;
	size_t nsel = 0;
	int rc;

	if (!p || !idx || !spec)
		return common_err_set(err, -EINVAL, "shard: NULL argument");
	rc = lutgen_spec_select(spec, idx, host_os, host_arch, &sel, &nsel,
				err);
	if (rc)
		return rc;
	rc = lutgen_shard_plan_add_versions(p, spec, sel, nsel, err);
	free(sel);
	return rc;
}

bool lutgen_shard_plan_owns(const struct lutgen_shard_plan *p,
			    const struct rungo_version *v, const char *goarch)
{
	long i;

	if (!p)
		return false;
	i = lutgen_shard_jobs_find(p->jobs, p->njobs, v, goarch);
	return i >= 0 && lutgen_shard_owns(p->k, p->n, (size_t)i);
}

bool lutgen_shard_plan_owns_version(void *plan, const struct rungo_version *v)
{
	const struct lutgen_shard_plan *p = plan;
	size_t i;

	if (!p || !v)
		return false;
	for (i = 0; i < p->njobs; i++)
		if (rungo_version_cmp(&p->jobs[i].version, v) == 0 &&
		    lutgen_shard_owns(p->k, p->n, i))
			return true;
	return false;
}

bool lutgen_shard_plan_owns_job(void *plan, const struct rungo_version *v,
				const char *goarch)
{
	return lutgen_shard_plan_owns(plan, v, goarch);
}

size_t lutgen_shard_plan_spec_jobs(const struct lutgen_shard_plan *p,
				   size_t i)
{
	const struct plan_spec *ps;
	size_t v, a, count = 0;

	if (!p || i >= p->nspecs)
		return 0;
	ps = &p->specs[i];
	for (v = 0; v < ps->nversions; v++)
		for (a = 0; a < ps->narches; a++)
			count += lutgen_shard_plan_owns(p, &ps->versions[v],
							ps->arches[a]);
	return count;
}

const struct rungo_version *
lutgen_shard_plan_versions(const struct lutgen_shard_plan *p, size_t i,
			   size_t *n)
{
	if (!p || i >= p->nspecs) {
		if (n)
			*n = 0;
		return NULL;
	}
	if (n)
		*n = p->specs[i].nversions;
	return p->specs[i].versions;
}

const struct lutgen_shard_job *
lutgen_shard_plan_jobs(const struct lutgen_shard_plan *p, size_t *n)
{
	if (n)
		*n = p ? p->njobs : 0;
	return p ? p->jobs : NULL;
}

void lutgen_shard_plan_shard(const struct lutgen_shard_plan *p, int *k,
			     int *n)
{
	if (k)
		*k = p ? p->k : 0;
	if (n)
		*n = p ? p->n : 0;
}
