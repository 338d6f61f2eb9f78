/* SPDX-License-Identifier: MIT */
/*
 * lutgen/measure/dwarf.c - the inspector: opening a Go ELF, its name
 * index, struct offsets, sizes and constants, and queries with
 * alternatives.  Locations are in dwarf_loc.c, g in dwarf_g.c.
 *
 * Opening: the ELF is read with elf_begin(ELF_C_READ_MMAP_PRIVATE).  The
 * debug sections a handle does not need are marked SHT_NOBITS in the
 * private in-memory headers, which makes dwarf_begin_elf skip them; the
 * compressed ones it needs (.zdebug_* of older Go, SHF_COMPRESSED
 * .debug_* of newer Go) are inflated here with libdeflate, about twice as
 * fast as the zlib inside libelf, into buffers the handle owns, and
 * handed to libdw as the sections' data.  Decompression is most of the
 * cost of a lookup.
 *
 * Index: Go emits one or more CUs per package, named by the package path,
 * holding the package's functions and constants; every type DIE sits in a
 * CU of package runtime.  A batch of names is resolved by one pass over
 * the top-level DIEs of the CUs that can hold them (the runtime CUs for
 * types, the CUs of each name's package), keeping only the wanted names;
 * a name found nowhere there makes the handle index every CU (all names),
 * once.  Names are borrowed from libdw and live as long as the handle.
 * The top-level DIEs of a CU are found by dwarf_walk.c, which steps over
 * DIE bytes without decoding them (Go emits no DW_AT_sibling, so libdw
 * would decode every nested DIE); a unit it cannot read is walked with
 * libdw's dwarf_siblingof instead.
 */
#include "lutgen/measure/dwarf.h"

#include <dwarf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libdeflate.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lutgen/measure/dwarf_internal.h"

/* Bound on the depth of promoted-field search through embedded structs. */
#define LUTGEN_EMBED_MAX_DEPTH 8

/* Bound on the path components of a field path. */
#define LUTGEN_PATH_MAX_PARTS 32

/* Bound on typedef chains and nested types. */
#define LUTGEN_TYPE_MAX_DEPTH 64

/* ---- name map ---- */

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static void name_map_free(struct lutgen_name_map *m)
{
	free(m->names);
	free(m->offs);
	memset(m, 0, sizeof(*m));
}

static int name_map_grow(struct lutgen_name_map *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	const char **names = calloc(ncap, sizeof(*names));
	Dwarf_Off *offs = calloc(ncap, sizeof(*offs));
	size_t i;

	if (!names || !offs) {
		free(names);
		free(offs);
		return -ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->names[i])
			continue;
		j = (size_t)name_hash(m->names[i]) & (ncap - 1);
		while (names[j])
			j = (j + 1) & (ncap - 1);
		names[j] = m->names[i];
		offs[j] = m->offs[i];
	}
	free(m->names);
	free(m->offs);
	m->names = names;
	m->offs = offs;
	m->cap = ncap;
	return 0;
}

/* Insert unless present (first definition wins) or `replace` says so. */
static int name_map_put(struct lutgen_name_map *m, const char *name,
			Dwarf_Off off, bool replace)
{
	size_t j;
	int rc;

	if ((m->len + 1) * 2 > m->cap) {
		rc = name_map_grow(m);
		if (rc < 0)
			return rc;
	}
	j = (size_t)name_hash(name) & (m->cap - 1);
	while (m->names[j]) {
		if (strcmp(m->names[j], name) == 0) {
			if (replace)
				m->offs[j] = off;
			return 0;
		}
		j = (j + 1) & (m->cap - 1);
	}
	m->names[j] = name;
	m->offs[j] = off;
	m->len++;
	return 0;
}

static bool name_map_get(const struct lutgen_name_map *m, const char *name,
			 Dwarf_Off *off)
{
	size_t j;

	if (!m->cap)
		return false;
	j = (size_t)name_hash(name) & (m->cap - 1);
	while (m->names[j]) {
		if (strcmp(m->names[j], name) == 0) {
			if (off)
				*off = m->offs[j];
			return true;
		}
		j = (j + 1) & (m->cap - 1);
	}
	return false;
}

/* ---- sections ---- */

static pthread_once_t elf_once = PTHREAD_ONCE_INIT;
static bool elf_ok;

/* elf_version is libelf's one piece of global state. */
static void elf_init(void)
{
	elf_ok = elf_version(EV_CURRENT) != EV_NONE;
}

/* Debug sections by what needs them; others are never read. */
static const char *const sections_types[] = { "info", "abbrev", "str",
					      "line_str", "str_offsets" };
static const char *const sections_code[] = { "loc", "loclists", "addr" };

static unsigned section_need(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(sections_types) / sizeof(*sections_types); i++)
		if (strcmp(name, sections_types[i]) == 0)
			return LUTGEN_DWARF_NEED_TYPES;
	for (i = 0; i < sizeof(sections_code) / sizeof(*sections_code); i++)
		if (strcmp(name, sections_code[i]) == 0)
			return LUTGEN_DWARF_NEED_CODE;
	return 0;
}

static int keep_buffer(struct lutgen_dwarf *d, void *buf)
{
	void **n = realloc(d->inflated, (d->ninflated + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	d->inflated = n;
	d->inflated[d->ninflated++] = buf;
	return 0;
}

/*
 * A buffer for an inflated section.  Sections run to megabytes, written
 * once from start to end: with transparent huge pages on request
 * (MADV_HUGEPAGE) that costs a page fault per 2 MiB instead of per 4 KiB,
 * a fifth of opening a binary.  Best effort; free() releases it.
 */
static void *inflate_buffer(size_t size)
{
	const size_t huge = (size_t)2 << 20;
	void *buf = NULL;

	if (size < huge / 2)
		return malloc(size ? size : 1);
	if (posix_memalign(&buf, huge, size) != 0)
		return NULL;
	(void)madvise(buf, (size + huge - 1) & ~(huge - 1), MADV_HUGEPAGE);
	return buf;
}

/*
 * Inflate a compressed section into a buffer of ours and make it the
 * section's data (raw and converted, which libdw reads) with the
 * compression flag cleared: dwarf_begin_elf then takes it as it is.
 */
static int inflate_section(struct lutgen_dwarf *d, Elf_Scn *scn,
			   GElf_Shdr *sh, bool gnu,
			   struct libdeflate_decompressor *z,
			   struct common_err *err, const char *name)
{
	Elf_Data *data = elf_getdata(scn, NULL), *raw;
	const unsigned char *in;
	size_t inlen, size = 0, got = 0, i;
	void *buf;

	if (!data || !data->d_buf)
		return common_err_set(err, -EPROTO, "reading %s of %s: %s", name,
				     d->path, elf_errmsg(-1));
	in = data->d_buf;
	inlen = data->d_size;
	if (gnu) {
		/* "ZLIB", 8-byte big-endian size, zlib stream */
		if (inlen < 12 || memcmp(in, "ZLIB", 4) != 0)
			return 0;  /* not compressed after all */
		for (i = 4; i < 12; i++)
			size = size << 8 | in[i];
		in += 12;
		inlen -= 12;
	} else {
		GElf_Chdr ch;
		size_t hdr = gelf_getclass(d->elf) == ELFCLASS64 ?
			     sizeof(Elf64_Chdr) : sizeof(Elf32_Chdr);

		if (!gelf_getchdr(scn, &ch) || ch.ch_type != ELFCOMPRESS_ZLIB ||
		    inlen < hdr)
			return common_err_set(err, -EPROTO,
					     "%s of %s: unsupported compression",
					     name, d->path);
		size = ch.ch_size;
		in += hdr;
		inlen -= hdr;
	}
	if (size > ((size_t)1 << 34))
		return common_err_set(err, -EFBIG, "%s of %s: %zu bytes inflated",
				     name, d->path, size);
	buf = inflate_buffer(size);
	if (!buf || keep_buffer(d, buf) < 0) {
		free(buf);
		return common_err_set(err, -ENOMEM, "out of memory reading %s",
				     d->path);
	}
	if (libdeflate_zlib_decompress(z, in, inlen, buf, size, &got) !=
		    LIBDEFLATE_SUCCESS || got != size)
		return common_err_set(err, -EPROTO,
				     "%s of %s: corrupt compressed data", name,
				     d->path);
	raw = elf_rawdata(scn, NULL);
	if (!raw)
		return common_err_set(err, -EPROTO, "reading %s of %s: %s", name,
				     d->path, elf_errmsg(-1));
	raw->d_buf = data->d_buf = buf;
	raw->d_size = data->d_size = size;
	raw->d_type = data->d_type = ELF_T_BYTE;
	sh->sh_flags &= ~(GElf_Xword)SHF_COMPRESSED;
	sh->sh_size = size;
	if (!gelf_update_shdr(scn, sh))
		return common_err_set(err, -EPROTO, "%s of %s: %s", name, d->path,
				     elf_errmsg(-1));
	return 0;
}

/*
 * Prepare the debug sections for dwarf_begin_elf: hide the unneeded,
 * inflate the needed compressed ones.  -ENODATA without .debug_info.
 */
static int prepare_sections(struct lutgen_dwarf *d, struct common_err *err)
{
	struct libdeflate_decompressor *z = NULL;
	Elf_Scn *scn = NULL, *info_scn = NULL;
	size_t shstrndx;
	bool info = false;
	int rc = 0;

	if (elf_getshdrstrndx(d->elf, &shstrndx) != 0)
		return common_err_set(err, -EPROTO, "%s: %s", d->path,
				     elf_errmsg(-1));
	while ((scn = elf_nextscn(d->elf, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name, *base;
		bool gnu;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(d->elf, shstrndx, sh.sh_name);
		if (!name)
			continue;
		gnu = strncmp(name, ".zdebug_", 8) == 0;
		if (!gnu && strncmp(name, ".debug_", 7) != 0)
			continue;
		base = name + (gnu ? 8 : 7);
		if (strcmp(base, "info") == 0) {
			info = true;
			info_scn = scn;
		}
		if (!(section_need(base) & d->need)) {
			sh.sh_type = SHT_NOBITS;
			(void)gelf_update_shdr(scn, &sh);
			continue;
		}
		if (!gnu && !(sh.sh_flags & SHF_COMPRESSED))
			continue;
		if (!z && !(z = libdeflate_alloc_decompressor())) {
			rc = common_err_set(err, -ENOMEM, "out of memory");
			break;
		}
		rc = inflate_section(d, scn, &sh, gnu, z, err, name);
		if (rc)
			break;
	}
	libdeflate_free_decompressor(z);
	if (rc == 0 && info_scn) {
		Elf_Data *data = elf_getdata(info_scn, NULL);

		/* what libdw will read: the walker skips DIEs in it */
		if (data && data->d_buf) {
			d->info = data->d_buf;
			d->info_size = data->d_size;
		}
	}
	if (rc == 0 && !info)
		rc = common_err_set(err, -ENODATA,
				   "%s has no DWARF debug info (stripped, or built with -ldflags=-w); rebuild it without -s/-w",
				   d->path);
	return rc;
}

/* ---- open / close ---- */

unsigned lutgen_dwarf_need_of(enum lutgen_lookup_kind kind)
{
	return lutgen_lookup_kind_is_locations(kind) ? LUTGEN_DWARF_NEED_ALL
						     : LUTGEN_DWARF_NEED_TYPES;
}

int lutgen_dwarf_open_for(const char *path, unsigned need,
			  struct lutgen_dwarf **out, struct common_err *err)
{
	struct lutgen_dwarf *d = NULL;
	GElf_Ehdr eh;
	int rc = 0;

	if (!path || !out)
		return common_err_set(err, -EINVAL,
				     "lutgen_dwarf_open: NULL argument");
	*out = NULL;
	pthread_once(&elf_once, elf_init);
	if (!elf_ok)
		return common_err_set(err, -EIO, "libelf: %s", elf_errmsg(-1));
	d = calloc(1, sizeof(*d));
	if (!d || !(d->path = strdup(path))) {
		free(d);
		return common_err_set(err, -ENOMEM, "out of memory opening %s",
				     path);
	}
	d->fd = -1;
	d->need = need & LUTGEN_DWARF_NEED_ALL ? need & LUTGEN_DWARF_NEED_ALL
					       : LUTGEN_DWARF_NEED_ALL;
	d->need |= LUTGEN_DWARF_NEED_TYPES;
	d->regabi = -1;
	d->goarch = "unknown";
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0) {
		rc = -errno;
		common_err_set(err, rc, "open %s: %s", path, strerror(-rc));
		goto out;
	}
	/* private (copy-on-write) mapping: prepare_sections edits the
	 * section headers in memory, never the file */
	d->elf = elf_begin(d->fd, ELF_C_READ_MMAP_PRIVATE, NULL);
	if (!d->elf || elf_kind(d->elf) != ELF_K_ELF || !gelf_getehdr(d->elf, &eh)) {
		rc = common_err_set(err, -EINVAL, "%s is not an ELF file%s%s",
				   path, d->elf ? "" : ": ",
				   d->elf ? "" : elf_errmsg(-1));
		goto out;
	}
	d->arch = lutgen_abi_arch_of_elf(eh.e_machine, eh.e_ident[EI_CLASS],
					 eh.e_ident[EI_DATA]);
	if (d->arch)
		d->goarch = d->arch->goarch;
	d->big_endian = eh.e_ident[EI_DATA] == ELFDATA2MSB;
	rc = prepare_sections(d, err);
	if (rc)
		goto out;
	d->dw = dwarf_begin_elf(d->elf, DWARF_C_READ, NULL);
	if (!d->dw) {
		rc = common_err_set(err, -EPROTO, "reading DWARF of %s: %s",
				   path, dwarf_errmsg(-1));
		goto out;
	}
	*out = d;
	d = NULL;
out:
	lutgen_dwarf_close(d);
	return rc;
}

int lutgen_dwarf_open(const char *path, struct lutgen_dwarf **out,
		      struct common_err *err)
{
	return lutgen_dwarf_open_for(path, LUTGEN_DWARF_NEED_ALL, out, err);
}

void lutgen_dwarf_close(struct lutgen_dwarf *d)
{
	size_t i;

	if (!d)
		return;
	name_map_free(&d->types);
	name_map_free(&d->funcs);
	name_map_free(&d->consts);
	free(d->cus);
	free(d->cu_by_name);
	lutgen_walk_table_free(d->walk);
	if (d->dw)
		dwarf_end(d->dw);
	if (d->elf)
		elf_end(d->elf);
	for (i = 0; i < d->ninflated; i++)
		free(d->inflated[i]);
	free(d->inflated);
	if (d->fd >= 0)
		close(d->fd);
	free(d->path);
	free(d);
}

const char *lutgen_dwarf_goarch(const struct lutgen_dwarf *d)
{
	return d ? d->goarch : "unknown";
}

/* ---- index ---- */

static bool is_type_tag(int tag)
{
	switch (tag) {
	case DW_TAG_structure_type:
	case DW_TAG_typedef:
	case DW_TAG_base_type:
	case DW_TAG_pointer_type:
	case DW_TAG_array_type:
	case DW_TAG_subroutine_type:
	case DW_TAG_union_type:
	case DW_TAG_enumeration_type:
	case DW_TAG_unspecified_type:
		return true;
	default:
		return false;
	}
}

/*
 * Put one top-level DIE into the map of its class, when it has a name
 * `want` (NULL: every name) asks for.
 */
static int index_die(struct lutgen_dwarf *d, Dwarf_Die *die,
		     const struct lutgen_name_map *want)
{
	int tag = dwarf_tag(die);
	Dwarf_Attribute a;
	const char *name;

	if (tag == DW_TAG_subprogram) {
		/* Concrete instances only; an abstract (inlined) origin has
		 * no low_pc and its out-of-line copy names it through
		 * DW_AT_abstract_origin. */
		if (!dwarf_hasattr(die, DW_AT_low_pc))
			return 0;
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name,
							     &a));
		if (!name || (want && !name_map_get(want, name, NULL)))
			return 0;
		return name_map_put(&d->funcs, name, dwarf_dieoffset(die),
				    false);
	}
	if (tag == DW_TAG_constant) {
		name = dwarf_diename(die);
		if (!name || (want && !name_map_get(want, name, NULL)))
			return 0;
		return name_map_put(&d->consts, name, dwarf_dieoffset(die),
				    false);
	}
	if (!is_type_tag(tag))
		return 0;
	name = dwarf_diename(die);
	if (!name || (want && !name_map_get(want, name, NULL)))
		return 0;
	/* A struct wins over a typedef of the same name. */
	return name_map_put(&d->types, name, dwarf_dieoffset(die),
			    tag == DW_TAG_structure_type);
}

/* The offsets of the top-level DIEs the walker found that index_die
 * may keep: types, functions and constants whose name is wanted (or not
 * known yet: a function's may come from its abstract origin). */
struct walk_found {
	const struct lutgen_name_map *want;
	Dwarf_Off *offs;
	size_t n, cap;
};

static int collect_walked(Dwarf_Off off, unsigned tag, const char *name,
			  void *arg)
{
	struct walk_found *f = arg;

	if (tag != DW_TAG_subprogram && tag != DW_TAG_constant &&
	    !is_type_tag((int)tag))
		return 0;
	if (name && f->want && !name_map_get(f->want, name, NULL))
		return 0;
	if (f->n == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 1024;
		Dwarf_Off *n = realloc(f->offs, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		f->offs = n;
		f->cap = ncap;
	}
	f->offs[f->n++] = off;
	return 0;
}

/*
 * The top-level DIEs of a CU through the skip walker (dwarf_walk.c),
 * indexed only once the whole unit walked cleanly; -EAGAIN when it
 * cannot read this CU.  The walk table is built from the first CU and
 * kept: Go's CUs share one abbreviation table.
 */
static int index_cu_walk(struct lutgen_dwarf *d, struct lutgen_cu *cu,
			 const struct lutgen_name_map *want)
{
	struct walk_found f = { want, NULL, 0, 0 };
	Dwarf_Die die;
	size_t i;
	int rc;

	if (d->walk_failed || !d->info)
		return -EAGAIN;
	if (!d->walk) {
		rc = lutgen_walk_table_new(cu, d->big_endian, &d->walk);
		if (rc == -EAGAIN)
			d->walk_failed = true;
		if (rc)
			return rc;
	}
	rc = lutgen_walk_top_dies(d->walk, d->info, d->info_size, cu,
				  collect_walked, &f);
	for (i = 0; rc == 0 && i < f.n; i++) {
		if (!dwarf_offdie(d->dw, f.offs[i], &die))
			rc = -EAGAIN;
		else
			rc = index_die(d, &die, want);
	}
	free(f.offs);
	return rc;
}

/* One pass over the top-level DIEs of one CU. */
static int index_cu(struct lutgen_dwarf *d, struct lutgen_cu *cu,
		    const struct lutgen_name_map *want, struct common_err *err)
{
	Dwarf_Die child;
	int rc, r;

	if (cu->indexed)
		return 0;
	rc = index_cu_walk(d, cu, want);
	if (rc == -ENOMEM)
		return common_err_set(err, rc,
				     "out of memory indexing DWARF of %s",
				     d->path);
	if (rc == 0)
		goto done;
	/* the walker could not: libdw, DIE by DIE */
	r = dwarf_child(&cu->die, &child);
	while (r == 0) {
		rc = index_die(d, &child, want);
		if (rc < 0)
			return common_err_set(err, rc,
					     "out of memory indexing DWARF of %s",
					     d->path);
		r = dwarf_siblingof(&child, &child);
	}
	if (r < 0)
		return common_err_set(err, -EPROTO, "reading DWARF of %s: %s",
				     d->path, dwarf_errmsg(-1));
done:
	if (!want)
		cu->indexed = true;
	return 0;
}

static const struct lutgen_cu *sort_cus;

static int cmp_cu_name(const void *a, const void *b)
{
	const char *x = sort_cus[*(const size_t *)a].name;
	const char *y = sort_cus[*(const size_t *)b].name;
	int c = strcmp(x ? x : "", y ? y : "");

	if (c)
		return c;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;

/* The list of CUs: headers and CU DIEs only, no children parsed. */
static int load_cus(struct lutgen_dwarf *d, struct common_err *err)
{
	Dwarf_Off off = 0, next;
	size_t cap = 0, i, hsize;
	Dwarf_Half version;
	Dwarf_Off abbrev_off;
	uint8_t addr_size, off_size;
	Dwarf_Die cudie;
	int r;

	if (d->cus_loaded)
		return 0;
	while ((r = dwarf_next_unit(d->dw, off, &next, &hsize, &version,
				    &abbrev_off, &addr_size, &off_size, NULL,
				    NULL)) == 0) {
		struct lutgen_cu *c;

		if (!dwarf_offdie(d->dw, off + hsize, &cudie)) {
			r = -1;
			break;
		}
		if (d->ncus == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct lutgen_cu *n = realloc(d->cus, ncap * sizeof(*n));

			if (!n)
				goto oom;
			d->cus = n;
			cap = ncap;
		}
		c = &d->cus[d->ncus++];
		memset(c, 0, sizeof(*c));
		c->die = cudie;
		c->name = dwarf_diename(&cudie);
		c->end = next;
		c->abbrev_off = abbrev_off;
		c->addr_size = addr_size;
		c->off_size = off_size;
		c->version = version;
		off = next;
	}
	if (r < 0)
		return common_err_set(err, -EPROTO,
				     "reading DWARF units of %s: %s", d->path,
				     dwarf_errmsg(-1));
	d->cu_by_name = malloc((d->ncus ? d->ncus : 1) * sizeof(size_t));
	if (!d->cu_by_name)
		goto oom;
	for (i = 0; i < d->ncus; i++)
		d->cu_by_name[i] = i;
	/* qsort has no context argument in C11: one sort at a time */
	pthread_mutex_lock(&sort_lock);
	sort_cus = d->cus;
	qsort(d->cu_by_name, d->ncus, sizeof(size_t), cmp_cu_name);
	sort_cus = NULL;
	pthread_mutex_unlock(&sort_lock);
	d->cus_loaded = true;
	return 0;
oom:
	return common_err_set(err, -ENOMEM, "out of memory indexing DWARF of %s",
			     d->path);
}

/* The CUs named `pkg`: cu_by_name[*first .. *first + count). */
static size_t cus_named(const struct lutgen_dwarf *d, const char *pkg,
			size_t *first)
{
	size_t lo = 0, hi = d->ncus, n = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *nm = d->cus[d->cu_by_name[mid]].name;

		if (strcmp(nm ? nm : "", pkg) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (lo + n < d->ncus) {
		const char *nm = d->cus[d->cu_by_name[lo + n]].name;

		if (!nm || strcmp(nm, pkg) != 0)
			break;
		n++;
	}
	return n;
}

/*
 * Go package path of a qualified Go name: "crypto/tls.(*Conn).Write" ->
 * "crypto/tls", "runtime.g" -> "runtime".
 */
static bool package_of(const char *name, char *buf, size_t size)
{
	const char *end = name + strcspn(name, "[");
	const char *slash = NULL, *p, *dot;

	for (p = name; p < end; p++)
		if (*p == '/')
			slash = p;
	dot = memchr(slash ? slash : name, '.',
		     (size_t)(end - (slash ? slash : name)));
	if (!dot || (size_t)(dot - name) >= size)
		return false;
	memcpy(buf, name, (size_t)(dot - name));
	buf[dot - name] = '\0';
	return true;
}

static struct lutgen_name_map *map_of(struct lutgen_dwarf *d, unsigned want)
{
	if (want & LUTGEN_WANT_FUNC)
		return &d->funcs;
	if (want & LUTGEN_WANT_CONST)
		return &d->consts;
	return &d->types;
}

/* Index the CUs named `pkg` for the names in `want`. */
static int scan_package(struct lutgen_dwarf *d, const char *pkg,
			const struct lutgen_name_map *want,
			struct common_err *err)
{
	size_t first, n, i;
	int rc;

	n = cus_named(d, pkg, &first);
	for (i = 0; i < n; i++) {
		rc = index_cu(d, &d->cus[d->cu_by_name[first + i]], want, err);
		if (rc)
			return rc;
	}
	return 0;
}

/* Scan the CUs the unresolved names of the batch may be in. */
static int scan_targets(struct lutgen_dwarf *d, const char *const *names,
			const unsigned *wants, size_t n,
			const struct lutgen_name_map *want,
			struct common_err *err)
{
	char pkg[512];
	struct lutgen_name_map done = { 0 };
	bool types = false;
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		if (name_map_get(map_of(d, wants[i]), names[i], NULL))
			continue;
		if (wants[i] & LUTGEN_WANT_TYPE)
			types = true;
		if (!package_of(names[i], pkg, sizeof(pkg)))
			continue;
		if (name_map_get(&done, pkg, NULL))
			continue;
		rc = scan_package(d, pkg, want, err);
		/* borrowed key: a CU name equal to pkg */
		if (rc == 0) {
			size_t first;

			if (cus_named(d, pkg, &first) > 0 &&
			    name_map_put(&done, d->cus[d->cu_by_name[first]].name,
					 0, false) < 0)
				rc = common_err_set(err, -ENOMEM, "out of memory");
		}
	}
	if (rc == 0 && types && !name_map_get(&done, "runtime", NULL))
		rc = scan_package(d, "runtime", want, err);
	name_map_free(&done);
	return rc;
}

int lutgen_dwarf_resolve(struct lutgen_dwarf *d, const char *const *names,
			 const unsigned *wants, size_t n, bool fallback,
			 struct common_err *err)
{
	struct lutgen_name_map want = { 0 };
	size_t i, missing = 0;
	int rc;

	rc = load_cus(d, err);
	if (rc)
		return rc;
	for (i = 0; i < n; i++)
		if (!name_map_get(map_of(d, wants[i]), names[i], NULL)) {
			missing++;
			if (name_map_put(&want, names[i], 0, false) < 0) {
				rc = common_err_set(err, -ENOMEM,
						   "out of memory");
				goto out;
			}
		}
	if (missing == 0 || d->all_indexed)
		goto out;
	rc = scan_targets(d, names, wants, n, &want, err);
	if (rc)
		goto out;
	for (i = 0; i < n; i++)
		if (!name_map_get(map_of(d, wants[i]), names[i], NULL))
			break;
	if (i == n || !fallback)
		goto out;
	/* Somewhere else, or nowhere: every name of every CU, once. */
	for (i = 0; i < d->ncus && rc == 0; i++)
		rc = index_cu(d, &d->cus[i], NULL, err);
	if (rc == 0)
		d->all_indexed = true;
out:
	name_map_free(&want);
	return rc;
}

int lutgen_dwarf_find(struct lutgen_dwarf *d, unsigned want,
		      const char *name, Dwarf_Die *die,
		      struct common_err *err)
{
	static const char *const what[] = { "type", "function", "constant" };
	const char *w = what[want & LUTGEN_WANT_FUNC	? 1
			     : want & LUTGEN_WANT_CONST ? 2
							: 0];
	Dwarf_Off off;
	int rc;

	rc = lutgen_dwarf_resolve(d, &name, &want, 1, true, err);
	if (rc)
		return rc;
	if (!name_map_get(map_of(d, want), name, &off))
		return common_err_set(err, -ENOENT, "no %s '%s' in %s", w, name,
				     d->path);
	if (!dwarf_offdie(d->dw, off, die))
		return common_err_set(err, -EPROTO, "reading %s '%s' in %s: %s",
				     w, name, d->path, dwarf_errmsg(-1));
	return 0;
}

/* ---- code ---- */

/* The code at [lo, lo + *size) from the executable section holding it;
 * *size is clipped to the section. */
const uint8_t *lutgen_dwarf_code(struct lutgen_dwarf *d, uint64_t lo,
				 size_t *size)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(d->elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *data;
		uint64_t off;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_EXECINSTR) || lo < sh.sh_addr ||
		    lo >= sh.sh_addr + sh.sh_size)
			continue;
		data = elf_getdata(scn, NULL);
		off = lo - sh.sh_addr;
		if (!data || !data->d_buf || off >= data->d_size)
			return NULL;
		if (*size > data->d_size - off)
			*size = data->d_size - off;
		return (const uint8_t *)data->d_buf + off;
	}
	return NULL;
}

/* ---- types ---- */

/* Follow typedefs (and qualifiers, which Go does not emit). */
int lutgen_die_strip_typedefs(Dwarf_Die *die)
{
	int depth;

	for (depth = 0; depth < LUTGEN_TYPE_MAX_DEPTH; depth++) {
		Dwarf_Attribute a;
		int tag = dwarf_tag(die);

		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type &&
		    tag != DW_TAG_volatile_type)
			return 0;
		if (!dwarf_formref_die(dwarf_attr(die, DW_AT_type, &a), die))
			return -1;
	}
	return -1;
}

int lutgen_die_type_size(Dwarf_Die *type, uint64_t *out)
{
	Dwarf_Die t = *type;
	Dwarf_Attribute a;
	Dwarf_Word w;

	if (lutgen_die_strip_typedefs(&t) < 0)
		return -1;
	if (dwarf_attr(&t, DW_AT_byte_size, &a) && dwarf_formudata(&a, &w) == 0) {
		*out = w;
		return 0;
	}
	if (dwarf_tag(&t) == DW_TAG_pointer_type) {
		Dwarf_Die cu;
		uint8_t asz = 0;

		if (dwarf_diecu(&t, &cu, &asz, NULL) && asz) {
			*out = asz;
			return 0;
		}
	}
	if (dwarf_aggregate_size(&t, &w) == 0) {
		*out = w;
		return 0;
	}
	return -1;
}

/* DW_AT_go_kind of a type, looked for along its typedef chain. */
int lutgen_die_go_kind(Dwarf_Die *type)
{
	Dwarf_Die t = *type;
	int depth;

	for (depth = 0; depth < LUTGEN_TYPE_MAX_DEPTH; depth++) {
		Dwarf_Attribute a;
		Dwarf_Word w;

		if (dwarf_attr(&t, LUTGEN_DW_AT_GO_KIND, &a) &&
		    dwarf_formudata(&a, &w) == 0)
			return (int)w;
		if (dwarf_tag(&t) != DW_TAG_typedef ||
		    !dwarf_formref_die(dwarf_attr(&t, DW_AT_type, &a), &t))
			return 0;
	}
	return 0;
}

static uint64_t align_of(Dwarf_Die *type, unsigned ptr_size, int depth)
{
	Dwarf_Die t = *type, m, et;
	Dwarf_Attribute a;
	uint64_t al = 1, sz;
	int r;

	if (depth > LUTGEN_TYPE_MAX_DEPTH || lutgen_die_strip_typedefs(&t) < 0)
		return 0;
	switch (dwarf_tag(&t)) {
	case DW_TAG_structure_type:
		for (r = dwarf_child(&t, &m); r == 0; r = dwarf_siblingof(&m, &m)) {
			uint64_t x;

			if (dwarf_tag(&m) != DW_TAG_member)
				continue;
			if (!dwarf_formref_die(dwarf_attr(&m, DW_AT_type, &a), &et))
				return 0;
			x = align_of(&et, ptr_size, depth + 1);
			if (x == 0)
				return 0;
			if (x > al)
				al = x;
		}
		return r < 0 ? 0 : al;
	case DW_TAG_array_type:
		if (!dwarf_formref_die(dwarf_attr(&t, DW_AT_type, &a), &et))
			return 0;
		return align_of(&et, ptr_size, depth + 1);
	default:
		if (lutgen_die_type_size(&t, &sz) < 0)
			return 0;
		if (sz >= ptr_size)
			return ptr_size;
		return sz == 0 ? 1 : sz;
	}
}

uint64_t lutgen_die_type_align(Dwarf_Die *type, unsigned ptr_size)
{
	return align_of(type, ptr_size ? ptr_size : 8, 0);
}

int lutgen_dwarf_type_size(struct lutgen_dwarf *d, const char *type,
			   uint64_t *out, struct common_err *err)
{
	Dwarf_Die die;
	int rc;

	if (!d || !type || !out)
		return common_err_set(err, -EINVAL,
				     "lutgen_dwarf_type_size: NULL argument");
	rc = lutgen_dwarf_find(d, LUTGEN_WANT_TYPE, type, &die, err);
	if (rc < 0)
		return rc;
	if (lutgen_die_type_size(&die, out) < 0)
		return common_err_set(err, -EPROTO,
				     "type '%s' has no byte size in %s", type,
				     d->path);
	return 0;
}

/* ---- struct members and field paths ---- */

int lutgen_die_member_offset(Dwarf_Die *m, uint64_t *out)
{
	Dwarf_Attribute a;
	Dwarf_Word w;
	Dwarf_Op *ops;
	size_t n;

	if (!dwarf_attr(m, DW_AT_data_member_location, &a)) {
		*out = 0; /* DWARF: absent means offset 0 (unions, first) */
		return 0;
	}
	if (dwarf_formudata(&a, &w) == 0) {
		*out = w;
		return 0;
	}
	/* DWARF 2 style: DW_OP_plus_uconst N */
	if (dwarf_getlocation(&a, &ops, &n) == 0 && n == 1 &&
	    ops[0].atom == DW_OP_plus_uconst) {
		*out = ops[0].number;
		return 0;
	}
	return -1;
}

static bool member_is_embedded(Dwarf_Die *m)
{
	Dwarf_Attribute a;
	bool flag = false;

	if (!dwarf_attr(m, LUTGEN_DW_AT_GO_EMBEDDED_FIELD, &a))
		return false;
	if (dwarf_formflag(&a, &flag) != 0)
		return false;
	return flag;
}

/* Direct member `name` of struct `st`. 1 found, 0 not, -1 bad DWARF. */
static int direct_member(Dwarf_Die *st, const char *name, Dwarf_Die *m)
{
	int r = dwarf_child(st, m);

	while (r == 0) {
		if (dwarf_tag(m) == DW_TAG_member) {
			const char *mn = dwarf_diename(m);

			if (mn && strcmp(mn, name) == 0)
				return 1;
		}
		r = dwarf_siblingof(m, m);
	}
	return r < 0 ? -1 : 0;
}

/* Type DIE of member `m`, typedefs stripped; must be a struct.
 * Returns 0, -ENOTDIR when it is a pointer, -EINVAL other non-struct,
 * -EPROTO bad DWARF. */
static int member_struct(Dwarf_Die *m, Dwarf_Die *st)
{
	Dwarf_Attribute a;
	int tag;

	if (!dwarf_formref_die(dwarf_attr(m, DW_AT_type, &a), st))
		return -EPROTO;
	if (lutgen_die_strip_typedefs(st) < 0)
		return -EPROTO;
	tag = dwarf_tag(st);
	if (tag == DW_TAG_structure_type)
		return 0;
	return tag == DW_TAG_pointer_type ? -ENOTDIR : -EINVAL;
}

struct promoted {
	int best;          /* shallowest depth found, 0 none */
	bool ambiguous;
	uint64_t off;
	Dwarf_Die found;
};

static int promoted_walk(Dwarf_Die *st, const char *name, int depth,
			 uint64_t base, struct promoted *p);

/* One embedded member `m` (at `base` from the outer struct) of the
 * struct being searched at `depth`. */
static int promoted_member_of(Dwarf_Die *m, const char *name, int depth,
			      uint64_t base, struct promoted *p)
{
	Dwarf_Die sub, fm;
	uint64_t mo, o;
	int got;

	if (member_struct(m, &sub) != 0)
		return 0;
	if (lutgen_die_member_offset(m, &mo) < 0)
		return -EPROTO;
	got = direct_member(&sub, name, &fm);
	if (got < 0)
		return -EPROTO;
	if (!got)
		return promoted_walk(&sub, name, depth + 1, base + mo, p);
	if (lutgen_die_member_offset(&fm, &o) < 0)
		return -EPROTO;
	if (!p->best || depth < p->best) {
		p->best = depth;
		p->ambiguous = false;
		p->off = base + mo + o;
		p->found = fm;
	} else if (depth == p->best) {
		p->ambiguous = true;
	}
	return 0;
}

static int promoted_walk(Dwarf_Die *st, const char *name, int depth,
			 uint64_t base, struct promoted *p)
{
	Dwarf_Die m;
	int r, rc;

	if (depth > LUTGEN_EMBED_MAX_DEPTH || (p->best && depth > p->best))
		return 0;
	for (r = dwarf_child(st, &m); r == 0; r = dwarf_siblingof(&m, &m)) {
		if (dwarf_tag(&m) != DW_TAG_member || !member_is_embedded(&m))
			continue;
		rc = promoted_member_of(&m, name, depth, base, p);
		if (rc < 0)
			return rc;
	}
	return r < 0 ? -EPROTO : 0;
}

/*
 * Promoted field `name` reached through embedded (non-pointer) struct
 * members of `st`, as Go resolves x.f: the shallowest depth wins.
 * Returns 1 with *off (from `st`) and *found, 0 when not found, -EEXIST
 * when ambiguous at the shallowest depth, -EPROTO.
 */
static int promoted_member(Dwarf_Die *st, const char *name, uint64_t *off,
			   Dwarf_Die *found)
{
	struct promoted p = { 0 };
	int rc = promoted_walk(st, name, 1, 0, &p);

	if (rc < 0)
		return rc;
	if (!p.best)
		return 0;
	if (p.ambiguous)
		return -EEXIST;
	*off = p.off;
	*found = p.found;
	return 1;
}

/* Split a dotted path into at most LUTGEN_PATH_MAX_PARTS parts (in buf). */
static int split_path(const char *path, char *buf, size_t size, char **parts,
		      size_t *nparts, struct common_err *err)
{
	char *save = NULL, *tok;

	*nparts = 0;
	if (snprintf(buf, size, "%s", path) >= (int)size)
		return common_err_set(err, -EINVAL,
				     "field path too long: %.64s...", path);
	for (tok = strtok_r(buf, ".", &save); tok;
	     tok = strtok_r(NULL, ".", &save)) {
		if (*nparts == LUTGEN_PATH_MAX_PARTS)
			return common_err_set(err, -EINVAL,
					     "field path '%s' has too many components",
					     path);
		parts[(*nparts)++] = tok;
	}
	if (*nparts == 0)
		return common_err_set(err, -EINVAL, "empty field path");
	return 0;
}

/* Member `part` of struct `st`, direct or promoted: 0 with its offset and
 * DIE, or an error naming it. */
static int path_step(struct lutgen_dwarf *d, Dwarf_Die *st, const char *part,
		     uint64_t *off, Dwarf_Die *m, struct common_err *err)
{
	const char *stname = dwarf_diename(st);
	int got;

	if (!stname)
		stname = "(anonymous struct)";
	got = direct_member(st, part, m);
	if (got > 0)
		return lutgen_die_member_offset(m, off) < 0 ? -EPROTO : 0;
	if (got < 0)
		return -EPROTO;
	got = promoted_member(st, part, off, m);
	if (got == -EEXIST)
		return common_err_set(err, -EINVAL,
				     "field '%s' of %s is ambiguous (promoted from several embedded structs) in %s",
				     part, stname, d->path);
	if (got < 0)
		return -EPROTO;
	if (got == 0)
		return common_err_set(err, -ENOENT, "%s has no field '%s' in %s",
				     stname, part, d->path);
	return 0;
}

/*
 * Walk `field_path` from struct type `type`: the offset of the last
 * member from the start of `type` and that member's DIE.
 */
static int walk_path(struct lutgen_dwarf *d, const char *type,
		     const char *field_path, uint64_t *out, Dwarf_Die *last,
		     struct common_err *err)
{
	char buf[512];
	char *parts[LUTGEN_PATH_MAX_PARTS];
	size_t nparts, i;
	Dwarf_Die st, m;
	uint64_t total = 0;
	int rc;

	rc = split_path(field_path, buf, sizeof(buf), parts, &nparts, err);
	if (rc)
		return rc;
	rc = lutgen_dwarf_find(d, LUTGEN_WANT_TYPE, type, &st, err);
	if (rc < 0)
		return rc;
	if (lutgen_die_strip_typedefs(&st) < 0 ||
	    dwarf_tag(&st) != DW_TAG_structure_type)
		return common_err_set(err, -EINVAL,
				     "type '%s' in %s is not a struct", type,
				     d->path);
	for (i = 0; i < nparts; i++) {
		uint64_t off;

		rc = path_step(d, &st, parts[i], &off, &m, err);
		if (rc == -EPROTO)
			goto bad_dwarf;
		if (rc)
			return rc;
		total += off;
		if (i + 1 == nparts)
			break;
		rc = member_struct(&m, &st);
		if (rc == -ENOTDIR || rc == -EINVAL)
			return common_err_set(err, -EINVAL,
					     "field '%s' of %s is %s; path '%s' cannot %s (in %s)",
					     parts[i], type,
					     rc == -ENOTDIR ? "a pointer" : "not a struct",
					     field_path,
					     rc == -ENOTDIR ? "walk through it" : "continue",
					     d->path);
		if (rc < 0)
			goto bad_dwarf;
	}
	*out = total;
	*last = m;
	return 0;
bad_dwarf:
	return common_err_set(err, -EPROTO,
			     "malformed DWARF for '%s' field '%s' in %s: %s", type,
			     field_path, d->path, dwarf_errmsg(-1));
}

int lutgen_dwarf_struct_offset(struct lutgen_dwarf *d, const char *type,
			       const char *field_path, uint64_t *out,
			       struct common_err *err)
{
	Dwarf_Die m;

	if (!d || !type || !field_path || !out)
		return common_err_set(err, -EINVAL,
				     "lutgen_dwarf_struct_offset: NULL argument");
	return walk_path(d, type, field_path, out, &m, err);
}

int lutgen_dwarf_field_size(struct lutgen_dwarf *d, const char *type,
			    const char *field_path, uint64_t *out,
			    struct common_err *err)
{
	Dwarf_Attribute a;
	Dwarf_Die m, t;
	uint64_t off;
	int rc;

	if (!d || !type || !field_path || !out)
		return common_err_set(err, -EINVAL,
				     "lutgen_dwarf_field_size: NULL argument");
	rc = walk_path(d, type, field_path, &off, &m, err);
	if (rc)
		return rc;
	if (!dwarf_formref_die(dwarf_attr(&m, DW_AT_type, &a), &t) ||
	    lutgen_die_type_size(&t, out) < 0)
		return common_err_set(err, -EPROTO,
				     "field '%s' of %s has no sized type in %s",
				     field_path, type, d->path);
	return 0;
}

/* ---- constants ---- */

int lutgen_dwarf_const(struct lutgen_dwarf *d, const char *name,
		       int64_t *out, struct common_err *err)
{
	Dwarf_Attribute a;
	Dwarf_Sword v;
	Dwarf_Die die;
	int rc;

	if (!d || !name || !out)
		return common_err_set(err, -EINVAL,
				     "lutgen_dwarf_const: NULL argument");
	rc = lutgen_dwarf_find(d, LUTGEN_WANT_CONST, name, &die, err);
	if (rc)
		return rc;
	if (!dwarf_attr(&die, DW_AT_const_value, &a) ||
	    dwarf_formsdata(&a, &v) != 0)
		return common_err_set(err, -EPROTO,
				     "constant '%s' in %s has no integer value: %s",
				     name, d->path, dwarf_errmsg(-1));
	*out = (int64_t)v;
	return 0;
}

/* ---- queries ---- */

static unsigned want_of(enum lutgen_lookup_kind k)
{
	if (k == LUTGEN_LOOKUP_CONST)
		return LUTGEN_WANT_CONST;
	if (lutgen_lookup_kind_is_locations(k))
		return LUTGEN_WANT_FUNC;
	return LUTGEN_WANT_TYPE;
}

/* One combination of spellings. */
static int answer(struct lutgen_dwarf *d, enum lutgen_lookup_kind kind,
		  const char *type, const char *field, const char *symbol,
		  struct lutgen_value *out, struct common_err *err)
{
	int64_t c;
	int rc;

	switch (kind) {
	case LUTGEN_LOOKUP_STRUCT_OFFSET:
		return lutgen_dwarf_struct_offset(d, type, field, &out->u, err);
	case LUTGEN_LOOKUP_FIELD_SIZE:
		return lutgen_dwarf_field_size(d, type, field, &out->u, err);
	case LUTGEN_LOOKUP_TYPE_SIZE:
		return lutgen_dwarf_type_size(d, type, &out->u, err);
	case LUTGEN_LOOKUP_CONST:
		rc = lutgen_dwarf_const(d, symbol, &c, err);
		out->u = (uint64_t)c;
		return rc;
	case LUTGEN_LOOKUP_FUNC_PARAMS:
		return lutgen_dwarf_func_params(d, symbol, &out->params,
						&out->nparams, err);
	case LUTGEN_LOOKUP_FUNC_RESULTS:
		return lutgen_dwarf_func_results(d, symbol, &out->params,
						 &out->nparams, err);
	case LUTGEN_LOOKUP_G_LOCATION:
		return lutgen_dwarf_g_location(d, symbol, &out->params,
					       &out->nparams, err);
	default:
		return common_err_set(err, -EINVAL, "unknown lookup kind %d",
				     (int)kind);
	}
}

static int check_kind(const struct lutgen_dwarf *d,
		      enum lutgen_lookup_kind kind, const char *type,
		      const char *field, const char *symbol,
		      struct common_err *err)
{
	const char *kn = lutgen_lookup_kind_name(kind);
	bool wtype = kind == LUTGEN_LOOKUP_STRUCT_OFFSET ||
		     kind == LUTGEN_LOOKUP_FIELD_SIZE ||
		     kind == LUTGEN_LOOKUP_TYPE_SIZE;
	bool wfield = wtype && kind != LUTGEN_LOOKUP_TYPE_SIZE;

	if ((unsigned)kind >= LUTGEN_LOOKUP_KIND_COUNT)
		return common_err_set(err, -EINVAL, "unknown lookup kind %d",
				     (int)kind);
	if (wtype != !!type || wfield != !!field || wtype == !!symbol)
		return common_err_set(err, -EINVAL,
				     "a %s lookup needs %s", kn,
				     wfield ? "a type and a field"
				     : wtype ? "a type"
				     : kind == LUTGEN_LOOKUP_CONST ? "a constant"
								   : "a function");
	if (lutgen_dwarf_need_of(kind) & ~d->need)
		return common_err_set(err, -EINVAL,
				     "a %s lookup needs the inspector opened for code (LUTGEN_DWARF_NEED_CODE)",
				     kn);
	return 0;
}

int lutgen_dwarf_prefetch(struct lutgen_dwarf *d,
			  const struct lutgen_dwarf_name *names, size_t n,
			  struct common_err *err)
{
	const char **nm;
	unsigned *wants;
	size_t i, k = 0;
	int rc;

	if (!d || (n && !names))
		return common_err_set(err, -EINVAL,
				     "lutgen_dwarf_prefetch: NULL argument");
	nm = calloc(2 * n + 1, sizeof(*nm));
	wants = calloc(2 * n + 1, sizeof(*wants));
	if (!nm || !wants) {
		rc = common_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (names[i].type) {
			nm[k] = names[i].type;
			wants[k++] = LUTGEN_WANT_TYPE;
		}
		if (names[i].symbol) {
			nm[k] = names[i].symbol;
			wants[k++] = want_of(names[i].kind);
		}
		if (names[i].kind == LUTGEN_LOOKUP_G_LOCATION) {
			nm[k] = "runtime.g";
			wants[k++] = LUTGEN_WANT_TYPE;
		}
	}
	/* no fallback: a spelling missing from the CUs that should hold it
	 * (an alternative for other versions) costs a full index only if a
	 * lookup asks for it */
	rc = lutgen_dwarf_resolve(d, nm, wants, k, false, err);
out:
	free(nm);
	free(wants);
	return rc;
}

int lutgen_dwarf_lookup(struct lutgen_dwarf *d, enum lutgen_lookup_kind kind,
			const char *type, const char *field,
			const char *symbol, struct lutgen_value *out,
			struct common_err *err)
{
	int rc;

	if (!d || !out)
		return common_err_set(err, -EINVAL,
				     "lutgen_dwarf_lookup: NULL argument");
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	rc = check_kind(d, kind, type, field, symbol, err);
	if (rc == 0)
		rc = answer(d, kind, type, field, symbol, out, err);
	if (rc)
		lutgen_value_free(out);
	return rc;
}
