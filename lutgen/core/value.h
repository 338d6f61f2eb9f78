/* SPDX-License-Identifier: MIT */
/*
 * lutgen/core/value.h - what a lookup measures in one binary.
 *
 * u64 kinds (struct_offset, field_size, type_size) keep their answer in
 * `u`; const keeps the constant's int64 value in `u` (two's complement,
 * read it back with (int64_t)u); the location kinds (func_params,
 * func_results, g_location) keep a list of lutgen_param.
 *
 * Conventions for locations (func_params, func_results, g_location):
 *  - LUTGEN_PIECE_REG: `reg` is the DWARF register number, `reg_name` the
 *    Go assembler spelling for the arch (amd64: RAX RBX RCX RDI RSI R8..R11
 *    X0..X14 ...; arm64: R0..R30, F0..F31 ...).
 *  - LUTGEN_PIECE_STACK: `stack_offset` is relative to the stack pointer at
 *    the function's first instruction, i.e. what a uprobe handler sees in
 *    SP when it fires on the symbol address.  (amd64: the return address
 *    is at 0(SP), so the first stack argument is at 8(SP); arm64: the
 *    return address is in LR and Go's frame convention puts the first
 *    argument at 8(SP).)
 *  - func_results: stack slots are relative to SP at the function's
 *    return instructions: SP at entry, except on arm and mips, where the
 *    return instruction itself releases the frame and SP there is lower
 *    by the frame size (which the offsets then include).
 *  - LUTGEN_PIECE_TLS (g_location): `stack_offset` is the offset of the
 *    slot from the thread pointer (the FS base on amd64, the GS-based
 *    TLS block on 386).
 *  - Each piece has its size in bytes; a parameter's pieces are in order
 *    (DW_OP_piece), a single-location parameter has one piece of its size.
 *  - A parameter without a location at the entry pc (unused) has no
 *    pieces; pieces cover fewer bytes than `size` when DWARF leaves the
 *    trailing words out (dead, e.g. a slice's cap).
 */
#ifndef LUTGEN_VALUE_H
#define LUTGEN_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "lutgen/core/layer.h"

enum lutgen_lookup_kind {
	LUTGEN_LOOKUP_STRUCT_OFFSET = 0,
	LUTGEN_LOOKUP_TYPE_SIZE,
	LUTGEN_LOOKUP_FUNC_PARAMS,
	LUTGEN_LOOKUP_FIELD_SIZE,
	LUTGEN_LOOKUP_CONST,
	LUTGEN_LOOKUP_FUNC_RESULTS,
	LUTGEN_LOOKUP_G_LOCATION,
	LUTGEN_LOOKUP_KIND_COUNT
};

enum lutgen_piece_kind {
	LUTGEN_PIECE_REG = 0,
	LUTGEN_PIECE_STACK,
	LUTGEN_PIECE_TLS,
};

struct lutgen_piece {
	enum lutgen_piece_kind kind;
	int reg;                /* DWARF register number (REG) */
	char reg_name[8];       /* "RAX", "R0", ... (REG) */
	int64_t stack_offset;   /* bytes from SP at entry (STACK), from the
				   thread pointer (TLS) */
	uint64_t size;          /* bytes */
};

struct lutgen_param {
	char *name;
	uint64_t size;          /* byte size of the parameter's type */
	struct lutgen_piece *pieces;
	size_t npieces;
};

struct lutgen_value {
	enum lutgen_lookup_kind kind;
	/* An optional lookup whose type, field or function the binary does
	 * not have: u is 0 and there are no params. */
	bool absent;
	uint64_t u;                    /* u64 kinds; CONST as int64 */
	struct lutgen_param *params;   /* location kinds, owned */
	size_t nparams;
	/* For a lookup with alternatives: the spellings that answered
	 * (owned; NULL for a key with one spelling, and when absent). */
	char *match_type;
	char *match_field;
	char *match_function;
	char *match_const;
};

/* Deep copy / free / compare (0 = equal).  lutgen_value_free frees what
 * the value owns, not the struct itself.  Comparison is of what a lookup
 * answers (absent, number, parameter locations); which alternative
 * answered does not make two values differ. */
int lutgen_value_copy(struct lutgen_value *dst, const struct lutgen_value *src);
void lutgen_value_free(struct lutgen_value *v);
int lutgen_value_cmp(const struct lutgen_value *a, const struct lutgen_value *b);
/* Free an array of n values and what each owns (NULL ok). */
void lutgen_values_free(struct lutgen_value *vs, size_t n);
/* Free an array of n parameters and what each owns (NULL ok). */
void lutgen_params_free(struct lutgen_param *ps, size_t n);

/* Human-readable one-line rendering ("152", "c:RAX(8) b:RBX(8)+RCX(8)+RDI(8)",
 * "absent"), written into buf; returns 0 or -ENOSPC. */
int lutgen_value_format(const struct lutgen_value *v, char *buf, size_t size);

/* "struct_offset", ...; "unknown" out of range. */
const char *lutgen_lookup_kind_name(enum lutgen_lookup_kind k);
/* Name -> kind: 0, or -EINVAL for an unknown name. */
int lutgen_lookup_kind_parse(const char *name, enum lutgen_lookup_kind *out);
/* Does `k` answer a list of locations (func_params, func_results,
 * g_location) rather than a number? */
bool lutgen_lookup_kind_is_locations(enum lutgen_lookup_kind k);

struct cJSON;

/*
 * The one JSON spelling of a measured value, used by every file that
 * carries one (result cache, results files, generated/<name>.json):
 *   absent (optional lookup)     null
 *   struct_offset, field_size,   152
 *   type_size
 *   const                        -1 (the signed value)
 *   func_params, func_results,   [{"name": "c", "size": 8, "pieces": [
 *   g_location                      {"kind": "reg", "reg": 0,
 *                                    "reg_name": "RAX", "size": 8},
 *                                   {"kind": "stack", "stack_offset": 8,
 *                                    "size": 8},
 *                                   {"kind": "tls", "stack_offset": -8,
 *                                    "size": 8}]}]
 * Which alternative answered travels beside the value as "matched".
 */
/* A new cJSON (caller deletes), NULL when out of memory. */
struct cJSON *lutgen_value_to_json(const struct lutgen_value *v);
/* Parse it back as a value of lookup kind `kind` into *out (caller
 * releases with lutgen_value_free); `where` names it in errors.  null is
 * read as absent: whether the lookup may be absent is the caller's
 * check. */
int lutgen_value_from_json(const struct cJSON *j, enum lutgen_lookup_kind kind,
			   struct lutgen_value *out, const char *where,
			   struct common_err *err);

/* Which alternatives answered, as the JSON object every file format uses:
 * {"type": "...", "field": "...", "function": "...", "const": "..."}
 * with only the keys
 * that are set.  *out is NULL when none is (caller deletes it with
 * cJSON_Delete).  0 or -ENOMEM. */
int lutgen_value_matched_to_json(const struct lutgen_value *v,
				 struct cJSON **out);
/* Read such an object into v's match_* (NULL j: nothing).  0, -EINVAL for
 * another shape, -ENOMEM. */
int lutgen_value_matched_from_json(const struct cJSON *j,
				   struct lutgen_value *v);

#endif
