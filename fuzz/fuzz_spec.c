/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the spec parser (the files of lutgen/specs/): every input
 * either parses into a spec that a run accepts or is refused with a
 * message; neither may crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lutgen/core/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lutgen_spec *s = NULL;
	struct common_err err = { 0 };

	if (lutgen_spec_parse((const char *)data, size, "fuzz.json", &s,
			      &err) != 0) {
		/* A refusal always says why. */
		if (!err.msg[0] || memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
			__builtin_trap();
		return 0;
	}
	{
		const struct lutgen_spec *one[2] = { s, s };

		/* A spec with itself clashes by name: must be refused. */
		if (lutgen_spec_check_run(one, 1, &err) != 0 ||
		    lutgen_spec_check_run(one, 2, &err) == 0)
			__builtin_trap();
	}
	lutgen_spec_free(s);
	return 0;
}
