/* SPDX-License-Identifier: MIT */
/* Return instructions of one function (amd64 via capstone, arm64 scan). */
#include "lutgen/binary/disasm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifdef LUTGEN_HAVE_CAPSTONE
#include <capstone/capstone.h>
#endif

struct offs {
	uint64_t *v;
	size_t n, cap;
};

static int push(struct offs *o, uint64_t off)
{
	if (o->n == o->cap) {
		size_t ncap = o->cap ? o->cap * 2 : 8;
		uint64_t *nv = realloc(o->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		o->v = nv;
		o->cap = ncap;
	}
	o->v[o->n++] = off;
	return 0;
}

static int arm64_returns(const uint8_t *code, size_t size, struct offs *o)
{
	size_t i;

	for (i = 0; i + 4 <= size; i += 4) {
		uint32_t w = (uint32_t)code[i] | (uint32_t)code[i + 1] << 8 |
			     (uint32_t)code[i + 2] << 16 |
			     (uint32_t)code[i + 3] << 24;

		/* RET Xn: 1101011 0010 11111 000000 Rn 00000 */
		if ((w & 0xfffffc1fu) == 0xd65f0000u && push(o, i) != 0)
			return -ENOMEM;
	}
	return 0;
}

#ifdef LUTGEN_HAVE_CAPSTONE
static int amd64_returns(const uint8_t *code, size_t size, uint64_t addr,
			 struct offs *o, struct common_err *err)
{
	csh h;
	cs_insn *insn;
	const uint8_t *p = code;
	size_t left = size;
	uint64_t pc = addr;
	int rc = 0;

	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return common_err_set(err, -ENOMEM, "capstone: cs_open failed");
	insn = cs_malloc(h);
	if (!insn) {
		rc = common_err_set(err, -ENOMEM, "capstone: %s",
				    cs_strerror(cs_errno(h)));
		goto out;
	}
	while (left > 0) {
		const uint8_t *before = p;

		if (!cs_disasm_iter(h, &p, &left, &pc, insn)) {
			/* Undecodable byte: step over it. */
			p = before + 1;
			left--;
			pc++;
			continue;
		}
		if ((insn->id == X86_INS_RET || insn->id == X86_INS_RETF ||
		     insn->id == X86_INS_RETFQ) &&
		    push(o, insn->address - addr) != 0) {
			rc = common_err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
	}
out:
	if (insn)
		cs_free(insn, 1);
	cs_close(&h);
	return rc;
}
#endif

int lutgen_disasm_supported(const char *goarch)
{
	if (strcmp(goarch, "arm64") == 0)
		return 1;
#ifdef LUTGEN_HAVE_CAPSTONE
	if (strcmp(goarch, "amd64") == 0)
		return 1;
#endif
	return 0;
}

int lutgen_disasm_returns(const char *goarch, const uint8_t *code,
			  size_t size, uint64_t addr, uint64_t **offs,
			  size_t *n, struct common_err *err)
{
	struct offs o = { 0 };
	int rc;

	*offs = NULL;
	*n = 0;
	if (strcmp(goarch, "arm64") == 0) {
		rc = arm64_returns(code, size, &o);
		if (rc)
			common_err_set(err, rc, "out of memory");
	} else if (strcmp(goarch, "amd64") == 0) {
#ifdef LUTGEN_HAVE_CAPSTONE
		rc = amd64_returns(code, size, addr, &o, err);
#else
		(void)addr;
		rc = common_err_set(err, -ENOTSUP,
				    "return offsets on amd64 need capstone (rebuild with -Dcapstone=enabled)");
#endif
	} else {
		rc = common_err_set(err, -ENOTSUP,
				    "return offsets are not supported on %s (amd64 and arm64 only)",
				    goarch);
	}
	if (rc) {
		free(o.v);
		return rc;
	}
	*offs = o.v;
	*n = o.n;
	return 0;
}
