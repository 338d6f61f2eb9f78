/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the readers behind `lutgen inspect`: ELF headers,
 * build info, gccgo detection, the pclntab (every function) and the
 * return-instruction scan.  Build and run with fuzz/run.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lutgen/binary/buildinfo.h"
#include "lutgen/binary/disasm.h"
#include "lutgen/binary/elf.h"
#include "lutgen/binary/pclntab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lutgen_elf *e = NULL;
	struct lutgen_buildinfo *bi = NULL;
	struct lutgen_pclntab *pt = NULL;
	struct lutgen_elf_facts f;
	struct lutgen_pclntab_func fn;
	struct lutgen_elf_sym sym;
	char why[64];
	uint64_t want, off;
	size_t i, n;

	if (lutgen_elf_open_memory(data, size, &e, NULL) != 0)
		return 0;
	lutgen_elf_facts(e, &f);
	(void)lutgen_elf_truncated(e, &want);
	(void)lutgen_elf_goarch(e);
	(void)lutgen_elf_symbol(e, "runtime.text", &sym);
	(void)lutgen_buildinfo_is_gccgo(e, why, sizeof(why));
	if (lutgen_buildinfo_read(e, &bi, NULL) == 0)
		(void)lutgen_buildinfo_setting(bi, "-buildmode");
	if (lutgen_pclntab_open(e, &pt, NULL) == 0) {
		n = lutgen_pclntab_nfuncs(pt);
		for (i = 0; i < n && i < 4096; i++) {
			const uint8_t *code;
			size_t avail, nrets;
			uint64_t *rets = NULL;

			if (lutgen_pclntab_func(pt, i, &fn) != 0)
				continue;
			(void)lutgen_elf_vaddr_to_offset(e, fn.entry, &off);
			if (i < 64 && fn.end > fn.entry &&
			    lutgen_elf_vaddr_data(e, fn.entry, &code, &avail) == 0) {
				if (avail > fn.end - fn.entry)
					avail = (size_t)(fn.end - fn.entry);
				if (lutgen_disasm_returns("arm64", code, avail,
							  fn.entry, &rets, &nrets,
							  NULL) == 0)
					free(rets);
				rets = NULL;
				if (avail <= 4096 &&
				    lutgen_disasm_returns("amd64", code, avail,
							  fn.entry, &rets, &nrets,
							  NULL) == 0)
					free(rets);
			}
		}
		(void)lutgen_pclntab_find(pt, "main.main", &fn, NULL);
	}
	lutgen_pclntab_free(pt);
	lutgen_buildinfo_free(bi);
	lutgen_elf_free(e);
	return 0;
}
