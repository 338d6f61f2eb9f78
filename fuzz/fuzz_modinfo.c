/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the text parsers of the vendorable Go binary
 * reader: module information (path/mod/dep/=>/build lines, quoted keys
 * and values), Go version strings (" X:" experiments, devel) and
 * strconv.Unquote.  It includes generated/lutgen_gobin.c to reach them
 * directly, without an ELF around the text.
 */
#include "lutgen_gobin.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lutgen_gobin *b;
	char *q, v[32];
	size_t i, n;

	b = (struct lutgen_gobin *)calloc(1, sizeof(*b));
	if (!b)
		return 0;
	b->fd = -1;
	b->modinfo = (char *)malloc(size + 1);
	if (b->modinfo) {
		memcpy(b->modinfo, data, size);
		b->modinfo[size] = '\0';
		if (gb_parse_modinfo(b) == 0) {
			for (i = 0; i < b->info.ndeps; i++)
				(void)lutgen_gobin_module_version(
					b, b->info.deps[i].path, v, sizeof(v));
			(void)lutgen_gobin_setting(b, "CGO_ENABLED");
		}
	}
	/* The first line as a Go version string. */
	n = 0;
	while (n < size && n < LUTGEN_GOBIN_MAX_VERSION && data[n] != '\n' &&
	       data[n] != '\0')
		n++;
	if (n > 0 && gb_set_version(b, (const char *)data, n) == 0)
		(void)gb_parse_version(b);
	q = (char *)malloc(size + 1);
	if (q) {
		memcpy(q, data, size);
		q[size] = '\0';
		(void)gb_unquote(q, strlen(q));
		free(q);
	}
	lutgen_gobin_free(b);
	return 0;
}
