/* SPDX-License-Identifier: MIT */
/*
 * lutgen inspect: tell a Go ELF's version, arch and facts, and what every
 * compiled-in table answers for it; --verify checks the answers against
 * the binary's own DWARF; --symbol finds a function for a uprobe.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lutgen/binary/buildinfo.h"
#include "lutgen/binary/disasm.h"
#include "lutgen/binary/elf.h"
#include "lutgen/binary/pclntab.h"
#include "lutgen/cli/cli.h"
#include "lutgen/cli/tables.h"
#include "lutgen/measure/dwarf.h"

enum {
	OPT_VERIFY = LUTGEN_OPT_FIRST_FREE,
	OPT_SYMBOL,
};

static void usage(FILE *f)
{
	fputs("Usage: lutgen inspect [OPTIONS] BINARY\n"
	      "       lutgen inspect --symbol NAME [OPTIONS] BINARY\n"
	      "\n"
	      "Tell a Go ELF binary's Go version, GOARCH, linkage, PIE, symbol\n"
	      "and DWARF presence and build settings, then what every compiled-in\n"
	      "table answers for that version and arch.  Works on stripped and\n"
	      "static binaries.\n"
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

/* ---- everything we learn about the binary ---- */

struct binary {
	const char *path;
	struct lutgen_elf *elf;
	struct lutgen_buildinfo *bi;   /* NULL if not found */
	struct lutgen_elf_facts facts;
	const char *goarch;            /* NULL: not a Go port */
	char go_version[64];           /* without " X:..." suffixes */
};

static void binary_free(struct binary *b)
{
	lutgen_buildinfo_free(b->bi);
	lutgen_elf_free(b->elf);
}

/* Open, recognise and refuse what we cannot read, with one clear line. */
static int binary_open(struct binary *b, const char *path, bool need_version,
		       struct common_err *err)
{
	char why[128];
	uint64_t want;
	size_t n, have;
	int rc;

	memset(b, 0, sizeof(*b));
	b->path = path;
	rc = lutgen_elf_open(path, &b->elf, err);
	if (rc) {
		if (rc == -ENOEXEC && err) {
			char msg[COMMON_ERR_MSG_SIZE];

			snprintf(msg, sizeof(msg), "%s", err->msg);
			common_err_set(err, rc,
				       "%s (lutgen inspect reads Go ELF binaries)",
				       msg);
		}
		return rc;
	}
	lutgen_elf_data(b->elf, &have);
	if (lutgen_elf_truncated(b->elf, &want))
		return common_err_set(err, -ENOEXEC,
				      "%s: truncated ELF file (its headers describe %llu bytes, the file has %zu)",
				      path, (unsigned long long)want, have);
	lutgen_elf_facts(b->elf, &b->facts);
	b->goarch = lutgen_elf_goarch(b->elf);
	rc = lutgen_buildinfo_read(b->elf, &b->bi, NULL);
	if (rc == 0) {
		n = strcspn(b->bi->go_version, " ");
		memcpy(b->go_version, b->bi->go_version, n);
		b->go_version[n] = '\0';
		return 0;
	}
	if (lutgen_buildinfo_is_gccgo(b->elf, why, sizeof(why)))
		return common_err_set(err, -ENOTSUP,
				      "%s: built with gccgo (%s): not supported; lutgen reads binaries of the gc Go toolchain",
				      path, why);
	if (!need_version)
		return 0;
	return common_err_set(err, -ENOENT,
			      "%s: not a Go binary: no Go build information (no .go.buildinfo section, no \"\\xff Go buildinf:\" in the data segment, no runtime.buildVersion symbol)",
			      path);
}

static const char *linkage(const struct lutgen_elf_facts *f)
{
	return f->is_static ? "static" : "dynamic";
}

static const char *kind(const struct binary *b)
{
	if (b->facts.shared_object)
		return "shared-object";
	if (b->facts.pie)
		return "pie";
	return lutgen_elf_type(b->elf) == 2 ? "executable" : "other";
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

static void ask(struct answer *a, const char *ver, const char *arch)
{
	const struct lutgen_go_lookup_desc *l = a->lookup;

	a->rc = LUTGEN_E_INVAL;
	if (!arch)
		a->rc = LUTGEN_E_ARCH;
	else if (l->kind == LUTGEN_GO_LOOKUP_U64 && l->u64)
		a->rc = l->u64(ver, arch, &a->u);
	else if (l->kind == LUTGEN_GO_LOOKUP_PARAMS && l->params)
		a->rc = l->params(ver, arch, &a->params);
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
				cJSON_AddStringToObject(po, "kind", "stack");
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
			} else if (y->kind != LUTGEN_GO_LOC_STACK ||
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
	if (strcmp(kindw, "struct_offset") == 0)
		*k = LUTGEN_LOOKUP_STRUCT_OFFSET;
	else if (strcmp(kindw, "type_size") == 0)
		*k = LUTGEN_LOOKUP_TYPE_SIZE;
	else if (strcmp(kindw, "func_params") == 0)
		*k = LUTGEN_LOOKUP_FUNC_PARAMS;
	else
		return -EINVAL;
	return 0;
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
	rc = lutgen_dwarf_lookup(d, k, k == LUTGEN_LOOKUP_FUNC_PARAMS ? NULL : a1,
				 k == LUTGEN_LOOKUP_STRUCT_OFFSET ? a2 : NULL,
				 k == LUTGEN_LOOKUP_FUNC_PARAMS ? a1 : NULL, &v,
				 &e);
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
	} else if (k == LUTGEN_LOOKUP_FUNC_PARAMS ? params_cmp(&v, a->params) != 0
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

static void add_setting(cJSON *o, const struct binary *b, const char *json_key,
			const char *key)
{
	const char *v = b->bi ? lutgen_buildinfo_setting(b->bi, key) : NULL;

	if (v)
		cJSON_AddStringToObject(o, json_key, v);
	else
		cJSON_AddNullToObject(o, json_key);
}

static cJSON *facts_json(const struct binary *b)
{
	cJSON *o = cJSON_CreateObject(), *s;
	size_t i;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "file", b->path);
	if (b->go_version[0])
		cJSON_AddStringToObject(o, "go_version", b->go_version);
	else
		cJSON_AddNullToObject(o, "go_version");
	if (b->bi) {
		cJSON_AddStringToObject(o, "go_version_raw", b->bi->go_version);
		cJSON_AddStringToObject(o, "buildinfo_source",
					lutgen_buildinfo_source_name(b->bi->source));
		cJSON_AddStringToObject(o, "buildinfo_layout",
					b->bi->inline_layout ? "go1.18+ inline"
							     : "pre-go1.18 pointers");
	}
	if (b->goarch)
		cJSON_AddStringToObject(o, "goarch", b->goarch);
	else
		cJSON_AddNullToObject(o, "goarch");
	cJSON_AddStringToObject(o, "kind", kind(b));
	cJSON_AddStringToObject(o, "linkage", linkage(&b->facts));
	if (b->facts.interp[0])
		cJSON_AddStringToObject(o, "interpreter", b->facts.interp);
	else
		cJSON_AddNullToObject(o, "interpreter");
	s = cJSON_AddArrayToObject(o, "needed");
	for (i = 0; s && i < b->facts.nneeded && i < 8; i++)
		cJSON_AddItemToArray(s, cJSON_CreateString(b->facts.needed[i]));
	cJSON_AddBoolToObject(o, "pie", b->facts.pie);
	cJSON_AddBoolToObject(o, "section_headers", b->facts.has_sections);
	cJSON_AddBoolToObject(o, "symtab", b->facts.has_symtab);
	cJSON_AddBoolToObject(o, "dwarf", b->facts.has_dwarf);
	if (b->bi && b->bi->path)
		cJSON_AddStringToObject(o, "path", b->bi->path);
	else
		cJSON_AddNullToObject(o, "path");
	if (b->bi && b->bi->main_module)
		cJSON_AddStringToObject(o, "module", b->bi->main_module);
	else
		cJSON_AddNullToObject(o, "module");
	add_setting(o, b, "buildmode", "-buildmode");
	add_setting(o, b, "cgo_enabled", "CGO_ENABLED");
	add_setting(o, b, "trimpath", "-trimpath");
	add_setting(o, b, "goamd64", "GOAMD64");
	add_setting(o, b, "goarm64", "GOARM64");
	s = cJSON_AddObjectToObject(o, "build_settings");
	for (i = 0; s && b->bi && i < b->bi->nsettings; i++)
		cJSON_AddStringToObject(s, b->bi->settings[i].key,
					b->bi->settings[i].value);
	return o;
}

static void print_facts(const struct binary *b)
{
	size_t i;

	printf("file:        %s\n", b->path);
	printf("go version:  %s (%s, %s layout)\n", b->bi->go_version,
	       lutgen_buildinfo_source_name(b->bi->source),
	       b->bi->inline_layout ? "go1.18+ inline" : "pre-go1.18 pointer");
	printf("goarch:      %s\n", b->goarch ? b->goarch : "(not a Go port)");
	printf("kind:        %s\n", kind(b));
	if (b->facts.interp[0])
		printf("linkage:     %s (interpreter %s)\n", linkage(&b->facts),
		       b->facts.interp);
	else
		printf("linkage:     %s\n", linkage(&b->facts));
	for (i = 0; i < b->facts.nneeded && i < 8; i++)
		printf("needed:      %s\n", b->facts.needed[i]);
	printf("pie:         %s\n", b->facts.pie ? "yes" : "no");
	printf("symtab:      %s\n", b->facts.has_symtab ? "yes" : "no (stripped)");
	printf("dwarf:       %s\n", b->facts.has_dwarf ? "yes" : "no");
	if (!b->facts.has_sections)
		printf("sections:    none (section headers removed)\n");
	if (b->bi->path)
		printf("path:        %s\n", b->bi->path);
	if (b->bi->main_module)
		printf("module:      %s %s\n", b->bi->main_module,
		       b->bi->main_version ? b->bi->main_version : "");
	for (i = 0; i < b->bi->nsettings; i++)
		printf("build:       %s=%s\n", b->bi->settings[i].key,
		       b->bi->settings[i].value);
}

static void answer_text(const struct answer *a, char *buf, size_t size)
{
	if (a->rc < 0)
		snprintf(buf, size, "-");
	else if (a->lookup->kind == LUTGEN_GO_LOOKUP_PARAMS)
		format_go_params(a->params, buf, size);
	else
		snprintf(buf, size, "%" PRIu64, a->u);
}

static int run_inspect(struct lutgen_cli *cli, const char *path, bool verify)
{
	struct binary b;
	struct common_err err = { 0 };
	struct answer *ans = NULL;
	struct lutgen_dwarf *dw = NULL;
	size_t nans = 0, t, l, i;
	cJSON *doc = NULL, *lk;
	bool disagree = false;
	int rc, exit_rc = LUTGEN_EXIT_OK;

	rc = binary_open(&b, path, true, &err);
	if (rc) {
		exit_rc = lutgen_cli_fail(cli, &err);
		goto out;
	}
	for (t = 0; t < lutgen_tables_count(); t++)
		nans += lutgen_tables_get(t)->nlookups;
	ans = calloc(nans ? nans : 1, sizeof(*ans));
	if (!ans) {
		common_err_set(&err, -ENOMEM, "out of memory");
		exit_rc = lutgen_cli_fail(cli, &err);
		goto out;
	}
	i = 0;
	for (t = 0; t < lutgen_tables_count(); t++) {
		const struct lutgen_go_table_desc *td = lutgen_tables_get(t);

		for (l = 0; l < td->nlookups; l++, i++) {
			ans[i].table = td;
			ans[i].lookup = &td->lookups[l];
			ask(&ans[i], b.go_version, b.goarch);
		}
	}
	if (verify) {
		if (!b.facts.has_dwarf) {
			common_err_set(&err, -ENODATA,
				       "%s: --verify needs DWARF, and this binary has none (stripped or built with -ldflags=-w)",
				       path);
			exit_rc = lutgen_cli_fail(cli, &err);
			goto out;
		}
		rc = lutgen_dwarf_open(path, &dw, &err);
		if (rc) {
			exit_rc = lutgen_cli_fail(cli, &err);
			goto out;
		}
		for (i = 0; i < nans; i++) {
			verify_one(dw, &ans[i]);
			disagree |= ans[i].disagrees;
		}
	}
	if (cli->json) {
		doc = facts_json(&b);
		lk = doc ? cJSON_AddObjectToObject(doc, "lookups") : NULL;
		if (!lk) {
			cJSON_Delete(doc);
			common_err_set(&err, -ENOMEM, "out of memory");
			exit_rc = lutgen_cli_fail(cli, &err);
			goto out;
		}
		for (i = 0; i < nans; i++) {
			cJSON *o = cJSON_AddObjectToObject(lk, ans[i].lookup->name);

			if (!o)
				continue;
			cJSON_AddStringToObject(o, "table", ans[i].table->name);
			cJSON_AddStringToObject(o, "measures",
						ans[i].lookup->measures
							? ans[i].lookup->measures
							: "");
			if (ans[i].rc < 0)
				cJSON_AddNullToObject(o, "value");
			else if (ans[i].lookup->kind == LUTGEN_GO_LOOKUP_PARAMS)
				cJSON_AddItemToObject(o, "value",
						      params_json(ans[i].params));
			else
				cJSON_AddNumberToObject(o, "value",
							(double)ans[i].u);
			cJSON_AddStringToObject(o, "status",
						lutgen_tables_status_name(ans[i].rc));
			cJSON_AddNumberToObject(o, "code", ans[i].rc);
			if (verify) {
				cJSON *v = cJSON_AddObjectToObject(o, "verify");

				if (v) {
					cJSON_AddBoolToObject(v, "agrees",
							      ans[i].verified &&
								      !ans[i].disagrees &&
								      ans[i].rc >= 0);
					cJSON_AddBoolToObject(v, "disagrees",
							      ans[i].disagrees);
					if (ans[i].verified)
						cJSON_AddStringToObject(v, "dwarf",
									ans[i].dwarf_text);
					cJSON_AddStringToObject(v, "note",
								ans[i].verify_note);
				}
			}
		}
		if (verify)
			cJSON_AddBoolToObject(doc, "verify_ok", !disagree);
		exit_rc = lutgen_cli_json_out(cli, doc);
	} else {
		print_facts(&b);
		printf("lookups:%s\n", nans ? "" : "     (no tables compiled in)");
		for (i = 0; i < nans; i++) {
			char val[1024];

			answer_text(&ans[i], val, sizeof(val));
			printf("  %-28s %-12s %s\n", ans[i].lookup->name,
			       lutgen_tables_status_name(ans[i].rc), val);
			if (verify)
				printf("  %-28s verify: %s\n", "",
				       ans[i].verify_note);
		}
	}
	if (disagree) {
		lutgen_cli_err(cli, "%s: the tables disagree with the binary's DWARF",
			       path);
		exit_rc = LUTGEN_EXIT_FAIL;
	}
out:
	lutgen_dwarf_close(dw);
	free(ans);
	binary_free(&b);
	return exit_rc;
}

/* ---- --symbol ---- */

static int run_symbol(struct lutgen_cli *cli, const char *path,
		      const char *name)
{
	struct binary b;
	struct common_err err = { 0 };
	struct lutgen_pclntab *pt = NULL;
	struct lutgen_pclntab_func pf;
	struct lutgen_elf_sym sym;
	uint64_t addr = 0, end = 0, off = 0, *rets = NULL;
	const char *found_in = NULL;
	const uint8_t *code;
	size_t avail, nrets = 0, i;
	bool have_returns = false;
	char retnote[COMMON_ERR_MSG_SIZE] = "";
	int rc, exit_rc = LUTGEN_EXIT_OK;

	rc = binary_open(&b, path, false, &err);
	if (rc) {
		exit_rc = lutgen_cli_fail(cli, &err);
		goto out;
	}
	/* The pclntab gives the function's extent either way. */
	if (lutgen_pclntab_open(b.elf, &pt, NULL) == 0 &&
	    lutgen_pclntab_find(pt, name, &pf, NULL) == 0) {
		addr = pf.entry;
		end = pf.end;
		found_in = "pclntab";
	}
	if (lutgen_elf_symbol(b.elf, name, &sym) == 0 && sym.value) {
		if (!found_in || sym.value != addr) {
			addr = sym.value;
			end = sym.size ? sym.value + sym.size : addr;
		}
		found_in = lutgen_elf_symtab_count(b.elf) ? "symtab" : "dynsym";
	}
	if (!found_in) {
		common_err_set(&err, -ENOENT,
			       "%s: symbol %s not found (looked in .symtab, .dynsym and the Go pclntab%s)",
			       path, name,
			       pt ? "" : ", which this binary does not have");
		exit_rc = lutgen_cli_fail(cli, &err);
		goto out;
	}
	rc = lutgen_elf_vaddr_to_offset(b.elf, addr, &off);
	if (rc) {
		common_err_set(&err, rc,
			       "%s: %s at 0x%" PRIx64 " is not in any PT_LOAD segment",
			       path, name, addr);
		exit_rc = lutgen_cli_fail(cli, &err);
		goto out;
	}
	if (!b.goarch || !lutgen_disasm_supported(b.goarch)) {
		snprintf(retnote, sizeof(retnote),
			 "return offsets not supported on %s",
			 b.goarch ? b.goarch : "this machine");
	} else if (end <= addr ||
		   lutgen_elf_vaddr_data(b.elf, addr, &code, &avail) != 0) {
		snprintf(retnote, sizeof(retnote),
			 "function size unknown: no return offsets");
	} else {
		if (avail > end - addr)
			avail = (size_t)(end - addr);
		rc = lutgen_disasm_returns(b.goarch, code, avail, addr, &rets,
					   &nrets, &err);
		if (rc) {
			snprintf(retnote, sizeof(retnote), "%s", err.msg);
			common_err_clear(&err);
		} else {
			have_returns = true;
		}
	}
	if (cli->json) {
		cJSON *doc = cJSON_CreateObject(), *arr;

		if (!doc) {
			common_err_set(&err, -ENOMEM, "out of memory");
			exit_rc = lutgen_cli_fail(cli, &err);
			goto out;
		}
		cJSON_AddStringToObject(doc, "file", path);
		if (b.go_version[0])
			cJSON_AddStringToObject(doc, "go_version", b.go_version);
		else
			cJSON_AddNullToObject(doc, "go_version");
		if (b.goarch)
			cJSON_AddStringToObject(doc, "goarch", b.goarch);
		else
			cJSON_AddNullToObject(doc, "goarch");
		cJSON_AddStringToObject(doc, "symbol", name);
		cJSON_AddStringToObject(doc, "found_in", found_in);
		cJSON_AddNumberToObject(doc, "address", (double)addr);
		cJSON_AddNumberToObject(doc, "offset", (double)off);
		cJSON_AddNumberToObject(doc, "size", (double)(end - addr));
		if (pt) {
			cJSON_AddNumberToObject(doc, "pclntab_layout",
						lutgen_pclntab_layout(pt));
			cJSON_AddStringToObject(doc, "pclntab_found_by",
						lutgen_pclntab_found_by(pt));
			cJSON_AddStringToObject(doc, "text_start_source",
						lutgen_pclntab_text_source(pt));
		}
		if (have_returns) {
			arr = cJSON_AddArrayToObject(doc, "returns");
			for (i = 0; arr && i < nrets; i++) {
				cJSON *o = cJSON_CreateObject();

				if (!o)
					break;
				cJSON_AddNumberToObject(o, "function_offset",
							(double)rets[i]);
				cJSON_AddNumberToObject(o, "address",
							(double)(addr + rets[i]));
				cJSON_AddNumberToObject(o, "offset",
							(double)(off + rets[i]));
				cJSON_AddItemToArray(arr, o);
			}
		} else {
			cJSON_AddNullToObject(doc, "returns");
			cJSON_AddStringToObject(doc, "returns_note", retnote);
		}
		exit_rc = lutgen_cli_json_out(cli, doc);
	} else {
		printf("symbol:      %s (from %s)\n", name, found_in);
		printf("address:     0x%" PRIx64 "\n", addr);
		printf("offset:      0x%" PRIx64 "\n", off);
		printf("size:        %" PRIu64 "\n", end - addr);
		if (have_returns) {
			printf("returns:     %zu\n", nrets);
			for (i = 0; i < nrets; i++)
				printf("  +0x%" PRIx64 "  address 0x%" PRIx64
				       "  offset 0x%" PRIx64 "\n",
				       rets[i], addr + rets[i], off + rets[i]);
		} else {
			printf("returns:     (%s)\n", retnote);
		}
	}
out:
	free(rets);
	lutgen_pclntab_free(pt);
	binary_free(&b);
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
