/* SPDX-License-Identifier: MIT */
/*
 * rungo/modpath.c - module path rules (goproxy.h): well-formed paths,
 * case escaping, GOPRIVATE-style patterns, the major-version suffix.
 * Apart from the proxy client so that a program checking specs does not
 * link the HTTP client.
 */
#include "rungo/goproxy.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- module paths ----------------------------------------------------- */

static bool path_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

int rungo_modpath_check(const char *path, struct common_err *err)
{
	const char *p, *elem;
	bool first = true, dot = false;

	if (!path || !*path)
		return common_err_set(err, -EINVAL, "empty module path");
	if (strlen(path) >= RUNGO_MODPATH_MAX)
		return common_err_set(err, -EINVAL,
				      "module path \"%.80s...\" is too long",
				      path);
	for (p = elem = path;; p++) {
		if (*p == '/' || *p == '\0') {
			size_t n = (size_t)(p - elem);

			if (n == 0)
				return common_err_set(err, -EINVAL,
						      "module path \"%s\": empty path element",
						      path);
			if ((n == 1 && elem[0] == '.') ||
			    (n == 2 && elem[0] == '.' && elem[1] == '.') ||
			    elem[0] == '.' || elem[n - 1] == '.')
				return common_err_set(err, -EINVAL,
						      "module path \"%s\": a path element starts or ends with '.'",
						      path);
			if (first && !dot)
				return common_err_set(err, -EINVAL,
						      "module path \"%s\": the first element must be a domain name (contain a dot)",
						      path);
			first = false;
			if (!*p)
				break;
			elem = p + 1;
			continue;
		}
		if (!path_char(*p))
			return common_err_set(err, -EINVAL,
					      "module path \"%s\": character '%c' is not allowed",
					      path, isprint((unsigned char)*p) ? *p : '?');
		if (first && *p == '.')
			dot = true;
	}
	return 0;
}

int rungo_modpath_escape(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	for (; *s; s++) {
		if (isupper((unsigned char)*s)) {
			if (n + 2 >= size)
				return -ENOSPC;
			buf[n++] = '!';
			buf[n++] = (char)tolower((unsigned char)*s);
		} else {
			if (n + 1 >= size)
				return -ENOSPC;
			buf[n++] = *s;
		}
	}
	if (n >= size)
		return -ENOSPC;
	buf[n] = '\0';
	return 0;
}

bool rungo_modpath_match(const char *patterns, const char *path)
{
	const char *g = patterns;

	if (!patterns || !path)
		return false;
	while (*g) {
		char glob[RUNGO_MODPATH_MAX], prefix[RUNGO_MODPATH_MAX];
		size_t len = strcspn(g, ","), i, slashes = 0;

		if (len < sizeof(glob)) {
			memcpy(glob, g, len);
			glob[len] = '\0';
			while (len > 0 && glob[len - 1] == '/')
				glob[--len] = '\0';
		} else {
			len = 0;
		}
		g += strcspn(g, ",");
		if (*g == ',')
			g++;
		if (len == 0)
			continue;
		/* A glob of N+1 elements matches the first N+1 elements. */
		for (i = 0; glob[i]; i++)
			slashes += glob[i] == '/';
		for (i = 0; path[i] && i + 1 < sizeof(prefix); i++) {
			if (path[i] == '/') {
				if (slashes == 0)
					break;
				slashes--;
			}
			prefix[i] = path[i];
		}
		prefix[i] = '\0';
		if (slashes > 0)
			continue;
		if (fnmatch(glob, prefix, FNM_PATHNAME) == 0)
			return true;
	}
	return false;
}

/* The major-version suffix of a path: "/v2", ".v2" (gopkg.in) or "". */
static void path_major(const char *path, char *out, size_t size)
{
	size_t n = strlen(path), i = n;
	bool dot = false;

	out[0] = '\0';
	if (strncmp(path, "gopkg.in/", 9) == 0) {
		const char *d = strrchr(path, '.');

		if (d && d > strrchr(path, '/') && d[1] == 'v')
			snprintf(out, size, "%s", d);
		return;
	}
	while (i > 0 && (isdigit((unsigned char)path[i - 1]) ||
			 path[i - 1] == '.')) {
		dot |= path[i - 1] == '.';
		i--;
	}
	if (i <= 1 || i == n || path[i - 1] != 'v' || path[i - 2] != '/' ||
	    dot || path[i] == '0' || (n - i == 1 && path[i] == '1'))
		return;
	snprintf(out, size, "%s", path + i - 2);
}

int rungo_modpath_check_version(const char *path, const struct rungo_modver *v,
				struct common_err *err)
{
	char pm[64];
	unsigned long long want;

	path_major(path, pm, sizeof(pm));
	if (!pm[0]) {
		if (v->major <= 1 || v->incompatible)
			return 0;
		return common_err_set(err, -EINVAL,
				      "%s@%s: a module path without a /vN suffix takes v0 or v1 versions (or vN+incompatible)",
				      path, v->str);
	}
	want = strtoull(pm + 2, NULL, 10);
	if (v->incompatible)
		return common_err_set(err, -EINVAL,
				      "%s@%s: +incompatible is not allowed with the major version suffix %s",
				      path, v->str, pm);
	if (v->major == want)
		return 0;
	return common_err_set(err, -EINVAL,
			      "%s@%s: the path's suffix %s requires major version v%llu",
			      path, v->str, pm, want);
}
