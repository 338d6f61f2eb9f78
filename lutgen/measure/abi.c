/* SPDX-License-Identifier: MIT */
/*
 * lutgen/measure/abi.c - per-GOARCH facts for the inspector (see abi.h).
 *
 * Sources: the psABI DWARF register numberings (System V AMD64 and i386,
 * AAELF64/AADWARF for arm and arm64, the ELFv2 and 64-bit PowerPC ABIs,
 * the s390x ELF ABI, the RISC-V and LoongArch ELF psABIs, the MIPS ABI),
 * which Go's linker follows (cmd/internal/obj/<arch> *DWARFRegisters);
 * Go's frame layout at entry (cmd/link .debug_frame CIE: CFA = SP + the
 * return-address size on x86, SP + 0 on link-register arches; the
 * caller's fixed frame is one pointer, 32 bytes on ppc64); and the
 * argument registers of Go's register ABI (abi-internal.md, and
 * internal/abi/abi_<arch>.go for which arches have it: amd64, arm64,
 * loong64, ppc64(le), riscv64, s390x; 386, arm and mips* have only ABI0).
 */
#include "lutgen/measure/abi.h"

#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "common/goarch.h"

#define N(a) ((unsigned)(sizeof(a) / sizeof((a)[0])))

/* amd64: RAX RBX RCX RDI RSI R8 R9 R10 R11; X0..X14. */
static const int16_t amd64_int[] = { 0, 3, 2, 5, 4, 8, 9, 10, 11 };
static const int16_t amd64_float[] = { 17, 18, 19, 20, 21, 22, 23, 24,
				       25, 26, 27, 28, 29, 30, 31 };
/* arm64: R0..R15; F0..F15 (V registers from 64). */
static const int16_t arm64_int[] = { 0, 1, 2,  3,  4,  5,  6,  7,
				     8, 9, 10, 11, 12, 13, 14, 15 };
static const int16_t arm64_float[] = { 64, 65, 66, 67, 68, 69, 70, 71,
				       72, 73, 74, 75, 76, 77, 78, 79 };
/* ppc64: R3..R10, R14..R17; F1..F12 (FPRs from 32). */
static const int16_t ppc64_int[] = { 3, 4, 5, 6, 7, 8, 9, 10, 14, 15, 16, 17 };
static const int16_t ppc64_float[] = { 33, 34, 35, 36, 37, 38,
				       39, 40, 41, 42, 43, 44 };
/* riscv64: X10..X17, X8, X9, X18..X23; F10..F17, F8, F9, F18..F23. */
static const int16_t riscv64_int[] = { 10, 11, 12, 13, 14, 15, 16, 17,
				       8,  9,  18, 19, 20, 21, 22, 23 };
static const int16_t riscv64_float[] = { 42, 43, 44, 45, 46, 47, 48, 49,
					 40, 41, 50, 51, 52, 53, 54, 55 };
/* s390x: R2..R9; F0..F15, whose DWARF numbers interleave (see
 * s390x_fpr below). */
static const int16_t s390x_int[] = { 2, 3, 4, 5, 6, 7, 8, 9 };
static const int16_t s390x_float[] = { 16, 20, 17, 21, 18, 22, 19, 23,
				       24, 28, 25, 29, 26, 30, 27, 31 };
/* loong64: R4..R19; F0..F15 (FPRs from 32). */
static const int16_t loong64_int[] = { 4,  5,  6,  7,  8,  9,  10, 11,
				       12, 13, 14, 15, 16, 17, 18, 19 };
static const int16_t loong64_float[] = { 32, 33, 34, 35, 36, 37, 38, 39,
					 40, 41, 42, 43, 44, 45, 46, 47 };

#define REGABI(x) x##_int, N(x##_int), x##_float, N(x##_float)
#define ABI0_ONLY NULL, 0, NULL, 0

static const struct lutgen_abi_arch arches[] = {
	{ "amd64", 8, 8, 8, 7, REGABI(amd64) },
	{ "arm64", 8, 0, 8, 31, REGABI(arm64) },
	{ "386", 4, 4, 4, 4, ABI0_ONLY },
	{ "arm", 4, 0, 4, 13, ABI0_ONLY },
	{ "ppc64le", 8, 0, 32, 1, REGABI(ppc64) },
	{ "ppc64", 8, 0, 32, 1, REGABI(ppc64) },
	{ "s390x", 8, 0, 8, 15, REGABI(s390x) },
	{ "riscv64", 8, 0, 8, 2, REGABI(riscv64) },
	{ "loong64", 8, 0, 8, 3, REGABI(loong64) },
	{ "mips64le", 8, 0, 8, 29, ABI0_ONLY },
	{ "mips64", 8, 0, 8, 29, ABI0_ONLY },
	{ "mipsle", 4, 0, 4, 29, ABI0_ONLY },
	{ "mips", 4, 0, 4, 29, ABI0_ONLY },
};

const struct lutgen_abi_arch *lutgen_abi_arch_find(const char *goarch)
{
	unsigned i;

	for (i = 0; goarch && i < N(arches); i++)
		if (strcmp(arches[i].goarch, goarch) == 0)
			return &arches[i];
	return NULL;
}

const struct lutgen_abi_arch *lutgen_abi_arch_of_elf(unsigned machine,
						     unsigned elfclass,
						     unsigned data)
{
	return lutgen_abi_arch_find(common_goarch_from_elf(
		machine, elfclass == ELFCLASS64, data == ELFDATA2MSB));
}

static const char *const amd64_gpr[] = {
	"RAX", "RDX", "RCX", "RBX", "RSI", "RDI", "RBP", "RSP",
};
static const char *const i386_gpr[] = {
	"AX", "CX", "DX", "BX", "SP", "BP", "SI", "DI",
};
/* s390x DWARF 16..31 are f0 f2 f4 f6 f1 f3 f5 f7 f8 f10 f12 f14 f9 f11
 * f13 f15. */
static const int s390x_fpr[] = { 0, 2, 4, 6, 1, 3, 5, 7,
				 8, 10, 12, 14, 9, 11, 13, 15 };

/* Register `reg` as prefix + number when lo <= reg <= hi. */
static int in_range(char *buf, size_t size, int reg, int lo, int hi,
		    const char *prefix, int base)
{
	if (reg < lo || reg > hi)
		return 0;
	snprintf(buf, size, "%s%d", prefix, base + reg - lo);
	return 1;
}

const char *lutgen_abi_reg_name(const struct lutgen_abi_arch *a, int reg,
				char *buf, size_t size)
{
	const char *g = a ? a->goarch : "";

	if (strcmp(g, "amd64") == 0) {
		if (reg >= 0 && reg < 8) {
			snprintf(buf, size, "%s", amd64_gpr[reg]);
			return buf;
		}
		if (in_range(buf, size, reg, 8, 15, "R", 8) ||
		    in_range(buf, size, reg, 17, 32, "X", 0))
			return buf;
	} else if (strcmp(g, "386") == 0) {
		if (reg >= 0 && reg < 8) {
			snprintf(buf, size, "%s", i386_gpr[reg]);
			return buf;
		}
		if (in_range(buf, size, reg, 21, 28, "X", 0))
			return buf;
	} else if (strcmp(g, "arm64") == 0) {
		if (reg == 31) {
			snprintf(buf, size, "RSP");
			return buf;
		}
		if (in_range(buf, size, reg, 0, 30, "R", 0) ||
		    in_range(buf, size, reg, 64, 95, "F", 0))
			return buf;
	} else if (strcmp(g, "arm") == 0) {
		/* Go numbers F<n> as the even single-precision register */
		if (in_range(buf, size, reg, 0, 15, "R", 0))
			return buf;
		if (reg >= 64 && reg <= 95 && reg % 2 == 0) {
			snprintf(buf, size, "F%d", (reg - 64) / 2);
			return buf;
		}
	} else if (strcmp(g, "s390x") == 0) {
		if (in_range(buf, size, reg, 0, 15, "R", 0))
			return buf;
		if (reg >= 16 && reg <= 31) {
			snprintf(buf, size, "F%d", s390x_fpr[reg - 16]);
			return buf;
		}
	} else if (strcmp(g, "riscv64") == 0) {
		if (in_range(buf, size, reg, 0, 31, "X", 0) ||
		    in_range(buf, size, reg, 32, 63, "F", 0))
			return buf;
	} else if (a) {
		/* ppc64(le), loong64, mips*: R0..R31, F0..F31 */
		if (in_range(buf, size, reg, 0, 31, "R", 0) ||
		    in_range(buf, size, reg, 32, 63, "F", 0))
			return buf;
	}
	snprintf(buf, size, "r%d", reg);
	return buf;
}
