/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for what `lutgen inspect` reads: the vendorable Go
 * binary reader generated/lutgen_gobin.c (ELF headers, build information,
 * modules, symbol tables, pclntab, table lookups) from memory, and the
 * return-instruction scan on the functions it finds.  Build and run with
 * fuzz/run.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "goid.h"
#include "lutgen/binary/disasm.h"
#include "lutgen_gobin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touch every byte of s (ASan sees an overrun). */
static size_t touch(const char *s)
{
	return s ? strlen(s) : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lutgen_gobin *b = NULL;
	const struct lutgen_gobin_info *in;
	struct lutgen_gobin_func fn, at;
	struct lutgen_gobin_opts o;
	const struct lutgen_go_params *p;
	uint64_t u, off, va;
	char ver[64];
	size_t i, n, sum = 0;

	memset(&o, 0, sizeof(o));
	o.flags = LUTGEN_GOBIN_REQUIRE_GO;
	if (size && (data[0] & 1))
		o.flags = 0;
	if (lutgen_gobin_open_mem(data, size, "fuzz", &o, &b, NULL) != 0)
		return 0;
	in = lutgen_gobin_info(b);
	sum += touch(in->go_version_raw) + touch(in->go_version) +
	       touch(in->modinfo) + touch(in->path) + touch(in->interp) +
	       touch(in->buildmode) + touch(in->goarch_level);
	for (i = 0; i < in->nexperiments; i++)
		sum += touch(in->experiments[i]);
	for (i = 0; i < in->nneeded && i < LUTGEN_GOBIN_MAX_NEEDED; i++)
		sum += touch(in->needed[i]);
	for (i = 0; i < in->nsettings; i++)
		sum += touch(in->settings[i].key) + touch(in->settings[i].value);
	for (i = 0; i < in->ndeps; i++) {
		const struct lutgen_gobin_module *m = &in->deps[i];

		sum += touch(m->path) + touch(m->version) + touch(m->sum);
		if (m->replace)
			sum += touch(m->replace->path) + touch(m->replace->version);
		if (i < 8)
			(void)lutgen_gobin_module_version(b, m->path, ver,
							  sizeof(ver));
	}
	(void)lutgen_gobin_lookup(b, &lutgen_go_table_goid, "goid_offset", &u);
	(void)lutgen_gobin_lookup_params(b, &lutgen_go_table_goid, "goid_offset",
					 &p);
	n = in->nfuncs;
	for (i = 0; i < n && i < 4096; i++) {
		uint8_t code[512];
		uint64_t *rets = NULL;
		size_t nrets, len;

		if (lutgen_gobin_func_get(b, i, &fn) != 0)
			continue;
		sum += touch(fn.name);
		if (lutgen_gobin_func_at(b, fn.addr, &at) == 0)
			sum += touch(at.name);
		if (lutgen_gobin_vaddr_to_offset(b, fn.addr, &off) == 0)
			(void)lutgen_gobin_offset_to_vaddr(b, off, &va);
		if (i >= 64 || fn.size == 0)
			continue;
		len = fn.size < sizeof(code) ? (size_t)fn.size : sizeof(code);
		if (lutgen_gobin_read(b, fn.addr, code, len) != 0)
			continue;
		if (lutgen_disasm_returns("arm64", code, len, fn.addr, &rets,
					  &nrets, NULL) == 0)
			free(rets);
		rets = NULL;
		if (lutgen_disasm_returns("amd64", code, len, fn.addr, &rets,
					  &nrets, NULL) == 0)
			free(rets);
	}
	if (lutgen_gobin_func_find(b, "main.main", &fn) == 0)
		sum += touch(fn.name);
	(void)lutgen_gobin_func_find(b, "runtime.text", &fn);
	(void)lutgen_gobin_func_at(b, 0x401010, &fn);
	lutgen_gobin_free(b);
	return sum == (size_t)-1;
}
