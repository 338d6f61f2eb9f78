/* SPDX-License-Identifier: MIT */
/* common/sha256.c - SHA-256 through OpenSSL's EVP interface. */
#include "common/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Read size while hashing a file. */
#define HASH_BUF 65536
#define SHA256_BYTES 32

struct common_sha256 {
	EVP_MD_CTX *md;
};

void common_hex(const unsigned char *d, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[2 * n] = '\0';
}

void common_sha256_buf(const void *data, size_t len,
		       char out[COMMON_SHA256_HEX_SIZE])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_Digest(data, len, d, &n, EVP_sha256(), NULL) != 1 ||
	    n != SHA256_BYTES) {
		out[0] = '\0';
		return;
	}
	common_hex(d, n, out);
}

int common_sha256_new(struct common_sha256 **out)
{
	struct common_sha256 *h = calloc(1, sizeof(*h));

	*out = NULL;
	if (!h)
		return -ENOMEM;
	h->md = EVP_MD_CTX_new();
	if (!h->md || common_sha256_reset(h) != 0) {
		common_sha256_free(h);
		return -ENOMEM;
	}
	*out = h;
	return 0;
}

void common_sha256_free(struct common_sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->md);
	free(h);
}

int common_sha256_reset(struct common_sha256 *h)
{
	return EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) == 1 ? 0 : -EIO;
}

int common_sha256_update(struct common_sha256 *h, const void *data,
			 size_t len)
{
	return EVP_DigestUpdate(h->md, data, len) == 1 ? 0 : -EIO;
}

int common_sha256_fd(struct common_sha256 *h, int fd, uint64_t limit,
		     uint64_t *got)
{
	unsigned char *buf = malloc(HASH_BUF);
	uint64_t total = 0;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	while (total < limit) {
		size_t want = HASH_BUF;
		ssize_t n;

		if (limit - total < want)
			want = (size_t)(limit - total);
		n = read(fd, buf, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		ret = common_sha256_update(h, buf, (size_t)n);
		if (ret)
			goto out;
		total += (uint64_t)n;
	}
	if (got)
		*got = total;
out:
	free(buf);
	return ret;
}

int common_sha256_final(struct common_sha256 *h,
			char out[COMMON_SHA256_HEX_SIZE])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(h->md, d, &n) != 1 || n != SHA256_BYTES ||
	    common_sha256_reset(h) != 0)
		return -EIO;
	common_hex(d, n, out);
	return 0;
}

int common_sha256_file(const char *path, char out[COMMON_SHA256_HEX_SIZE],
		       struct common_err *err)
{
	struct common_sha256 *h = NULL;
	int fd = -1;
	int ret;

	out[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = common_err_set(err, -errno, "sha256 %s: %s", path,
				     strerror(errno));
		goto out;
	}
	ret = common_sha256_new(&h);
	if (ret) {
		common_err_set(err, ret,
			       "sha256 %s: cannot set up OpenSSL digest", path);
		goto out;
	}
	ret = common_sha256_fd(h, fd, UINT64_MAX, NULL);
	if (ret < 0) {
		common_err_set(err, ret, "sha256 %s: read: %s", path,
			       strerror(-ret));
		goto out;
	}
	ret = common_sha256_final(h, out);
	if (ret < 0)
		common_err_set(err, ret, "sha256 %s: OpenSSL digest failed",
			       path);
out:
	common_sha256_free(h);
	if (fd >= 0)
		close(fd);
	return ret;
}
