/* SPDX-License-Identifier: MIT */
/*
 * lutgen inspect: tell a Go ELF's version, arch, build settings and
 * modules, and what every compiled-in table answers for it; --verify
 * checks the answers against the binary's own DWARF; --symbol finds a
 * function for a uprobe.  Everything about the binary comes from the
 * vendorable reader generated/lutgen_gobin.{h,c} (the code agents copy);
 * this command adds only what needs libdw (--verify) and capstone
 * (return-instruction offsets).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generated/lutgen_gobin.h"
#include "lutgen/binary/disasm.h"
#include "lutgen/cli/cli.h"
#include "lutgen/cli/tables.h"
#include "lutgen/measure/dwarf.h"

enum {
	OPT_VERIFY = LUTGEN_OPT_FIRST_FREE,
	OPT_SYMBOL,
};

/* The code of one function read for the return scan, at most. */
#define MAX_FUNC_BYTES ((size_t)16 << 20)

static void usage(FILE *f)
{
	fputs("Usage: lutgen inspect [OPTIONS] BINARY\n"
	      "       lutgen inspect --symbol NAME [OPTIONS] BINARY\n"
	      "\n"
	      "Tell a Go ELF binary's Go version, GOARCH, linkage, PIE, symbol\n"
	      "and DWARF presence, build settings and modules, then what every\n"
	      "compiled-in table answers for that version and arch.  Works on\n"
	      "stripped and static binaries.  Strings from the binary are shown\n"
	      "with control characters and invalid UTF-8 as \\xNN.\n"
	      "\n"
	      "Options:\n"
	      "  -h, --help          show this help\n"
	      "      --verify        read the same values from the binary's DWARF\n"
	      "                      and report disagreements (exit 1 if any)\n"
	      "      --symbol NAME   print the function's address, file offset\n"
	      "                      and return-instruction offsets (uprobes),\n"
	      "                      from .symtab or, when stripped, the pclntab\n" LUTGEN_CLI_COMMON_HELP,
	      f);
}

/* ---- opening ---- */

/* A reader error as a common_err (lutgen_cli_fail escapes it). */
static int reader_fail(struct common_err *err, const struct lutgen_gobin_err *ge,
		       const char *suffix)
{
	return common_err_set(err, ge->code, "%s%s", ge->msg, suffix);
}

/* Open the binary and refuse what we cannot read, with one clear line.
 * need_go: a gc-built Go binary is required (else any ELF will do, but a
 * gccgo one is still refused). */
static int binary_open(const char *path, bool need_go,
		       struct lutgen_gobin **out, struct common_err *err)
{
	struct lutgen_gobin_opts o = { .flags = LUTGEN_GOBIN_REQUIRE_GO };
	struct lutgen_gobin_err ge;
	const struct lutgen_gobin_info *in;
	int rc;

	*out = NULL;
	rc = lutgen_gobin_open(path, &o, out, &ge);
	if (rc == -ENODATA && !need_go) {
		o.flags = 0;
		rc = lutgen_gobin_open(path, &o, out, &ge);
	}
	if (rc)
		return reader_fail(err, &ge,
				   rc == -ENOEXEC
					   ? " (lutgen inspect reads Go ELF binaries)"
					   : "");
	in = lutgen_gobin_info(*out);
	if (in->truncated) {
		rc = common_err_set(err, -ENOEXEC,
				    "%s: truncated ELF file (its headers describe %" PRIu64
				    " bytes, the file has %" PRIu64 ")",
				    path, in->described_size, in->file_size);
		lutgen_gobin_free(*out);
		*out = NULL;
		return rc;
	}
	return 0;
}

static const char *kind_name(const struct lutgen_gobin_info *in)
{
	switch (in->kind) {
	case LUTGEN_GOBIN_EXECUTABLE: return "executable";
	case LUTGEN_GOBIN_PIE: return "pie";
	case LUTGEN_GOBIN_SHARED: return "shared-object";
	case LUTGEN_GOBIN_OTHER: break;
	}
	return "other";
}

static const char *linkage(const struct lutgen_gobin_info *in)
{
	return in->is_static ? "static" : "dynamic";
}

static const char *bisource_name(enum lutgen_gobin_bisource s)
{
	switch (s) {
	case LUTGEN_GOBIN_BI_SECTION: return ".go.buildinfo section";
	case LUTGEN_GOBIN_BI_SEGMENT: return "data segment scan";
	case LUTGEN_GOBIN_BI_SYMBOL: return "runtime.buildVersion symbol";
	case LUTGEN_GOBIN_BI_NONE: break;
	}
	return "none";
}

static const char *symsrc_name(enum lutgen_gobin_symsrc s)
{
	switch (s) {
	case LUTGEN_GOBIN_SYM_SYMTAB: return "symtab";
	case LUTGEN_GOBIN_SYM_DYNSYM: return "dynsym";
	case LUTGEN_GOBIN_SYM_PCLNTAB: return "pclntab";
	}
	return "?";
}

/* ---- table answers ---- */

struct answer {
	const struct lutgen_go_table_desc *table;
	const struct lutgen_go_lookup_desc *lookup;
	int rc;
	uint64_t u;
	const struct lutgen_go_params *params;
	/* --verify */
	bool verified;       /* a DWARF value was read */
	bool disagrees;
	char dwarf_text[512];
	char verify_note[COMMON_ERR_MSG_SIZE + 64];
};

/* The reader answers the table for the binary (its Go version, or the
 * version of the table's module, and its GOARCH). */
static void ask(struct answer *a, const struct lutgen_gobin *b)
{
	int64_t c = 0;

	if (a->lookup->kind == LUTGEN_GO_LOOKUP_PARAMS) {
		a->rc = lutgen_gobin_lookup_params(b, a->table, a->lookup->name,
						   &a->params);
	} else if (a->lookup->kind == LUTGEN_GO_LOOKUP_I64) {
		a->rc = lutgen_gobin_lookup_i64(b, a->table, a->lookup->name,
						&c);
		a->u = (uint64_t)c;   /* two's complement, as value.h keeps it */
	} else {
		a->rc = lutgen_gobin_lookup(b, a->table, a->lookup->name, &a->u);
	}
}

static void format_go_params(const struct lutgen_go_params *p, char *buf,
			     size_t size)
{
	size_t used = 0;
	uint32_t i, k;

	buf[0] = '\0';
	for (i = 0; p && i < p->nparams && used < size; i++) {
		const struct lutgen_go_param *pa = &p->params[i];
		int w = snprintf(buf + used, size - used, "%s%s:", i ? " " : "",
				 pa->name ? pa->name : "?");

		if (w < 0 || (size_t)w >= size - used)
			break;
		used += (size_t)w;
		for (k = 0; k < pa->npieces && used < size; k++) {
			const struct lutgen_go_loc_piece *pc = &pa->pieces[k];

			if (pc->kind == LUTGEN_GO_LOC_REG)
				w = snprintf(buf + used, size - used, "%s%s(%u)",
					     k ? "+" : "", pc->reg_name,
					     (unsigned)pc->size);
			else if (pc->kind == LUTGEN_GO_LOC_TLS)
				w = snprintf(buf + used, size - used,
					     "%sTLS%+" PRId32 "(%u)", k ? "+" : "",
					     pc->stack_offset, (unsigned)pc->size);
			else
				w = snprintf(buf + used, size - used,
					     "%s%" PRId32 "(SP)(%u)", k ? "+" : "",
					     pc->stack_offset, (unsigned)pc->size);
			if (w < 0 || (size_t)w >= size - used)
				return;
			used += (size_t)w;
		}
	}
}

static cJSON *params_json(const struct lutgen_go_params *p)
{
	cJSON *arr = cJSON_CreateArray();
	uint32_t i, k;

	for (i = 0; arr && p && i < p->nparams; i++) {
		const struct lutgen_go_param *pa = &p->params[i];
		cJSON *o = cJSON_CreateObject(), *pieces = cJSON_CreateArray();

		if (!o || !pieces) {
			cJSON_Delete(o);
			cJSON_Delete(pieces);
			break;
		}
		cJSON_AddStringToObject(o, "name", pa->name ? pa->name : "");
		cJSON_AddNumberToObject(o, "size", pa->size);
		for (k = 0; k < pa->npieces; k++) {
			const struct lutgen_go_loc_piece *pc = &pa->pieces[k];
			cJSON *po = cJSON_CreateObject();

			if (!po)
				break;
			if (pc->kind == LUTGEN_GO_LOC_REG) {
				cJSON_AddStringToObject(po, "kind", "reg");
				cJSON_AddStringToObject(po, "reg", pc->reg_name);
				cJSON_AddNumberToObject(po, "dwarf_reg", pc->reg);
			} else {
				cJSON_AddStringToObject(po, "kind",
							pc->kind == LUTGEN_GO_LOC_TLS ?
							"tls" : "stack");
				cJSON_AddNumberToObject(po, "stack_offset",
							pc->stack_offset);
			}
			cJSON_AddNumberToObject(po, "size", pc->size);
			cJSON_AddItemToArray(pieces, po);
		}
		cJSON_AddItemToObject(o, "pieces", pieces);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* Compare a DWARF value with the table's params (0 equal). */
static int params_cmp(const struct lutgen_value *v,
		      const struct lutgen_go_params *p)
{
	size_t i, k;

	if (!p || v->nparams != p->nparams)
		return 1;
	for (i = 0; i < v->nparams; i++) {
		const struct lutgen_param *a = &v->params[i];
		const struct lutgen_go_param *b = &p->params[i];

		if (a->size != b->size || a->npieces != b->npieces ||
		    strcmp(a->name ? a->name : "", b->name ? b->name : "") != 0)
			return 1;
		for (k = 0; k < a->npieces; k++) {
			const struct lutgen_piece *x = &a->pieces[k];
			const struct lutgen_go_loc_piece *y = &b->pieces[k];

			if (x->size != y->size)
				return 1;
			if (x->kind == LUTGEN_PIECE_REG) {
				if (y->kind != LUTGEN_GO_LOC_REG || x->reg != y->reg)
					return 1;
			} else if (y->kind != (x->kind == LUTGEN_PIECE_TLS ?
						       LUTGEN_GO_LOC_TLS :
						       LUTGEN_GO_LOC_STACK) ||
				   x->stack_offset != y->stack_offset) {
				return 1;
			}
		}
	}
	return 0;
}

/* "struct_offset runtime.g goid" -> kind + up to two words. */
static int parse_measures(const char *m, enum lutgen_lookup_kind *k,
			  char *a1, size_t s1, char *a2, size_t s2)
{
	char kindw[32];
	int n;

	a1[0] = a2[0] = '\0';
	if (!m)
		return -EINVAL;
	n = sscanf(m, "%31s", kindw);
	if (n != 1)
		return -EINVAL;
	m += strlen(kindw);
	while (*m == ' ')
		m++;
	{
		size_t w = strcspn(m, " ");

		if (w >= s1)
			return -EINVAL;
		memcpy(a1, m, w);
		a1[w] = '\0';
		m += w;
		while (*m == ' ')
			m++;
		w = strlen(m);
		if (w >= s2)
			return -EINVAL;
		memcpy(a2, m, w + 1);
	}
	return lutgen_lookup_kind_parse(kindw, k);
}

/*
 * What the DWARF says for a lookup described by its measures words: a1
 * the type (type kinds) or the symbol, a2 the field path; each may list
 * alternatives "x|y", tried in order.  Returns the first that exists.
 */
static int dwarf_answer(struct lutgen_dwarf *d, enum lutgen_lookup_kind k,
			char *a1, char *a2, struct lutgen_value *v,
			struct common_err *e)
{
	bool typed = k == LUTGEN_LOOKUP_STRUCT_OFFSET ||
		     k == LUTGEN_LOOKUP_FIELD_SIZE ||
		     k == LUTGEN_LOOKUP_TYPE_SIZE;
	bool field = typed && k != LUTGEN_LOOKUP_TYPE_SIZE;
	char *opt = strstr(a2, " (optional)"), *s1, *s2, *p1, *p2;
	int rc = -ENOENT;

	if (opt)
		*opt = '\0';
	if (!field && typed && a2[0] == '(')
		a2[0] = '\0';
	for (s1 = strtok_r(a1, "|", &p1); s1 && rc == -ENOENT;
	     s1 = strtok_r(NULL, "|", &p1)) {
		char f2[256];

		snprintf(f2, sizeof(f2), "%s", a2);
		for (s2 = field ? strtok_r(f2, "|", &p2) : NULL;
		     rc == -ENOENT && (s2 || !field);
		     s2 = field ? strtok_r(NULL, "|", &p2) : NULL) {
			common_err_clear(e);
			rc = lutgen_dwarf_lookup(d, k, typed ? s1 : NULL,
						 field ? s2 : NULL,
						 typed ? NULL : s1, v, e);
			if (!field)
				break;
		}
	}
	return rc;
}

static void verify_one(struct lutgen_dwarf *d, struct answer *a)
{
	enum lutgen_lookup_kind k;
	char a1[256], a2[256];
	struct lutgen_value v;
	struct common_err e = { 0 };
	int rc;

	if (parse_measures(a->lookup->measures, &k, a1, sizeof(a1), a2,
			   sizeof(a2)) != 0) {
		snprintf(a->verify_note, sizeof(a->verify_note),
			 "cannot verify: unknown measure '%s'",
			 a->lookup->measures ? a->lookup->measures : "");
		return;
	}
	memset(&v, 0, sizeof(v));
	rc = dwarf_answer(d, k, a1, a2, &v, &e);
	if (rc) {
		snprintf(a->verify_note, sizeof(a->verify_note),
			 "not in this binary's DWARF: %s", e.msg);
		return;
	}
	a->verified = true;
	if (lutgen_value_format(&v, a->dwarf_text, sizeof(a->dwarf_text)) != 0)
		snprintf(a->dwarf_text, sizeof(a->dwarf_text), "(too long)");
	if (a->rc < 0) {
		snprintf(a->verify_note, sizeof(a->verify_note),
			 "table has no answer; DWARF says %s", a->dwarf_text);
	} else if (lutgen_lookup_kind_is_locations(k)
			   ? params_cmp(&v, a->params) != 0
			   : v.u != a->u) {
		a->disagrees = true;
		snprintf(a->verify_note, sizeof(a->verify_note),
			 "DISAGREES: DWARF says %s", a->dwarf_text);
	} else {
		snprintf(a->verify_note, sizeof(a->verify_note), "agrees");
	}
	lutgen_value_free(&v);
}

/* ---- output ---- */

/* o[key] = the escaped string, or null. */
static void add_str(cJSON *o, const char *key, const char *s)
{
	char *e = lutgen_cli_escape(s);

	if (e)
		cJSON_AddStringToObject(o, key, e);
	else
		cJSON_AddNullToObject(o, key);
	free(e);
}

static void add_tri(cJSON *o, const char *key, int v)
{
	if (v < 0)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddBoolToObject(o, key, v);
}

static cJSON *module_json(const struct lutgen_gobin_module *m)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	add_str(o, "path", m->path);
	add_str(o, "version", m->version);
	add_str(o, "sum", m->sum);
	if (m->replace)
		cJSON_AddItemToObject(o, "replace", module_json(m->replace));
	else
		cJSON_AddNullToObject(o, "replace");
	return o;
}

static cJSON *facts_json(const char *path, const struct lutgen_gobin *b)
{
	const struct lutgen_gobin_info *in = lutgen_gobin_info(b);
	cJSON *o = cJSON_CreateObject(), *s;
	size_t i;

	if (!o)
		return NULL;
	add_str(o, "file", path);
	add_str(o, "go_version", in->go_version);
	add_str(o, "go_version_raw", in->go_version_raw);
	s = cJSON_AddArrayToObject(o, "experiments");
	for (i = 0; s && i < in->nexperiments; i++) {
		char *e = lutgen_cli_escape(in->experiments[i]);

		cJSON_AddItemToArray(s, cJSON_CreateString(e ? e : ""));
		free(e);
	}
	if (in->go_version_raw) {
		cJSON_AddStringToObject(o, "buildinfo_source",
					bisource_name(in->buildinfo_source));
		cJSON_AddStringToObject(o, "buildinfo_layout",
					in->buildinfo_inline ? "go1.18+ inline"
							     : "pre-go1.18 pointers");
	}
	add_str(o, "goarch", in->goarch);
	cJSON_AddStringToObject(o, "byte_order",
				in->big_endian ? "big-endian" : "little-endian");
	cJSON_AddStringToObject(o, "kind", kind_name(in));
	cJSON_AddStringToObject(o, "linkage", linkage(in));
	if (in->interp[0])
		add_str(o, "interpreter", in->interp);
	else
		cJSON_AddNullToObject(o, "interpreter");
	s = cJSON_AddArrayToObject(o, "needed");
	for (i = 0; s && i < in->nneeded && i < LUTGEN_GOBIN_MAX_NEEDED; i++) {
		char *e = lutgen_cli_escape(in->needed[i]);

		cJSON_AddItemToArray(s, cJSON_CreateString(e ? e : ""));
		free(e);
	}
	cJSON_AddBoolToObject(o, "pie", in->pie);
	cJSON_AddBoolToObject(o, "section_headers", in->has_sections);
	cJSON_AddBoolToObject(o, "symtab", in->has_symtab);
	cJSON_AddBoolToObject(o, "dwarf", in->has_dwarf);
	add_str(o, "path", in->path);
	add_str(o, "module", in->main_module ? in->main_module->path : NULL);
	add_str(o, "buildmode", in->buildmode);
	cJSON_AddBoolToObject(o, "buildmode_derived", in->buildmode_derived);
	add_str(o, "cgo_enabled", lutgen_gobin_setting(b, "CGO_ENABLED"));
	add_tri(o, "cgo", in->cgo);
	add_tri(o, "race", in->race);
	add_str(o, "trimpath", lutgen_gobin_setting(b, "-trimpath"));
	add_str(o, "goamd64", lutgen_gobin_setting(b, "GOAMD64"));
	add_str(o, "goarm64", lutgen_gobin_setting(b, "GOARM64"));
	add_str(o, "goarch_level", in->goarch_level);
	s = cJSON_AddObjectToObject(o, "build_settings");
	for (i = 0; s && i < in->nsettings; i++) {
		char *k = lutgen_cli_escape(in->settings[i].key);

		if (k)
			add_str(s, k, in->settings[i].value);
		free(k);
	}
	if (in->main_module)
		cJSON_AddItemToObject(o, "main_module",
				      module_json(in->main_module));
	else
		cJSON_AddNullToObject(o, "main_module");
	s = cJSON_AddArrayToObject(o, "deps");
	for (i = 0; s && i < in->ndeps; i++)
		cJSON_AddItemToArray(s, module_json(&in->deps[i]));
	if (in->pclntab_layout) {
		cJSON *p = cJSON_AddObjectToObject(o, "pclntab");

		if (p) {
			cJSON_AddNumberToObject(p, "layout", in->pclntab_layout);
			cJSON_AddStringToObject(p, "found_by",
						in->pclntab_found_by);
			cJSON_AddStringToObject(p, "text_start_source",
						in->text_start_source);
			cJSON_AddNumberToObject(p, "functions",
						(double)in->nfuncs);
		}
	} else {
		cJSON_AddNullToObject(o, "pclntab");
	}
	return o;
}

/* printf("%s", s) with s escaped. */
static void put_esc(const char *s)
{
	char *e = lutgen_cli_escape(s ? s : "");

	fputs(e ? e : "(out of memory)", stdout);
	free(e);
}

static void print_module(const char *word, const struct lutgen_gobin_module *m)
{
	printf("%-13s", word);
	put_esc(m->path);
	putchar(' ');
	put_esc(m->version[0] ? m->version : "(no version)");
	if (m->replace) {
		fputs(" => ", stdout);
		put_esc(m->replace->path);
		putchar(' ');
		put_esc(m->replace->version[0] ? m->replace->version
					       : "(local directory)");
	}
	putchar('\n');
}

static void print_facts(const char *path, const struct lutgen_gobin *b)
{
	const struct lutgen_gobin_info *in = lutgen_gobin_info(b);
	size_t i;

	fputs("file:        ", stdout);
	put_esc(path);
	fputs("\ngo version:  ", stdout);
	put_esc(in->go_version_raw);
	printf(" (%s, %s layout)\n", bisource_name(in->buildinfo_source),
	       in->buildinfo_inline ? "go1.18+ inline" : "pre-go1.18 pointer");
	printf("goarch:      %s", in->goarch ? in->goarch : "(not a Go port)");
	if (in->goarch_level) {
		printf(" (%s=", in->goarch_level_key);
		put_esc(in->goarch_level);
		putchar(')');
	}
	printf(", %s\n", in->big_endian ? "big-endian" : "little-endian");
	printf("kind:        %s\n", kind_name(in));
	printf("linkage:     %s", linkage(in));
	if (in->interp[0]) {
		fputs(" (interpreter ", stdout);
		put_esc(in->interp);
		putchar(')');
	}
	putchar('\n');
	for (i = 0; i < in->nneeded && i < LUTGEN_GOBIN_MAX_NEEDED; i++) {
		fputs("needed:      ", stdout);
		put_esc(in->needed[i]);
		putchar('\n');
	}
	printf("pie:         %s\n", in->pie ? "yes" : "no");
	printf("symtab:      %s\n", in->has_symtab ? "yes" : "no (stripped)");
	printf("dwarf:       %s\n", in->has_dwarf ? "yes" : "no");
	if (!in->has_sections)
		printf("sections:    none (section headers removed)\n");
	fputs("buildmode:   ", stdout);
	put_esc(in->buildmode);
	printf("%s\n", in->buildmode_derived ? " (from the ELF type)" : "");
	printf("cgo:         %s\n", in->cgo < 0 ? "unknown" : in->cgo ? "yes" : "no");
	printf("race:        %s\n", in->race < 0 ? "unknown" : in->race ? "yes" : "no");
	if (in->path) {
		fputs("path:        ", stdout);
		put_esc(in->path);
		putchar('\n');
	}
	if (in->main_module)
		print_module("module:", in->main_module);
	for (i = 0; i < in->ndeps; i++)
		print_module("dep:", &in->deps[i]);
	for (i = 0; i < in->nsettings; i++) {
		fputs("build:       ", stdout);
		put_esc(in->settings[i].key);
		putchar('=');
		put_esc(in->settings[i].value);
		putchar('\n');
	}
}

static void answer_text(const struct answer *a, char *buf, size_t size)
{
	if (a->rc < 0)
		snprintf(buf, size, "-");
	else if (a->lookup->kind == LUTGEN_GO_LOOKUP_PARAMS)
		format_go_params(a->params, buf, size);
	else if (a->lookup->kind == LUTGEN_GO_LOOKUP_I64)
		snprintf(buf, size, "%" PRId64, (int64_t)a->u);
	else
		snprintf(buf, size, "%" PRIu64, a->u);
}

/* Asks every lookup of every compiled-in table; *ansp: one per lookup. */
static int ask_all(const struct lutgen_gobin *b, struct answer **ansp,
		   size_t *nansp, struct common_err *err)
{
	struct answer *ans;
	size_t nans = 0, t, l, i = 0;

	for (t = 0; t < lutgen_tables_count(); t++)
		nans += lutgen_tables_get(t)->nlookups;
	ans = calloc(nans ? nans : 1, sizeof(*ans));
	if (!ans)
		return common_err_set(err, -ENOMEM, "out of memory");
	for (t = 0; t < lutgen_tables_count(); t++) {
		const struct lutgen_go_table_desc *td = lutgen_tables_get(t);

		for (l = 0; l < td->nlookups; l++, i++) {
			ans[i].table = td;
			ans[i].lookup = &td->lookups[l];
			ask(&ans[i], b);
		}
	}
	*ansp = ans;
	*nansp = nans;
	return 0;
}

/* --verify: each answer read again from the binary's DWARF. */
static int verify_all(const char *path, const struct lutgen_gobin *b,
		      struct answer *ans, size_t nans, bool *disagree,
		      struct common_err *err)
{
	struct lutgen_dwarf *dw = NULL;
	size_t i;
	int rc;

	if (!lutgen_gobin_info(b)->has_dwarf)
		return common_err_set(err, -ENODATA,
				      "%s: --verify needs DWARF, and this binary has none (stripped or built with -ldflags=-w)",
				      path);
	rc = lutgen_dwarf_open(path, &dw, err);
	if (rc)
		return rc;
	for (i = 0; i < nans; i++) {
		verify_one(dw, &ans[i]);
		*disagree |= ans[i].disagrees;
	}
	lutgen_dwarf_close(dw);
	return 0;
}

static void answer_json(cJSON *lk, const struct answer *a, bool verify)
{
	cJSON *o = cJSON_AddObjectToObject(lk, a->lookup->name), *v;

	if (!o)
		return;
	cJSON_AddStringToObject(o, "table", a->table->name);
	cJSON_AddStringToObject(o, "measures",
				a->lookup->measures ? a->lookup->measures : "");
	if (a->rc < 0)
		cJSON_AddNullToObject(o, "value");
	else if (a->lookup->kind == LUTGEN_GO_LOOKUP_PARAMS)
		cJSON_AddItemToObject(o, "value", params_json(a->params));
	else if (a->lookup->kind == LUTGEN_GO_LOOKUP_I64)
		cJSON_AddNumberToObject(o, "value", (double)(int64_t)a->u);
	else
		cJSON_AddNumberToObject(o, "value", (double)a->u);
	cJSON_AddStringToObject(o, "status", lutgen_tables_status_name(a->rc));
	cJSON_AddNumberToObject(o, "code", a->rc);
	if (!verify)
		return;
	v = cJSON_AddObjectToObject(o, "verify");
	if (!v)
		return;
	cJSON_AddBoolToObject(v, "agrees",
			      a->verified && !a->disagrees && a->rc >= 0);
	cJSON_AddBoolToObject(v, "disagrees", a->disagrees);
	if (a->verified)
		cJSON_AddStringToObject(v, "dwarf", a->dwarf_text);
	cJSON_AddStringToObject(v, "note", a->verify_note);
}

static int inspect_json(struct lutgen_cli *cli, const char *path,
			const struct lutgen_gobin *b,
			const struct answer *ans, size_t nans, bool verify,
			bool disagree)
{
	struct common_err err = { 0 };
	cJSON *doc = facts_json(path, b);
	cJSON *lk = doc ? cJSON_AddObjectToObject(doc, "lookups") : NULL;
	size_t i;

	if (!lk) {
		cJSON_Delete(doc);
		common_err_set(&err, -ENOMEM, "out of memory");
		return lutgen_cli_fail(cli, &err);
	}
	for (i = 0; i < nans; i++)
		answer_json(lk, &ans[i], verify);
	if (verify)
		cJSON_AddBoolToObject(doc, "verify_ok", !disagree);
	return lutgen_cli_json_out(cli, doc);
}

static void inspect_text(const char *path, const struct lutgen_gobin *b,
			 const struct answer *ans, size_t nans, bool verify)
{
	size_t i;

	print_facts(path, b);
	printf("lookups:%s\n", nans ? "" : "     (no tables compiled in)");
	for (i = 0; i < nans; i++) {
		char val[1024];

		answer_text(&ans[i], val, sizeof(val));
		printf("  %-28s %-12s %s\n", ans[i].lookup->name,
		       lutgen_tables_status_name(ans[i].rc), val);
		if (verify)
			printf("  %-28s verify: %s\n", "", ans[i].verify_note);
	}
}

static int run_inspect(struct lutgen_cli *cli, const char *path, bool verify)
{
	struct lutgen_gobin *b = NULL;
	struct common_err err = { 0 };
	struct answer *ans = NULL;
	size_t nans = 0;
	bool disagree = false;
	int rc, exit_rc;

	rc = binary_open(path, true, &b, &err);
	if (!rc)
		rc = ask_all(b, &ans, &nans, &err);
	if (!rc && verify)
		rc = verify_all(path, b, ans, nans, &disagree, &err);
	if (rc)
		exit_rc = lutgen_cli_fail(cli, &err);
	else if (cli->json)
		exit_rc = inspect_json(cli, path, b, ans, nans, verify,
				       disagree);
	else {
		inspect_text(path, b, ans, nans, verify);
		exit_rc = LUTGEN_EXIT_OK;
	}
	if (!rc && disagree) {
		lutgen_cli_err(cli, "%s: the tables disagree with the binary's DWARF",
			       path);
		exit_rc = LUTGEN_EXIT_FAIL;
	}
	free(ans);
	lutgen_gobin_free(b);
	return exit_rc;
}

/* ---- --symbol ---- */

/* A function's return instructions (offsets from its start). */
struct returns {
	uint64_t *off;   /* owned */
	size_t n;
	bool known;
	char note[COMMON_ERR_MSG_SIZE];   /* why not known */
};

static void find_returns(const struct lutgen_gobin *b,
			 const struct lutgen_gobin_func *fn, struct returns *r)
{
	const struct lutgen_gobin_info *in = lutgen_gobin_info(b);
	struct common_err err = { 0 };
	size_t n = fn->size < MAX_FUNC_BYTES ? (size_t)fn->size
					     : MAX_FUNC_BYTES;
	uint8_t *code = NULL;

	if (!in->goarch || !lutgen_disasm_supported(in->goarch))
		snprintf(r->note, sizeof(r->note),
			 "return offsets not supported on %s",
			 in->goarch ? in->goarch : "this machine");
	else if (n == 0 || !(code = malloc(n)) ||
		 lutgen_gobin_read(b, fn->addr, code, n) != 0)
		snprintf(r->note, sizeof(r->note),
			 "function size unknown: no return offsets");
	else if (lutgen_disasm_returns(in->goarch, code, n, fn->addr, &r->off,
				       &r->n, &err) != 0)
		snprintf(r->note, sizeof(r->note), "%s", err.msg);
	else
		r->known = true;
	free(code);
}

static int symbol_json(struct lutgen_cli *cli, const char *path,
		       const struct lutgen_gobin *b, const char *name,
		       const struct lutgen_gobin_func *fn,
		       const struct returns *r)
{
	const struct lutgen_gobin_info *in = lutgen_gobin_info(b);
	struct common_err err = { 0 };
	cJSON *doc = cJSON_CreateObject(), *arr;
	size_t i;

	if (!doc) {
		common_err_set(&err, -ENOMEM, "out of memory");
		return lutgen_cli_fail(cli, &err);
	}
	add_str(doc, "file", path);
	add_str(doc, "go_version", in->go_version);
	add_str(doc, "goarch", in->goarch);
	add_str(doc, "symbol", name);
	cJSON_AddStringToObject(doc, "found_in", symsrc_name(fn->source));
	cJSON_AddNumberToObject(doc, "address", (double)fn->addr);
	cJSON_AddNumberToObject(doc, "offset", (double)fn->offset);
	cJSON_AddNumberToObject(doc, "size", (double)fn->size);
	if (in->pclntab_layout) {
		cJSON_AddNumberToObject(doc, "pclntab_layout",
					in->pclntab_layout);
		cJSON_AddStringToObject(doc, "pclntab_found_by",
					in->pclntab_found_by);
		cJSON_AddStringToObject(doc, "text_start_source",
					in->text_start_source);
	}
	if (!r->known) {
		cJSON_AddNullToObject(doc, "returns");
		cJSON_AddStringToObject(doc, "returns_note", r->note);
		return lutgen_cli_json_out(cli, doc);
	}
	arr = cJSON_AddArrayToObject(doc, "returns");
	for (i = 0; arr && i < r->n; i++) {
		cJSON *o = cJSON_CreateObject();

		if (!o)
			break;
		cJSON_AddNumberToObject(o, "function_offset", (double)r->off[i]);
		cJSON_AddNumberToObject(o, "address",
					(double)(fn->addr + r->off[i]));
		cJSON_AddNumberToObject(o, "offset",
					(double)(fn->offset + r->off[i]));
		cJSON_AddItemToArray(arr, o);
	}
	return lutgen_cli_json_out(cli, doc);
}

static void symbol_text(const char *esc, const struct lutgen_gobin_func *fn,
			const struct returns *r)
{
	size_t i;

	printf("symbol:      %s (from %s)\n", esc ? esc : "?",
	       symsrc_name(fn->source));
	printf("address:     0x%" PRIx64 "\n", fn->addr);
	printf("offset:      0x%" PRIx64 "\n", fn->offset);
	printf("size:        %" PRIu64 "\n", fn->size);
	if (!r->known) {
		printf("returns:     (%s)\n", r->note);
		return;
	}
	printf("returns:     %zu\n", r->n);
	for (i = 0; i < r->n; i++)
		printf("  +0x%" PRIx64 "  address 0x%" PRIx64 "  offset 0x%" PRIx64
		       "\n",
		       r->off[i], fn->addr + r->off[i], fn->offset + r->off[i]);
}

/* The function `name` in `b`, with a located file offset. */
static int find_symbol(const char *path, const struct lutgen_gobin *b,
		       const char *name, const char *esc,
		       struct lutgen_gobin_func *fn, struct common_err *err)
{
	if (lutgen_gobin_func_find(b, name, fn) != 0)
		return common_err_set(err, -ENOENT,
				      "%s: symbol %s not found (looked in .symtab, .dynsym and the Go pclntab%s)",
				      path, esc ? esc : "?",
				      lutgen_gobin_info(b)->pclntab_layout
					      ? ""
					      : ", which this binary does not have");
	if (fn->offset == LUTGEN_GOBIN_NO_OFFSET)
		return common_err_set(err, -ENOENT,
				      "%s: %s at 0x%" PRIx64 " is not in any PT_LOAD segment",
				      path, esc ? esc : "?", fn->addr);
	return 0;
}

static int run_symbol(struct lutgen_cli *cli, const char *path,
		      const char *name)
{
	struct lutgen_gobin *b = NULL;
	struct common_err err = { 0 };
	struct lutgen_gobin_func fn;
	struct returns r = { 0 };
	char *esc = lutgen_cli_escape(name);
	int rc, exit_rc;

	rc = binary_open(path, false, &b, &err);
	if (!rc)
		rc = find_symbol(path, b, name, esc, &fn, &err);
	if (rc) {
		exit_rc = lutgen_cli_fail(cli, &err);
	} else {
		find_returns(b, &fn, &r);
		if (cli->json) {
			exit_rc = symbol_json(cli, path, b, name, &fn, &r);
		} else {
			symbol_text(esc, &fn, &r);
			exit_rc = LUTGEN_EXIT_OK;
		}
	}
	free(esc);
	free(r.off);
	lutgen_gobin_free(b);
	return exit_rc;
}

int lutgen_cmd_inspect(struct lutgen_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "verify", no_argument, NULL, OPT_VERIFY },
		{ "symbol", required_argument, NULL, OPT_SYMBOL },
		LUTGEN_CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *symbol = NULL;
	bool verify = false;
	int opt;

	opterr = 0; /* usage errors are reported below, in our words */
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return LUTGEN_EXIT_OK;
		case OPT_VERIFY:
			verify = true;
			break;
		case OPT_SYMBOL:
			symbol = optarg;
			break;
		case ':':
		case '?':
			return lutgen_cli_bad_option(cli, "inspect", opt, argv);
		default:
			if (lutgen_cli_common_option(cli, opt, optarg))
				break;
			return lutgen_cli_usage_error(cli, "inspect",
						      "unknown option");
		}
	}
	if (optind + 1 != argc)
		return lutgen_cli_usage_error(cli, "inspect",
					      optind >= argc ? "missing BINARY"
							     : "exactly one BINARY expected");
	if (symbol && verify)
		return lutgen_cli_usage_error(cli, "inspect",
					      "--symbol and --verify do not mix");
	if (symbol)
		return run_symbol(cli, argv[optind], symbol);
	return run_inspect(cli, argv[optind], verify);
}
