/* SPDX-License-Identifier: MIT */
/*
 * lutgen/measure/prologue.h - where a Go function finds the current
 * goroutine (g), read from its stack-check prologue.
 *
 * Every Go function that may grow its stack starts by comparing SP with
 * g.stackguard0, so its first instructions load from g + the offset of
 * stackguard0.  The base of that load is where g lives at the function's
 * entry: a dedicated register (R14 on amd64 with the register ABI, R28 on
 * arm64, R10 on arm, R30 on ppc64 and mips, R13 on s390x, X27 on riscv64,
 * R22 on loong64), or, where the prologue first loads g from thread-local
 * storage (amd64 before the register ABI, 386), a slot at a fixed offset
 * from the thread pointer (the FS or GS base).
 *
 * Only the instruction forms of that stack check are decoded: on x86 the
 * prefixes and MOV/CMP/LEA with a memory operand, on the fixed-width
 * arches (arm, arm64, ppc64(le), mips*, riscv64, loong64) and s390x their
 * load instruction.  Convention: 0 / negative errno,
 * `err` (may be NULL) gets one line.
 */
#ifndef LUTGEN_MEASURE_PROLOGUE_H
#define LUTGEN_MEASURE_PROLOGUE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "lutgen/measure/layer.h"

enum lutgen_g_where {
	LUTGEN_G_IN_REG = 0,   /* in register `reg` */
	LUTGEN_G_IN_TLS,       /* at thread pointer + tls_offset */
};

struct lutgen_g_loc {
	enum lutgen_g_where where;
	int reg;              /* IN_REG: DWARF register number */
	int64_t tls_offset;   /* IN_TLS */
	uint64_t insn_offset; /* the load of g.stackguard0, from the entry */
};

/*
 * Read the prologue of a function (its code from the entry, `size` bytes
 * of it at virtual address `addr`) built for `goarch`; `stackguard_off`
 * is the offset of stackguard0 in runtime.g.  -ENOENT when the first
 * instructions do not load g.stackguard0 (a function without a stack
 * check: NOSPLIT, or a leaf with a small frame, or an unknown arch).
 */
int lutgen_prologue_g(const char *goarch, const uint8_t *code, size_t size,
		      uint64_t addr, int64_t stackguard_off,
		      struct lutgen_g_loc *out, struct common_err *err);

#endif
