/* SPDX-License-Identifier: MIT */
/* lutgen/core/json.c - checked readers of JSON numbers and strings. */
#include "lutgen/core/json.h"

#include <cjson/cJSON.h>
#include <errno.h>

int lutgen_json_uint(const cJSON *j, const char *key, const char *where,
		     uint64_t *out, struct common_err *err)
{
	const cJSON *x = key ? cJSON_GetObjectItemCaseSensitive(j, key) : j;
	double d;

	if (!cJSON_IsNumber(x))
		return common_err_set(err, -EINVAL,
				      "%s: %s%s%s: expected a number", where,
				      key ? "key '" : "value", key ? key : "",
				      key ? "'" : "");
	d = x->valuedouble;
	/* Range first (NaN fails it), so the cast below is defined. */
	if (!(d >= 0 && d <= LUTGEN_JSON_MAX_EXACT) || (double)(uint64_t)d != d)
		return common_err_set(err, -EINVAL,
				      "%s: %s%s%s: %g is not a whole number >= 0",
				      where, key ? "key '" : "value",
				      key ? key : "", key ? "'" : "", d);
	*out = (uint64_t)d;
	return 0;
}

int lutgen_json_int(const cJSON *j, const char *key, const char *where,
		    int64_t *out, struct common_err *err)
{
	const cJSON *x = key ? cJSON_GetObjectItemCaseSensitive(j, key) : j;
	double d;

	if (!cJSON_IsNumber(x))
		return common_err_set(err, -EINVAL,
				      "%s: %s%s%s: expected a number", where,
				      key ? "key '" : "value", key ? key : "",
				      key ? "'" : "");
	d = x->valuedouble;
	if (!(d >= -LUTGEN_JSON_MAX_EXACT && d <= LUTGEN_JSON_MAX_EXACT) || (double)(int64_t)d != d)
		return common_err_set(err, -EINVAL,
				      "%s: %s%s%s: %g is not a whole number",
				      where, key ? "key '" : "value",
				      key ? key : "", key ? "'" : "", d);
	*out = (int64_t)d;
	return 0;
}

const char *lutgen_json_str(const cJSON *j, const char *key)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, key);

	return cJSON_IsString(x) && x->valuestring ? x->valuestring : NULL;
}
