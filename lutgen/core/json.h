/* SPDX-License-Identifier: MIT */
/*
 * lutgen/core/json.h - checked readers of JSON numbers and strings, shared
 * by every lutgen file format (specs, values, results files, the result
 * cache).  A number is accepted only when it is a whole number a double
 * holds exactly, so the cast to an integer is always defined.
 * Convention: 0 / negative errno; `err` (may be NULL) names `where` and
 * the key.
 */
#ifndef LUTGEN_JSON_H
#define LUTGEN_JSON_H

#include <stdint.h>

#include "common/err.h"
#include "lutgen/core/layer.h"

struct cJSON;

/* Largest integer a JSON number (a double) holds exactly: 2^53. */
#define LUTGEN_JSON_MAX_EXACT 9007199254740992.0

/* j[key] (key NULL: j itself) as a whole number in [0, 2^53]. */
int lutgen_json_uint(const struct cJSON *j, const char *key,
		     const char *where, uint64_t *out,
		     struct common_err *err);
/* j[key] (key NULL: j itself) as a whole number in [-2^53, 2^53]. */
int lutgen_json_int(const struct cJSON *j, const char *key, const char *where,
		    int64_t *out, struct common_err *err);
/* j[key] when it is a string, else NULL (borrowed from j). */
const char *lutgen_json_str(const struct cJSON *j, const char *key);

#endif
