/* SPDX-License-Identifier: MIT */
/* rungo/gosum.c - go.sum-style hash records: parse, look up, add, print. */
#include "rungo/gosum.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fs.h"
#include "rungo/cache.h"
#include "rungo/goproxy.h"

struct line {
	char *path;
	struct rungo_modver v;
	bool gomod;
	char h1[RUNGO_H1_SIZE];
};

struct rungo_gosum {
	pthread_mutex_t lock;
	struct line *l;
	size_t n, cap;
};

int rungo_gosum_new(struct rungo_gosum **out, struct common_err *err)
{
	struct rungo_gosum *s = calloc(1, sizeof(*s));

	if (!s)
		return common_err_set(err, -ENOMEM, "out of memory");
	pthread_mutex_init(&s->lock, NULL);
	*out = s;
	return 0;
}

void rungo_gosum_free(struct rungo_gosum *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		free(s->l[i].path);
	free(s->l);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* "h1:" and 44 base64 characters ending in '='. */
static bool h1_ok(const char *h)
{
	size_t i;

	if (strncmp(h, "h1:", 3) != 0 || strlen(h) != 47 || h[46] != '=')
		return false;
	for (i = 3; i < 46; i++) {
		char c = h[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return false;
	}
	return true;
}

static struct line *find(const struct rungo_gosum *s, const char *path,
			 const struct rungo_modver *v, bool gomod)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->l[i].gomod == gomod &&
		    strcmp(s->l[i].v.str, v->str) == 0 &&
		    strcmp(s->l[i].path, path) == 0)
			return &s->l[i];
	return NULL;
}

static int add_locked(struct rungo_gosum *s, const char *path,
		      const struct rungo_modver *v, bool gomod, const char *h1,
		      struct common_err *err)
{
	struct line *l = find(s, path, v, gomod);

	if (l) {
		if (strcmp(l->h1, h1) == 0)
			return 0;
		return common_err_set(err, -EEXIST,
				      "%s %s%s: recorded hash %s, but now %s",
				      path, v->str, gomod ? "/go.mod" : "",
				      l->h1, h1);
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct line *nl = realloc(s->l, cap * sizeof(*nl));

		if (!nl)
			return common_err_set(err, -ENOMEM, "out of memory");
		s->l = nl;
		s->cap = cap;
	}
	l = &s->l[s->n];
	memset(l, 0, sizeof(*l));
	l->path = strdup(path);
	if (!l->path)
		return common_err_set(err, -ENOMEM, "out of memory");
	l->v = *v;
	l->gomod = gomod;
	memcpy(l->h1, h1, strlen(h1) + 1);
	s->n++;
	return 0;
}

int rungo_gosum_add(struct rungo_gosum *s, const char *path,
		    const struct rungo_modver *v, bool gomod, const char *h1,
		    struct common_err *err)
{
	int rc;

	if (!s || !path || !v || !h1)
		return common_err_set(err, -EINVAL, "gosum add: NULL argument");
	if (!h1_ok(h1))
		return common_err_set(err, -EINVAL,
				      "%s %s: \"%.60s\" is not an h1: hash",
				      path, v->str, h1);
	pthread_mutex_lock(&s->lock);
	rc = add_locked(s, path, v, gomod, h1, err);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

bool rungo_gosum_lookup(const struct rungo_gosum *s, const char *path,
			const struct rungo_modver *v, bool gomod,
			char out[RUNGO_H1_SIZE])
{
	struct rungo_gosum *m = (struct rungo_gosum *)s;
	const struct line *l;
	bool found = false;

	if (!s)
		return false;
	pthread_mutex_lock(&m->lock);
	l = find(s, path, v, gomod);
	if (l) {
		memcpy(out, l->h1, strlen(l->h1) + 1);
		found = true;
	}
	pthread_mutex_unlock(&m->lock);
	return found;
}

size_t rungo_gosum_count(const struct rungo_gosum *s)
{
	return s ? s->n : 0;
}

int rungo_gosum_parse(const char *text, size_t len, const char *origin,
		      struct rungo_gosum **out, struct common_err *err)
{
	struct rungo_gosum *s = NULL;
	size_t pos = 0, lineno = 0;
	int rc;

	if (!origin)
		origin = "go.sum";
	rc = rungo_gosum_new(&s, err);
	if (rc)
		return rc;
	while (pos < len) {
		char buf[RUNGO_MODPATH_MAX + RUNGO_MODVER_MAX + 128];
		char *f[4], *save = NULL, *tok, *slash;
		struct rungo_modver v;
		struct common_err one = { 0 };
		size_t n = 0, ll;
		const char *nl = memchr(text + pos, '\n', len - pos);
		bool gomod = false;

		ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
		lineno++;
		if (ll >= sizeof(buf)) {
			rc = common_err_set(err, -EINVAL, "%s:%zu: line too long",
					    origin, lineno);
			goto fail;
		}
		memcpy(buf, text + pos, ll);
		buf[ll] = '\0';
		pos += ll + (nl ? 1 : 0);
		for (tok = strtok_r(buf, " \t\r", &save); tok && n < 4;
		     tok = strtok_r(NULL, " \t\r", &save))
			f[n++] = tok;
		if (n == 0)
			continue;
		if (n != 3) {
			rc = common_err_set(err, -EINVAL,
					    "%s:%zu: expected \"<module> <version>[/go.mod] h1:<hash>\"",
					    origin, lineno);
			goto fail;
		}
		slash = strchr(f[1], '/');
		if (slash) {
			if (strcmp(slash, "/go.mod") != 0) {
				rc = common_err_set(err, -EINVAL,
						    "%s:%zu: version \"%s\": only a \"/go.mod\" suffix is allowed",
						    origin, lineno, f[1]);
				goto fail;
			}
			*slash = '\0';
			gomod = true;
		}
		if (rungo_modpath_check(f[0], &one) != 0 ||
		    rungo_modver_parse_canonical(f[1], &v, &one) != 0) {
			rc = common_err_set(err, -EINVAL, "%s:%zu: %s", origin,
					    lineno, one.msg);
			goto fail;
		}
		if (!h1_ok(f[2])) {
			rc = common_err_set(err, -EINVAL,
					    "%s:%zu: \"%.60s\" is not an h1: hash",
					    origin, lineno, f[2]);
			goto fail;
		}
		rc = add_locked(s, f[0], &v, gomod, f[2], &one);
		if (rc) {
			common_err_set(err, rc, "%s:%zu: %s", origin, lineno,
				       one.msg);
			goto fail;
		}
	}
	*out = s;
	return 0;
fail:
	rungo_gosum_free(s);
	return rc;
}

int rungo_gosum_load(const char *path, struct rungo_gosum **out,
		     struct common_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	rc = common_fs_read_file(path, 64u << 20, &text, &len, err);
	if (rc == -ENOENT)
		return rungo_gosum_new(out, err);
	if (rc)
		return rc;
	rc = rungo_gosum_parse(text, len, path, out, err);
	free(text);
	return rc;
}

static int cmp_line(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	c = rungo_modver_cmp(&x->v, &y->v);
	if (c)
		return c;
	return (int)x->gomod - (int)y->gomod;
}

int rungo_gosum_format(const struct rungo_gosum *s, char **out, size_t *len,
		       struct common_err *err)
{
	struct rungo_gosum *m = (struct rungo_gosum *)s;
	struct line *sorted = NULL;
	char *buf = NULL;
	size_t i, need = 1, at = 0;
	int rc = 0;

	pthread_mutex_lock(&m->lock);
	if (s->n) {
		sorted = malloc(s->n * sizeof(*sorted));
		if (!sorted) {
			rc = common_err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		memcpy(sorted, s->l, s->n * sizeof(*sorted));
		qsort(sorted, s->n, sizeof(*sorted), cmp_line);
	}
	for (i = 0; i < s->n; i++)
		need += strlen(sorted[i].path) + strlen(sorted[i].v.str) +
			strlen(sorted[i].h1) + 10;
	buf = malloc(need);
	if (!buf) {
		rc = common_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	buf[0] = '\0';
	for (i = 0; i < s->n; i++) {
		int n = snprintf(buf + at, need - at, "%s %s%s %s\n",
				 sorted[i].path, sorted[i].v.str,
				 sorted[i].gomod ? "/go.mod" : "",
				 sorted[i].h1);

		if (n < 0 || (size_t)n >= need - at) {
			rc = common_err_set(err, -EIO, "go.sum formatting failed");
			goto out;
		}
		at += (size_t)n;
	}
	*out = buf;
	buf = NULL;
	if (len)
		*len = at;
out:
	pthread_mutex_unlock(&m->lock);
	free(sorted);
	free(buf);
	return rc;
}

int rungo_gosum_write(const struct rungo_gosum *s, const char *path,
		      struct common_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	rc = rungo_gosum_format(s, &text, &len, err);
	if (rc)
		return rc;
	rc = common_fs_write_atomic(path, text, len, err);
	free(text);
	return rc;
}
