/* SPDX-License-Identifier: MIT */
/*
 * lutgen/core/spec.h - table specs (lutgen/specs/<name>.json).
 *
 * {
 *   "name": "goid",                      C identifier, file stem of the output
 *   "doc": "Offsets of goroutine ids.",  one line
 *   "program": "goid",                   lutgen/programs/<program>/ (std lib only)
 *   "min_version": "go1.13",
 *   "arches": ["amd64", "arm64"],
 *   "policy": "minor",                   minor | latest-patch | ends | all
 *   "lookups": [
 *     {"name": "goid_offset", "doc": "...", "kind": "struct_offset",
 *      "type": "runtime.g", "field": "goid"},
 *     {"name": "g_size", "doc": "...", "kind": "type_size", "type": "runtime.g"},
 *     {"name": "tls_conn_write_params", "doc": "...", "kind": "func_params",
 *      "function": "crypto/tls.(*Conn).Write"},
 *     {"name": "req_pattern_offset", "kind": "struct_offset",
 *      "type": "net/http.Request", "field": "Pattern", "optional": true},
 *     {"name": "headers_offset", "kind": "struct_offset",
 *      "type": "google.golang.org/grpc/internal/transport.Stream",
 *      "field": ["clientHeaders", "headerFrame"]},
 *     {"name": "g_sched_sp_size", "kind": "field_size",
 *      "type": "runtime.g", "field": "sched.sp"},
 *     {"name": "g_running", "kind": "const", "const": "runtime._Grunning"},
 *     {"name": "tls_read_results", "kind": "func_results",
 *      "function": "crypto/tls.(*Conn).Read"},
 *     {"name": "g_loc", "kind": "g_location", "function": "runtime.execute"}
 *   ]
 * }
 * Keys by kind: struct_offset and field_size "type" + "field" (a dotted
 * path through nested and embedded structs), type_size "type", const
 * "const", func_params, func_results and g_location "function".
 * Alternatives: "type", "field", "function" and "const" may each be a list of
 * spellings, tried in order (types, then fields, outermost first); the
 * first that exists in a binary answers and the table records which one
 * it was.  "optional": true makes a lookup whose type, field or function
 * exists in none of its spellings a measurement of "absent" (answered by
 * the generated C as LUTGEN_ABSENT) instead of a failed build.
 * Module specs measure a third-party Go module, per module version:
 *   "module": {
 *     "path": "google.golang.org/grpc",    the module path (required)
 *     "min_version": "v1.27.0",            oldest module version (optional)
 *     "max_version": "v1.81.1",            newest (optional)
 *     "policy": "minor",                   minor | latest-patch | ends | all
 *     "prerelease": false,                 pre-releases and pseudo-versions
 *     "go": "newest"                       toolchain that measures a module
 *                                          version when Go does not matter:
 *                                          newest | oldest (of those its
 *                                          go.mod allows) | "go1.24.4"
 *   }
 * Their top-level "min_version" (optional, default go1.13) and "policy"
 * select the Go toolchains that may build the module.
 * Unknown keys and wrong types are errors naming the key (and the lookup).
 * Optional: "doc" (spec and lookup, default ""), "policy" (default minor),
 * "optional" (default false).
 * Also errors: duplicate keys, duplicate lookup names, names that are not
 * C identifiers, unknown or repeated arches (linux GOARCH values), unknown
 * kinds, keys that do not apply to the kind, an empty "arches" or
 * "lookups", JSON that cJSON alone would accept (trailing data, NULs and
 * raw control characters, \u0000, nesting past 1000 levels).
 * A lookup name becomes the C functions NAME and NAME_v, compiled as C99
 * and C++ beside <stdint.h>, <stddef.h> and lutgen_go.h, so it must also
 * not be: longer than 128 characters, a C or C++ keyword, a C library or
 * common POSIX name (main, printf, read, ...), reserved (a leading "_",
 * or "__"), a type name ("*_t"), all capitals (macros: NULL, LUTGEN_OK),
 * "lutgen_*" in any case, or NAME_v of another lookup.  Messages quote at
 * most 64 characters of a name.  Messages look like
 *   "lutgen/specs/x.json: lookups[1] (g_size): key 'type': expected a
 *    string, got a number".
 */
#ifndef LUTGEN_SPEC_H
#define LUTGEN_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "lutgen/core/layer.h"
#include "lutgen/core/value.h"
#include "rungo/modversion.h"
#include "rungo/select.h"
#include "rungo/version.h"

/* The spellings of one key, in the order they are tried; n == 0 when the
 * key is not set, n == 1 for a plain string. */
struct lutgen_alts {
	char **v;
	size_t n;
};

struct lutgen_lookup {
	char *name;       /* C function name */
	char *doc;
	enum lutgen_lookup_kind kind;
	/* The first spelling of each key (borrowed from the lists below),
	 * NULL when the key is not set. */
	char *type;       /* STRUCT_OFFSET, TYPE_SIZE: Go type name */
	char *field;      /* STRUCT_OFFSET: dotted path "pfd.Sysfd" */
	char *function;   /* FUNC_PARAMS, FUNC_RESULTS, G_LOCATION:
			     "crypto/tls.(*Conn).Write" */
	char *konst;      /* CONST: "runtime._Grunning" */
	struct lutgen_alts types, fields, functions, consts;  /* every spelling */
	bool optional;    /* absent from a binary: "absent", not an error */
};

struct cJSON;

enum lutgen_mod_go {
	LUTGEN_MOD_GO_NEWEST = 0,   /* newest toolchain the module allows */
	LUTGEN_MOD_GO_OLDEST,       /* oldest toolchain the module allows */
	LUTGEN_MOD_GO_FIXED,        /* exactly go_fixed */
};

struct lutgen_mod_skip {
	struct rungo_modver version;
	char *why;
};

struct lutgen_spec_module {
	char *path;
	struct rungo_modver min_version, max_version;
	bool has_min, has_max;
	enum rungo_policy policy;
	bool prerelease;
	enum lutgen_mod_go go;
	struct rungo_version go_fixed;  /* LUTGEN_MOD_GO_FIXED */
	/* "skip": {"vX.Y.Z": "why", ...}: module versions not measured, as if
	 * the proxy did not list them (no Go toolchain the spec allows builds
	 * them).  Sorted by module version, unique. */
	struct lutgen_mod_skip *skip;
	size_t nskip;
};

struct lutgen_spec {
	char *path;       /* file it was loaded from */
	char *name;
	char *doc;
	char *program;
	struct rungo_version min_version;
	char **arches;
	size_t narches;
	enum rungo_policy policy;
	struct lutgen_lookup *lookups;
	size_t nlookups;
	struct lutgen_spec_module *module;  /* NULL: keyed by the Go version */
};

/* Why spec module m skips module version v: NULL when it does not
 * (borrowed). */
const char *lutgen_spec_mod_skip(const struct lutgen_spec_module *m,
				 const struct rungo_modver *v);

/* Load and validate a spec file. *out owned by caller (lutgen_spec_free). */
int lutgen_spec_load(const char *path, struct lutgen_spec **out,
		     struct common_err *err);
/* Same from a JSON string; `origin` names it in errors. */
int lutgen_spec_parse(const char *json, size_t len, const char *origin,
		      struct lutgen_spec **out, struct common_err *err);
void lutgen_spec_free(struct lutgen_spec *s);

/* Add what a lookup measures, beyond name and kind, to `obj`: "type",
 * "field", "function" (a string for one spelling, else the list) and
 * "optional": true when set.  The one spelling of these keys in results
 * files, the result cache's key and generated JSON.  0 or -ENOMEM. */
int lutgen_lookup_keys_to_json(const struct lutgen_lookup *l,
			       struct cJSON *obj);
/* Can these specs be generated in one run and linked into one program?
 * Each lookup NAME defines the C functions NAME and NAME_v, each spec
 * <name>.{c,h} and lutgen_go_table_<name>: no symbol may come twice, and
 * no two spec names may differ only in case (their header guards and, on
 * some filesystems, their files would be the same).  -EINVAL with err
 * naming both specs, the lookup key and the clash. */
int lutgen_spec_check_run(const struct lutgen_spec *const *specs, size_t n,
			  struct common_err *err);

/* Deep copy (path included).  *out owned by the caller (lutgen_spec_free). */
int lutgen_spec_copy(const struct lutgen_spec *src, struct lutgen_spec **out,
		     struct common_err *err);

/* The canonical JSON of a spec: the parsed spec printed back (name, doc,
 * program, min_version, arches, policy, lookups with their docs and keys),
 * so a whitespace change of the file does not change it and any change
 * that could change the output does; and its sha256 (sha256 may be NULL).
 * Caller frees *json with free(). */
int lutgen_spec_canonical(const struct lutgen_spec *s, char **json,
			  char sha256[65], struct common_err *err);

/* The canonical JSON of the lookups without their docs: what a measurement
 * depends on.  Caller frees; NULL when out of memory. */
char *lutgen_spec_lookups_canonical(const struct lutgen_spec *s);

/* The versions of `idx` the spec measures: its min_version and policy,
 * among releases with an archive for host_os/host_arch (NULL: "linux",
 * common_host_arch()), oldest first.  The one selection of generate and
 * of shard planning.  *out malloc'd (caller frees with free()); an empty
 * selection is -ENOENT naming the spec. */
struct rungo_index;
int lutgen_spec_select(const struct lutgen_spec *spec,
		       const struct rungo_index *idx, const char *host_os,
		       const char *host_arch, struct rungo_version **out,
		       size_t *n, struct common_err *err);

/* A name generated C may use: a C identifier of at most 128 characters,
 * no C keyword, not reserved ("_x", "__"), not lutgen_*.  Spec names must
 * be one; lookup names must be one and more (see the top of this file). */
bool lutgen_spec_is_c_identifier(const char *s);
/* Add "module": {...} of a module spec to `obj` in its canonical spelling
 * (every key, defaults included); nothing for other specs.  0 or
 * -ENOMEM. */
int lutgen_spec_module_to_json(const struct lutgen_spec *s,
			       struct cJSON *obj);

/* "newest", "oldest" or the fixed version's spelling into buf. */
const char *lutgen_mod_go_name(const struct lutgen_spec_module *m, char *buf,
			       size_t size);

#endif
