/* SPDX-License-Identifier: MIT */
/*
 * lutgen_gobin.c - read a Go ELF binary at run time (see lutgen_gobin.h).
 *
 * Generated from templates/lutgen_gobin.c.tmpl by lutgen; do not edit.
 * Self-contained: C99 or C++11, the C standard library and POSIX, plus
 * lutgen_go.{h,c}.
 *
 * Every number taken from the file is checked before it is used as an
 * offset, a size or a count: a corrupt or hostile file is an error or a
 * missing fact, never a crash, a hang or a large allocation.  Formats:
 * the ELF gABI; Go's .go.buildinfo (debug/buildinfo), its module
 * information (runtime/debug.BuildInfo.String) and its pc-line table
 * (runtime/symtab.go, debug/gosym).
 */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "lutgen_gobin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* ---- ELF constants (the system <elf.h> is not assumed) ---- */

enum {
	GB_ET_EXEC = 2,
	GB_ET_DYN = 3,
	GB_PT_LOAD = 1,
	GB_PT_DYNAMIC = 2,
	GB_PT_INTERP = 3,
	GB_PF_X = 1,
	GB_PF_W = 2,
	GB_SHT_SYMTAB = 2,
	GB_SHT_NOBITS = 8,
	GB_SHT_DYNSYM = 11,
	GB_SHF_ALLOC = 2,
	GB_STT_FUNC = 2,
	GB_EM_386 = 3,
	GB_EM_MIPS = 8,
	GB_EM_PPC64 = 21,
	GB_EM_S390 = 22,
	GB_EM_ARM = 40,
	GB_EM_X86_64 = 62,
	GB_EM_AARCH64 = 183,
	GB_EM_RISCV = 243,
	GB_EM_LOONGARCH = 258
};

#define GB_DT_NULL 0u
#define GB_DT_NEEDED 1u
#define GB_DT_STRTAB 5u
#define GB_DT_RELA 7u
#define GB_DT_RELASZ 8u
#define GB_DT_RELAENT 9u
#define GB_DT_STRSZ 10u
#define GB_DT_FLAGS_1 0x6ffffffbu
#define GB_DF_1_PIE 0x08000000u

#define GB_BI_MAGIC "\xff Go buildinf:"
#define GB_BI_MAGIC_LEN 14
#define GB_BI_HEADER 32
#define GB_BI_ALIGN 16

/* Bounds of things read at open that the header does not list. */
#define GB_MAX_SHSTRTAB ((uint64_t)4 << 20)
#define GB_MAX_DYNAMIC ((uint64_t)1 << 20)
#define GB_MAX_INTERP 4096u
#define GB_MAX_NEEDED_NAME 256u
#define GB_MAX_RELA ((uint64_t)16 << 20)   /* entries */
#define GB_MAX_SCAN ((uint64_t)256 << 20)  /* bytes searched for a magic */
#define GB_CHUNK 65536u

/* moduledata (runtime/symtab.go): pcHeader, six slices of three words,
 * findfunctab, minpc, maxpc, text: stable from go1.16 on. */
#define GB_MODULEDATA_FUNCNAMETAB_WORD 1
#define GB_MODULEDATA_TEXT_WORD 22

/* ---- the handle ---- */

struct gb_seg {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz;
};

struct gb_sect {
	const char *name;
	uint32_t type, link;
	uint64_t flags, addr, offset, size;
};

/* File bytes [off, off+size): mapped, read into memory, or the caller's. */
struct gb_region {
	const uint8_t *p;
	uint64_t size;
	void *map;
	size_t maplen;
	void *heap;
};

struct gb_chunk {
	struct gb_chunk *next;
	size_t used, cap;
};

struct lutgen_gobin {
	struct lutgen_gobin_info info;
	int fd;                 /* -1 for a caller's buffer */
	const uint8_t *mem;
	uint64_t size;
	unsigned flags;
	uint64_t pagesize;
	/* ELF */
	bool is64, be;
	struct gb_seg *segs;
	size_t nsegs;
	struct gb_sect *sects;
	size_t nsects;
	char *shstr;
	uint64_t dt_strtab, dt_strsz, dt_rela, dt_relasz, dt_relaent, flags_1;
	uint64_t needed_off[LUTGEN_GOBIN_MAX_NEEDED];
	bool has_dynamic, has_interp;
	/* RELATIVE relocations (read while opening, when needed) */
	struct gb_region rela;
	bool rela_tried;
	size_t nrela;
	/* symbol tables */
	struct gb_region symtab, strtab, dynsym, dynstr;
	size_t nsyms, ndynsyms;
	/* pclntab */
	struct gb_region pcln_region;
	const uint8_t *pcln;
	uint64_t pcln_size, pcln_addr;
	int layout;
	unsigned ps;
	uint64_t nfunc, funcnametab, functab, funcdata;
	/* build information */
	char *modinfo_raw;  /* what info.modinfo shows */
	char *modinfo;      /* a copy cut into strings in place */
	struct lutgen_gobin_module *mods;  /* main, deps, replacements */
	struct lutgen_gobin_setting *settings;
	const char **experiments;
	const char **needed;
	struct gb_chunk *arena;
};

/* ---- small helpers ---- */

static int gb_fail(struct lutgen_gobin_err *err, int code, const char *fmt,
		   ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static int gb_fail(struct lutgen_gobin_err *err, int code, const char *fmt,
		   ...)
{
	va_list ap;

	if (err) {
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

/* strerror(3) is not thread-safe; our own words for what we may see. */
static const char *gb_errno_text(int e)
{
	switch (e) {
	case ENOENT: return "no such file or directory";
	case EACCES: return "permission denied";
	case EPERM: return "operation not permitted";
	case EISDIR: return "is a directory";
	case ENOTDIR: return "a path component is not a directory";
	case ELOOP: return "too many levels of symbolic links";
	case ENAMETOOLONG: return "file name too long";
	case EMFILE: return "too many open files";
	case ENFILE: return "too many open files in the system";
	case ENOMEM: return "out of memory";
	case EIO: return "input/output error";
	case ENXIO: return "no such device or address";
	case ENODEV: return "no such device";
	case ESRCH: return "no such process";
	case EINVAL: return "invalid argument";
	case EFBIG: return "file too large";
	case EOVERFLOW: return "value too large";
	case EBADF: return "bad file descriptor";
	case EAGAIN: return "resource temporarily unavailable";
	case EINTR: return "interrupted";
	case ETXTBSY: return "text file busy";
	case ENODATA: return "no data (the file shrank)";
	default: return "unexpected error";
	}
}

static uint16_t gb_u16(const struct lutgen_gobin *b, const uint8_t *p)
{
	return b->be ? (uint16_t)(p[0] << 8 | p[1])
		     : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t gb_u32(const struct lutgen_gobin *b, const uint8_t *p)
{
	if (b->be)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		       (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | p[0];
}

static uint64_t gb_u64(const struct lutgen_gobin *b, const uint8_t *p)
{
	uint64_t x = gb_u32(b, p), y = gb_u32(b, p + 4);

	return b->be ? x << 32 | y : y << 32 | x;
}

/* A word of `ps` bytes (4 or 8). */
static uint64_t gb_word(const struct lutgen_gobin *b, const uint8_t *p,
			unsigned ps)
{
	return ps == 8 ? gb_u64(b, p) : gb_u32(b, p);
}

/* Copy of [s, s+n) NUL-terminated in the handle's arena; NULL on OOM. */
static char *gb_strndup(struct lutgen_gobin *b, const char *s, size_t n)
{
	struct gb_chunk *c = b->arena;
	char *d;

	if (n >= (size_t)-1 - sizeof(*c) - 1)
		return NULL;
	if (!c || c->cap - c->used < n + 1) {
		size_t cap = n + 1 > 4096 ? n + 1 : 4096;

		c = (struct gb_chunk *)malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = b->arena;
		b->arena = c;
	}
	d = (char *)(c + 1) + c->used;
	memcpy(d, s, n);
	d[n] = '\0';
	c->used += n + 1;
	return d;
}

static const uint8_t *gb_memmem(const uint8_t *h, size_t hn, const char *n,
				size_t nn)
{
	size_t i;

	if (nn == 0 || hn < nn)
		return NULL;
	for (i = 0; i + nn <= hn; i++) {
		const uint8_t *p = (const uint8_t *)memchr(h + i, n[0],
							   hn - nn + 1 - i);

		if (!p)
			return NULL;
		i = (size_t)(p - h);
		if (memcmp(p, n, nn) == 0)
			return p;
	}
	return NULL;
}

/* ---- reading the file ---- */

/* Copy n bytes at file offset off.  -ENODATA when past the end. */
static int gb_pread(const struct lutgen_gobin *b, uint64_t off, void *buf,
		    size_t n)
{
	uint8_t *p = (uint8_t *)buf;
	uint64_t max_off = sizeof(off_t) >= 8 ? (uint64_t)INT64_MAX
					       : (uint64_t)INT32_MAX;

	if (off > b->size || n > b->size - off)
		return -ENODATA;
	if (b->mem) {
		memcpy(p, b->mem + off, n);
		return 0;
	}
	while (n > 0) {
		ssize_t r;

		if (off > max_off)
			return -EFBIG;
		r = pread(b->fd, p, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ENODATA;
		p += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

static void gb_region_free(struct gb_region *r)
{
	if (r->map)
		munmap(r->map, r->maplen);
	free(r->heap);
	memset(r, 0, sizeof(*r));
}

/* Make [off, off+len) (clamped to the file) addressable. */
static int gb_region_load(struct lutgen_gobin *b, uint64_t off, uint64_t len,
			  struct gb_region *r)
{
	int rc;

	gb_region_free(r);
	if (off > b->size)
		off = b->size;
	if (len > b->size - off)
		len = b->size - off;
	r->size = len;
	if (len == 0) {
		r->p = (const uint8_t *)"";
		return 0;
	}
	if (b->mem) {
		r->p = b->mem + off;
		return 0;
	}
	if (!(b->flags & LUTGEN_GOBIN_NO_MMAP) &&
	    len <= (uint64_t)((size_t)-1) - b->pagesize) {
		uint64_t start = off - off % b->pagesize;
		size_t maplen = (size_t)(off - start + len);
		void *m = mmap(NULL, maplen, PROT_READ, MAP_PRIVATE, b->fd,
			       (off_t)start);

		if (m != MAP_FAILED) {
			r->map = m;
			r->maplen = maplen;
			r->p = (const uint8_t *)m + (off - start);
			return 0;
		}
	}
	if (len > LUTGEN_GOBIN_MAX_READ)
		return -EFBIG;
	r->heap = malloc((size_t)len);
	if (!r->heap)
		return -ENOMEM;
	rc = gb_pread(b, off, r->heap, (size_t)len);
	if (rc) {
		gb_region_free(r);
		return rc;
	}
	r->p = (const uint8_t *)r->heap;
	r->size = len;
	return 0;
}

/* The PT_LOAD (else allocated section) holding vaddr: file offset and
 * the file-backed bytes from there on. */
static int gb_vaddr_file(const struct lutgen_gobin *b, uint64_t vaddr,
			 uint64_t *off, uint64_t *avail)
{
	size_t i;

	for (i = 0; i < b->nsegs; i++) {
		const struct gb_seg *s = &b->segs[i];

		if (s->type != GB_PT_LOAD || vaddr < s->vaddr ||
		    vaddr - s->vaddr >= s->filesz)
			continue;
		*off = s->offset + (vaddr - s->vaddr);
		*avail = s->filesz - (vaddr - s->vaddr);
		return 0;
	}
	if (b->nsegs)
		return -ENOENT;
	for (i = 0; i < b->nsects; i++) {
		const struct gb_sect *s = &b->sects[i];

		if (!(s->flags & GB_SHF_ALLOC) || s->type == GB_SHT_NOBITS ||
		    vaddr < s->addr || vaddr - s->addr >= s->size)
			continue;
		*off = s->offset + (vaddr - s->addr);
		*avail = s->size - (vaddr - s->addr);
		return 0;
	}
	return -ENOENT;
}

static int gb_vread(const struct lutgen_gobin *b, uint64_t vaddr, void *buf,
		    size_t n)
{
	uint64_t off, avail;

	if (gb_vaddr_file(b, vaddr, &off, &avail) != 0 || avail < n)
		return -ENOENT;
	return gb_pread(b, off, buf, n);
}

/* ---- ELF headers ---- */

static void gb_note_extent(struct lutgen_gobin *b, uint64_t off, uint64_t len)
{
	if (off + len >= off && off + len > b->info.described_size)
		b->info.described_size = off + len;
}

static int gb_parse_phdrs(struct lutgen_gobin *b, uint64_t phoff,
			  unsigned entsize, unsigned num)
{
	uint8_t *raw;
	size_t i;
	int rc;

	if (num == 0 || phoff == 0)
		return 0;
	if (entsize < (b->is64 ? 56u : 32u) || num > LUTGEN_GOBIN_MAX_PHDRS)
		return 0; /* unusable: as if there were none */
	gb_note_extent(b, phoff, (uint64_t)entsize * num);
	if (phoff > b->size || (uint64_t)entsize * num > b->size - phoff)
		return 0;
	raw = (uint8_t *)malloc((size_t)entsize * num);
	b->segs = (struct gb_seg *)calloc(num, sizeof(*b->segs));
	if (!raw || !b->segs) {
		free(raw);
		return -ENOMEM;
	}
	rc = gb_pread(b, phoff, raw, (size_t)entsize * num);
	for (i = 0; rc == 0 && i < num; i++) {
		const uint8_t *p = raw + i * entsize;
		struct gb_seg *s = &b->segs[b->nsegs++];

		s->type = gb_u32(b, p);
		if (b->is64) {
			s->flags = gb_u32(b, p + 4);
			s->offset = gb_u64(b, p + 8);
			s->vaddr = gb_u64(b, p + 16);
			s->filesz = gb_u64(b, p + 32);
			s->memsz = gb_u64(b, p + 40);
		} else {
			s->offset = gb_u32(b, p + 4);
			s->vaddr = gb_u32(b, p + 8);
			s->filesz = gb_u32(b, p + 16);
			s->memsz = gb_u32(b, p + 20);
			s->flags = gb_u32(b, p + 24);
		}
		if (s->type == GB_PT_LOAD)
			gb_note_extent(b, s->offset, s->filesz);
		/* Clamp to what the file has. */
		if (s->offset > b->size)
			s->offset = b->size, s->filesz = 0;
		if (s->filesz > b->size - s->offset)
			s->filesz = b->size - s->offset;
		if (s->vaddr + s->filesz < s->vaddr)
			s->filesz = 0;
	}
	free(raw);
	return rc;
}

static int gb_parse_shdrs(struct lutgen_gobin *b, uint64_t shoff,
			  unsigned entsize, unsigned num, unsigned strndx)
{
	uint8_t *raw = NULL, first[64];
	uint64_t stroff, strsz;
	size_t i;
	int rc;

	if (shoff == 0 || entsize < (b->is64 ? 64u : 40u))
		return 0;
	if (num == 0) {
		/* Extended numbering: the count is in section 0's sh_size. */
		if (gb_pread(b, shoff, first, b->is64 ? 64 : 40) != 0)
			return 0;
		num = (unsigned)(b->is64 ? gb_u64(b, first + 32)
					 : gb_u32(b, first + 20));
		if (strndx == 0xffff)
			strndx = gb_u32(b, first + (b->is64 ? 40 : 24));
	}
	if (num == 0 || num > LUTGEN_GOBIN_MAX_SHDRS)
		return 0;
	gb_note_extent(b, shoff, (uint64_t)entsize * num);
	if (shoff > b->size || (uint64_t)entsize * num > b->size - shoff)
		return 0; /* unusable: as if stripped of section headers */
	raw = (uint8_t *)malloc((size_t)entsize * num);
	b->sects = (struct gb_sect *)calloc(num, sizeof(*b->sects));
	if (!raw || !b->sects) {
		free(raw);
		return -ENOMEM;
	}
	rc = gb_pread(b, shoff, raw, (size_t)entsize * num);
	if (rc) {
		free(raw);
		return rc;
	}
	for (i = 0; i < num; i++) {
		const uint8_t *p = raw + i * entsize;
		struct gb_sect *s = &b->sects[i];

		s->name = "";
		s->type = gb_u32(b, p + 4);
		if (b->is64) {
			s->flags = gb_u64(b, p + 8);
			s->addr = gb_u64(b, p + 16);
			s->offset = gb_u64(b, p + 24);
			s->size = gb_u64(b, p + 32);
			s->link = gb_u32(b, p + 40);
		} else {
			s->flags = gb_u32(b, p + 8);
			s->addr = gb_u32(b, p + 12);
			s->offset = gb_u32(b, p + 16);
			s->size = gb_u32(b, p + 20);
			s->link = gb_u32(b, p + 24);
		}
		if (s->type != GB_SHT_NOBITS)
			gb_note_extent(b, s->offset, s->size);
	}
	b->nsects = num;
	if (strndx < num && b->sects[strndx].type != GB_SHT_NOBITS) {
		stroff = b->sects[strndx].offset;
		strsz = b->sects[strndx].size;
		if (strsz > GB_MAX_SHSTRTAB)
			strsz = GB_MAX_SHSTRTAB;
		if (stroff <= b->size && strsz <= b->size - stroff && strsz) {
			b->shstr = (char *)malloc((size_t)strsz + 1);
			if (!b->shstr) {
				free(raw);
				return -ENOMEM;
			}
			if (gb_pread(b, stroff, b->shstr, (size_t)strsz) != 0) {
				free(b->shstr);
				b->shstr = NULL;
			} else {
				b->shstr[strsz] = '\0';
			}
		}
		for (i = 0; b->shstr && i < num; i++) {
			uint32_t n = gb_u32(b, raw + i * entsize);

			if (n < strsz)
				b->sects[i].name = b->shstr + n;
		}
	}
	free(raw);
	return 0;
}

static const struct gb_sect *gb_section(const struct lutgen_gobin *b,
					const char *name)
{
	size_t i;

	for (i = 0; i < b->nsects; i++)
		if (strcmp(b->sects[i].name, name) == 0)
			return &b->sects[i];
	return NULL;
}

/* A NUL-terminated string at vaddr, at most max-1 bytes, into the arena;
 * NULL when unreadable or unterminated. */
static const char *gb_vstring(struct lutgen_gobin *b, uint64_t vaddr,
			      size_t max)
{
	char buf[GB_MAX_NEEDED_NAME];
	uint64_t off, avail;
	size_t n, len;

	if (max > sizeof(buf))
		max = sizeof(buf);
	if (gb_vaddr_file(b, vaddr, &off, &avail) != 0)
		return NULL;
	n = avail < max ? (size_t)avail : max;
	if (gb_pread(b, off, buf, n) != 0)
		return NULL;
	len = strnlen(buf, n);
	if (len == n)
		return NULL;
	return gb_strndup(b, buf, len);
}

static int gb_parse_dynamic(struct lutgen_gobin *b)
{
	const struct gb_seg *dyn = NULL;
	size_t entsz = b->is64 ? 16 : 8, i;
	uint64_t len;
	uint8_t *raw;
	int rc;

	for (i = 0; i < b->nsegs; i++) {
		if (b->segs[i].type == GB_PT_DYNAMIC && !dyn)
			dyn = &b->segs[i];
		if (b->segs[i].type == GB_PT_INTERP && !b->has_interp) {
			char buf[GB_MAX_INTERP];
			size_t n = b->segs[i].filesz < sizeof(buf)
					   ? (size_t)b->segs[i].filesz
					   : sizeof(buf);

			b->has_interp = true;
			if (gb_pread(b, b->segs[i].offset, buf, n) == 0) {
				b->info.interp = gb_strndup(b, buf,
							    strnlen(buf, n));
				if (!b->info.interp)
					return -ENOMEM;
			}
		}
	}
	if (!dyn)
		return 0;
	b->has_dynamic = true;
	len = dyn->filesz < GB_MAX_DYNAMIC ? dyn->filesz : GB_MAX_DYNAMIC;
	if (len < entsz)
		return 0;
	raw = (uint8_t *)malloc((size_t)len);
	if (!raw)
		return -ENOMEM;
	rc = gb_pread(b, dyn->offset, raw, (size_t)len);
	for (i = 0; rc == 0 && i + entsz <= len; i += entsz) {
		uint64_t tag = gb_word(b, raw + i, b->is64 ? 8 : 4);
		uint64_t val = gb_word(b, raw + i + entsz / 2, b->is64 ? 8 : 4);

		if (tag == GB_DT_NULL)
			break;
		if (tag == GB_DT_NEEDED) {
			if (b->info.nneeded < LUTGEN_GOBIN_MAX_NEEDED)
				b->needed_off[b->info.nneeded] = val;
			b->info.nneeded++;
		} else if (tag == GB_DT_STRTAB) {
			b->dt_strtab = val;
		} else if (tag == GB_DT_STRSZ) {
			b->dt_strsz = val;
		} else if (tag == GB_DT_RELA) {
			b->dt_rela = val;
		} else if (tag == GB_DT_RELASZ) {
			b->dt_relasz = val;
		} else if (tag == GB_DT_RELAENT) {
			b->dt_relaent = val;
		} else if (tag == GB_DT_FLAGS_1) {
			b->flags_1 = val;
		}
	}
	free(raw);
	if (rc)
		return rc;
	return 0;
}

static int gb_read_needed(struct lutgen_gobin *b)
{
	size_t i, n = b->info.nneeded < LUTGEN_GOBIN_MAX_NEEDED
			      ? b->info.nneeded
			      : LUTGEN_GOBIN_MAX_NEEDED;

	b->needed = (const char **)calloc(n ? n : 1, sizeof(*b->needed));
	if (!b->needed)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const char *s = NULL;

		if (b->dt_strtab && (!b->dt_strsz || b->needed_off[i] < b->dt_strsz))
			s = gb_vstring(b, b->dt_strtab + b->needed_off[i],
				       GB_MAX_NEEDED_NAME);
		b->needed[i] = s ? s : "";
	}
	b->info.needed = b->needed;
	return 0;
}

static const char *gb_goarch(const struct lutgen_gobin *b, uint16_t machine)
{
	switch (machine) {
	case GB_EM_X86_64: return b->is64 ? "amd64" : NULL;
	case GB_EM_386: return b->is64 ? NULL : "386";
	case GB_EM_AARCH64: return b->is64 ? "arm64" : NULL;
	case GB_EM_ARM: return b->is64 ? NULL : "arm";
	case GB_EM_PPC64: return b->is64 ? (b->be ? "ppc64" : "ppc64le") : NULL;
	case GB_EM_S390: return b->is64 && b->be ? "s390x" : NULL;
	case GB_EM_RISCV: return b->is64 ? "riscv64" : NULL;
	case GB_EM_LOONGARCH: return b->is64 ? "loong64" : NULL;
	case GB_EM_MIPS:
		if (b->is64)
			return b->be ? "mips64" : "mips64le";
		return b->be ? "mips" : "mipsle";
	default: return NULL;
	}
}

static int gb_parse_elf(struct lutgen_gobin *b, struct lutgen_gobin_err *err)
{
	const char *name = b->info.name;
	uint8_t h[64];
	size_t n = b->size < sizeof(h) ? (size_t)b->size : sizeof(h);
	uint64_t phoff, shoff;
	unsigned phentsize, phnum, shentsize, shnum, shstrndx;
	int rc;

	if (b->size == 0)
		return gb_fail(err, -ENOEXEC, "%s: empty file, not an ELF file",
			       name);
	rc = gb_pread(b, 0, h, n);
	if (rc)
		return gb_fail(err, rc, "read %s: %s", name, gb_errno_text(-rc));
	if (n < 4 || memcmp(h, "\177ELF", 4) != 0)
		return gb_fail(err, -ENOEXEC, "%s: not an ELF file", name);
	if (n < 52 || (h[4] == 2 && n < 64))
		return gb_fail(err, -ENOEXEC,
			       "%s: truncated ELF header (%zu bytes)", name, n);
	if (h[4] != 1 && h[4] != 2)
		return gb_fail(err, -ENOEXEC, "%s: bad ELF class %u", name,
			       h[4]);
	if (h[5] != 1 && h[5] != 2)
		return gb_fail(err, -ENOEXEC, "%s: bad ELF data encoding %u",
			       name, h[5]);
	b->is64 = h[4] == 2;
	b->be = h[5] == 2;
	b->info.ptr_size = b->is64 ? 8 : 4;
	b->info.big_endian = b->be;
	b->info.elf_type = gb_u16(b, h + 16);
	b->info.elf_machine = gb_u16(b, h + 18);
	if (b->is64) {
		phoff = gb_u64(b, h + 32);
		shoff = gb_u64(b, h + 40);
		phentsize = gb_u16(b, h + 54);
		phnum = gb_u16(b, h + 56);
		shentsize = gb_u16(b, h + 58);
		shnum = gb_u16(b, h + 60);
		shstrndx = gb_u16(b, h + 62);
	} else {
		phoff = gb_u32(b, h + 28);
		shoff = gb_u32(b, h + 32);
		phentsize = gb_u16(b, h + 42);
		phnum = gb_u16(b, h + 44);
		shentsize = gb_u16(b, h + 46);
		shnum = gb_u16(b, h + 48);
		shstrndx = gb_u16(b, h + 50);
	}
	b->info.described_size = n;
	rc = gb_parse_phdrs(b, phoff, phentsize, phnum);
	if (rc == 0)
		rc = gb_parse_shdrs(b, shoff, shentsize, shnum, shstrndx);
	if (rc == 0)
		rc = gb_parse_dynamic(b);
	if (rc == 0)
		rc = gb_read_needed(b);
	if (rc == -ENOMEM)
		return gb_fail(err, rc, "%s: out of memory", name);
	if (rc)
		return gb_fail(err, rc, "read %s: %s", name, gb_errno_text(-rc));
	if (b->nsegs == 0 && b->nsects == 0)
		return gb_fail(err, -ENOEXEC,
			       "%s: ELF file with neither usable program nor section headers (truncated or corrupt)",
			       name);
	b->info.truncated = b->info.described_size > b->size;
	b->info.goarch = gb_goarch(b, b->info.elf_machine);
	b->info.is_static = !b->has_interp && b->info.nneeded == 0;
	if (b->info.elf_type == GB_ET_EXEC) {
		b->info.kind = LUTGEN_GOBIN_EXECUTABLE;
	} else if (b->info.elf_type == GB_ET_DYN) {
		b->info.pie = b->has_interp || (b->flags_1 & GB_DF_1_PIE);
		b->info.kind = b->info.pie ? LUTGEN_GOBIN_PIE : LUTGEN_GOBIN_SHARED;
	} else {
		b->info.kind = LUTGEN_GOBIN_OTHER;
	}
	if (!b->info.interp)
		b->info.interp = "";
	b->info.has_sections = b->nsects > 0;
	b->info.has_dwarf = gb_section(b, ".debug_info") != NULL ||
			    gb_section(b, ".zdebug_info") != NULL;
	return 0;
}

/* ---- relocations (PIE and shared objects) ---- */

static uint32_t gb_relative_type(const struct lutgen_gobin *b)
{
	switch (b->info.elf_machine) {
	case GB_EM_X86_64: return 8;
	case GB_EM_AARCH64: return 1027;
	case GB_EM_PPC64: return 22;
	case GB_EM_S390: return 12;
	case GB_EM_RISCV: return 3;
	case GB_EM_LOONGARCH: return 3;
	case GB_EM_MIPS: return 3;
	default: return 0;
	}
}

/* Map the RELA table once (only ever called while opening). */
static void gb_load_rela(struct lutgen_gobin *b)
{
	uint64_t off, avail, n;

	if (b->rela_tried)
		return;
	b->rela_tried = true;
	if (!b->is64 || !b->dt_rela || b->dt_relaent != 24 ||
	    b->dt_relasz < 24 || !gb_relative_type(b))
		return;
	if (gb_vaddr_file(b, b->dt_rela, &off, &avail) != 0)
		return;
	n = b->dt_relasz / 24;
	if (n > avail / 24)
		n = avail / 24;
	if (n > GB_MAX_RELA)
		n = GB_MAX_RELA;
	if (gb_region_load(b, off, n * 24, &b->rela) != 0)
		return;
	b->nrela = (size_t)(b->rela.size / 24);
}

/* The addend of a RELATIVE relocation at vaddr. */
static bool gb_reloc_at(struct lutgen_gobin *b, uint64_t vaddr,
			uint64_t *addend)
{
	uint32_t rel = gb_relative_type(b);
	size_t i;

	gb_load_rela(b);
	for (i = 0; i < b->nrela; i++) {
		const uint8_t *p = b->rela.p + i * 24;

		if (gb_u64(b, p) == vaddr &&
		    (uint32_t)gb_u64(b, p + 8) == rel) {
			*addend = gb_u64(b, p + 16);
			return true;
		}
	}
	return false;
}

/* A pointer-sized word at vaddr as the loader would see it. */
static int gb_read_ptr(struct lutgen_gobin *b, uint64_t vaddr, unsigned ps,
		       uint64_t *out)
{
	uint8_t w[8];

	if (b->info.elf_type == GB_ET_DYN && gb_reloc_at(b, vaddr, out))
		return 0;
	if (gb_vread(b, vaddr, w, ps) != 0)
		return -ENOENT;
	*out = gb_word(b, w, ps);
	return 0;
}

/* ---- symbol tables ---- */

static int gb_load_symtab(struct lutgen_gobin *b, uint32_t type,
			  struct gb_region *syms, struct gb_region *strs,
			  size_t *count)
{
	size_t i, entsz = b->is64 ? 24 : 16;
	int rc;

	for (i = 0; i < b->nsects; i++) {
		const struct gb_sect *s = &b->sects[i], *str;

		if (s->type != type || s->link >= b->nsects)
			continue;
		str = &b->sects[s->link];
		if (str->type == GB_SHT_NOBITS)
			continue;
		rc = gb_region_load(b, s->offset, s->size, syms);
		if (rc == 0)
			rc = gb_region_load(b, str->offset, str->size, strs);
		if (rc == -ENOMEM)
			return rc;
		if (rc) {
			gb_region_free(syms);
			gb_region_free(strs);
			continue;
		}
		*count = (size_t)(syms->size / entsz);
		return 0;
	}
	return 0;
}

struct gb_sym {
	const char *name;
	uint64_t value, size;
	unsigned type;
	uint16_t shndx;
};

static bool gb_sym_get(const struct lutgen_gobin *b,
		       const struct gb_region *syms,
		       const struct gb_region *strs, size_t i,
		       struct gb_sym *out)
{
	const uint8_t *p = syms->p + i * (b->is64 ? 24 : 16);
	uint32_t no = gb_u32(b, p);

	if (no >= strs->size ||
	    !memchr(strs->p + no, '\0', (size_t)(strs->size - no)))
		return false;
	out->name = (const char *)strs->p + no;
	if (b->is64) {
		out->type = p[4] & 0xf;
		out->shndx = gb_u16(b, p + 6);
		out->value = gb_u64(b, p + 8);
		out->size = gb_u64(b, p + 16);
	} else {
		out->value = gb_u32(b, p + 4);
		out->size = gb_u32(b, p + 8);
		out->type = p[12] & 0xf;
		out->shndx = gb_u16(b, p + 14);
	}
	return true;
}

/* A defined symbol by exact name: .symtab (which == 0), then .dynsym. */
static bool gb_sym_find(const struct lutgen_gobin *b, const char *name,
			struct gb_sym *out, int *which)
{
	size_t i;

	for (i = 0; i < b->nsyms; i++)
		if (gb_sym_get(b, &b->symtab, &b->strtab, i, out) &&
		    out->shndx != 0 && strcmp(out->name, name) == 0) {
			*which = 0;
			return true;
		}
	for (i = 0; i < b->ndynsyms; i++)
		if (gb_sym_get(b, &b->dynsym, &b->dynstr, i, out) &&
		    out->shndx != 0 && strcmp(out->name, name) == 0) {
			*which = 1;
			return true;
		}
	return false;
}

static bool gb_sym_prefix(const struct lutgen_gobin *b, const char *prefix)
{
	size_t i, n = strlen(prefix);
	struct gb_sym s;

	for (i = 0; i < b->nsyms; i++)
		if (gb_sym_get(b, &b->symtab, &b->strtab, i, &s) &&
		    strncmp(s.name, prefix, n) == 0)
			return true;
	for (i = 0; i < b->ndynsyms; i++)
		if (gb_sym_get(b, &b->dynsym, &b->dynstr, i, &s) &&
		    strncmp(s.name, prefix, n) == 0)
			return true;
	return false;
}

/* ---- the pc-line table ---- */

static bool gb_pcln_has(const struct lutgen_gobin *b, uint64_t off,
			uint64_t len)
{
	return off <= b->pcln_size && len <= b->pcln_size - off;
}

static unsigned gb_functab_field(const struct lutgen_gobin *b)
{
	return b->layout >= 118 ? 4 : b->ps;
}

/* functab entry i: pc field (an offset for go1.18+) and funcoff. */
static void gb_ftab(const struct lutgen_gobin *b, uint64_t i, uint64_t *pc,
		    uint64_t *funcoff)
{
	unsigned f = gb_functab_field(b);
	const uint8_t *p = b->pcln + b->functab + i * 2 * f;

	*pc = gb_word(b, p, f);
	if (funcoff)
		*funcoff = i < b->nfunc ? gb_word(b, p + f, f) : 0;
}

static int gb_pcln_header(struct lutgen_gobin *b)
{
	const uint8_t *d = b->pcln;
	uint64_t fsz;
	uint32_t magic;

	if (b->pcln_size < 16 || d[4] != 0 || d[5] != 0 ||
	    (d[6] != 1 && d[6] != 2 && d[6] != 4) || d[7] != b->info.ptr_size)
		return -EBADMSG;
	b->ps = d[7];
	magic = gb_u32(b, d);
	switch (magic) {
	case 0xfffffffbu: b->layout = 12; break;
	case 0xfffffffau: b->layout = 116; break;
	case 0xfffffff0u: b->layout = 118; break;
	case 0xfffffff1u: b->layout = 120; break;
	default: return -EBADMSG;
	}
	if (!gb_pcln_has(b, 8, 8u * b->ps))
		return -EBADMSG;
#define GB_HDR_WORD(i) gb_word(b, d + 8 + (size_t)(i) * b->ps, b->ps)
	b->nfunc = GB_HDR_WORD(0);
	if (b->layout == 12) {
		b->funcnametab = 0;
		b->funcdata = 0;
		b->functab = 8 + b->ps;
	} else if (b->layout == 116) {
		b->funcnametab = GB_HDR_WORD(2);
		b->funcdata = b->functab = GB_HDR_WORD(6);
	} else {
		b->funcnametab = GB_HDR_WORD(3);
		b->funcdata = b->functab = GB_HDR_WORD(7);
	}
#undef GB_HDR_WORD
	if (b->nfunc == 0 || b->nfunc > b->pcln_size / 8)
		return -EBADMSG;
	fsz = (b->nfunc * 2 + 1) * gb_functab_field(b);
	if (!gb_pcln_has(b, b->functab, fsz) || b->funcnametab >= b->pcln_size ||
	    b->funcdata >= b->pcln_size)
		return -EBADMSG;
	return 0;
}

/* Name and entry of function i; -EBADMSG when corrupt. */
static int gb_pcln_func(const struct lutgen_gobin *b, uint64_t i,
			const char **name, uint64_t *entry, uint64_t *end)
{
	uint64_t pc, next, funcoff, fo, nameoff, noff;
	const char *s;

	if (i >= b->nfunc)
		return -EINVAL;
	gb_ftab(b, i, &pc, &funcoff);
	gb_ftab(b, i + 1, &next, NULL);
	fo = b->funcdata + funcoff;
	if (fo < funcoff ||
	    !gb_pcln_has(b, fo, b->layout >= 118 ? 8 : (uint64_t)b->ps + 4))
		return -EBADMSG;
	nameoff = gb_u32(b, b->pcln + fo + (b->layout >= 118 ? 4 : b->ps));
	noff = b->funcnametab + nameoff;
	if (noff < nameoff || noff >= b->pcln_size)
		return -EBADMSG;
	s = (const char *)b->pcln + noff;
	if (!memchr(s, '\0', (size_t)(b->pcln_size - noff)))
		return -EBADMSG;
	*name = s;
	if (b->layout >= 118) {
		pc += b->info.text_start;
		next += b->info.text_start;
	}
	*entry = pc;
	*end = next < pc ? pc : next;
	return 0;
}

/* Cheap plausibility: the first entries are sorted and their names
 * resolve. */
static int gb_pcln_validate(const struct lutgen_gobin *b)
{
	uint64_t i, prev = 0, pc, e, x;
	uint64_t n = b->nfunc < 16 ? b->nfunc : 16;
	const char *name;

	for (i = 0; i < n; i++) {
		gb_ftab(b, i, &pc, NULL);
		if (i && pc < prev)
			return -EBADMSG;
		prev = pc;
		if (gb_pcln_func(b, i, &name, &e, &x) != 0)
			return -EBADMSG;
	}
	return 0;
}

static int gb_pcln_try(struct lutgen_gobin *b, const uint8_t *d,
		       uint64_t size, uint64_t addr)
{
	b->pcln = d;
	b->pcln_size = size;
	b->pcln_addr = addr;
	if (gb_pcln_header(b) != 0 || gb_pcln_validate(b) != 0) {
		b->pcln = NULL;
		b->layout = 0;
		return -EBADMSG;
	}
	return 0;
}

/* Search the PT_LOADs for a valid header: read-only ones first, then
 * executable (old layouts), then writable (old PIE: RELRO). */
static int gb_pcln_scan(struct lutgen_gobin *b)
{
	int pass, rc;
	size_t i;

	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < b->nsegs; i++) {
			const struct gb_seg *s = &b->segs[i];
			uint64_t off, lim;
			int kind;

			if (s->type != GB_PT_LOAD || s->filesz < 16)
				continue;
			kind = (s->flags & GB_PF_W) ? 2 : (s->flags & GB_PF_X) ? 1 : 0;
			if (kind != pass)
				continue;
			rc = gb_region_load(b, s->offset, s->filesz,
					    &b->pcln_region);
			if (rc == -ENOMEM)
				return rc;
			if (rc)
				continue;
			lim = b->pcln_region.size < GB_MAX_SCAN
				      ? b->pcln_region.size
				      : GB_MAX_SCAN;
			for (off = (4 - s->vaddr % 4) % 4; off + 16 <= lim;
			     off += 4) {
				const uint8_t *p = b->pcln_region.p + off;

				if ((p[0] != 0xff && p[3] != 0xff) ||
				    (p[1] & p[2]) != 0xff || p[4] || p[5])
					continue;
				if (gb_pcln_try(b, p, b->pcln_region.size - off,
						s->vaddr + off) == 0)
					return 0;
			}
			gb_region_free(&b->pcln_region);
		}
	}
	return -ENOENT;
}

static bool gb_in_text(const struct lutgen_gobin *b, uint64_t a)
{
	const struct gb_sect *t;
	size_t i;

	for (i = 0; i < b->nsegs; i++)
		if (b->segs[i].type == GB_PT_LOAD &&
		    (b->segs[i].flags & GB_PF_X) && a >= b->segs[i].vaddr &&
		    a - b->segs[i].vaddr < b->segs[i].memsz)
			return true;
	if (b->nsegs)
		return false;
	t = gb_section(b, ".text");
	return t && a >= t->addr && a - t->addr < t->size;
}

/* Is there a moduledata at md pointing at this table?  Then its text. */
static bool gb_moduledata_text(struct lutgen_gobin *b, uint64_t md,
			       uint64_t *text)
{
	uint64_t w0, w1, tx;

	if (gb_read_ptr(b, md, b->ps, &w0) != 0 || w0 != b->pcln_addr ||
	    gb_read_ptr(b, md + GB_MODULEDATA_FUNCNAMETAB_WORD * b->ps, b->ps,
			&w1) != 0 ||
	    w1 != b->pcln_addr + b->funcnametab ||
	    gb_read_ptr(b, md + GB_MODULEDATA_TEXT_WORD * b->ps, b->ps,
			&tx) != 0 ||
	    !gb_in_text(b, tx))
		return false;
	*text = tx;
	return true;
}

static bool gb_find_moduledata_text(struct lutgen_gobin *b, uint64_t *text)
{
	const struct gb_sect *s = gb_section(b, ".go.module");
	uint32_t rel = gb_relative_type(b);
	uint8_t *buf;
	struct gb_sym sym;
	size_t i;
	int which;

	if (s && gb_moduledata_text(b, s->addr, text))
		return true;
	if (gb_sym_find(b, "runtime.firstmoduledata", &sym, &which) &&
	    gb_moduledata_text(b, sym.value, text))
		return true;
	/* PIE/shared: the pointer to the table is a RELATIVE relocation. */
	gb_load_rela(b);
	for (i = 0; i < b->nrela; i++) {
		const uint8_t *p = b->rela.p + i * 24;

		if ((uint32_t)gb_u64(b, p + 8) == rel &&
		    gb_u64(b, p + 16) == b->pcln_addr &&
		    gb_moduledata_text(b, gb_u64(b, p), text))
			return true;
	}
	/* Otherwise scan the writable segments for the pointer. */
	buf = (uint8_t *)malloc(GB_CHUNK);
	if (!buf)
		return false;
	for (i = 0; i < b->nsegs; i++) {
		const struct gb_seg *g = &b->segs[i];
		uint64_t base, lim, off;

		if (g->type != GB_PT_LOAD || !(g->flags & GB_PF_W))
			continue;
		lim = g->filesz < GB_MAX_SCAN ? g->filesz : GB_MAX_SCAN;
		for (base = 0; base < lim; base += GB_CHUNK) {
			size_t n = lim - base < GB_CHUNK ? (size_t)(lim - base)
							 : GB_CHUNK;

			if (gb_pread(b, g->offset + base, buf, n) != 0)
				break;
			for (off = (b->ps - (g->vaddr + base) % b->ps) % b->ps;
			     off + b->ps <= n; off += b->ps)
				if (gb_word(b, buf + off, b->ps) == b->pcln_addr &&
				    gb_moduledata_text(b, g->vaddr + base + off,
						       text)) {
					free(buf);
					return true;
				}
		}
	}
	free(buf);
	return false;
}

static void gb_find_text_start(struct lutgen_gobin *b)
{
	const struct gb_sect *s;
	struct gb_sym sym;
	uint64_t v;
	int which;

	if (b->layout < 118) {
		b->info.text_start_source = "not needed";
		return;
	}
	if (gb_sym_find(b, "runtime.text", &sym, &which)) {
		b->info.text_start = sym.value;
		b->info.text_start_source = "runtime.text symbol";
		return;
	}
	/* go1.18..go1.25 keep it in the header (go1.26 leaves it 0). */
	if (gb_read_ptr(b, b->pcln_addr + 8 + 2 * b->ps, b->ps, &v) == 0 &&
	    v != 0) {
		b->info.text_start = v;
		b->info.text_start_source = "pclntab header";
		return;
	}
	if (gb_find_moduledata_text(b, &v)) {
		b->info.text_start = v;
		b->info.text_start_source = "moduledata";
		return;
	}
	s = gb_section(b, ".text");
	if (s) {
		b->info.text_start = s->addr;
		b->info.text_start_source = ".text section";
		return;
	}
	b->info.text_start = 0;
	b->info.text_start_source = "unknown (addresses are offsets)";
}

static int gb_open_pclntab(struct lutgen_gobin *b)
{
	static const char *const names[] = { ".gopclntab",
					     ".data.rel.ro.gopclntab" };
	struct gb_sym sym;
	uint64_t off, avail;
	size_t i;
	int rc, which;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct gb_sect *s = gb_section(b, names[i]);

		if (!s || s->type == GB_SHT_NOBITS)
			continue;
		rc = gb_region_load(b, s->offset, s->size, &b->pcln_region);
		if (rc == -ENOMEM)
			return rc;
		if (rc == 0 && gb_pcln_try(b, b->pcln_region.p,
					   b->pcln_region.size, s->addr) == 0) {
			b->info.pclntab_found_by = "section";
			goto found;
		}
		gb_region_free(&b->pcln_region);
	}
	if (gb_sym_find(b, "runtime.pclntab", &sym, &which) &&
	    gb_vaddr_file(b, sym.value, &off, &avail) == 0) {
		rc = gb_region_load(b, off, avail, &b->pcln_region);
		if (rc == -ENOMEM)
			return rc;
		if (rc == 0 && gb_pcln_try(b, b->pcln_region.p,
					   b->pcln_region.size, sym.value) == 0) {
			b->info.pclntab_found_by = "symbol";
			goto found;
		}
		gb_region_free(&b->pcln_region);
	}
	rc = gb_pcln_scan(b);
	if (rc)
		return rc == -ENOMEM ? rc : 0;
	b->info.pclntab_found_by = "scan";
found:
	b->info.pclntab_layout = b->layout;
	b->info.pclntab_addr = b->pcln_addr;
	b->info.nfuncs = (size_t)b->nfunc;
	gb_find_text_start(b);
	return 0;
}

/* ---- Go build information ---- */

static size_t gb_uvarint(const uint8_t *p, size_t avail, uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0;
	size_t i;

	for (i = 0; i < avail && i < 10; i++) {
		if (shift == 63 && p[i] > 1)
			return 0;
		v |= (uint64_t)(p[i] & 0x7f) << shift;
		if (!(p[i] & 0x80)) {
			*out = v;
			return i + 1;
		}
		shift += 7;
	}
	return 0;
}

static int gb_set_version(struct lutgen_gobin *b, const char *s, size_t n)
{
	if (n == 0 || n > LUTGEN_GOBIN_MAX_VERSION || memchr(s, '\0', n))
		return -ENOENT;
	b->info.go_version_raw = gb_strndup(b, s, n);
	return b->info.go_version_raw ? 0 : -ENOMEM;
}

/* Keep the module information with cmd/go's 16-byte framing removed (as
 * debug/buildinfo does: none unless it looks framed). */
static int gb_set_modinfo(struct lutgen_gobin *b, const char *s, size_t n)
{
	free(b->modinfo);
	free(b->modinfo_raw);
	b->modinfo = b->modinfo_raw = NULL;
	if (n >= 33 && s[n - 17] == '\n') {
		s += 16;
		n -= 32;
	} else {
		n = 0;
	}
	b->modinfo = (char *)malloc(n + 1);
	b->modinfo_raw = (char *)malloc(n + 1);
	if (!b->modinfo || !b->modinfo_raw)
		return -ENOMEM;
	memcpy(b->modinfo, s, n);
	b->modinfo[n] = '\0';
	memcpy(b->modinfo_raw, b->modinfo, n + 1);
	return 0;
}

/* Read a Go string header (ptr, len) at vaddr into a new heap buffer. */
static int gb_read_gostring(struct lutgen_gobin *b, uint64_t vaddr,
			    uint64_t max, char **out, size_t *len)
{
	uint64_t ptr, n;
	char *s;

	if (gb_read_ptr(b, vaddr, b->info.ptr_size, &ptr) != 0 ||
	    gb_read_ptr(b, vaddr + b->info.ptr_size, b->info.ptr_size, &n) != 0)
		return -ENOENT;
	if (n == 0 || n > max)
		return -ENOENT;
	s = (char *)malloc((size_t)n);
	if (!s)
		return -ENOMEM;
	if (gb_vread(b, ptr, s, (size_t)n) != 0) {
		free(s);
		return -ENOENT;
	}
	*out = s;
	*len = (size_t)n;
	return 0;
}

/* Decode the blob whose 32-byte header is at file offset off (vaddr va),
 * with `avail` file bytes from there to the end of its section/segment. */
static int gb_bi_decode(struct lutgen_gobin *b, uint64_t off, uint64_t avail,
			uint64_t va)
{
	uint8_t h[GB_BI_HEADER + 10];
	uint64_t len, pos;
	size_t k, n;
	char *s;
	int rc;

	if (avail < GB_BI_HEADER)
		return -ENOENT;
	n = avail < sizeof(h) ? (size_t)avail : sizeof(h);
	if (gb_pread(b, off, h, n) != 0)
		return -ENOENT;
	if (h[15] & 2) {
		/* go1.18+: two uvarint-prefixed strings after the header */
		b->info.buildinfo_inline = true;
		k = gb_uvarint(h + GB_BI_HEADER, n - GB_BI_HEADER, &len);
		if (!k || len > LUTGEN_GOBIN_MAX_VERSION ||
		    len > avail - GB_BI_HEADER - k)
			return -ENOENT;
		pos = GB_BI_HEADER + k;
		s = (char *)malloc((size_t)len + 10);
		if (!s)
			return -ENOMEM;
		n = avail - pos - len < 10 ? (size_t)(avail - pos - len) : 10;
		if (gb_pread(b, off + pos, s, (size_t)len + n) != 0) {
			free(s);
			return -ENOENT;
		}
		rc = gb_set_version(b, s, (size_t)len);
		if (rc) {
			free(s);
			return rc;
		}
		pos += len;
		k = gb_uvarint((const uint8_t *)s + len, n, &len);
		free(s);
		if (!k || len > avail - pos - k)
			return 0; /* the version is enough */
		pos += k;
		if (len > LUTGEN_GOBIN_MAX_MODINFO + 32) {
			b->info.modinfo_truncated = true;
			return gb_set_modinfo(b, "", 0);
		}
		s = (char *)malloc((size_t)len + 1);
		if (!s)
			return -ENOMEM;
		rc = gb_pread(b, off + pos, s, (size_t)len);
		if (rc == 0)
			rc = gb_set_modinfo(b, s, (size_t)len);
		free(s);
		return rc == -ENOMEM ? rc : 0;
	}
	/* before go1.18: pointers to two Go strings */
	{
		unsigned ps = h[14];
		uint64_t vptr, mptr;

		if (ps != b->info.ptr_size)
			return -ENOENT;
		/* The header's own words may be relocated (PIE). */
		if (gb_read_ptr(b, va + 16, ps, &vptr) != 0)
			vptr = gb_word(b, h + 16, ps);
		if (gb_read_ptr(b, va + 16 + ps, ps, &mptr) != 0)
			mptr = gb_word(b, h + 16 + ps, ps);
		b->info.buildinfo_inline = false;
		rc = gb_read_gostring(b, vptr, LUTGEN_GOBIN_MAX_VERSION, &s, &k);
		if (rc)
			return rc;
		rc = gb_set_version(b, s, k);
		free(s);
		if (rc)
			return rc;
		rc = gb_read_gostring(b, mptr, LUTGEN_GOBIN_MAX_MODINFO + 32,
				      &s, &k);
		if (rc == -ENOMEM)
			return rc;
		if (rc == 0) {
			rc = gb_set_modinfo(b, s, k);
			free(s);
			return rc;
		}
		return 0;
	}
}

/* Find the 16-byte aligned magic in file bytes [off, off+size) at vaddr
 * va and decode it. */
static int gb_bi_search(struct lutgen_gobin *b, uint64_t off, uint64_t size,
			uint64_t va)
{
	uint8_t *buf;
	uint64_t base, lim = size < GB_MAX_SCAN ? size : GB_MAX_SCAN;
	int rc = -ENOENT;

	buf = (uint8_t *)malloc(GB_CHUNK + GB_BI_MAGIC_LEN);
	if (!buf)
		return -ENOMEM;
	for (base = 0; base < lim; base += GB_CHUNK) {
		uint64_t n = lim - base < GB_CHUNK + GB_BI_MAGIC_LEN
				     ? lim - base
				     : GB_CHUNK + GB_BI_MAGIC_LEN;
		uint64_t i = (GB_BI_ALIGN - (va + base) % GB_BI_ALIGN) %
			     GB_BI_ALIGN;

		if (gb_pread(b, off + base, buf, (size_t)n) != 0)
			break;
		for (; i < GB_CHUNK && i + GB_BI_MAGIC_LEN <= n; i += GB_BI_ALIGN)
			if (memcmp(buf + i, GB_BI_MAGIC, GB_BI_MAGIC_LEN) == 0) {
				free(buf);
				return gb_bi_decode(b, off + base + i,
						    size - base - i,
						    va + base + i);
			}
	}
	free(buf);
	return rc;
}

static int gb_bi_from_symbol(struct lutgen_gobin *b)
{
	struct gb_sym sym;
	char *s;
	size_t n;
	int rc, which;

	if (!gb_sym_find(b, "runtime.buildVersion", &sym, &which))
		return -ENOENT;
	rc = gb_read_gostring(b, sym.value, LUTGEN_GOBIN_MAX_VERSION, &s, &n);
	if (rc)
		return rc;
	rc = gb_set_version(b, s, n);
	free(s);
	if (rc)
		return rc;
	/* Before go1.13 the module information lived in runtime.modinfo. */
	if (gb_sym_find(b, "runtime.modinfo", &sym, &which) &&
	    gb_read_gostring(b, sym.value, LUTGEN_GOBIN_MAX_MODINFO + 32, &s,
			     &n) == 0) {
		rc = gb_set_modinfo(b, s, n);
		free(s);
	}
	return rc;
}

static int gb_read_buildinfo(struct lutgen_gobin *b)
{
	const struct gb_sect *s = gb_section(b, ".go.buildinfo");
	size_t i;
	int rc = -ENOENT;

	if (s && s->type != GB_SHT_NOBITS) {
		uint64_t size = s->offset > b->size ? 0
			: s->size < b->size - s->offset ? s->size
							 : b->size - s->offset;

		b->info.buildinfo_source = LUTGEN_GOBIN_BI_SECTION;
		rc = gb_bi_search(b, s->offset, size, s->addr);
	}
	/* Without section headers: the writable, non-executable PT_LOADs in
	 * order (PIE puts the RELRO segment first). */
	for (i = 0; !s && rc == -ENOENT && i < b->nsegs; i++) {
		const struct gb_seg *g = &b->segs[i];

		if (g->type != GB_PT_LOAD || !(g->flags & GB_PF_W) ||
		    (g->flags & GB_PF_X))
			continue;
		b->info.buildinfo_source = LUTGEN_GOBIN_BI_SEGMENT;
		rc = gb_bi_search(b, g->offset, g->filesz, g->vaddr);
	}
	if (rc == -ENOENT) {
		b->info.buildinfo_source = LUTGEN_GOBIN_BI_SYMBOL;
		rc = gb_bi_from_symbol(b);
	}
	if (rc) {
		b->info.buildinfo_source = LUTGEN_GOBIN_BI_NONE;
		b->info.go_version_raw = NULL;
		b->info.buildinfo_inline = false;
	}
	return rc == -ENOMEM ? rc : 0;
}

/* ---- module information (runtime/debug.ParseBuildInfo) ---- */

static int gb_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t gb_put_utf8(char *o, uint32_t r)
{
	if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff))
		r = 0xfffd;
	if (r < 0x80) {
		o[0] = (char)r;
		return 1;
	}
	if (r < 0x800) {
		o[0] = (char)(0xc0 | r >> 6);
		o[1] = (char)(0x80 | (r & 0x3f));
		return 2;
	}
	if (r < 0x10000) {
		o[0] = (char)(0xe0 | r >> 12);
		o[1] = (char)(0x80 | ((r >> 6) & 0x3f));
		o[2] = (char)(0x80 | (r & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | r >> 18);
	o[1] = (char)(0x80 | ((r >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((r >> 6) & 0x3f));
	o[3] = (char)(0x80 | (r & 0x3f));
	return 4;
}

/* strconv.Unquote of s[0..n) in place ("..." with Go escapes, or `...`);
 * returns the new length, or (size_t)-1 when it is not a valid quote.
 * The result is never longer than the input. */
static size_t gb_unquote(char *s, size_t n)
{
	size_t i, o = 0;

	if (n < 2 || s[0] != s[n - 1] || (s[0] != '"' && s[0] != '`'))
		return (size_t)-1;
	if (s[0] == '`') {
		for (i = 1; i + 1 < n; i++) {
			if (s[i] == '`')
				return (size_t)-1;
			if (s[i] != '\r')
				s[o++] = s[i];
		}
		return o;
	}
	for (i = 1; i + 1 < n;) {
		char c = s[i];
		uint32_t r = 0;
		int digits = 0, k;

		if (c == '"' || c == '\n')
			return (size_t)-1;
		if (c != '\\') {
			s[o++] = c;
			i++;
			continue;
		}
		if (i + 2 >= n)
			return (size_t)-1;
		c = s[i + 1];
		i += 2;
		switch (c) {
		case 'a': s[o++] = '\a'; continue;
		case 'b': s[o++] = '\b'; continue;
		case 'f': s[o++] = '\f'; continue;
		case 'n': s[o++] = '\n'; continue;
		case 'r': s[o++] = '\r'; continue;
		case 't': s[o++] = '\t'; continue;
		case 'v': s[o++] = '\v'; continue;
		case '\\': s[o++] = '\\'; continue;
		case '"': s[o++] = '"'; continue;
		case 'x': digits = 2; break;
		case 'u': digits = 4; break;
		case 'U': digits = 8; break;
		default:
			if (c < '0' || c > '7' || i + 2 > n - 1)
				return (size_t)-1;
			for (k = 0; k < 3; k++) {
				char d = k == 0 ? c : s[i + (size_t)k - 1];

				if (d < '0' || d > '7')
					return (size_t)-1;
				r = r * 8 + (uint32_t)(d - '0');
			}
			if (r > 255)
				return (size_t)-1;
			i += 2;
			s[o++] = (char)r;
			continue;
		}
		if (i + (size_t)digits > n - 1)
			return (size_t)-1;
		for (k = 0; k < digits; k++) {
			int h = gb_hex((unsigned char)s[i + (size_t)k]);

			if (h < 0)
				return (size_t)-1;
			r = r << 4 | (uint32_t)h;
		}
		i += (size_t)digits;
		if (digits == 2)
			s[o++] = (char)r;
		else
			o += gb_put_utf8(s + o, r);
	}
	return o;
}

/* Split line [l, l+n) at tabs into at most max fields (NUL-terminating
 * them in place); returns the number of fields or max+1 when more. */
static size_t gb_split_tabs(char *l, size_t n, char **f, size_t max)
{
	size_t k = 0, i, start = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && l[i] != '\t')
			continue;
		if (k == max)
			return max + 1;
		f[k++] = l + start;
		if (i < n)
			l[i] = '\0';
		start = i + 1;
	}
	return k;
}

static void gb_module_set(struct lutgen_gobin_module *m, char **f, size_t k)
{
	m->path = f[0];
	m->version = f[1];
	m->sum = k == 3 ? f[2] : "";
	m->replace = NULL;
	m->local = false;
}

/* A replacement path naming a directory (golang.org/x/mod's
 * modfile.IsDirectoryPath): "./x", "../x", "/x", "." and "..", and their
 * Windows spellings. */
static bool gb_is_dir_path(const char *p)
{
	return strcmp(p, ".") == 0 || strcmp(p, "..") == 0 ||
	       strncmp(p, "./", 2) == 0 || strncmp(p, "../", 3) == 0 ||
	       strncmp(p, ".\\", 2) == 0 || strncmp(p, "..\\", 3) == 0 ||
	       p[0] == '/' || p[0] == '\\' ||
	       (((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z')) &&
		p[1] == ':' && (p[2] == '\\' || p[2] == '/'));
}

/* A build line's "key=value" (either may be quoted) into out, in place. */
static bool gb_parse_setting(char *kv, struct lutgen_gobin_setting *out)
{
	char *val, *c;
	size_t q;

	if (kv[0] == '"' || kv[0] == '`') {
		/* A quoted key ends at its closing quote. */
		for (c = kv + 1; *c && *c != kv[0]; c++)
			if (*c == '\\' && kv[0] == '"' && c[1])
				c++;
		if (!*c || c[1] != '=')
			return false;
		q = gb_unquote(kv, (size_t)(c + 1 - kv));
		if (q == (size_t)-1)
			return false;
		kv[q] = '\0';
		val = c + 2;
	} else {
		c = strchr(kv, '=');
		if (!c || c == kv)
			return false;
		*c = '\0';
		val = c + 1;
	}
	if (val[0] == '"' || val[0] == '`') {
		q = gb_unquote(val, strlen(val));
		if (q != (size_t)-1)
			val[q] = '\0';
	}
	out->key = kv;
	out->value = val;
	return true;
}

/* Parse b->modinfo in place (lines are NUL-terminated as they are read):
 * path, mod, dep, "=>" (replaces the module of the line before) and
 * build lines; anything else is ignored, as Go does. */
static int gb_parse_modinfo(struct lutgen_gobin *b)
{
	char *p = b->modinfo, *end, *f[4];
	size_t nmods, top = 1, nset = 0, cap_set = 0, k;
	struct lutgen_gobin_module *last = NULL;
	bool have_main = false;

	if (!p || !*p)
		return 0;
	end = p + strlen(p);
	/* Count first, so that the arrays are allocated once. */
	for (; p < end; p++) {
		if (p != b->modinfo && p[-1] != '\n')
			continue;
		if (strncmp(p, "dep\t", 4) == 0 || strncmp(p, "=>\t", 3) == 0)
			top++;
		else if (strncmp(p, "build\t", 6) == 0)
			cap_set++;
	}
	if (top > 2 * (size_t)LUTGEN_GOBIN_MAX_MODULES + 1)
		top = 2 * (size_t)LUTGEN_GOBIN_MAX_MODULES + 1;
	if (cap_set > LUTGEN_GOBIN_MAX_SETTINGS)
		cap_set = LUTGEN_GOBIN_MAX_SETTINGS;
	/* [0] the main module, dependencies upwards from [1], replacements
	 * downwards from [top]. */
	b->mods = (struct lutgen_gobin_module *)calloc(top + 1,
							 sizeof(*b->mods));
	b->settings = (struct lutgen_gobin_setting *)calloc(
		cap_set ? cap_set : 1, sizeof(*b->settings));
	if (!b->mods || !b->settings)
		return -ENOMEM;
	nmods = 1;
	for (p = b->modinfo; p < end;) {
		char *nl = (char *)memchr(p, '\n', (size_t)(end - p));
		size_t n;

		if (!nl)
			break; /* an unterminated last line: Go drops it */
		n = (size_t)(nl - p);
		*nl = '\0';
		if (strncmp(p, "path\t", 5) == 0) {
			b->info.path = p + 5;
		} else if (strncmp(p, "mod\t", 4) == 0) {
			k = gb_split_tabs(p + 4, n - 4, f, 3);
			last = NULL;
			if (k == 2 || k == 3) {
				gb_module_set(&b->mods[0], f, k);
				have_main = true;
				last = &b->mods[0];
			}
		} else if (strncmp(p, "dep\t", 4) == 0) {
			k = gb_split_tabs(p + 4, n - 4, f, 3);
			last = NULL;
			if ((k == 2 || k == 3) && nmods <= top &&
			    b->info.ndeps < LUTGEN_GOBIN_MAX_MODULES) {
				last = &b->mods[nmods++];
				gb_module_set(last, f, k);
				b->info.ndeps++;
			} else if (k == 2 || k == 3) {
				b->info.modinfo_truncated = true;
			}
		} else if (strncmp(p, "=>\t", 3) == 0) {
			k = gb_split_tabs(p + 3, n - 3, f, 3);
			if (k == 3 && last && top >= nmods) {
				struct lutgen_gobin_module *r = &b->mods[top--];

				gb_module_set(r, f, k);
				r->local = gb_is_dir_path(r->path);
				last->replace = r;
			}
			last = NULL;
		} else if (strncmp(p, "build\t", 6) == 0) {
			if (nset >= cap_set)
				b->info.modinfo_truncated = true;
			else if (gb_parse_setting(p + 6, &b->settings[nset]))
				nset++;
		}
		p = nl + 1;
	}
	b->info.nsettings = nset;
	b->info.settings = b->settings;
	b->info.deps = b->mods + 1;
	if (have_main)
		b->info.main_module = &b->mods[0];
	return 0;
}

/* "go1.20.7 X:boringcrypto" -> go_version "go1.20.7", experiments. */
static int gb_parse_version(struct lutgen_gobin *b)
{
	const char *raw = b->info.go_version_raw, *p, *w;
	size_t nexp = 0, n;
	char *copy;

	if (!raw)
		return 0;
	copy = gb_strndup(b, raw, strlen(raw));
	if (!copy)
		return -ENOMEM;
	for (p = raw; *p; p++)
		if (*p == ',' || *p == ' ')
			nexp++;
	b->experiments = (const char **)calloc(nexp + 1, sizeof(char *));
	if (!b->experiments)
		return -ENOMEM;
	nexp = 0;
	/* Words separated by blanks; "devel" precedes a development
	 * version's word. */
	w = NULL;
	for (p = copy; *p;) {
		char *word;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		n = strcspn(p, " ");
		word = (char *)p;
		p += n;
		if (*p)
			*(char *)p++ = '\0';
		if (!w && strcmp(word, "devel") != 0) {
			w = word;
		} else if (strncmp(word, "X:", 2) == 0) {
			char *e = word + 2;

			while (*e) {
				size_t m = strcspn(e, ",");

				if (m) {
					b->experiments[nexp++] = e;
				}
				if (e[m] == ',')
					e[m++] = '\0';
				e += m;
			}
		}
	}
	b->info.go_version = w ? w : copy;
	b->info.nexperiments = nexp;
	b->info.experiments = b->experiments;
	b->info.version_ok =
		lutgen_go_version_parse(b->info.go_version, &b->info.version) ==
		LUTGEN_OK;
	return 0;
}

static void gb_derive(struct lutgen_gobin *b)
{
	static const struct {
		const char *arch, *key;
	} levels[] = {
		{ "amd64", "GOAMD64" },   { "arm64", "GOARM64" },
		{ "arm", "GOARM" },       { "386", "GO386" },
		{ "mips", "GOMIPS" },     { "mipsle", "GOMIPS" },
		{ "mips64", "GOMIPS64" }, { "mips64le", "GOMIPS64" },
		{ "ppc64", "GOPPC64" },   { "ppc64le", "GOPPC64" },
		{ "riscv64", "GORISCV64" },
	};
	struct lutgen_gobin_info *in = &b->info;
	const char *v;
	size_t i;

	v = lutgen_gobin_setting(b, "-buildmode");
	if (v) {
		in->buildmode = v;
	} else {
		in->buildmode_derived = true;
		in->buildmode = in->kind == LUTGEN_GOBIN_EXECUTABLE ? "exe"
				: in->kind == LUTGEN_GOBIN_PIE     ? "pie"
				: in->kind == LUTGEN_GOBIN_SHARED  ? "c-shared"
								   : "unknown";
	}
	/* Older binaries: the C parts of runtime/cgo and of the race
	 * runtime show in .symtab (not in .dynsym). */
	v = lutgen_gobin_setting(b, "CGO_ENABLED");
	if (v)
		in->cgo = strcmp(v, "1") == 0;
	else if (in->has_symtab)
		in->cgo = gb_sym_prefix(b, "_cgo_init") ||
			  gb_sym_prefix(b, "x_cgo_init");
	else
		in->cgo = -1;
	v = lutgen_gobin_setting(b, "-race");
	if (v)
		in->race = strcmp(v, "true") == 0;
	else if (in->nsettings)
		in->race = 0; /* go1.18+ writes -race=true when set */
	else if (in->has_symtab)
		in->race = gb_sym_prefix(b, "__tsan_");
	else
		in->race = -1;
	v = lutgen_gobin_setting(b, "-trimpath");
	if (v)
		in->trimpath = strcmp(v, "true") == 0;
	else
		in->trimpath = in->nsettings ? 0 : -1;
	for (i = 0; in->goarch && i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcmp(levels[i].arch, in->goarch) == 0) {
			in->goarch_level_key = levels[i].key;
			in->goarch_level = lutgen_gobin_setting(b, levels[i].key);
			break;
		}
}

/* gccgo binaries have no gc build information; say so when they are
 * recognisable. */
static void gb_check_gccgo(struct lutgen_gobin *b)
{
	const char *why = NULL;
	uint8_t *buf;
	size_t i;

	if (gb_section(b, ".go_export"))
		why = "has a .go_export section";
	for (i = 0; !why && i < b->info.nneeded &&
		    i < LUTGEN_GOBIN_MAX_NEEDED;
	     i++)
		if (strncmp(b->needed[i], "libgo.so", 8) == 0)
			why = "links libgo.so";
	if (!why && gb_sym_prefix(b, "__go_"))
		why = "has __go_ symbols";
	/* Costly on a large non-Go binary: only when the caller asked. */
	if (!why && (b->flags & LUTGEN_GOBIN_REQUIRE_GO) &&
	    (buf = (uint8_t *)malloc(GB_CHUNK + 16)) != NULL) {
		/* runtime.Version() of gccgo: "go1.18 gccgo (...)" in rodata. */
		for (i = 0; !why && i < b->nsegs; i++) {
			const struct gb_seg *g = &b->segs[i];
			uint64_t base, lim;

			if (g->type != GB_PT_LOAD || (g->flags & (GB_PF_W | GB_PF_X)))
				continue;
			lim = g->filesz < GB_MAX_SCAN ? g->filesz : GB_MAX_SCAN;
			for (base = 0; !why && base < lim; base += GB_CHUNK) {
				uint64_t n = lim - base < GB_CHUNK + 16
						     ? lim - base
						     : GB_CHUNK + 16;

				if (gb_pread(b, g->offset + base, buf, (size_t)n) != 0)
					break;
				if (gb_memmem(buf, (size_t)n, " gccgo (", 8))
					why = "carries a gccgo version string";
			}
		}
		free(buf);
	}
	b->info.gccgo = why != NULL;
	b->info.gccgo_why = why;
}

/* ---- opening ---- */

static int gb_new(const char *name, const struct lutgen_gobin_opts *opts,
		  struct lutgen_gobin **out, struct lutgen_gobin_err *err)
{
	struct lutgen_gobin *b;
	long ps = sysconf(_SC_PAGESIZE);

	b = (struct lutgen_gobin *)calloc(1, sizeof(*b));
	if (!b)
		return gb_fail(err, -ENOMEM, "out of memory");
	b->fd = -1;
	b->flags = opts ? opts->flags : 0;
	b->pagesize = ps > 0 ? (uint64_t)ps : 4096;
	b->info.name = gb_strndup(b, name ? name : "(memory)",
				  strlen(name ? name : "(memory)"));
	if (!b->info.name) {
		free(b);
		return gb_fail(err, -ENOMEM, "out of memory");
	}
	*out = b;
	return 0;
}

/* Everything after the file is reachable (b->fd or b->mem, b->size). */
static int gb_load(struct lutgen_gobin *b, struct lutgen_gobin_err *err)
{
	const char *name = b->info.name;
	int rc;

	b->info.file_size = b->size;
	rc = gb_parse_elf(b, err);
	if (rc)
		return rc;
	if (!(b->flags & LUTGEN_GOBIN_NO_SYMBOLS)) {
		rc = gb_load_symtab(b, GB_SHT_SYMTAB, &b->symtab, &b->strtab,
				    &b->nsyms);
		if (rc == 0)
			rc = gb_load_symtab(b, GB_SHT_DYNSYM, &b->dynsym,
					    &b->dynstr, &b->ndynsyms);
		if (rc)
			return gb_fail(err, rc, "%s: out of memory", name);
		b->info.has_symtab = b->nsyms > 1;
	}
	rc = gb_read_buildinfo(b);
	if (rc == 0 && b->info.go_version_raw)
		rc = gb_parse_version(b);
	if (rc == 0 && b->modinfo)
		rc = gb_parse_modinfo(b);
	if (rc)
		return gb_fail(err, rc, "%s: out of memory", name);
	b->info.modinfo = b->modinfo_raw ? b->modinfo_raw : "";
	if (!b->info.go_version_raw)
		gb_check_gccgo(b);
	if (b->flags & LUTGEN_GOBIN_REQUIRE_GO) {
		if (b->info.truncated && !b->info.go_version_raw)
			return gb_fail(err, -ENOEXEC,
				       "%s: truncated ELF file (its headers describe %llu bytes, the file has %llu)",
				       name,
				       (unsigned long long)b->info.described_size,
				       (unsigned long long)b->size);
		if (b->info.gccgo)
			return gb_fail(err, -ENOTSUP,
				       "%s: built with gccgo (%s): not supported; only binaries of the gc Go toolchain carry the build information read here",
				       name, b->info.gccgo_why);
		if (!b->info.go_version_raw)
			return gb_fail(err, -ENODATA,
				       "%s: not a Go binary: no Go build information (no .go.buildinfo section, no \"\\xff Go buildinf:\" in a data segment, no runtime.buildVersion symbol)",
				       name);
	}
	if (!(b->flags & LUTGEN_GOBIN_NO_SYMBOLS)) {
		rc = gb_open_pclntab(b);
		if (rc)
			return gb_fail(err, rc, "%s: out of memory", name);
	}
	gb_derive(b);
	/* Relocations are only needed while opening. */
	gb_region_free(&b->rela);
	b->nrela = 0;
	return 0;
}

static const char *gb_file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "not a regular file";
}

/* Take fd (owned by b from now on) after checking what it is. */
static int gb_attach_fd(struct lutgen_gobin *b, int fd,
			struct lutgen_gobin_err *err)
{
	struct stat st;

	b->fd = fd;
	if (fstat(fd, &st) != 0)
		return gb_fail(err, -errno, "stat %s: %s", b->info.name,
			       gb_errno_text(errno));
	if (S_ISDIR(st.st_mode))
		return gb_fail(err, -EISDIR, "%s: is a directory, not an ELF file",
			       b->info.name);
	if (!S_ISREG(st.st_mode))
		return gb_fail(err, -EINVAL,
			       "%s: not a regular file (%s); give the path of an ELF binary",
			       b->info.name, gb_file_kind(st.st_mode));
	if (st.st_size < 0)
		return gb_fail(err, -EINVAL, "%s: negative size", b->info.name);
	b->size = (uint64_t)st.st_size;
	return 0;
}

int lutgen_gobin_open(const char *path, const struct lutgen_gobin_opts *opts,
		      struct lutgen_gobin **out, struct lutgen_gobin_err *err)
{
	struct lutgen_gobin *b = NULL;
	int fd, rc;

	if (!path || !out)
		return gb_fail(err, -EINVAL, "lutgen_gobin_open: NULL argument");
	*out = NULL;
	rc = gb_new(path, opts, &b, err);
	if (rc)
		return rc;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	do
		fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		rc = gb_fail(err, -errno, "open %s: %s", path,
			     gb_errno_text(errno));
		lutgen_gobin_free(b);
		return rc;
	}
	rc = gb_attach_fd(b, fd, err);
	if (rc == 0)
		rc = gb_load(b, err);
	if (rc) {
		lutgen_gobin_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

int lutgen_gobin_open_fd(int fd, const char *name,
			 const struct lutgen_gobin_opts *opts,
			 struct lutgen_gobin **out, struct lutgen_gobin_err *err)
{
	struct lutgen_gobin *b = NULL;
	char fdname[32];
	int dup_fd, rc;

	if (!out || fd < 0)
		return gb_fail(err, -EINVAL, "lutgen_gobin_open_fd: bad argument");
	*out = NULL;
	if (!name) {
		snprintf(fdname, sizeof(fdname), "fd %d", fd);
		name = fdname;
	}
	rc = gb_new(name, opts, &b, err);
	if (rc)
		return rc;
	dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup_fd < 0) {
		rc = gb_fail(err, -errno, "%s: %s", name, gb_errno_text(errno));
		lutgen_gobin_free(b);
		return rc;
	}
	rc = gb_attach_fd(b, dup_fd, err);
	if (rc == 0)
		rc = gb_load(b, err);
	if (rc) {
		lutgen_gobin_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

int lutgen_gobin_open_mem(const void *data, size_t size, const char *name,
			  const struct lutgen_gobin_opts *opts,
			  struct lutgen_gobin **out, struct lutgen_gobin_err *err)
{
	struct lutgen_gobin *b = NULL;
	int rc;

	if (!out || (!data && size))
		return gb_fail(err, -EINVAL, "lutgen_gobin_open_mem: bad argument");
	*out = NULL;
	rc = gb_new(name, opts, &b, err);
	if (rc)
		return rc;
	b->mem = data ? (const uint8_t *)data : (const uint8_t *)"";
	b->size = size;
	rc = gb_load(b, err);
	if (rc) {
		lutgen_gobin_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

int lutgen_gobin_open_pid(int pid, const struct lutgen_gobin_opts *opts,
			  struct lutgen_gobin **out, struct lutgen_gobin_err *err)
{
	char path[64], dir[64];
	struct stat st;
	int rc;

	if (!out || pid <= 0)
		return gb_fail(err, -EINVAL, "lutgen_gobin_open_pid: bad pid %d",
			       pid);
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	snprintf(dir, sizeof(dir), "/proc/%d", pid);
	rc = lutgen_gobin_open(path, opts, out, err);
	if (rc == -ENOENT && stat(dir, &st) != 0)
		return gb_fail(err, -ESRCH, "process %d: no such process", pid);
	if (rc == -ENOENT)
		return gb_fail(err, -ENOENT,
			       "process %d: no executable (%s is gone: a kernel thread, or the process is exiting)",
			       pid, path);
	if (rc == -EACCES || rc == -EPERM)
		return gb_fail(err, rc,
			       "%s: permission denied (reading another user's process needs ptrace access, e.g. CAP_SYS_PTRACE)",
			       path);
	return rc;
}

void lutgen_gobin_free(struct lutgen_gobin *b)
{
	struct gb_chunk *c, *next;

	if (!b)
		return;
	gb_region_free(&b->pcln_region);
	gb_region_free(&b->symtab);
	gb_region_free(&b->strtab);
	gb_region_free(&b->dynsym);
	gb_region_free(&b->dynstr);
	gb_region_free(&b->rela);
	if (b->fd >= 0)
		close(b->fd);
	free(b->segs);
	free(b->sects);
	free(b->shstr);
	free(b->modinfo);
	free(b->modinfo_raw);
	free(b->mods);
	free(b->settings);
	free((void *)b->experiments);
	free((void *)b->needed);
	for (c = b->arena; c; c = next) {
		next = c->next;
		free(c);
	}
	free(b);
}

const struct lutgen_gobin_info *lutgen_gobin_info(const struct lutgen_gobin *b)
{
	return b ? &b->info : NULL;
}

/* ---- queries ---- */

const char *lutgen_gobin_setting(const struct lutgen_gobin *b,
				 const char *key)
{
	size_t i;

	if (!b || !key)
		return NULL;
	for (i = 0; i < b->info.nsettings; i++)
		if (strcmp(b->info.settings[i].key, key) == 0)
			return b->info.settings[i].value;
	return NULL;
}

const struct lutgen_gobin_module *
lutgen_gobin_module_find(const struct lutgen_gobin *b, const char *path)
{
	size_t i;

	if (!b || !path)
		return NULL;
	if (b->info.main_module && strcmp(b->info.main_module->path, path) == 0)
		return b->info.main_module;
	for (i = 0; i < b->info.ndeps; i++)
		if (strcmp(b->info.deps[i].path, path) == 0)
			return &b->info.deps[i];
	return NULL;
}

int lutgen_gobin_module_version(const struct lutgen_gobin *b,
				const char *path, char *buf, size_t size)
{
	const struct lutgen_gobin_module *m;
	const char *v;
	size_t n;
	int rc = 0;

	if (!b || !path || !buf || size == 0)
		return -EINVAL;
	buf[0] = '\0';
	m = lutgen_gobin_module_find(b, path);
	if (!m)
		return -ENOENT;
	if (m->replace) {
		m = m->replace;
		if (!m->local && strcmp(m->path, path) != 0)
			rc = LUTGEN_GOBIN_FORK;
	}
	v = m->version;
	if (m->local) {
		v = "";
		rc = LUTGEN_GOBIN_LOCAL;
	} else if (!v[0] || strcmp(v, "(devel)") == 0) {
		rc = LUTGEN_GOBIN_DEVEL;
	}
	n = strlen(v);
	if (n >= size) {
		memcpy(buf, v, size - 1);
		buf[size - 1] = '\0';
		return -ERANGE;
	}
	memcpy(buf, v, n + 1);
	return rc;
}

int lutgen_gobin_vaddr_to_offset(const struct lutgen_gobin *b, uint64_t vaddr,
				 uint64_t *offset)
{
	size_t i;

	if (!b || !offset)
		return -EINVAL;
	for (i = 0; i < b->nsegs; i++) {
		const struct gb_seg *s = &b->segs[i];

		if (s->type != GB_PT_LOAD || vaddr < s->vaddr ||
		    vaddr - s->vaddr >= s->filesz)
			continue;
		*offset = s->offset + (vaddr - s->vaddr);
		return 0;
	}
	return -ENOENT;
}

int lutgen_gobin_offset_to_vaddr(const struct lutgen_gobin *b, uint64_t offset,
				 uint64_t *vaddr)
{
	size_t i;

	if (!b || !vaddr)
		return -EINVAL;
	for (i = 0; i < b->nsegs; i++) {
		const struct gb_seg *s = &b->segs[i];

		if (s->type != GB_PT_LOAD || offset < s->offset ||
		    offset - s->offset >= s->filesz)
			continue;
		*vaddr = s->vaddr + (offset - s->offset);
		return 0;
	}
	return -ENOENT;
}

int lutgen_gobin_read(const struct lutgen_gobin *b, uint64_t vaddr, void *buf,
		      size_t size)
{
	int rc;

	if (!b || (!buf && size))
		return -EINVAL;
	rc = gb_vread(b, vaddr, buf, size);
	return rc == -ENODATA ? -EIO : rc;
}

static void gb_func_fill(const struct lutgen_gobin *b,
			 struct lutgen_gobin_func *out, const char *name,
			 uint64_t addr, uint64_t size,
			 enum lutgen_gobin_symsrc src)
{
	out->name = name;
	out->addr = addr;
	out->size = size;
	out->source = src;
	if (lutgen_gobin_vaddr_to_offset(b, addr, &out->offset) != 0)
		out->offset = LUTGEN_GOBIN_NO_OFFSET;
}

int lutgen_gobin_func_get(const struct lutgen_gobin *b, size_t i,
			  struct lutgen_gobin_func *out)
{
	const char *name;
	uint64_t entry, end;
	int rc;

	if (!b || !out || !b->pcln || i >= b->nfunc)
		return -EINVAL;
	rc = gb_pcln_func(b, i, &name, &entry, &end);
	if (rc)
		return rc;
	gb_func_fill(b, out, name, entry, end - entry, LUTGEN_GOBIN_SYM_PCLNTAB);
	return 0;
}

/* Is pclntab name p the query q?  Before go1.16 the pclntab spells some
 * separators as U+00B7 MIDDLE DOT (UTF-8 c2 b7: "net.dialResult<U+00B7>1")
 * where .symtab and `go tool nm` spell "."; a "." in the query matches
 * either. */
static bool gb_name_eq(const char *p, const char *q)
{
	for (;;) {
		if (*p == *q) {
			if (!*q)
				return true;
			p++;
			q++;
		} else if (*q == '.' && (unsigned char)p[0] == 0xc2 &&
			   (unsigned char)p[1] == 0xb7) {
			p += 2;
			q++;
		} else {
			return false;
		}
	}
}

int lutgen_gobin_func_find(const struct lutgen_gobin *b, const char *name,
			   struct lutgen_gobin_func *out)
{
	struct gb_sym s;
	const char *fn;
	uint64_t i, entry, end;
	int which;

	if (!b || !name || !out)
		return -EINVAL;
	if (gb_sym_find(b, name, &s, &which) && s.value != 0) {
		gb_func_fill(b, out, s.name, s.value, s.size,
			     which == 0 ? LUTGEN_GOBIN_SYM_SYMTAB
					: LUTGEN_GOBIN_SYM_DYNSYM);
		/* A symbol without a size: the pclntab knows the extent. */
		if (s.size == 0 && b->pcln) {
			struct lutgen_gobin_func f;

			if (lutgen_gobin_func_at(b, s.value, &f) == 0 &&
			    f.addr == s.value)
				out->size = f.size;
		}
		return 0;
	}
	for (i = 0; b->pcln && i < b->nfunc; i++) {
		if (gb_pcln_func(b, i, &fn, &entry, &end) != 0 ||
		    fn[0] != name[0] || !gb_name_eq(fn, name))
			continue;
		gb_func_fill(b, out, fn, entry, end - entry,
			     LUTGEN_GOBIN_SYM_PCLNTAB);
		return 0;
	}
	return -ENOENT;
}

int lutgen_gobin_func_at(const struct lutgen_gobin *b, uint64_t addr,
			 struct lutgen_gobin_func *out)
{
	struct gb_sym s;
	const char *fn;
	uint64_t lo = 0, hi, pc, entry, end, base;
	size_t i;
	int pass;

	if (!b || !out)
		return -EINVAL;
	if (b->pcln) {
		base = b->layout >= 118 ? b->info.text_start : 0;
		hi = b->nfunc;
		/* The last entry with pc <= addr. */
		while (lo < hi) {
			uint64_t mid = lo + (hi - lo) / 2;

			gb_ftab(b, mid, &pc, NULL);
			if (pc + base <= addr)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo > 0 && gb_pcln_func(b, lo - 1, &fn, &entry, &end) == 0 &&
		    addr >= entry && addr < end) {
			gb_func_fill(b, out, fn, entry, end - entry,
				     LUTGEN_GOBIN_SYM_PCLNTAB);
			return 0;
		}
	}
	/* Not Go code (cgo, C): the function symbols. */
	for (pass = 0; pass < 2; pass++) {
		const struct gb_region *syms = pass ? &b->dynsym : &b->symtab;
		const struct gb_region *strs = pass ? &b->dynstr : &b->strtab;
		size_t n = pass ? b->ndynsyms : b->nsyms;

		for (i = 0; i < n; i++)
			if (gb_sym_get(b, syms, strs, i, &s) &&
			    s.type == GB_STT_FUNC && s.shndx != 0 &&
			    addr >= s.value && addr - s.value < s.size) {
				gb_func_fill(b, out, s.name, s.value, s.size,
					     pass ? LUTGEN_GOBIN_SYM_DYNSYM
						  : LUTGEN_GOBIN_SYM_SYMTAB);
				return 0;
			}
	}
	return -ENOENT;
}

/* ---- tables ---- */

const char *lutgen_gobin_strerror(int rc)
{
	switch (rc) {
	case LUTGEN_GOBIN_E_NOT_GO:
		return "no Go version in the binary (not built by the gc toolchain)";
	case LUTGEN_GOBIN_E_LOOKUP:
		return "the table has no lookup of that name and kind";
	case LUTGEN_GOBIN_E_MODULE:
		return "the binary does not contain the table's module";
	case LUTGEN_GOBIN_E_LOCAL:
		return "the module was replaced by a local directory: no version to look up";
	case LUTGEN_GOBIN_E_FORK:
		return "the module was replaced by another module path (a fork): its versions need not be the table's";
	case LUTGEN_GOBIN_E_DEVEL:
		return "the module's version is (devel): no version to look up";
	default:
		return lutgen_go_strerror(rc);
	}
}

/* The lookup and the version string keying the table for this binary. */
static int gb_lookup_prep(const struct lutgen_gobin *b,
			  const struct lutgen_go_table_desc *t,
			  const char *name, enum lutgen_go_lookup_kind kind,
			  const struct lutgen_go_lookup_desc **l, char *ver,
			  size_t vsize)
{
	uint32_t i;
	int rc;

	if (!b || !t || !name)
		return LUTGEN_E_INVAL;
	*l = NULL;
	for (i = 0; i < t->nlookups; i++)
		if (t->lookups[i].name && strcmp(t->lookups[i].name, name) == 0 &&
		    t->lookups[i].kind == kind)
			*l = &t->lookups[i];
	if (!*l)
		return LUTGEN_GOBIN_E_LOOKUP;
	if (!b->info.goarch)
		return LUTGEN_E_ARCH;
	if (!t->module) {
		if (!b->info.go_version)
			return LUTGEN_GOBIN_E_NOT_GO;
		if (strlen(b->info.go_version) >= vsize)
			return LUTGEN_E_VERSION;
		memcpy(ver, b->info.go_version, strlen(b->info.go_version) + 1);
		return LUTGEN_OK;
	}
	rc = lutgen_gobin_module_version(b, t->module, ver, vsize);
	if (rc == -ENOENT)
		return LUTGEN_GOBIN_E_MODULE;
	if (rc == LUTGEN_GOBIN_LOCAL)
		return LUTGEN_GOBIN_E_LOCAL;
	if (rc == LUTGEN_GOBIN_DEVEL)
		return LUTGEN_GOBIN_E_DEVEL;
	if (rc == LUTGEN_GOBIN_FORK)
		return LUTGEN_GOBIN_E_FORK;
	if (rc < 0)
		return LUTGEN_E_VERSION;
	return LUTGEN_OK;
}

int lutgen_gobin_lookup(const struct lutgen_gobin *b,
			const struct lutgen_go_table_desc *t, const char *name,
			uint64_t *out)
{
	const struct lutgen_go_lookup_desc *l;
	char ver[LUTGEN_GOBIN_MAX_VERSION + 1];
	int rc;

	if (!out)
		return LUTGEN_E_INVAL;
	rc = gb_lookup_prep(b, t, name, LUTGEN_GO_LOOKUP_U64, &l, ver,
			    sizeof(ver));
	if (rc != LUTGEN_OK)
		return rc;
	/* A module table takes the module's version and the Go version. */
	if (t->module && l->mod_u64)
		return l->mod_u64(ver, b->info.go_version, b->info.goarch, out);
	if (!l->u64)
		return LUTGEN_GOBIN_E_LOOKUP;
	return l->u64(ver, b->info.goarch, out);
}

int lutgen_gobin_lookup_params(const struct lutgen_gobin *b,
			       const struct lutgen_go_table_desc *t,
			       const char *name,
			       const struct lutgen_go_params **out)
{
	const struct lutgen_go_lookup_desc *l;
	char ver[LUTGEN_GOBIN_MAX_VERSION + 1];
	int rc;

	if (!out)
		return LUTGEN_E_INVAL;
	rc = gb_lookup_prep(b, t, name, LUTGEN_GO_LOOKUP_PARAMS, &l, ver,
			    sizeof(ver));
	if (rc != LUTGEN_OK)
		return rc;
	if (t->module && l->mod_params)
		return l->mod_params(ver, b->info.go_version, b->info.goarch,
				     out);
	if (!l->params)
		return LUTGEN_GOBIN_E_LOOKUP;
	return l->params(ver, b->info.goarch, out);
}

int lutgen_gobin_lookup_i64(const struct lutgen_gobin *b,
			    const struct lutgen_go_table_desc *t,
			    const char *name, int64_t *out)
{
	const struct lutgen_go_lookup_desc *l;
	char ver[LUTGEN_GOBIN_MAX_VERSION + 1];
	int rc;

	if (!out)
		return LUTGEN_E_INVAL;
	rc = gb_lookup_prep(b, t, name, LUTGEN_GO_LOOKUP_I64, &l, ver,
			    sizeof(ver));
	if (rc != LUTGEN_OK)
		return rc;
	if (!l->i64)
		return LUTGEN_GOBIN_E_LOOKUP;
	return l->i64(ver, b->info.goarch, out);
}
