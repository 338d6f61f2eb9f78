/* SPDX-License-Identifier: MIT */
/*
 * lutgen/measure/abi.h - what the inspector knows about each Linux GOARCH:
 * the ELF machine it is, how Go's stack frame looks at a function's first
 * instruction, the DWARF register numbering and Go's names for it, and the
 * registers of Go's register-based calling convention (ABIInternal,
 * go/src/cmd/compile/abi-internal.md) in assignment order.
 *
 * These are facts of the arch, never of a Go version: whether a binary
 * passes arguments in registers is read from its DWARF (a parameter whose
 * entry location is a register), and every use of the register lists is
 * checked against the parameter locations the DWARF gives (dwarf_loc.c).
 *
 * Internal to lutgen/measure.
 */
#ifndef LUTGEN_ABI_H
#define LUTGEN_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "lutgen/measure/layer.h"

struct lutgen_abi_arch {
	const char *goarch;
	unsigned ptr_size;
	/* SP at entry = CFA - cfa_to_sp.  The CFA is Go's .debug_frame
	 * rule at entry: SP + return-address size on x86, SP on the
	 * link-register arches. */
	int64_t cfa_to_sp;
	/* SP offset of the first stack argument slot at entry: after the
	 * return address (x86) or the caller's fixed frame (the saved-LR
	 * word; 32 bytes on ppc64: LR save, CR save, TOC area). */
	int64_t first_arg;
	int sp_reg;                 /* DWARF number of the stack pointer */
	/* Register ABI argument/result registers, DWARF numbers, in Go's
	 * assignment order; none for arches that only have ABI0. */
	const int16_t *int_regs;
	unsigned nint;
	const int16_t *float_regs;
	unsigned nfloat;
};

/* The arch of an ELF header (machine, class, byte order); NULL when it
 * is not a Linux GOARCH.  Static data. */
const struct lutgen_abi_arch *lutgen_abi_arch_of_elf(unsigned machine,
						     unsigned elfclass,
						     unsigned data);

/* By GOARCH name; NULL when unknown. */
const struct lutgen_abi_arch *lutgen_abi_arch_find(const char *goarch);

/* Go's assembler name of DWARF register `reg` on `a` ("RAX", "R14",
 * "X10", "F1"); "r<N>" when it has none.  Returns buf. */
const char *lutgen_abi_reg_name(const struct lutgen_abi_arch *a, int reg,
				char *buf, size_t size);

#endif
