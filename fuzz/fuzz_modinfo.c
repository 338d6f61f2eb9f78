/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the modinfo text parser (`go version -m` text). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lutgen/binary/buildinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lutgen_buildinfo *bi = calloc(1, sizeof(*bi));

	if (!bi)
		return 0;
	(void)lutgen_buildinfo_parse_modinfo(bi, (const char *)data, size);
	(void)lutgen_buildinfo_setting(bi, "CGO_ENABLED");
	lutgen_buildinfo_free(bi);
	return 0;
}
