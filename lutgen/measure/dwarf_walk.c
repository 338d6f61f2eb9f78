/* SPDX-License-Identifier: MIT */
/*
 * lutgen/measure/dwarf_walk.c - the top-level DIEs of a CU, found by
 * skipping DIE bytes with a per-CU table of attribute sizes.
 *
 * Go emits no DW_AT_sibling, so libdw's dwarf_siblingof reaches the next
 * top-level DIE by decoding every attribute of every DIE below it (the
 * parameters, variables and inlined calls of each function, the members
 * of each type), with an abbreviation lookup per DIE.  Indexing a CU only
 * needs the offsets and tags of its top-level DIEs, so this walker reads
 * the abbreviations once through libdw's public abbreviation API, sums
 * the sizes of fixed-size forms per abbreviation, and steps over the
 * rest of the bytes itself.  It reads nothing else: the DIEs it finds
 * are opened with dwarf_offdie and read with libdw as before.
 *
 * Anything it does not know (an unknown form, DW_FORM_indirect, an
 * abbreviation code out of range, a truncated unit) makes it return
 * -EAGAIN without a word: the caller walks that CU with libdw instead,
 * which reports real errors its own way.  Every read is bounded by the
 * unit's end.
 */
#include <dwarf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lutgen/measure/dwarf_internal.h"

/* Largest abbreviation code the table holds (Go uses a few dozen). */
#define WALK_MAX_CODE 4096

/* A variable-size attribute and the fixed-size bytes before it. */
struct walk_step {
	uint32_t before;
	unsigned form;
};

/* An abbreviation as steps: its attributes in order, the fixed-size
 * ones summed between the variable-size ones. */
struct walk_abbrev {
	unsigned tag;             /* 0: code not defined */
	bool children;
	uint32_t first, nvar;     /* steps[first .. first + nvar) */
	uint32_t tail;            /* fixed-size bytes after the last step */
	int32_t name_step;        /* step of a DW_FORM_string DW_AT_name, or -1 */
};

struct lutgen_walk_table {
	Dwarf_Off abbrev_off;     /* the table it decodes */
	bool big_endian;          /* of DW_FORM_block2/4 lengths */
	uint8_t addr_size, off_size;
	uint16_t version;
	struct walk_abbrev *by_code;
	size_t ncodes;
	struct walk_step *steps;
	size_t nsteps, capsteps;
};

void lutgen_walk_table_free(struct lutgen_walk_table *t)
{
	if (!t)
		return;
	free(t->by_code);
	free(t->steps);
	free(t);
}

/* Size of a form that does not depend on the data: >= 0, or -1 when the
 * data says (variable), or -2 when the walker does not know the form. */
static int form_fixed_size(unsigned form, const struct lutgen_walk_table *t)
{
	switch (form) {
	case DW_FORM_flag_present:
	case DW_FORM_implicit_const:
		return 0;
	case DW_FORM_data1: case DW_FORM_ref1: case DW_FORM_flag:
	case DW_FORM_strx1: case DW_FORM_addrx1:
		return 1;
	case DW_FORM_data2: case DW_FORM_ref2: case DW_FORM_strx2:
	case DW_FORM_addrx2:
		return 2;
	case DW_FORM_strx3: case DW_FORM_addrx3:
		return 3;
	case DW_FORM_data4: case DW_FORM_ref4: case DW_FORM_ref_sup4:
	case DW_FORM_strx4: case DW_FORM_addrx4:
		return 4;
	case DW_FORM_data8: case DW_FORM_ref8: case DW_FORM_ref_sig8:
	case DW_FORM_ref_sup8:
		return 8;
	case DW_FORM_data16:
		return 16;
	case DW_FORM_addr:
		return t->addr_size;
	case DW_FORM_ref_addr:
		return t->version == 2 ? t->addr_size : t->off_size;
	case DW_FORM_strp: case DW_FORM_line_strp: case DW_FORM_sec_offset:
	case DW_FORM_strp_sup: case DW_FORM_GNU_ref_alt:
	case DW_FORM_GNU_strp_alt:
		return t->off_size;
	case DW_FORM_udata: case DW_FORM_sdata: case DW_FORM_ref_udata:
	case DW_FORM_strx: case DW_FORM_addrx: case DW_FORM_loclistx:
	case DW_FORM_rnglistx: case DW_FORM_GNU_addr_index:
	case DW_FORM_GNU_str_index: case DW_FORM_string: case DW_FORM_block1:
	case DW_FORM_block2: case DW_FORM_block4: case DW_FORM_block:
	case DW_FORM_exprloc:
		return -1;
	default:
		return -2;
	}
}

static int add_step(struct lutgen_walk_table *t, uint32_t before,
		    unsigned form)
{
	if (t->nsteps == t->capsteps) {
		size_t ncap = t->capsteps ? t->capsteps * 2 : 64;
		struct walk_step *n = realloc(t->steps, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->steps = n;
		t->capsteps = ncap;
	}
	t->steps[t->nsteps].before = before;
	t->steps[t->nsteps++].form = form;
	return 0;
}

/* One abbreviation into the table: 0, -EAGAIN (unknown), -ENOMEM. */
static int add_abbrev(struct lutgen_walk_table *t, Dwarf_Abbrev *ab)
{
	unsigned code = dwarf_getabbrevcode(ab), name, form;
	struct walk_abbrev w = { 0 };
	uint32_t fixed = 0;
	Dwarf_Sword data;
	Dwarf_Off at;
	size_t n, i;

	if (code == 0 || code >= WALK_MAX_CODE ||
	    dwarf_getattrcnt(ab, &n) != 0)
		return -EAGAIN;
	if (code >= t->ncodes) {
		size_t ncap = t->ncodes ? t->ncodes : 64;
		struct walk_abbrev *nb;

		while (ncap <= code)
			ncap *= 2;
		nb = realloc(t->by_code, ncap * sizeof(*nb));
		if (!nb)
			return -ENOMEM;
		memset(nb + t->ncodes, 0, (ncap - t->ncodes) * sizeof(*nb));
		t->by_code = nb;
		t->ncodes = ncap;
	}
	if (t->by_code[code].tag)
		return -EAGAIN;  /* defined twice */
	w.tag = dwarf_getabbrevtag(ab);
	w.children = dwarf_abbrevhaschildren(ab) == 1;
	w.name_step = -1;
	w.first = (uint32_t)t->nsteps;
	for (i = 0; i < n; i++) {
		int size;

		if (dwarf_getabbrevattr_data(ab, i, &name, &form, &data,
					     &at) != 0)
			return -EAGAIN;
		size = form_fixed_size(form, t);
		if (size == -2)
			return -EAGAIN;
		if (size >= 0) {
			fixed += (uint32_t)size;
		} else {
			if (name == DW_AT_name && form == DW_FORM_string &&
			    w.name_step < 0)
				w.name_step = (int32_t)w.nvar;
			if (add_step(t, fixed, form) < 0)
				return -ENOMEM;
			fixed = 0;
			w.nvar++;
		}
	}
	w.tail = fixed;
	if (w.tag == 0)
		return -EAGAIN;
	t->by_code[code] = w;
	return 0;
}

int lutgen_walk_table_new(const struct lutgen_cu *cu, bool big_endian,
			  struct lutgen_walk_table **out)
{
	struct lutgen_walk_table *t = calloc(1, sizeof(*t));
	Dwarf_Die cudie = cu->die;
	Dwarf_Off off = 0;
	size_t len;
	int rc = 0;

	*out = NULL;
	if (!t)
		return -ENOMEM;
	t->abbrev_off = cu->abbrev_off;
	t->big_endian = big_endian;
	t->addr_size = cu->addr_size;
	t->off_size = cu->off_size;
	t->version = cu->version;
	if ((t->off_size != 4 && t->off_size != 8) ||
	    (t->addr_size != 4 && t->addr_size != 8))
		rc = -EAGAIN;
	while (rc == 0) {
		Dwarf_Abbrev *ab = dwarf_getabbrev(&cudie, off, &len);

		if (ab == NULL || ab == DWARF_END_ABBREV || len == 0)
			break;
		rc = add_abbrev(t, ab);
		off += len;
	}
	if (rc == 0 && t->ncodes == 0)
		rc = -EAGAIN;
	if (rc) {
		lutgen_walk_table_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

/* ---- byte reader, bounded by the unit's end ---- */

struct walk_pos {
	const uint8_t *p, *end;
	bool big_endian;
};

static bool read_uleb(struct walk_pos *w, uint64_t *v)
{
	unsigned shift = 0;

	*v = 0;
	while (w->p < w->end) {
		uint8_t b = *w->p++;

		if (shift < 64)
			*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return true;
		shift += 7;
	}
	return false;
}

static bool skip(struct walk_pos *w, uint64_t n)
{
	if (n > (uint64_t)(w->end - w->p))
		return false;
	w->p += n;
	return true;
}

static bool read_fixed(struct walk_pos *w, unsigned n, uint64_t *v)
{
	const uint8_t *p = w->p;
	unsigned i;

	if (!skip(w, n))
		return false;
	*v = 0;
	for (i = 0; i < n; i++)
		*v |= (uint64_t)p[w->big_endian ? i : n - 1 - i]
		      << (8 * (n - 1 - i));
	return true;
}

static bool skip_form(struct walk_pos *w, unsigned form)
{
	uint64_t n;
	const uint8_t *nul;

	switch (form) {
	case DW_FORM_string:
		nul = memchr(w->p, 0, (size_t)(w->end - w->p));
		if (!nul)
			return false;
		w->p = nul + 1;
		return true;
	case DW_FORM_block1:
		return read_fixed(w, 1, &n) && skip(w, n);
	case DW_FORM_block2:
		return read_fixed(w, 2, &n) && skip(w, n);
	case DW_FORM_block4:
		return read_fixed(w, 4, &n) && skip(w, n);
	case DW_FORM_block:
	case DW_FORM_exprloc:
		return read_uleb(w, &n) && skip(w, n);
	default:  /* the LEB128 forms */
		return read_uleb(w, &n);
	}
}

int lutgen_walk_top_dies(const struct lutgen_walk_table *t,
			 const uint8_t *info, size_t info_size,
			 const struct lutgen_cu *cu,
			 int (*fn)(Dwarf_Off off, unsigned tag,
				   const char *name, void *arg),
			 void *arg)
{
	Dwarf_Die cudie = cu->die;  /* libdw takes no const DIE */
	Dwarf_Off start = dwarf_dieoffset(&cudie);
	struct walk_pos w;
	unsigned depth = 0;
	int rc;

	if (!info || start >= cu->end || cu->end > info_size ||
	    cu->abbrev_off != t->abbrev_off || cu->addr_size != t->addr_size ||
	    cu->off_size != t->off_size || cu->version != t->version)
		return -EAGAIN;
	w.p = info + start;
	w.end = info + cu->end;
	w.big_endian = t->big_endian;
	/* depth 0 is the CU DIE, 1 its children: the top-level DIEs */
	while (w.p < w.end) {
		Dwarf_Off off = (Dwarf_Off)(w.p - info);
		const struct walk_abbrev *ab;
		const char *name;
		uint64_t code;
		uint32_t i;

		if (!read_uleb(&w, &code))
			return -EAGAIN;
		if (code == 0) {
			if (depth == 0)
				return -EAGAIN;
			if (--depth == 0)
				return 0;
			continue;
		}
		if (code >= t->ncodes || !t->by_code[code].tag)
			return -EAGAIN;
		ab = &t->by_code[code];
		name = NULL;
		for (i = 0; i < ab->nvar; i++) {
			const struct walk_step *st = &t->steps[ab->first + i];

			if (!skip(&w, st->before))
				return -EAGAIN;
			if ((int32_t)i == ab->name_step)
				name = (const char *)w.p;
			if (!skip_form(&w, st->form))
				return -EAGAIN;
		}
		if (!skip(&w, ab->tail))
			return -EAGAIN;
		if (depth == 1) {
			rc = fn(off, ab->tag, name, arg);
			if (rc)
				return rc;
		}
		if (ab->children)
			depth++;
		else if (depth == 0)
			return 0;  /* a CU DIE without children */
	}
	/* a unit may end without the null entry closing its CU DIE */
	return depth <= 1 ? 0 : -EAGAIN;
}
