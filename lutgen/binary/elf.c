/* SPDX-License-Identifier: MIT */
/*
 * A small, bounds-checked ELF reader over a private copy of the file.
 *
 * Why not libelf: `lutgen inspect` must survive any input (it is fuzzed),
 * must read files whose section headers are gone, and needs only headers,
 * symbols and the dynamic table.  One reader over one memory image with
 * explicit checks is easier to prove safe than libelf's lazy state.
 */
#include "lutgen/binary/elf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The few ELF constants we need (the system <elf.h> is not included so
 * that this file does not depend on include order). */
enum {
	X_ET_DYN = 3,
	X_PT_LOAD = 1,
	X_PT_DYNAMIC = 2,
	X_PT_INTERP = 3,
	X_SHT_SYMTAB = 2,
	X_SHT_NOBITS = 8,
	X_SHT_DYNSYM = 11,
	X_SHF_ALLOC = 2,
	X_DT_NULL = 0,
	X_DT_NEEDED = 1,
	X_DT_STRTAB = 5,
	X_DT_RELA = 7,
	X_DT_RELASZ = 8,
	X_DT_RELAENT = 9,
	X_DT_STRSZ = 10,
	X_DT_FLAGS_1 = 0x6ffffffb,
	X_DF_1_PIE = 0x08000000,
	X_EM_386 = 3,
	X_EM_MIPS = 8,
	X_EM_PPC64 = 21,
	X_EM_S390 = 22,
	X_EM_ARM = 40,
	X_EM_X86_64 = 62,
	X_EM_AARCH64 = 183,
	X_EM_RISCV = 243,
	X_EM_LOONGARCH = 258,
};

/* Caps that keep a hostile header from costing much. */
#define MAX_PHDRS 4096
#define MAX_SHDRS 65536
#define MAX_RELOCS (16u << 20)

struct reloc {
	uint64_t where;
	uint64_t addend;
};

struct lutgen_elf {
	uint8_t *buf;
	size_t size;
	bool is64;
	bool be;
	uint16_t type;
	uint16_t machine;
	uint64_t want;  /* bytes the headers describe */
	struct lutgen_elf_segment *segs;
	size_t nsegs;
	struct lutgen_elf_section *sects;
	size_t nsects;
	struct reloc *relocs;  /* RELATIVE relocations, sorted by `where` */
	size_t nrelocs;
	/* dynamic table facts */
	bool has_dynamic;
	uint64_t flags_1;
	uint64_t dt_strtab, dt_strsz;
	uint64_t needed[64];
	size_t nneeded;
};

uint16_t lutgen_elf_u16(const struct lutgen_elf *e, const uint8_t *p)
{
	return e->be ? (uint16_t)(p[0] << 8 | p[1])
		     : (uint16_t)(p[1] << 8 | p[0]);
}

uint32_t lutgen_elf_u32(const struct lutgen_elf *e, const uint8_t *p)
{
	if (e->be)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		       (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | p[0];
}

uint64_t lutgen_elf_u64(const struct lutgen_elf *e, const uint8_t *p)
{
	uint64_t a = lutgen_elf_u32(e, p), b = lutgen_elf_u32(e, p + 4);

	return e->be ? a << 32 | b : b << 32 | a;
}

uint64_t lutgen_elf_uptr(const struct lutgen_elf *e, const uint8_t *p)
{
	return e->is64 ? lutgen_elf_u64(e, p) : lutgen_elf_u32(e, p);
}

/* [off, off+len) inside the file? */
static bool in_file(const struct lutgen_elf *e, uint64_t off, uint64_t len)
{
	return off <= e->size && len <= e->size - off;
}

static int cmp_reloc(const void *a, const void *b)
{
	const struct reloc *x = a, *y = b;

	return x->where < y->where ? -1 : x->where > y->where;
}

static int parse_phdrs(struct lutgen_elf *e, uint64_t phoff, unsigned phentsize,
		       unsigned phnum)
{
	size_t i;

	if (phnum == 0 || phoff == 0)
		return 0;
	if (phentsize < (e->is64 ? 56u : 32u) || phnum > MAX_PHDRS ||
	    !in_file(e, phoff, (uint64_t)phentsize * phnum))
		return 0; /* unusable program headers: treat as none */
	e->segs = calloc(phnum, sizeof(*e->segs));
	if (!e->segs)
		return -ENOMEM;
	for (i = 0; i < phnum; i++) {
		const uint8_t *p = e->buf + phoff + i * phentsize;
		struct lutgen_elf_segment *s = &e->segs[e->nsegs];

		s->type = lutgen_elf_u32(e, p);
		if (e->is64) {
			s->flags = lutgen_elf_u32(e, p + 4);
			s->offset = lutgen_elf_u64(e, p + 8);
			s->vaddr = lutgen_elf_u64(e, p + 16);
			s->filesz = lutgen_elf_u64(e, p + 32);
			s->memsz = lutgen_elf_u64(e, p + 40);
		} else {
			s->offset = lutgen_elf_u32(e, p + 4);
			s->vaddr = lutgen_elf_u32(e, p + 8);
			s->filesz = lutgen_elf_u32(e, p + 16);
			s->memsz = lutgen_elf_u32(e, p + 20);
			s->flags = lutgen_elf_u32(e, p + 24);
		}
		if (s->offset + s->filesz >= s->offset &&
		    s->offset + s->filesz > e->want)
			e->want = s->offset + s->filesz;
		if (s->offset > e->size)
			s->offset = e->size, s->filesz = 0;
		if (s->filesz > e->size - s->offset)
			s->filesz = e->size - s->offset;
		if (s->vaddr + s->filesz < s->vaddr)
			s->filesz = 0; /* wraps around */
		e->nsegs++;
	}
	return 0;
}

static int parse_shdrs(struct lutgen_elf *e, uint64_t shoff, unsigned shentsize,
		       unsigned shnum, unsigned shstrndx)
{
	const uint8_t *p0;
	uint64_t stroff = 0, strsz = 0;
	size_t i;

	if (shoff == 0 || shentsize < (e->is64 ? 64u : 40u))
		return 0;
	if (shnum && shoff + (uint64_t)shentsize * shnum > e->want &&
	    shoff < LUTGEN_ELF_MAX_SIZE)
		e->want = shoff + (uint64_t)shentsize * shnum;
	if (shnum == 0 && in_file(e, shoff, shentsize)) {
		/* Extended numbering: real count in section 0's sh_size. */
		p0 = e->buf + shoff;
		shnum = (unsigned)(e->is64 ? lutgen_elf_u64(e, p0 + 32)
					   : lutgen_elf_u32(e, p0 + 20));
	}
	if (shnum == 0 || shnum > MAX_SHDRS ||
	    !in_file(e, shoff, (uint64_t)shentsize * shnum))
		return 0; /* unusable: behave as if stripped of sections */
	e->sects = calloc(shnum, sizeof(*e->sects));
	if (!e->sects)
		return -ENOMEM;
	for (i = 0; i < shnum; i++) {
		const uint8_t *p = e->buf + shoff + i * shentsize;
		struct lutgen_elf_section *s = &e->sects[i];

		s->name = NULL;
		s->type = lutgen_elf_u32(e, p + 4);
		if (e->is64) {
			s->flags = lutgen_elf_u64(e, p + 8);
			s->addr = lutgen_elf_u64(e, p + 16);
			s->offset = lutgen_elf_u64(e, p + 24);
			s->size = lutgen_elf_u64(e, p + 32);
			s->link = lutgen_elf_u32(e, p + 40);
		} else {
			s->flags = lutgen_elf_u32(e, p + 8);
			s->addr = lutgen_elf_u32(e, p + 12);
			s->offset = lutgen_elf_u32(e, p + 16);
			s->size = lutgen_elf_u32(e, p + 20);
			s->link = lutgen_elf_u32(e, p + 24);
		}
	}
	e->nsects = shnum;
	for (i = 0; i < shnum; i++) {
		const struct lutgen_elf_section *s = &e->sects[i];

		if (s->type != X_SHT_NOBITS && s->offset + s->size >= s->offset &&
		    s->offset + s->size > e->want)
			e->want = s->offset + s->size;
	}
	if (shstrndx == 0xffff) /* SHN_XINDEX: real index in sh_link of 0 */
		shstrndx = e->sects[0].link;
	if (shstrndx < shnum && e->sects[shstrndx].type != X_SHT_NOBITS &&
	    in_file(e, e->sects[shstrndx].offset, e->sects[shstrndx].size)) {
		stroff = e->sects[shstrndx].offset;
		strsz = e->sects[shstrndx].size;
	}
	for (i = 0; i < shnum; i++) {
		const uint8_t *p = e->buf + shoff + i * shentsize;
		uint32_t n = lutgen_elf_u32(e, p);

		e->sects[i].name = "";
		if (strsz && n < strsz &&
		    memchr(e->buf + stroff + n, '\0', strsz - n))
			e->sects[i].name = (const char *)e->buf + stroff + n;
	}
	return 0;
}

/* Walk PT_DYNAMIC: flags, DT_NEEDED and the RELATIVE relocations. */
static int parse_dynamic(struct lutgen_elf *e)
{
	const struct lutgen_elf_segment *dyn = NULL;
	uint64_t rela = 0, relasz = 0, relaent = 0, off, i, n;
	size_t entsz = e->is64 ? 16 : 8;
	const uint8_t *rp;
	size_t avail;
	uint32_t relative;

	for (i = 0; i < e->nsegs; i++)
		if (e->segs[i].type == X_PT_DYNAMIC) {
			dyn = &e->segs[i];
			break;
		}
	if (!dyn)
		return 0;
	e->has_dynamic = true;
	for (off = 0; off + entsz <= dyn->filesz; off += entsz) {
		const uint8_t *p = e->buf + dyn->offset + off;
		uint64_t tag = lutgen_elf_uptr(e, p);
		uint64_t val = lutgen_elf_uptr(e, p + entsz / 2);

		if (tag == X_DT_NULL)
			break;
		switch (tag) {
		case X_DT_NEEDED:
			if (e->nneeded < sizeof(e->needed) / sizeof(e->needed[0]))
				e->needed[e->nneeded] = val;
			e->nneeded++;
			break;
		case X_DT_STRTAB: e->dt_strtab = val; break;
		case X_DT_STRSZ: e->dt_strsz = val; break;
		case X_DT_RELA: rela = val; break;
		case X_DT_RELASZ: relasz = val; break;
		case X_DT_RELAENT: relaent = val; break;
		case X_DT_FLAGS_1: e->flags_1 = val; break;
		default: break;
		}
	}
	switch (e->machine) {
	case X_EM_X86_64: relative = 8; break;
	case X_EM_AARCH64: relative = 1027; break;
	case X_EM_PPC64: relative = 22; break;
	case X_EM_S390: relative = 12; break;
	case X_EM_RISCV: relative = 3; break;
	case X_EM_LOONGARCH: relative = 3; break;
	case X_EM_MIPS: relative = 3; break;
	default: relative = 0; break; /* 32-bit REL: addend is in the file */
	}
	if (!e->is64 || !rela || !relative || relaent != 24 || relasz < 24)
		return 0;
	if (lutgen_elf_vaddr_data(e, rela, &rp, &avail) != 0)
		return 0;
	n = relasz / 24;
	if (n > avail / 24)
		n = avail / 24;
	if (n > MAX_RELOCS)
		n = MAX_RELOCS;
	e->relocs = calloc(n ? n : 1, sizeof(*e->relocs));
	if (!e->relocs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const uint8_t *p = rp + i * 24;
		uint64_t info = lutgen_elf_u64(e, p + 8);

		if ((uint32_t)info != relative)
			continue;
		e->relocs[e->nrelocs].where = lutgen_elf_u64(e, p);
		e->relocs[e->nrelocs].addend = lutgen_elf_u64(e, p + 16);
		e->nrelocs++;
	}
	qsort(e->relocs, e->nrelocs, sizeof(*e->relocs), cmp_reloc);
	return 0;
}

static int parse(struct lutgen_elf *e, struct common_err *err)
{
	const uint8_t *h = e->buf;
	uint64_t phoff, shoff;
	unsigned phentsize, phnum, shentsize, shnum, shstrndx;
	int rc;

	if (e->size < 4 || memcmp(h, "\177ELF", 4) != 0)
		return common_err_set(err, -ENOEXEC, "not an ELF file");
	if (e->size < 52)
		return common_err_set(err, -ENOEXEC,
				      "truncated ELF header (%zu bytes)", e->size);
	if (h[4] != 1 && h[4] != 2)
		return common_err_set(err, -ENOEXEC, "bad ELF class %u", h[4]);
	if (h[5] != 1 && h[5] != 2)
		return common_err_set(err, -ENOEXEC, "bad ELF data encoding %u",
				      h[5]);
	e->is64 = h[4] == 2;
	e->be = h[5] == 2;
	if (e->is64 && e->size < 64)
		return common_err_set(err, -ENOEXEC,
				      "truncated ELF header (%zu bytes)", e->size);
	e->type = lutgen_elf_u16(e, h + 16);
	e->machine = lutgen_elf_u16(e, h + 18);
	if (e->is64) {
		phoff = lutgen_elf_u64(e, h + 32);
		shoff = lutgen_elf_u64(e, h + 40);
		phentsize = lutgen_elf_u16(e, h + 54);
		phnum = lutgen_elf_u16(e, h + 56);
		shentsize = lutgen_elf_u16(e, h + 58);
		shnum = lutgen_elf_u16(e, h + 60);
		shstrndx = lutgen_elf_u16(e, h + 62);
	} else {
		phoff = lutgen_elf_u32(e, h + 28);
		shoff = lutgen_elf_u32(e, h + 32);
		phentsize = lutgen_elf_u16(e, h + 42);
		phnum = lutgen_elf_u16(e, h + 44);
		shentsize = lutgen_elf_u16(e, h + 46);
		shnum = lutgen_elf_u16(e, h + 48);
		shstrndx = lutgen_elf_u16(e, h + 50);
	}
	rc = parse_phdrs(e, phoff, phentsize, phnum);
	if (rc == 0)
		rc = parse_shdrs(e, shoff, shentsize, shnum, shstrndx);
	if (rc == 0)
		rc = parse_dynamic(e);
	if (rc)
		return common_err_set(err, rc, "out of memory reading ELF");
	if (e->nsegs == 0 && e->nsects == 0)
		return common_err_set(err, -ENOEXEC,
				      "ELF file has neither usable program nor section headers (truncated or corrupt)");
	return 0;
}

static int open_buf(uint8_t *buf, size_t size, struct lutgen_elf **out,
		    struct common_err *err)
{
	struct lutgen_elf *e;
	int rc;

	e = calloc(1, sizeof(*e));
	if (!e) {
		free(buf);
		return common_err_set(err, -ENOMEM, "out of memory");
	}
	e->buf = buf;
	e->size = size;
	rc = parse(e, err);
	if (rc) {
		lutgen_elf_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

int lutgen_elf_open_memory(const void *data, size_t size,
			   struct lutgen_elf **out, struct common_err *err)
{
	uint8_t *buf = malloc(size ? size : 1);

	if (!buf)
		return common_err_set(err, -ENOMEM, "out of memory (%zu bytes)",
				      size);
	if (size)
		memcpy(buf, data, size);
	return open_buf(buf, size, out, err);
}

int lutgen_elf_open(const char *path, struct lutgen_elf **out,
		    struct common_err *err)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t size, got = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return common_err_set(err, -errno, "open %s: %s", path,
				      strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = common_err_set(err, -errno, "stat %s: %s", path,
				    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = common_err_set(err, -EINVAL, "%s: not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > LUTGEN_ELF_MAX_SIZE) {
		rc = common_err_set(err, -EFBIG, "%s: too large (%lld bytes)",
				    path, (long long)st.st_size);
		goto out;
	}
	size = (size_t)st.st_size;
	buf = malloc(size ? size : 1);
	if (!buf) {
		rc = common_err_set(err, -ENOMEM, "%s: out of memory", path);
		goto out;
	}
	while (got < size) {
		ssize_t r = read(fd, buf + got, size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = common_err_set(err, -errno, "read %s: %s", path,
					    strerror(errno));
			goto out;
		}
		if (r == 0)
			break; /* shrank while reading: use what we have */
		got += (size_t)r;
	}
	rc = open_buf(buf, got, out, err);
	buf = NULL; /* owned by open_buf now */
	if (rc)
		common_err_prefix(err, rc, "%s", path);
out:
	free(buf);
	close(fd);
	return rc;
}

void lutgen_elf_free(struct lutgen_elf *e)
{
	if (!e)
		return;
	free(e->relocs);
	free(e->sects);
	free(e->segs);
	free(e->buf);
	free(e);
}

bool lutgen_elf_is64(const struct lutgen_elf *e) { return e->is64; }
bool lutgen_elf_big_endian(const struct lutgen_elf *e) { return e->be; }
uint16_t lutgen_elf_type(const struct lutgen_elf *e) { return e->type; }
uint16_t lutgen_elf_machine(const struct lutgen_elf *e) { return e->machine; }
unsigned lutgen_elf_ptrsize(const struct lutgen_elf *e)
{
	return e->is64 ? 8 : 4;
}

const char *lutgen_elf_goarch(const struct lutgen_elf *e)
{
	switch (e->machine) {
	case X_EM_X86_64: return e->is64 ? "amd64" : NULL;
	case X_EM_386: return e->is64 ? NULL : "386";
	case X_EM_AARCH64: return e->is64 ? "arm64" : NULL;
	case X_EM_ARM: return e->is64 ? NULL : "arm";
	case X_EM_PPC64: return e->is64 ? (e->be ? "ppc64" : "ppc64le") : NULL;
	case X_EM_S390: return e->is64 && e->be ? "s390x" : NULL;
	case X_EM_RISCV: return e->is64 ? "riscv64" : NULL;
	case X_EM_LOONGARCH: return e->is64 ? "loong64" : NULL;
	case X_EM_MIPS:
		if (e->is64)
			return e->be ? "mips64" : "mips64le";
		return e->be ? "mips" : "mipsle";
	default: return NULL;
	}
}

const uint8_t *lutgen_elf_data(const struct lutgen_elf *e, size_t *size)
{
	*size = e->size;
	return e->buf;
}

const struct lutgen_elf_segment *lutgen_elf_segments(const struct lutgen_elf *e,
						     size_t *n)
{
	*n = e->nsegs;
	return e->segs;
}

const struct lutgen_elf_section *lutgen_elf_sections(const struct lutgen_elf *e,
						     size_t *n)
{
	*n = e->nsects;
	return e->sects;
}

const struct lutgen_elf_section *lutgen_elf_section(const struct lutgen_elf *e,
						    const char *name)
{
	size_t i;

	for (i = 0; i < e->nsects; i++)
		if (strcmp(e->sects[i].name, name) == 0)
			return &e->sects[i];
	return NULL;
}

int lutgen_elf_section_data(const struct lutgen_elf *e,
			    const struct lutgen_elf_section *s,
			    const uint8_t **data, size_t *size)
{
	if (s->type == X_SHT_NOBITS)
		return -ENOENT;
	if (!in_file(e, s->offset, s->size))
		return -ENOEXEC;
	*data = e->buf + s->offset;
	*size = (size_t)s->size;
	return 0;
}

int lutgen_elf_vaddr_data(const struct lutgen_elf *e, uint64_t vaddr,
			  const uint8_t **data, size_t *avail)
{
	size_t i;

	for (i = 0; i < e->nsegs; i++) {
		const struct lutgen_elf_segment *s = &e->segs[i];

		if (s->type != X_PT_LOAD || vaddr < s->vaddr ||
		    vaddr - s->vaddr >= s->filesz)
			continue;
		*data = e->buf + s->offset + (vaddr - s->vaddr);
		*avail = (size_t)(s->filesz - (vaddr - s->vaddr));
		return 0;
	}
	/* No segment covers it (object files, or headers gone): sections. */
	for (i = 0; i < e->nsects; i++) {
		const struct lutgen_elf_section *s = &e->sects[i];

		if (!(s->flags & X_SHF_ALLOC) || s->type == X_SHT_NOBITS ||
		    vaddr < s->addr || vaddr - s->addr >= s->size ||
		    !in_file(e, s->offset, s->size))
			continue;
		*data = e->buf + s->offset + (vaddr - s->addr);
		*avail = (size_t)(s->size - (vaddr - s->addr));
		return 0;
	}
	return -ENOENT;
}

int lutgen_elf_read_vaddr(const struct lutgen_elf *e, uint64_t vaddr,
			  void *buf, size_t size)
{
	const uint8_t *p;
	size_t avail;

	if (lutgen_elf_vaddr_data(e, vaddr, &p, &avail) != 0 || avail < size)
		return -ENOENT;
	memcpy(buf, p, size);
	return 0;
}

int lutgen_elf_vaddr_to_offset(const struct lutgen_elf *e, uint64_t vaddr,
			       uint64_t *off)
{
	size_t i;

	for (i = 0; i < e->nsegs; i++) {
		const struct lutgen_elf_segment *s = &e->segs[i];

		if (s->type != X_PT_LOAD || vaddr < s->vaddr ||
		    vaddr - s->vaddr >= s->filesz)
			continue;
		*off = s->offset + (vaddr - s->vaddr);
		return 0;
	}
	return -ENOENT;
}

static const struct reloc *find_reloc(const struct lutgen_elf *e,
				      uint64_t where)
{
	size_t lo = 0, hi = e->nrelocs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->relocs[mid].where < where)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < e->nrelocs && e->relocs[lo].where == where ? &e->relocs[lo]
							       : NULL;
}

int lutgen_elf_read_ptr(const struct lutgen_elf *e, uint64_t vaddr,
			uint64_t *out)
{
	const struct reloc *r = find_reloc(e, vaddr);
	const uint8_t *p;
	size_t avail;

	if (r) {
		*out = r->addend;
		return 0;
	}
	if (lutgen_elf_vaddr_data(e, vaddr, &p, &avail) != 0 ||
	    avail < lutgen_elf_ptrsize(e))
		return -ENOENT;
	*out = lutgen_elf_uptr(e, p);
	return 0;
}

int lutgen_elf_relocs_to(const struct lutgen_elf *e, uint64_t target,
			 uint64_t **out, size_t *n)
{
	size_t i, k = 0;
	uint64_t *v = NULL;

	*out = NULL;
	*n = 0;
	for (i = 0; i < e->nrelocs; i++)
		if (e->relocs[i].addend == target)
			k++;
	if (!k)
		return 0;
	v = malloc(k * sizeof(*v));
	if (!v)
		return -ENOMEM;
	k = 0;
	for (i = 0; i < e->nrelocs; i++)
		if (e->relocs[i].addend == target)
			v[k++] = e->relocs[i].where;
	*out = v;
	*n = k;
	return 0;
}

/* Iterate the symbols of one symbol table; cb returns nonzero to stop. */
typedef int (*sym_cb)(const struct lutgen_elf *e, const char *name,
		      const uint8_t *sym, void *ctx);

static int walk_symtab(const struct lutgen_elf *e, uint32_t type, sym_cb cb,
		       void *ctx)
{
	size_t i, entsz = e->is64 ? 24 : 16;

	for (i = 0; i < e->nsects; i++) {
		const struct lutgen_elf_section *s = &e->sects[i], *str;
		uint64_t k, n;

		if (s->type != type || !in_file(e, s->offset, s->size) ||
		    s->link >= e->nsects)
			continue;
		str = &e->sects[s->link];
		if (str->type == X_SHT_NOBITS ||
		    !in_file(e, str->offset, str->size))
			continue;
		n = s->size / entsz;
		for (k = 0; k < n; k++) {
			const uint8_t *sym = e->buf + s->offset + k * entsz;
			uint32_t no = lutgen_elf_u32(e, sym);
			const char *name;

			if (no >= str->size ||
			    !memchr(e->buf + str->offset + no, '\0',
				    str->size - no))
				continue;
			name = (const char *)e->buf + str->offset + no;
			if (cb(e, name, sym, ctx))
				return 1;
		}
	}
	return 0;
}

struct find_ctx {
	const char *name;
	struct lutgen_elf_sym *out;
	const char *prefix;
	size_t plen;
};

static void decode_sym(const struct lutgen_elf *e, const uint8_t *sym,
		       struct lutgen_elf_sym *out)
{
	if (e->is64) {
		out->type = sym[4] & 0xf;
		out->shndx = lutgen_elf_u16(e, sym + 6);
		out->value = lutgen_elf_u64(e, sym + 8);
		out->size = lutgen_elf_u64(e, sym + 16);
	} else {
		out->value = lutgen_elf_u32(e, sym + 4);
		out->size = lutgen_elf_u32(e, sym + 8);
		out->type = sym[12] & 0xf;
		out->shndx = lutgen_elf_u16(e, sym + 14);
	}
}

static int find_cb(const struct lutgen_elf *e, const char *name,
		   const uint8_t *sym, void *ctx)
{
	struct find_ctx *c = ctx;
	struct lutgen_elf_sym s;

	if (strcmp(name, c->name) != 0)
		return 0;
	decode_sym(e, sym, &s);
	if (s.shndx == 0)
		return 0; /* undefined */
	*c->out = s;
	return 1;
}

int lutgen_elf_symbol(const struct lutgen_elf *e, const char *name,
		      struct lutgen_elf_sym *out)
{
	struct find_ctx c = { .name = name, .out = out };

	if (walk_symtab(e, X_SHT_SYMTAB, find_cb, &c) ||
	    walk_symtab(e, X_SHT_DYNSYM, find_cb, &c))
		return 0;
	return -ENOENT;
}

static int prefix_cb(const struct lutgen_elf *e, const char *name,
		     const uint8_t *sym, void *ctx)
{
	struct find_ctx *c = ctx;

	(void)e;
	(void)sym;
	return strncmp(name, c->prefix, c->plen) == 0;
}

bool lutgen_elf_has_symbol_prefix(const struct lutgen_elf *e,
				  const char *prefix)
{
	struct find_ctx c = { .prefix = prefix, .plen = strlen(prefix) };

	return walk_symtab(e, X_SHT_SYMTAB, prefix_cb, &c) ||
	       walk_symtab(e, X_SHT_DYNSYM, prefix_cb, &c);
}

size_t lutgen_elf_symtab_count(const struct lutgen_elf *e)
{
	size_t i, n = 0, entsz = e->is64 ? 24 : 16;

	for (i = 0; i < e->nsects; i++)
		if (e->sects[i].type == X_SHT_SYMTAB)
			n += (size_t)(e->sects[i].size / entsz);
	return n;
}

/* Copy the dynamic string at DT_STRTAB + off into buf ("" if bad). */
static void dyn_string(const struct lutgen_elf *e, uint64_t off, char *buf,
		       size_t size)
{
	const uint8_t *p;
	size_t avail, len;

	buf[0] = '\0';
	if (!e->dt_strtab || (e->dt_strsz && off >= e->dt_strsz) ||
	    lutgen_elf_vaddr_data(e, e->dt_strtab + off, &p, &avail) != 0)
		return;
	len = strnlen((const char *)p, avail);
	if (len == avail || len >= size)
		return;
	memcpy(buf, p, len + 1);
}

bool lutgen_elf_truncated(const struct lutgen_elf *e, uint64_t *want)
{
	*want = e->want;
	return e->want > e->size;
}

void lutgen_elf_facts(const struct lutgen_elf *e, struct lutgen_elf_facts *f)
{
	bool interp = false;
	size_t i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < e->nsegs; i++) {
		const struct lutgen_elf_segment *s = &e->segs[i];
		size_t len;

		if (s->type != X_PT_INTERP)
			continue;
		interp = true;
		len = strnlen((const char *)e->buf + s->offset,
			      (size_t)s->filesz);
		if (len >= sizeof(f->interp))
			len = sizeof(f->interp) - 1;
		memcpy(f->interp, e->buf + s->offset, len);
		f->interp[len] = '\0';
		break;
	}
	f->nneeded = e->nneeded;
	for (i = 0; i < e->nneeded && i < 8 &&
		    i < sizeof(e->needed) / sizeof(e->needed[0]);
	     i++)
		dyn_string(e, e->needed[i], f->needed[i], sizeof(f->needed[i]));
	f->is_static = !interp && e->nneeded == 0;
	if (e->type == X_ET_DYN) {
		f->pie = interp || (e->flags_1 & X_DF_1_PIE);
		f->shared_object = !f->pie;
	}
	f->has_sections = e->nsects > 0;
	f->has_symtab = lutgen_elf_symtab_count(e) > 1;
	f->has_dwarf = lutgen_elf_section(e, ".debug_info") != NULL ||
		       lutgen_elf_section(e, ".zdebug_info") != NULL;
}
