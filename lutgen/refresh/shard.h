/* SPDX-License-Identifier: MIT */
/*
 * lutgen/refresh/shard.h - splitting a generate run over N CI jobs.
 *
 * A job is one (Go version, GOARCH) pair.  The job list of a run is the
 * sorted (version order, then GOARCH by strcmp), duplicate-free union over
 * its specs of (selected versions x spec arches).  Shard K of N (1-based)
 * owns the jobs whose index in that list is K-1 modulo N (round robin), so
 * shard sizes differ by at most one and every job has exactly one owner.
 * Every spec's measurement of a (version, GOARCH) belongs to the owner of
 * that job.
 *
 * The plan computes the job list before a run, with the selection the run
 * makes (lutgen_spec_select: spec min_version and policy, host os/arch),
 * so that a shard can filter what it measures.
 *
 * Convention: 0 / negative errno, one-line details in `err`.
 */
#ifndef LUTGEN_SHARD_H
#define LUTGEN_SHARD_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "lutgen/core/spec.h"
#include "lutgen/lutgen.h"
#include "lutgen/refresh/layer.h"
#include "rungo/index.h"
#include "rungo/version.h"


struct lutgen_shard_job {
	struct rungo_version version;
	char goarch[16];
};

/* lutgen_shard_parse ("K/N") is declared in lutgen/lutgen.h. */

/* Does shard k of n own the job at `job_index` of the sorted job list? */
bool lutgen_shard_owns(int k, int n, size_t job_index);

/* Version order, then GOARCH (strcmp). */
int lutgen_shard_job_cmp(const struct lutgen_shard_job *a,
			 const struct lutgen_shard_job *b);

/* Merge versions x arches into the sorted, duplicate-free list
 * *jobs[0..*n) (realloc'd; caller frees with free()). */
int lutgen_shard_jobs_add(struct lutgen_shard_job **jobs, size_t *n,
			  const struct rungo_version *versions,
			  size_t nversions, char *const *arches,
			  size_t narches, struct common_err *err);

/* Index of `job` in the sorted list, or -1 when absent. */
long lutgen_shard_jobs_find(const struct lutgen_shard_job *jobs, size_t n,
			    const struct rungo_version *v, const char *goarch);

struct lutgen_shard_plan;

/* Plan for shard k of n (k = n = 1: everything). *out owned by caller. */
int lutgen_shard_plan_new(int k, int n, struct lutgen_shard_plan **out,
			  struct common_err *err);
void lutgen_shard_plan_free(struct lutgen_shard_plan *p);

/* Select the spec's versions like lutgen_generate_add_spec does
 * (lutgen_spec_select; host_os NULL: "linux", host_arch NULL: the host)
 * and add its jobs.  Specs are numbered in add order. */
int lutgen_shard_plan_add_spec(struct lutgen_shard_plan *p,
			       const struct rungo_index *idx,
			       const struct lutgen_spec *spec,
			       const char *host_os, const char *host_arch,
			       struct common_err *err);

/* Same with an explicit version list (tests, merge). */
int lutgen_shard_plan_add_versions(struct lutgen_shard_plan *p,
				   const struct lutgen_spec *spec,
				   const struct rungo_version *versions,
				   size_t nversions, struct common_err *err);

/* Does this plan's shard own (v, goarch)?  Valid after all specs are
 * added. */
bool lutgen_shard_plan_owns(const struct lutgen_shard_plan *p,
			    const struct rungo_version *v, const char *goarch);

/* Does this shard own (v, GOARCH) for any GOARCH?  Signature of
 * lutgen_generate_opts.version_filter (ctx = the plan). */
bool lutgen_shard_plan_owns_version(void *plan, const struct rungo_version *v);

/* lutgen_shard_plan_owns with the signature of a per-(version, GOARCH)
 * filter callback (ctx = the plan). */
bool lutgen_shard_plan_owns_job(void *plan, const struct rungo_version *v,
				const char *goarch);

/* Number of jobs this shard owns of spec i (0 means: skip the spec). */
size_t lutgen_shard_plan_spec_jobs(const struct lutgen_shard_plan *p,
				   size_t i);

/* The full selection of spec i (all shards), sorted; borrowed. */
const struct rungo_version *
lutgen_shard_plan_versions(const struct lutgen_shard_plan *p, size_t i,
			   size_t *n);

/* The whole job list (all shards); borrowed. */
const struct lutgen_shard_job *
lutgen_shard_plan_jobs(const struct lutgen_shard_plan *p, size_t *n);

void lutgen_shard_plan_shard(const struct lutgen_shard_plan *p, int *k,
			     int *n);

#endif
