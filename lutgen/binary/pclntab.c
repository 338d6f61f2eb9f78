/* SPDX-License-Identifier: MIT */
/* Go pc-line table reader (see debug/gosym/pclntab.go, runtime/symtab.go). */
#include "lutgen/binary/pclntab.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { X_PT_LOAD = 1, X_PF_X = 1, X_PF_W = 2 };

/* moduledata: pcHeader, six slices (3 words each), findfunctab, minpc,
 * maxpc, text - stable from go1.16 to go1.27. */
#define MODULEDATA_FUNCNAMETAB_WORD 1
#define MODULEDATA_TEXT_WORD 22

struct lutgen_pclntab {
	const struct lutgen_elf *e;
	const uint8_t *d;        /* table start in the file */
	size_t size;             /* bytes available from d */
	uint64_t addr;           /* vaddr of d */
	enum lutgen_pclntab_layout layout;
	unsigned ps;             /* pointer size */
	uint64_t nfunc;
	/* offsets from d */
	uint64_t funcnametab;
	uint64_t functab;        /* functab array */
	uint64_t funcdata;       /* base of funcoff */
	uint64_t text_start;
	const char *found_by;
	const char *text_source;
};

static bool has(const struct lutgen_pclntab *t, uint64_t off, uint64_t len)
{
	return off <= t->size && len <= t->size - off;
}

static uint64_t word(const struct lutgen_pclntab *t, unsigned i)
{
	return lutgen_elf_uptr(t->e, t->d + 8 + (size_t)i * t->ps);
}

static size_t functab_field(const struct lutgen_pclntab *t)
{
	return t->layout >= LUTGEN_PCLNTAB_GO118 ? 4 : t->ps;
}

/* Parse the header at [d, d+size); 0 when plausible. */
static int parse_header(struct lutgen_pclntab *t)
{
	uint32_t magic;
	uint64_t fsz;

	if (t->size < 16 + 8 * 8 / 2 || t->d[4] != 0 || t->d[5] != 0 ||
	    (t->d[6] != 1 && t->d[6] != 2 && t->d[6] != 4) ||
	    t->d[7] != lutgen_elf_ptrsize(t->e))
		return -EBADMSG;
	t->ps = t->d[7];
	magic = lutgen_elf_u32(t->e, t->d);
	switch (magic) {
	case 0xfffffffbu: t->layout = LUTGEN_PCLNTAB_GO12; break;
	case 0xfffffffau: t->layout = LUTGEN_PCLNTAB_GO116; break;
	case 0xfffffff0u: t->layout = LUTGEN_PCLNTAB_GO118; break;
	case 0xfffffff1u: t->layout = LUTGEN_PCLNTAB_GO120; break;
	default: return -EBADMSG;
	}
	if (!has(t, 8, 8u * t->ps))
		return -EBADMSG;
	t->nfunc = word(t, 0);
	switch (t->layout) {
	case LUTGEN_PCLNTAB_GO12:
		t->funcnametab = 0;
		t->funcdata = 0;
		t->functab = 8 + t->ps;
		break;
	case LUTGEN_PCLNTAB_GO116:
		t->funcnametab = word(t, 2);
		t->funcdata = t->functab = word(t, 6);
		break;
	case LUTGEN_PCLNTAB_GO118:
	case LUTGEN_PCLNTAB_GO120:
		t->funcnametab = word(t, 3);
		t->funcdata = t->functab = word(t, 7);
		break;
	}
	if (t->nfunc == 0 || t->nfunc > t->size)
		return -EBADMSG;
	fsz = (t->nfunc * 2 + 1) * functab_field(t);
	if (!has(t, t->functab, fsz) || t->funcnametab >= t->size ||
	    t->funcdata >= t->size)
		return -EBADMSG;
	return 0;
}

/* Raw functab entry i: pc field (offset for go1.18+) and funcoff. */
static void ftab(const struct lutgen_pclntab *t, uint64_t i, uint64_t *pc,
		 uint64_t *funcoff)
{
	size_t f = functab_field(t);
	const uint8_t *p = t->d + t->functab + i * 2 * f;

	if (f == 4) {
		*pc = lutgen_elf_u32(t->e, p);
		if (funcoff)
			*funcoff = i < t->nfunc ? lutgen_elf_u32(t->e, p + 4) : 0;
	} else {
		*pc = lutgen_elf_uptr(t->e, p);
		if (funcoff)
			*funcoff = i < t->nfunc ? lutgen_elf_uptr(t->e, p + f) : 0;
	}
}

/* A cheap consistency check: the first entries are sorted and their
 * names resolve. */
static int validate(const struct lutgen_pclntab *t)
{
	uint64_t i, prev = 0, pc;
	struct lutgen_pclntab_func f;
	uint64_t n = t->nfunc < 16 ? t->nfunc : 16;

	for (i = 0; i < n; i++) {
		ftab(t, i, &pc, NULL);
		if (i && pc < prev)
			return -EBADMSG;
		prev = pc;
		if (lutgen_pclntab_func(t, (size_t)i, &f) != 0)
			return -EBADMSG;
	}
	return 0;
}

static bool in_exec_segment(const struct lutgen_elf *e, uint64_t a)
{
	const struct lutgen_elf_segment *s;
	size_t n, i;

	s = lutgen_elf_segments(e, &n);
	for (i = 0; i < n; i++)
		if (s[i].type == X_PT_LOAD && (s[i].flags & X_PF_X) &&
		    a >= s[i].vaddr && a - s[i].vaddr < s[i].memsz)
			return true;
	if (n == 0) {
		const struct lutgen_elf_section *sec =
			lutgen_elf_section(e, ".text");

		return sec && a >= sec->addr && a - sec->addr < sec->size;
	}
	return false;
}

/* Is there a moduledata at md pointing at this table?  Then its text. */
static bool moduledata_text(const struct lutgen_pclntab *t, uint64_t md,
			    uint64_t *text)
{
	uint64_t w0, w1, tx;

	if (lutgen_elf_read_ptr(t->e, md, &w0) != 0 || w0 != t->addr ||
	    lutgen_elf_read_ptr(t->e, md + MODULEDATA_FUNCNAMETAB_WORD * t->ps,
				&w1) != 0 ||
	    w1 != t->addr + t->funcnametab ||
	    lutgen_elf_read_ptr(t->e, md + MODULEDATA_TEXT_WORD * t->ps,
				&tx) != 0 ||
	    !in_exec_segment(t->e, tx))
		return false;
	*text = tx;
	return true;
}

static bool find_moduledata_text(const struct lutgen_pclntab *t,
				 uint64_t *text)
{
	const struct lutgen_elf_section *s = lutgen_elf_section(t->e, ".go.module");
	const struct lutgen_elf_segment *segs;
	struct lutgen_elf_sym sym;
	uint64_t *where = NULL;
	size_t n, i, fsize;
	const uint8_t *data;
	bool ok = false;

	if (s && moduledata_text(t, s->addr, text))
		return true;
	if (lutgen_elf_symbol(t->e, "runtime.firstmoduledata", &sym) == 0 &&
	    moduledata_text(t, sym.value, text))
		return true;
	/* PIE/shared: the pointer to the table is a RELATIVE relocation. */
	if (lutgen_elf_relocs_to(t->e, t->addr, &where, &n) == 0) {
		for (i = 0; i < n && !ok; i++)
			ok = moduledata_text(t, where[i], text);
		free(where);
		if (ok)
			return true;
	}
	/* Otherwise scan the writable segments for the pointer. */
	segs = lutgen_elf_segments(t->e, &n);
	data = lutgen_elf_data(t->e, &fsize);
	for (i = 0; i < n; i++) {
		uint64_t off;

		if (segs[i].type != X_PT_LOAD || !(segs[i].flags & X_PF_W))
			continue;
		for (off = (t->ps - segs[i].vaddr % t->ps) % t->ps;
		     off + t->ps <= segs[i].filesz; off += t->ps) {
			const uint8_t *p = data + segs[i].offset + off;

			if (lutgen_elf_uptr(t->e, p) == t->addr &&
			    moduledata_text(t, segs[i].vaddr + off, text))
				return true;
		}
	}
	return false;
}

static void find_text_start(struct lutgen_pclntab *t)
{
	const struct lutgen_elf_section *s;
	struct lutgen_elf_sym sym;
	uint64_t v;

	if (t->layout < LUTGEN_PCLNTAB_GO118) {
		t->text_source = "not needed";
		return;
	}
	if (lutgen_elf_symbol(t->e, "runtime.text", &sym) == 0) {
		t->text_start = sym.value;
		t->text_source = "runtime.text symbol";
		return;
	}
	if (lutgen_elf_read_ptr(t->e, t->addr + 8 + 2 * t->ps, &v) == 0 &&
	    v != 0) {
		t->text_start = v;
		t->text_source = "pclntab header";
		return;
	}
	if (find_moduledata_text(t, &v)) {
		t->text_start = v;
		t->text_source = "moduledata";
		return;
	}
	s = lutgen_elf_section(t->e, ".text");
	if (s) {
		t->text_start = s->addr;
		t->text_source = ".text section";
		return;
	}
	t->text_start = 0;
	t->text_source = "unknown (addresses are offsets)";
}

static int try_at(struct lutgen_pclntab *t, const uint8_t *d, size_t size,
		  uint64_t addr)
{
	t->d = d;
	t->size = size;
	t->addr = addr;
	if (parse_header(t) != 0)
		return -EBADMSG;
	/* Text start before validation: go1.18+ names do not depend on it,
	 * but keep the order simple. */
	return validate(t);
}

static int scan_segments(struct lutgen_pclntab *t)
{
	const struct lutgen_elf_segment *segs;
	const uint8_t *data;
	size_t n, i, fsize;
	int pass;

	segs = lutgen_elf_segments(t->e, &n);
	data = lutgen_elf_data(t->e, &fsize);
	/* Read-only segments first, then executable ones (old layouts put
	 * the table in the text segment), then writable ones (before go1.16,
	 * PIE put it in .data.rel.ro.gopclntab, a RELRO segment). */
	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < n; i++) {
			const struct lutgen_elf_segment *s = &segs[i];
			int kind;
			uint64_t off;

			if (s->type != X_PT_LOAD)
				continue;
			kind = (s->flags & X_PF_W) ? 2 : (s->flags & X_PF_X) ? 1 : 0;
			if (kind != pass)
				continue;
			for (off = (4 - s->vaddr % 4) % 4; off + 16 <= s->filesz;
			     off += 4) {
				const uint8_t *p = data + s->offset + off;

				if (p[0] != 0xff && p[3] != 0xff)
					continue;
				if ((p[1] & p[2]) != 0xff || p[4] || p[5])
					continue;
				if (try_at(t, p, (size_t)(s->filesz - off),
					   s->vaddr + off) == 0)
					return 0;
			}
		}
	}
	return -ENOENT;
}

int lutgen_pclntab_open(const struct lutgen_elf *e,
			struct lutgen_pclntab **out, struct common_err *err)
{
	static const char *const names[] = { ".gopclntab",
					     ".data.rel.ro.gopclntab" };
	struct lutgen_pclntab *t;
	struct lutgen_elf_sym sym;
	const uint8_t *d;
	size_t size, i;
	int rc = -ENOENT;

	t = calloc(1, sizeof(*t));
	if (!t)
		return common_err_set(err, -ENOMEM, "out of memory");
	t->e = e;
	for (i = 0; i < sizeof(names) / sizeof(names[0]) && rc; i++) {
		const struct lutgen_elf_section *s = lutgen_elf_section(e, names[i]);

		if (s && lutgen_elf_section_data(e, s, &d, &size) == 0) {
			rc = try_at(t, d, size, s->addr);
			t->found_by = "section";
		}
	}
	if (rc && lutgen_elf_symbol(e, "runtime.pclntab", &sym) == 0 &&
	    lutgen_elf_vaddr_data(e, sym.value, &d, &size) == 0) {
		rc = try_at(t, d, size, sym.value);
		t->found_by = "symbol";
	}
	if (rc) {
		rc = scan_segments(t);
		t->found_by = "scan";
	}
	if (rc) {
		free(t);
		return common_err_set(err, -ENOENT,
				      "no Go pclntab found (no .gopclntab section, no runtime.pclntab symbol, no valid header in the read-only segments)");
	}
	find_text_start(t);
	*out = t;
	return 0;
}

void lutgen_pclntab_free(struct lutgen_pclntab *t)
{
	free(t);
}

enum lutgen_pclntab_layout lutgen_pclntab_layout(const struct lutgen_pclntab *t)
{
	return t->layout;
}

uint64_t lutgen_pclntab_addr(const struct lutgen_pclntab *t)
{
	return t->addr;
}

const char *lutgen_pclntab_found_by(const struct lutgen_pclntab *t)
{
	return t->found_by;
}

uint64_t lutgen_pclntab_text_start(const struct lutgen_pclntab *t)
{
	return t->text_start;
}

const char *lutgen_pclntab_text_source(const struct lutgen_pclntab *t)
{
	return t->text_source;
}

size_t lutgen_pclntab_nfuncs(const struct lutgen_pclntab *t)
{
	return (size_t)t->nfunc;
}

int lutgen_pclntab_func(const struct lutgen_pclntab *t, size_t i,
			struct lutgen_pclntab_func *out)
{
	uint64_t pc, next, funcoff, fo, nameoff, noff;
	const char *name;

	if (i >= t->nfunc)
		return -EINVAL;
	ftab(t, i, &pc, &funcoff);
	ftab(t, i + 1, &next, NULL);
	fo = t->funcdata + funcoff;
	if (fo < funcoff || !has(t, fo, t->layout >= LUTGEN_PCLNTAB_GO118
					       ? 8
					       : (uint64_t)t->ps + 4))
		return -EBADMSG;
	if (t->layout >= LUTGEN_PCLNTAB_GO118)
		nameoff = lutgen_elf_u32(t->e, t->d + fo + 4);
	else
		nameoff = lutgen_elf_u32(t->e, t->d + fo + t->ps);
	noff = t->funcnametab + nameoff;
	if (noff < nameoff || noff >= t->size)
		return -EBADMSG;
	name = (const char *)t->d + noff;
	if (!memchr(name, '\0', t->size - noff))
		return -EBADMSG;
	out->name = name;
	if (t->layout >= LUTGEN_PCLNTAB_GO118) {
		out->entry = t->text_start + pc;
		out->end = t->text_start + next;
	} else {
		out->entry = pc;
		out->end = next;
	}
	if (out->end < out->entry)
		out->end = out->entry;
	return 0;
}

int lutgen_pclntab_find(const struct lutgen_pclntab *t, const char *name,
			struct lutgen_pclntab_func *out, struct common_err *err)
{
	struct lutgen_pclntab_func f;
	size_t i;

	for (i = 0; i < t->nfunc; i++) {
		if (lutgen_pclntab_func(t, i, &f) != 0)
			continue;
		if (strcmp(f.name, name) == 0) {
			*out = f;
			return 0;
		}
	}
	return common_err_set(err, -ENOENT,
			      "function %s not found in the pclntab (%zu functions)",
			      name, (size_t)t->nfunc);
}
