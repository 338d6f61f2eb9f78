/* SPDX-License-Identifier: MIT */
/*
 * lutgen/binary/disasm.h - offsets of a function's return instructions, for
 * placing uprobes at every return (uretprobes are unsafe on Go's movable
 * goroutine stacks).
 *
 * amd64 is decoded with capstone (RET/RETF in any encoding, following the
 * instruction stream so bytes inside other instructions never match);
 * without capstone it is -ENOTSUP.  arm64 is a fixed-width scan for
 * RET (0xd65f03c0, RET x30) and RET Xn.
 *
 * Convention: 0 / negative errno, `err` (may be NULL) gets one line.
 */
#ifndef LUTGEN_DISASM_H
#define LUTGEN_DISASM_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "lutgen/binary/layer.h"

/* Return-instruction offsets from the start of `code` (the function's
 * entry at virtual address `addr`), ascending.  *offs malloc'd (free()),
 * NULL when *n is 0.  -ENOTSUP for other GOARCHes. */
int lutgen_disasm_returns(const char *goarch, const uint8_t *code,
			  size_t size, uint64_t addr, uint64_t **offs,
			  size_t *n, struct common_err *err);

/* True when this build can decode `goarch`. */
int lutgen_disasm_supported(const char *goarch);

#endif
