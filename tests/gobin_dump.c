/* SPDX-License-Identifier: MIT */
/*
 * gobin-dump: print what the vendorable reader (generated/lutgen_gobin.c)
 * reads from Go binaries, in forms other tools print, so that scripts can
 * compare them: `go version -m`, `go tool nm`, gdb.  A test driver, built
 * from the same committed files an agent copies.
 *
 *   gobin-dump [--no-mmap] --vm BINARY...     like `go version -m`
 *   gobin-dump [--no-mmap] --funcs BINARY     every pclntab function:
 *                                             name addr size offset
 *   gobin-dump [--no-mmap] --find NAME... -- BINARY|--pid PID
 *                                             name addr size offset source
 *   gobin-dump --at ADDR... -- BINARY         pc -> function
 *   gobin-dump --lookup BINARY|--pid PID      version, arch, goid offset
 *
 * Addresses and offsets are hexadecimal without 0x, sizes decimal.
 * Exit 1 when a binary cannot be opened or a name is not found.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goid.h"
#include "lutgen_gobin.h"

static unsigned flags;

/* strconv.Quote for what build settings hold. */
static void go_quote(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	putchar('"');
	for (; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		case '\a': fputs("\\a", stdout); break;
		case '\b': fputs("\\b", stdout); break;
		case '\f': fputs("\\f", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '\v': fputs("\\v", stdout); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				printf("\\x%02x", *p);
			else
				putchar(*p);
		}
	}
	putchar('"');
}

static void setting_word(const char *s, bool key)
{
	if ((key && !*s) || strpbrk(s, key ? "= \t\r\n\"`" : " \t\r\n\"`"))
		go_quote(s);
	else
		fputs(s, stdout);
}

static void module(const char *word, const struct lutgen_gobin_module *m)
{
	printf("\t%s\t%s\t%s", word, m->path, m->version);
	if (m->replace) {
		putchar('\n');
		module("=>", m->replace);
		fputs("\t", stdout);
	} else {
		printf("\t%s", m->sum);
	}
	putchar('\n');
}

static int open_bin(const char *arg, bool pid, struct lutgen_gobin **b)
{
	struct lutgen_gobin_opts o;
	struct lutgen_gobin_err err;
	int rc;

	memset(&o, 0, sizeof(o));
	o.flags = flags;
	rc = pid ? lutgen_gobin_open_pid(atoi(arg), &o, b, &err)
		 : lutgen_gobin_open(arg, &o, b, &err);
	if (rc)
		fprintf(stderr, "gobin-dump: %s\n", err.msg);
	return rc;
}

static int dump_vm(const char *path)
{
	const struct lutgen_gobin_info *in;
	struct lutgen_gobin *b;
	size_t i;

	if (open_bin(path, false, &b))
		return 1;
	in = lutgen_gobin_info(b);
	if (!in->go_version_raw) {
		printf("%s: no Go version\n", path);
		lutgen_gobin_free(b);
		return 1;
	}
	printf("%s: %s\n", path, in->go_version_raw);
	if (in->path)
		printf("\tpath\t%s\n", in->path);
	if (in->main_module)
		module("mod", in->main_module);
	for (i = 0; i < in->ndeps; i++)
		module("dep", &in->deps[i]);
	for (i = 0; i < in->nsettings; i++) {
		fputs("\tbuild\t", stdout);
		setting_word(in->settings[i].key, true);
		putchar('=');
		setting_word(in->settings[i].value, false);
		putchar('\n');
	}
	lutgen_gobin_free(b);
	return 0;
}

static void print_func(const struct lutgen_gobin_func *f)
{
	static const char *const src[] = { "symtab", "dynsym", "pclntab" };

	printf("%s\t%" PRIx64 "\t%" PRIu64 "\t", f->name, f->addr, f->size);
	if (f->offset == LUTGEN_GOBIN_NO_OFFSET)
		fputs("-", stdout);
	else
		printf("%" PRIx64, f->offset);
	printf("\t%s\n", src[f->source]);
}

static int dump_funcs(const char *path)
{
	struct lutgen_gobin_func f;
	struct lutgen_gobin *b;
	size_t i, n;
	int bad = 0;

	if (open_bin(path, false, &b))
		return 1;
	n = lutgen_gobin_info(b)->nfuncs;
	for (i = 0; i < n; i++) {
		if (lutgen_gobin_func_get(b, i, &f) != 0) {
			fprintf(stderr, "gobin-dump: %s: function %zu corrupt\n",
				path, i);
			bad = 1;
			continue;
		}
		print_func(&f);
	}
	lutgen_gobin_free(b);
	return bad;
}

static int lookup(const char *arg, bool pid)
{
	const struct lutgen_gobin_info *in;
	struct lutgen_gobin *b;
	uint64_t off = 0;
	int rc;

	if (open_bin(arg, pid, &b))
		return 1;
	in = lutgen_gobin_info(b);
	rc = lutgen_gobin_lookup(b, &lutgen_go_table_goid, "goid_offset", &off);
	printf("version\t%s\narch\t%s\ngoid_offset\t%" PRIu64 "\t%s\n",
	       in->go_version ? in->go_version : "-",
	       in->goarch ? in->goarch : "-", off, lutgen_gobin_strerror(rc));
	lutgen_gobin_free(b);
	return rc < 0;
}

int main(int argc, char **argv)
{
	int i = 1, rc = 0, first, k;
	struct lutgen_gobin *b;
	struct lutgen_gobin_func f;
	bool pid = false;

	if (i < argc && strcmp(argv[i], "--no-mmap") == 0) {
		flags |= LUTGEN_GOBIN_NO_MMAP;
		i++;
	}
	if (argc - i < 2) {
		fputs("usage: gobin-dump [--no-mmap] --vm|--funcs|--lookup BINARY... | --find|--at X... -- BINARY|--pid PID\n",
		      stderr);
		return 2;
	}
	if (strcmp(argv[i], "--vm") == 0) {
		for (k = i + 1; k < argc; k++)
			rc |= dump_vm(argv[k]);
		return rc;
	}
	if (strcmp(argv[i], "--funcs") == 0)
		return dump_funcs(argv[i + 1]);
	if (strcmp(argv[i], "--lookup") == 0) {
		if (strcmp(argv[i + 1], "--pid") == 0 && i + 2 < argc)
			return lookup(argv[i + 2], true);
		return lookup(argv[i + 1], false);
	}
	if (strcmp(argv[i], "--find") != 0 && strcmp(argv[i], "--at") != 0)
		return 2;
	first = i + 1;
	for (k = first; k < argc && strcmp(argv[k], "--") != 0; k++)
		;
	if (k + 1 >= argc)
		return 2;
	if (strcmp(argv[k + 1], "--pid") == 0 && k + 2 < argc)
		pid = true;
	if (open_bin(argv[k + (pid ? 2 : 1)], pid, &b))
		return 1;
	for (; first < k; first++) {
		int r;

		if (strcmp(argv[i], "--find") == 0)
			r = lutgen_gobin_func_find(b, argv[first], &f);
		else
			r = lutgen_gobin_func_at(
				b, strtoull(argv[first], NULL, 16), &f);
		if (r) {
			printf("%s\t-\n", argv[first]);
			rc = 1;
			continue;
		}
		print_func(&f);
	}
	lutgen_gobin_free(b);
	return rc;
}
