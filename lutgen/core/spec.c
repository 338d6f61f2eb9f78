/* SPDX-License-Identifier: MIT */
/* Table specs: load lutgen/specs/<name>.json and validate every key. */
#include "lutgen/core/spec.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rungo/goproxy.h"
#include "rungo/json.h"

/* GOARCH values `go build` accepts with GOOS=linux. */
static const char *const linux_arches[] = {
	"386",     "amd64",  "arm",      "arm64",  "loong64",
	"mips",    "mipsle", "mips64",   "mips64le", "ppc64",
	"ppc64le", "riscv64", "s390x",
};

/* C11 keywords; a spec name must not be one. */
static const char *const c_reserved[] = {
	"auto",     "break",    "case",     "char",     "const",
	"continue", "default",  "do",       "double",   "else",
	"enum",     "extern",   "float",    "for",      "goto",
	"if",       "inline",   "int",      "long",     "register",
	"restrict", "return",   "short",    "signed",   "sizeof",
	"static",   "struct",   "switch",   "typedef",  "union",
	"unsigned", "void",     "volatile", "while",    "bool",
	"true",     "false",    "_Alignas", "_Alignof", "_Atomic",
	"_Bool",    "_Complex", "_Generic", "_Imaginary", "_Noreturn",
	"_Static_assert", "_Thread_local",
};

/* C++ keywords and alternative tokens (up to C++20): the generated
 * headers compile as C++ too. */
static const char *const cxx_reserved[] = {
	"alignas", "alignof", "and", "and_eq", "asm", "bitand", "bitor",
	"catch", "char8_t", "char16_t", "char32_t", "class", "co_await",
	"co_return", "co_yield", "compl", "concept", "const_cast",
	"consteval", "constexpr", "constinit", "decltype", "delete",
	"dynamic_cast", "explicit", "export", "friend", "mutable",
	"namespace", "new", "noexcept", "not", "not_eq", "nullptr",
	"operator", "or", "or_eq", "private", "protected", "public",
	"reinterpret_cast", "requires", "static_assert", "static_cast",
	"template", "this", "thread_local", "throw", "try", "typeid",
	"typename", "using", "virtual", "wchar_t", "xor", "xor_eq",
};

/* Functions and macros of the C library (and the POSIX calls every
 * program links with) that a generated function of the same name would
 * clash with: at compile time against the compiler's built-in
 * declaration, at link time by replacing the library's. */
static const char *const libc_names[] = {
	"main", "assert", "errno", "offsetof", "setjmp", "longjmp", "signal",
	"raise", "va_start", "va_arg", "va_end", "va_copy", "va_list",
	/* ctype.h */
	"isalnum", "isalpha", "isblank", "iscntrl", "isdigit", "isgraph",
	"islower", "isprint", "ispunct", "isspace", "isupper", "isxdigit",
	"tolower", "toupper",
	/* math.h (also with an f or l suffix, see libc_name) */
	"acos", "asin", "atan", "atan2", "cos", "sin", "tan", "acosh",
	"asinh", "atanh", "cosh", "sinh", "tanh", "exp", "exp2", "expm1",
	"frexp", "ilogb", "ldexp", "log", "log10", "log1p", "log2", "logb",
	"modf", "scalbn", "scalbln", "cbrt", "fabs", "hypot", "pow", "sqrt",
	"erf", "erfc", "lgamma", "tgamma", "ceil", "floor", "nearbyint",
	"rint", "lrint", "llrint", "round", "lround", "llround", "trunc",
	"fmod", "remainder", "remquo", "copysign", "nan", "nextafter",
	"nexttoward", "fdim", "fmax", "fmin", "fma", "fpclassify",
	"isfinite", "isinf", "isnan", "isnormal", "signbit", "isgreater",
	"isgreaterequal", "isless", "islessequal", "islessgreater",
	"isunordered",
	/* stdio.h */
	"remove", "rename", "tmpfile", "tmpnam", "fclose", "fflush", "fopen",
	"freopen", "setbuf", "setvbuf", "fprintf", "fscanf", "printf",
	"scanf", "snprintf", "sprintf", "sscanf", "vfprintf", "vfscanf",
	"vprintf", "vscanf", "vsnprintf", "vsprintf", "vsscanf", "fgetc",
	"fgets", "fputc", "fputs", "getc", "getchar", "gets", "putc",
	"putchar", "puts", "ungetc", "fread", "fwrite", "fgetpos", "fseek",
	"fsetpos", "ftell", "rewind", "clearerr", "feof", "ferror", "perror",
	"stdin", "stdout", "stderr", "fileno", "popen", "pclose", "dprintf",
	"getline",
	/* stdlib.h */
	"atof", "atoi", "atol", "atoll", "strtod", "strtof", "strtold",
	"strtol", "strtoll", "strtoul", "strtoull", "rand", "srand",
	"aligned_alloc", "calloc", "free", "malloc", "realloc", "abort",
	"atexit", "at_quick_exit", "exit", "_Exit", "getenv", "quick_exit",
	"system", "bsearch", "qsort", "abs", "labs", "llabs", "div", "ldiv",
	"lldiv", "mblen", "mbtowc", "wctomb", "mbstowcs", "wcstombs",
	"setenv", "unsetenv", "putenv", "realpath", "mkstemp", "mkdtemp",
	/* string.h */
	"memcpy", "memmove", "strcpy", "strncpy", "strcat", "strncat",
	"memcmp", "strcmp", "strcoll", "strncmp", "strxfrm", "memchr",
	"strchr", "strcspn", "strpbrk", "strrchr", "strspn", "strstr",
	"strtok", "memset", "strerror", "strlen", "strdup", "strndup",
	"strnlen", "strcasecmp", "strncasecmp", "strtok_r", "strsignal",
	/* time.h */
	"clock", "difftime", "mktime", "time", "asctime", "ctime", "gmtime",
	"localtime", "strftime", "timespec_get", "nanosleep",
	/* POSIX calls */
	"read", "write", "open", "close", "creat", "lseek", "pread", "pwrite",
	"stat", "fstat", "lstat", "access", "unlink", "link", "symlink",
	"readlink", "mkdir", "rmdir", "chdir", "getcwd", "chmod", "chown",
	"dup", "dup2", "pipe", "fork", "vfork", "execv", "execve", "execvp",
	"execl", "execlp", "wait", "waitpid", "kill", "getpid", "getppid",
	"getuid", "geteuid", "getgid", "sleep", "usleep", "alarm", "pause",
	"ioctl", "fcntl", "mmap", "munmap", "mprotect", "select", "poll",
	"socket", "bind", "listen", "accept", "connect", "send", "recv",
	"sendto", "recvfrom", "shutdown", "sync", "fsync", "truncate",
	"ftruncate", "isatty", "sysconf", "environ", "optarg", "optind",
	"getopt", "dlopen", "dlsym", "pthread_create", "pthread_join",
};

/* Longest spec or lookup name: C99 guarantees 31 significant characters
 * of an external name; every compiler in use takes many more, but a name
 * much longer is a mistake, and an error quoting it would be all name. */
#define NAME_LEN_MAX 128

/* The keys each kind takes (all of them required). */
static const struct kind_keys {
	bool type, field, function, konst;
} kind_keys[LUTGEN_LOOKUP_KIND_COUNT] = {
	[LUTGEN_LOOKUP_STRUCT_OFFSET] = { true, true, false, false },
	[LUTGEN_LOOKUP_FIELD_SIZE] = { true, true, false, false },
	[LUTGEN_LOOKUP_TYPE_SIZE] = { true, false, false, false },
	[LUTGEN_LOOKUP_CONST] = { false, false, false, true },
	[LUTGEN_LOOKUP_FUNC_PARAMS] = { false, false, true, false },
	[LUTGEN_LOOKUP_FUNC_RESULTS] = { false, false, true, false },
	[LUTGEN_LOOKUP_G_LOCATION] = { false, false, true, false },
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *json_type_name(const cJSON *j)
{
	if (cJSON_IsString(j))
		return "a string";
	if (cJSON_IsNumber(j))
		return "a number";
	if (cJSON_IsBool(j))
		return "a boolean";
	if (cJSON_IsNull(j))
		return "null";
	if (cJSON_IsArray(j))
		return "an array";
	if (cJSON_IsObject(j))
		return "an object";
	return "an invalid value";
}

/* Letters, digits and '_', not starting with a digit. */
static bool is_identifier_syntax(const char *s)
{
	size_t i;

	if (!s[0] || !((s[0] >= 'a' && s[0] <= 'z') ||
		       (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
		return false;
	for (i = 1; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* A C library name, also math.h's float and long double forms. */
static bool libc_name(const char *s)
{
	char base[NAME_LEN_MAX + 1];
	size_t n = strlen(s);

	if (in_list(s, libc_names, ARRAY_LEN(libc_names)))
		return true;
	if (n < 2 || n > NAME_LEN_MAX || (s[n - 1] != 'f' && s[n - 1] != 'l'))
		return false;
	memcpy(base, s, n - 1);
	base[n - 1] = '\0';
	return in_list(base, libc_names, ARRAY_LEN(libc_names));
}

static bool starts_with_nocase(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (*s != *prefix && !(*s >= 'A' && *s <= 'Z' &&
				       *s - 'A' + 'a' == *prefix))
			return false;
	return true;
}

/* Why a spec name (lookup false) or lookup name (lookup true) cannot
 * name generated C; NULL when it can.  A lookup NAME becomes the external
 * functions NAME and NAME_v, compiled as C99 and C++ next to
 * lutgen_go.h, <stdint.h> and <stddef.h>. */
static const char *name_problem(const char *s, bool lookup)
{
	size_t n = strlen(s), i;
	bool lower = false;

	if (!is_identifier_syntax(s))
		return "is not a C identifier";
	if (n > NAME_LEN_MAX)
		return "is longer than 128 characters";
	if (in_list(s, c_reserved, ARRAY_LEN(c_reserved)))
		return "is a C keyword";
	if (starts_with_nocase(s, "lutgen_"))
		return "starts with lutgen_, which belongs to the generated support code (lutgen_go.h: LUTGEN_OK, lutgen_go_strerror, lutgen_go_table_<spec>, ...)";
	if (s[0] == '_' || strstr(s, "__"))
		return "is reserved for the compiler and its library (a leading underscore, or a double underscore)";
	if (!lookup)
		return NULL;
	if (in_list(s, cxx_reserved, ARRAY_LEN(cxx_reserved)))
		return "is a C++ keyword (the generated header is also C++)";
	if (libc_name(s))
		return "is a C library name (main, printf, read, ...): the generated function would clash with it";
	if (n >= 2 && s[n - 2] == '_' && s[n - 1] == 't')
		return "ends in _t, the namespace of type names (uint64_t, size_t, ...)";
	for (i = 0; i < n; i++)
		if (s[i] >= 'a' && s[i] <= 'z')
			lower = true;
	if (!lower)
		return "has no lower-case letter: that is the macro namespace (NULL, EOF, INT64_MAX, ...)";
	return NULL;
}

bool lutgen_spec_is_c_identifier(const char *s)
{
	return s && name_problem(s, false) == NULL;
}

/* An excerpt of a name for messages: at most 64 characters. */
static const char *excerpt(const char *s, char *buf, size_t size)
{
	size_t n = strlen(s);

	if (n <= 64 || size < 80) {
		snprintf(buf, size, "%s", s);
		return buf;
	}
	snprintf(buf, size, "%.60s... (%zu characters)", s, n);
	return buf;
}

/* A Go type, field path or function name: printable, no spaces. */
static bool is_go_name(const char *s)
{
	size_t i;

	if (!s[0])
		return false;
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* A program directory name: one path component, no dot files. */
static bool is_dir_name(const char *s)
{
	size_t i;

	if (!s[0] || s[0] == '.')
		return false;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-' || s[i] == '.'))
			return false;
	return true;
}

static bool is_linux_arch(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(linux_arches); i++)
		if (strcmp(s, linux_arches[i]) == 0)
			return true;
	return false;
}

/* `where` is "<origin>" or "<origin>: lookup 2 (name)". */
static int check_no_duplicate_keys(const cJSON *obj, const char *where,
				   struct common_err *err)
{
	const cJSON *a, *b;

	for (a = obj->child; a; a = a->next)
		for (b = a->next; b; b = b->next)
			if (strcmp(a->string, b->string) == 0)
				return common_err_set(err, -EINVAL,
						      "%s: key '%.64s' appears twice",
						      where, a->string);
	return 0;
}

static int check_known_keys(const cJSON *obj, const char *const *known,
			    size_t nknown, const char *where,
			    struct common_err *err)
{
	const cJSON *it;
	size_t i;

	for (it = obj->child; it; it = it->next) {
		for (i = 0; i < nknown; i++)
			if (strcmp(it->string, known[i]) == 0)
				break;
		if (i == nknown)
			return common_err_set(err, -EINVAL,
					      "%s: unknown key '%.64s'", where,
					      it->string);
	}
	return check_no_duplicate_keys(obj, where, err);
}

/* Fetch string member `key`: -ENOENT when absent and !required (and *out
 * left NULL), -EINVAL on a wrong type or a missing required key. */
static int get_string(const cJSON *obj, const char *key, bool required,
		      const char *where, const char **out,
		      struct common_err *err)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!j) {
		if (required)
			return common_err_set(err, -EINVAL,
					      "%s: missing key '%s'", where, key);
		return -ENOENT;
	}
	if (!cJSON_IsString(j) || !j->valuestring)
		return common_err_set(err, -EINVAL,
				      "%s: key '%s': expected a string, got %s",
				      where, key, json_type_name(j));
	*out = j->valuestring;
	return 0;
}

static int dup_into(char **dst, const char *src, struct common_err *err)
{
	*dst = strdup(src ? src : "");
	if (!*dst)
		return common_err_set(err, -ENOMEM, "out of memory");
	return 0;
}

/* Every key the kind needs is there, none it does not take. */
static int check_kind_keys(const struct lutgen_lookup *l, const char *where,
			   struct common_err *err)
{
	const struct kind_keys *k = &kind_keys[l->kind];
	const char *kn = lutgen_lookup_kind_name(l->kind);
	const char *keys[] = { "type", "field", "function", "const" };
	bool want[] = { k->type, k->field, k->function, k->konst };
	bool have[] = { l->types.n > 0, l->fields.n > 0, l->functions.n > 0,
			l->consts.n > 0 };
	size_t i;

	for (i = 0; i < ARRAY_LEN(keys); i++)
		if (want[i] && !have[i])
			return common_err_set(err, -EINVAL,
					      "%s: missing key '%s' (kind %s needs it)",
					      where, keys[i], kn);
	for (i = 0; i < ARRAY_LEN(keys); i++)
		if (!want[i] && have[i])
			return common_err_set(err, -EINVAL,
					      "%s: key '%s' does not apply to kind %s",
					      where, keys[i], kn);
	return 0;
}

static void alts_free(struct lutgen_alts *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

/* Key `key` as a string or a non-empty list of distinct strings, each a Go
 * name (`what` says which kind in errors).  Absent: a->n == 0. */
static int get_alts(const cJSON *obj, const char *key, const char *what,
		    const char *where, struct lutgen_alts *a,
		    struct common_err *err)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
	const cJSON *it;
	size_t n, i;
	char ex[128];

	if (!j)
		return 0;
	if (cJSON_IsString(j) && j->valuestring) {
		n = 1;
	} else if (cJSON_IsArray(j)) {
		n = (size_t)cJSON_GetArraySize(j);
		if (n == 0)
			return common_err_set(err, -EINVAL,
					      "%s: key '%s': an empty list (give at least one %s)",
					      where, key, what);
	} else {
		return common_err_set(err, -EINVAL,
				      "%s: key '%s': expected a string or a list of strings, got %s",
				      where, key, json_type_name(j));
	}
	a->v = calloc(n, sizeof(*a->v));
	if (!a->v)
		return common_err_set(err, -ENOMEM, "out of memory");
	for (it = cJSON_IsArray(j) ? j->child : j; it && a->n < n;
	     it = it->next) {
		if (!cJSON_IsString(it) || !it->valuestring)
			return common_err_set(err, -EINVAL,
					      "%s: key '%s': element %zu: expected a string, got %s",
					      where, key, a->n, json_type_name(it));
		if (!is_go_name(it->valuestring))
			return common_err_set(err, -EINVAL,
					      "%s: key '%s': \"%s\" is not a %s",
					      where, key,
					      excerpt(it->valuestring, ex,
						      sizeof(ex)),
					      what);
		for (i = 0; i < a->n; i++)
			if (strcmp(a->v[i], it->valuestring) == 0)
				return common_err_set(err, -EINVAL,
						      "%s: key '%s': \"%s\" listed twice",
						      where, key,
						      excerpt(it->valuestring, ex,
							      sizeof(ex)));
		a->v[a->n] = strdup(it->valuestring);
		if (!a->v[a->n])
			return common_err_set(err, -ENOMEM, "out of memory");
		a->n++;
	}
	return 0;
}

static int parse_lookup(const cJSON *j, size_t idx, const char *origin,
			struct lutgen_lookup *l, struct common_err *err)
{
	static const char *const known[] = { "name",	 "doc",	     "kind",
					     "type",	 "field",    "function",
					     "const",	 "optional" };
	char where[512];
	const char *name = NULL, *doc = NULL, *kind = NULL, *why;
	const cJSON *nm, *opt;
	char ex[128];
	int rc;

	/* Name the lookup by its name when it has a usable one. */
	nm = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "name")
			       : NULL;
	if (nm && cJSON_IsString(nm) && nm->valuestring)
		rc = snprintf(where, sizeof(where), "%s: lookups[%zu] (%s)",
			      origin, idx,
			      excerpt(nm->valuestring, ex, sizeof(ex)));
	else
		rc = snprintf(where, sizeof(where), "%s: lookups[%zu]", origin,
			      idx);
	if (rc < 0 || (size_t)rc >= sizeof(where))
		where[sizeof(where) - 1] = '\0'; /* truncated name is fine */

	if (!cJSON_IsObject(j))
		return common_err_set(err, -EINVAL,
				      "%s: expected an object, got %s", where,
				      json_type_name(j));
	rc = check_known_keys(j, known, ARRAY_LEN(known), where, err);
	if (rc)
		return rc;
	if ((rc = get_string(j, "name", true, where, &name, err)) ||
	    (rc = get_string(j, "kind", true, where, &kind, err)))
		return rc;
	if ((rc = get_string(j, "doc", false, where, &doc, err)) == -EINVAL)
		return rc;
	if ((rc = get_alts(j, "type", "Go type name", where, &l->types, err)) ||
	    (rc = get_alts(j, "field", "field path", where, &l->fields, err)) ||
	    (rc = get_alts(j, "function", "Go function name", where,
			   &l->functions, err)) ||
	    (rc = get_alts(j, "const", "Go constant name", where, &l->consts,
			   err)))
		return rc;
	opt = cJSON_GetObjectItemCaseSensitive(j, "optional");
	if (opt && !cJSON_IsBool(opt))
		return common_err_set(err, -EINVAL,
				      "%s: key 'optional': expected true or false, got %s",
				      where, json_type_name(opt));
	l->optional = opt && cJSON_IsTrue(opt);

	if ((why = name_problem(name, true)) != NULL)
		return common_err_set(err, -EINVAL,
				      "%s: key 'name': \"%s\" %s",
				      where, excerpt(name, ex, sizeof(ex)), why);
	if (lutgen_lookup_kind_parse(kind, &l->kind) != 0)
		return common_err_set(err, -EINVAL,
				      "%s: key 'kind': unknown kind \"%s\" (use struct_offset, field_size, type_size, const, func_params, func_results or g_location)",
				      where, excerpt(kind, ex, sizeof(ex)));
	rc = check_kind_keys(l, where, err);
	if (rc)
		return rc;
	l->type = l->types.n ? l->types.v[0] : NULL;
	l->field = l->fields.n ? l->fields.v[0] : NULL;
	l->function = l->functions.n ? l->functions.v[0] : NULL;
	l->konst = l->consts.n ? l->consts.v[0] : NULL;

	if ((rc = dup_into(&l->name, name, err)) ||
	    (rc = dup_into(&l->doc, doc, err)))
		return rc;
	return 0;
}

static int alts_to_json(const struct lutgen_alts *a, const char *key,
			cJSON *obj)
{
	cJSON *arr;
	size_t i;

	if (a->n == 0)
		return 0;
	if (a->n == 1)
		return cJSON_AddStringToObject(obj, key, a->v[0]) ? 0 : -ENOMEM;
	arr = cJSON_AddArrayToObject(obj, key);
	if (!arr)
		return -ENOMEM;
	for (i = 0; i < a->n; i++) {
		cJSON *s = cJSON_CreateString(a->v[i]);

		if (!s || !cJSON_AddItemToArray(arr, s)) {
			cJSON_Delete(s);
			return -ENOMEM;
		}
	}
	return 0;
}

int lutgen_lookup_keys_to_json(const struct lutgen_lookup *l, cJSON *obj)
{
	if (alts_to_json(&l->types, "type", obj) ||
	    alts_to_json(&l->fields, "field", obj) ||
	    alts_to_json(&l->functions, "function", obj) ||
	    alts_to_json(&l->consts, "const", obj))
		return -ENOMEM;
	if (l->optional && !cJSON_AddBoolToObject(obj, "optional", 1))
		return -ENOMEM;
	return 0;
}

static int parse_arches(const cJSON *j, const char *origin,
			struct lutgen_spec *s, struct common_err *err)
{
	const cJSON *it;
	size_t n = 0, i;
	char ex[128];

	if (!cJSON_IsArray(j))
		return common_err_set(err, -EINVAL,
				      "%s: key 'arches': expected an array of strings, got %s",
				      origin, json_type_name(j));
	n = (size_t)cJSON_GetArraySize(j);
	if (n == 0)
		return common_err_set(err, -EINVAL,
				      "%s: key 'arches': empty (list at least one GOARCH)",
				      origin);
	s->arches = calloc(n, sizeof(*s->arches));
	if (!s->arches)
		return common_err_set(err, -ENOMEM, "out of memory");
	cJSON_ArrayForEach(it, j) {
		if (!cJSON_IsString(it) || !it->valuestring)
			return common_err_set(err, -EINVAL,
					      "%s: key 'arches': element %zu: expected a string, got %s",
					      origin, s->narches,
					      json_type_name(it));
		if (!is_linux_arch(it->valuestring))
			return common_err_set(err, -EINVAL,
					      "%s: key 'arches': unknown arch \"%s\" (a linux GOARCH such as amd64 or arm64)",
					      origin,
					      excerpt(it->valuestring, ex, sizeof(ex)));
		for (i = 0; i < s->narches; i++)
			if (strcmp(s->arches[i], it->valuestring) == 0)
				return common_err_set(err, -EINVAL,
						      "%s: key 'arches': \"%s\" listed twice",
						      origin, it->valuestring);
		s->arches[s->narches] = strdup(it->valuestring);
		if (!s->arches[s->narches])
			return common_err_set(err, -ENOMEM, "out of memory");
		s->narches++;
	}
	return 0;
}

static bool equal_nocase(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;

		if (x != y)
			return false;
	}
	return *a == *b;
}

/* Does lookup name a define a symbol lookup name b defines (a, a_v vs
 * b, b_v)? */
static bool symbols_clash(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	if (strcmp(a, b) == 0)
		return true;
	if (nb == na + 2 && strncmp(a, b, na) == 0 && strcmp(b + na, "_v") == 0)
		return true;
	return na == nb + 2 && strncmp(a, b, nb) == 0 &&
	       strcmp(a + nb, "_v") == 0;
}

static int parse_lookups(const cJSON *j, const char *origin,
			 struct lutgen_spec *s, struct common_err *err)
{
	const cJSON *it;
	size_t n, i;
	int rc;

	if (!cJSON_IsArray(j))
		return common_err_set(err, -EINVAL,
				      "%s: key 'lookups': expected an array of objects, got %s",
				      origin, json_type_name(j));
	n = (size_t)cJSON_GetArraySize(j);
	if (n == 0)
		return common_err_set(err, -EINVAL,
				      "%s: key 'lookups': empty (a spec needs at least one lookup)",
				      origin);
	s->lookups = calloc(n, sizeof(*s->lookups));
	if (!s->lookups)
		return common_err_set(err, -ENOMEM, "out of memory");
	cJSON_ArrayForEach(it, j) {
		struct lutgen_lookup *l = &s->lookups[s->nlookups];

		s->nlookups++; /* counted first so that free sees partial ones */
		rc = parse_lookup(it, s->nlookups - 1, origin, l, err);
		if (rc)
			return rc;
		for (i = 0; i + 1 < s->nlookups; i++)
			if (strcmp(s->lookups[i].name, l->name) == 0)
				return common_err_set(err, -EINVAL,
						      "%s: lookups[%zu] (%s): duplicate name (also lookups[%zu])",
						      origin, s->nlookups - 1,
						      l->name, i);
		for (i = 0; i + 1 < s->nlookups; i++) {
			const char *a = s->lookups[i].name, *b = l->name;

			if (symbols_clash(a, b))
				return common_err_set(err, -EINVAL,
						      "%s: lookups[%zu] (%s): key 'name': clashes with lookups[%zu] (%s): both would define the C function %s_v",
						      origin, s->nlookups - 1, b,
						      i, a,
						      strlen(a) < strlen(b) ? a : b);
		}
		if (strcmp(l->name, s->name) == 0)
			return common_err_set(err, -EINVAL,
					      "%s: lookups[%zu] (%s): name equals the spec's name",
					      origin, s->nlookups - 1, l->name);
	}
	return 0;
}

static int cmp_skip(const void *a, const void *b)
{
	return rungo_modver_cmp(&((const struct lutgen_mod_skip *)a)->version,
				&((const struct lutgen_mod_skip *)b)->version);
}

/* module.skip: {"vX.Y.Z": "why", ...}. */
static int parse_skip(const cJSON *j, const char *where,
		      struct lutgen_spec_module *m, struct common_err *err)
{
	const cJSON *it;
	size_t n = 0, i;

	if (!j)
		return 0;
	if (!cJSON_IsObject(j))
		return common_err_set(err, -EINVAL,
				     "%s: key 'skip': expected an object {\"module version\": \"why\"}, got %s",
				     where, json_type_name(j));
	cJSON_ArrayForEach(it, j)
		n++;
	if (n == 0)
		return 0;
	m->skip = calloc(n, sizeof(*m->skip));
	if (!m->skip)
		return common_err_set(err, -ENOMEM, "out of memory");
	cJSON_ArrayForEach(it, j) {
		struct lutgen_mod_skip *k = &m->skip[m->nskip];
		struct common_err e = { 0 };

		if (rungo_modver_parse(it->string, &k->version, &e) != 0)
			return common_err_set(err, -EINVAL,
					     "%s: key 'skip': \"%s\": %s",
					     where, it->string, e.msg);
		if (!cJSON_IsString(it) || !it->valuestring[0])
			return common_err_set(err, -EINVAL,
					     "%s: key 'skip': %s: expected a string saying why",
					     where, it->string);
		if (dup_into(&k->why, it->valuestring, err))
			return -ENOMEM;
		m->nskip++;
	}
	qsort(m->skip, m->nskip, sizeof(*m->skip), cmp_skip);
	for (i = 1; i < m->nskip; i++)
		if (cmp_skip(&m->skip[i - 1], &m->skip[i]) == 0)
			return common_err_set(err, -EINVAL,
					     "%s: key 'skip': %s given twice",
					     where, m->skip[i].version.str);
	return 0;
}

static int parse_module(const cJSON *j, const char *origin,
			struct lutgen_spec *s, struct common_err *err)
{
	static const char *const known[] = { "path", "min_version",
					     "max_version", "policy",
					     "prerelease", "go", "skip" };
	char where[512];
	const char *path = NULL, *minv = NULL, *maxv = NULL, *policy = NULL,
		   *go = NULL;
	const cJSON *pre;
	struct lutgen_spec_module *m;
	struct common_err e = { 0 };
	int rc;

	snprintf(where, sizeof(where), "%s: key 'module'", origin);
	if (!cJSON_IsObject(j))
		return common_err_set(err, -EINVAL,
				     "%s: expected an object, got %s", where,
				     json_type_name(j));
	rc = check_known_keys(j, known, ARRAY_LEN(known), where, err);
	if (rc)
		return rc;
	if ((rc = get_string(j, "path", true, where, &path, err)))
		return rc;
	if ((rc = get_string(j, "min_version", false, where, &minv, err)) ==
		    -EINVAL ||
	    (rc = get_string(j, "max_version", false, where, &maxv, err)) ==
		    -EINVAL ||
	    (rc = get_string(j, "policy", false, where, &policy, err)) ==
		    -EINVAL ||
	    (rc = get_string(j, "go", false, where, &go, err)) == -EINVAL)
		return rc;
	m = calloc(1, sizeof(*m));
	if (!m)
		return common_err_set(err, -ENOMEM, "out of memory");
	s->module = m;
	if (rungo_modpath_check(path, &e) != 0)
		return common_err_set(err, -EINVAL, "%s: key 'path': %s", where,
				     e.msg);
	if ((rc = dup_into(&m->path, path, err)))
		return rc;
	if (minv) {
		if (rungo_modver_parse(minv, &m->min_version, &e) != 0)
			return common_err_set(err, -EINVAL,
					     "%s: key 'min_version': %s", where,
					     e.msg);
		m->has_min = true;
	}
	if (maxv) {
		if (rungo_modver_parse(maxv, &m->max_version, &e) != 0)
			return common_err_set(err, -EINVAL,
					     "%s: key 'max_version': %s", where,
					     e.msg);
		m->has_max = true;
	}
	if (m->has_min && m->has_max &&
	    rungo_modver_cmp(&m->min_version, &m->max_version) > 0)
		return common_err_set(err, -EINVAL,
				     "%s: min_version %s is above max_version %s",
				     where, m->min_version.str,
				     m->max_version.str);
	if ((m->has_min &&
	     rungo_modpath_check_version(path, &m->min_version, &e) != 0) ||
	    (m->has_max &&
	     rungo_modpath_check_version(path, &m->max_version, &e) != 0))
		return common_err_set(err, -EINVAL, "%s: %s", where, e.msg);
	m->policy = RUNGO_POLICY_MINOR;
	if (policy && rungo_policy_parse(policy, &m->policy, NULL) != 0)
		return common_err_set(err, -EINVAL,
				     "%s: key 'policy': unknown policy \"%s\" (use minor, latest-patch, ends or all)",
				     where, policy);
	pre = cJSON_GetObjectItemCaseSensitive(j, "prerelease");
	if (pre && !cJSON_IsBool(pre))
		return common_err_set(err, -EINVAL,
				     "%s: key 'prerelease': expected true or false, got %s",
				     where, json_type_name(pre));
	m->prerelease = pre && cJSON_IsTrue(pre);
	m->go = LUTGEN_MOD_GO_NEWEST;
	if (go && strcmp(go, "oldest") == 0) {
		m->go = LUTGEN_MOD_GO_OLDEST;
	} else if (go && strcmp(go, "newest") != 0) {
		if (rungo_version_parse(go, &m->go_fixed, &e) != 0)
			return common_err_set(err, -EINVAL,
					     "%s: key 'go': \"%s\" is neither newest, oldest nor a Go version (%s)",
					     where, go, e.msg);
		m->go = LUTGEN_MOD_GO_FIXED;
	}
	return parse_skip(cJSON_GetObjectItemCaseSensitive(j, "skip"), where,
			  m, err);
}

const char *lutgen_spec_mod_skip(const struct lutgen_spec_module *m,
				 const struct rungo_modver *v)
{
	size_t i;

	for (i = 0; m && i < m->nskip; i++)
		if (rungo_modver_cmp(&m->skip[i].version, v) == 0)
			return m->skip[i].why;
	return NULL;
}

const char *lutgen_mod_go_name(const struct lutgen_spec_module *m, char *buf,
			       size_t size)
{
	switch (m->go) {
	case LUTGEN_MOD_GO_OLDEST:
		return "oldest";
	case LUTGEN_MOD_GO_FIXED:
		if (rungo_version_format(&m->go_fixed, buf, size) > 0)
			return buf;
		return "?";
	case LUTGEN_MOD_GO_NEWEST:
		break;
	}
	return "newest";
}

int lutgen_spec_module_to_json(const struct lutgen_spec *s, cJSON *obj)
{
	const struct lutgen_spec_module *m = s->module;
	char go[RUNGO_VERSION_STR_MAX];
	cJSON *o;

	if (!m)
		return 0;
	o = cJSON_AddObjectToObject(obj, "module");
	if (!o || !cJSON_AddStringToObject(o, "path", m->path) ||
	    (m->has_min &&
	     !cJSON_AddStringToObject(o, "min_version", m->min_version.str)) ||
	    (m->has_max &&
	     !cJSON_AddStringToObject(o, "max_version", m->max_version.str)) ||
	    !cJSON_AddStringToObject(o, "policy", rungo_policy_name(m->policy)) ||
	    !cJSON_AddBoolToObject(o, "prerelease", m->prerelease) ||
	    !cJSON_AddStringToObject(o, "go", lutgen_mod_go_name(m, go, sizeof(go))))
		return -ENOMEM;
	if (m->nskip) {
		cJSON *sk = cJSON_AddObjectToObject(o, "skip");
		size_t i;

		if (!sk)
			return -ENOMEM;
		for (i = 0; i < m->nskip; i++)
			if (!cJSON_AddStringToObject(sk, m->skip[i].version.str,
						     m->skip[i].why))
				return -ENOMEM;
	}
	return 0;
}

static int parse_root(const cJSON *root, const char *origin,
		      struct lutgen_spec *s, struct common_err *err)
{
	static const char *const known[] = { "name",	"doc",	  "program",
					     "min_version", "arches",
					     "policy",	"lookups", "module" };
	const char *name, *doc, *program, *minv, *policy, *why;
	char ex[128];
	size_t i;
	int rc;

	if (!cJSON_IsObject(root))
		return common_err_set(err, -EINVAL,
				      "%s: expected a JSON object, got %s", origin,
				      json_type_name(root));
	rc = check_known_keys(root, known, ARRAY_LEN(known), origin, err);
	if (rc)
		return rc;
	const cJSON *module = cJSON_GetObjectItemCaseSensitive(root, "module");

	if ((rc = get_string(root, "name", true, origin, &name, err)) ||
	    (rc = get_string(root, "program", true, origin, &program, err)))
		return rc;
	/* A module spec's Go floor is optional. */
	rc = get_string(root, "min_version", !module, origin, &minv, err);
	if (rc == -EINVAL)
		return rc;
	if (!minv)
		minv = "go1.13";
	if ((rc = get_string(root, "doc", false, origin, &doc, err)) ==
		    -EINVAL ||
	    (rc = get_string(root, "policy", false, origin, &policy, err)) ==
		    -EINVAL)
		return rc;
	if (!cJSON_GetObjectItemCaseSensitive(root, "arches"))
		return common_err_set(err, -EINVAL, "%s: missing key 'arches'",
				      origin);
	if (!cJSON_GetObjectItemCaseSensitive(root, "lookups"))
		return common_err_set(err, -EINVAL, "%s: missing key 'lookups'",
				      origin);

	if (strcmp(name, "lutgen_go") == 0)
		return common_err_set(err, -EINVAL,
				      "%s: key 'name': \"lutgen_go\" is reserved for the shared generated files",
				      origin);
	if ((why = name_problem(name, false)) != NULL)
		return common_err_set(err, -EINVAL,
				      "%s: key 'name': \"%s\" %s", origin,
				      excerpt(name, ex, sizeof(ex)), why);
	if (!is_dir_name(program))
		return common_err_set(err, -EINVAL,
				      "%s: key 'program': \"%s\" is not a directory name under lutgen/programs/",
				      origin, excerpt(program, ex, sizeof(ex)));
	if ((rc = dup_into(&s->name, name, err)) ||
	    (rc = dup_into(&s->doc, doc, err)) ||
	    (rc = dup_into(&s->program, program, err)))
		return rc;

	{
		struct common_err verr = { 0 };

		if (rungo_version_parse(minv, &s->min_version, &verr) != 0)
			return common_err_set(err, -EINVAL,
					      strlen(minv) > 64 ?
						     "%s: key 'min_version': \"%s\" is not a Go version" :
						     "%s: key 'min_version': %s",
					      origin,
					      strlen(minv) > 64 ?
						     excerpt(minv, ex, sizeof(ex)) :
						     verr.msg);
	}
	s->policy = RUNGO_POLICY_MINOR;
	if (policy) {
		struct common_err perr = { 0 };

		if (rungo_policy_parse(policy, &s->policy, &perr) != 0)
			return common_err_set(err, -EINVAL,
					      "%s: key 'policy': unknown policy \"%s\" (use minor, latest-patch, ends or all)",
					      origin, excerpt(policy, ex, sizeof(ex)));
	}
	if (module) {
		rc = parse_module(module, origin, s, err);
		if (rc)
			return rc;
	}
	rc = parse_arches(cJSON_GetObjectItemCaseSensitive(root, "arches"),
			  origin, s, err);
	if (rc)
		return rc;
	rc = parse_lookups(cJSON_GetObjectItemCaseSensitive(root, "lookups"),
			   origin, s, err);
	for (i = 0; rc == 0 && module && i < s->nlookups; i++)
		if (s->lookups[i].kind == LUTGEN_LOOKUP_CONST)
			return common_err_set(err, -EINVAL,
					      "%s: lookup '%s': const lookups are for Go tables (module tables keep unsigned values only)",
					      origin, s->lookups[i].name);
	return rc;
}

int lutgen_spec_parse(const char *json, size_t len, const char *origin,
		      struct lutgen_spec **out, struct common_err *err)
{
	struct lutgen_spec *s = NULL;
	const char *end = NULL;
	cJSON *root = NULL;
	int rc;

	char why[400], ex[128];
	size_t off = 0, line, col;

	if (!origin)
		origin = "spec";
	/* What cJSON would let through: NULs and control characters,
	 * \u0000 (cuts a name short), nesting past its limit. */
	if (rungo_json_scan(json, len, &off, why, sizeof(why)) != 0) {
		rungo_json_line_col(json, len, off, &line, &col);
		rungo_json_excerpt(json, len, off, ex, sizeof(ex));
		rc = common_err_set(err, -EINVAL, "%s:%zu:%zu: %s, near \"%s\"",
				    origin, line, col, why, ex);
		goto out;
	}
	root = cJSON_ParseWithLengthOpts(json, len, &end, false);
	if (!root) {
		off = end ? (size_t)(end - json) : 0;
		rungo_json_line_col(json, len, off, &line, &col);
		rungo_json_excerpt(json, len, off, ex, sizeof(ex));
		rc = common_err_set(err, -EINVAL,
				    "%s:%zu:%zu: not valid JSON, near \"%s\"",
				    origin, line, col, ex);
		goto out;
	}
	for (off = (size_t)(end - json); off < len; off++)
		if (json[off] != ' ' && json[off] != '\t' &&
		    json[off] != '\n' && json[off] != '\r')
			break;
	if (off < len) {
		rungo_json_line_col(json, len, off, &line, &col);
		rungo_json_excerpt(json, len, off, ex, sizeof(ex));
		rc = common_err_set(err, -EINVAL,
				    "%s:%zu:%zu: unexpected data after the spec's JSON object, near \"%s\"",
				    origin, line, col, ex);
		goto out;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		rc = common_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = dup_into(&s->path, origin, err);
	if (rc)
		goto out;
	rc = parse_root(root, origin, s, err);
	if (rc)
		goto out;
	*out = s;
	s = NULL;
out:
	lutgen_spec_free(s);
	cJSON_Delete(root);
	return rc;
}

int lutgen_spec_load(const char *path, struct lutgen_spec **out,
		     struct common_err *err)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	int rc = 0;

	f = fopen(path, "rb");
	if (!f)
		return common_err_set(err, -errno, "spec %s: %s", path,
				      strerror(errno));
	for (;;) {
		size_t got;

		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			char *nb;

			if (ncap > (16u << 20)) {
				rc = common_err_set(err, -EFBIG,
						    "spec %s: larger than 16 MiB",
						    path);
				goto out;
			}
			nb = realloc(buf, ncap);
			if (!nb) {
				rc = common_err_set(err, -ENOMEM,
						    "out of memory");
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f)) {
				rc = common_err_set(err, -EIO,
						    "spec %s: read error", path);
				goto out;
			}
			break;
		}
	}
	rc = lutgen_spec_parse(buf ? buf : "", len, path, out, err);
out:
	free(buf);
	fclose(f);
	return rc;
}

void lutgen_spec_free(struct lutgen_spec *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nlookups; i++) {
		free(s->lookups[i].name);
		free(s->lookups[i].doc);
		alts_free(&s->lookups[i].types);
		alts_free(&s->lookups[i].fields);
		alts_free(&s->lookups[i].functions);
		alts_free(&s->lookups[i].consts);
	}
	free(s->lookups);
	if (s->arches)
		for (i = 0; i < s->narches; i++)
			free(s->arches[i]);
	free(s->arches);
	if (s->module) {
		free(s->module->path);
		for (i = 0; i < s->module->nskip; i++)
			free(s->module->skip[i].why);
		free(s->module->skip);
	}
	free(s->module);
	free(s->path);
	free(s->name);
	free(s->doc);
	free(s->program);
	free(s);
}

int lutgen_spec_check_run(const struct lutgen_spec *const *specs, size_t n,
			  struct common_err *err)
{
	size_t i, k, li, lk;

	for (i = 0; i < n; i++) {
		for (k = 0; k < i; k++) {
			const struct lutgen_spec *a = specs[k], *b = specs[i];

			if (equal_nocase(a->name, b->name))
				return common_err_set(err, -EINVAL,
						      "%s: key 'name': \"%s\" %s \"%s\" of %s; %s",
						      b->path, b->name,
						      strcmp(a->name, b->name) ?
							     "differs only in case from the name" :
							     "is also the name",
						      a->name, a->path,
						      "two specs of one run need names that differ in more than case (file names, header guards)");
			for (li = 0; li < b->nlookups; li++)
				for (lk = 0; lk < a->nlookups; lk++) {
					const char *x = b->lookups[li].name;
					const char *y = a->lookups[lk].name;

					if (!symbols_clash(x, y))
						continue;
					return common_err_set(err, -EINVAL,
							      "%s: lookups[%zu] (%s): key 'name': clashes with lookups[%zu] (%s) of %s: both would define the C function %s%s, so the two tables could not be linked together",
							      b->path, li, x, lk,
							      y, a->path,
							      strlen(x) < strlen(y) ? x : y,
							      strcmp(x, y) ? "_v" : "");
				}
		}
	}
	return 0;
}
