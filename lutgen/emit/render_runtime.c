/* SPDX-License-Identifier: MIT */
/*
 * render-runtime: write the shared runtime files of generated/ -
 * lutgen_go.{h,c} (what every table links with) and lutgen_gobin.{h,c}
 * (the Go binary reader) - from the embedded templates, without measuring
 * any table.  `meson compile -C build gen-runtime` runs it on generated/.
 *
 *   render-runtime OUT_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lutgen/emit/emit.h"

int main(int argc, char **argv)
{
	static const char *const which[] = { "go.h", "go.c", "gobin.h",
					     "gobin.c" };
	struct common_err err = { 0 };
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: render-runtime OUT_DIR\n");
		return 2;
	}
	for (i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		char path[4096], *text = NULL;
		FILE *f;
		int n;

		if (lutgen_emit_render(NULL, which[i], &text, &err) != 0) {
			fprintf(stderr, "render-runtime: %s\n", err.msg);
			return 1;
		}
		n = snprintf(path, sizeof(path), "%s/lutgen_%s", argv[1],
			     which[i]);
		if (n < 0 || (size_t)n >= sizeof(path) ||
		    !(f = fopen(path, "wb")) ||
		    fwrite(text, 1, strlen(text), f) != strlen(text) ||
		    fclose(f) != 0) {
			fprintf(stderr, "render-runtime: cannot write %s\n", path);
			free(text);
			return 1;
		}
		free(text);
	}
	return 0;
}
