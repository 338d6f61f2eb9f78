/* SPDX-License-Identifier: MIT */
/* rungo/gomod.c - the module, go, require and replace directives of
 * go.mod. */
#include "rungo/gomod.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 4096
#define MAX_TOKENS 8

static const char *const skipped[] = { "exclude", "retract", "toolchain",
				       "godebug" };

void rungo_gomod_free(struct rungo_gomod *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->nrequires; i++)
		free(m->requires[i].path);
	free(m->requires);
	for (i = 0; i < m->nreplaces; i++) {
		free(m->replaces[i].path);
		free(m->replaces[i].to_path);
	}
	free(m->replaces);
	free(m->module);
	free(m);
}

/* Split a line into tokens (bare or "quoted"); the comment after "//" is
 * returned in *comment.  Returns the token count or -1. */
static int tokens(char *line, char **tok, char **comment)
{
	int n = 0;
	char *p = line;

	*comment = NULL;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p)
			break;
		if (p[0] == '/' && p[1] == '/') {
			*comment = p + 2;
			break;
		}
		if (n == MAX_TOKENS)
			return -1;
		if (*p == '"' || *p == '`') {
			char q = *p++;

			tok[n++] = p;
			while (*p && *p != q)
				p++;
			if (!*p)
				return -1;
			*p++ = '\0';
			continue;
		}
		tok[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' &&
		       !(p[0] == '/' && p[1] == '/'))
			p++;
		if (*p == '/' ) {
			*comment = p + 2;
			*p = '\0';
			break;
		}
		if (*p)
			*p++ = '\0';
	}
	return n;
}

static bool is_skipped(const char *verb)
{
	size_t i;

	for (i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
		if (strcmp(verb, skipped[i]) == 0)
			return true;
	return false;
}

static int add_require(struct rungo_gomod *m, char **tok, int n,
		       const char *comment, const char *origin, size_t lineno,
		       struct common_err *err)
{
	struct rungo_gomod_require *r, *nr;
	struct common_err e = { 0 };

	if (n != 2)
		return common_err_set(err, -EINVAL,
				     "%s:%zu: a requirement is \"<path> <version>\"",
				     origin, lineno);
	nr = realloc(m->requires, (m->nrequires + 1) * sizeof(*nr));
	if (!nr)
		return common_err_set(err, -ENOMEM, "out of memory");
	m->requires = nr;
	r = &m->requires[m->nrequires];
	memset(r, 0, sizeof(*r));
	if (rungo_modver_parse_canonical(tok[1], &r->version, &e) != 0)
		return common_err_set(err, -EINVAL, "%s:%zu: %s", origin, lineno,
				     e.msg);
	r->path = strdup(tok[0]);
	if (!r->path)
		return common_err_set(err, -ENOMEM, "out of memory");
	r->indirect = comment && strstr(comment, "indirect") != NULL;
	m->nrequires++;
	return 0;
}

static bool is_dir_path(const char *p)
{
	return p[0] == '/' || strncmp(p, "./", 2) == 0 ||
	       strncmp(p, "../", 3) == 0 || strcmp(p, ".") == 0 ||
	       strcmp(p, "..") == 0;
}

/* tok: "path [version] => path [version]" */
static int add_replace(struct rungo_gomod *m, char **tok, int n,
		       const char *origin, size_t lineno,
		       struct common_err *err)
{
	struct rungo_gomod_replace *r, *nr;
	struct common_err e = { 0 };
	int arrow = n < 3 || n > 5 ? 0 :
		    strcmp(tok[1], "=>") == 0 ? 1 :
		    strcmp(tok[2], "=>") == 0 ? 2 : 0;
	int rest;

	if (arrow == 0 || n - arrow - 1 < 1 || n - arrow - 1 > 2)
		return common_err_set(err, -EINVAL,
				     "%s:%zu: a replacement is \"<path> [<version>] => <path> [<version>]\"",
				     origin, lineno);
	rest = n - arrow - 1;
	nr = realloc(m->replaces, (m->nreplaces + 1) * sizeof(*nr));
	if (!nr)
		return common_err_set(err, -ENOMEM, "out of memory");
	m->replaces = nr;
	r = &m->replaces[m->nreplaces];
	memset(r, 0, sizeof(*r));
	if (arrow == 2) {
		if (rungo_modver_parse_canonical(tok[1], &r->from, &e) != 0)
			return common_err_set(err, -EINVAL, "%s:%zu: %s",
					     origin, lineno, e.msg);
		r->has_from = true;
	}
	if (rest == 2) {
		if (rungo_modver_parse_canonical(tok[n - 1], &r->to, &e) != 0)
			return common_err_set(err, -EINVAL, "%s:%zu: %s",
					     origin, lineno, e.msg);
		r->has_to = true;
	} else if (!is_dir_path(tok[arrow + 1])) {
		return common_err_set(err, -EINVAL,
				     "%s:%zu: replacement %s needs a version (only a directory path has none)",
				     origin, lineno, tok[arrow + 1]);
	}
	r->path = strdup(tok[0]);
	r->to_path = strdup(tok[arrow + 1]);
	m->nreplaces++;   /* freed with m even when half built */
	if (!r->path || !r->to_path)
		return common_err_set(err, -ENOMEM, "out of memory");
	return 0;
}

static int set_go(struct rungo_gomod *m, const char *v, const char *origin,
		  size_t lineno, struct common_err *err)
{
	struct common_err e = { 0 };

	if (rungo_version_parse(v, &m->go, &e) != 0)
		return common_err_set(err, -EINVAL, "%s:%zu: go directive: %s",
				     origin, lineno, e.msg);
	m->has_go = true;
	return 0;
}

int rungo_gomod_parse(const char *text, size_t len, const char *origin,
		      struct rungo_gomod **out, struct common_err *err)
{
	struct rungo_gomod *m;
	char line[LINE_MAX_LEN];
	const char *block = NULL;   /* verb of the open block */
	size_t pos = 0, lineno = 0;
	int rc = 0;

	if (!origin)
		origin = "go.mod";
	m = calloc(1, sizeof(*m));
	if (!m)
		return common_err_set(err, -ENOMEM, "out of memory");
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *tok[MAX_TOKENS], *comment;
		int n;

		lineno++;
		if (ll >= sizeof(line)) {
			rc = common_err_set(err, -EINVAL, "%s:%zu: line too long",
					   origin, lineno);
			goto fail;
		}
		memcpy(line, text + pos, ll);
		line[ll] = '\0';
		pos += ll + (nl ? 1 : 0);
		n = tokens(line, tok, &comment);
		if (n < 0) {
			rc = common_err_set(err, -EINVAL,
					   "%s:%zu: cannot read this line",
					   origin, lineno);
			goto fail;
		}
		if (n == 0)
			continue;
		if (block) {
			if (n == 1 && strcmp(tok[0], ")") == 0) {
				block = NULL;
				continue;
			}
			if (strcmp(block, "require") == 0)
				rc = add_require(m, tok, n, comment, origin,
						 lineno, err);
			else if (strcmp(block, "replace") == 0)
				rc = add_replace(m, tok, n, origin, lineno,
						 err);
			if (rc)
				goto fail;
			continue;
		}
		if (strcmp(tok[0], "module") == 0 && n == 2) {
			free(m->module);
			m->module = strdup(tok[1]);
			if (!m->module) {
				rc = common_err_set(err, -ENOMEM, "out of memory");
				goto fail;
			}
		} else if (strcmp(tok[0], "go") == 0 && n == 2) {
			rc = set_go(m, tok[1], origin, lineno, err);
			if (rc)
				goto fail;
		} else if (strcmp(tok[0], "require") == 0 ||
			   strcmp(tok[0], "replace") == 0 || is_skipped(tok[0])) {
			bool req = strcmp(tok[0], "require") == 0;
			bool rep = strcmp(tok[0], "replace") == 0;

			if (n == 2 && strcmp(tok[1], "(") == 0) {
				block = req ? "require" : rep ? "replace" :
								"skip";
			} else if (req || rep) {
				rc = req ? add_require(m, tok + 1, n - 1,
						       comment, origin, lineno,
						       err) :
					   add_replace(m, tok + 1, n - 1,
						       origin, lineno, err);
				if (rc)
					goto fail;
			}
		} else {
			rc = common_err_set(err, -EINVAL,
					   "%s:%zu: unknown directive \"%.60s\"",
					   origin, lineno, tok[0]);
			goto fail;
		}
	}
	if (block) {
		rc = common_err_set(err, -EINVAL, "%s: a %s ( block is not closed",
				   origin, block);
		goto fail;
	}
	if (!m->module) {
		m->module = strdup("");
		if (!m->module) {
			rc = common_err_set(err, -ENOMEM, "out of memory");
			goto fail;
		}
	}
	*out = m;
	return 0;
fail:
	rungo_gomod_free(m);
	return rc;
}
