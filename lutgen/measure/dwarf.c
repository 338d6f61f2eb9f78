/* SPDX-License-Identifier: MIT */
/*
 * lutgen/measure/dwarf.c - the inspector: struct offsets, type sizes and parameter
 * locations read from a Go ELF's DWARF with libelf + libdw.
 *
 * The ELF is opened with elf_begin(ELF_C_READ_MMAP_PRIVATE) and handed to
 * dwarf_begin_elf, which decompresses both .zdebug_* sections (older Go,
 * e.g. 1.15) and SHF_COMPRESSED .debug_* sections (newer Go) itself.
 *
 * Lookups go through a name index built lazily: named types and concrete
 * (out-of-line, with DW_AT_low_pc) subprograms go into two open-addressing
 * hash maps keyed by the DIE name, filled by one pass over the top-level
 * DIEs of a CU.  Go emits one CU per package (named by the package path)
 * holding its types and functions, so a query first indexes only the CU of
 * the name's package ("runtime" for runtime.g); when the name is not there,
 * every remaining CU is indexed, once per handle.  Each CU is read at most
 * once.  Names are borrowed from libdw (.debug_str or the DIE itself) and
 * live as long as the Dwarf handle.
 *
 * Stack-slot convention (see value.h): a LUTGEN_PIECE_STACK offset is
 * relative to SP at the function's first instruction.  Go's DWARF expresses
 * stack parameters relative to the CFA (DW_OP_call_frame_cfa, or
 * DW_OP_fbreg with DW_AT_frame_base = DW_OP_call_frame_cfa).  At the entry
 * pc the CFA is, per Go's own .debug_frame CIE:
 *   amd64: CFA = SP + 8   (DW_CFA_def_cfa: rsp ofs 8; 0(SP) = return addr)
 *   arm64: CFA = SP + 0   (DW_CFA_def_cfa: sp ofs 0; return addr in LR,
 *                          first stack argument at 8(SP), 0(SP) belongs to
 *                          the caller's frame: its saved-LR slot)
 * so stack_offset = cfa_offset + 8 on amd64 and cfa_offset + 0 on arm64.
 * Verified against the disassembly of go1.15 (stack ABI) binaries:
 * amd64 `MOVQ 8(SP), AX` loads the first int argument whose DWARF location
 * is DW_OP_call_frame_cfa; arm64 `ldr x1, [sp, #8]` loads the first one,
 * described as DW_OP_fbreg +8.
 */
#include "lutgen/measure/dwarf.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/goarch.h"

/* Go's vendor attributes (cmd/internal/dwarf). */
#define LUTGEN_DW_AT_GO_EMBEDDED_FIELD 0x2903

/* Bound on the depth of promoted-field search through embedded structs. */
#define LUTGEN_EMBED_MAX_DEPTH 8

/* Bound on the operations of a block-form location expression. */
#define LUTGEN_MAX_OPS 64

/* Bound on the path components of a field path. */
#define LUTGEN_PATH_MAX_PARTS 32

struct name_map {
	const char **names;   /* borrowed from libdw */
	Dwarf_Off *offs;      /* DIE offsets in .debug_info */
	size_t cap;           /* power of two, 0 = empty */
	size_t len;
};

struct cu_ent {
	Dwarf_Die die;
	bool indexed;
};

struct lutgen_dwarf {
	char *path;
	int fd;
	Elf *elf;
	Dwarf *dw;
	const char *goarch;
	int64_t cfa_to_sp;    /* stack_offset = cfa offset + cfa_to_sp */
	int64_t first_arg;    /* SP offset of the first stack argument slot
				 at entry (amd64, arm64: 8), -1 unknown */
	struct cu_ent *cus;   /* every CU, in .debug_info order */
	size_t ncus;
	bool cus_loaded;
	bool all_indexed;
	struct name_map cu_names; /* CU name (Go package path) -> cus[] index */
	struct name_map types;
	struct name_map funcs;
};

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

static void name_map_free(struct name_map *m)
{
	free(m->names);
	free(m->offs);
	memset(m, 0, sizeof(*m));
}

static int name_map_grow(struct name_map *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 4096;
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
static int name_map_put(struct name_map *m, const char *name, Dwarf_Off off,
			bool replace)
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

static bool name_map_get(const struct name_map *m, const char *name,
			 Dwarf_Off *off)
{
	size_t j;

	if (!m->cap)
		return false;
	j = (size_t)name_hash(name) & (m->cap - 1);
	while (m->names[j]) {
		if (strcmp(m->names[j], name) == 0) {
			*off = m->offs[j];
			return true;
		}
		j = (j + 1) & (m->cap - 1);
	}
	return false;
}

/* ---- open / close ---- */

static const char *goarch_of(Elf *elf, int64_t *cfa_to_sp, int64_t *first_arg)
{
	GElf_Ehdr eh;
	const char *arch;

	*cfa_to_sp = 0;
	*first_arg = -1;
	if (!gelf_getehdr(elf, &eh))
		return "unknown";
	arch = common_goarch_from_elf(eh.e_machine,
				      eh.e_ident[EI_CLASS] == ELFCLASS64,
				      eh.e_ident[EI_DATA] == ELFDATA2MSB);
	if (!arch)
		return "unknown";
	if (strcmp(arch, "amd64") == 0) {
		*cfa_to_sp = 8;
		*first_arg = 8;  /* 0(SP) return address */
	} else if (strcmp(arch, "arm64") == 0) {
		*first_arg = 8;  /* 0(SP) caller's saved-LR slot */
	}
	return arch;
}

/* .debug_info (plain or SHF_COMPRESSED) or .zdebug_info present? */
static bool has_debug_info(Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return false;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && (strcmp(name, ".debug_info") == 0 ||
			     strcmp(name, ".zdebug_info") == 0))
			return true;
	}
	return false;
}

/*
 * dwarf_begin_elf decompresses every compressed debug section it knows up
 * front; on a Go binary most of that time goes to .debug_line and
 * .debug_frame, which the inspector never reads (it needs .debug_info,
 * abbrev, str, loc/loclists and addr).  Marking the unused ones SHT_NOBITS
 * in the private in-memory headers makes libdw skip them ("ignore any
 * SHT_NOBITS sections"): about twice as fast to open.  Best effort.
 */
static void skip_unused_sections(Elf *elf)
{
	static const char *const unused[] = {
		"line", "frame", "ranges", "rnglists", "aranges", "pubnames",
		"pubtypes", "macro", "macinfo", "gdb_scripts",
	};
	Elf_Scn *scn = NULL;
	size_t shstrndx, i;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name)
			continue;
		if (strncmp(name, ".debug_", 7) == 0)
			name += 7;
		else if (strncmp(name, ".zdebug_", 8) == 0)
			name += 8;
		else
			continue;
		for (i = 0; i < sizeof(unused) / sizeof(unused[0]); i++) {
			if (strcmp(name, unused[i]) == 0) {
				sh.sh_type = SHT_NOBITS;
				(void)gelf_update_shdr(scn, &sh);
				break;
			}
		}
	}
}

int lutgen_dwarf_open(const char *path, struct lutgen_dwarf **out,
		      struct common_err *err)
{
	struct lutgen_dwarf *d = NULL;
	int rc = 0;

	if (!path || !out)
		return common_err_set(err, -EINVAL,
				      "lutgen_dwarf_open: NULL argument");
	*out = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		rc = common_err_set(err, -EIO, "libelf: %s", elf_errmsg(-1));
		goto out;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		rc = common_err_set(err, -ENOMEM, "out of memory opening %s",
				    path);
		goto out;
	}
	d->fd = -1;
	d->path = strdup(path);
	if (!d->path) {
		rc = common_err_set(err, -ENOMEM, "out of memory opening %s",
				    path);
		goto out;
	}
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0) {
		rc = -errno;
		common_err_set(err, rc, "open %s: %s", path, strerror(-rc));
		goto out;
	}
	/* private (copy-on-write) mapping: skip_unused_sections edits the
	 * section headers in memory, never the file */
	d->elf = elf_begin(d->fd, ELF_C_READ_MMAP_PRIVATE, NULL);
	if (!d->elf || elf_kind(d->elf) != ELF_K_ELF) {
		rc = common_err_set(err, -EINVAL, "%s is not an ELF file%s%s",
				    path, d->elf ? "" : ": ",
				    d->elf ? "" : elf_errmsg(-1));
		goto out;
	}
	d->goarch = goarch_of(d->elf, &d->cfa_to_sp, &d->first_arg);
	if (!has_debug_info(d->elf)) {
		rc = common_err_set(err, -ENODATA,
				    "%s has no DWARF debug info (stripped, or built with -ldflags=-w); rebuild it without -s/-w",
				    path);
		goto out;
	}
	skip_unused_sections(d->elf);
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

void lutgen_dwarf_close(struct lutgen_dwarf *d)
{
	if (!d)
		return;
	name_map_free(&d->funcs);
	name_map_free(&d->types);
	name_map_free(&d->cu_names);
	free(d->cus);
	if (d->dw)
		dwarf_end(d->dw);
	if (d->elf)
		elf_end(d->elf);
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

static int index_die(struct lutgen_dwarf *d, Dwarf_Die *die)
{
	int tag = dwarf_tag(die);
	const char *name;

	if (tag == DW_TAG_subprogram) {
		Dwarf_Attribute a;
		Dwarf_Addr lo;

		/* Concrete instances only; an abstract (inlined) origin has
		 * no low_pc and its out-of-line copy names it through
		 * DW_AT_abstract_origin. */
		if (dwarf_lowpc(die, &lo) != 0)
			return 0;
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name,
							     &a));
		if (!name)
			return 0;
		return name_map_put(&d->funcs, name, dwarf_dieoffset(die),
				    false);
	}
	if (!is_type_tag(tag))
		return 0;
	name = dwarf_diename(die);
	if (!name)
		return 0;
	/* A struct wins over a typedef of the same name. */
	return name_map_put(&d->types, name, dwarf_dieoffset(die),
			    tag == DW_TAG_structure_type);
}

/* The list of CUs: headers and CU DIEs only, no children parsed. */
static int load_cus(struct lutgen_dwarf *d, struct common_err *err)
{
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie;
	size_t cap = 0;
	int rc = 0, r;

	if (d->cus_loaded)
		return 0;
	while ((r = dwarf_get_units(d->dw, cu, &cu, NULL, NULL, &cudie,
				    NULL)) == 0) {
		const char *name = dwarf_diename(&cudie);

		if (d->ncus == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct cu_ent *n = realloc(d->cus, ncap * sizeof(*n));

			if (!n)
				goto oom;
			d->cus = n;
			cap = ncap;
		}
		d->cus[d->ncus].die = cudie;
		d->cus[d->ncus].indexed = false;
		if (name && name_map_put(&d->cu_names, name, d->ncus, false) < 0)
			goto oom;
		d->ncus++;
	}
	if (r < 0) {
		rc = common_err_set(err, -EPROTO, "reading DWARF units of %s: %s",
				    d->path, dwarf_errmsg(-1));
		goto out;
	}
	d->cus_loaded = true;
	goto out;
oom:
	rc = common_err_set(err, -ENOMEM, "out of memory indexing DWARF of %s",
			    d->path);
out:
	return rc;
}

/* One pass over the top-level DIEs of one CU. */
static int index_cu(struct lutgen_dwarf *d, struct cu_ent *ce,
		    struct common_err *err)
{
	Dwarf_Die child;
	int rc = 0, r;

	if (ce->indexed)
		return 0;
	r = dwarf_child(&ce->die, &child);
	while (r == 0) {
		rc = index_die(d, &child);
		if (rc < 0)
			return common_err_set(err, rc,
					      "out of memory indexing DWARF of %s",
					      d->path);
		r = dwarf_siblingof(&child, &child);
	}
	if (r < 0)
		return common_err_set(err, -EPROTO, "reading DWARF of %s: %s",
				      d->path, dwarf_errmsg(-1));
	ce->indexed = true;
	return 0;
}

/*
 * Go package path of a qualified Go name: "crypto/tls.(*Conn).Write" ->
 * "crypto/tls", "runtime.g" -> "runtime".  Go's linker emits one CU per
 * package, named by its path, holding that package's types and functions.
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

/*
 * Look `name` up in `m` (d->types or d->funcs), indexing lazily: first the
 * CU of the name's package, then (once per handle) every remaining CU.
 * Returns 1 found, 0 not found, negative on error.
 */
static int lookup(struct lutgen_dwarf *d, struct name_map *m,
		  const char *name, Dwarf_Off *off, struct common_err *err)
{
	char pkg[512];
	Dwarf_Off ci;
	size_t i;
	int rc;

	if (name_map_get(m, name, off))
		return 1;
	rc = load_cus(d, err);
	if (rc < 0)
		return rc;
	if (package_of(name, pkg, sizeof(pkg)) &&
	    name_map_get(&d->cu_names, pkg, &ci) && !d->cus[ci].indexed) {
		rc = index_cu(d, &d->cus[ci], err);
		if (rc < 0)
			return rc;
		if (name_map_get(m, name, off))
			return 1;
	}
	if (d->all_indexed)
		return 0;
	for (i = 0; i < d->ncus; i++) {
		rc = index_cu(d, &d->cus[i], err);
		if (rc < 0)
			return rc;
	}
	d->all_indexed = true;
	return name_map_get(m, name, off) ? 1 : 0;
}

static int find_type(struct lutgen_dwarf *d, const char *type, Dwarf_Die *die,
		     struct common_err *err)
{
	Dwarf_Off off;
	int rc = lookup(d, &d->types, type, &off, err);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return common_err_set(err, -ENOENT, "no type '%s' in %s", type,
				      d->path);
	if (!dwarf_offdie(d->dw, off, die))
		return common_err_set(err, -EPROTO, "reading type '%s' in %s: %s",
				      type, d->path, dwarf_errmsg(-1));
	return 0;
}

/* Follow typedefs (and qualifiers, which Go does not emit). */
static int strip_typedefs(Dwarf_Die *die)
{
	int depth;

	for (depth = 0; depth < 64; depth++) {
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

/* Byte size of a type DIE. */
static int die_type_size(Dwarf_Die *type, uint64_t *out)
{
	Dwarf_Die t = *type;
	Dwarf_Attribute a;
	Dwarf_Word w;

	if (strip_typedefs(&t) < 0)
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

int lutgen_dwarf_type_size(struct lutgen_dwarf *d, const char *type,
			   uint64_t *out, struct common_err *err)
{
	Dwarf_Die die;
	int rc;

	if (!d || !type || !out)
		return common_err_set(err, -EINVAL,
				      "lutgen_dwarf_type_size: NULL argument");
	rc = find_type(d, type, &die, err);
	if (rc < 0)
		return rc;
	if (die_type_size(&die, out) < 0)
		return common_err_set(err, -EPROTO,
				      "type '%s' has no byte size in %s", type,
				      d->path);
	return 0;
}

/* ---- struct offsets ---- */

static int member_offset(Dwarf_Die *m, uint64_t *out)
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
	if (strip_typedefs(st) < 0)
		return -EPROTO;
	tag = dwarf_tag(st);
	if (tag == DW_TAG_structure_type)
		return 0;
	return tag == DW_TAG_pointer_type ? -ENOTDIR : -EINVAL;
}

/*
 * Promoted field `name` reached through embedded (non-pointer) struct
 * members of `st`, as Go resolves x.f: the shallowest depth wins.
 * Returns the depth found (>0) with *off the offset from `st`, 0 when not
 * found, -EEXIST when ambiguous at the shallowest depth, -EPROTO.
 */
static int promoted_member(Dwarf_Die *st, const char *name, int depth,
			   uint64_t *off, Dwarf_Die *found)
{
	Dwarf_Die m;
	int best = 0, r;
	bool ambiguous = false;

	if (depth > LUTGEN_EMBED_MAX_DEPTH)
		return 0;
	r = dwarf_child(st, &m);
	while (r == 0) {
		Dwarf_Die sub, fm;
		uint64_t base, o;
		int got;

		if (dwarf_tag(&m) != DW_TAG_member || !member_is_embedded(&m) ||
		    member_struct(&m, &sub) != 0)
			goto next;
		if (member_offset(&m, &base) < 0)
			return -EPROTO;
		got = direct_member(&sub, name, &fm);
		if (got < 0)
			return -EPROTO;
		if (got) {
			if (member_offset(&fm, &o) < 0)
				return -EPROTO;
			got = depth;
		} else {
			got = promoted_member(&sub, name, depth + 1, &o, &fm);
			if (got == -EEXIST) {
				/* ambiguous deeper: only matters if no
				 * shallower hit appears */
				if (!best || best > depth + 1) {
					best = depth + 1;
					ambiguous = true;
				}
				goto next;
			}
			if (got < 0)
				return got;
		}
		if (got) {
			if (!best || got < best) {
				best = got;
				ambiguous = false;
				*off = base + o;
				*found = fm;
			} else if (got == best) {
				ambiguous = true;
			}
		}
next:
		r = dwarf_siblingof(&m, &m);
	}
	if (r < 0)
		return -EPROTO;
	if (ambiguous)
		return -EEXIST;
	return best;
}

int lutgen_dwarf_struct_offset(struct lutgen_dwarf *d, const char *type,
			       const char *field_path, uint64_t *out,
			       struct common_err *err)
{
	char buf[512];
	char *parts[LUTGEN_PATH_MAX_PARTS];
	size_t nparts = 0, i;
	char *save = NULL, *tok;
	Dwarf_Die st, m;
	uint64_t total = 0;
	int rc;

	if (!d || !type || !field_path || !out)
		return common_err_set(err, -EINVAL,
				      "lutgen_dwarf_struct_offset: NULL argument");
	if (snprintf(buf, sizeof(buf), "%s", field_path) >= (int)sizeof(buf))
		return common_err_set(err, -EINVAL, "field path too long: %.64s...",
				      field_path);
	for (tok = strtok_r(buf, ".", &save); tok;
	     tok = strtok_r(NULL, ".", &save)) {
		if (nparts == LUTGEN_PATH_MAX_PARTS)
			return common_err_set(err, -EINVAL,
					      "field path '%s' has too many components",
					      field_path);
		parts[nparts++] = tok;
	}
	if (nparts == 0)
		return common_err_set(err, -EINVAL,
				      "empty field path for type '%s'", type);
	rc = find_type(d, type, &st, err);
	if (rc < 0)
		return rc;
	if (strip_typedefs(&st) < 0 || dwarf_tag(&st) != DW_TAG_structure_type)
		return common_err_set(err, -EINVAL,
				      "type '%s' in %s is not a struct", type,
				      d->path);
	for (i = 0; i < nparts; i++) {
		const char *stname = dwarf_diename(&st);
		uint64_t off;
		int got;

		if (!stname)
			stname = "(anonymous struct)";
		got = direct_member(&st, parts[i], &m);
		if (got < 0)
			goto bad_dwarf;
		if (got) {
			if (member_offset(&m, &off) < 0)
				goto bad_dwarf;
		} else {
			got = promoted_member(&st, parts[i], 1, &off, &m);
			if (got == -EEXIST)
				return common_err_set(err, -EINVAL,
						      "field '%s' of %s is ambiguous (promoted from several embedded structs) in %s",
						      parts[i], stname, d->path);
			if (got < 0)
				goto bad_dwarf;
			if (got == 0)
				return common_err_set(err, -ENOENT,
						      "%s has no field '%s' in %s",
						      stname, parts[i], d->path);
		}
		total += off;
		if (i + 1 == nparts)
			break;
		rc = member_struct(&m, &st);
		if (rc == -ENOTDIR)
			return common_err_set(err, -EINVAL,
					      "field '%s' of %s is a pointer; path '%s' cannot walk through it (in %s)",
					      parts[i], stname, field_path,
					      d->path);
		if (rc == -EINVAL)
			return common_err_set(err, -EINVAL,
					      "field '%s' of %s is not a struct; path '%s' cannot continue (in %s)",
					      parts[i], stname, field_path,
					      d->path);
		if (rc < 0)
			goto bad_dwarf;
	}
	*out = total;
	return 0;
bad_dwarf:
	return common_err_set(err, -EPROTO,
			      "malformed DWARF for '%s' field '%s' in %s: %s", type,
			      field_path, d->path, dwarf_errmsg(-1));
}

/* ---- parameter locations ---- */

static const char *const amd64_regs[] = {
	"RAX", "RDX", "RCX", "RBX", "RSI", "RDI", "RBP", "RSP",
	"R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15",
};

static void reg_name(const struct lutgen_dwarf *d, int reg, char *buf,
		     size_t size)
{
	if (strcmp(d->goarch, "amd64") == 0) {
		if (reg >= 0 && reg < 16) {
			snprintf(buf, size, "%s", amd64_regs[reg]);
			return;
		}
		if (reg >= 17 && reg <= 32) {
			snprintf(buf, size, "X%d", reg - 17);
			return;
		}
	} else if (strcmp(d->goarch, "arm64") == 0) {
		if (reg >= 0 && reg <= 30) {
			snprintf(buf, size, "R%d", reg);
			return;
		}
		if (reg == 31) {
			snprintf(buf, size, "RSP");
			return;
		}
		if (reg >= 64 && reg <= 95) {
			snprintf(buf, size, "F%d", reg - 64);
			return;
		}
	}
	snprintf(buf, size, "r%d", reg);
}

static int sp_dwarf_reg(const struct lutgen_dwarf *d)
{
	if (strcmp(d->goarch, "amd64") == 0)
		return 7;
	if (strcmp(d->goarch, "arm64") == 0)
		return 31;
	return -1;
}

static bool cfa_known(const struct lutgen_dwarf *d)
{
	return strcmp(d->goarch, "amd64") == 0 ||
	       strcmp(d->goarch, "arm64") == 0;
}

static int push_piece(struct lutgen_param *p, const struct lutgen_piece *pc)
{
	struct lutgen_piece *np;

	np = realloc(p->pieces, (p->npieces + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	p->pieces = np;
	p->pieces[p->npieces++] = *pc;
	return 0;
}

enum loc_state { LOC_NONE, LOC_REG, LOC_CFA, LOC_SP };

/*
 * Turn one location expression (valid at the entry pc) into pieces.
 * `why` receives a short reason on failure.
 */
static int eval_location(const struct lutgen_dwarf *d, const Dwarf_Op *ops,
			 size_t n, struct lutgen_param *p, const char **why)
{
	enum loc_state st = LOC_NONE;
	struct lutgen_piece pc;
	int64_t off = 0;
	int reg = -1;
	bool have_const = false;
	int64_t konst = 0;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		uint8_t op = ops[i].atom;

		if (op >= DW_OP_reg0 && op <= DW_OP_reg31) {
			st = LOC_REG;
			reg = op - DW_OP_reg0;
			continue;
		}
		if (op >= DW_OP_breg0 && op <= DW_OP_breg31 &&
		    op - DW_OP_breg0 == sp_dwarf_reg(d)) {
			st = LOC_SP;
			off = (int64_t)ops[i].number;
			continue;
		}
		switch (op) {
		case DW_OP_regx:
			st = LOC_REG;
			reg = (int)ops[i].number;
			break;
		case DW_OP_call_frame_cfa:
			st = LOC_CFA;
			off = 0;
			break;
		case DW_OP_fbreg:
			/* frame base checked to be DW_OP_call_frame_cfa */
			st = LOC_CFA;
			off = (int64_t)ops[i].number;
			break;
		case DW_OP_plus_uconst:
			if (st != LOC_CFA && st != LOC_SP)
				goto unsupported;
			off += (int64_t)ops[i].number;
			break;
		case DW_OP_consts:
		case DW_OP_constu:
			have_const = true;
			konst = (int64_t)ops[i].number;
			break;
		case DW_OP_plus:
		case DW_OP_minus:
			if ((st != LOC_CFA && st != LOC_SP) || !have_const)
				goto unsupported;
			off += op == DW_OP_plus ? konst : -konst;
			have_const = false;
			break;
		case DW_OP_piece:
			memset(&pc, 0, sizeof(pc));
			pc.size = ops[i].number;
			if (st == LOC_NONE) {
				*why = "part of it has no location at entry (optimized out)";
				return -ENODATA;
			}
			if (st == LOC_REG) {
				pc.kind = LUTGEN_PIECE_REG;
				pc.reg = reg;
				reg_name(d, reg, pc.reg_name,
					 sizeof(pc.reg_name));
			} else {
				pc.kind = LUTGEN_PIECE_STACK;
				pc.reg = -1;
				pc.stack_offset = st == LOC_CFA ?
					off + d->cfa_to_sp : off;
			}
			rc = push_piece(p, &pc);
			if (rc < 0)
				return rc;
			st = LOC_NONE;
			off = 0;
			reg = -1;
			have_const = false;
			break;
		default:
			goto unsupported;
		}
	}
	if (st == LOC_NONE) {
		if (p->npieces == 0) {
			*why = "empty location expression";
			return -ENODATA;
		}
		return 0;
	}
	if (p->npieces) {
		*why = "location ends without DW_OP_piece after pieces";
		return -EPROTO;
	}
	/* single location: the whole parameter */
	memset(&pc, 0, sizeof(pc));
	pc.size = p->size;
	if (st == LOC_REG) {
		pc.kind = LUTGEN_PIECE_REG;
		pc.reg = reg;
		reg_name(d, reg, pc.reg_name, sizeof(pc.reg_name));
	} else {
		pc.kind = LUTGEN_PIECE_STACK;
		pc.reg = -1;
		pc.stack_offset = st == LOC_CFA ? off + d->cfa_to_sp : off;
	}
	return push_piece(p, &pc);
unsupported:
	*why = "unsupported DWARF location operation";
	return -EOPNOTSUPP;
}

static bool is_block_form(unsigned int form)
{
	return form == DW_FORM_block1 || form == DW_FORM_block2 ||
	       form == DW_FORM_block4 || form == DW_FORM_block;
}

static bool read_uleb(const unsigned char **p, const unsigned char *end,
		      uint64_t *v)
{
	unsigned shift = 0;

	*v = 0;
	while (*p < end && shift < 64) {
		unsigned char b = *(*p)++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			return true;
	}
	return false;
}

static bool read_sleb(const unsigned char **p, const unsigned char *end,
		      uint64_t *v)
{
	unsigned shift = 0;
	unsigned char b = 0;

	*v = 0;
	while (*p < end && shift < 64) {
		b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80)) {
			if (shift < 64 && (b & 0x40))
				*v |= ~(uint64_t)0 << shift;
			return true;
		}
	}
	return false;
}

/*
 * Decode a block-form location expression (the operations Go emits).
 * Returns 1 with *nops set, 0 for an empty block (no location),
 * -EOPNOTSUPP for an operation outside that set, -EPROTO if malformed.
 */
static int decode_block(Dwarf_Attribute *a, Dwarf_Op *ops, size_t max,
			size_t *nops)
{
	Dwarf_Block b;
	const unsigned char *p, *end;
	size_t n = 0;

	if (dwarf_formblock(a, &b) != 0)
		return -EPROTO;
	if (b.length == 0)
		return 0;
	p = b.data;
	end = b.data + b.length;
	while (p < end) {
		uint8_t op = *p++;
		bool ok = true;

		if (n == max)
			return -EOPNOTSUPP;
		memset(&ops[n], 0, sizeof(ops[n]));
		ops[n].atom = op;
		if ((op >= DW_OP_reg0 && op <= DW_OP_reg31) ||
		    op == DW_OP_call_frame_cfa || op == DW_OP_plus ||
		    op == DW_OP_minus)
			ok = true;
		else if (op >= DW_OP_breg0 && op <= DW_OP_breg31)
			ok = read_sleb(&p, end, &ops[n].number);
		else if (op == DW_OP_regx || op == DW_OP_piece ||
			 op == DW_OP_plus_uconst || op == DW_OP_constu)
			ok = read_uleb(&p, end, &ops[n].number);
		else if (op == DW_OP_fbreg || op == DW_OP_consts)
			ok = read_sleb(&p, end, &ops[n].number);
		else
			return -EOPNOTSUPP;
		if (!ok)
			return -EPROTO;
		n++;
	}
	*nops = n;
	return 1;
}

/* Go's alignment of a type (0 when unknown): scalars their size (at most
 * 8), structs and arrays their widest member. */
static uint64_t type_align(Dwarf_Die *type, int depth)
{
	Dwarf_Die t = *type, m, et;
	Dwarf_Attribute a;
	uint64_t al = 1, sz;
	int r;

	if (depth > 16 || strip_typedefs(&t) < 0)
		return 0;
	switch (dwarf_tag(&t)) {
	case DW_TAG_structure_type:
		r = dwarf_child(&t, &m);
		while (r == 0) {
			if (dwarf_tag(&m) == DW_TAG_member) {
				uint64_t x;

				if (!dwarf_formref_die(dwarf_attr(&m, DW_AT_type,
								  &a), &et))
					return 0;
				x = type_align(&et, depth + 1);
				if (x == 0)
					return 0;
				if (x > al)
					al = x;
			}
			r = dwarf_siblingof(&m, &m);
		}
		return r < 0 ? 0 : al;
	case DW_TAG_array_type:
		if (!dwarf_formref_die(dwarf_attr(&t, DW_AT_type, &a), &et))
			return 0;
		return type_align(&et, depth + 1);
	default:
		if (die_type_size(&t, &sz) < 0)
			return 0;
		if (sz >= 8)
			return 8;
		return sz == 0 ? 1 : sz;
	}
}

/*
 * When every located parameter lives entirely on the stack (ABI0, or an
 * ABIInternal function whose arguments are all stack-assigned), Go lays
 * them out in order from the first argument slot (8(SP) at entry on amd64
 * and arm64), each aligned
 * to its type.  Check the DWARF against that layout: Go 1.15 describes a
 * string or slice whose other words are dead by its one surviving word
 * without DW_OP_piece (e.g. "DW_OP_fbreg 16" for a string at CFA+8 whose
 * pointer is unused), which would otherwise yield a wrong offset silently.
 */
static int check_stack_layout(const struct lutgen_dwarf *d, const char *fn,
			      const struct lutgen_param *ps, size_t n,
			      const uint64_t *aligns, struct common_err *err)
{
	int64_t off = d->first_arg;
	size_t i, j;

	if (off < 0)
		return 0;
	for (i = 0; i < n; i++) {
		/* unknown alignment, or a parameter without location (it may
		 * have been register-assigned): cannot check */
		if (aligns[i] == 0 || ps[i].npieces == 0)
			return 0;
		for (j = 0; j < ps[i].npieces; j++)
			if (ps[i].pieces[j].kind != LUTGEN_PIECE_STACK)
				return 0; /* register ABI */
	}
	for (i = 0; i < n; i++) {
		int64_t at;

		off = (off + (int64_t)aligns[i] - 1) &
		      ~((int64_t)aligns[i] - 1);
		at = off;
		for (j = 0; j < ps[i].npieces; j++) {
			if (ps[i].pieces[j].stack_offset != at)
				return common_err_set(err, -EPROTO,
						      "parameter '%s' of %s in %s: DWARF puts byte %lld of it at SP%+lld, but the stack argument layout puts it at SP%+lld (a Go 1.15 DWARF bug describes a string/slice/interface with dead words by one surviving word)",
						      ps[i].name, fn, d->path,
						      (long long)(at - off),
						      (long long)ps[i].pieces[j].stack_offset,
						      (long long)at);
			at += (int64_t)ps[i].pieces[j].size;
		}
		off += (int64_t)ps[i].size;
	}
	return 0;
}

static bool frame_base_is_cfa(Dwarf_Die *fn)
{
	Dwarf_Attribute a;
	Dwarf_Block b;
	Dwarf_Op *ops;
	size_t n;

	if (!dwarf_attr_integrate(fn, DW_AT_frame_base, &a))
		return false;
	/* DWARF 2/3 block forms are not exprlocs to dwarf_getlocation */
	if (dwarf_formblock(&a, &b) == 0)
		return b.length == 1 && b.data[0] == DW_OP_call_frame_cfa;
	if (dwarf_getlocation(&a, &ops, &n) != 0)
		return false;
	return n == 1 && ops[0].atom == DW_OP_call_frame_cfa;
}

int lutgen_dwarf_func_params(struct lutgen_dwarf *d, const char *function,
			     struct lutgen_param **params, size_t *nparams,
			     struct common_err *err)
{
	struct lutgen_param *ps = NULL;
	uint64_t *aligns = NULL, *na;
	size_t n = 0;
	Dwarf_Die fn, c;
	Dwarf_Off foff;
	Dwarf_Addr lowpc;
	bool fb_cfa;
	int rc, r;

	if (!d || !function || !params || !nparams)
		return common_err_set(err, -EINVAL,
				      "lutgen_dwarf_func_params: NULL argument");
	*params = NULL;
	*nparams = 0;
	rc = lookup(d, &d->funcs, function, &foff, err);
	if (rc < 0)
		goto out;
	if (rc == 0) {
		rc = common_err_set(err, -ENOENT, "no function '%s' in %s",
				    function, d->path);
		goto out;
	}
	rc = 0;
	if (!dwarf_offdie(d->dw, foff, &fn) || dwarf_lowpc(&fn, &lowpc) != 0) {
		rc = common_err_set(err, -EPROTO,
				    "reading function '%s' in %s: %s", function,
				    d->path, dwarf_errmsg(-1));
		goto out;
	}
	fb_cfa = frame_base_is_cfa(&fn);
	r = dwarf_child(&fn, &c);
	while (r == 0) {
		Dwarf_Attribute a;
		Dwarf_Die ty;
		struct lutgen_param *np, *p;
		Dwarf_Op *exprs[1];
		Dwarf_Op blockops[LUTGEN_MAX_OPS];
		size_t lens[1];
		const char *name, *why = NULL;
		bool isres = false;
		int nloc;

		if (dwarf_tag(&c) != DW_TAG_formal_parameter)
			goto next;
		if (dwarf_attr_integrate(&c, DW_AT_variable_parameter, &a) &&
		    dwarf_formflag(&a, &isres) == 0 && isres)
			goto next; /* Go marks results this way */
		name = dwarf_formstring(dwarf_attr_integrate(&c, DW_AT_name,
							     &a));
		if (!name)
			name = "";
		np = realloc(ps, (n + 1) * sizeof(*np));
		if (!np) {
			rc = common_err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		ps = np;
		na = realloc(aligns, (n + 1) * sizeof(*na));
		if (!na) {
			rc = common_err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		aligns = na;
		aligns[n] = 0;
		p = &ps[n++];
		memset(p, 0, sizeof(*p));
		p->name = strdup(name);
		if (!p->name) {
			rc = common_err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		if (!dwarf_formref_die(dwarf_attr_integrate(&c, DW_AT_type, &a),
				       &ty) ||
		    die_type_size(&ty, &p->size) < 0) {
			rc = common_err_set(err, -EPROTO,
					    "parameter '%s' of %s has no sized type in %s",
					    name, function, d->path);
			goto out;
		}
		aligns[n - 1] = type_align(&ty, 0);
		if (!dwarf_attr(&c, DW_AT_location, &a))
			goto next; /* no location at all: 0 pieces */
		if (is_block_form(dwarf_whatform(&a))) {
			/* DWARF >= 4 forbids block forms for locations, but
			 * Go emits DW_FORM_block1 exprs; libdw refuses them */
			nloc = decode_block(&a, blockops, LUTGEN_MAX_OPS,
					    &lens[0]);
			exprs[0] = blockops;
			if (nloc == -EOPNOTSUPP) {
				rc = common_err_set(err, -EOPNOTSUPP,
						    "parameter '%s' of %s in %s: unsupported DWARF location operation",
						    name, function, d->path);
				goto out;
			}
			if (nloc < 0) {
				rc = common_err_set(err, -EPROTO,
						    "location of parameter '%s' of %s in %s: malformed expression",
						    name, function, d->path);
				goto out;
			}
		} else {
			nloc = dwarf_getlocation_addr(&a, lowpc, exprs, lens, 1);
		}
		if (nloc < 0) {
			rc = common_err_set(err, -EPROTO,
					    "location of parameter '%s' of %s in %s: %s",
					    name, function, d->path,
					    dwarf_errmsg(-1));
			goto out;
		}
		if (nloc == 0)
			goto next; /* not live at entry: 0 pieces */
		if (!fb_cfa) {
			size_t k;

			for (k = 0; k < lens[0]; k++)
				if (exprs[0][k].atom == DW_OP_fbreg)
					break;
			if (k < lens[0]) {
				rc = common_err_set(err, -EOPNOTSUPP,
						    "parameter '%s' of %s in %s: DW_OP_fbreg with a frame base other than DW_OP_call_frame_cfa",
						    name, function, d->path);
				goto out;
			}
		}
		if (!cfa_known(d)) {
			size_t k;

			for (k = 0; k < lens[0]; k++)
				if (exprs[0][k].atom == DW_OP_fbreg ||
				    exprs[0][k].atom == DW_OP_call_frame_cfa)
					break;
			if (k < lens[0]) {
				rc = common_err_set(err, -EOPNOTSUPP,
						    "parameter '%s' of %s in %s: stack slots on GOARCH %s are not supported (CFA at entry unknown)",
						    name, function, d->path,
						    d->goarch);
				goto out;
			}
		}
		rc = eval_location(d, exprs[0], lens[0], p, &why);
		if (rc == -ENOMEM) {
			common_err_set(err, rc, "out of memory");
			goto out;
		}
		if (rc < 0) {
			common_err_set(err, rc,
				       "parameter '%s' of %s at entry pc 0x%llx in %s: %s",
				       name, function, (unsigned long long)lowpc,
				       d->path, why ? why : "bad location");
			goto out;
		}
next:
		r = dwarf_siblingof(&c, &c);
	}
	if (r < 0) {
		rc = common_err_set(err, -EPROTO, "reading function '%s' in %s: %s",
				    function, d->path, dwarf_errmsg(-1));
		goto out;
	}
	rc = check_stack_layout(d, function, ps, n, aligns, err);
	if (rc < 0)
		goto out;
	*params = ps;
	*nparams = n;
	ps = NULL;
	n = 0;
out:
	free(aligns);
	lutgen_params_free(ps, n);
	return rc;
}

int lutgen_dwarf_lookup(struct lutgen_dwarf *d, enum lutgen_lookup_kind kind,
			const char *type, const char *field,
			const char *function, struct lutgen_value *out,
			struct common_err *err)
{
	int rc;

	if (!out)
		return common_err_set(err, -EINVAL,
				      "lutgen_dwarf_lookup: NULL argument");
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	switch (kind) {
	case LUTGEN_LOOKUP_STRUCT_OFFSET:
		if (!type || !field)
			return common_err_set(err, -EINVAL,
					      "struct_offset lookup needs a type and a field");
		rc = lutgen_dwarf_struct_offset(d, type, field, &out->u, err);
		break;
	case LUTGEN_LOOKUP_TYPE_SIZE:
		if (!type)
			return common_err_set(err, -EINVAL,
					      "type_size lookup needs a type");
		rc = lutgen_dwarf_type_size(d, type, &out->u, err);
		break;
	case LUTGEN_LOOKUP_FUNC_PARAMS:
		if (!function)
			return common_err_set(err, -EINVAL,
					      "func_params lookup needs a function");
		rc = lutgen_dwarf_func_params(d, function, &out->params,
					      &out->nparams, err);
		break;
	default:
		return common_err_set(err, -EINVAL, "unknown lookup kind %d",
				      (int)kind);
	}
	return rc;
}
