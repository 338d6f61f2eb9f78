/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the vendorable Go binary reader, generated/lutgen_gobin.c
 * (the same object agents copy).  Fixtures are the hand-made ELF files of
 * fuzz/corpus/inspect written by fuzz/mkseeds.py; every expected value
 * below is the one written down by hand in that generator, or a fact of
 * the file system (FIFOs, sparse files), never lutgen's own output.
 * Real binaries are the e2e tests' business (tests/e2e_inspect.py).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "goid.h"
#include "lutgen_gobin.h"

#define TEXT_VA 0x401000u
#define TARGET_VA 0x401010u

static char tmpdir[4096];

static const char *fixture_path(const char *name)
{
	static char path[4096];
	const char *root = getenv("LUTGEN_SOURCE_ROOT");
	int n;

	assert_non_null(root);
	n = snprintf(path, sizeof(path), "%s/fuzz/corpus/inspect/%s", root,
		     name);
	assert_true(n > 0 && (size_t)n < sizeof(path));
	return path;
}

static struct lutgen_gobin *open_fixture_flags(const char *name,
					       unsigned flags)
{
	struct lutgen_gobin_opts o;
	struct lutgen_gobin_err err;
	struct lutgen_gobin *b = NULL;

	memset(&o, 0, sizeof(o));
	o.flags = flags;
	if (lutgen_gobin_open(fixture_path(name), &o, &b, &err) != 0)
		fail_msg("%s: %s", name, err.msg);
	return b;
}

static struct lutgen_gobin *open_fixture(const char *name)
{
	return open_fixture_flags(name, 0);
}

static uint8_t *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *d;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	d = malloc((size_t)n);
	assert_non_null(d);
	assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return d;
}

/* main.main at the text start (16 bytes), main.Target after it (32). */
static void check_funcs(const struct lutgen_gobin *b)
{
	struct lutgen_gobin_func f;

	assert_int_equal(lutgen_gobin_info(b)->nfuncs, 2);
	assert_int_equal(lutgen_gobin_func_find(b, "main.main", &f), 0);
	assert_string_equal(f.name, "main.main");
	assert_int_equal(f.addr, TEXT_VA);
	assert_int_equal(f.size, 0x10);
	assert_int_equal(f.offset, 0x1000);
	assert_int_equal(f.source, LUTGEN_GOBIN_SYM_PCLNTAB);
	assert_int_equal(lutgen_gobin_func_find(b, "main.Target", &f), 0);
	assert_int_equal(f.addr, TARGET_VA);
	assert_int_equal(f.size, 0x20);
	assert_int_equal(f.offset, 0x1010);
	assert_int_equal(lutgen_gobin_func_find(b, "main.nope", &f), -ENOENT);
	assert_int_equal(lutgen_gobin_func_find(b, "main.mai", &f), -ENOENT);
	/* pc -> function */
	assert_int_equal(lutgen_gobin_func_at(b, TEXT_VA, &f), 0);
	assert_string_equal(f.name, "main.main");
	assert_int_equal(lutgen_gobin_func_at(b, TEXT_VA + 0xf, &f), 0);
	assert_string_equal(f.name, "main.main");
	assert_int_equal(lutgen_gobin_func_at(b, TARGET_VA + 5, &f), 0);
	assert_string_equal(f.name, "main.Target");
	assert_int_equal(f.addr, TARGET_VA);
	assert_int_equal(lutgen_gobin_func_at(b, TEXT_VA + 0x2f, &f), 0);
	assert_int_equal(lutgen_gobin_func_at(b, TEXT_VA + 0x30, &f), -ENOENT);
	assert_int_equal(lutgen_gobin_func_at(b, TEXT_VA - 1, &f), -ENOENT);
	assert_int_equal(lutgen_gobin_func_get(b, 1, &f), 0);
	assert_string_equal(f.name, "main.Target");
	assert_int_equal(lutgen_gobin_func_get(b, 2, &f), -EINVAL);
}

/* The build information every fixture but the modules one carries. */
static void check_fix_buildinfo(const struct lutgen_gobin *b,
				const char *version,
				enum lutgen_gobin_bisource src, bool inl)
{
	const struct lutgen_gobin_info *in = lutgen_gobin_info(b);

	assert_string_equal(in->go_version_raw, version);
	assert_string_equal(in->go_version, version);
	assert_int_equal(in->buildinfo_source, src);
	assert_int_equal(in->buildinfo_inline, inl);
	assert_string_equal(in->path, "example.com/fix");
	assert_non_null(in->main_module);
	assert_string_equal(in->main_module->path, "example.com/fix");
	assert_string_equal(in->main_module->version, "(devel)");
	assert_string_equal(in->main_module->sum, "");
	assert_null(in->main_module->replace);
	assert_int_equal(in->ndeps, 0);
	assert_int_equal(in->nsettings, 5);
	assert_string_equal(lutgen_gobin_setting(b, "-buildmode"), "exe");
	assert_string_equal(lutgen_gobin_setting(b, "CGO_ENABLED"), "0");
	assert_string_equal(lutgen_gobin_setting(b, "-ldflags"), "-s -w");
	assert_string_equal(lutgen_gobin_setting(b, "GOAMD64"), "v3");
	assert_null(lutgen_gobin_setting(b, "-trimpath"));
	assert_string_equal(in->settings[2].key, "-ldflags");
	assert_string_equal(in->buildmode, "exe");
	assert_false(in->buildmode_derived);
	assert_int_equal(in->cgo, 0);
	assert_int_equal(in->race, 0);
	assert_int_equal(in->trimpath, 0);
	assert_int_equal(in->nexperiments, 0);
	assert_false(in->gccgo);
}

static void test_go120(void **state)
{
	struct lutgen_gobin *b = open_fixture("go120_amd64.elf");
	const struct lutgen_gobin_info *in = lutgen_gobin_info(b);

	(void)state;
	assert_string_equal(in->goarch, "amd64");
	assert_int_equal(in->ptr_size, 8);
	assert_false(in->big_endian);
	assert_int_equal(in->elf_type, 2);
	assert_int_equal(in->elf_machine, 62);
	assert_int_equal(in->kind, LUTGEN_GOBIN_EXECUTABLE);
	assert_false(in->pie);
	assert_true(in->is_static);
	assert_string_equal(in->interp, "");
	assert_int_equal(in->nneeded, 0);
	assert_true(in->has_sections);
	assert_false(in->has_symtab);
	assert_false(in->has_dwarf);
	assert_false(in->truncated);
	assert_string_equal(in->goarch_level_key, "GOAMD64");
	assert_string_equal(in->goarch_level, "v3");
	assert_true(in->version_ok);
	assert_int_equal(in->version.major, 1);
	assert_int_equal(in->version.minor, 22);
	assert_int_equal(in->version.patch, 4);
	check_fix_buildinfo(b, "go1.22.4", LUTGEN_GOBIN_BI_SECTION, true);
	assert_int_equal(in->pclntab_layout, 120);
	assert_string_equal(in->pclntab_found_by, "section");
	assert_string_equal(in->text_start_source, "pclntab header");
	assert_int_equal(in->text_start, TEXT_VA);
	check_funcs(b);
	lutgen_gobin_free(b);
}

static void test_layouts(void **state)
{
	static const struct {
		const char *file;
		int layout;
		const char *found_by, *text_source, *version;
		enum lutgen_gobin_bisource bi;
		bool inl;
	} cases[] = {
		{ "go116_amd64.elf", 116, "section", "not needed",
		  "go1.22.4", LUTGEN_GOBIN_BI_SECTION, true },
		{ "go118_amd64.elf", 118, "section", "pclntab header",
		  "go1.22.4", LUTGEN_GOBIN_BI_SECTION, true },
		/* header textStart is 0: moduledata word 22 (.go.module is
		 * not in the fixture: found by scanning the data segment) */
		{ "go126_moduledata.elf", 120, "section", "moduledata",
		  "go1.22.4", LUTGEN_GOBIN_BI_SECTION, true },
		{ "go120_nosections.elf", 120, "scan", "pclntab header",
		  "go1.22.4", LUTGEN_GOBIN_BI_SEGMENT, true },
		{ "go115_ptrinfo.elf", 12, "section", "not needed",
		  "go1.15.15", LUTGEN_GOBIN_BI_SECTION, false },
		{ "go120_arm64.elf", 120, "section", "pclntab header",
		  "go1.22.4", LUTGEN_GOBIN_BI_SECTION, true },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lutgen_gobin *b = open_fixture(cases[i].file);
		const struct lutgen_gobin_info *in = lutgen_gobin_info(b);

		assert_int_equal(in->pclntab_layout, cases[i].layout);
		assert_string_equal(in->pclntab_found_by, cases[i].found_by);
		assert_string_equal(in->text_start_source,
				    cases[i].text_source);
		check_fix_buildinfo(b, cases[i].version, cases[i].bi,
				    cases[i].inl);
		check_funcs(b);
		lutgen_gobin_free(b);
	}
}

static void test_arm64_nosections(void **state)
{
	struct lutgen_gobin *b = open_fixture("go120_arm64.elf");

	(void)state;
	assert_string_equal(lutgen_gobin_info(b)->goarch, "arm64");
	assert_string_equal(lutgen_gobin_info(b)->goarch_level_key, "GOARM64");
	assert_null(lutgen_gobin_info(b)->goarch_level);
	lutgen_gobin_free(b);
	b = open_fixture("go120_nosections.elf");
	assert_false(lutgen_gobin_info(b)->has_sections);
	lutgen_gobin_free(b);
}

static void test_pie_relocations(void **state)
{
	struct lutgen_gobin *b = open_fixture("go126_pie_rela.elf");
	const struct lutgen_gobin_info *in = lutgen_gobin_info(b);
	uint8_t word[8];

	(void)state;
	assert_true(in->pie);
	assert_int_equal(in->kind, LUTGEN_GOBIN_PIE);
	assert_true(in->is_static);
	/* moduledata word 22 (text) is 0 in the file, set by a relocation */
	assert_int_equal(lutgen_gobin_read(b, 0x403800u + 22 * 8, word, 8), 0);
	assert_memory_equal(word, "\0\0\0\0\0\0\0\0", 8);
	assert_string_equal(in->text_start_source, "moduledata");
	assert_int_equal(in->text_start, TEXT_VA);
	check_funcs(b);
	lutgen_gobin_free(b);
}

static void test_modules(void **state)
{
	struct lutgen_gobin *b = open_fixture("go120_modules.elf");
	const struct lutgen_gobin_info *in = lutgen_gobin_info(b);
	const struct lutgen_gobin_module *m;
	char buf[64];

	(void)state;
	assert_string_equal(in->go_version_raw,
			    "go1.20.7 X:boringcrypto,loopvar");
	assert_string_equal(in->go_version, "go1.20.7");
	assert_true(in->version_ok);
	assert_int_equal(in->version.minor, 20);
	assert_int_equal(in->version.patch, 7);
	assert_int_equal(in->nexperiments, 2);
	assert_string_equal(in->experiments[0], "boringcrypto");
	assert_string_equal(in->experiments[1], "loopvar");
	assert_string_equal(in->path, "example.com/app/cmd/agent");
	assert_string_equal(in->main_module->path, "example.com/app");
	assert_int_equal(in->ndeps, 6);
	assert_string_equal(in->deps[0].path, "github.com/google/uuid");
	assert_string_equal(in->deps[0].version, "v1.6.0");
	assert_string_equal(in->deps[0].sum,
			    "h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=");
	assert_null(in->deps[0].replace);
	/* replaced by another version */
	m = lutgen_gobin_module_find(b, "google.golang.org/grpc");
	assert_ptr_equal(m, &in->deps[1]);
	assert_string_equal(m->version, "v1.62.0");
	assert_string_equal(m->sum, "");
	assert_non_null(m->replace);
	assert_string_equal(m->replace->path, "google.golang.org/grpc");
	assert_string_equal(m->replace->version, "v1.60.1");
	assert_string_equal(m->replace->sum,
			    "h1:26+wFr+cNqSGFcOXcabYC0lUVJVRa2Sb2ortSK7WrEI=");
	assert_int_equal(lutgen_gobin_module_version(b, "google.golang.org/grpc",
						     buf, sizeof(buf)), 0);
	assert_string_equal(buf, "v1.60.1");
	/* replaced by a local directory: no version */
	m = lutgen_gobin_module_find(b, "golang.org/x/net");
	assert_non_null(m->replace);
	assert_string_equal(m->replace->path, "../net");
	assert_string_equal(m->replace->version, "");
	assert_true(m->replace->local);
	assert_int_equal(lutgen_gobin_module_version(b, "golang.org/x/net", buf,
						     sizeof(buf)),
			 LUTGEN_GOBIN_LOCAL);
	assert_string_equal(buf, "");
	/* the same as go1.18+ writes it: "(devel)" for the directory */
	m = lutgen_gobin_module_find(b, "example.com/local");
	assert_non_null(m->replace);
	assert_string_equal(m->replace->path, "./local");
	assert_string_equal(m->replace->version, "(devel)");
	assert_true(m->replace->local);
	assert_false(in->deps[1].replace->local);
	assert_int_equal(lutgen_gobin_module_version(b, "example.com/local", buf,
						     sizeof(buf)),
			 LUTGEN_GOBIN_LOCAL);
	assert_string_equal(buf, "");
	/* replaced by another module path: its version, said to be a fork's */
	assert_int_equal(lutgen_gobin_module_version(b, "github.com/foo/bar",
						     buf, sizeof(buf)),
			 LUTGEN_GOBIN_FORK);
	assert_string_equal(buf, "v1.2.1-fork");
	assert_int_equal(lutgen_gobin_module_version(b, "golang.org/x/sys", buf,
						     sizeof(buf)), 0);
	assert_string_equal(buf, "v0.16.0");
	assert_int_equal(lutgen_gobin_module_version(b, "example.com/app", buf,
						     sizeof(buf)),
			 LUTGEN_GOBIN_DEVEL);
	assert_string_equal(buf, "(devel)");
	assert_int_equal(lutgen_gobin_module_version(b, "golang.org/x/text",
						     buf, sizeof(buf)), -ENOENT);
	assert_int_equal(lutgen_gobin_module_version(b, "golang.org/x/sys", buf,
						     4), -ERANGE);
	assert_string_equal(buf, "v0.");
	/* settings, unquoted as strconv.Unquote would */
	assert_int_equal(in->nsettings, 11);
	assert_string_equal(lutgen_gobin_setting(b, "-ldflags"),
			    "-s -w -X \"main.version=1.2.3\"");
	assert_string_equal(lutgen_gobin_setting(b, "weird key"), "x");
	assert_string_equal(lutgen_gobin_setting(b, "esc"),
			    "tab\there\x01\xc3\xa9\\");
	assert_string_equal(in->buildmode, "pie");
	assert_int_equal(in->cgo, 1);
	assert_int_equal(in->race, 1);
	assert_int_equal(in->trimpath, 1);
	assert_non_null(strstr(in->modinfo, "=>\t../net\t\t\n"));
	lutgen_gobin_free(b);
}

static void test_versions(void **state)
{
	struct lutgen_gobin *b = open_fixture("go121rc2.elf");
	const struct lutgen_gobin_info *in = lutgen_gobin_info(b);
	uint64_t off = 7;

	(void)state;
	assert_string_equal(in->go_version, "go1.21rc2");
	assert_true(in->version_ok);
	assert_int_equal(in->version.minor, 21);
	assert_int_equal(in->version.pre, LUTGEN_GO_PRE_RC);
	assert_int_equal(in->version.pre_num, 2);
	/* goid sits at 152 bytes in go1.21 (runtime2.go history) */
	assert_true(lutgen_gobin_lookup(b, &lutgen_go_table_goid, "goid_offset",
					&off) >= 0);
	assert_int_equal(off, 152);
	lutgen_gobin_free(b);

	b = open_fixture("godevel.elf");
	in = lutgen_gobin_info(b);
	assert_string_equal(in->go_version_raw,
			    "devel go1.23-4f0b2e3 Tue Jan 2 15:04:05 2024 +0000");
	assert_string_equal(in->go_version, "go1.23-4f0b2e3");
	assert_false(in->version_ok);
	assert_int_equal(in->nexperiments, 0);
	off = 7;
	assert_int_equal(lutgen_gobin_lookup(b, &lutgen_go_table_goid,
					     "goid_offset", &off),
			 LUTGEN_E_VERSION);
	assert_int_equal(off, 7);
	lutgen_gobin_free(b);
}

/* Before go1.13 there was no build info blob: the version and module
 * information come through the runtime.buildVersion and runtime.modinfo
 * symbols; .symtab gives exact function sizes. */
static void test_symbol_fallback(void **state)
{
	struct lutgen_gobin *b = open_fixture("go112_symbols.elf");
	const struct lutgen_gobin_info *in = lutgen_gobin_info(b);
	struct lutgen_gobin_func f;

	(void)state;
	assert_true(in->has_symtab);
	check_fix_buildinfo(b, "go1.12.17", LUTGEN_GOBIN_BI_SYMBOL, false);
	assert_int_equal(in->pclntab_layout, 12);
	assert_int_equal(lutgen_gobin_func_find(b, "main.main", &f), 0);
	assert_int_equal(f.source, LUTGEN_GOBIN_SYM_SYMTAB);
	assert_int_equal(f.addr, TEXT_VA);
	assert_int_equal(f.size, 2);
	assert_int_equal(f.offset, 0x1000);
	assert_int_equal(lutgen_gobin_func_find(b, "main.Target", &f), 0);
	assert_int_equal(f.size, 6);
	assert_int_equal(f.offset, 0x1010);
	/* pc -> function: the pclntab (extent to the next function) */
	assert_int_equal(lutgen_gobin_func_at(b, TARGET_VA + 0x10, &f), 0);
	assert_string_equal(f.name, "main.Target");
	assert_int_equal(f.source, LUTGEN_GOBIN_SYM_PCLNTAB);
	/* a data symbol is no function, but func_find names any symbol */
	assert_int_equal(lutgen_gobin_func_find(b, "runtime.buildVersion", &f),
			 0);
	assert_int_equal(f.addr, 0x403100u);
	lutgen_gobin_free(b);
	/* without symbol tables the fallback has nothing to read */
	b = open_fixture_flags("go112_symbols.elf", LUTGEN_GOBIN_NO_SYMBOLS);
	assert_null(lutgen_gobin_info(b)->go_version);
	lutgen_gobin_free(b);
}

/* A module-keyed table: the reader hands its lookups the module's
 * version, replacements applied. */
static char seen_version[64];

static int fake_u64(const char *v, const char *arch, uint64_t *out)
{
	snprintf(seen_version, sizeof(seen_version), "%s/%s", v, arch);
	*out = 42;
	return LUTGEN_OK;
}

/* A module table's lookup: the module version and the Go version. */
static int fake_mod_u64(const char *mv, const char *gv, const char *arch,
			uint64_t *out)
{
	snprintf(seen_version, sizeof(seen_version), "%s/%s/%s", mv,
		 gv ? gv : "NULL", arch);
	*out = 43;
	return LUTGEN_OK;
}

static void test_lookups(void **state)
{
	static const struct lutgen_go_lookup_desc lk[] = {
		{ "conn_offset", "test", LUTGEN_GO_LOOKUP_U64,
		  "struct_offset x y", fake_u64, NULL, NULL, NULL, NULL,
		  NULL, NULL, NULL, NULL, NULL,
		  NULL, NULL },
		{ "target_offset", "test", LUTGEN_GO_LOOKUP_U64,
		  "struct_offset x z", NULL, NULL, NULL, NULL, NULL,
		  fake_mod_u64, NULL, NULL, NULL, NULL,
		  NULL, NULL },
	};
	struct lutgen_go_table_desc grpc = { "grpc", "test", "v1.62.0", 2, lk,
					     "google.golang.org/grpc", 0 };
	struct lutgen_go_table_desc net = grpc, absent = grpc, stdt = grpc;
	struct lutgen_go_table_desc fork = grpc;
	struct lutgen_gobin *b = open_fixture("go120_modules.elf");
	const struct lutgen_go_params *p;
	uint64_t v = 0;

	(void)state;
	net.module = "golang.org/x/net";
	absent.module = "golang.org/x/text";
	fork.module = "github.com/foo/bar";
	stdt.module = NULL;
	assert_int_equal(lutgen_gobin_lookup(b, &grpc, "conn_offset", &v), 0);
	assert_int_equal(v, 42);
	assert_string_equal(seen_version, "v1.60.1/amd64");
	/* Module lookups (mod_u64) get the Go version too. */
	assert_int_equal(lutgen_gobin_lookup(b, &grpc, "target_offset", &v), 0);
	assert_int_equal(v, 43);
	assert_string_equal(seen_version, "v1.60.1/go1.20.7/amd64");
	assert_int_equal(lutgen_gobin_lookup(b, &stdt, "conn_offset", &v), 0);
	assert_string_equal(seen_version, "go1.20.7/amd64");
	assert_int_equal(lutgen_gobin_lookup(b, &net, "conn_offset", &v),
			 LUTGEN_GOBIN_E_LOCAL);
	assert_int_equal(lutgen_gobin_lookup(b, &absent, "conn_offset", &v),
			 LUTGEN_GOBIN_E_MODULE);
	assert_int_equal(lutgen_gobin_lookup(b, &fork, "conn_offset", &v),
			 LUTGEN_GOBIN_E_FORK);
	assert_int_equal(lutgen_gobin_lookup(b, &grpc, "nope", &v),
			 LUTGEN_GOBIN_E_LOOKUP);
	assert_int_equal(lutgen_gobin_lookup_params(b, &grpc, "conn_offset",
						    &p),
			 LUTGEN_GOBIN_E_LOOKUP);
	assert_int_equal(lutgen_gobin_lookup(b, &grpc, "conn_offset", NULL),
			 LUTGEN_E_INVAL);
	/* goid in go1.20 is at 152 */
	assert_int_equal(lutgen_gobin_lookup(b, &lutgen_go_table_goid,
					     "goid_offset", &v), LUTGEN_OK);
	assert_int_equal(v, 152);
	assert_non_null(strstr(lutgen_gobin_strerror(LUTGEN_GOBIN_E_LOCAL),
			       "local directory"));
	assert_string_equal(lutgen_gobin_strerror(LUTGEN_OK),
			    lutgen_go_strerror(LUTGEN_OK));
	lutgen_gobin_free(b);
}

/* Path, fd, memory, no-mmap: the same answers. */
static void test_open_ways(void **state)
{
	static const char *const files[] = { "go120_amd64.elf",
					     "go115_ptrinfo.elf",
					     "go126_pie_rela.elf",
					     "go120_nosections.elf" };
	size_t f;

	(void)state;
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct lutgen_gobin *b[4] = { NULL, NULL, NULL, NULL };
		struct lutgen_gobin_err err;
		size_t size, i;
		uint8_t *data = slurp(fixture_path(files[f]), &size);
		int fd = open(fixture_path(files[f]), O_RDONLY);

		assert_true(fd >= 0);
		b[0] = open_fixture(files[f]);
		b[1] = open_fixture_flags(files[f], LUTGEN_GOBIN_NO_MMAP);
		assert_int_equal(lutgen_gobin_open_fd(fd, NULL, NULL, &b[2], &err),
				 0);
		assert_int_equal(close(fd), 0); /* the handle has its own */
		assert_int_equal(lutgen_gobin_open_mem(data, size, "mem", NULL,
						       &b[3], &err), 0);
		for (i = 0; i < 4; i++) {
			const struct lutgen_gobin_info *in = lutgen_gobin_info(b[i]);

			assert_string_equal(in->go_version,
					    lutgen_gobin_info(b[0])->go_version);
			assert_int_equal(in->nsettings, 5);
			assert_int_equal(in->file_size, size);
			check_funcs(b[i]);
		}
		for (i = 0; i < 4; i++)
			lutgen_gobin_free(b[i]);
		free(data);
	}
}

static void test_no_symbols_flag(void **state)
{
	struct lutgen_gobin *b = open_fixture_flags("go120_amd64.elf",
						    LUTGEN_GOBIN_NO_SYMBOLS);
	struct lutgen_gobin_func f;

	(void)state;
	assert_string_equal(lutgen_gobin_info(b)->go_version, "go1.22.4");
	assert_int_equal(lutgen_gobin_info(b)->nfuncs, 0);
	assert_int_equal(lutgen_gobin_func_find(b, "main.main", &f), -ENOENT);
	lutgen_gobin_free(b);
}

static int open_err(const char *path, unsigned flags,
		    struct lutgen_gobin_err *err)
{
	struct lutgen_gobin_opts o;
	struct lutgen_gobin *b = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	o.flags = flags;
	memset(err, 0, sizeof(*err));
	rc = lutgen_gobin_open(path, &o, &b, err);
	assert_null(b);
	assert_int_equal(err->code, rc);
	return rc;
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static long maxrss_kb(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

static void on_alarm(int sig)
{
	(void)sig;
	/* write(2) is async-signal-safe; fail loudly instead of hanging */
	(void)!write(2, "test_gobin: open blocked (hang)\n", 32);
	_exit(1);
}

static void test_errors(void **state)
{
	struct lutgen_gobin_err err;
	char p[4200];

	(void)state;
	assert_int_equal(open_err("/nonexistent/lutgen/x", 0, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no such file"));
	assert_non_null(strstr(err.msg, "/nonexistent/lutgen/x"));
	assert_int_equal(open_err(tmpdir, 0, &err), -EISDIR);
	assert_non_null(strstr(err.msg, "directory"));

	/* a FIFO without a writer: refused at once, no hang */
	snprintf(p, sizeof(p), "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(p, 0600), 0);
	signal(SIGALRM, on_alarm);
	alarm(10);
	assert_int_equal(open_err(p, 0, &err), -EINVAL);
	alarm(0);
	assert_non_null(strstr(err.msg, "not a regular file (a FIFO)"));

	snprintf(p, sizeof(p), "%s/empty", tmpdir);
	write_file(p, "", 0);
	assert_int_equal(open_err(p, 0, &err), -ENOEXEC);
	assert_non_null(strstr(err.msg, "not an ELF file"));
	snprintf(p, sizeof(p), "%s/script", tmpdir);
	write_file(p, "#!/bin/sh\necho hello\n", 21);
	assert_int_equal(open_err(p, 0, &err), -ENOEXEC);
	assert_non_null(strstr(err.msg, "not an ELF file"));
	snprintf(p, sizeof(p), "%s/short", tmpdir);
	write_file(p, "\177ELF\2\1\1", 7);
	assert_int_equal(open_err(p, 0, &err), -ENOEXEC);
	assert_non_null(strstr(err.msg, "truncated ELF header"));
}

/* Store N bytes of V in the byte order an ELF header's e_ident[5] names. */
static void put_uint(uint8_t *p, unsigned n, uint64_t v, int be)
{
	unsigned i;

	for (i = 0; i < n; i++)
		p[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

/* ELF machine, class and byte order -> GOARCH for every Linux port of Go.
 * Expected values: the ELF ABI's EM_* numbers and Go's port list
 * (go tool dist list | grep linux), written down here by hand. */
static void test_goarch(void **state)
{
	static const struct {
		unsigned machine, cls, be;
		const char *goarch;
	} cases[] = {
		{ 3, 1, 0, "386" },        { 62, 2, 0, "amd64" },
		{ 40, 1, 0, "arm" },       { 183, 2, 0, "arm64" },
		{ 258, 2, 0, "loong64" },  { 8, 1, 1, "mips" },
		{ 8, 1, 0, "mipsle" },     { 8, 2, 1, "mips64" },
		{ 8, 2, 0, "mips64le" },   { 21, 2, 1, "ppc64" },
		{ 21, 2, 0, "ppc64le" },   { 243, 2, 0, "riscv64" },
		{ 22, 2, 1, "s390x" },
		/* impossible combinations: no guess */
		{ 62, 1, 0, NULL },        { 3, 2, 0, NULL },
		{ 183, 1, 0, NULL },       { 22, 2, 0, NULL },
		{ 20, 1, 1, NULL },        { 0, 2, 0, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t e[64 + 56];
		int be = (int)cases[i].be, is64 = cases[i].cls == 2;
		uint8_t *ph = e + (is64 ? 64 : 52);
		struct lutgen_gobin *b = NULL;
		struct lutgen_gobin_err err;
		const char *got;

		memset(e, 0, sizeof(e));
		memcpy(e, "\177ELF", 4);
		e[4] = (uint8_t)cases[i].cls;
		e[5] = be ? 2 : 1;
		e[6] = 1;
		put_uint(e + 16, 2, 2, be); /* ET_EXEC */
		put_uint(e + 18, 2, cases[i].machine, be);
		put_uint(e + 20, 4, 1, be);
		if (is64) {
			put_uint(e + 32, 8, 64, be);  /* e_phoff */
			put_uint(e + 52, 2, 64, be);  /* e_ehsize */
			put_uint(e + 54, 2, 56, be);  /* e_phentsize */
			put_uint(e + 56, 2, 1, be);   /* e_phnum */
			put_uint(ph, 4, 1, be);       /* PT_LOAD */
			put_uint(ph + 4, 4, 5, be);   /* R+X */
			put_uint(ph + 16, 8, 0x400000, be);
			put_uint(ph + 32, 8, sizeof(e), be);
			put_uint(ph + 40, 8, sizeof(e), be);
		} else {
			put_uint(e + 28, 4, 52, be);
			put_uint(e + 40, 2, 52, be);
			put_uint(e + 42, 2, 32, be);
			put_uint(e + 44, 2, 1, be);
			put_uint(ph, 4, 1, be);
			put_uint(ph + 8, 4, 0x400000, be);
			put_uint(ph + 16, 4, 52 + 32, be);
			put_uint(ph + 20, 4, 52 + 32, be);
			put_uint(ph + 24, 4, 5, be);
		}
		assert_int_equal(lutgen_gobin_open_mem(e, sizeof(e), "hdr", NULL,
						       &b, &err), 0);
		got = lutgen_gobin_info(b)->goarch;
		if (!cases[i].goarch) {
			if (got)
				fail_msg("machine %u class %u be %u: %s, want none",
					 cases[i].machine, cases[i].cls,
					 cases[i].be, got);
		} else {
			assert_non_null(got);
			assert_string_equal(got, cases[i].goarch);
			/* the name the tables' runtime knows */
			assert_true(lutgen_goarch_parse(got) >= 0);
		}
		assert_int_equal(lutgen_gobin_info(b)->big_endian, be);
		assert_int_equal(lutgen_gobin_info(b)->ptr_size, is64 ? 8 : 4);
		lutgen_gobin_free(b);
	}
}

/* A 2 GiB sparse file: a non-ELF is refused from its first bytes, a Go
 * binary of that size is read without reading it whole. */
static void test_huge_files(void **state)
{
	struct lutgen_gobin_err err;
	struct lutgen_gobin *b = NULL;
	struct lutgen_gobin_func f;
	const uint64_t huge = (uint64_t)2 << 30;
	char p[4200];
	size_t size;
	uint8_t *fix;
	long rss0;
	int fd;
	unsigned flags;

	(void)state;
	snprintf(p, sizeof(p), "%s/huge.txt", tmpdir);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "just text", 9), 9);
	assert_int_equal(ftruncate(fd, (off_t)huge), 0);
	close(fd);
	rss0 = maxrss_kb();
	assert_int_equal(open_err(p, 0, &err), -ENOEXEC);
	assert_non_null(strstr(err.msg, "not an ELF file"));

	fix = slurp(fixture_path("go120_amd64.elf"), &size);
	snprintf(p, sizeof(p), "%s/huge.elf", tmpdir);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, fix, size), (ssize_t)size);
	assert_int_equal(ftruncate(fd, (off_t)huge), 0);
	close(fd);
	free(fix);
	for (flags = 0; flags <= LUTGEN_GOBIN_NO_MMAP; flags++) {
		struct lutgen_gobin_opts o;

		o.flags = flags;
		assert_int_equal(lutgen_gobin_open(p, &o, &b, &err), 0);
		assert_int_equal(lutgen_gobin_info(b)->file_size, huge);
		assert_string_equal(lutgen_gobin_info(b)->go_version, "go1.22.4");
		assert_int_equal(lutgen_gobin_func_find(b, "main.Target", &f), 0);
		assert_int_equal(f.offset, 0x1010);
		lutgen_gobin_free(b);
	}
	/* Reading 2 GiB would have grown the peak RSS by 2 GiB. */
	assert_true(maxrss_kb() - rss0 < 64 * 1024);
	unlink(p);
	snprintf(p, sizeof(p), "%s/huge.txt", tmpdir);
	unlink(p);
}

static void test_require_go(void **state)
{
	struct lutgen_gobin_err err;
	struct lutgen_gobin *b = NULL;
	size_t size;
	uint8_t *d = slurp(fixture_path("go120_amd64.elf"), &size);
	uint8_t *m;
	struct lutgen_gobin_opts o;
	uint64_t v;

	(void)state;
	/* no build information: break its magic, drop the section name */
	m = memmem(d, size, "\xff Go buildinf:", 14);
	assert_non_null(m);
	m[1] = 'X';
	memset(&o, 0, sizeof(o));
	assert_int_equal(lutgen_gobin_open_mem(d, size, "nogo", &o, &b, &err), 0);
	assert_null(lutgen_gobin_info(b)->go_version_raw);
	assert_null(lutgen_gobin_info(b)->go_version);
	assert_int_equal(lutgen_gobin_info(b)->buildinfo_source,
			 LUTGEN_GOBIN_BI_NONE);
	assert_int_equal(lutgen_gobin_lookup(b, &lutgen_go_table_goid,
					     "goid_offset", &v),
			 LUTGEN_GOBIN_E_NOT_GO);
	lutgen_gobin_free(b);
	o.flags = LUTGEN_GOBIN_REQUIRE_GO;
	assert_int_equal(lutgen_gobin_open_mem(d, size, "nogo", &o, &b, &err),
			 -ENODATA);
	assert_non_null(strstr(err.msg, "nogo: not a Go binary"));
	/* the gccgo version string in read-only data */
	m = memmem(d, size, "main.Target", 11);
	assert_non_null(m);
	memcpy(m, " gccgo (", 8);
	assert_int_equal(lutgen_gobin_open_mem(d, size, "gccgo", &o, &b, &err),
			 -ENOTSUP);
	assert_non_null(strstr(err.msg, "built with gccgo"));
	free(d);
}

/* /proc/PID/exe: this test program is a C binary (no Go version) with a
 * .symtab. */
static void test_pid(void **state)
{
	struct lutgen_gobin_err err;
	struct lutgen_gobin *b = NULL;
	struct lutgen_gobin_func f;
	uint8_t code[16];
	int fd;

	(void)state;
	assert_int_equal(lutgen_gobin_open_pid(getpid(), NULL, &b, &err), 0);
	assert_null(lutgen_gobin_info(b)->go_version);
	assert_int_equal(lutgen_gobin_func_find(b, "test_pid", &f), 0);
	assert_int_equal(f.source, LUTGEN_GOBIN_SYM_SYMTAB);
	assert_true(f.size >= sizeof(code));
	/* The file bytes at the offset given are this very function's code. */
	fd = open("/proc/self/exe", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, code, sizeof(code), (off_t)f.offset),
			 (ssize_t)sizeof(code));
	close(fd);
	assert_memory_equal(code, (const void *)(uintptr_t)test_pid,
			    sizeof(code));
	lutgen_gobin_free(b);
	assert_int_equal(lutgen_gobin_open_pid(0x3ffffff, NULL, &b, &err),
			 -ESRCH);
	assert_non_null(strstr(err.msg, "no such process"));
	assert_int_equal(lutgen_gobin_open_pid(-1, NULL, &b, &err), -EINVAL);
}

/* Every prefix of a fixture and byte flips of its headers and tables:
 * errors or facts, never a crash (the ASan and valgrind runs make this
 * meaningful). */
static void test_truncated_and_corrupt(void **state)
{
	static const char *const files[] = { "go120_amd64.elf",
					     "go115_ptrinfo.elf",
					     "go126_pie_rela.elf",
					     "go120_modules.elf" };
	size_t f;

	(void)state;
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		size_t size, cut, i;
		uint8_t *d = slurp(fixture_path(files[f]), &size);
		uint8_t *copy = malloc(size);

		assert_non_null(copy);
		for (cut = 0; cut < size; cut += (cut < 128 ? 1 : 97)) {
			struct lutgen_gobin *b = NULL;
			struct lutgen_gobin_err err;
			struct lutgen_gobin_func fn;

			if (lutgen_gobin_open_mem(d, cut, "cut", NULL, &b, &err)) {
				assert_true(err.msg[0] != '\0');
				continue;
			}
			assert_true(lutgen_gobin_info(b)->truncated);
			for (i = 0; i < lutgen_gobin_info(b)->nfuncs; i++)
				(void)lutgen_gobin_func_get(b, i, &fn);
			(void)lutgen_gobin_func_find(b, "main.Target", &fn);
			lutgen_gobin_free(b);
		}
		for (i = 0; i < size; i += (i < 0x200 ? 1 : 7)) {
			struct lutgen_gobin *b = NULL;
			struct lutgen_gobin_func fn;
			char v[32];

			memcpy(copy, d, size);
			copy[i] ^= 0xff;
			if (lutgen_gobin_open_mem(copy, size, "flip", NULL, &b,
						  NULL) != 0)
				continue;
			(void)lutgen_gobin_func_find(b, "main.Target", &fn);
			(void)lutgen_gobin_func_at(b, TARGET_VA, &fn);
			(void)lutgen_gobin_module_version(b, "golang.org/x/net",
							  v, sizeof(v));
			lutgen_gobin_free(b);
		}
		free(copy);
		free(d);
	}
}

struct thread_arg {
	const struct lutgen_gobin *b;
	int failures;
};

static void *query_thread(void *p)
{
	struct thread_arg *a = p;
	struct lutgen_gobin_func f;
	int i;

	for (i = 0; i < 2000; i++) {
		if (lutgen_gobin_func_find(a->b, "main.Target", &f) != 0 ||
		    f.addr != TARGET_VA ||
		    lutgen_gobin_func_at(a->b, TEXT_VA + (uint64_t)(i % 0x30),
					 &f) != 0)
			a->failures++;
	}
	return NULL;
}

/* One handle, several threads at once. */
static void test_threads(void **state)
{
	struct lutgen_gobin *b = open_fixture("go120_amd64.elf");
	struct thread_arg args[4];
	pthread_t t[4];
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		args[i].b = b;
		args[i].failures = 0;
		assert_int_equal(pthread_create(&t[i], NULL, query_thread,
						&args[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(args[i].failures, 0);
	}
	lutgen_gobin_free(b);
}

static int setup(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_gobin.XXXXXX",
		 t && *t ? t : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char p[4200];

	(void)state;
	snprintf(p, sizeof(p), "%s/fifo", tmpdir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/empty", tmpdir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/script", tmpdir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/short", tmpdir);
	unlink(p);
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go120),
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_arm64_nosections),
		cmocka_unit_test(test_pie_relocations),
		cmocka_unit_test(test_modules),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_symbol_fallback),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_open_ways),
		cmocka_unit_test(test_no_symbols_flag),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_goarch),
		cmocka_unit_test(test_huge_files),
		cmocka_unit_test(test_require_go),
		cmocka_unit_test(test_pid),
		cmocka_unit_test(test_truncated_and_corrupt),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
