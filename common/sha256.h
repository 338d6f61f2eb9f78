/* SPDX-License-Identifier: MIT */
/*
 * common/sha256.h - SHA-256 (OpenSSL libcrypto) as 64 lowercase hex
 * digits: of a buffer, of a file, or fed piecewise.
 */
#ifndef COMMON_SHA256_H
#define COMMON_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* 64 hex digits and a NUL. */
#define COMMON_SHA256_HEX_SIZE 65

/* n bytes as 2n lowercase hex digits and a NUL. */
void common_hex(const unsigned char *d, size_t n, char *out);

/* sha256 of a buffer; out is "" when libcrypto fails. */
void common_sha256_buf(const void *data, size_t len,
		       char out[COMMON_SHA256_HEX_SIZE]);

/* sha256 of a file. */
int common_sha256_file(const char *path, char out[COMMON_SHA256_HEX_SIZE],
		       struct common_err *err);

/* A running hash.  new: 0 or -ENOMEM; update/fd/final: 0 or -EIO (fd:
 * also the read's -errno).  final writes the digest and starts over. */
struct common_sha256;
int common_sha256_new(struct common_sha256 **out);
void common_sha256_free(struct common_sha256 *h);
/* Forget what was fed. */
int common_sha256_reset(struct common_sha256 *h);
int common_sha256_update(struct common_sha256 *h, const void *data,
			 size_t len);
/* Feed the first `limit` bytes of fd (UINT64_MAX: to EOF) from its current
 * position; *got (may be NULL) gets how many were read. */
int common_sha256_fd(struct common_sha256 *h, int fd, uint64_t limit,
		     uint64_t *got);
int common_sha256_final(struct common_sha256 *h,
			char out[COMMON_SHA256_HEX_SIZE]);

#endif
