/* SPDX-License-Identifier: MIT */
/*
 * rungo/goproxy.c - the Go module proxy protocol: GOPROXY lists with their
 * fallback rules, GONOPROXY/GOPRIVATE/GONOSUMDB patterns, case-escaped
 * paths, @v/list, .info, .mod and .zip.
 */
#include "rungo/goproxy.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ENTRIES 16
#define LIST_MAX ((size_t)16 << 20)

enum entry_kind { ENTRY_URL, ENTRY_OFF, ENTRY_DIRECT };

struct entry {
	enum entry_kind kind;
	char *url;           /* ENTRY_URL, without a trailing '/' */
	bool any_error;      /* followed by '|': fall through on any error */
};

struct rungo_goproxy {
	struct entry e[MAX_ENTRIES];
	size_t n;
	char *spelled;       /* normalised list */
	char *nonproxy;      /* GONOPROXY patterns (or GOPRIVATE) */
	char *nosumdb;       /* GONOSUMDB patterns (or GOPRIVATE) */
	bool sumdb_off;
	struct rungo_fetch_opts fetch;
};

static const char *setting(const char *given, const char *env)
{
	const char *e;

	if (given)
		return given;
	e = getenv(env);
	return e ? e : NULL;
}

/* ---- settings --------------------------------------------------------- */

static int parse_list(struct rungo_goproxy *p, const char *s,
		      struct common_err *err)
{
	struct { char *p; size_t len, cap; } out = { NULL, 0, 0 };
	const char *q = s;

	while (*q) {
		size_t len = strcspn(q, ",|");
		char sep = q[len];
		struct entry *e;
		char word[2048];

		if (len == 0 || len >= sizeof(word)) {
			q += len + (sep ? 1 : 0);
			if (len == 0)
				continue;
			return common_err_set(err, -EINVAL,
					      "GOPROXY: an entry is too long");
		}
		memcpy(word, q, len);
		word[len] = '\0';
		q += len + (sep ? 1 : 0);
		if (p->n == MAX_ENTRIES)
			return common_err_set(err, -EINVAL,
					      "GOPROXY \"%.200s\": more than %d entries",
					      s, MAX_ENTRIES);
		e = &p->e[p->n];
		memset(e, 0, sizeof(*e));
		e->any_error = sep == '|';
		if (strcmp(word, "off") == 0) {
			e->kind = ENTRY_OFF;
		} else if (strcmp(word, "direct") == 0) {
			e->kind = ENTRY_DIRECT;
		} else if (!strpbrk(word, ".:/")) {
			return common_err_set(err, -EINVAL,
					      "GOPROXY: \"%s\" is neither a URL nor one of the keywords off and direct",
					      word);
		} else {
			size_t wl;
			int n;

			e->kind = ENTRY_URL;
			/* Like the go command: a URL without "scheme:/" gets
			 * https:// (but an absolute path is a mistake). */
			if (word[0] == '/')
				return common_err_set(err, -EINVAL,
						      "GOPROXY: \"%s\" is a path; write file://%s",
						      word, word);
			wl = strlen(word);
			while (wl > 0 && word[wl - 1] == '/')
				word[--wl] = '\0';
			if (strstr(word, ":/")) {
				e->url = strdup(word);
			} else {
				n = snprintf(NULL, 0, "https://%s", word);
				e->url = malloc((size_t)n + 1);
				if (e->url)
					snprintf(e->url, (size_t)n + 1,
						 "https://%s", word);
			}
			if (!e->url)
				return common_err_set(err, -ENOMEM,
						      "out of memory");
			if (strncmp(e->url, "http://", 7) != 0 &&
			    strncmp(e->url, "https://", 8) != 0 &&
			    strncmp(e->url, "file://", 7) != 0) {
				p->n++;
				return common_err_set(err, -EINVAL,
						      "GOPROXY: \"%s\": only http://, https:// and file:// proxies are supported",
						      e->url);
			}
		}
		p->n++;
		{
			const char *w = e->kind == ENTRY_URL ? e->url :
					e->kind == ENTRY_OFF ? "off" : "direct";
			size_t need = out.len + strlen(w) + 2;

			if (need > out.cap) {
				char *np = realloc(out.p, need * 2);

				if (!np) {
					free(out.p);
					return common_err_set(err, -ENOMEM,
							      "out of memory");
				}
				out.p = np;
				out.cap = need * 2;
			}
			if (out.len > 0)
				out.p[out.len++] = p->e[p->n - 2].any_error ?
							   '|' : ',';
			memcpy(out.p + out.len, w, strlen(w) + 1);
			out.len += strlen(w);
		}
	}
	if (p->n == 0) {
		free(out.p);
		return common_err_set(err, -EINVAL,
				      "GOPROXY \"%.200s\" lists no proxy", s);
	}
	p->spelled = out.p;
	return 0;
}

int rungo_goproxy_new(const struct rungo_goproxy_opts *opts,
		      struct rungo_goproxy **out, struct common_err *err)
{
	static const struct rungo_goproxy_opts none;
	const struct rungo_goproxy_opts *o = opts ? opts : &none;
	struct rungo_goproxy *p;
	const char *list, *priv, *nop, *nos, *sumdb;
	int rc;

	p = calloc(1, sizeof(*p));
	if (!p)
		return common_err_set(err, -ENOMEM, "out of memory");
	list = setting(o->goproxy, "GOPROXY");
	if (!list || !*list)
		list = RUNGO_DEFAULT_GOPROXY;
	rc = parse_list(p, list, err);
	if (rc)
		goto fail;
	priv = setting(o->goprivate, "GOPRIVATE");
	nop = setting(o->gonoproxy, "GONOPROXY");
	nos = setting(o->gonosumdb, "GONOSUMDB");
	sumdb = setting(o->gosumdb, "GOSUMDB");
	p->nonproxy = strdup(nop ? nop : priv ? priv : "");
	p->nosumdb = strdup(nos ? nos : priv ? priv : "");
	if (!p->nonproxy || !p->nosumdb) {
		rc = common_err_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	p->sumdb_off = sumdb && strcmp(sumdb, "off") == 0;
	p->fetch = o->fetch;
	*out = p;
	return 0;
fail:
	rungo_goproxy_free(p);
	return rc;
}

void rungo_goproxy_free(struct rungo_goproxy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		free(p->e[i].url);
	free(p->spelled);
	free(p->nonproxy);
	free(p->nosumdb);
	free(p);
}

const char *rungo_goproxy_string(const struct rungo_goproxy *p)
{
	return p->spelled;
}

const char *rungo_goproxy_first_url(const struct rungo_goproxy *p)
{
	return p->n > 0 && p->e[0].kind == ENTRY_URL ? p->e[0].url : "";
}

int rungo_goproxy_build_list(const struct rungo_goproxy *p, const char *first,
			     char *buf, size_t size)
{
	size_t i, len = 0;
	int n;

	if (size == 0)
		return -ENOSPC;
	buf[0] = '\0';
	if (first && *first) {
		n = snprintf(buf, size, "%s,", first);
		if (n < 0 || (size_t)n >= size)
			return -ENOSPC;
		len = (size_t)n;
	}
	for (i = 0; i < p->n && p->e[i].kind == ENTRY_URL; i++) {
		n = snprintf(buf + len, size - len, "%s%c", p->e[i].url,
			     p->e[i].any_error ? '|' : ',');
		if (n < 0 || (size_t)n >= size - len)
			return -ENOSPC;
		len += (size_t)n;
	}
	n = snprintf(buf + len, size - len, "off");
	return n < 0 || (size_t)n >= size - len ? -ENOSPC : 0;
}

bool rungo_goproxy_nosumdb(const struct rungo_goproxy *p, const char *path)
{
	return p->sumdb_off || rungo_modpath_match(p->nosumdb, path);
}

/* ---- requests --------------------------------------------------------- */

/* What one request asks for: "@v/list", "@v/<ver>.info", ... */
struct req {
	const char *path;
	const char *what;           /* "list", "info", "mod", "zip" (errors) */
	char suffix[RUNGO_MODVER_MAX * 2 + 16];
	const char *dest;           /* zip: file destination */
	char *body;                 /* memory requests */
	size_t len;
};

/* Try each GOPROXY entry in turn, by the fallback rules. */
static int request(const struct rungo_goproxy *p, struct req *r,
		   struct common_err *err)
{
	char esc[RUNGO_MODPATH_MAX * 2], url[4096], label[RUNGO_MODPATH_MAX + 64];
	char tried[COMMON_ERR_MSG_SIZE];
	size_t i, tl = 0;
	int rc = -ENOENT;

	tried[0] = '\0';
	rc = rungo_modpath_check(r->path, err);
	if (rc)
		return rc;
	if (rungo_modpath_escape(r->path, esc, sizeof(esc)) != 0)
		return common_err_set(err, -EINVAL, "module path %s is too long",
				      r->path);
	if (rungo_modpath_match(p->nonproxy, r->path))
		return common_err_set(err, -ENOTSUP,
				      "module %s matches GONOPROXY/GOPRIVATE, so the go command would fetch it from its version-control system; lutgen fetches modules from proxies only: remove it from GONOPROXY/GOPRIVATE or serve it from a proxy",
				      r->path);
	snprintf(label, sizeof(label), "%s %s", r->path, r->what);
	for (i = 0; i < p->n; i++) {
		const struct entry *e = &p->e[i];
		struct common_err one = { 0 };
		int n;

		if (e->kind == ENTRY_OFF)
			return common_err_set(err, -EPERM,
					      "module %s: module lookup disabled by GOPROXY=off%s%s%s",
					      r->path, tried[0] ? " (after: " : "",
					      tried, tried[0] ? ")" : "");
		if (e->kind == ENTRY_DIRECT)
			return common_err_set(err, -ENOTSUP,
					      "module %s: GOPROXY reaches \"direct\" (fetch from the version-control system), which lutgen does not support: it works offline from proxies; %s%sput a proxy URL into GOPROXY or --goproxy",
					      r->path, tried[0] ? tried : "",
					      tried[0] ? "; " : "");
		n = snprintf(url, sizeof(url), "%s/%s/%s", e->url, esc,
			     r->suffix);
		if (n < 0 || (size_t)n >= sizeof(url))
			return common_err_set(err, -ENAMETOOLONG,
					      "module %s: URL too long", r->path);
		if (r->dest)
			rc = rungo_fetch_file(url, r->dest, label, 0, NULL,
					      &p->fetch, &one);
		else
			rc = rungo_fetch_memory(url, label, &p->fetch,
						&r->body, &r->len, &one);
		if (rc == 0)
			return 0;
		n = snprintf(tried + tl, sizeof(tried) - tl, "%s%s",
			     tl ? "; " : "", one.msg);
		if (n > 0)
			tl = (size_t)n + tl >= sizeof(tried) ? sizeof(tried) - 1
							    : tl + (size_t)n;
		if (rc != -ENOENT && !e->any_error)
			return common_err_set(err, rc, "%s", tried);
	}
	return common_err_set(err, rc, "%s", tried);
}

static int ver_suffix(struct req *r, const struct rungo_modver *v,
		      const char *ext, struct common_err *err)
{
	char esc[RUNGO_MODVER_MAX * 2];
	int n;

	if (rungo_modpath_escape(v->str, esc, sizeof(esc)) != 0)
		return common_err_set(err, -EINVAL, "version %s too long",
				      v->str);
	n = snprintf(r->suffix, sizeof(r->suffix), "@v/%s.%s", esc, ext);
	return n < 0 || (size_t)n >= sizeof(r->suffix) ?
		       common_err_set(err, -EINVAL, "version %s too long",
				      v->str) : 0;
}

static int cmp_ver(const void *a, const void *b)
{
	return rungo_modver_cmp(a, b);
}

int rungo_goproxy_list(const struct rungo_goproxy *p, const char *path,
		       struct rungo_modver **out, size_t *n,
		       struct common_err *err)
{
	struct req r;
	struct rungo_modver *v = NULL;
	size_t nv = 0, cap = 0, lines = 0, i, j;
	char *line, *save = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	memset(&r, 0, sizeof(r));
	r.path = path;
	r.what = "@v/list";
	snprintf(r.suffix, sizeof(r.suffix), "@v/list");
	rc = request(p, &r, err);
	if (rc)
		return rc;
	if (r.len > LIST_MAX) {
		free(r.body);
		return common_err_set(err, -EFBIG,
				      "module %s: the version list is larger than %zu MiB",
				      path, LIST_MAX >> 20);
	}
	for (line = strtok_r(r.body, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct rungo_modver mv;
		char word[RUNGO_MODVER_MAX];
		size_t wl;

		while (*line == ' ' || *line == '\t' || *line == '\r')
			line++;
		wl = strcspn(line, " \t\r");
		if (wl == 0)
			continue;
		lines++;
		/* Like the go command: lines that are not valid versions for
		 * the path, and pseudo-versions, are skipped. */
		if (wl >= sizeof(word))
			continue;
		memcpy(word, line, wl);
		word[wl] = '\0';
		if (rungo_modver_parse_canonical(word, &mv, NULL) != 0 ||
		    rungo_modpath_check_version(path, &mv, NULL) != 0 ||
		    rungo_modver_pseudo(&mv, NULL, NULL))
			continue;
		if (nv == cap) {
			struct rungo_modver *nvv;

			cap = cap ? cap * 2 : 32;
			nvv = realloc(v, cap * sizeof(*v));
			if (!nvv) {
				free(v);
				free(r.body);
				return common_err_set(err, -ENOMEM,
						      "out of memory");
			}
			v = nvv;
		}
		v[nv++] = mv;
	}
	free(r.body);
	if (lines > 0 && nv == 0) {
		free(v);
		return common_err_set(err, -EPROTO,
				      "module %s: the proxy's @v/list has %zu line%s but no valid version for this path",
				      path, lines, lines == 1 ? "" : "s");
	}
	if (nv > 1)
		qsort(v, nv, sizeof(*v), cmp_ver);
	for (i = 0, j = 0; i < nv; i++)
		if (j == 0 || rungo_modver_cmp(&v[j - 1], &v[i]) != 0)
			v[j++] = v[i];
	if (j == 0) {
		free(v);
		v = NULL;
	}
	*out = v;
	*n = j;
	return 0;
}

int rungo_goproxy_info(const struct rungo_goproxy *p, const char *path,
		       const struct rungo_modver *v, struct rungo_modinfo *out,
		       struct common_err *err)
{
	struct req r;
	cJSON *root = NULL;
	const cJSON *ver, *tm;
	struct common_err verr = { 0 };
	int rc;

	memset(&r, 0, sizeof(r));
	r.path = path;
	r.what = "info";
	rc = ver_suffix(&r, v, "info", err);
	if (rc)
		return rc;
	rc = request(p, &r, err);
	if (rc)
		return rc;
	root = cJSON_ParseWithLength(r.body, r.len);
	ver = root ? cJSON_GetObjectItemCaseSensitive(root, "Version") : NULL;
	tm = root ? cJSON_GetObjectItemCaseSensitive(root, "Time") : NULL;
	if (!cJSON_IsString(ver) ||
	    rungo_modver_parse_canonical(ver->valuestring, &out->version,
					 &verr) != 0) {
		rc = common_err_set(err, -EPROTO,
				    "module %s@%s: the proxy's .info is not a JSON object with a valid \"Version\"%s%s",
				    path, v->str, verr.msg[0] ? ": " : "",
				    verr.msg);
		goto out;
	}
	if (strcmp(out->version.str, v->str) != 0) {
		rc = common_err_set(err, -EPROTO,
				    "module %s@%s: the proxy's .info names version %s",
				    path, v->str, out->version.str);
		goto out;
	}
	out->time[0] = '\0';
	if (cJSON_IsString(tm))
		snprintf(out->time, sizeof(out->time), "%s", tm->valuestring);
out:
	cJSON_Delete(root);
	free(r.body);
	return rc;
}

int rungo_goproxy_mod(const struct rungo_goproxy *p, const char *path,
		      const struct rungo_modver *v, char **out, size_t *len,
		      struct common_err *err)
{
	struct req r;
	int rc;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.path = path;
	r.what = "go.mod";
	rc = ver_suffix(&r, v, "mod", err);
	if (rc)
		return rc;
	rc = request(p, &r, err);
	if (rc)
		return rc;
	*out = r.body;
	if (len)
		*len = r.len;
	return 0;
}

int rungo_goproxy_zip(const struct rungo_goproxy *p, const char *path,
		      const struct rungo_modver *v, const char *dest_path,
		      struct common_err *err)
{
	struct req r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.path = path;
	r.what = "zip";
	r.dest = dest_path;
	rc = ver_suffix(&r, v, "zip", err);
	if (rc)
		return rc;
	return request(p, &r, err);
}
