/* SPDX-License-Identifier: MIT */
/*
 * rungo/modversion.h - Go module versions (semantic versions with a "v").
 *
 * Accepted: "v1.2.3", pre-releases "v1.2.3-rc.1", "v2.0.0-dev",
 * pseudo-versions (all three forms, see below) and "+incompatible"
 * ("v2.3.0+incompatible").  On input "v1" and "v1.2" are accepted as
 * shorthands of v1.0.0 and v1.2.0 (convenient for a spec's min_version);
 * versions are always formatted canonically.  Other build metadata
 * ("+build.5") is rejected: module versions never carry it.
 *
 * Order is the go command's (golang.org/x/mod/semver Compare, then the
 * spelling as a tie-break, as its Sort does): major, minor, patch
 * numerically; a pre-release sorts before its release; pre-release
 * identifiers compare one by one, numeric ones numerically and before
 * alphanumeric ones, alphanumeric ones in ASCII order, and a shorter list
 * before a longer one it starts.  "+incompatible" does not change the
 * order except as the final tie-break (v2.0.0 < v2.0.0+incompatible).
 *
 * Pseudo-versions (commits without a tag) are pre-releases of the form
 *   vX.0.0-yyyymmddhhmmss-abcdefabcdef          no tagged base
 *   vX.Y.Z-pre.0.yyyymmddhhmmss-abcdefabcdef    after the tag vX.Y.Z-pre
 *   vX.Y.(Z+1)-0.yyyymmddhhmmss-abcdefabcdef    after the tag vX.Y.Z
 * so the order above already places each just after its base version and
 * before the next tag; rungo_modver_pseudo() tells the base.
 */
#ifndef RUNGO_MODVERSION_H
#define RUNGO_MODVERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "rungo/select.h"

/* Longest canonical module version including its NUL. */
#define RUNGO_MODVER_MAX 128

struct rungo_modver {
	uint64_t major, minor, patch;
	char pre[RUNGO_MODVER_MAX];   /* pre-release without its '-'; "" */
	bool incompatible;            /* "+incompatible" */
	char str[RUNGO_MODVER_MAX];   /* canonical spelling */
};

/* Parse `s`; 0 or -EINVAL (err quotes the string and says why). */
int rungo_modver_parse(const char *s, struct rungo_modver *out,
		       struct common_err *err);

/* Like rungo_modver_parse but only the canonical spelling a go.mod or a
 * proxy uses ("v1.2" is rejected). */
int rungo_modver_parse_canonical(const char *s, struct rungo_modver *out,
				 struct common_err *err);

/* <0, 0, >0 like strcmp, in the go command's order. */
int rungo_modver_cmp(const struct rungo_modver *a,
		     const struct rungo_modver *b);

/* Semantic-version precedence only (+incompatible ignored), as
 * golang.org/x/mod/semver.Compare. */
int rungo_modver_cmp_semver(const struct rungo_modver *a,
			    const struct rungo_modver *b);

bool rungo_modver_is_prerelease(const struct rungo_modver *v);
bool rungo_modver_same_minor(const struct rungo_modver *a,
			     const struct rungo_modver *b);

/* Is `v` a pseudo-version?  When it is and `base` is not NULL, *has_base
 * says whether it names a tagged base and *base is that base version
 * (vX.Y.Z for the third form, vX.Y.Z-pre for the second). */
bool rungo_modver_pseudo(const struct rungo_modver *v,
			 struct rungo_modver *base, bool *has_base);

/* A version list as the selection policies see it. */
struct rungo_modver_select_opts {
	const struct rungo_modver *min;   /* NULL = unbounded */
	const struct rungo_modver *max;
	enum rungo_policy policy;
	bool prerelease;                  /* include pre-releases and
					   * pseudo-versions */
};

/*
 * Choose from `in` (any order, duplicates fine) like rungo_select does for
 * Go releases: RUNGO_POLICY_MINOR keeps per major.minor its vX.Y.0 when
 * present, else the newest version of that minor; LATEST_PATCH the newest
 * release of each minor (with `prerelease`, a pre-release-only minor gives
 * its newest); ALL everything.  Pre-releases (pseudo-versions included)
 * only with `prerelease`.  *out malloc'd (free()), oldest first; may be
 * NULL when *n == 0.
 */
int rungo_modver_select(const struct rungo_modver *in, size_t nin,
			const struct rungo_modver_select_opts *opts,
			struct rungo_modver **out, size_t *n,
			struct common_err *err);

#endif
