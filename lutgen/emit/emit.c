/* SPDX-License-Identifier: MIT */
/*
 * lutgen/emit/emit.c - turn a table into the view of templates/table.*.tmpl,
 * render them, and write generated/ atomically.
 */
#include "lutgen/emit/emit.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/fs.h"
#include "common/sb.h"
#include "lutgen/core/spec.h"
#include "lutgen/emit/render.h"
#include "rungo/select.h"

/* Versions per line in the header's "measured versions" list. */
#define EMIT_LINE_WIDTH 64

/* GOARCH spellings known to lutgen_go.h, in its enum's order. */
static const char *const known_arches[] = {
	"386",     "amd64",  "arm",     "arm64",    "loong64",
	"mips",    "mipsle", "mips64",  "mips64le", "ppc64",
	"ppc64le", "riscv64", "s390x",  "wasm",
};

/* ---- strings ---- */

enum esc { ESC_C, ESC_JSON, ESC_COMMENT };

/* Append s escaped for a C string literal, a JSON string, or a comment. */
static void sb_escape(struct common_sb *b, const char *s, enum esc mode)
{
	const unsigned char *p = (const unsigned char *)s;
	char tmp[8];

	for (; *p; p++) {
		unsigned char c = *p;

		if (mode == ESC_COMMENT) {
			if ((c == '*' && p[1] == '/') ||
			    (c == '/' && p[1] == '*') ||
			    (c == '?' && p[1] == '?')) {
				tmp[0] = (char)c;
				tmp[1] = ' ';
				common_sb_putn(b, tmp, 2);
			} else if (c < 0x20 || c == 0x7f) {
				common_sb_putn(b, " ", 1);
			} else {
				common_sb_putn(b, (const char *)p, 1);
			}
			continue;
		}
		if (c == '"' || c == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)c;
			common_sb_putn(b, tmp, 2);
		} else if (c == '\n') {
			common_sb_puts(b, "\\n");
		} else if (c == '\t') {
			common_sb_puts(b, "\\t");
		} else if (c < 0x20 || (mode == ESC_C && c == 0x7f)) {
			if (mode == ESC_C)
				snprintf(tmp, sizeof(tmp), "\\%03o", c);
			else
				snprintf(tmp, sizeof(tmp), "\\u%04x", c);
			common_sb_puts(b, tmp);
		} else if (mode == ESC_C && c == '?' && p[1] == '?') {
			common_sb_puts(b, "?\\");   /* no trigraphs */
		} else {
			common_sb_putn(b, (const char *)p, 1);
		}
	}
}

/* ---- building the view ---- */

struct vb {
	const struct lutgen_table *t;
	const struct lutgen_spec *spec;
	struct lutgen_rview *view;
	struct common_sb tmp;
	struct common_err *err;
	int rc;   /* first error */
};

/* Record the first error; returns it. */
static int vb_fail(struct vb *b, int code, const char *fmt, ...)
	COMMON_PRINTF(3, 4);

static int vb_fail(struct vb *b, int code, const char *fmt, ...)
{
	va_list ap;

	if (b->rc != 0)
		return b->rc;
	va_start(ap, fmt);
	common_err_vset(b->err, code, fmt, ap);
	va_end(ap);
	b->rc = code;
	return code;
}

static void set_esc(struct vb *b, struct lutgen_robj *o, const char *key,
		    const char *s, enum esc mode)
{
	common_sb_reset(&b->tmp);
	sb_escape(&b->tmp, s ? s : "", mode);
	if (b->tmp.oom)
		vb_fail(b, -ENOMEM, "emit: out of memory");
	lutgen_robj_str(o, key, common_sb_str(&b->tmp));
}

/* key_c, key_json and key_comment of s. */
static void set_all_esc(struct vb *b, struct lutgen_robj *o, const char *key,
			const char *s)
{
	char k[64];

	snprintf(k, sizeof(k), "%s_c", key);
	set_esc(b, o, k, s, ESC_C);
	snprintf(k, sizeof(k), "%s_json", key);
	set_esc(b, o, k, s, ESC_JSON);
	snprintf(k, sizeof(k), "%s_comment", key);
	set_esc(b, o, k, s, ESC_COMMENT);
}

/* List `key` of {text} lines: s comment-escaped, wrapped at `first`
 * characters on the first line and `width` on the others. */
static void set_lines(struct vb *b, struct lutgen_robj *o, const char *key,
		      const char *s, size_t first, size_t width)
{
	const char *p = s ? s : "";
	char *esc, *line;
	size_t len, start = 0, i;

	common_sb_reset(&b->tmp);
	sb_escape(&b->tmp, p, ESC_COMMENT);
	if (b->tmp.oom) {
		vb_fail(b, -ENOMEM, "emit: out of memory");
		return;
	}
	esc = strdup(common_sb_str(&b->tmp));
	if (!esc) {
		vb_fail(b, -ENOMEM, "emit: out of memory");
		return;
	}
	lutgen_robj_list(o, key);
	len = strlen(esc);
	while (start < len) {
		size_t end = len, cut, w = start == 0 ? first : width;

		while (start < len && esc[start] == ' ')
			start++;
		if (start >= len)
			break;
		if (len - start > w) {
			/* Last space within the width, else the first after. */
			end = 0;
			for (i = start; i < len && (end == 0 || i <= start + w);
			     i++)
				if (esc[i] == ' ')
					end = i;
			if (end == 0)
				end = len;
		}
		cut = end;
		while (cut > start && esc[cut - 1] == ' ')
			cut--;
		line = strndup(esc + start, cut - start);
		if (!line) {
			vb_fail(b, -ENOMEM, "emit: out of memory");
			break;
		}
		lutgen_robj_str(lutgen_robj_add(o, key), "text", line);
		free(line);
		start = end;
	}
	if (len == 0 || strspn(esc, " ") == len)
		lutgen_robj_str(lutgen_robj_add(o, key), "text", "(no doc)");
	free(esc);
}

static const char *pre_enum(enum rungo_prerelease p)
{
	switch (p) {
	case RUNGO_PRE_BETA:
		return "LUTGEN_GO_PRE_BETA";
	case RUNGO_PRE_RC:
		return "LUTGEN_GO_PRE_RC";
	case RUNGO_PRE_NONE:
		break;
	}
	return "LUTGEN_GO_PRE_NONE";
}

static void set_version_init(struct lutgen_robj *o, const char *key,
			     const struct rungo_version *v)
{
	lutgen_robj_fmt(o, key, "{ %d, %d, %d, %s, %d }", v->major, v->minor,
			v->patch, pre_enum(v->pre), v->pre_num);
}

/* "LUTGEN_GOARCH_AMD64", or NULL for an arch lutgen_go.h doesn't know. */
static bool arch_enum(const char *arch, char *buf, size_t size)
{
	size_t i, j;
	int n;

	for (i = 0; i < sizeof(known_arches) / sizeof(known_arches[0]); i++) {
		if (strcmp(arch, known_arches[i]) != 0)
			continue;
		n = snprintf(buf, size, "LUTGEN_GOARCH_%s", arch);
		if (n < 0 || (size_t)n >= size)
			return false;
		for (j = 0; buf[j]; j++)
			if (buf[j] >= 'a' && buf[j] <= 'z')
				buf[j] = (char)(buf[j] - 'a' + 'A');
		return true;
	}
	return false;
}

/* cJSON tree -> one line in the spacing of the generated JSON:
 * {"k": v, "k2": v2}, [a, b].  Numbers are whole (values, sizes,
 * offsets: lutgen_json_* bound them to 2^53). */
static void json_oneline(struct common_sb *out, const cJSON *j)
{
	const cJSON *it;

	if (cJSON_IsNull(j)) {
		common_sb_puts(out, "null");
	} else if (cJSON_IsBool(j)) {
		common_sb_puts(out, cJSON_IsTrue(j) ? "true" : "false");
	} else if (cJSON_IsNumber(j)) {
		common_sb_printf(out, "%" PRId64, (int64_t)j->valuedouble);
	} else if (cJSON_IsString(j)) {
		common_sb_puts(out, "\"");
		sb_escape(out, j->valuestring, ESC_JSON);
		common_sb_puts(out, "\"");
	} else if (cJSON_IsArray(j) || cJSON_IsObject(j)) {
		common_sb_puts(out, cJSON_IsArray(j) ? "[" : "{");
		for (it = j->child; it; it = it->next) {
			if (it != j->child)
				common_sb_puts(out, ", ");
			if (cJSON_IsObject(j)) {
				common_sb_puts(out, "\"");
				sb_escape(out, it->string, ESC_JSON);
				common_sb_puts(out, "\": ");
			}
			json_oneline(out, it);
		}
		common_sb_puts(out, cJSON_IsArray(j) ? "]" : "}");
	}
}

/* The JSON spelling of a value (lutgen_value_to_json) into b->tmp. */
static void value_json(struct vb *b, const struct lutgen_value *v)
{
	cJSON *j = lutgen_value_to_json(v);

	common_sb_reset(&b->tmp);
	if (!j) {
		b->tmp.oom = true;
		return;
	}
	json_oneline(&b->tmp, j);
	cJSON_Delete(j);
}

/* `"matched": {"field": "clientHeaders"}` of an entry whose lookup has
 * alternatives: has_matched and matched_json. */
static void set_matched(struct vb *b, struct lutgen_robj *o,
			const struct lutgen_value *v)
{
	cJSON *m = NULL;

	common_sb_reset(&b->tmp);
	if (lutgen_value_matched_to_json(v, &m) != 0)
		b->tmp.oom = true;
	else if (m)
		json_oneline(&b->tmp, m);
	lutgen_robj_bool(o, "has_matched", m != NULL);
	lutgen_robj_str(o, "matched_json", common_sb_str(&b->tmp));
	cJSON_Delete(m);
}

/* What the lookup measures in the spelling of lutgen_lookup_keys_to_json:
 * one spec_fields item per key ("type": "x" or ["x", "y"], ...);
 * "optional" has a line of its own in the template. */
static void add_spec_fields(struct vb *b, struct lutgen_robj *lo,
			    const struct lutgen_lookup *lk)
{
	cJSON *o = cJSON_CreateObject();
	const cJSON *it;
	struct lutgen_robj *f;

	lutgen_robj_list(lo, "spec_fields");
	if (!o || lutgen_lookup_keys_to_json(lk, o) != 0) {
		vb_fail(b, -ENOMEM, "emit: out of memory");
		goto out;
	}
	for (it = o->child; it; it = it->next) {
		if (strcmp(it->string, "optional") == 0)
			continue;
		f = lutgen_robj_add(lo, "spec_fields");
		lutgen_robj_str(f, "key", it->string);
		common_sb_reset(&b->tmp);
		json_oneline(&b->tmp, it);
		if (b->tmp.oom)
			vb_fail(b, -ENOMEM, "emit: out of memory");
		lutgen_robj_str(f, "value_raw", common_sb_str(&b->tmp));
	}
out:
	cJSON_Delete(o);
}

/* "a" or "a|b|c" for comments and the C "measures" string. */
static void alts_text(struct common_sb *sb, const struct lutgen_alts *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		if (i)
			common_sb_puts(sb, "|");
		common_sb_puts(sb, a->v[i]);
	}
}

static void set_value_fields(struct vb *b, struct lutgen_robj *o,
			     const struct lutgen_value *v)
{
	char text[512];

	value_json(b, v);
	if (b->tmp.oom)
		vb_fail(b, -ENOMEM, "emit: out of memory");
	lutgen_robj_str(o, "value_json", common_sb_str(&b->tmp));
	if (lutgen_value_format(v, text, sizeof(text)) != 0)
		snprintf(text, sizeof(text), "(a value too long to show)");
	set_esc(b, o, "value_comment", text, ESC_COMMENT);
}

/* "lutgen/specs/goid.json" from any spelling of the spec's path. */
static const char *spec_rel_path(const char *path)
{
	const char *p, *hit = NULL, *slash;

	if (!path)
		return "";
	for (p = strstr(path, "lutgen/specs/"); p;
	     p = strstr(p + 1, "lutgen/specs/"))
		if (p == path || p[-1] == '/')
			hit = p;
	if (hit)
		return hit;
	slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Entries of one arch split into the ranges lutgen_go.c expects: equal
 * neighbours merged, but a minor whose patch releases differ starts a new
 * range at its oldest measured patch. */
static void add_c_ranges(struct vb *b, struct lutgen_robj *arch_o,
			 const struct lutgen_entry *e, size_t n,
			 const struct lutgen_value **pvals, size_t npvals,
			 size_t lookup_idx, size_t *nranges)
{
	char from[RUNGO_VERSION_STR_MAX], to[RUNGO_VERSION_STR_MAX];
	size_t i, start = 0, k;

	*nranges = 0;
	lutgen_robj_list(arch_o, "c_ranges");
	for (i = 1; i <= n; i++) {
		bool split = i == n;
		struct lutgen_robj *r;

		if (!split && lutgen_value_cmp(&e[i].value, &e[i - 1].value) != 0)
			split = true;
		if (!split &&
		    !rungo_version_same_minor(&e[i].version, &e[i - 1].version)) {
			/* Does the minor of e[i] change within its patches? */
			for (k = i + 1; k < n && rungo_version_same_minor(
						 &e[k].version, &e[i].version);
			     k++)
				if (lutgen_value_cmp(&e[k].value,
						     &e[k - 1].value) != 0) {
					split = true;
					break;
				}
		}
		if (!split)
			continue;
		r = lutgen_robj_add(arch_o, "c_ranges");
		rungo_version_str(&e[start].version, from);
		rungo_version_str(&e[i - 1].version, to);
		lutgen_robj_str(r, "from", from);
		lutgen_robj_str(r, "to", to);
		set_version_init(r, "from_init", &e[start].version);
		lutgen_robj_bool(r, "single", start == i - 1);
		set_value_fields(b, r, &e[start].value);
		set_version_init(r, "to_init", &e[i - 1].version);
		lutgen_robj_str(r, "absent", e[start].value.absent ? "1" : "0");
		if (e[start].value.absent) {
			lutgen_robj_str(r, "u", "0");
			lutgen_robj_str(r, "params_ref", "NULL");
		} else if (lutgen_lookup_kind_is_locations(e[start].value.kind)) {
			lutgen_robj_str(r, "u", "0");
			for (k = 0; k < npvals; k++)
				if (lutgen_value_cmp(pvals[k],
						     &e[start].value) == 0)
					break;
			lutgen_robj_fmt(r, "params_ref", "&lutgen_go_lut%zu_v%zu",
					lookup_idx, k);
		} else {
			if (e[start].value.u > 2147483647u)
				lutgen_robj_fmt(r, "u", "%" PRIu64 "ULL",
						e[start].value.u);
			else
				lutgen_robj_fmt(r, "u", "%" PRIu64,
						e[start].value.u);
			lutgen_robj_str(r, "params_ref", "NULL");
		}
		(*nranges)++;
		start = i;
	}
}

/* One distinct parameter list as C data. */
static void add_param_value(struct vb *b, struct lutgen_robj *lo,
			    const struct lutgen_value *v, size_t li, size_t vi)
{
	struct lutgen_robj *pv = lutgen_robj_add(lo, "param_values");
	size_t i, j;

	lutgen_robj_fmt(pv, "value_id", "lutgen_go_lut%zu_v%zu", li, vi);
	lutgen_robj_fmt(pv, "params_id", "lutgen_go_lut%zu_v%zu_params", li, vi);
	lutgen_robj_fmt(pv, "nparams", "%zu", v->nparams);
	lutgen_robj_bool(pv, "has_params", v->nparams > 0);
	if (v->nparams > 0)
		lutgen_robj_fmt(pv, "params_ref", "lutgen_go_lut%zu_v%zu_params",
				li, vi);
	else
		lutgen_robj_str(pv, "params_ref", "NULL");
	set_value_fields(b, pv, v);
	lutgen_robj_list(pv, "params");
	if (v->nparams > UINT32_MAX)
		vb_fail(b, -ERANGE, "emit: too many parameters");
	for (i = 0; i < v->nparams; i++) {
		const struct lutgen_param *p = &v->params[i];
		struct lutgen_robj *po = lutgen_robj_add(pv, "params");

		if (p->size > UINT32_MAX || p->npieces > UINT32_MAX)
			vb_fail(b, -ERANGE,
				"emit: parameter %s: size out of range",
				p->name ? p->name : "?");
		set_esc(b, po, "param_name", p->name, ESC_C);
		lutgen_robj_fmt(po, "size", "%" PRIu64, p->size);
		lutgen_robj_fmt(po, "npieces", "%zu", p->npieces);
		lutgen_robj_bool(po, "has_pieces", p->npieces > 0);
		lutgen_robj_fmt(po, "pieces_id", "lutgen_go_lut%zu_v%zu_p%zu", li,
				vi, i);
		if (p->npieces > 0)
			lutgen_robj_fmt(po, "pieces_ref",
					"lutgen_go_lut%zu_v%zu_p%zu", li, vi, i);
		else
			lutgen_robj_str(po, "pieces_ref", "NULL");
		lutgen_robj_list(po, "pieces");
		for (j = 0; j < p->npieces; j++) {
			const struct lutgen_piece *pc = &p->pieces[j];
			struct lutgen_robj *o = lutgen_robj_add(po, "pieces");
			bool reg = pc->kind == LUTGEN_PIECE_REG;

			if (pc->size > UINT32_MAX ||
			    (reg && (pc->reg < INT16_MIN || pc->reg > INT16_MAX)) ||
			    (!reg && (pc->stack_offset < INT32_MIN ||
				      pc->stack_offset > INT32_MAX)))
				vb_fail(b, -ERANGE,
					"emit: parameter %s: a location does "
					"not fit lutgen_go.h's types",
					p->name ? p->name : "?");
			lutgen_robj_str(o, "kind", reg ? "LUTGEN_GO_LOC_REG"
						 : pc->kind == LUTGEN_PIECE_TLS
						       ? "LUTGEN_GO_LOC_TLS"
						       : "LUTGEN_GO_LOC_STACK");
			lutgen_robj_fmt(o, "reg", "%d", reg ? pc->reg : -1);
			set_esc(b, o, "reg_name", reg ? pc->reg_name : "", ESC_C);
			lutgen_robj_fmt(o, "stack_offset", "%" PRId64,
					reg ? (int64_t)0 : pc->stack_offset);
			lutgen_robj_fmt(o, "size", "%" PRIu64, pc->size);
		}
	}
}

/* Wrapping of generated doc comments: lines of at most DOC_WIDTH
 * characters; the first shares its line with a " * NAME - " prefix, but
 * keeps at least DOC_MIN_FIRST characters (a name longer than
 * DOC_LONG_NAME gets them, and a longer line). */
#define DOC_WIDTH 70
#define DOC_LONG_NAME 50
#define DOC_MIN_FIRST 20

static size_t doc_first_width(size_t prefix, size_t width)
{
	return prefix < DOC_LONG_NAME ? width - prefix : DOC_MIN_FIRST;
}

/* Names and references of one lookup in the templates. */
static void add_lookup_names(struct vb *b, struct lutgen_robj *lo,
			     const struct lutgen_lookup *lk, size_t li)
{
	bool params = lutgen_lookup_kind_is_locations(lk->kind);
	bool i64 = lk->kind == LUTGEN_LOOKUP_CONST;

	lutgen_robj_str(lo, "name", lk->name);
	set_all_esc(b, lo, "doc", lk->doc);
	/* " * NAME - " precedes the first line. */
	set_lines(b, lo, "doc_lines", lk->doc,
		  doc_first_width(strlen(lk->name) + 6, DOC_WIDTH), DOC_WIDTH);
	lutgen_robj_str(lo, "kind_name", lutgen_lookup_kind_name(lk->kind));
	lutgen_robj_str(lo, "kind_enum", params ? "LUTGEN_GO_LOOKUP_PARAMS"
					 : i64  ? "LUTGEN_GO_LOOKUP_I64"
						: "LUTGEN_GO_LOOKUP_U64");
	lutgen_robj_bool(lo, "is_u64", !params && !i64);
	lutgen_robj_bool(lo, "is_params", params);
	lutgen_robj_bool(lo, "is_i64", i64);
	lutgen_robj_fmt(lo, "lut_id", "lutgen_go_lut%zu", li);
	lutgen_robj_fmt(lo, "arches_id", "lutgen_go_lut%zu_arches", li);
	lutgen_robj_str(lo, "u64_ref", params || i64 ? "NULL" : lk->name);
	lutgen_robj_fmt(lo, "u64_v_ref", "%s%s",
			params || i64 ? "NULL" : lk->name,
			params || i64 ? "" : "_v");
	lutgen_robj_str(lo, "i64_ref", i64 ? lk->name : "NULL");
	lutgen_robj_fmt(lo, "i64_v_ref", "%s%s", i64 ? lk->name : "NULL",
			i64 ? "_v" : "");
	lutgen_robj_str(lo, "params_fn_ref", params ? lk->name : "NULL");
	lutgen_robj_fmt(lo, "params_v_ref", "%s%s", params ? lk->name : "NULL",
			params ? "_v" : "");
}

/* What it measures: for the comment, the C string and the JSON. */
static void add_lookup_measures(struct vb *b, struct lutgen_robj *lo,
				const struct lutgen_lookup *lk)
{
	const struct lutgen_alts *keys[] = { &lk->types, &lk->fields,
					     &lk->functions, &lk->consts };
	char *measures;
	size_t k;

	add_spec_fields(b, lo, lk);
	lutgen_robj_bool(lo, "optional", lk->optional);
	common_sb_reset(&b->tmp);
	common_sb_printf(&b->tmp, "%s", lutgen_lookup_kind_name(lk->kind));
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (keys[k]->n) {
			common_sb_puts(&b->tmp, " ");
			alts_text(&b->tmp, keys[k]);
		}
	if (lk->optional)
		common_sb_puts(&b->tmp, " (optional)");
	measures = strdup(common_sb_str(&b->tmp));
	if (!measures) {
		vb_fail(b, -ENOMEM, "emit: out of memory");
		return;
	}
	set_esc(b, lo, "measures_c", measures, ESC_C);
	set_esc(b, lo, "measures_comment", measures, ESC_COMMENT);
	free(measures);
}

/* Distinct location lists of a location lookup, in order of first
 * appearance; *out malloc'd (NULL with n 0 for another kind). */
static int distinct_params(struct vb *b, size_t li,
			   const struct lutgen_value ***out, size_t *nout)
{
	const struct lutgen_value **pv;
	const struct lutgen_entry *e;
	size_t a, i, k, n, total = 0, npv = 0;

	*out = NULL;
	*nout = 0;
	if (!lutgen_lookup_kind_is_locations(b->spec->lookups[li].kind))
		return 0;
	for (a = 0; a < b->spec->narches; a++) {
		lutgen_table_entries(b->t, li, b->spec->arches[a], &n);
		total += n;
	}
	pv = calloc(total ? total : 1, sizeof(*pv));
	if (!pv)
		return vb_fail(b, -ENOMEM, "emit: out of memory");
	for (a = 0; a < b->spec->narches; a++) {
		e = lutgen_table_entries(b->t, li, b->spec->arches[a], &n);
		for (i = 0; i < n; i++) {
			if (e[i].value.absent)
				continue;
			for (k = 0; k < npv; k++)
				if (lutgen_value_cmp(pv[k], &e[i].value) == 0)
					break;
			if (k == npv)
				pv[npv++] = &e[i].value;
		}
	}
	*out = pv;
	*nout = npv;
	return 0;
}

/* The JSON ranges of (lookup li, arch) into ao. */
static int add_json_ranges(struct vb *b, struct lutgen_robj *ao, size_t li,
			   const char *arch)
{
	char vs[RUNGO_VERSION_STR_MAX];
	struct lutgen_range *r = NULL;
	size_t i, nr = 0;
	int rc;

	rc = lutgen_table_ranges(b->t, li, arch, &r, &nr, b->err);
	if (rc < 0) {
		if (b->rc == 0)
			b->rc = rc;
		return rc;
	}
	lutgen_robj_list(ao, "ranges");
	for (i = 0; i < nr; i++) {
		struct lutgen_robj *ro = lutgen_robj_add(ao, "ranges");

		lutgen_robj_str(ro, "from", rungo_version_str(&r[i].from, vs));
		lutgen_robj_str(ro, "to", rungo_version_str(&r[i].to, vs));
		lutgen_robj_str(ro, "from_sha256", r[i].from_sha256);
		lutgen_robj_bool(ro, "single",
				 rungo_version_cmp(&r[i].from, &r[i].to) == 0);
		set_value_fields(b, ro, r[i].value);
	}
	free(r);
	return 0;
}

/* One arch of a lookup: its ranges (JSON and C) and its entries.  false
 * when nothing was measured for it. */
static bool add_lookup_arch(struct vb *b, struct lutgen_robj *lo, size_t li,
			    const char *arch,
			    const struct lutgen_value **pvals, size_t npvals)
{
	const struct lutgen_entry *e;
	struct lutgen_robj *ao;
	char en[48], vs[RUNGO_VERSION_STR_MAX];
	size_t n, i, nc = 0;

	e = lutgen_table_entries(b->t, li, arch, &n);
	if (n == 0)
		return false;
	if (!arch_enum(arch, en, sizeof(en))) {
		vb_fail(b, -EINVAL,
			"emit %s: arch '%s' is unknown to lutgen_go.h; "
			"add it to templates/lutgen_go.h.tmpl and "
			"lutgen/emit/emit.c",
			b->spec->name, arch);
		return false;
	}
	ao = lutgen_robj_add(lo, "arches");
	lutgen_robj_str(ao, "arch", arch);
	lutgen_robj_str(ao, "arch_enum", en);
	lutgen_robj_fmt(ao, "ranges_id", "lutgen_go_lut%zu_%s", li, arch);
	if (add_json_ranges(b, ao, li, arch) < 0)
		return false;
	add_c_ranges(b, ao, e, n, pvals, npvals, li, &nc);
	lutgen_robj_fmt(ao, "nranges", "%zu", nc);
	for (i = 0; i < n; i++) {
		struct lutgen_robj *eo = lutgen_robj_add(lo, "entries");

		lutgen_robj_str(eo, "version",
				rungo_version_str(&e[i].version, vs));
		lutgen_robj_str(eo, "arch", arch);
		lutgen_robj_str(eo, "sha256", e[i].toolchain_sha256);
		set_value_fields(b, eo, &e[i].value);
		set_matched(b, eo, &e[i].value);
	}
	return true;
}

static void add_lookup(struct vb *b, struct lutgen_robj *root, size_t li)
{
	const struct lutgen_lookup *lk = &b->spec->lookups[li];
	const struct lutgen_value **pvals = NULL;
	struct lutgen_robj *lo = lutgen_robj_add(root, "lookups");
	size_t a, k, npvals = 0, narches = 0;

	add_lookup_names(b, lo, lk, li);
	add_lookup_measures(b, lo, lk);
	if (distinct_params(b, li, &pvals, &npvals) != 0)
		return;
	lutgen_robj_list(lo, "param_values");
	for (k = 0; k < npvals; k++)
		add_param_value(b, lo, pvals[k], li, k);
	lutgen_robj_list(lo, "arches");
	lutgen_robj_list(lo, "entries");
	for (a = 0; a < b->spec->narches && b->rc == 0; a++)
		narches += add_lookup_arch(b, lo, li, b->spec->arches[a], pvals,
					   npvals);
	free(pvals);
	lutgen_robj_fmt(lo, "narches", "%zu", narches);
	lutgen_robj_bool(lo, "has_arches", narches > 0);
	if (narches > 0)
		lutgen_robj_fmt(lo, "arches_ref", "lutgen_go_lut%zu_arches", li);
	else
		lutgen_robj_str(lo, "arches_ref", "NULL");
}

/* Per spec arch: every version measured by any lookup, wrapped. */
static void add_measured(struct vb *b, struct lutgen_robj *root)
{
	const struct lutgen_spec *s = b->spec;
	struct rungo_version *vs = NULL;
	size_t a, l, i, j, n, nv, cap = 0;

	lutgen_robj_list(root, "arches");
	for (l = 0; l < s->nlookups; l++)
		for (a = 0; a < s->narches; a++) {
			lutgen_table_entries(b->t, l, s->arches[a], &n);
			cap += n;
		}
	vs = calloc(cap ? cap : 1, sizeof(*vs));
	if (!vs) {
		vb_fail(b, -ENOMEM, "emit: out of memory");
		return;
	}
	for (a = 0; a < s->narches; a++) {
		struct lutgen_robj *ao, *line = NULL;
		char v[RUNGO_VERSION_STR_MAX];

		/* Sorted union of the lookups' (sorted) versions. */
		nv = 0;
		for (l = 0; l < s->nlookups; l++) {
			const struct lutgen_entry *e =
				lutgen_table_entries(b->t, l, s->arches[a], &n);

			for (i = 0; i < n; i++) {
				for (j = nv; j > 0 && rungo_version_cmp(
					     &vs[j - 1], &e[i].version) > 0;
				     j--)
					;
				if (j > 0 &&
				    rungo_version_cmp(&vs[j - 1], &e[i].version)
					    == 0)
					continue;
				memmove(&vs[j + 1], &vs[j],
					(nv - j) * sizeof(*vs));
				vs[j] = e[i].version;
				nv++;
			}
		}
		if (nv == 0)
			continue;
		ao = lutgen_robj_add(root, "arches");
		lutgen_robj_str(ao, "arch", s->arches[a]);
		lutgen_robj_list(ao, "lines");
		common_sb_reset(&b->tmp);
		for (i = 0; i < nv; i++) {
			rungo_version_str(&vs[i], v);
			if (b->tmp.len > 0 &&
			    b->tmp.len + 1 + strlen(v) > EMIT_LINE_WIDTH) {
				line = lutgen_robj_add(ao, "lines");
				lutgen_robj_str(line, "text", common_sb_str(&b->tmp));
				common_sb_reset(&b->tmp);
			}
			if (b->tmp.len > 0)
				common_sb_puts(&b->tmp, " ");
			common_sb_puts(&b->tmp, v);
		}
		line = lutgen_robj_add(ao, "lines");
		lutgen_robj_str(line, "text", common_sb_str(&b->tmp));
	}
	free(vs);
}

static void add_notes(struct vb *b, struct lutgen_robj *root)
{
	struct lutgen_note *notes = NULL;
	size_t n = 0, i;
	int rc;

	lutgen_robj_list(root, "notes");
	rc = lutgen_table_notes(b->t, &notes, &n, b->err);
	if (rc < 0) {
		if (b->rc == 0)
			b->rc = rc;
		return;
	}
	for (i = 0; i < n; i++) {
		struct lutgen_robj *o = lutgen_robj_add(root, "notes");
		char v[RUNGO_VERSION_STR_MAX];

		lutgen_robj_str(o, "kind", notes[i].kind == LUTGEN_NOTE_REVERT
						   ? "revert"
						   : "patch-change");
		lutgen_robj_str(o, "lookup", notes[i].lookup);
		set_esc(b, o, "arch", notes[i].goarch, ESC_JSON);
		if (notes[i].module) {
			lutgen_robj_str(o, "before", notes[i].mod_before.str);
			lutgen_robj_str(o, "after", notes[i].mod_after.str);
		} else {
			rungo_version_str(&notes[i].before, v);
			lutgen_robj_str(o, "before", v);
			rungo_version_str(&notes[i].after, v);
			lutgen_robj_str(o, "after", v);
		}
		set_esc(b, o, "message_json", notes[i].message, ESC_JSON);
		set_esc(b, o, "message_comment", notes[i].message, ESC_COMMENT);
		set_lines(b, o, "message_lines", notes[i].message, 68, 68);
	}
	lutgen_robj_bool(root, "has_notes", n > 0);
	free(notes);
}

/* ---- module tables ---- */

static void set_modver_init(struct lutgen_robj *o, const char *key,
			    const struct rungo_modver *v)
{
	lutgen_robj_fmt(o, key, "{ %lluULL, %lluULL, %lluULL, \"%s\", %d }",
			(unsigned long long)v->major,
			(unsigned long long)v->minor,
			(unsigned long long)v->patch, v->pre,
			v->incompatible ? 1 : 0);
}

/* What every part of one module lookup needs to name and point at. */
struct mod_lut {
	size_t li;
	bool params;     /* a location lookup */
	bool keys_go;    /* keyed by Go version too */
	const struct lutgen_value **pvals;   /* distinct_params */
	size_t npvals;
};

/* Names and references of one module lookup in the templates. */
static void add_mod_lookup_names(struct vb *b, struct lutgen_robj *lo,
				 const struct lutgen_lookup *lk,
				 const struct mod_lut *ml)
{
	bool params = ml->params;

	lutgen_robj_str(lo, "name", lk->name);
	set_all_esc(b, lo, "doc", lk->doc);
	set_lines(b, lo, "doc_lines", lk->doc,
		  doc_first_width(strlen(lk->name) + 6, DOC_WIDTH), DOC_WIDTH);
	lutgen_robj_str(lo, "kind_name", lutgen_lookup_kind_name(lk->kind));
	lutgen_robj_str(lo, "kind_enum", params ? "LUTGEN_GO_LOOKUP_PARAMS"
						: "LUTGEN_GO_LOOKUP_U64");
	lutgen_robj_bool(lo, "is_u64", !params);
	lutgen_robj_bool(lo, "is_params", params);
	lutgen_robj_fmt(lo, "lut_id", "lutgen_mod_lut%zu", ml->li);
	lutgen_robj_fmt(lo, "arches_id", "lutgen_mod_lut%zu_arches", ml->li);
	lutgen_robj_str(lo, "mod_u64_ref", params ? "NULL" : lk->name);
	lutgen_robj_fmt(lo, "mod_u64_v_ref", "%s%s", params ? "NULL" : lk->name,
			params ? "" : "_v");
	lutgen_robj_str(lo, "mod_params_ref", params ? lk->name : "NULL");
	lutgen_robj_fmt(lo, "mod_params_v_ref", "%s%s",
			params ? lk->name : "NULL", params ? "_v" : "");
	lutgen_robj_str(lo, "keys_go_int", ml->keys_go ? "1" : "0");
}

/* One range of module versions sharing a value: its bounds and its C
 * value (a number, or a pointer to one of the distinct location lists). */
static void add_mod_range(struct vb *b, struct lutgen_robj *so,
			  const struct lutgen_modrange *r,
			  const struct mod_lut *ml, bool comma)
{
	struct lutgen_robj *ro = lutgen_robj_add(so, "mod_ranges");
	size_t k;

	lutgen_robj_str(ro, "from", r->from.str);
	lutgen_robj_str(ro, "to", r->to.str);
	lutgen_robj_bool(ro, "single", rungo_modver_cmp(&r->from, &r->to) == 0);
	set_modver_init(ro, "from_init", &r->from);
	set_modver_init(ro, "to_init", &r->to);
	lutgen_robj_str(ro, "from_h1", r->from_h1);
	lutgen_robj_bool(ro, "comma", comma);
	set_value_fields(b, ro, r->value);
	lutgen_robj_str(ro, "absent", r->value->absent ? "1" : "0");
	if (r->value->absent || !ml->params) {
		if (!r->value->absent && r->value->u > 2147483647u)
			lutgen_robj_fmt(ro, "u", "%" PRIu64 "ULL", r->value->u);
		else
			lutgen_robj_fmt(ro, "u", "%" PRIu64,
					r->value->absent ? (uint64_t)0
							 : r->value->u);
		lutgen_robj_str(ro, "params_ref", "NULL");
	} else {
		lutgen_robj_str(ro, "u", "0");
		for (k = 0; k < ml->npvals; k++)
			if (lutgen_value_cmp(ml->pvals[k], r->value) == 0)
				break;
		lutgen_robj_fmt(ro, "params_ref", "&lutgen_go_lut%zu_v%zu",
				ml->li, k);
	}
}

/* Slice si of (lookup, arch): the Go versions it covers and its module
 * ranges.  *done counts the ranges of the arch written so far. */
static void add_mod_slice(struct vb *b, struct lutgen_robj *ao,
			  const struct lutgen_goslice *sl, size_t si,
			  const char *arch, const struct mod_lut *ml,
			  size_t *done, size_t total)
{
	struct lutgen_robj *so = lutgen_robj_add(ao, "slices");
	char from[RUNGO_VERSION_STR_MAX], to[RUNGO_VERSION_STR_MAX];
	size_t j;

	rungo_version_str(&sl->go_from, from);
	rungo_version_str(&sl->go_to, to);
	lutgen_robj_fmt(so, "ranges_id", "lutgen_mod_lut%zu_%s_s%zu", ml->li,
			arch, si);
	lutgen_robj_fmt(so, "nranges", "%zu", sl->nranges);
	set_version_init(so, "go_from_init", &sl->go_from);
	set_version_init(so, "go_to_init", &sl->go_to);
	if (ml->keys_go) {
		lutgen_robj_fmt(so, "go_label", "go%d.%d", sl->go_from.major,
				sl->go_from.minor);
		lutgen_robj_fmt(so, "go_json", "\"go%d.%d\"", sl->go_from.major,
				sl->go_from.minor);
	} else {
		lutgen_robj_fmt(so, "go_label", "(%s%s%s)", from,
				strcmp(from, to) ? " .. " : "",
				strcmp(from, to) ? to : "");
		lutgen_robj_str(so, "go_json", "null");
	}
	lutgen_robj_list(so, "mod_ranges");
	for (j = 0; j < sl->nranges; j++) {
		++*done;
		add_mod_range(b, so, &sl->ranges[j], ml, *done < total);
	}
}

/* The measured entries of (lookup, arch) for the JSON. */
static void add_mod_entries(struct vb *b, struct lutgen_robj *lo,
			    const struct lutgen_entry *e, size_t n,
			    const char *arch)
{
	char vs[RUNGO_VERSION_STR_MAX];
	size_t i;

	for (i = 0; i < n; i++) {
		struct lutgen_robj *eo = lutgen_robj_add(lo, "entries");

		rungo_version_str(&e[i].version, vs);
		lutgen_robj_str(eo, "version", vs);
		lutgen_robj_str(eo, "module_version", e[i].module.str);
		lutgen_robj_str(eo, "module_h1", e[i].module_h1);
		lutgen_robj_str(eo, "arch", arch);
		lutgen_robj_str(eo, "sha256", e[i].toolchain_sha256);
		set_value_fields(b, eo, &e[i].value);
		set_matched(b, eo, &e[i].value);
	}
}

/* One arch of a module lookup: its Go slices and its entries.  1 when
 * added, 0 when nothing was measured for it, negative on error. */
static int add_mod_arch(struct vb *b, struct lutgen_robj *lo,
			const char *arch, const struct mod_lut *ml)
{
	struct lutgen_goslice *sl = NULL;
	const struct lutgen_entry *e;
	struct lutgen_robj *ao;
	char en[48];
	size_t n, i, nsl = 0, total = 0, done = 0;

	e = lutgen_table_entries(b->t, ml->li, arch, &n);
	if (n == 0)
		return 0;
	if (!arch_enum(arch, en, sizeof(en)))
		return vb_fail(b, -EINVAL,
			       "emit %s: arch '%s' is unknown to lutgen_go.h",
			       b->spec->name, arch);
	if (lutgen_table_mod_slices(b->t, ml->li, arch, &sl, &nsl,
				    b->err) < 0) {
		if (b->rc == 0)
			b->rc = -EINVAL;
		return -EINVAL;
	}
	ao = lutgen_robj_add(lo, "mod_arches");
	lutgen_robj_str(ao, "arch", arch);
	lutgen_robj_str(ao, "arch_enum", en);
	lutgen_robj_fmt(ao, "slices_id", "lutgen_mod_lut%zu_%s", ml->li, arch);
	lutgen_robj_fmt(ao, "nslices", "%zu", nsl);
	lutgen_robj_list(ao, "slices");
	for (i = 0; i < nsl; i++)
		total += sl[i].nranges;
	for (i = 0; i < nsl; i++)
		add_mod_slice(b, ao, &sl[i], i, arch, ml, &done, total);
	lutgen_goslices_free(sl, nsl);
	add_mod_entries(b, lo, e, n, arch);
	return 1;
}

static void add_mod_lookup(struct vb *b, struct lutgen_robj *root, size_t li)
{
	const struct lutgen_lookup *lk = &b->spec->lookups[li];
	struct lutgen_robj *lo = lutgen_robj_add(root, "lookups");
	struct mod_lut ml = { 0 };
	size_t a, k, narches = 0;
	int rc;

	ml.li = li;
	ml.params = lutgen_lookup_kind_is_locations(lk->kind);
	ml.keys_go = lutgen_table_keys_go(b->t);
	add_mod_lookup_names(b, lo, lk, &ml);
	add_lookup_measures(b, lo, lk);
	if (distinct_params(b, li, &ml.pvals, &ml.npvals) != 0)
		return;
	lutgen_robj_list(lo, "param_values");
	for (k = 0; k < ml.npvals; k++)
		add_param_value(b, lo, ml.pvals[k], li, k);
	lutgen_robj_list(lo, "mod_arches");
	lutgen_robj_list(lo, "entries");
	for (a = 0; a < b->spec->narches && b->rc == 0; a++) {
		rc = add_mod_arch(b, lo, b->spec->arches[a], &ml);
		if (rc < 0)
			break;
		narches += (size_t)rc;
	}
	free(ml.pvals);
	lutgen_robj_fmt(lo, "narches", "%zu", narches);
	lutgen_robj_bool(lo, "has_arches", narches > 0);
	if (narches > 0)
		lutgen_robj_fmt(lo, "arches_ref", "lutgen_mod_lut%zu_arches", li);
	else
		lutgen_robj_str(lo, "arches_ref", "NULL");
}

/* Per spec arch: every module version measured by any lookup, wrapped;
 * and the Go toolchains used. */
static void add_mod_measured(struct vb *b, struct lutgen_robj *root)
{
	const struct lutgen_spec *s = b->spec;
	struct rungo_modver *mv = NULL;
	struct rungo_version *gv = NULL;
	size_t a, l, i, j, n, nmv, ngv = 0, cap = 0;

	lutgen_robj_list(root, "arches");
	lutgen_robj_list(root, "go_versions");
	for (l = 0; l < s->nlookups; l++)
		for (a = 0; a < s->narches; a++) {
			lutgen_table_entries(b->t, l, s->arches[a], &n);
			cap += n;
		}
	mv = calloc(cap ? cap : 1, sizeof(*mv));
	gv = calloc(cap ? cap : 1, sizeof(*gv));
	if (!mv || !gv) {
		vb_fail(b, -ENOMEM, "emit: out of memory");
		goto out;
	}
	for (a = 0; a < s->narches; a++) {
		struct lutgen_robj *ao, *line;

		nmv = 0;
		for (l = 0; l < s->nlookups; l++) {
			const struct lutgen_entry *e =
				lutgen_table_entries(b->t, l, s->arches[a], &n);

			for (i = 0; i < n; i++) {
				for (j = nmv; j > 0 && rungo_modver_cmp(
					     &mv[j - 1], &e[i].module) > 0; j--)
					;
				if (!(j > 0 && rungo_modver_cmp(&mv[j - 1],
								&e[i].module) == 0)) {
					memmove(&mv[j + 1], &mv[j],
						(nmv - j) * sizeof(*mv));
					mv[j] = e[i].module;
					nmv++;
				}
				for (j = ngv; j > 0 && rungo_version_cmp(
					     &gv[j - 1], &e[i].version) > 0; j--)
					;
				if (!(j > 0 && rungo_version_cmp(&gv[j - 1],
								 &e[i].version) == 0)) {
					memmove(&gv[j + 1], &gv[j],
						(ngv - j) * sizeof(*gv));
					gv[j] = e[i].version;
					ngv++;
				}
			}
		}
		if (nmv == 0)
			continue;
		ao = lutgen_robj_add(root, "arches");
		lutgen_robj_str(ao, "arch", s->arches[a]);
		lutgen_robj_list(ao, "lines");
		common_sb_reset(&b->tmp);
		for (i = 0; i < nmv; i++) {
			if (b->tmp.len > 0 &&
			    b->tmp.len + 1 + strlen(mv[i].str) > EMIT_LINE_WIDTH) {
				line = lutgen_robj_add(ao, "lines");
				lutgen_robj_str(line, "text", common_sb_str(&b->tmp));
				common_sb_reset(&b->tmp);
			}
			if (b->tmp.len > 0)
				common_sb_puts(&b->tmp, " ");
			common_sb_puts(&b->tmp, mv[i].str);
		}
		line = lutgen_robj_add(ao, "lines");
		lutgen_robj_str(line, "text", common_sb_str(&b->tmp));
	}
	common_sb_reset(&b->tmp);
	for (i = 0; i < ngv; i++) {
		char v[RUNGO_VERSION_STR_MAX];
		struct lutgen_robj *o = lutgen_robj_add(root, "go_versions");

		rungo_version_str(&gv[i], v);
		lutgen_robj_str(o, "v", v);
		common_sb_printf(&b->tmp, "%s%s", i ? " " : "", v);
	}
	lutgen_robj_str(root, "go_versions_text",
			ngv ? common_sb_str(&b->tmp) : "(none)");
out:
	free(mv);
	free(gv);
}

/* module_skip_json: {"vX.Y.Z": "why", ...} of module.skip, {} when none. */
static void add_mod_skip(struct vb *b, struct lutgen_robj *root,
			 const struct lutgen_spec_module *m)
{
	cJSON *o = cJSON_CreateObject();
	char *text = NULL;
	size_t i;

	for (i = 0; o && i < m->nskip; i++)
		if (!cJSON_AddStringToObject(o, m->skip[i].version.str,
					     m->skip[i].why))
			break;
	if (o && i == m->nskip)
		text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text) {
		vb_fail(b, -ENOMEM, "out of memory");
		return;
	}
	lutgen_robj_str(root, "module_skip_json", text);
	free(text);
}

/* Root fields of a module table. */
static void add_mod_root(struct vb *b, struct lutgen_robj *root)
{
	const struct lutgen_spec_module *m = b->spec->module;
	const char *ev = lutgen_table_go_evidence(b->t);
	bool keys_go = lutgen_table_keys_go(b->t);
	struct rungo_modver newest;
	char go[RUNGO_VERSION_STR_MAX];

	set_all_esc(b, root, "module_path", m->path);
	if (m->has_min)
		lutgen_robj_fmt(root, "module_min_json", "\"%s\"",
				m->min_version.str);
	else
		lutgen_robj_str(root, "module_min_json", "null");
	if (m->has_max)
		lutgen_robj_fmt(root, "module_max_json", "\"%s\"",
				m->max_version.str);
	else
		lutgen_robj_str(root, "module_max_json", "null");
	lutgen_robj_str(root, "module_policy", rungo_policy_name(m->policy));
	lutgen_robj_str(root, "module_prerelease",
			m->prerelease ? "true" : "false");
	set_esc(b, root, "module_go_json", lutgen_mod_go_name(m, go, sizeof(go)),
		ESC_JSON);
	add_mod_skip(b, root, m);
	lutgen_robj_bool(root, "keys_go", keys_go);
	lutgen_robj_str(root, "keys_go_int", keys_go ? "1" : "0");
	lutgen_robj_str(root, "keys_go_json", keys_go ? "true" : "false");
	set_esc(b, root, "go_evidence_json", ev, ESC_JSON);
	set_lines(b, root, "go_evidence_lines", ev, 66, 66);
	if (lutgen_table_newest_module(b->t, &newest)) {
		lutgen_robj_str(root, "newest", newest.str);
		lutgen_robj_fmt(root, "newest_json", "\"%s\"", newest.str);
	} else {
		lutgen_robj_str(root, "newest", "(none)");
		lutgen_robj_str(root, "newest_json", "null");
	}
}

/* Spec and lookup names become C identifiers of the generated code. */
static int check_names(const struct lutgen_spec *s, struct common_err *err)
{
	size_t i;

	if (!s || !lutgen_spec_is_c_identifier(s->name))
		return common_err_set(err, -EINVAL,
				      "emit: spec name '%s' is not a C identifier",
				      s && s->name ? s->name : "");
	for (i = 0; i < s->nlookups; i++)
		if (!lutgen_spec_is_c_identifier(s->lookups[i].name))
			return common_err_set(err, -EINVAL,
					      "emit %s: lookup name '%s' is not "
					      "a C identifier",
					      s->name,
					      s->lookups[i].name
						     ? s->lookups[i].name
						     : "");
	return 0;
}

/* "LUTGEN_GO_TABLE_<NAME>_H". */
static void add_guard(struct vb *b, struct lutgen_robj *root)
{
	char guard[256];
	size_t j;
	int rc;

	rc = snprintf(guard, sizeof(guard), "LUTGEN_GO_TABLE_%s_H",
		      b->spec->name);
	if (rc < 0 || (size_t)rc >= sizeof(guard)) {
		vb_fail(b, -ENAMETOOLONG, "emit: spec name '%s' too long",
			b->spec->name);
		return;
	}
	for (j = 0; guard[j]; j++)
		if (guard[j] >= 'a' && guard[j] <= 'z')
			guard[j] = (char)(guard[j] - 'a' + 'A');
	lutgen_robj_str(root, "guard", guard);
}

/* The spec's own fields: name, doc, program, paths, versions, arches. */
static void add_spec(struct vb *b, struct lutgen_robj *root)
{
	const struct lutgen_spec *s = b->spec;
	struct rungo_version newest;
	char v[RUNGO_VERSION_STR_MAX];
	const char *policy = rungo_policy_name(s->policy);
	size_t i;

	lutgen_robj_str(root, "name", s->name);
	set_all_esc(b, root, "doc", s->doc);
	/* " * NAME.h - " precedes the first line. */
	set_lines(b, root, "doc_lines", s->doc,
		  doc_first_width(strlen(s->name) + 8, DOC_WIDTH + 3),
		  DOC_WIDTH);
	set_all_esc(b, root, "program", s->program);
	set_esc(b, root, "spec_path", spec_rel_path(s->path), ESC_COMMENT);
	set_esc(b, root, "spec_path_json", spec_rel_path(s->path), ESC_JSON);
	add_guard(b, root);
	lutgen_robj_str(root, "min_version",
			rungo_version_str(&s->min_version, v));
	lutgen_robj_str(root, "policy", policy ? policy : "?");
	if (b->spec->module) {
		add_mod_root(b, root);
	} else if (lutgen_table_newest(b->t, &newest)) {
		rungo_version_str(&newest, v);
		lutgen_robj_str(root, "newest", v);
		lutgen_robj_fmt(root, "newest_json", "\"%s\"", v);
	} else {
		lutgen_robj_str(root, "newest", "(none)");
		lutgen_robj_str(root, "newest_json", "null");
	}
	lutgen_robj_list(root, "spec_arches");
	for (i = 0; i < s->narches; i++) {
		struct lutgen_robj *o = lutgen_robj_add(root, "spec_arches");

		set_esc(b, o, "arch_json", s->arches[i], ESC_JSON);
	}
}

static void add_lookups(struct vb *b, struct lutgen_robj *root)
{
	const struct lutgen_spec *s = b->spec;
	size_t i;

	lutgen_robj_list(root, "lookups");
	for (i = 0; i < s->nlookups && b->rc == 0; i++)
		if (s->module)
			add_mod_lookup(b, root, i);
		else
			add_lookup(b, root, i);
	lutgen_robj_fmt(root, "nlookups", "%zu", s->nlookups);
	lutgen_robj_bool(root, "has_lookups", s->nlookups > 0);
	lutgen_robj_fmt(root, "lookups_id", "lutgen_go_lookups_%s", s->name);
	if (s->nlookups > 0)
		lutgen_robj_fmt(root, "lookups_ref", "lutgen_go_lookups_%s",
				s->name);
	else
		lutgen_robj_str(root, "lookups_ref", "NULL");
	/* Tables keyed by the Go version; a module-keyed table names its
	 * module here (lutgen_go_table_desc.module). */
	lutgen_robj_str(root, "module_ref", "NULL");
}

static int build_view(const struct lutgen_table *t, struct lutgen_rview **out,
		      struct common_err *err)
{
	struct lutgen_robj *root;
	struct vb b;
	int rc;

	memset(&b, 0, sizeof(b));
	b.t = t;
	b.spec = lutgen_table_spec(t);
	b.err = err;
	rc = check_names(b.spec, err);
	if (rc)
		return rc;
	b.view = lutgen_rview_new();
	if (!b.view)
		return common_err_set(err, -ENOMEM, "emit: out of memory");
	root = lutgen_rview_root(b.view);
	add_spec(&b, root);
	if (b.rc == 0) {
		if (b.spec->module)
			add_mod_measured(&b, root);
		else
			add_measured(&b, root);
		add_notes(&b, root);
		add_lookups(&b, root);
	}
	free(b.tmp.p);
	if (b.rc == 0 && b.tmp.oom)
		b.rc = common_err_set(err, -ENOMEM, "emit: out of memory");
	if (b.rc == 0 && lutgen_rview_status(b.view) != 0)
		b.rc = common_err_set(err, lutgen_rview_status(b.view),
				      "emit: out of memory");
	if (b.rc != 0) {
		lutgen_rview_free(b.view);
		return b.rc;
	}
	*out = b.view;
	return 0;
}

/* ---- rendering and writing ---- */

/* Output kinds: a table's own files (rendered with its view) and the
 * shared runtime files every table links with (rendered without one:
 * lutgen_go.* for the tables, lutgen_gobin.* the Go binary reader). */
static const struct {
	const char *which, *tmpl;
	const char *file;  /* runtime: the file name; NULL: <spec>.<which> */
} emit_kinds[] = {
	{ "go.h", "lutgen_go.h.tmpl", "lutgen_go.h" },
	{ "go.c", "lutgen_go.c.tmpl", "lutgen_go.c" },
	{ "gobin.h", "lutgen_gobin.h.tmpl", "lutgen_gobin.h" },
	{ "gobin.c", "lutgen_gobin.c.tmpl", "lutgen_gobin.c" },
	{ "h", "table.h.tmpl", NULL },
	{ "c", "table.c.tmpl", NULL },
	{ "json", "table.json.tmpl", NULL },
};
#define EMIT_NKINDS (sizeof(emit_kinds) / sizeof(emit_kinds[0]))

static int kind_index(const char *which)
{
	size_t i;

	for (i = 0; i < EMIT_NKINDS; i++)
		if (strcmp(emit_kinds[i].which, which) == 0)
			return (int)i;
	return -1;
}

/* Module tables render their own files from modtable.*.tmpl. */
static const char *template_for(const char *which, bool module)
{
	int k = kind_index(which);

	if (k < 0)
		return NULL;
	if (module && !emit_kinds[k].file) {
		if (strcmp(which, "h") == 0)
			return "modtable.h.tmpl";
		if (strcmp(which, "c") == 0)
			return "modtable.c.tmpl";
		return "modtable.json.tmpl";
	}
	return emit_kinds[k].tmpl;
}

static bool is_runtime(const char *which)
{
	int k = kind_index(which);

	return k >= 0 && emit_kinds[k].file != NULL;
}

/* Render `which` with an already built view (NULL for runtime files). */
static int render_with(const struct lutgen_rview *view, const char *which,
		       bool module, char **out, size_t *len,
		       struct common_err *err)
{
	const char *name = template_for(which, module);
	const struct lutgen_template *tmpl;
	struct lutgen_rview *empty = NULL;
	int rc;

	if (!name)
		return common_err_set(err, -EINVAL,
				      "emit: no output kind '%s' (c, h, json, "
				      "go.c, go.h, gobin.c, gobin.h)",
				      which);
	tmpl = lutgen_template_find(name);
	if (!tmpl)
		return common_err_set(err, -ENOENT,
				      "emit: template %s is not embedded; "
				      "rebuild lutgen",
				      name);
	if (!view) {
		empty = lutgen_rview_new();
		if (!empty)
			return common_err_set(err, -ENOMEM, "emit: out of memory");
		view = empty;
	}
	rc = lutgen_render(tmpl->name, tmpl->text, tmpl->len, view, out, len,
			   err);
	lutgen_rview_free(empty);
	return rc;
}

int lutgen_emit_render(const struct lutgen_table *t, const char *which,
		       char **out, struct common_err *err)
{
	struct lutgen_rview *view = NULL;
	int rc;

	if (!which || !out)
		return common_err_set(err, -EINVAL, "emit: NULL argument");
	if (!is_runtime(which)) {
		if (!t)
			return common_err_set(err, -EINVAL,
					      "emit: NULL table");
		rc = build_view(t, &view, err);
		if (rc < 0)
			return rc;
	}
	rc = render_with(view, which, t && lutgen_table_is_module(t), out,
			 NULL, err);
	lutgen_rview_free(view);
	return rc;
}

/* Does `path` hold exactly data[0..len)? */
static bool same_content(const char *path, const char *data, size_t len)
{
	char buf[8192];
	size_t off = 0;
	bool same = false;
	FILE *f = fopen(path, "rb");

	if (!f)
		return false;
	for (;;) {
		size_t n = fread(buf, 1, sizeof(buf), f);

		if (n == 0) {
			same = !ferror(f) && off == len;
			break;
		}
		if (off + n > len || memcmp(buf, data + off, n) != 0)
			break;
		off += n;
	}
	fclose(f);
	return same;
}

/* Write dir/file atomically unless it already holds data. */
static int write_file(const char *dir, const char *file, const char *data,
		      size_t len, bool dry_run, bool *changed,
		      struct common_err *err)
{
	char path[4096];
	int n, rc;

	n = snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (n < 0 || (size_t)n >= sizeof(path))
		return common_err_set(err, -ENAMETOOLONG,
				      "emit: output path %s/%s too long", dir,
				      file);
	if (same_content(path, data, len))
		return 0;
	*changed = true;
	if (dry_run)
		return 0;
	rc = common_fs_write_atomic(path, data, len, err);
	return rc ? common_err_prefix(err, rc, "emit") : 0;
}

int lutgen_emit(const struct lutgen_table *t, const char *out_dir,
		const struct lutgen_emit_opts *opts, struct common_err *err)
{
	enum { NKINDS = EMIT_NKINDS };
	const struct lutgen_spec *spec = lutgen_table_spec(t);
	struct lutgen_rview *view = NULL;
	char *text[NKINDS] = { NULL };
	size_t len[NKINDS] = { 0 };
	bool changed = false;
	struct stat st;
	size_t i;
	int rc;

	if (!t || !spec || !out_dir)
		return common_err_set(err, -EINVAL, "emit: NULL argument");
	if (opts && opts->changed)
		*opts->changed = false;
	if (stat(out_dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return common_err_set(err, -ENOENT,
				      "emit: output directory %s does not "
				      "exist; create it first",
				      out_dir);

	/* Render everything before writing anything. */
	rc = build_view(t, &view, err);
	if (rc < 0)
		return rc;
	for (i = 0; i < NKINDS; i++) {
		rc = render_with(emit_kinds[i].file ? NULL : view,
				 emit_kinds[i].which, spec->module != NULL,
				 &text[i], &len[i], err);
		if (rc < 0)
			goto out;
	}
	for (i = 0; i < NKINDS; i++) {
		char file[512];
		int n;

		if (emit_kinds[i].file)
			n = snprintf(file, sizeof(file), "%s",
				     emit_kinds[i].file);
		else
			n = snprintf(file, sizeof(file), "%s.%s", spec->name,
				     emit_kinds[i].which);
		if (n < 0 || (size_t)n >= sizeof(file)) {
			rc = common_err_set(err, -ENAMETOOLONG,
					    "emit: spec name '%s' too long",
					    spec->name);
			goto out;
		}
		rc = write_file(out_dir, file, text[i], len[i],
				opts && opts->dry_run, &changed, err);
		if (rc < 0)
			goto out;
	}
out:
	if (opts && opts->changed)
		*opts->changed = changed;
	for (i = 0; i < NKINDS; i++)
		free(text[i]);
	lutgen_rview_free(view);
	return rc;
}
