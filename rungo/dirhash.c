/* SPDX-License-Identifier: MIT */
/*
 * rungo/dirhash.c - h1 hashes of module zips (read with libarchive) and of
 * go.mod files.
 */
#include "rungo/dirhash.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/sha256.h"

#define ZIP_MAX ((uint64_t)500 << 20)   /* the go command's limit */
#define MAX_FILES 200000

struct file {
	char *name;
	char sha[65];
};

static void h1_finish(EVP_MD_CTX *md, char out[RUNGO_H1_SIZE])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(md, d, &n) != 1 || n != 32) {
		out[0] = '\0';
		return;
	}
	memcpy(out, "h1:", 3);
	EVP_EncodeBlock((unsigned char *)out + 3, d, 32);   /* 44 + NUL */
}

/* Append the line of one file to the outer digest. */
static int h1_line(EVP_MD_CTX *md, const char *sha, const char *name)
{
	if (EVP_DigestUpdate(md, sha, 64) != 1 ||
	    EVP_DigestUpdate(md, "  ", 2) != 1 ||
	    EVP_DigestUpdate(md, name, strlen(name)) != 1 ||
	    EVP_DigestUpdate(md, "\n", 1) != 1)
		return -EIO;
	return 0;
}

void rungo_dirhash_gomod(const void *data, size_t len,
			 char out[RUNGO_H1_SIZE])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char sha[65];
	EVP_MD_CTX *md;

	out[0] = '\0';
	if (EVP_Digest(data, len, d, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return;
	common_hex(d, 32, sha);
	md = EVP_MD_CTX_new();
	if (!md)
		return;
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	    h1_line(md, sha, "go.mod") == 0)
		h1_finish(md, out);
	EVP_MD_CTX_free(md);
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->name,
		      ((const struct file *)b)->name);
}

static int cmp_file_fold(const void *a, const void *b)
{
	return strcasecmp(((const struct file *)a)->name,
			  ((const struct file *)b)->name);
}

/* sha256 of the current entry's data. */
static int hash_entry(struct archive *ar, EVP_MD_CTX *md, char sha[65],
		      uint64_t *total)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	const void *buf;
	size_t size;
	la_int64_t off;
	int r;

	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		return -EIO;
	for (;;) {
		r = archive_read_data_block(ar, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK)
			return -EPROTO;
		*total += size;
		if (*total > ZIP_MAX)
			return -EFBIG;
		if (EVP_DigestUpdate(md, buf, size) != 1)
			return -EIO;
	}
	if (EVP_DigestFinal_ex(md, d, &n) != 1 || n != 32)
		return -EIO;
	common_hex(d, 32, sha);
	return 0;
}

int rungo_dirhash_zip(const char *zip_path, const char *prefix,
		      char out[RUNGO_H1_SIZE], struct common_err *err)
{
	struct archive *ar = NULL;
	struct archive_entry *e;
	struct file *f = NULL;
	EVP_MD_CTX *md = NULL, *outer = NULL;
	size_t nf = 0, cap = 0, i;
	uint64_t total = 0;
	int rc = 0, r;

	out[0] = '\0';
	md = EVP_MD_CTX_new();
	outer = EVP_MD_CTX_new();
	ar = archive_read_new();
	if (!md || !outer || !ar) {
		rc = common_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	archive_read_support_format_zip_seekable(ar);
	if (archive_read_open_filename(ar, zip_path, 64 * 1024) != ARCHIVE_OK) {
		rc = common_err_set(err, -EPROTO, "module zip %s: %s", zip_path,
				    archive_error_string(ar) ?
					   archive_error_string(ar) :
					   "cannot open");
		goto out;
	}
	for (;;) {
		const char *name;
		mode_t type;

		r = archive_read_next_header(ar, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			rc = common_err_set(err, -EPROTO,
					    "module zip %s: not a readable zip: %s",
					    zip_path,
					    archive_error_string(ar) ?
						   archive_error_string(ar) :
						   "bad header");
			goto out;
		}
		name = archive_entry_pathname_utf8(e);
		if (!name)
			name = archive_entry_pathname(e);
		if (!name || !*name) {
			rc = common_err_set(err, -EPROTO,
					    "module zip %s: an entry without a name",
					    zip_path);
			goto out;
		}
		if (strchr(name, '\n')) {
			rc = common_err_set(err, -EPROTO,
					    "module zip %s: an entry name contains a newline (h1 cannot hash it)",
					    zip_path);
			goto out;
		}
		if (prefix && strncmp(name, prefix, strlen(prefix)) != 0) {
			rc = common_err_set(err, -EPROTO,
					    "module zip %s: entry \"%.200s\" is not under \"%s\"",
					    zip_path, name, prefix);
			goto out;
		}
		type = archive_entry_filetype(e);
		if (type != AE_IFREG && type != AE_IFDIR) {
			rc = common_err_set(err, -EPROTO,
					    "module zip %s: entry \"%.200s\" is neither a file nor a directory",
					    zip_path, name);
			goto out;
		}
		if (nf == cap) {
			struct file *nfp;

			if (nf >= MAX_FILES) {
				rc = common_err_set(err, -EFBIG,
						    "module zip %s: more than %d entries",
						    zip_path, MAX_FILES);
				goto out;
			}
			cap = cap ? cap * 2 : 256;
			nfp = realloc(f, cap * sizeof(*f));
			if (!nfp) {
				rc = common_err_set(err, -ENOMEM, "out of memory");
				goto out;
			}
			f = nfp;
		}
		f[nf].name = strdup(name);
		if (!f[nf].name) {
			rc = common_err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		nf++;
		/* A directory entry hashes as empty content, as in Go. */
		rc = hash_entry(ar, md, f[nf - 1].sha, &total);
		if (rc == -EFBIG) {
			common_err_set(err, rc,
				       "module zip %s: more than %llu MiB uncompressed",
				       zip_path,
				       (unsigned long long)(ZIP_MAX >> 20));
			goto out;
		}
		if (rc) {
			common_err_set(err, rc, "module zip %s: entry \"%.200s\": %s",
				       zip_path, name,
				       archive_error_string(ar) ?
					      archive_error_string(ar) :
					      "read error");
			goto out;
		}
	}
	if (nf == 0) {
		rc = common_err_set(err, -EPROTO, "module zip %s has no entries",
				    zip_path);
		goto out;
	}
	if (prefix) {
		qsort(f, nf, sizeof(*f), cmp_file_fold);
		for (i = 1; i < nf; i++)
			if (strcasecmp(f[i - 1].name, f[i].name) == 0) {
				rc = common_err_set(err, -EPROTO,
						    "module zip %s: \"%.200s\" and \"%.200s\" differ only in case (or are the same name twice)",
						    zip_path, f[i - 1].name,
						    f[i].name);
				goto out;
			}
	}
	qsort(f, nf, sizeof(*f), cmp_file);
	for (i = 1; i < nf; i++)
		if (strcmp(f[i - 1].name, f[i].name) == 0) {
			rc = common_err_set(err, -EPROTO,
					    "module zip %s: \"%.200s\" appears twice",
					    zip_path, f[i].name);
			goto out;
		}
	if (EVP_DigestInit_ex(outer, EVP_sha256(), NULL) != 1) {
		rc = common_err_set(err, -EIO, "OpenSSL sha256 failed");
		goto out;
	}
	for (i = 0; i < nf; i++)
		if (h1_line(outer, f[i].sha, f[i].name) != 0) {
			rc = common_err_set(err, -EIO, "OpenSSL sha256 failed");
			goto out;
		}
	h1_finish(outer, out);
	if (!out[0])
		rc = common_err_set(err, -EIO, "OpenSSL sha256 failed");
out:
	for (i = 0; i < nf; i++)
		free(f[i].name);
	free(f);
	if (ar)
		archive_read_free(ar);
	EVP_MD_CTX_free(md);
	EVP_MD_CTX_free(outer);
	return rc;
}
