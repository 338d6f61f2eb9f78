/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the spec parser (the files of lutgen/specs/): every input
 * either parses into a spec that a run accepts or is refused with a
 * message; neither may crash, leak or read out of bounds.  An accepted
 * spec survives canonical JSON -> parse -> canonical JSON and a copy. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lutgen/core/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a run records of a spec (its canonical JSON) is itself a spec that
 * parses to the same canonical JSON, and so does a copy: a spec accepted
 * once is accepted again from the results file, with the same hash. */
static void round_trip(const struct lutgen_spec *s)
{
	struct lutgen_spec *again = NULL, *copy = NULL;
	struct common_err err = { 0 };
	char *json = NULL, *json2 = NULL, *json3 = NULL;
	char sha[65], sha2[65];

	if (lutgen_spec_canonical(s, &json, sha, &err) != 0)
		__builtin_trap();
	if (lutgen_spec_parse(json, strlen(json), "canonical.json", &again,
			      &err) != 0 ||
	    lutgen_spec_canonical(again, &json2, sha2, &err) != 0 ||
	    strcmp(json, json2) != 0 || strcmp(sha, sha2) != 0)
		__builtin_trap();
	if (lutgen_spec_copy(s, &copy, &err) != 0 ||
	    lutgen_spec_canonical(copy, &json3, NULL, &err) != 0 ||
	    strcmp(json, json3) != 0)
		__builtin_trap();
	free(json);
	free(json2);
	free(json3);
	lutgen_spec_free(again);
	lutgen_spec_free(copy);
}

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
	round_trip(s);
	lutgen_spec_free(s);
	return 0;
}
