/* SPDX-License-Identifier: MIT */
/* lutgen/emit/render.c - the mustache-like renderer of lutgen/emit/render.h. */
#include "lutgen/emit/render.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sb.h"

/* Deepest section nesting a template may use. */
#define RENDER_MAX_DEPTH 64

/* ---- the view ---- */

enum rkind { RK_STR, RK_BOOL, RK_LIST };

struct rfield {
	char *key;
	enum rkind kind;
	char *str;                    /* RK_STR */
	bool b;                       /* RK_BOOL */
	struct lutgen_robj **items;   /* RK_LIST */
	size_t nitems, cap;
};

struct lutgen_robj {
	struct lutgen_rview *view;
	struct rfield *fields;
	size_t n, cap;
};

struct lutgen_rview {
	int status;
	struct lutgen_robj root;
};

static void robj_clear(struct lutgen_robj *o);

static void field_clear(struct rfield *f)
{
	size_t i;

	free(f->str);
	f->str = NULL;
	for (i = 0; i < f->nitems; i++) {
		robj_clear(f->items[i]);
		free(f->items[i]);
	}
	free(f->items);
	f->items = NULL;
	f->nitems = f->cap = 0;
}

static void robj_clear(struct lutgen_robj *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		field_clear(&o->fields[i]);
		free(o->fields[i].key);
	}
	free(o->fields);
	o->fields = NULL;
	o->n = o->cap = 0;
}

struct lutgen_rview *lutgen_rview_new(void)
{
	struct lutgen_rview *v = calloc(1, sizeof(*v));

	if (v)
		v->root.view = v;
	return v;
}

void lutgen_rview_free(struct lutgen_rview *v)
{
	if (!v)
		return;
	robj_clear(&v->root);
	free(v);
}

struct lutgen_robj *lutgen_rview_root(struct lutgen_rview *v)
{
	return v ? &v->root : NULL;
}

int lutgen_rview_status(const struct lutgen_rview *v)
{
	return v ? v->status : -ENOMEM;
}

static struct rfield *robj_lookup(const struct lutgen_robj *o,
				  const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (strlen(o->fields[i].key) == len &&
		    memcmp(o->fields[i].key, key, len) == 0)
			return &o->fields[i];
	return NULL;
}

/* The field `key` of o, emptied and ready to be set; NULL on failure. */
static struct rfield *robj_slot(struct lutgen_robj *o, const char *key)
{
	struct rfield *f;

	if (!o || !key || o->view->status != 0)
		return NULL;
	f = robj_lookup(o, key, strlen(key));
	if (f) {
		field_clear(f);
		return f;
	}
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 8;
		struct rfield *nf = realloc(o->fields, cap * sizeof(*nf));

		if (!nf)
			goto oom;
		o->fields = nf;
		o->cap = cap;
	}
	f = &o->fields[o->n];
	memset(f, 0, sizeof(*f));
	f->key = strdup(key);
	if (!f->key)
		goto oom;
	o->n++;
	return f;
oom:
	o->view->status = -ENOMEM;
	return NULL;
}

void lutgen_robj_str(struct lutgen_robj *o, const char *key, const char *val)
{
	struct rfield *f = robj_slot(o, key);

	if (!f)
		return;
	f->kind = RK_STR;
	f->str = strdup(val ? val : "");
	if (!f->str)
		o->view->status = -ENOMEM;
}

void lutgen_robj_fmt(struct lutgen_robj *o, const char *key,
		     const char *fmt, ...)
{
	struct rfield *f;
	va_list ap;
	int n;

	f = robj_slot(o, key);
	if (!f)
		return;
	f->kind = RK_STR;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->view->status = -EINVAL;
		return;
	}
	f->str = malloc((size_t)n + 1);
	if (!f->str) {
		o->view->status = -ENOMEM;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(f->str, (size_t)n + 1, fmt, ap);
	va_end(ap);
}

void lutgen_robj_bool(struct lutgen_robj *o, const char *key, bool val)
{
	struct rfield *f = robj_slot(o, key);

	if (!f)
		return;
	f->kind = RK_BOOL;
	f->b = val;
}

/* The list field `key`, created if missing. */
static struct rfield *robj_list_field(struct lutgen_robj *o, const char *key)
{
	struct rfield *f;

	if (!o || !key || o->view->status != 0)
		return NULL;
	f = robj_lookup(o, key, strlen(key));
	if (f && f->kind == RK_LIST)
		return f;
	f = robj_slot(o, key);
	if (f)
		f->kind = RK_LIST;
	return f;
}

void lutgen_robj_list(struct lutgen_robj *o, const char *key)
{
	(void)robj_list_field(o, key);
}

struct lutgen_robj *lutgen_robj_add(struct lutgen_robj *o, const char *key)
{
	struct rfield *f = robj_list_field(o, key);
	struct lutgen_robj *item;

	if (!f)
		return NULL;
	if (f->nitems == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		struct lutgen_robj **ni = realloc(f->items, cap * sizeof(*ni));

		if (!ni)
			goto oom;
		f->items = ni;
		f->cap = cap;
	}
	item = calloc(1, sizeof(*item));
	if (!item)
		goto oom;
	item->view = o->view;
	f->items[f->nitems++] = item;
	return item;
oom:
	o->view->status = -ENOMEM;
	return NULL;
}

/* ---- templates ---- */

const struct lutgen_template *lutgen_template_find(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < lutgen_ntemplates; i++)
		if (strcmp(lutgen_templates[i].name, name) == 0)
			return &lutgen_templates[i];
	return NULL;
}

/* ---- parsing ---- */

enum tkind { T_TEXT, T_VAR, T_SECTION, T_INVERTED, T_CLOSE, T_COMMENT };

struct tok {
	enum tkind kind;
	const char *s;   /* text, or the tag's name */
	size_t len;
	int line;
	size_t match;    /* T_SECTION/T_INVERTED: index of the close tag */
};

struct parser {
	const char *name;
	const char *t;
	size_t len;
	struct tok *toks;
	size_t n, cap;
	size_t line_pos;   /* lines counted up to here */
	int line;
	struct common_err *err;
};

static int line_at(struct parser *p, size_t pos)
{
	for (; p->line_pos < pos; p->line_pos++)
		if (p->t[p->line_pos] == '\n')
			p->line++;
	return p->line;
}

static int push_tok(struct parser *p, enum tkind kind, const char *s,
		    size_t len, int line)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct tok *nt = realloc(p->toks, cap * sizeof(*nt));

		if (!nt)
			return common_err_set(p->err, -ENOMEM,
					      "%s: out of memory", p->name);
		p->toks = nt;
		p->cap = cap;
	}
	p->toks[p->n].kind = kind;
	p->toks[p->n].s = s;
	p->toks[p->n].len = len;
	p->toks[p->n].line = line;
	p->toks[p->n].match = 0;
	p->n++;
	return 0;
}

/* Position of the two-character `pair` at or after `from`, or len. */
static size_t find_pair(const char *t, size_t from, size_t len,
			const char *pair)
{
	size_t i;

	for (i = from; i + 1 < len; i++)
		if (t[i] == pair[0] && t[i + 1] == pair[1])
			return i;
	return len;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '@' ||
	       c == '.';
}

/* Split the template into tokens; drops standalone tag lines. */
static int tokenize(struct parser *p)
{
	size_t pos = 0, text_start = 0;
	int rc;

	for (;;) {
		size_t tag, inner, inner_end, tag_end, text_end, ls, re;
		enum tkind kind = T_VAR;
		int line;

		tag = find_pair(p->t, pos, p->len, "{{");
		if (tag == p->len) {
			if (text_start < p->len)
				return push_tok(p, T_TEXT, p->t + text_start,
						p->len - text_start, 0);
			return 0;
		}
		line = line_at(p, tag);
		inner = tag + 2;
		if (inner < p->len && p->t[inner] == '{')
			inner++;   /* {{{name}}} == {{name}} */
		inner_end = find_pair(p->t, inner, p->len, "}}");
		if (inner_end == p->len)
			return common_err_set(p->err, -EINVAL,
					      "%s:%d: '{{' without '}}'",
					      p->name, line);
		tag_end = inner_end + 2;
		if (inner == tag + 3 && tag_end < p->len &&
		    p->t[tag_end] == '}')
			tag_end++;
		switch (inner < inner_end ? p->t[inner] : '\0') {
		case '#': kind = T_SECTION; inner++; break;
		case '^': kind = T_INVERTED; inner++; break;
		case '/': kind = T_CLOSE; inner++; break;
		case '!': kind = T_COMMENT; break;
		default: break;
		}
		while (inner < inner_end && is_blank(p->t[inner]))
			inner++;
		while (inner_end > inner && is_blank(p->t[inner_end - 1]))
			inner_end--;
		if (kind != T_COMMENT) {
			size_t i;

			if (inner == inner_end)
				return common_err_set(p->err, -EINVAL,
						      "%s:%d: empty tag name",
						      p->name, line);
			for (i = inner; i < inner_end; i++)
				if (!is_name_char(p->t[i]))
					return common_err_set(
						p->err, -EINVAL,
						"%s:%d: bad tag name '%.*s'",
						p->name, line,
						(int)(inner_end - inner),
						p->t + inner);
		}

		/* A standalone tag takes its whole line with it. */
		text_end = tag;
		pos = tag_end;
		if (kind != T_VAR) {
			ls = tag;
			while (ls > 0 && is_blank(p->t[ls - 1]))
				ls--;
			re = tag_end;
			while (re < p->len && is_blank(p->t[re]))
				re++;
			if ((ls == 0 || p->t[ls - 1] == '\n') &&
			    (re == p->len || p->t[re] == '\n')) {
				text_end = ls;
				pos = re < p->len ? re + 1 : re;
			}
		}
		if (text_end > text_start) {
			rc = push_tok(p, T_TEXT, p->t + text_start,
				      text_end - text_start, line);
			if (rc < 0)
				return rc;
		}
		rc = push_tok(p, kind, p->t + inner, inner_end - inner, line);
		if (rc < 0)
			return rc;
		text_start = pos;
	}
}

/* Pair sections with their close tags. */
static int match_sections(struct parser *p)
{
	size_t stack[RENDER_MAX_DEPTH];
	size_t depth = 0, i;

	for (i = 0; i < p->n; i++) {
		struct tok *t = &p->toks[i];

		if (t->kind == T_SECTION || t->kind == T_INVERTED) {
			if (depth == RENDER_MAX_DEPTH)
				return common_err_set(
					p->err, -EINVAL,
					"%s:%d: sections nested deeper than %d",
					p->name, t->line, RENDER_MAX_DEPTH);
			stack[depth++] = i;
		} else if (t->kind == T_CLOSE) {
			struct tok *o;

			if (depth == 0)
				return common_err_set(
					p->err, -EINVAL,
					"%s:%d: {{/%.*s}} without an open section",
					p->name, t->line, (int)t->len, t->s);
			o = &p->toks[stack[--depth]];
			if (o->len != t->len || memcmp(o->s, t->s, t->len) != 0)
				return common_err_set(
					p->err, -EINVAL,
					"%s:%d: {{/%.*s}} closes '%.*s' opened on line %d",
					p->name, t->line, (int)t->len, t->s,
					(int)o->len, o->s, o->line);
			o->match = i;
		}
	}
	if (depth > 0) {
		struct tok *o = &p->toks[stack[depth - 1]];

		return common_err_set(p->err, -EINVAL,
				      "%s:%d: section '%.*s' is never closed",
				      p->name, o->line, (int)o->len, o->s);
	}
	return 0;
}

/* ---- rendering ---- */

struct frame {
	const struct lutgen_robj *obj;
	bool in_list;
	size_t index, count;
};

struct renderer {
	const struct parser *p;
	struct frame frames[RENDER_MAX_DEPTH + 1];
	size_t depth;   /* frames in use, >= 1 */
	struct common_sb out;
	struct common_err *err;
};

/* A resolved name. */
struct rval {
	enum rkind kind;
	const char *str;
	bool b;
	const struct rfield *list;
	char num[24];
};

static int resolve(struct renderer *r, const struct tok *t, struct rval *v)
{
	size_t i;

	memset(v, 0, sizeof(*v));
	if (t->s[0] == '@') {
		for (i = r->depth; i-- > 0;) {
			const struct frame *f = &r->frames[i];

			if (!f->in_list)
				continue;
			if (t->len == 6 && memcmp(t->s, "@first", 6) == 0) {
				v->kind = RK_BOOL;
				v->b = f->index == 0;
				return 0;
			}
			if (t->len == 5 && memcmp(t->s, "@last", 5) == 0) {
				v->kind = RK_BOOL;
				v->b = f->index + 1 == f->count;
				return 0;
			}
			if (t->len == 6 && memcmp(t->s, "@index", 6) == 0) {
				v->kind = RK_STR;
				snprintf(v->num, sizeof(v->num), "%zu",
					 f->index);
				v->str = v->num;
				return 0;
			}
			break;
		}
		return common_err_set(r->err, -EINVAL,
				      "%s:%d: '%.*s' outside a list or unknown",
				      r->p->name, t->line, (int)t->len, t->s);
	}
	for (i = r->depth; i-- > 0;) {
		const struct rfield *f =
			robj_lookup(r->frames[i].obj, t->s, t->len);

		if (f) {
			v->kind = f->kind;
			v->str = f->str;
			v->b = f->b;
			v->list = f;
			return 0;
		}
	}
	return common_err_set(r->err, -EINVAL, "%s:%d: unknown name '%.*s'",
			      r->p->name, t->line, (int)t->len, t->s);
}

static bool truthy(const struct rval *v)
{
	switch (v->kind) {
	case RK_STR:
		return v->str && v->str[0] != '\0';
	case RK_BOOL:
		return v->b;
	case RK_LIST:
		return v->list->nitems > 0;
	}
	return false;
}

static int render_range(struct renderer *r, size_t from, size_t to)
{
	size_t i, k;
	int rc;

	for (i = from; i < to; i++) {
		const struct tok *t = &r->p->toks[i];
		struct rval v;

		switch (t->kind) {
		case T_TEXT:
			common_sb_putn(&r->out, t->s, t->len);
			if (r->out.oom)
				goto oom;
			break;
		case T_COMMENT:
		case T_CLOSE:
			break;
		case T_VAR:
			rc = resolve(r, t, &v);
			if (rc < 0)
				return rc;
			if (v.kind == RK_LIST)
				return common_err_set(
					r->err, -EINVAL,
					"%s:%d: '%.*s' is a list, not a value",
					r->p->name, t->line, (int)t->len, t->s);
			if (v.kind == RK_BOOL)
				v.str = v.b ? "true" : "false";
			common_sb_puts(&r->out, v.str);
			if (r->out.oom)
				goto oom;
			break;
		case T_SECTION:
		case T_INVERTED:
			rc = resolve(r, t, &v);
			if (rc < 0)
				return rc;
			if (t->kind == T_INVERTED) {
				if (!truthy(&v)) {
					rc = render_range(r, i + 1, t->match);
					if (rc < 0)
						return rc;
				}
			} else if (v.kind == RK_LIST) {
				for (k = 0; k < v.list->nitems; k++) {
					struct frame *f = &r->frames[r->depth];

					f->obj = v.list->items[k];
					f->in_list = true;
					f->index = k;
					f->count = v.list->nitems;
					r->depth++;
					rc = render_range(r, i + 1, t->match);
					r->depth--;
					if (rc < 0)
						return rc;
				}
			} else if (truthy(&v)) {
				rc = render_range(r, i + 1, t->match);
				if (rc < 0)
					return rc;
			}
			i = t->match;
			break;
		}
	}
	return 0;
oom:
	return common_err_set(r->err, -ENOMEM, "%s: out of memory",
			      r->p->name);
}

int lutgen_render(const char *name, const char *tmpl, size_t len,
		  const struct lutgen_rview *view, char **out, size_t *out_len,
		  struct common_err *err)
{
	struct parser p;
	struct renderer r;
	int rc;

	memset(&p, 0, sizeof(p));
	memset(&r, 0, sizeof(r));
	if (!name)
		name = "(template)";
	if (!tmpl || !view || !out)
		return common_err_set(err, -EINVAL,
				      "render %s: NULL argument", name);
	if (view->status != 0)
		return common_err_set(err, view->status,
				      "render %s: building the view failed: %s",
				      name, strerror(-view->status));
	if (memchr(tmpl, '\0', len))
		return common_err_set(err, -EINVAL,
				      "%s: template contains a NUL byte", name);
	p.name = name;
	p.t = tmpl;
	p.len = len;
	p.line = 1;
	p.err = err;
	rc = tokenize(&p);
	if (rc < 0)
		goto out;
	rc = match_sections(&p);
	if (rc < 0)
		goto out;

	r.p = &p;
	r.err = err;
	r.frames[0].obj = &view->root;
	r.depth = 1;
	rc = render_range(&r, 0, p.n);
	if (rc < 0)
		goto out;
	common_sb_putn(&r.out, "", 0);  /* "" for an empty template */
	if (r.out.oom) {
		rc = common_err_set(err, -ENOMEM, "%s: out of memory", name);
		goto out;
	}
	*out = r.out.p;
	r.out.p = NULL;
	if (out_len)
		*out_len = r.out.len;
out:
	free(r.out.p);
	free(p.toks);
	return rc;
}
