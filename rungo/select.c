/* SPDX-License-Identifier: MIT */
/*
 * Choosing versions of an index: filter (prerelease, min/max, os/arch),
 * sort and deduplicate, then apply the policy per minor.
 *
 * min/max narrow the versions considered before the policy picks, so
 * "--policy latest-patch --max go1.21.5" yields go1.21.5 for go1.21 (not
 * nothing because go1.21.13 is above max), and "--policy minor --min
 * go1.21.3" represents go1.21 by its newest version in range.  Whether a
 * version is stable comes from its spelling, not the index's "stable" flag.
 * os and arch filter independently (NULL = any).
 */
#include "rungo/select.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const policy_names[] = {
	[RUNGO_POLICY_MINOR] = "minor",
	[RUNGO_POLICY_LATEST_PATCH] = "latest-patch",
	[RUNGO_POLICY_ALL] = "all",
	[RUNGO_POLICY_ENDS] = "ends",
};

#define NPOLICIES (sizeof(policy_names) / sizeof(policy_names[0]))

int rungo_policy_parse(const char *s, enum rungo_policy *out,
		       struct common_err *err)
{
	size_t i;

	for (i = 0; s && i < NPOLICIES; i++) {
		if (strcmp(s, policy_names[i]) == 0) {
			*out = (enum rungo_policy)i;
			return 0;
		}
	}
	return common_err_set(err, -EINVAL,
			      "unknown version policy \"%.100s\" (use minor, "
			      "latest-patch, ends or all)", s ? s : "");
}

const char *rungo_policy_name(enum rungo_policy p)
{
	if ((size_t)p < NPOLICIES)
		return policy_names[p];
	return "unknown";
}

static bool has_archive(const struct rungo_release *r, const char *os,
			const char *arch)
{
	size_t i;

	for (i = 0; i < r->nfiles; i++) {
		const struct rungo_file *f = &r->files[i];

		if (strcmp(f->kind, "archive") == 0 &&
		    (!os || strcmp(f->os, os) == 0) &&
		    (!arch || strcmp(f->arch, arch) == 0))
			return true;
	}
	return false;
}

static bool considered(const struct rungo_release *r,
		       const struct rungo_select_opts *o)
{
	const struct rungo_version *v = &r->version;

	if (!o->prerelease && !rungo_version_is_stable(v))
		return false;
	if (o->min && rungo_version_cmp(v, o->min) < 0)
		return false;
	if (o->max && rungo_version_cmp(v, o->max) > 0)
		return false;
	if ((o->os || o->arch) && !has_archive(r, o->os, o->arch))
		return false;
	return true;
}

static int cmp_versions(const void *a, const void *b)
{
	return rungo_version_cmp(a, b);
}

/* The one version of the minor group g[0..n) that `policy` picks (n > 0;
 * g sorted ascending); for ends, the oldest end (the newest is what
 * latest-patch picks). */
static const struct rungo_version *pick(const struct rungo_version *g,
					size_t n, enum rungo_policy policy)
{
	size_t i;

	if (policy == RUNGO_POLICY_MINOR) {
		for (i = 0; i < n; i++)
			if (rungo_version_is_stable(&g[i]) && g[i].patch == 0)
				return &g[i];
		return &g[n - 1];
	}
	if (policy == RUNGO_POLICY_ENDS) {
		for (i = 0; i < n; i++)
			if (rungo_version_is_stable(&g[i]))
				return &g[i];
		return &g[n - 1];
	}
	/* Latest patch: newest stable, else (prerelease-only) newest. */
	for (i = n; i-- > 0;)
		if (rungo_version_is_stable(&g[i]))
			return &g[i];
	return &g[n - 1];
}

int rungo_select(const struct rungo_index *idx,
		 const struct rungo_select_opts *opts,
		 struct rungo_version **out, size_t *n, struct common_err *err)
{
	static const struct rungo_select_opts defaults;
	const struct rungo_select_opts *o = opts ? opts : &defaults;
	struct rungo_version *v = NULL;
	size_t nv = 0, i, j, start;

	if (!idx || !out || !n)
		return common_err_set(err, -EINVAL, "select: missing argument");
	if ((size_t)o->policy >= NPOLICIES)
		return common_err_set(err, -EINVAL,
				      "select: unknown policy %d",
				      (int)o->policy);
	if (o->min && o->max && rungo_version_cmp(o->min, o->max) > 0) {
		char a[RUNGO_VERSION_STR_MAX], b[RUNGO_VERSION_STR_MAX];

		if (rungo_version_format(o->min, a, sizeof(a)) < 0)
			a[0] = '\0';
		if (rungo_version_format(o->max, b, sizeof(b)) < 0)
			b[0] = '\0';
		return common_err_set(err, -EINVAL,
				      "select: minimum version %s is above the "
				      "maximum %s", a, b);
	}
	if (idx->nreleases > 0) {
		v = calloc(idx->nreleases, sizeof(*v));
		if (!v)
			return common_err_set(err, -ENOMEM,
					      "select: out of memory");
	}
	for (i = 0; i < idx->nreleases; i++)
		if (considered(&idx->releases[i], o))
			v[nv++] = idx->releases[i].version;
	if (nv > 1)
		qsort(v, nv, sizeof(*v), cmp_versions);
	/* Deduplicate (go1.20 == go1.20.0). */
	for (i = 0, j = 0; i < nv; i++)
		if (j == 0 || rungo_version_cmp(&v[j - 1], &v[i]) != 0)
			v[j++] = v[i];
	nv = j;
	if (o->policy != RUNGO_POLICY_ALL) {
		/* Pick one (ends: up to two) per minor; a group of i - start
		 * versions yields at most that many, so writes stay behind
		 * reads.  The picks are copied before anything is written. */
		for (start = 0, j = 0; start < nv; start = i) {
			struct rungo_version first, last;

			for (i = start + 1; i < nv &&
			     rungo_version_same_minor(&v[start], &v[i]);
			     i++)
				;
			first = *pick(&v[start], i - start, o->policy);
			last = o->policy == RUNGO_POLICY_ENDS
				       ? *pick(&v[start], i - start,
					       RUNGO_POLICY_LATEST_PATCH)
				       : first;
			v[j++] = first;
			if (rungo_version_cmp(&first, &last) != 0)
				v[j++] = last;
		}
		nv = j;
	}
	if (nv == 0) {
		free(v);
		v = NULL;
	}
	*out = v;
	*n = nv;
	return 0;
}
