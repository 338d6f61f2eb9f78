/* SPDX-License-Identifier: MIT */
/*
 * lutgen/binary/pclntab.h - function names and addresses from a Go binary's
 * pc-line table, which survives `-ldflags=-s -w` and `strip`.
 *
 * The table is found through the `.gopclntab` (or
 * `.data.rel.ro.gopclntab`) section, the runtime.pclntab symbol, or - when
 * the section headers are gone - by scanning the PT_LOADs (read-only,
 * then executable, then writable) for a valid header.  Layouts: go1.2
 * (magic 0xfffffffb), go1.16 (0xfffffffa),
 * go1.18 (0xfffffff0) and go1.20+ (0xfffffff1).  From go1.18, function
 * entries are offsets from the start of the text (runtime.text); go1.26+
 * no longer stores it in the header, so it comes from the runtime.text
 * symbol, the header (go1.18..1.25), the module data (moduledata.text),
 * or the .text section, in that order.
 *
 * Convention: 0 / negative errno, `err` (may be NULL) gets one line.
 */
#ifndef LUTGEN_PCLNTAB_H
#define LUTGEN_PCLNTAB_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "lutgen/binary/elf.h"
#include "lutgen/binary/layer.h"

struct lutgen_pclntab;

enum lutgen_pclntab_layout {
	LUTGEN_PCLNTAB_GO12 = 12,
	LUTGEN_PCLNTAB_GO116 = 116,
	LUTGEN_PCLNTAB_GO118 = 118,
	LUTGEN_PCLNTAB_GO120 = 120,
};

struct lutgen_pclntab_func {
	const char *name;   /* borrowed from the elf */
	uint64_t entry;     /* virtual address */
	uint64_t end;       /* next function's entry (exclusive) */
};

/* Locate and validate the table of `e` (which must outlive it); *out
 * owned by caller.  -ENOENT when there is none. */
int lutgen_pclntab_open(const struct lutgen_elf *e,
			struct lutgen_pclntab **out, struct common_err *err);
void lutgen_pclntab_free(struct lutgen_pclntab *t);

enum lutgen_pclntab_layout lutgen_pclntab_layout(const struct lutgen_pclntab *t);
uint64_t lutgen_pclntab_addr(const struct lutgen_pclntab *t);
/* "section", "symbol" or "scan". */
const char *lutgen_pclntab_found_by(const struct lutgen_pclntab *t);
/* Text start used for go1.18+ entries and where it came from
 * ("runtime.text symbol", "pclntab header", "moduledata", ".text section",
 * "not needed"). */
uint64_t lutgen_pclntab_text_start(const struct lutgen_pclntab *t);
const char *lutgen_pclntab_text_source(const struct lutgen_pclntab *t);

size_t lutgen_pclntab_nfuncs(const struct lutgen_pclntab *t);
/* The i-th function (sorted by entry).  -EBADMSG on corrupt data. */
int lutgen_pclntab_func(const struct lutgen_pclntab *t, size_t i,
			struct lutgen_pclntab_func *out);
/* By exact Go symbol name ("main.main", "crypto/tls.(*Conn).Write"). */
int lutgen_pclntab_find(const struct lutgen_pclntab *t, const char *name,
			struct lutgen_pclntab_func *out, struct common_err *err);

#endif
