/* SPDX-License-Identifier: MIT */
/*
 * rungo/gomod.h - what lutgen needs from a go.mod file.
 *
 * Reads the "module", "go", "require" and "replace" directives (single
 * lines and blocks, // comments, quoted or bare paths); "exclude",
 * "retract", "toolchain" and "godebug" are skipped.  A dependency's own
 * replacements never apply to the main module (as in the go command):
 * callers that walk a graph ignore `replaces` of dependencies.
 * Anything that is not a known directive is an error naming the line.
 *
 * Convention: 0 / negative errno, details in err ("<origin>:<line>: ...").
 */
#ifndef RUNGO_GOMOD_H
#define RUNGO_GOMOD_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "rungo/modversion.h"
#include "rungo/version.h"

struct rungo_gomod_require {
	char *path;
	struct rungo_modver version;
	bool indirect;    /* "// indirect" */
};

/* "replace path [from] => to_path [to]"; a replacement by a directory
 * (to_path "./x", "../x" or absolute) has no version. */
struct rungo_gomod_replace {
	char *path;
	bool has_from;
	struct rungo_modver from;
	char *to_path;
	bool has_to;
	struct rungo_modver to;
};

struct rungo_gomod {
	char *module;                       /* "" when absent */
	bool has_go;
	struct rungo_version go;            /* the go directive ("1.21.3") */
	struct rungo_gomod_require *requires;
	size_t nrequires;
	struct rungo_gomod_replace *replaces;   /* in file order */
	size_t nreplaces;
};

/* Parse go.mod text; *out owned by the caller (rungo_gomod_free). */
int rungo_gomod_parse(const char *text, size_t len, const char *origin,
		      struct rungo_gomod **out, struct common_err *err);
void rungo_gomod_free(struct rungo_gomod *m);

#endif
