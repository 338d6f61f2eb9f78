/* SPDX-License-Identifier: MIT */
/*
 * rungo/modmirror.h - the build hints of scripts/go-mirror's module
 * mirror.
 *
 * The mirror holds the Go modules Debian packages, one Debian suite at a
 * time; a module version's go.mod names dependency versions Debian never
 * had.  So the mirror publishes, next to its GOPROXY tree, which suite each
 * target module version comes from (modules.json "targets": path ->
 * [{version, suite, go}]) and, per suite, a go.mod fragment pinning every
 * module of the suite's closure (suites/<suite>.replace: "P => P V").
 * Building path@v against the mirror means appending that suite's
 * fragment to the go.mod; these pins feed rungo/modgraph.h.  The public
 * proxy needs none of this: without a mirror directory nothing is pinned.
 *
 * Which suite when a version is in several: the one whose closure asks
 * for the oldest Go ("go" absent counts as oldest), which leaves the most
 * toolchains to measure with; among equals, the first listed.
 *
 * Convention: 0 / negative errno, details in err.
 */
#ifndef RUNGO_MODMIRROR_H
#define RUNGO_MODMIRROR_H

#include <stddef.h>

#include "common/err.h"
#include "rungo/gomod.h"
#include "rungo/modgraph.h"
#include "rungo/modversion.h"

struct rungo_modmirror;

/* The pins of one target version. */
struct rungo_modmirror_build {
	char *suite;
	struct rungo_modpin *pins;   /* paths borrowed from fragment */
	size_t npins;
	struct rungo_gomod *fragment;
};

/* Read <dir>/modules.json.  *out owned by the caller. */
int rungo_modmirror_open(const char *dir, struct rungo_modmirror **out,
			 struct common_err *err);
void rungo_modmirror_free(struct rungo_modmirror *mm);

/* The pins for building path@v: 0 with *out (caller frees with
 * rungo_modmirror_build_free), -ENOENT when the mirror does not name
 * path@v as a target (no pins: the graph is resolved from the proxy
 * alone). */
int rungo_modmirror_build(const struct rungo_modmirror *mm, const char *path,
			  const struct rungo_modver *v,
			  struct rungo_modmirror_build **out,
			  struct common_err *err);
void rungo_modmirror_build_free(struct rungo_modmirror_build *b);

#endif
