/* SPDX-License-Identifier: MIT */
/*
 * rungo/modgraph.h - the module graph of one module version, made
 * buildable from the proxy at hand.
 *
 * Building a program that requires M@V needs the go.mod of every module
 * version in M@V's requirement graph.  The public proxy has them all; an
 * offline mirror (scripts/go-mirror's, built from Debian's golang-*-dev
 * packages) has only the versions Debian ships.  The resolver walks the
 * graph from M@V through the proxy (go.mod files cached and checked by
 * rungo/modcache.h) and, for every required version the proxy does not
 * have, picks a replacement the proxy does have:
 *   - the oldest listed version at or above the required one with the same
 *     major version, else the newest listed one below it (same major),
 *     else the nearest of any major;
 * and continues the walk from the replacement's go.mod.  The result is a
 * list of version-specific replace directives ("replace P V => P R") for
 * the building go.mod: against the public proxy the list is empty.  A
 * module the proxy does not know at all is listed in `missing` (the build
 * fails only if the go command really needs it).
 *
 * Pins come first: an offline mirror may know which versions belong
 * together (scripts/go-mirror publishes, per Debian suite, a replace
 * fragment "P => P V" for every module of the suite; see
 * rungo/modmirror.h).  A pinned path resolves to its pinned version
 * whatever version is required, and the result lists it as a replace
 * without a "from" version ("replace P => P V"), once per pinned path the
 * walk meets.
 *
 * Debian sometimes ships, inside one pinned module, packages that upstream
 * later split into a module of their own (google.golang.org/genproto and
 * .../genproto/googleapis/rpc): the split module is not in the suite (the
 * mirror has a placeholder), so its packages are found only if the
 * enclosing pinned module is in the build list.  When the walk meets an
 * unpinned module whose path lies under a pinned one the walk has not
 * met, the result lists that pinned module in `requires` and the walk
 * continues from it.  It is there for its packages only: what its go.mod
 * files require that the suite does not pin (genproto's golang.org/x/lint,
 * which no suite has, or golang.org/x/tools, whose nearest version in the
 * mirror would ask for a newer Go than the suite) is not walked but listed
 * in `excludes`, for "exclude P V" lines: from Go 1.16 on the go command
 * ignores a requirement on an excluded version.
 *
 * Also reported: the highest "go" directive among the go.mod files of the
 * graph, which is the oldest Go toolchain that may build it (from go1.21
 * on the go command refuses older ones).
 *
 * Convention: 0 / negative errno, details in err.
 */
#ifndef RUNGO_MODGRAPH_H
#define RUNGO_MODGRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "rungo/modcache.h"
#include "rungo/modversion.h"
#include "rungo/version.h"

/* At most this many go.mod files are read for one graph. */
#define RUNGO_MODGRAPH_MAX_NODES 20000

struct rungo_modreplace {
	char *path;
	bool has_from;              /* false: a pin, every version */
	struct rungo_modver from;   /* required, missing on the proxy */
	struct rungo_modver to;     /* used instead */
};

/* A pin: every requirement on `path` resolves to `version`. */
struct rungo_modpin {
	const char *path;
	struct rungo_modver version;
};

struct rungo_modgraph_opts {
	const struct rungo_modpin *pins;   /* NULL: none */
	size_t npins;
};

/* A module the building go.mod requires besides the measured one. */
struct rungo_modreq {
	char *path;
	struct rungo_modver version;
	char *encloses;             /* the unpinned module path under it */
};

/* A requirement met below an enclosing module of `requires` that the
 * suite does not pin. */
struct rungo_modexclude {
	char *path;
	struct rungo_modver version;
};

struct rungo_modgraph {
	bool has_go;
	struct rungo_version go;         /* highest go directive */
	char go_from[RUNGO_MODPATH_MAX + RUNGO_MODVER_MAX + 2];
					 /* module@version that has it */
	struct rungo_modreplace *replaces;   /* sorted by path, from version
					      * (pins first) */
	size_t nreplaces;
	struct rungo_modreq *requires;   /* enclosing pins, sorted by path */
	size_t nrequires;
	struct rungo_modexclude *excludes;   /* sorted by path, version */
	size_t nexcludes;
	char **missing;                  /* paths unknown to the proxy, sorted */
	size_t nmissing;
	size_t nodes;                    /* go.mod files read */
};

/* Resolve the graph of path@v (which must exist on the proxy, or be
 * pinned to a version that does); o may be NULL.  *out owned by the caller
 * (rungo_modgraph_free). */
int rungo_modgraph_resolve(const struct rungo_modcache_opts *mc,
			   const struct rungo_modgraph_opts *o,
			   const char *path, const struct rungo_modver *v,
			   struct rungo_modgraph **out, struct common_err *err);
void rungo_modgraph_free(struct rungo_modgraph *g);

#endif
