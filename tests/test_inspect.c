/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the readers behind `lutgen inspect`: lutgen/elf,
 * buildinfo, pclntab, disasm.  Fixtures are the hand-made ELF files of
 * fuzz/corpus/inspect, written by fuzz/mkseeds.py; the expected values
 * below are the ones written down by hand in that generator.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lutgen/binary/buildinfo.h"
#include "lutgen/binary/disasm.h"
#include "lutgen/binary/elf.h"
#include "lutgen/binary/pclntab.h"

#define TEXT_VA 0x401000u
#define TARGET_VA 0x401010u

static struct lutgen_elf *open_fixture(const char *name)
{
	const char *root = getenv("LUTGEN_SOURCE_ROOT");
	char path[4096];
	struct lutgen_elf *e = NULL;
	struct common_err err = { 0 };
	int n;

	assert_non_null(root);
	n = snprintf(path, sizeof(path), "%s/fuzz/corpus/inspect/%s", root, name);
	assert_true(n > 0 && (size_t)n < sizeof(path));
	if (lutgen_elf_open(path, &e, &err) != 0)
		fail_msg("%s: %s", path, err.msg);
	return e;
}

static void check_target(struct lutgen_elf *e, enum lutgen_pclntab_layout lay,
			 const char *found_by, const char *text_source)
{
	struct lutgen_pclntab *pt = NULL;
	struct lutgen_pclntab_func f;
	struct common_err err = { 0 };
	uint64_t off;

	assert_int_equal(lutgen_pclntab_open(e, &pt, &err), 0);
	assert_int_equal(lutgen_pclntab_layout(pt), lay);
	assert_string_equal(lutgen_pclntab_found_by(pt), found_by);
	assert_string_equal(lutgen_pclntab_text_source(pt), text_source);
	assert_int_equal(lutgen_pclntab_nfuncs(pt), 2);
	assert_int_equal(lutgen_pclntab_find(pt, "main.main", &f, &err), 0);
	assert_int_equal(f.entry, TEXT_VA);
	assert_int_equal(f.end, TEXT_VA + 0x10);
	assert_int_equal(lutgen_pclntab_find(pt, "main.Target", &f, &err), 0);
	assert_int_equal(f.entry, TARGET_VA);
	assert_int_equal(f.end, TEXT_VA + 0x30);
	assert_int_equal(lutgen_elf_vaddr_to_offset(e, f.entry, &off), 0);
	assert_int_equal(off, 0x1010);
	assert_int_equal(lutgen_pclntab_find(pt, "main.nope", &f, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "main.nope"));
	lutgen_pclntab_free(pt);
}

static void check_buildinfo(struct lutgen_elf *e, const char *version,
			    enum lutgen_buildinfo_source src, bool inl)
{
	struct lutgen_buildinfo *bi = NULL;
	struct common_err err = { 0 };

	assert_int_equal(lutgen_buildinfo_read(e, &bi, &err), 0);
	assert_string_equal(bi->go_version, version);
	assert_int_equal(bi->source, src);
	assert_int_equal(bi->inline_layout, inl);
	assert_non_null(bi->path);
	assert_string_equal(bi->path, "example.com/fix");
	assert_string_equal(bi->main_module, "example.com/fix");
	assert_string_equal(bi->main_version, "(devel)");
	assert_int_equal(bi->nsettings, 5);
	assert_string_equal(lutgen_buildinfo_setting(bi, "-buildmode"), "exe");
	assert_string_equal(lutgen_buildinfo_setting(bi, "CGO_ENABLED"), "0");
	assert_string_equal(lutgen_buildinfo_setting(bi, "-ldflags"), "-s -w");
	assert_string_equal(lutgen_buildinfo_setting(bi, "GOAMD64"), "v3");
	assert_null(lutgen_buildinfo_setting(bi, "-trimpath"));
	lutgen_buildinfo_free(bi);
}

static void test_go120(void **state)
{
	struct lutgen_elf *e = open_fixture("go120_amd64.elf");
	struct lutgen_elf_facts f;
	char why[64];

	(void)state;
	assert_string_equal(lutgen_elf_goarch(e), "amd64");
	lutgen_elf_facts(e, &f);
	assert_true(f.is_static);
	assert_false(f.pie);
	assert_false(f.shared_object);
	assert_false(f.has_symtab);
	assert_false(f.has_dwarf);
	assert_true(f.has_sections);
	assert_string_equal(f.interp, "");
	assert_false(lutgen_buildinfo_is_gccgo(e, why, sizeof(why)));
	check_buildinfo(e, "go1.22.4", LUTGEN_BUILDINFO_SECTION, true);
	check_target(e, LUTGEN_PCLNTAB_GO120, "section", "pclntab header");
	lutgen_elf_free(e);
}

static void test_go118(void **state)
{
	struct lutgen_elf *e = open_fixture("go118_amd64.elf");

	(void)state;
	check_target(e, LUTGEN_PCLNTAB_GO118, "section", "pclntab header");
	lutgen_elf_free(e);
}

static void test_go126_moduledata(void **state)
{
	struct lutgen_elf *e = open_fixture("go126_moduledata.elf");

	(void)state;
	/* header textStart is 0: the text comes from moduledata word 22 */
	check_target(e, LUTGEN_PCLNTAB_GO120, "section", "moduledata");
	lutgen_elf_free(e);
}

static void test_pie_relocations(void **state)
{
	struct lutgen_elf *e = open_fixture("go126_pie_rela.elf");
	struct lutgen_elf_facts f;
	uint64_t v = 1;

	(void)state;
	lutgen_elf_facts(e, &f);
	assert_true(f.pie);
	assert_false(f.shared_object);
	assert_true(f.is_static);
	/* moduledata word 22 (text) is 0 in the file, set by a relocation */
	assert_int_equal(lutgen_elf_read_ptr(e, 0x403800u + 22 * 8, &v), 0);
	assert_int_equal(v, TEXT_VA);
	check_target(e, LUTGEN_PCLNTAB_GO120, "section", "moduledata");
	lutgen_elf_free(e);
}

static void test_no_sections(void **state)
{
	struct lutgen_elf *e = open_fixture("go120_nosections.elf");
	struct lutgen_elf_facts f;

	(void)state;
	lutgen_elf_facts(e, &f);
	assert_false(f.has_sections);
	check_buildinfo(e, "go1.22.4", LUTGEN_BUILDINFO_SEGMENT_SCAN, true);
	check_target(e, LUTGEN_PCLNTAB_GO120, "scan", "pclntab header");
	lutgen_elf_free(e);
}

static void test_go115_pointer_layout(void **state)
{
	struct lutgen_elf *e = open_fixture("go115_ptrinfo.elf");

	(void)state;
	check_buildinfo(e, "go1.15.15", LUTGEN_BUILDINFO_SECTION, false);
	check_target(e, LUTGEN_PCLNTAB_GO12, "section", "not needed");
	lutgen_elf_free(e);
}

static void test_arm64(void **state)
{
	struct lutgen_elf *e = open_fixture("go120_arm64.elf");

	(void)state;
	assert_string_equal(lutgen_elf_goarch(e), "arm64");
	check_target(e, LUTGEN_PCLNTAB_GO120, "section", "pclntab header");
	lutgen_elf_free(e);
}

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

static void test_modinfo(void **state)
{
	static const char text[] =
		"path\tx.org/cmd/a\n"
		"mod\tx.org\tv1.2.3\th1:abc=\n"
		"dep\tgolang.org/x/sys\tv0.1.0\th1:x=\n"
		"build\t-ldflags=\"-X main.v=\\\"1\\\"\"\n"
		"build\tvcs.revision=0123abcd\n"
		"build\tnoequals\n"
		"build\tvcs.modified=true";
	struct lutgen_buildinfo *bi = calloc(1, sizeof(*bi));

	(void)state;
	assert_non_null(bi);
	assert_int_equal(lutgen_buildinfo_parse_modinfo(bi, text, strlen(text)), 0);
	assert_string_equal(bi->path, "x.org/cmd/a");
	assert_string_equal(bi->main_module, "x.org");
	assert_string_equal(bi->main_version, "v1.2.3");
	assert_int_equal(bi->nsettings, 3);
	assert_string_equal(lutgen_buildinfo_setting(bi, "-ldflags"),
			    "-X main.v=\"1\"");
	assert_string_equal(lutgen_buildinfo_setting(bi, "vcs.revision"),
			    "0123abcd");
	assert_string_equal(lutgen_buildinfo_setting(bi, "vcs.modified"), "true");
	lutgen_buildinfo_free(bi);
}

/* Every prefix of a fixture and a few corruptions: errors, never a
 * crash (ASan/valgrind runs make this meaningful). */
static void test_truncated_and_corrupt(void **state)
{
	struct lutgen_elf *e = open_fixture("go120_amd64.elf");
	const uint8_t *d;
	uint8_t *copy;
	size_t size, cut, i;
	struct common_err err = { 0 };

	(void)state;
	d = lutgen_elf_data(e, &size);
	copy = malloc(size);
	assert_non_null(copy);
	for (cut = 0; cut < size; cut += (cut < 128 ? 1 : 97)) {
		struct lutgen_elf *t = NULL;
		struct lutgen_buildinfo *bi = NULL;
		struct lutgen_pclntab *pt = NULL;
		uint64_t want;

		if (lutgen_elf_open_memory(d, cut, &t, &err) != 0) {
			assert_true(err.msg[0] != '\0');
			continue;
		}
		assert_true(lutgen_elf_truncated(t, &want));
		if (lutgen_buildinfo_read(t, &bi, NULL) == 0)
			lutgen_buildinfo_free(bi);
		if (lutgen_pclntab_open(t, &pt, NULL) == 0) {
			struct lutgen_pclntab_func f;

			for (i = 0; i < lutgen_pclntab_nfuncs(pt); i++)
				(void)lutgen_pclntab_func(pt, i, &f);
			lutgen_pclntab_free(pt);
		}
		lutgen_elf_free(t);
	}
	/* Flip bytes of the headers and tables one at a time. */
	for (i = 0; i < size; i += (i < 0x200 ? 1 : 13)) {
		struct lutgen_elf *t = NULL;
		struct lutgen_pclntab *pt = NULL;
		struct lutgen_buildinfo *bi = NULL;

		memcpy(copy, d, size);
		copy[i] ^= 0xff;
		if (lutgen_elf_open_memory(copy, size, &t, NULL) != 0)
			continue;
		if (lutgen_buildinfo_read(t, &bi, NULL) == 0)
			lutgen_buildinfo_free(bi);
		if (lutgen_pclntab_open(t, &pt, NULL) == 0) {
			struct lutgen_pclntab_func f;

			(void)lutgen_pclntab_find(pt, "main.Target", &f, NULL);
			lutgen_pclntab_free(pt);
		}
		lutgen_elf_free(t);
	}
	free(copy);
	lutgen_elf_free(e);
}

static void test_not_elf(void **state)
{
	static const char text[] = "#!/bin/sh\necho hello\n";
	struct lutgen_elf *e = NULL;
	struct common_err err = { 0 };

	(void)state;
	assert_int_equal(lutgen_elf_open_memory(text, sizeof(text), &e, &err),
			 -ENOEXEC);
	assert_non_null(strstr(err.msg, "not an ELF file"));
	assert_int_equal(lutgen_elf_open_memory("\177ELF\2\1\1", 7, &e, &err),
			 -ENOEXEC);
	assert_non_null(strstr(err.msg, "truncated"));
	assert_int_equal(lutgen_elf_open("/nonexistent/lutgen/x", &e, &err),
			 -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go120),
		cmocka_unit_test(test_go118),
		cmocka_unit_test(test_go126_moduledata),
		cmocka_unit_test(test_pie_relocations),
		cmocka_unit_test(test_no_sections),
		cmocka_unit_test(test_go115_pointer_layout),
		cmocka_unit_test(test_arm64),
		cmocka_unit_test(test_disasm),
		cmocka_unit_test(test_modinfo),
		cmocka_unit_test(test_truncated_and_corrupt),
		cmocka_unit_test(test_not_elf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
