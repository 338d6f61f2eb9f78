/* SPDX-License-Identifier: MIT */
/*
 * Go release versions as the go.dev index spells them.
 *
 * Grammar (the "go" prefix is optional):
 *   version  = major [ "." minor [ "." patch ] ] [ pre ]
 *   pre      = ( "beta" | "rc" ) number          (needs a minor)
 *   number   = "0" | [1-9][0-9]*                 (at most RUNGO_NUM_MAX)
 * Decisions on edge cases:
 *  - major must be >= 1 ("go0.1" is no Go release);
 *  - leading zeros are rejected ("go1.022"), a prerelease number must be
 *    >= 1 ("go1.21rc0");
 *  - a prerelease of a patch release is accepted because the real index
 *    holds one ("go1.9.2rc2", published by mistake); it sorts between
 *    go1.9.1 and go1.9.2.  "go1.21.0rc1" is rejected: that release
 *    candidate is spelled "go1.21rc1";
 *  - "go1.0" and "go1.0.3" are accepted (Go 1.0.x existed); go1.0.0
 *    formats as "go1".
 */
#include "rungo/version.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Bound on every numeric component; keeps the longest formatted version
 * ("go99999.99999.99999beta99999") within RUNGO_VERSION_STR_MAX. */
#define RUNGO_NUM_MAX 99999

/* First minor whose x.y.0 release is spelled with its ".0". */
#define RUNGO_DOT_ZERO_MINOR 21

/* Copy `s` into `buf` for quoting in a message: non-printable bytes become
 * '?', long strings are cut with "...". */
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
	char q[80];

	return common_err_set(err, -EINVAL, "\"%s\" is not a Go version: %s",
			      quote(s, q, sizeof(q)), why);
}

/* Parse a number at *p.  Returns 0 and advances *p, or a reason. */
static const char *parse_num(const char **p, int *out)
{
	const char *s = *p;
	long v = 0;

	if (!isdigit((unsigned char)*s))
		return "expected a number";
	if (s[0] == '0' && isdigit((unsigned char)s[1]))
		return "a number has a leading zero";
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (*s - '0');
		if (v > RUNGO_NUM_MAX)
			return "a number is too large";
		s++;
	}
	*out = (int)v;
	*p = s;
	return NULL;
}

/* Parse "betaN" / "rcN" at *p when present. Returns a reason on error. */
static const char *parse_pre(const char **p, struct rungo_version *v)
{
	const char *s = *p;
	const char *why;

	if (strncmp(s, "beta", 4) == 0) {
		v->pre = RUNGO_PRE_BETA;
		s += 4;
	} else if (strncmp(s, "rc", 2) == 0) {
		v->pre = RUNGO_PRE_RC;
		s += 2;
	} else {
		return NULL;
	}
	if (!isdigit((unsigned char)*s))
		return v->pre == RUNGO_PRE_BETA ?
			"\"beta\" must be followed by its number (beta1, beta2, ...)" :
			"\"rc\" must be followed by its number (rc1, rc2, ...)";
	why = parse_num(&s, &v->pre_num);
	if (why)
		return why;
	if (v->pre_num < 1)
		return "prerelease numbers start at 1";
	*p = s;
	return NULL;
}

int rungo_version_parse(const char *s, struct rungo_version *out,
			struct common_err *err)
{
	struct rungo_version v = { 0, 0, 0, RUNGO_PRE_NONE, 0 };
	bool have_patch = false;
	const char *p = s;
	const char *why;

	if (!s)
		return common_err_set(err, -EINVAL, "missing Go version");
	if (strncmp(p, "go", 2) == 0)
		p += 2;
	if (*p == '\0')
		return bad(err, s, "expected a version like go1.22.4");
	why = parse_num(&p, &v.major);
	if (why)
		return bad(err, s, why);
	if (v.major < 1)
		return bad(err, s, "the major version starts at 1");
	if (*p == '.') {
		p++;
		why = parse_num(&p, &v.minor);
		if (why)
			return bad(err, s, why);
		if (*p == '.') {
			p++;
			why = parse_num(&p, &v.patch);
			if (why)
				return bad(err, s, why);
			have_patch = true;
		}
		why = parse_pre(&p, &v);
		if (why)
			return bad(err, s, why);
		if (v.pre != RUNGO_PRE_NONE && have_patch && v.patch == 0)
			return bad(err, s,
				   "a prerelease of x.y.0 is spelled x.yrcN or "
				   "x.ybetaN");
	} else if (*p == 'b' || *p == 'r') {
		return bad(err, s,
			   "a prerelease needs a minor version (go1.21rc1)");
	}
	if (*p != '\0')
		return bad(err, s, "unexpected text after the version");
	*out = v;
	return 0;
}

static int cmp_int(int a, int b)
{
	return (a > b) - (a < b);
}

int rungo_version_cmp(const struct rungo_version *a,
		      const struct rungo_version *b)
{
	int c;

	if ((c = cmp_int(a->major, b->major)) != 0)
		return c;
	if ((c = cmp_int(a->minor, b->minor)) != 0)
		return c;
	if ((c = cmp_int(a->patch, b->patch)) != 0)
		return c;
	if ((c = cmp_int((int)a->pre, (int)b->pre)) != 0)
		return c;
	return cmp_int(a->pre_num, b->pre_num);
}

bool rungo_version_same_minor(const struct rungo_version *a,
			      const struct rungo_version *b)
{
	return a->major == b->major && a->minor == b->minor;
}

bool rungo_version_is_stable(const struct rungo_version *v)
{
	return v->pre == RUNGO_PRE_NONE;
}

int rungo_version_format(const struct rungo_version *v, char *buf,
			 size_t size)
{
	const char *pre;
	int n;

	switch (v->pre) {
	case RUNGO_PRE_BETA:
		pre = "beta";
		break;
	case RUNGO_PRE_RC:
		pre = "rc";
		break;
	case RUNGO_PRE_NONE:
		pre = NULL;
		break;
	default:
		return -EINVAL;
	}
	if (pre && v->patch)
		n = snprintf(buf, size, "go%d.%d.%d%s%d", v->major, v->minor,
			     v->patch, pre, v->pre_num);
	else if (pre)
		n = snprintf(buf, size, "go%d.%d%s%d", v->major, v->minor, pre,
			     v->pre_num);
	else if (v->major == 1 && v->minor == 0 && v->patch == 0)
		n = snprintf(buf, size, "go1");
	else if (v->major == 1 && v->minor < RUNGO_DOT_ZERO_MINOR &&
		 v->patch == 0)
		n = snprintf(buf, size, "go%d.%d", v->major, v->minor);
	else
		n = snprintf(buf, size, "go%d.%d.%d", v->major, v->minor,
			     v->patch);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= size)
		return -ENOSPC;
	return n;
}

const char *rungo_version_str(const struct rungo_version *v,
			      char buf[RUNGO_VERSION_STR_MAX])
{
	if (rungo_version_format(v, buf, RUNGO_VERSION_STR_MAX) < 0)
		snprintf(buf, RUNGO_VERSION_STR_MAX, "go?");
	return buf;
}
