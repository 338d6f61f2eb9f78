/* SPDX-License-Identifier: MIT */
/*
 * lutgen/measure/dwarf_g.c - where the current g is at a function's entry:
 * the function's address range from its DWARF, its first instructions
 * from the ELF, the offset of runtime.g.stackguard0 from the DWARF, and
 * lutgen/binary/prologue.c to read which register (or TLS slot) the stack
 * check loads g.stackguard0 through.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lutgen/measure/prologue.h"
#include "lutgen/measure/dwarf_internal.h"

/* Bytes of a function read for its prologue. */
#define PROLOGUE_BYTES 96

int lutgen_dwarf_g_location(struct lutgen_dwarf *d, const char *function,
			    struct lutgen_param **params, size_t *nparams,
			    struct common_err *err)
{
	struct lutgen_param *p = NULL;
	struct lutgen_g_loc loc;
	Dwarf_Addr lo, hi;
	Dwarf_Die fn;
	const uint8_t *code;
	size_t size = PROLOGUE_BYTES;
	uint64_t sg;
	int rc;

	if (!d || !function || !params || !nparams)
		return common_err_set(err, -EINVAL,
				     "lutgen_dwarf_g_location: NULL argument");
	*params = NULL;
	*nparams = 0;
	if (!d->arch)
		return common_err_set(err, -EOPNOTSUPP,
				     "%s: g_location needs a Linux GOARCH",
				     d->path);
	rc = lutgen_dwarf_find(d, LUTGEN_WANT_FUNC, function, &fn, err);
	if (rc)
		return rc;
	if (dwarf_lowpc(&fn, &lo) != 0 || dwarf_highpc(&fn, &hi) != 0 || hi <= lo)
		return common_err_set(err, -EPROTO,
				     "reading the address range of '%s' in %s: %s",
				     function, d->path, dwarf_errmsg(-1));
	rc = lutgen_dwarf_struct_offset(d, "runtime.g", "stackguard0", &sg, err);
	if (rc)
		return rc;
	if (size > hi - lo)
		size = (size_t)(hi - lo);
	code = lutgen_dwarf_code(d, lo, &size);
	if (!code)
		return common_err_set(err, -EPROTO,
				     "the code of '%s' (0x%llx) is in no executable section of %s",
				     function, (unsigned long long)lo, d->path);
	rc = lutgen_prologue_g(d->goarch, code, size, lo, (int64_t)sg, &loc, err);
	if (rc)
		return common_err_prefix(err, rc, "g at the entry of %s in %s",
					function, d->path);
	p = calloc(1, sizeof(*p));
	if (p)
		p->pieces = calloc(1, sizeof(*p->pieces));
	if (p)
		p->name = strdup("g");
	if (!p || !p->pieces || !p->name) {
		lutgen_params_free(p, 1);
		return common_err_set(err, -ENOMEM, "out of memory");
	}
	p->size = d->arch->ptr_size;
	p->npieces = 1;
	p->pieces[0].size = d->arch->ptr_size;
	if (loc.where == LUTGEN_G_IN_REG) {
		p->pieces[0].kind = LUTGEN_PIECE_REG;
		p->pieces[0].reg = loc.reg;
		lutgen_abi_reg_name(d->arch, loc.reg, p->pieces[0].reg_name,
				    sizeof(p->pieces[0].reg_name));
	} else {
		p->pieces[0].kind = LUTGEN_PIECE_TLS;
		p->pieces[0].reg = -1;
		p->pieces[0].stack_offset = loc.tls_offset;
	}
	*params = p;
	*nparams = 1;
	return 0;
}
