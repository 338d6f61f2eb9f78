/* SPDX-License-Identifier: MIT */
/* rungo/json.c - strict checks around cJSON (see rungo/json.h). */
#include "rungo/json.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int rungo_json_scan(const char *text, size_t len, size_t *off, char *why,
		    size_t whysize)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i, depth = 0;
	bool in_string = false;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (in_string) {
			if (c == '"') {
				in_string = false;
			} else if (c < 0x20) {
				*off = i;
				snprintf(why, whysize,
					 "raw control character 0x%02x inside a string (write it as an escape)",
					 c);
				return -EINVAL;
			} else if (c == '\\' && i + 1 < len) {
				i++;
				if (s[i] == 'u' && i + 4 < len) {
					int v = 0, k, h;

					for (k = 1; k <= 4; k++) {
						h = hexval(s[i + (size_t)k]);
						if (h < 0)
							break;
						v = v * 16 + h;
					}
					if (k > 4 && v == 0) {
						*off = i - 1;
						snprintf(why, whysize,
							 "\\u0000 inside a string (it would cut the string short)");
						return -EINVAL;
					}
				}
			}
			continue;
		}
		if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > RUNGO_JSON_DEPTH_MAX) {
				*off = i;
				snprintf(why, whysize,
					 "nested too deeply (more than %d levels of arrays and objects)",
					 RUNGO_JSON_DEPTH_MAX);
				return -EINVAL;
			}
		} else if (c == ']' || c == '}') {
			if (depth)
				depth--;
		} else if (c < 0x20 && !is_ws(c)) {
			*off = i;
			snprintf(why, whysize,
				 "raw control character 0x%02x between tokens", c);
			return -EINVAL;
		}
	}
	return 0;
}

/* Append ".key" or "[i]" to path (truncated with "..." when full). */
static void path_push(char *path, size_t size, size_t *len, const cJSON *it,
		      int index)
{
	int n;

	if (*len + 1 >= size)
		return;
	if (index >= 0)
		n = snprintf(path + *len, size - *len, "[%d]", index);
	else
		n = snprintf(path + *len, size - *len, ".%.40s",
			     it->string ? it->string : "");
	if (n < 0 || (size_t)n >= size - *len) {
		if (size > 4)
			memcpy(path + size - 4, "...", 4);
		*len = size - 1;
		return;
	}
	*len += (size_t)n;
}

static int cmp_keys(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a;
	const cJSON *y = *(const cJSON *const *)b;

	return strcmp(x->string, y->string);
}

/* Depth-first with an explicit path; recursion depth is bounded by
 * cJSON's nesting limit. */
static int dup_walk(const cJSON *node, char *path, size_t size, size_t len,
		    char *why, size_t whysize)
{
	const cJSON *it;
	size_t n = 0, i;
	int idx = 0, rc;

	if (cJSON_IsObject(node)) {
		const cJSON **keys;

		for (it = node->child; it; it = it->next)
			n++;
		if (n > 1) {
			keys = malloc(n * sizeof(*keys));
			if (!keys) {
				snprintf(why, whysize, "out of memory");
				return -ENOMEM;
			}
			n = 0;
			for (it = node->child; it; it = it->next)
				if (it->string)
					keys[n++] = it;
			qsort(keys, n, sizeof(*keys), cmp_keys);
			for (i = 1; i < n; i++)
				if (strcmp(keys[i - 1]->string,
					   keys[i]->string) == 0) {
					snprintf(why, whysize,
						 "key \"%.60s\" appears twice in %s",
						 keys[i]->string,
						 len > 1 ? path :
							   "the top-level object");
					free(keys);
					return -EINVAL;
				}
			free(keys);
		}
	}
	if (!cJSON_IsObject(node) && !cJSON_IsArray(node))
		return 0;
	for (it = node->child; it; it = it->next, idx++) {
		size_t l = len;

		path_push(path, size, &l, it, cJSON_IsArray(node) ? idx : -1);
		rc = dup_walk(it, path, size, l, why, whysize);
		if (rc)
			return rc;
		path[len] = '\0';
	}
	return 0;
}

int rungo_json_duplicate_key(const cJSON *root, char *why, size_t whysize)
{
	char path[256] = "$";

	if (!root)
		return 0;
	return dup_walk(root, path, sizeof(path), 1, why, whysize);
}

void rungo_json_excerpt(const char *text, size_t len, size_t off, char *buf,
			size_t size)
{
	size_t from = off > 24 ? off - 24 : 0, to = off + 24, i, n = 0;

	if (!size)
		return;
	if (to > len)
		to = len;
	for (i = from; i < to && n + 5 < size; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			buf[n++] = (char)c;
		} else {
			snprintf(buf + n, size - n, "\\x%02x", c);
			n += 4;
		}
	}
	buf[n] = '\0';
}

void rungo_json_line_col(const char *text, size_t len, size_t off,
			 size_t *line, size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}
