/* SPDX-License-Identifier: MIT */
/* lutgen/core/spec_select.c - which Go versions a spec measures. */
#include "lutgen/core/spec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/goarch.h"

int lutgen_spec_select(const struct lutgen_spec *spec,
		       const struct rungo_index *idx, const char *host_os,
		       const char *host_arch, struct rungo_version **out,
		       size_t *n, struct common_err *err)
{
	struct rungo_select_opts so;
	char minv[RUNGO_VERSION_STR_MAX];
	int rc;

	*out = NULL;
	*n = 0;
	if (!spec || !idx)
		return common_err_set(err, -EINVAL, "select: NULL argument");
	memset(&so, 0, sizeof(so));
	so.min = &spec->min_version;
	so.policy = spec->policy;
	so.os = host_os ? host_os : "linux";
	so.arch = host_arch ? host_arch : common_host_arch();
	if (!so.arch)
		return common_err_set(err, -ENOTSUP,
				      "spec %s: unknown host architecture; no Go toolchain runs here",
				      spec->name);
	rc = rungo_select(idx, &so, out, n, err);
	if (rc)
		return common_err_prefix(err, rc, "spec %s", spec->name);
	if (*n == 0) {
		free(*out);
		*out = NULL;
		rungo_version_format(&spec->min_version, minv, sizeof(minv));
		return common_err_set(err, -ENOENT,
				      "spec %s: the index has no Go release >= %s for %s/%s",
				      spec->name, minv, so.os, so.arch);
	}
	return 0;
}
