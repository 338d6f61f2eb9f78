/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of lutgen/binary/disasm: return-instruction offsets of one
 * function (amd64 through capstone, arm64 by a fixed-width scan).  The
 * machine code below is written by hand; the functions of real binaries
 * are checked by tests/e2e_inspect.py.  (Reading Go binaries is
 * generated/lutgen_gobin.c: tests/test_gobin.c.)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "lutgen/binary/disasm.h"

#define TARGET_VA 0x401010u

static void test_disasm(void **state)
{
	/* main.Target of the fixtures */
	static const uint8_t amd64[] = { 0x48, 0x89, 0xc3, 0xc3, 0x90, 0xc3,
					 0xcc, 0xcc };
	/* nop; ret; nop; ret x1; brk-ish zero word */
	static const uint8_t arm64[] = { 0x1f, 0x20, 0x03, 0xd5, 0xc0, 0x03,
					 0x5f, 0xd6, 0x1f, 0x20, 0x03, 0xd5,
					 0x20, 0x00, 0x5f, 0xd6, 0, 0, 0, 0 };
	/* the byte c3 inside "mov eax, 0xc3" is not a return */
	static const uint8_t amd64_imm[] = { 0xb8, 0xc3, 0x00, 0x00, 0x00,
					     0xc3 };
	struct common_err err = { 0 };
	uint64_t *offs = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(lutgen_disasm_returns("arm64", arm64, sizeof(arm64),
					       TARGET_VA, &offs, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(offs[0], 4);
	assert_int_equal(offs[1], 12);
	free(offs);
	if (!lutgen_disasm_supported("amd64")) {
		assert_int_equal(lutgen_disasm_returns("amd64", amd64,
						       sizeof(amd64), TARGET_VA,
						       &offs, &n, &err),
				 -ENOTSUP);
		return;
	}
	assert_int_equal(lutgen_disasm_returns("amd64", amd64, sizeof(amd64),
					       TARGET_VA, &offs, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(offs[0], 3);
	assert_int_equal(offs[1], 5);
	free(offs);
	assert_int_equal(lutgen_disasm_returns("amd64", amd64_imm,
					       sizeof(amd64_imm), 0, &offs, &n,
					       &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(offs[0], 5);
	free(offs);
	assert_int_equal(lutgen_disasm_returns("riscv64", amd64, sizeof(amd64),
					       0, &offs, &n, &err), -ENOTSUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disasm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
