/* SPDX-License-Identifier: MIT */
/*
 * rungo/select.h - choosing which versions of an index to use.
 *
 * Policies (result is always sorted oldest first, no duplicates):
 *  - RUNGO_POLICY_MINOR (default): per minor, its x.y.0 release when the
 *    index has one, otherwise the newest version of that minor of any kind.
 *    A minor that has only prereleases is included only with `prerelease`.
 *  - RUNGO_POLICY_LATEST_PATCH: newest stable patch of each minor (with
 *    `prerelease`, a prerelease-only minor contributes its newest).
 *  - RUNGO_POLICY_ALL: every stable release (with `prerelease`, every
 *    beta and rc as well).
 *  - RUNGO_POLICY_ENDS: both ends of each minor: its oldest and its
 *    newest stable release (one when they are the same; a minor with
 *    only prereleases as in LATEST_PATCH).  A layout change inside a
 *    minor shows, for two builds per minor instead of one per release.
 * `min`/`max` bound the result inclusively (NULL = unbounded); the policy
 * picks among the versions in range (latest-patch with max go1.21.5 gives
 * go1.21.5 for go1.21).  When `os`
 * and `arch` are set, only releases with a file of kind "archive" for that
 * os/arch are considered.
 */
#ifndef RUNGO_SELECT_H
#define RUNGO_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "rungo/index.h"
#include "rungo/version.h"

enum rungo_policy {
	RUNGO_POLICY_MINOR = 0,
	RUNGO_POLICY_LATEST_PATCH,
	RUNGO_POLICY_ALL,
	RUNGO_POLICY_ENDS,
};

struct rungo_select_opts {
	const struct rungo_version *min;
	const struct rungo_version *max;
	enum rungo_policy policy;
	bool prerelease;
	const char *os;    /* NULL = any */
	const char *arch;  /* NULL = any */
};

/* "minor", "latest-patch", "all", "ends" -> policy; -EINVAL otherwise. */
int rungo_policy_parse(const char *s, enum rungo_policy *out,
		       struct common_err *err);
const char *rungo_policy_name(enum rungo_policy p);

/* On success *out is a malloc'd array (caller frees with free()) of *n
 * versions; *out may be NULL when *n == 0. opts may be NULL. */
int rungo_select(const struct rungo_index *idx,
		 const struct rungo_select_opts *opts,
		 struct rungo_version **out, size_t *n, struct common_err *err);

#endif
