/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the go.dev download index parser: every input is
 * parsed into an index whose lookups work, or refused with a message. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rungo/index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rungo_index *idx = NULL;
	struct common_err err = { 0 };
	size_t i, k;

	if (rungo_index_parse((const char *)data, size, &idx, &err) != 0) {
		if (!err.msg[0] || idx)
			__builtin_trap();
		return 0;
	}
	for (i = 0; i < idx->nreleases; i++) {
		const struct rungo_release *r = &idx->releases[i];

		/* Versions are unique, so each finds itself. */
		if (rungo_index_find_release(idx, &r->version) != r)
			__builtin_trap();
		for (k = 0; k < r->nfiles; k++) {
			const struct rungo_file *f = &r->files[k];

			/* No file name may hold a control character or '/'. */
			if (strchr(f->filename, '/') || strchr(f->filename, '\n'))
				__builtin_trap();
			(void)rungo_index_find_file(idx, &r->version, f->os,
						    f->arch, f->kind);
		}
	}
	rungo_index_free(idx);
	return 0;
}
