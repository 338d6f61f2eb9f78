/* SPDX-License-Identifier: MIT */
/*
 * rungo/version.h - Go release versions as spelled by the go.dev index.
 *
 * Accepted spellings: "go1", "go1.2.2", "go1.9beta1", "go1.21rc2",
 * "go1.20" (== go1.20.0), "go1.21.0".  The "go" prefix is optional on
 * input ("1.22.3").  Anything else is rejected with an error quoting it.
 *
 * Order: by major, minor, then prerelease kind (beta < rc < release), then
 * prerelease number / patch.  go1.20 == go1.20.0.
 * One release candidate of a patch release exists in the real index
 * ("go1.9.2rc2"): it parses with patch 2 and sorts between go1.9.1 and
 * go1.9.2 (order: major, minor, patch, kind, number).
 */
#ifndef RUNGO_VERSION_H
#define RUNGO_VERSION_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

enum rungo_prerelease {
	RUNGO_PRE_BETA = 0,
	RUNGO_PRE_RC = 1,
	RUNGO_PRE_NONE = 2,  /* a release (x.y.z) */
};

struct rungo_version {
	int major;
	int minor;
	int patch;                  /* 0 for prereleases (but go1.9.2rc2) */
	enum rungo_prerelease pre;  /* RUNGO_PRE_NONE for releases */
	int pre_num;                /* N of betaN / rcN, else 0 */
};

/* Longest formatted version, including NUL. */
#define RUNGO_VERSION_STR_MAX 32

/* Parse `s`; returns 0 or -EINVAL (err says which string and why). */
int rungo_version_parse(const char *s, struct rungo_version *out,
			struct common_err *err);

/* <0, 0, >0 like strcmp. */
int rungo_version_cmp(const struct rungo_version *a,
		      const struct rungo_version *b);

/* Same major.minor? */
bool rungo_version_same_minor(const struct rungo_version *a,
			      const struct rungo_version *b);

bool rungo_version_is_stable(const struct rungo_version *v);

/* Format in the index's spelling: "go1", "go1.20", "go1.20.1",
 * "go1.21.0" (from go1.21 on the .0 is spelled out), "go1.21rc2".
 * Returns the length written (excluding NUL) or -ENOSPC. */
int rungo_version_format(const struct rungo_version *v, char *buf,
			 size_t size);

/* The same for messages and file formats that need a string whatever
 * happens: writes "go?" for a version that cannot be spelled (a corrupt
 * struct) and returns buf. */
const char *rungo_version_str(const struct rungo_version *v,
			      char buf[RUNGO_VERSION_STR_MAX]);

#endif
