/* SPDX-License-Identifier: MIT */
/*
 * Go module versions: parsing, the go command's order, pseudo-versions
 * and the selection policies.
 *
 * Grammar (semver 2.0.0 with a leading "v", as golang.org/x/mod/semver):
 *   version = "v" num [ "." num [ "." num ] ] [ "-" ids ] [ "+" ids ]
 *   num     = "0" | [1-9][0-9]*              (at most 18 digits here)
 *   ids     = id *( "." id ),  id = 1*[0-9A-Za-z-]
 * A numeric pre-release identifier must not have a leading zero; the
 * shorthands (no minor or patch) may not carry a pre-release or build
 * part; the only build part a module version may carry is
 * "+incompatible", and only from major version 2 on.
 */
#include "rungo/modversion.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUM_DIGITS_MAX 18

static const char *quote(const char *s, char *buf, size_t size)
{
	size_t i, n = 0;

	for (i = 0; s[i] && n + 4 < size; i++)
		buf[n++] = isprint((unsigned char)s[i]) ? s[i] : '?';
	if (s[i]) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

static int bad(struct common_err *err, const char *s, const char *why)
{
	char q[96];

	return common_err_set(err, -EINVAL,
			      "\"%s\" is not a Go module version: %s",
			      quote(s, q, sizeof(q)), why);
}

static const char *parse_num(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int digits = 0;

	if (!isdigit((unsigned char)*s))
		return "expected a number";
	if (s[0] == '0' && isdigit((unsigned char)s[1]))
		return "a number has a leading zero";
	while (isdigit((unsigned char)*s)) {
		if (++digits > NUM_DIGITS_MAX)
			return "a number is too large";
		v = v * 10 + (uint64_t)(*s - '0');
		s++;
	}
	*out = v;
	*p = s;
	return NULL;
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '-';
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

/* Dot-separated identifiers at *p up to '+' or the end; *len is their
 * length.  `numeric_rule`: numeric identifiers must not start with 0. */
static const char *parse_idents(const char **p, size_t *len,
				bool numeric_rule)
{
	const char *s = *p, *start = *p;

	for (;;) {
		const char *id = s;

		while (ident_char(*s))
			s++;
		if (s == id)
			return "an empty identifier";
		if (numeric_rule && all_digits(id, (size_t)(s - id)) &&
		    id[0] == '0' && s - id > 1)
			return "a numeric pre-release identifier has a leading zero";
		if (*s != '.')
			break;
		s++;
	}
	*len = (size_t)(s - start);
	*p = s;
	return NULL;
}

static int parse(const char *s, bool canonical, struct rungo_modver *out,
		 struct common_err *err)
{
	struct rungo_modver v;
	const char *p = s, *why;
	int parts = 1, n;

	if (!s)
		return common_err_set(err, -EINVAL, "missing module version");
	memset(&v, 0, sizeof(v));
	if (*p != 'v')
		return bad(err, s, "it must start with \"v\" (v1.2.3)");
	p++;
	why = parse_num(&p, &v.major);
	if (!why && *p == '.') {
		p++;
		parts++;
		why = parse_num(&p, &v.minor);
		if (!why && *p == '.') {
			p++;
			parts++;
			why = parse_num(&p, &v.patch);
		}
	}
	if (why)
		return bad(err, s, why);
	if (parts < 3) {
		if (canonical)
			return bad(err, s, "expected vMAJOR.MINOR.PATCH");
		if (*p == '-' || *p == '+')
			return bad(err, s,
				   "a pre-release or build suffix needs all "
				   "of vMAJOR.MINOR.PATCH");
	}
	if (*p == '-') {
		const char *pre = ++p;
		size_t len = 0;

		why = parse_idents(&p, &len, true);
		if (why)
			return bad(err, s, why);
		if (len >= sizeof(v.pre))
			return bad(err, s, "the pre-release is too long");
		memcpy(v.pre, pre, len);
		v.pre[len] = '\0';
	}
	if (*p == '+') {
		const char *build = ++p;
		size_t len = 0;

		why = parse_idents(&p, &len, false);
		if (why)
			return bad(err, s, why);
		if (len != 12 || strncmp(build, "incompatible", 12) != 0)
			return bad(err, s,
				   "the only build suffix of a module version "
				   "is +incompatible");
		if (v.major < 2)
			return bad(err, s,
				   "+incompatible is for major versions 2 and "
				   "up");
		v.incompatible = true;
	}
	if (*p != '\0')
		return bad(err, s, "unexpected text after the version");
	n = snprintf(v.str, sizeof(v.str), "v%llu.%llu.%llu%s%s%s",
		     (unsigned long long)v.major, (unsigned long long)v.minor,
		     (unsigned long long)v.patch, v.pre[0] ? "-" : "", v.pre,
		     v.incompatible ? "+incompatible" : "");
	if (n < 0 || (size_t)n >= sizeof(v.str))
		return bad(err, s, "too long");
	*out = v;
	return 0;
}

int rungo_modver_parse(const char *s, struct rungo_modver *out,
		       struct common_err *err)
{
	return parse(s, false, out, err);
}

int rungo_modver_parse_canonical(const char *s, struct rungo_modver *out,
				 struct common_err *err)
{
	return parse(s, true, out, err);
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

/* Numeric identifiers: no leading zeros, so longer is larger. */
static int cmp_ident(const char *a, size_t na, const char *b, size_t nb)
{
	bool da = all_digits(a, na), db = all_digits(b, nb);
	size_t n = na < nb ? na : nb;
	int c;

	if (da != db)
		return da ? -1 : 1;
	if (da && na != nb)
		return na < nb ? -1 : 1;
	c = memcmp(a, b, n);
	if (c != 0)
		return c < 0 ? -1 : 1;
	return (na > nb) - (na < nb);
}

static int cmp_pre(const char *a, const char *b)
{
	if (strcmp(a, b) == 0)
		return 0;
	if (!*a)
		return 1;   /* a release after its pre-releases */
	if (!*b)
		return -1;
	for (;;) {
		size_t na = strcspn(a, "."), nb = strcspn(b, ".");
		int c = cmp_ident(a, na, b, nb);

		if (c != 0)
			return c;
		a += na;
		b += nb;
		if (!*a || !*b)
			return *a ? 1 : (*b ? -1 : 0);
		a++;
		b++;
	}
}

int rungo_modver_cmp_semver(const struct rungo_modver *a,
			    const struct rungo_modver *b)
{
	int c;

	if ((c = cmp_u64(a->major, b->major)) != 0 ||
	    (c = cmp_u64(a->minor, b->minor)) != 0 ||
	    (c = cmp_u64(a->patch, b->patch)) != 0)
		return c;
	return cmp_pre(a->pre, b->pre);
}

int rungo_modver_cmp(const struct rungo_modver *a,
		     const struct rungo_modver *b)
{
	int c = rungo_modver_cmp_semver(a, b);

	if (c != 0)
		return c;
	c = strcmp(a->str, b->str);
	return (c > 0) - (c < 0);
}

bool rungo_modver_is_prerelease(const struct rungo_modver *v)
{
	return v->pre[0] != '\0';
}

bool rungo_modver_same_minor(const struct rungo_modver *a,
			     const struct rungo_modver *b)
{
	return a->major == b->major && a->minor == b->minor;
}

/* Does pre end in "<14 digits>-<[A-Za-z0-9]+>"?  *ts_at is where the
 * timestamp starts. */
static bool pseudo_tail(const char *pre, size_t *ts_at)
{
	const char *dash = strrchr(pre, '-');
	const char *r;
	size_t len = strlen(pre), at;

	if (!dash || !dash[1])
		return false;
	for (r = dash + 1; *r; r++)
		if (!isalnum((unsigned char)*r))
			return false;
	at = (size_t)(dash - pre);
	if (at < 14 || len < 16)
		return false;
	at -= 14;
	if (!all_digits(pre + at, 14))
		return false;
	*ts_at = at;
	return true;
}

bool rungo_modver_pseudo(const struct rungo_modver *v,
			 struct rungo_modver *base, bool *has_base)
{
	size_t at;
	struct rungo_modver b;

	if (!v->pre[0] || !pseudo_tail(v->pre, &at))
		return false;
	if (at == 0) {
		/* vX.0.0-yyyymmddhhmmss-rev */
		if (v->minor != 0 || v->patch != 0)
			return false;
		if (has_base)
			*has_base = false;
		return true;
	}
	/* "...0." right before the timestamp, preceded by nothing or a '.'. */
	if (at < 2 || v->pre[at - 1] != '.' || v->pre[at - 2] != '0' ||
	    (at > 2 && v->pre[at - 3] != '.'))
		return false;
	if (!base && !has_base)
		return true;
	b = *v;
	if (at == 2) {
		/* vX.Y.(Z+1)-0.ts-rev: base vX.Y.Z */
		if (v->patch == 0) {
			if (has_base)
				*has_base = false;
			return true;
		}
		b.patch = v->patch - 1;
		b.pre[0] = '\0';
	} else {
		/* vX.Y.Z-pre.0.ts-rev: base vX.Y.Z-pre */
		memcpy(b.pre, v->pre, at - 3);
		b.pre[at - 3] = '\0';
	}
	snprintf(b.str, sizeof(b.str), "v%llu.%llu.%llu%s%s%s",
		 (unsigned long long)b.major, (unsigned long long)b.minor,
		 (unsigned long long)b.patch, b.pre[0] ? "-" : "", b.pre,
		 b.incompatible ? "+incompatible" : "");
	if (base)
		*base = b;
	if (has_base)
		*has_base = true;
	return true;
}

static int cmp_qsort(const void *a, const void *b)
{
	return rungo_modver_cmp(a, b);
}

/* The one version of minor group g[0..n) (sorted ascending) `policy`
 * picks. */
static const struct rungo_modver *pick(const struct rungo_modver *g,
				       size_t n, enum rungo_policy policy)
{
	size_t i;

	if (policy == RUNGO_POLICY_MINOR) {
		for (i = 0; i < n; i++)
			if (!g[i].pre[0] && g[i].patch == 0)
				return &g[i];
		return &g[n - 1];
	}
	if (policy == RUNGO_POLICY_ENDS) {   /* the oldest end */
		for (i = 0; i < n; i++)
			if (!g[i].pre[0])
				return &g[i];
		return &g[n - 1];
	}
	for (i = n; i-- > 0;)
		if (!g[i].pre[0])
			return &g[i];
	return &g[n - 1];
}

int rungo_modver_select(const struct rungo_modver *in, size_t nin,
			const struct rungo_modver_select_opts *opts,
			struct rungo_modver **out, size_t *n,
			struct common_err *err)
{
	static const struct rungo_modver_select_opts defaults;
	const struct rungo_modver_select_opts *o = opts ? opts : &defaults;
	struct rungo_modver *v = NULL;
	size_t nv = 0, i, j, start;

	if ((!in && nin) || !out || !n)
		return common_err_set(err, -EINVAL,
				      "module version selection: missing argument");
	if (o->policy != RUNGO_POLICY_MINOR &&
	    o->policy != RUNGO_POLICY_LATEST_PATCH &&
	    o->policy != RUNGO_POLICY_ALL && o->policy != RUNGO_POLICY_ENDS)
		return common_err_set(err, -EINVAL,
				      "module version selection: unknown policy %d",
				      (int)o->policy);
	if (o->min && o->max && rungo_modver_cmp(o->min, o->max) > 0)
		return common_err_set(err, -EINVAL,
				      "module version selection: minimum %s is "
				      "above the maximum %s",
				      o->min->str, o->max->str);
	if (nin) {
		v = calloc(nin, sizeof(*v));
		if (!v)
			return common_err_set(err, -ENOMEM, "out of memory");
	}
	for (i = 0; i < nin; i++) {
		if (!o->prerelease && in[i].pre[0])
			continue;
		if (o->min && rungo_modver_cmp(&in[i], o->min) < 0)
			continue;
		if (o->max && rungo_modver_cmp(&in[i], o->max) > 0)
			continue;
		v[nv++] = in[i];
	}
	if (nv > 1)
		qsort(v, nv, sizeof(*v), cmp_qsort);
	for (i = 0, j = 0; i < nv; i++)
		if (j == 0 || rungo_modver_cmp(&v[j - 1], &v[i]) != 0)
			v[j++] = v[i];
	nv = j;
	if (o->policy != RUNGO_POLICY_ALL) {
		/* As rungo_select: one pick per minor, two for ends. */
		for (start = 0, j = 0; start < nv; start = i) {
			struct rungo_modver first, last;

			for (i = start + 1; i < nv &&
			     rungo_modver_same_minor(&v[start], &v[i]);
			     i++)
				;
			first = *pick(&v[start], i - start, o->policy);
			last = o->policy == RUNGO_POLICY_ENDS
				       ? *pick(&v[start], i - start,
					       RUNGO_POLICY_LATEST_PATCH)
				       : first;
			v[j++] = first;
			if (rungo_modver_cmp(&first, &last) != 0)
				v[j++] = last;
		}
		nv = j;
	}
	if (nv == 0) {
		free(v);
		v = NULL;
	}
	*out = v;
	*n = nv;
	return 0;
}
