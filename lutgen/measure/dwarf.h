/* SPDX-License-Identifier: MIT */
/*
 * lutgen/measure/dwarf.h - the inspector: reads layouts from a Go ELF's DWARF with
 * libelf + libdw (DWARF 4 and 5, .zdebug and SHF_COMPRESSED sections).
 *
 * A missing type, field or function is an error (-ENOENT) naming it and the
 * binary; never a silent zero.
 */
#ifndef LUTGEN_DWARF_H
#define LUTGEN_DWARF_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "lutgen/core/value.h"
#include "lutgen/measure/layer.h"

struct lutgen_dwarf;

/* Open `path`; *out owned by caller (lutgen_dwarf_close). -ENODATA when
 * the file has no DWARF. */
int lutgen_dwarf_open(const char *path, struct lutgen_dwarf **out,
		      struct common_err *err);
void lutgen_dwarf_close(struct lutgen_dwarf *d);

/* GOARCH of the ELF ("amd64", "arm64", ...); borrowed. */
const char *lutgen_dwarf_goarch(const struct lutgen_dwarf *d);

/* Offset of `field_path` ("goid", "pfd.Sysfd"; embedded structs are
 * reached by their type name as Go spells the field) in Go type `type`
 * ("runtime.g", "internal/poll.FD", "crypto/tls.Conn"). */
int lutgen_dwarf_struct_offset(struct lutgen_dwarf *d, const char *type,
			       const char *field_path, uint64_t *out,
			       struct common_err *err);

int lutgen_dwarf_type_size(struct lutgen_dwarf *d, const char *type,
			   uint64_t *out, struct common_err *err);

/* Formal parameters of `function` at its entry pc, in declaration order
 * (receiver first, results excluded).  *params owned by caller: free each
 * with lutgen_value_free on a FUNC_PARAMS value, or use
 * lutgen_dwarf_lookup which fills a struct lutgen_value. */
int lutgen_dwarf_func_params(struct lutgen_dwarf *d, const char *function,
			     struct lutgen_param **params, size_t *nparams,
			     struct common_err *err);

/* Dispatch on kind: fill *out (caller frees with lutgen_value_free). */
int lutgen_dwarf_lookup(struct lutgen_dwarf *d, enum lutgen_lookup_kind kind,
			const char *type, const char *field,
			const char *function, struct lutgen_value *out,
			struct common_err *err);

#endif
