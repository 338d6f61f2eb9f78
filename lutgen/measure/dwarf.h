/* SPDX-License-Identifier: MIT */
/*
 * lutgen/measure/dwarf.h - the inspector: reads layouts from a Go ELF's
 * DWARF with libelf + libdw (DWARF 4 and 5, .zdebug and SHF_COMPRESSED
 * sections), for every Linux GOARCH.
 *
 * What it answers (enum lutgen_lookup_kind, value.h):
 *   struct_offset  offset of a field path in a struct type
 *   field_size     byte size of the type of a field path
 *   type_size      byte size of a type
 *   const          value of a Go constant the DWARF carries
 *   func_params    parameter locations at a function's entry
 *   func_results   result locations at a function's return instructions
 *   g_location     where the current g is at a function's entry
 * A field path is dotted ("pfd.Sysfd") and walks through embedded and
 * nested structs (not through pointers); a promoted field of an embedded
 * struct is found as Go finds x.f.
 *
 * A missing type, field, function or constant is -ENOENT naming it and the
 * binary; never a silent zero.
 *
 * Speed: sections are decompressed (libdeflate) only when a query needs
 * them, and names are resolved in one pass over the compilation units
 * that can hold them (a Go binary has one or more CUs per package; type
 * DIEs sit in the runtime package's CUs) before any query is answered;
 * only a name found nowhere there makes the inspector index every CU, once
 * per handle.
 *
 * Threads: handles are independent; any number may be used at once, one
 * thread per handle.
 */
#ifndef LUTGEN_DWARF_H
#define LUTGEN_DWARF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "lutgen/core/value.h"
#include "lutgen/measure/layer.h"

struct lutgen_dwarf;

/* What a handle must be able to answer: the sections it decompresses. */
enum lutgen_dwarf_need {
	/* struct_offset, field_size, type_size, const */
	LUTGEN_DWARF_NEED_TYPES = 1,
	/* func_params, func_results, g_location: location lists, addresses
	 * and code as well */
	LUTGEN_DWARF_NEED_CODE = 2,
	LUTGEN_DWARF_NEED_ALL = 3,
};

/* What answering `kind` needs (LUTGEN_DWARF_NEED_*). */
unsigned lutgen_dwarf_need_of(enum lutgen_lookup_kind kind);

/* Open `path` for everything; *out owned by caller (lutgen_dwarf_close).
 * -ENODATA when the file has no DWARF. */
int lutgen_dwarf_open(const char *path, struct lutgen_dwarf **out,
		      struct common_err *err);
/* Open for the queries `need` (LUTGEN_DWARF_NEED_* bits) says; asking
 * for more later is -EINVAL naming what to open it for. */
int lutgen_dwarf_open_for(const char *path, unsigned need,
			  struct lutgen_dwarf **out, struct common_err *err);
void lutgen_dwarf_close(struct lutgen_dwarf *d);

/* GOARCH of the ELF ("amd64", "arm64", ... "unknown"); borrowed. */
const char *lutgen_dwarf_goarch(const struct lutgen_dwarf *d);

/* Offset of `field_path` ("goid", "pfd.Sysfd", "sched.sp"; embedded
 * structs are reached by their type name as Go spells the field) in Go
 * type `type` ("runtime.g", "internal/poll.FD", "crypto/tls.Conn"). */
int lutgen_dwarf_struct_offset(struct lutgen_dwarf *d, const char *type,
			       const char *field_path, uint64_t *out,
			       struct common_err *err);

/* Byte size of the type of `field_path` in `type`. */
int lutgen_dwarf_field_size(struct lutgen_dwarf *d, const char *type,
			    const char *field_path, uint64_t *out,
			    struct common_err *err);

int lutgen_dwarf_type_size(struct lutgen_dwarf *d, const char *type,
			   uint64_t *out, struct common_err *err);

/* Value of constant `name` ("runtime._Grunning"). */
int lutgen_dwarf_const(struct lutgen_dwarf *d, const char *name,
		       int64_t *out, struct common_err *err);

/* Formal parameters of `function` at its entry pc, in declaration order
 * (receiver first, results excluded).  *params owned by caller
 * (lutgen_params_free). */
int lutgen_dwarf_func_params(struct lutgen_dwarf *d, const char *function,
			     struct lutgen_param **params, size_t *nparams,
			     struct common_err *err);

/* Results of `function` where they are at each of its return
 * instructions, in declaration order, named as the DWARF names them
 * (unnamed results: "~r0", "~r1" since go1.18, "~r1", "~r2" before).
 * Stack slots are relative to SP at the return instructions: SP at entry,
 * except on arm and mips, whose return instruction itself releases the
 * frame (LDR PC, [SP], #N; a delay slot ADDIU SP, SP, N): the offsets then
 * include the N read from the function's return instructions.  With the register ABI (measured: the function's, or the
 * binary's, parameters arrive in registers) results are assigned to
 * registers by Go's ABI rules, checked against the registers the DWARF
 * gives the parameters; with ABI0 they follow the arguments on the
 * stack.  *params owned by caller (lutgen_params_free). */
int lutgen_dwarf_func_results(struct lutgen_dwarf *d, const char *function,
			      struct lutgen_param **params, size_t *nparams,
			      struct common_err *err);

/* Where the current g is at the entry of `function`, read from its
 * stack-check prologue: one parameter "g" with one piece, a register
 * (LUTGEN_PIECE_REG) or a slot at an offset from the thread pointer
 * (LUTGEN_PIECE_TLS).  *params owned by caller (lutgen_params_free). */
int lutgen_dwarf_g_location(struct lutgen_dwarf *d, const char *function,
			    struct lutgen_param **params, size_t *nparams,
			    struct common_err *err);

/* A name some lookups will ask for: the type (type kinds) or the
 * symbol (function or constant) of one spelling. */
struct lutgen_dwarf_name {
	enum lutgen_lookup_kind kind;
	const char *type;
	const char *symbol;
};

/* Resolve every name of a batch of lookups in one pass over the CUs that
 * can hold them, so that the lookups that follow need no further scan.
 * Names that exist nowhere are not an error here (the lookup says so). */
int lutgen_dwarf_prefetch(struct lutgen_dwarf *d,
			  const struct lutgen_dwarf_name *names, size_t n,
			  struct common_err *err);

/* One lookup: `symbol` is the function (func_*, g_location) or the
 * constant (const).  Fills *out (caller frees with lutgen_value_free;
 * nothing to free on failure).  Alternatives and `optional` are
 * lutgen/measure/lookup.h's. */
int lutgen_dwarf_lookup(struct lutgen_dwarf *d, enum lutgen_lookup_kind kind,
			const char *type, const char *field,
			const char *symbol, struct lutgen_value *out,
			struct common_err *err);

#endif
