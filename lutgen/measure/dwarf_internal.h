/* SPDX-License-Identifier: MIT */
/*
 * lutgen/measure/dwarf_internal.h - what the inspector's files share
 * (dwarf.c: open, index, types and constants; dwarf_loc.c: parameter and
 * result locations; dwarf_g.c: where g lives; dwarf_walk.c: the
 * top-level DIEs of a CU).  Nothing outside lutgen/measure/dwarf*.c
 * includes it but tests/test_dwarf.c, which checks the walker against
 * libdw.
 */
#ifndef LUTGEN_DWARF_INTERNAL_H
#define LUTGEN_DWARF_INTERNAL_H

#include <elfutils/libdw.h>
#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lutgen/measure/abi.h"
#include "lutgen/measure/dwarf.h"
#include "lutgen/measure/layer.h"

/* Go's vendor attributes (cmd/internal/dwarf). */
#define LUTGEN_DW_AT_GO_KIND 0x2900
#define LUTGEN_DW_AT_GO_EMBEDDED_FIELD 0x2903

/* reflect.Kind values that DW_AT_go_kind carries. */
enum lutgen_go_kind {
	GO_KIND_BOOL = 1, GO_KIND_INT, GO_KIND_INT8, GO_KIND_INT16,
	GO_KIND_INT32, GO_KIND_INT64, GO_KIND_UINT, GO_KIND_UINT8,
	GO_KIND_UINT16, GO_KIND_UINT32, GO_KIND_UINT64, GO_KIND_UINTPTR,
	GO_KIND_FLOAT32, GO_KIND_FLOAT64, GO_KIND_COMPLEX64,
	GO_KIND_COMPLEX128, GO_KIND_ARRAY, GO_KIND_CHAN, GO_KIND_FUNC,
	GO_KIND_INTERFACE, GO_KIND_MAP, GO_KIND_PTR, GO_KIND_SLICE,
	GO_KIND_STRING, GO_KIND_STRUCT, GO_KIND_UNSAFE_POINTER,
};

/* Open-addressing map from a name (borrowed from libdw) to a DIE
 * offset. */
struct lutgen_name_map {
	const char **names;
	Dwarf_Off *offs;
	size_t cap;           /* power of two, 0 = empty */
	size_t len;
};

struct lutgen_cu {
	Dwarf_Die die;
	const char *name;     /* Go package path, or NULL */
	bool indexed;         /* every name of it is in the maps */
	Dwarf_Off end;        /* of the unit: the next unit's header */
	Dwarf_Off abbrev_off; /* of its abbreviation table */
	uint8_t addr_size, off_size;
	uint16_t version;
};

/* Top-level DIEs without libdw's per-attribute decoding
 * (dwarf_walk.c). */
struct lutgen_walk_table;

/* The skip table of the abbreviations `cu` uses: 0, -ENOMEM, or -EAGAIN
 * when they hold something the walker does not know (walk with libdw). */
int lutgen_walk_table_new(const struct lutgen_cu *cu, bool big_endian,
			  struct lutgen_walk_table **out);
void lutgen_walk_table_free(struct lutgen_walk_table *t);

/* Call fn(offset, tag, name, arg) for each top-level DIE of `cu` in
 * `info` (the .debug_info bytes), in order; `name` is its DW_AT_name when
 * that is an inline string (in `info`), else NULL.  Stops at fn's first
 * nonzero return and returns it.  -EAGAIN (maybe after some calls): the
 * walker cannot read this unit, walk it with libdw. */
int lutgen_walk_top_dies(const struct lutgen_walk_table *t,
			 const uint8_t *info, size_t info_size,
			 const struct lutgen_cu *cu,
			 int (*fn)(Dwarf_Off off, unsigned tag,
				   const char *name, void *arg),
			 void *arg);

struct lutgen_dwarf {
	char *path;
	int fd;
	Elf *elf;
	Dwarf *dw;
	const struct lutgen_abi_arch *arch;  /* NULL: not a Linux GOARCH */
	const char *goarch;
	unsigned need;                       /* LUTGEN_DWARF_NEED_* loaded */
	void **inflated;                     /* section buffers we own */
	size_t ninflated;
	const uint8_t *info;                 /* .debug_info as libdw reads it */
	size_t info_size;
	bool big_endian;
	struct lutgen_walk_table *walk;      /* NULL: not built, or failed */
	bool walk_failed;
	struct lutgen_cu *cus;               /* every CU, .debug_info order */
	size_t ncus;
	size_t *cu_by_name;                  /* indices of cus, by name */
	bool cus_loaded;
	bool all_indexed;
	struct lutgen_name_map types;
	struct lutgen_name_map funcs;
	struct lutgen_name_map consts;
	int regabi;                          /* -1 unknown, 0 ABI0, 1 */
};

/* Names a lookup needs, resolved in one pass over the CUs that may hold
 * them (dwarf.c). */
enum lutgen_want {
	LUTGEN_WANT_TYPE = 1,
	LUTGEN_WANT_FUNC = 2,
	LUTGEN_WANT_CONST = 4,
};

/* Resolve names in the CUs that should hold them; with `fallback`, a
 * name found nowhere there makes the handle index every CU (once). */
int lutgen_dwarf_resolve(struct lutgen_dwarf *d, const char *const *names,
			 const unsigned *wants, size_t n, bool fallback,
			 struct common_err *err);

/* The DIE of a named type / concrete function / constant: 0, -ENOENT
 * (message names it and the binary), or another error. */
int lutgen_dwarf_find(struct lutgen_dwarf *d, unsigned want,
		      const char *name, Dwarf_Die *die,
		      struct common_err *err);

/* The machine code at [lo, lo + *size) from the executable section that
 * holds it, *size clipped to the section; NULL when no section does.
 * Borrowed from the ELF. */
const uint8_t *lutgen_dwarf_code(struct lutgen_dwarf *d, uint64_t lo,
				 size_t *size);

/* Type helpers (dwarf.c). */
int lutgen_die_strip_typedefs(Dwarf_Die *die);
int lutgen_die_type_size(Dwarf_Die *type, uint64_t *out);
int lutgen_die_go_kind(Dwarf_Die *type);   /* 0 unknown */
int lutgen_die_member_offset(Dwarf_Die *m, uint64_t *out);
/* Alignment Go gives a type (0 unknown): its size for scalars up to the
 * pointer size, the widest member for structs and arrays. */
uint64_t lutgen_die_type_align(Dwarf_Die *type, unsigned ptr_size);

#endif
