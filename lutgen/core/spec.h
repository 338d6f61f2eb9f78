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
 *   "policy": "minor",                   minor | latest-patch | all
 *   "lookups": [
 *     {"name": "goid_offset", "doc": "...", "kind": "struct_offset",
 *      "type": "runtime.g", "field": "goid"},
 *     {"name": "g_size", "doc": "...", "kind": "type_size", "type": "runtime.g"},
 *     {"name": "tls_conn_write_params", "doc": "...", "kind": "func_params",
 *      "function": "crypto/tls.(*Conn).Write"}
 *   ]
 * }
 * Unknown keys and wrong types are errors naming the key (and the lookup).
 * Optional: "doc" (spec and lookup, default ""), "policy" (default minor).
 * Also errors: duplicate keys, duplicate lookup names, names that are not
 * C identifiers (or are C keywords), unknown or repeated arches (linux
 * GOARCH values), unknown kinds, keys that do not apply to the kind, an
 * empty "arches" or "lookups".  Messages look like
 *   "lutgen/specs/x.json: lookups[1] (g_size): key 'type': expected a
 *    string, got a number".
 */
#ifndef LUTGEN_SPEC_H
#define LUTGEN_SPEC_H

#include <stddef.h>

#include "lutgen/core/value.h"
#include "rungo/err.h"
#include "rungo/select.h"
#include "rungo/version.h"

struct lutgen_lookup {
	char *name;       /* C function name */
	char *doc;
	enum lutgen_lookup_kind kind;
	char *type;       /* STRUCT_OFFSET, TYPE_SIZE: Go type name */
	char *field;      /* STRUCT_OFFSET: dotted path "pfd.Sysfd" */
	char *function;   /* FUNC_PARAMS: "crypto/tls.(*Conn).Write" */
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
};

/* Load and validate a spec file. *out owned by caller (lutgen_spec_free). */
int lutgen_spec_load(const char *path, struct lutgen_spec **out,
		     struct rungo_err *err);
/* Same from a JSON string; `origin` names it in errors. */
int lutgen_spec_parse(const char *json, size_t len, const char *origin,
		      struct lutgen_spec **out, struct rungo_err *err);
void lutgen_spec_free(struct lutgen_spec *s);

#endif
