/* SPDX-License-Identifier: MIT */
/* Where a Go function's stack-check prologue finds g (see prologue.h). */
#include "lutgen/measure/prologue.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>


/* How many instructions of the prologue are looked at: the stack check
 * is the first thing a Go function does (amd64 with a large frame: LEA,
 * CMP; 386: two loads of g, CMP). */
#define PROLOGUE_MAX_INSNS 4

static uint32_t word32(const uint8_t *p, bool big)
{
	if (big)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		       (uint32_t)p[2] << 8 | (uint32_t)p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | (uint32_t)p[0];
}

static int64_t sext(uint64_t v, unsigned bits)
{
	uint64_t m = (uint64_t)1 << (bits - 1);

	v &= ((uint64_t)1 << bits) - 1;
	return (int64_t)((v ^ m) - m);
}

/*
 * A load "dst <- [base + disp]" in one 32-bit instruction word of a
 * fixed-width arch; false when `w` is no such load.
 */
static bool fixed_load(const char *goarch, uint32_t w, int *base,
		       int64_t *disp)
{
	if (strcmp(goarch, "arm64") == 0) {
		/* LDR Xt, [Xn, #imm12*8] (unsigned offset) */
		if ((w & 0xffc00000u) != 0xf9400000u)
			return false;
		*base = (int)(w >> 5 & 31);
		*disp = (int64_t)(w >> 10 & 0xfff) * 8;
		return true;
	}
	if (strcmp(goarch, "arm") == 0) {
		/* LDR Rt, [Rn, #+/-imm12] (offset form: P=1 W=0 B=0 L=1) */
		if ((w & 0x0f700000u) != 0x05100000u)
			return false;
		*base = (int)(w >> 16 & 15);
		*disp = (int64_t)(w & 0xfff);
		if (!(w >> 23 & 1))
			*disp = -*disp;
		return true;
	}
	if (strncmp(goarch, "ppc64", 5) == 0) {
		/* ld RT, DS(RA): primary opcode 58, XO 0 */
		if (w >> 26 != 58 || (w & 3) != 0)
			return false;
		*base = (int)(w >> 16 & 31);
		*disp = sext(w & 0xfffc, 16);
		return true;
	}
	if (strncmp(goarch, "mips", 4) == 0) {
		/* ld (0x37) on mips64, lw (0x23) on mips: base, rt, imm16 */
		uint32_t op = strncmp(goarch, "mips64", 6) == 0 ? 0x37 : 0x23;

		if (w >> 26 != op)
			return false;
		*base = (int)(w >> 21 & 31);
		*disp = sext(w & 0xffff, 16);
		return true;
	}
	if (strcmp(goarch, "riscv64") == 0) {
		/* ld rd, imm(rs1): opcode LOAD, funct3 3 */
		if ((w & 0x707f) != 0x3003)
			return false;
		*base = (int)(w >> 15 & 31);
		*disp = sext(w >> 20, 12);
		return true;
	}
	if (strcmp(goarch, "loong64") == 0) {
		/* ld.d rd, rj, si12 */
		if (w >> 22 != 0x0a3)
			return false;
		*base = (int)(w >> 5 & 31);
		*disp = sext(w >> 10, 12);
		return true;
	}
	return false;
}

/* DWARF (= GPR) number of the stack pointer: a load relative to it is an
 * argument, never g. */
static int fixed_sp(const char *goarch)
{
	if (strcmp(goarch, "arm64") == 0)
		return 31;
	if (strcmp(goarch, "arm") == 0)
		return 13;
	if (strncmp(goarch, "ppc64", 5) == 0)
		return 1;
	if (strncmp(goarch, "mips", 4) == 0)
		return 29;
	if (strcmp(goarch, "riscv64") == 0)
		return 2;
	if (strcmp(goarch, "loong64") == 0)
		return 3;
	return -1;
}

static bool fixed_big_endian(const char *goarch)
{
	return strcmp(goarch, "ppc64") == 0 || strcmp(goarch, "mips") == 0 ||
	       strcmp(goarch, "mips64") == 0;
}

/* Length of the instruction at p on riscv64 (2: compressed, else 4). */
static size_t riscv_len(const uint8_t *p)
{
	return (p[0] & 3) == 3 ? 4 : 2;
}

static int fixed_g(const char *goarch, const uint8_t *code, size_t size,
		   int64_t sg, struct lutgen_g_loc *out)
{
	bool big = fixed_big_endian(goarch);
	size_t off = 0, len;
	int n;

	for (n = 0; n < PROLOGUE_MAX_INSNS && off + 2 <= size; n++, off += len) {
		int base;
		int64_t disp;

		len = strcmp(goarch, "riscv64") == 0 ? riscv_len(code + off) : 4;
		if (len != 4 || off + 4 > size)
			continue;
		if (fixed_load(goarch, word32(code + off, big), &base, &disp) &&
		    disp == sg && base != fixed_sp(goarch)) {
			out->where = LUTGEN_G_IN_REG;
			out->reg = base;
			out->insn_offset = off;
			return 0;
		}
	}
	return -ENOENT;
}

/* s390x: LG R1, D2(X2, B2) is RXY-a E3 R1X2 B2DL2 DL2 DH2 04. */
static int s390x_g(const uint8_t *code, size_t size, int64_t sg,
		   struct lutgen_g_loc *out)
{
	size_t off = 0, len;
	int n;

	for (n = 0; n < PROLOGUE_MAX_INSNS && off + 2 <= size; n++, off += len) {
		const uint8_t *p = code + off;

		len = p[0] < 0x40 ? 2 : p[0] < 0xc0 ? 4 : 6;
		if (len == 6 && off + 6 <= size && p[0] == 0xe3 && p[5] == 0x04 &&
		    (p[1] & 15) == 0) {
			int64_t disp = sext((uint64_t)p[4] << 12 |
					    (uint64_t)(p[2] & 15) << 8 | p[3], 20);

			if (disp == sg && (p[2] >> 4) != 15) {   /* not SP */
				out->where = LUTGEN_G_IN_REG;
				out->reg = p[2] >> 4;
				out->insn_offset = off;
				return 0;
			}
		}
	}
	return -ENOENT;
}

/*
 * x86: the few instruction forms of Go's stack check, decoded by hand
 * (prefixes, MOV/CMP/LEA with a ModRM memory operand); anything else ends
 * the search.  A register is tracked from what the prologue loads into
 * it: the thread pointer (seg:[0], which holds it), or a load from a
 * TLS slot (seg:[disp], or [thread pointer + disp]).
 */
enum x86_val { X86_UNTOUCHED = 0, X86_UNKNOWN, X86_TP, X86_TLS_LOAD };

struct x86_track {
	enum x86_val v;
	int64_t tls_off;   /* X86_TLS_LOAD: loaded from TP + tls_off */
};

struct x86_insn {
	size_t len;
	uint8_t op;        /* 0x8b mov r, m; 0x3b cmp r, m; 0x8d lea r, m */
	int reg;           /* the register operand, encoding number */
	bool mem;          /* the ModRM operand is memory */
	int base, index;   /* encoding numbers, -1 none */
	int64_t disp;
	bool seg;          /* FS or GS override */
};

static int64_t rd32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
			 (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

/* ModRM (+ SIB, displacement) at p; false when truncated. */
static bool x86_modrm(const uint8_t *p, size_t left, bool is64, uint8_t rex,
		      struct x86_insn *in, size_t *used)
{
	uint8_t m, mod, rm;
	size_t n = 1;

	if (left < 1)
		return false;
	m = p[0];
	mod = m >> 6;
	rm = m & 7;
	in->reg = (m >> 3 & 7) | (rex & 4 ? 8 : 0);
	in->mem = mod != 3;
	in->base = rm | (rex & 1 ? 8 : 0);
	in->index = -1;
	if (mod != 3 && rm == 4) {
		uint8_t sib;

		if (left < 2)
			return false;
		sib = p[n++];
		in->index = (sib >> 3 & 7) | (rex & 2 ? 8 : 0);
		if (in->index == 4)
			in->index = -1;
		in->base = (sib & 7) | (rex & 1 ? 8 : 0);
		if ((sib & 7) == 5 && mod == 0)
			in->base = -1;
	} else if (mod == 0 && rm == 5) {
		in->base = -1;  /* disp32 (RIP-relative on amd64) */
		if (is64)
			in->index = -2;
	}
	if (mod == 1) {
		if (left < n + 1)
			return false;
		in->disp = (int8_t)p[n++];
	} else if (mod == 2 || (mod == 0 && in->base < 0)) {
		if (left < n + 4)
			return false;
		in->disp = rd32(p + n);
		n += 4;
	}
	*used = n;
	return true;
}

static bool x86_decode(const uint8_t *p, size_t left, bool is64,
		       struct x86_insn *in)
{
	uint8_t rex = 0;
	size_t n = 0, used = 0;

	memset(in, 0, sizeof(*in));
	for (; n < left && n < 4; n++) {
		if (p[n] == 0x64 || p[n] == 0x65)
			in->seg = true;
		else if (p[n] != 0x66)
			break;
	}
	if (is64 && n < left && (p[n] & 0xf0) == 0x40)
		rex = p[n++];
	if (n >= left)
		return false;
	in->op = p[n++];
	if (in->op != 0x8b && in->op != 0x3b && in->op != 0x8d)
		return false;
	if (!x86_modrm(p + n, left - n, is64, rex, in, &used))
		return false;
	in->len = n + used;
	return true;
}

/* DWARF number of an x86 register encoding number. */
static int x86_dwarf(int enc, bool is64)
{
	static const int amd64[8] = { 0, 2, 1, 3, 7, 6, 4, 5 };

	if (!is64)
		return enc;              /* i386 numbers follow the encoding */
	return enc < 8 ? amd64[enc] : enc;
}

/* One instruction: the g use (1, *out set), else track the register it
 * writes (0). */
static int x86_step(const struct x86_insn *in, bool is64, int64_t sg,
		    struct x86_track *st, struct lutgen_g_loc *out)
{
	struct x86_track val = { X86_UNKNOWN, 0 };

	if (in->mem && in->seg && in->base < 0 && in->index == -1) {
		/* seg:[0] holds the thread pointer itself */
		val.v = in->disp == 0 ? X86_TP : X86_TLS_LOAD;
		val.tls_off = in->disp;
	} else if (in->mem && in->base >= 0 && in->index == -1 &&
		   in->op != 0x8d) {
		const struct x86_track *b = &st[in->base];

		if (in->disp == sg && b->v == X86_UNTOUCHED &&
		    in->base != 4) {   /* SP (encoding 4): an argument, not g */
			out->where = LUTGEN_G_IN_REG;
			out->reg = x86_dwarf(in->base, is64);
			return 1;
		}
		if (in->disp == sg && b->v == X86_TLS_LOAD) {
			out->where = LUTGEN_G_IN_TLS;
			out->tls_offset = b->tls_off;
			return 1;
		}
		if (b->v == X86_TP) {
			val.v = X86_TLS_LOAD;
			val.tls_off = in->disp;
		}
	}
	if (in->op != 0x3b)   /* mov and lea write their register */
		st[in->reg] = in->op == 0x8b ? val :
			      (struct x86_track){ X86_UNKNOWN, 0 };
	return 0;
}

static int x86_g(bool is64, const uint8_t *code, size_t size, int64_t sg,
		 struct lutgen_g_loc *out)
{
	struct x86_track st[16];
	struct x86_insn in;
	size_t off = 0;
	int n;

	memset(st, 0, sizeof(st));
	for (n = 0; n < PROLOGUE_MAX_INSNS && off < size; n++) {
		if (!x86_decode(code + off, size - off, is64, &in))
			break;
		if (x86_step(&in, is64, sg, st, out)) {
			out->insn_offset = off;
			return 0;
		}
		off += in.len;
	}
	return -ENOENT;
}

int lutgen_prologue_g(const char *goarch, const uint8_t *code, size_t size,
		      uint64_t addr, int64_t stackguard_off,
		      struct lutgen_g_loc *out, struct common_err *err)
{
	int rc;

	if (!goarch || !code || !out)
		return common_err_set(err, -EINVAL,
				     "lutgen_prologue_g: NULL argument");
	memset(out, 0, sizeof(*out));
	out->reg = -1;
	(void)addr;
	if (strcmp(goarch, "amd64") == 0 || strcmp(goarch, "386") == 0) {
		rc = x86_g(goarch[0] == 'a', code, size, stackguard_off, out);
	} else if (strcmp(goarch, "s390x") == 0) {
		rc = s390x_g(code, size, stackguard_off, out);
	} else {
		rc = fixed_g(goarch, code, size, stackguard_off, out);
	}
	if (rc == -ENOENT)
		return common_err_set(err, -ENOENT,
				     "no load of g.stackguard0 (offset %lld) in the first %d instructions (a function without a stack check?)",
				     (long long)stackguard_off,
				     PROLOGUE_MAX_INSNS);
	return rc;
}
