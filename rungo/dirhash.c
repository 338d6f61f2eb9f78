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

struct file_list {
	struct file *f;
	size_t n, cap;
};

static void file_list_free(struct file_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->f[i].name);
	free(l->f);
}

static const char *ar_why(struct archive *ar, const char *fallback)
{
	const char *s = archive_error_string(ar);

	return s ? s : fallback;
}

/* Checks of one entry's name and type before it is hashed. */
static int check_entry(struct archive_entry *e, const char *zip_path,
		       const char *prefix, const char **namep,
		       struct common_err *err)
{
	const char *name = archive_entry_pathname_utf8(e);
	mode_t type;

	if (!name)
		name = archive_entry_pathname(e);
	if (!name || !*name)
		return common_err_set(err, -EPROTO,
				      "module zip %s: an entry without a name",
				      zip_path);
	if (strchr(name, '\n'))
		return common_err_set(err, -EPROTO,
				      "module zip %s: an entry name contains a newline (h1 cannot hash it)",
				      zip_path);
	if (prefix && strncmp(name, prefix, strlen(prefix)) != 0)
		return common_err_set(err, -EPROTO,
				      "module zip %s: entry \"%.200s\" is not under \"%s\"",
				      zip_path, name, prefix);
	type = archive_entry_filetype(e);
	if (type != AE_IFREG && type != AE_IFDIR)
		return common_err_set(err, -EPROTO,
				      "module zip %s: entry \"%.200s\" is neither a file nor a directory",
				      zip_path, name);
	*namep = name;
	return 0;
}

/* Appends `name` to `l` (a copy); its hash is filled in by the caller. */
static int file_list_add(struct file_list *l, const char *name,
			 const char *zip_path, struct common_err *err)
{
	if (l->n == l->cap) {
		struct file *nf;

		if (l->n >= MAX_FILES)
			return common_err_set(err, -EFBIG,
					      "module zip %s: more than %d entries",
					      zip_path, MAX_FILES);
		l->cap = l->cap ? l->cap * 2 : 256;
		nf = realloc(l->f, l->cap * sizeof(*nf));
		if (!nf)
			return common_err_set(err, -ENOMEM, "out of memory");
		l->f = nf;
	}
	l->f[l->n].name = strdup(name);
	if (!l->f[l->n].name)
		return common_err_set(err, -ENOMEM, "out of memory");
	l->n++;
	return 0;
}

/* Every entry of the open zip `ar`: name and sha256 of its content. */
static int read_entries(struct archive *ar, const char *zip_path,
			const char *prefix, struct file_list *l,
			struct common_err *err)
{
	struct archive_entry *e;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint64_t total = 0;
	int rc = 0, r;

	if (!md)
		return common_err_set(err, -ENOMEM, "out of memory");
	for (;;) {
		const char *name = NULL;

		r = archive_read_next_header(ar, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			rc = common_err_set(err, -EPROTO,
					    "module zip %s: not a readable zip: %s",
					    zip_path, ar_why(ar, "bad header"));
			break;
		}
		rc = check_entry(e, zip_path, prefix, &name, err);
		if (!rc)
			rc = file_list_add(l, name, zip_path, err);
		if (rc)
			break;
		/* A directory entry hashes as empty content, as in Go. */
		rc = hash_entry(ar, md, l->f[l->n - 1].sha, &total);
		if (rc == -EFBIG)
			common_err_set(err, rc,
				       "module zip %s: more than %llu MiB uncompressed",
				       zip_path,
				       (unsigned long long)(ZIP_MAX >> 20));
		else if (rc)
			common_err_set(err, rc, "module zip %s: entry \"%.200s\": %s",
				       zip_path, name, ar_why(ar, "read error"));
		if (rc)
			break;
	}
	EVP_MD_CTX_free(md);
	return rc;
}

/*
 * Sorts the list by name, as h1 hashes it, after refusing names twice
 * (and, in a module zip, names that differ only in case, as the go
 * command does).
 */
static int sort_names(struct file_list *l, const char *zip_path,
		      bool fold, struct common_err *err)
{
	struct file *f = l->f;
	size_t i;

	if (l->n == 0)
		return common_err_set(err, -EPROTO,
				      "module zip %s has no entries", zip_path);
	if (fold) {
		qsort(f, l->n, sizeof(*f), cmp_file_fold);
		for (i = 1; i < l->n; i++)
			if (strcasecmp(f[i - 1].name, f[i].name) == 0)
				return common_err_set(err, -EPROTO,
						      "module zip %s: \"%.200s\" and \"%.200s\" differ only in case (or are the same name twice)",
						      zip_path, f[i - 1].name,
						      f[i].name);
	}
	qsort(f, l->n, sizeof(*f), cmp_file);
	for (i = 1; i < l->n; i++)
		if (strcmp(f[i - 1].name, f[i].name) == 0)
			return common_err_set(err, -EPROTO,
					      "module zip %s: \"%.200s\" appears twice",
					      zip_path, f[i].name);
	return 0;
}

/* The h1 line of each file of the sorted list, hashed. */
static int h1_of_list(const struct file_list *l, char out[RUNGO_H1_SIZE],
		      struct common_err *err)
{
	EVP_MD_CTX *outer = EVP_MD_CTX_new();
	size_t i;
	int rc = 0;

	if (!outer || EVP_DigestInit_ex(outer, EVP_sha256(), NULL) != 1)
		rc = -EIO;
	for (i = 0; !rc && i < l->n; i++)
		rc = h1_line(outer, l->f[i].sha, l->f[i].name);
	if (!rc)
		h1_finish(outer, out);
	if (!rc && !out[0])
		rc = -EIO;
	EVP_MD_CTX_free(outer);
	return rc ? common_err_set(err, -EIO, "OpenSSL sha256 failed") : 0;
}

int rungo_dirhash_zip(const char *zip_path, const char *prefix,
		      char out[RUNGO_H1_SIZE], struct common_err *err)
{
	struct file_list l = { 0 };
	struct archive *ar;
	int rc;

	out[0] = '\0';
	ar = archive_read_new();
	if (!ar)
		return common_err_set(err, -ENOMEM, "out of memory");
	archive_read_support_format_zip_seekable(ar);
	if (archive_read_open_filename(ar, zip_path, 64 * 1024) != ARCHIVE_OK)
		rc = common_err_set(err, -EPROTO, "module zip %s: %s", zip_path,
				    ar_why(ar, "cannot open"));
	else
		rc = read_entries(ar, zip_path, prefix, &l, err);
	archive_read_free(ar);
	if (!rc)
		rc = sort_names(&l, zip_path, prefix != NULL, err);
	if (!rc)
		rc = h1_of_list(&l, out, err);
	file_list_free(&l);
	if (rc)
		out[0] = '\0';
	return rc;
}
