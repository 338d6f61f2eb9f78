/* SPDX-License-Identifier: MIT */
/*
 * lutgen/binary/elf.h - a bounds-checked, read-only view of one ELF file in
 * memory, for `lutgen inspect` (Go version, arch, pclntab, symbols).
 *
 * Every read is checked against the file size; a truncated or corrupt file
 * is an error (-ENOEXEC naming what is wrong), never a crash.  Both ELF
 * classes and both byte orders are handled.  Headers that do not fit are
 * ignored rather than trusted: a file without section headers (sstrip) is
 * still readable through its program headers.
 *
 * Convention: 0 / negative errno, `err` (may be NULL) gets one line.
 */
#ifndef LUTGEN_ELF_H
#define LUTGEN_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "lutgen/binary/layer.h"

struct lutgen_elf;

/* Files larger than this are refused (-EFBIG). */
#define LUTGEN_ELF_MAX_SIZE ((uint64_t)4 << 30)

struct lutgen_elf_segment {
	uint32_t type;    /* PT_* */
	uint32_t flags;   /* PF_R/PF_W/PF_X */
	uint64_t offset;
	uint64_t vaddr;
	uint64_t filesz;  /* clamped to the file */
	uint64_t memsz;
};

struct lutgen_elf_section {
	const char *name; /* "" when unnamed; borrowed, lives as the elf */
	uint32_t type;    /* SHT_* */
	uint64_t flags;   /* SHF_* */
	uint64_t addr;
	uint64_t offset;
	uint64_t size;
	uint32_t link;    /* sh_link */
};

struct lutgen_elf_sym {
	uint64_t value;
	uint64_t size;
	unsigned char type;  /* STT_* */
	uint16_t shndx;
};

/* Read `path` into memory and parse it.  -ENOEXEC (with a message saying
 * so) when it is not an ELF file or its header is corrupt. */
int lutgen_elf_open(const char *path, struct lutgen_elf **out,
		    struct common_err *err);
/* Parse a copy of [data, data+size) (the fuzzers' entry). */
int lutgen_elf_open_memory(const void *data, size_t size,
			   struct lutgen_elf **out, struct common_err *err);
void lutgen_elf_free(struct lutgen_elf *e);

/* Raw header facts. */
bool lutgen_elf_is64(const struct lutgen_elf *e);
bool lutgen_elf_big_endian(const struct lutgen_elf *e);
uint16_t lutgen_elf_type(const struct lutgen_elf *e);     /* ET_* */
uint16_t lutgen_elf_machine(const struct lutgen_elf *e);  /* EM_* */
unsigned lutgen_elf_ptrsize(const struct lutgen_elf *e);  /* 4 or 8 */

/* GOARCH spelling for the header ("amd64", "arm64", "ppc64le", ...), or
 * NULL when Go has no port for that machine/class/byte order. */
const char *lutgen_elf_goarch(const struct lutgen_elf *e);

/* The whole file (borrowed, lives as the elf). */
const uint8_t *lutgen_elf_data(const struct lutgen_elf *e, size_t *size);

/* Program headers and section headers (borrowed arrays).  Sections are
 * empty when the section header table is missing or corrupt. */
const struct lutgen_elf_segment *lutgen_elf_segments(const struct lutgen_elf *e,
						     size_t *n);
const struct lutgen_elf_section *lutgen_elf_sections(const struct lutgen_elf *e,
						     size_t *n);
/* First section named `name` (NULL if none). */
const struct lutgen_elf_section *lutgen_elf_section(const struct lutgen_elf *e,
						    const char *name);
/* File bytes of a section: -ENOENT for SHT_NOBITS, -ENOEXEC when it
 * reaches past the end of the file. */
int lutgen_elf_section_data(const struct lutgen_elf *e,
			    const struct lutgen_elf_section *s,
			    const uint8_t **data, size_t *size);

/* Map a virtual address to file bytes: *data points at vaddr, *avail is
 * how many file-backed bytes follow in the same PT_LOAD (or allocated
 * section when there are no segments).  -ENOENT if not file-backed. */
int lutgen_elf_vaddr_data(const struct lutgen_elf *e, uint64_t vaddr,
			  const uint8_t **data, size_t *avail);
/* Copy `size` bytes at vaddr; -ENOENT unless all are file-backed. */
int lutgen_elf_read_vaddr(const struct lutgen_elf *e, uint64_t vaddr,
			  void *buf, size_t size);
/* vaddr -> file offset through the PT_LOAD containing it (uprobes). */
int lutgen_elf_vaddr_to_offset(const struct lutgen_elf *e, uint64_t vaddr,
			       uint64_t *off);

/* A pointer-sized word at vaddr as the loader would see it: a RELATIVE
 * dynamic relocation at that address wins over the file's bytes (PIE and
 * shared objects).  -ENOENT if not readable. */
int lutgen_elf_read_ptr(const struct lutgen_elf *e, uint64_t vaddr,
			uint64_t *out);
/* Addresses of RELATIVE relocations whose addend is `target` (for finding
 * pointers to a known object); *out malloc'd (free()), may be NULL. */
int lutgen_elf_relocs_to(const struct lutgen_elf *e, uint64_t target,
			 uint64_t **out, size_t *n);

/* Endian-aware loads from a pointer into the file (caller checked
 * bounds). */
uint16_t lutgen_elf_u16(const struct lutgen_elf *e, const uint8_t *p);
uint32_t lutgen_elf_u32(const struct lutgen_elf *e, const uint8_t *p);
uint64_t lutgen_elf_u64(const struct lutgen_elf *e, const uint8_t *p);
/* 4 or 8 bytes by the ELF class. */
uint64_t lutgen_elf_uptr(const struct lutgen_elf *e, const uint8_t *p);

/* Look a symbol up by exact name in .symtab, then .dynsym.  -ENOENT. */
int lutgen_elf_symbol(const struct lutgen_elf *e, const char *name,
		      struct lutgen_elf_sym *out);
/* Number of entries in .symtab (0: stripped). */
size_t lutgen_elf_symtab_count(const struct lutgen_elf *e);
/* True when any symbol of .symtab/.dynsym starts with `prefix`. */
bool lutgen_elf_has_symbol_prefix(const struct lutgen_elf *e,
				  const char *prefix);

/* True when the headers describe more bytes than the file has (a
 * truncated copy); *want gets the size they describe. */
bool lutgen_elf_truncated(const struct lutgen_elf *e, uint64_t *want);

/* Facts for `lutgen inspect`. */
struct lutgen_elf_facts {
	bool is_static;          /* no PT_INTERP and no DT_NEEDED */
	bool pie;                /* ET_DYN executable (DF_1_PIE or interp) */
	bool shared_object;      /* ET_DYN that is not PIE (c-shared) */
	bool has_sections;
	bool has_symtab;         /* .symtab with symbols */
	bool has_dwarf;          /* .debug_info / .zdebug_info */
	char interp[256];        /* PT_INTERP, "" if none */
	char needed[8][64];      /* first DT_NEEDED entries */
	size_t nneeded;          /* total count (may exceed 8) */
};
void lutgen_elf_facts(const struct lutgen_elf *e, struct lutgen_elf_facts *f);

#endif
