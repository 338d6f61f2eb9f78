/* SPDX-License-Identifier: MIT */
/* rungo/modgraph.c - walk a module's requirement graph through the proxy,
 * replacing versions the proxy lacks (rules in rungo/modgraph.h). */
#include "rungo/modgraph.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rungo/gomod.h"

struct node {
	char *path;
	struct rungo_modver v;
};

/* The versions a proxy lists for one path (n == 0 with known: none). */
struct listing {
	char *path;
	struct rungo_modver *v;
	size_t n;
};

struct walk {
	const struct rungo_modcache_opts *mc;
	const struct rungo_modgraph_opts *o;
	struct rungo_modgraph *g;
	/* visited "path@version" keys, open addressing */
	char **seen;
	size_t seen_cap, nseen;
	struct node *queue;
	size_t qhead, qtail, qcap;
	struct listing *lists;
	size_t nlists;
	bool enclosing;   /* walking from an enclosing pinned module */
};

static unsigned long hash_str(const char *s)
{
	unsigned long h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/* Add key; 1 if it was new, 0 if seen, -ENOMEM. */
static int seen_add(struct walk *w, const char *path,
		    const struct rungo_modver *v)
{
	char key[RUNGO_MODPATH_MAX + RUNGO_MODVER_MAX + 2];
	size_t i;

	snprintf(key, sizeof(key), "%s@%s", path, v->str);
	if (w->nseen * 2 >= w->seen_cap) {
		size_t cap = w->seen_cap ? w->seen_cap * 2 : 1024, k;
		char **ns = calloc(cap, sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		for (k = 0; k < w->seen_cap; k++) {
			if (!w->seen[k])
				continue;
			for (i = hash_str(w->seen[k]) % cap; ns[i];
			     i = (i + 1) % cap)
				;
			ns[i] = w->seen[k];
		}
		free(w->seen);
		w->seen = ns;
		w->seen_cap = cap;
	}
	for (i = hash_str(key) % w->seen_cap; w->seen[i];
	     i = (i + 1) % w->seen_cap)
		if (strcmp(w->seen[i], key) == 0)
			return 0;
	w->seen[i] = strdup(key);
	if (!w->seen[i])
		return -ENOMEM;
	w->nseen++;
	return 1;
}

static int enqueue(struct walk *w, const char *path,
		   const struct rungo_modver *v)
{
	int rc = seen_add(w, path, v);

	if (rc <= 0)
		return rc;
	if (w->qtail == w->qcap) {
		size_t cap = w->qcap ? w->qcap * 2 : 256;
		struct node *nq = realloc(w->queue, cap * sizeof(*nq));

		if (!nq)
			return -ENOMEM;
		w->queue = nq;
		w->qcap = cap;
	}
	w->queue[w->qtail].path = strdup(path);
	if (!w->queue[w->qtail].path)
		return -ENOMEM;
	w->queue[w->qtail].v = *v;
	w->qtail++;
	return 0;
}

/* The proxy's versions of `path`, fetched once. */
static int listing(struct walk *w, const char *path,
		   const struct listing **out, struct common_err *err)
{
	struct listing *nl, *l;
	struct common_err e = { 0 };
	size_t i;
	int rc;

	for (i = 0; i < w->nlists; i++)
		if (strcmp(w->lists[i].path, path) == 0) {
			*out = &w->lists[i];
			return 0;
		}
	nl = realloc(w->lists, (w->nlists + 1) * sizeof(*nl));
	if (!nl)
		return common_err_set(err, -ENOMEM, "out of memory");
	w->lists = nl;
	l = &w->lists[w->nlists];
	memset(l, 0, sizeof(*l));
	l->path = strdup(path);
	if (!l->path)
		return common_err_set(err, -ENOMEM, "out of memory");
	w->nlists++;
	rc = rungo_goproxy_list(w->mc->proxy, path, &l->v, &l->n, &e);
	if (rc == -ENOENT || rc == -EPROTO) {
		l->n = 0;   /* unknown to the proxy (or nothing usable) */
	} else if (rc) {
		return common_err_set(err, rc, "%s", e.msg);
	}
	*out = l;
	return 0;
}

/* The replacement for missing path@v among the listed versions, NULL when
 * there is none. */
static const struct rungo_modver *pick(const struct listing *l,
				       const struct rungo_modver *v)
{
	const struct rungo_modver *above = NULL, *below = NULL;
	const struct rungo_modver *any_above = NULL, *any_below = NULL;
	size_t i;

	/* Listings are sorted oldest first. */
	for (i = 0; i < l->n; i++) {
		const struct rungo_modver *c = &l->v[i];
		bool same = c->major == v->major &&
			    c->incompatible == v->incompatible;

		if (rungo_modver_cmp(c, v) >= 0) {
			if (same && !above)
				above = c;
			if (!any_above)
				any_above = c;
		} else {
			if (same)
				below = c;
			any_below = c;
		}
	}
	if (above)
		return above;
	if (below)
		return below;
	return any_above ? any_above : any_below;
}

static const struct rungo_modpin *pin_of(const struct walk *w,
					 const char *path)
{
	size_t i;

	for (i = 0; w->o && i < w->o->npins; i++)
		if (strcmp(w->o->pins[i].path, path) == 0)
			return &w->o->pins[i];
	return NULL;
}

/* from NULL: a pin (added once per path). */
static int add_replace(struct rungo_modgraph *g, const char *path,
		       const struct rungo_modver *from,
		       const struct rungo_modver *to)
{
	size_t i;

	if (!from)
		for (i = 0; i < g->nreplaces; i++)
			if (!g->replaces[i].has_from &&
			    strcmp(g->replaces[i].path, path) == 0)
				return 0;
	struct rungo_modreplace *nr = realloc(g->replaces,
					      (g->nreplaces + 1) * sizeof(*nr));

	if (!nr)
		return -ENOMEM;
	g->replaces = nr;
	nr[g->nreplaces].path = strdup(path);
	if (!nr[g->nreplaces].path)
		return -ENOMEM;
	nr[g->nreplaces].has_from = from != NULL;
	if (from)
		nr[g->nreplaces].from = *from;
	else
		memset(&nr[g->nreplaces].from, 0, sizeof(*from));
	nr[g->nreplaces].to = *to;
	g->nreplaces++;
	return 0;
}

/* An unpinned requirement met below an enclosing module. */
static int add_exclude(struct rungo_modgraph *g, const char *path,
		       const struct rungo_modver *v)
{
	struct rungo_modexclude *ne;
	size_t i;

	for (i = 0; i < g->nexcludes; i++)
		if (strcmp(g->excludes[i].path, path) == 0 &&
		    rungo_modver_cmp(&g->excludes[i].version, v) == 0)
			return 0;
	ne = realloc(g->excludes, (g->nexcludes + 1) * sizeof(*ne));
	if (!ne)
		return -ENOMEM;
	g->excludes = ne;
	ne[g->nexcludes].path = strdup(path);
	ne[g->nexcludes].version = *v;
	if (!ne[g->nexcludes].path)
		return -ENOMEM;
	g->nexcludes++;
	return 0;
}

static int add_missing(struct rungo_modgraph *g, const char *path)
{
	char **nm;
	size_t i;

	for (i = 0; i < g->nmissing; i++)
		if (strcmp(g->missing[i], path) == 0)
			return 0;
	nm = realloc(g->missing, (g->nmissing + 1) * sizeof(*nm));
	if (!nm)
		return -ENOMEM;
	g->missing = nm;
	nm[g->nmissing] = strdup(path);
	if (!nm[g->nmissing])
		return -ENOMEM;
	g->nmissing++;
	return 0;
}

/* Read the go.mod of path@v (the version actually used) and queue its
 * requirements. */
static int visit(struct walk *w, const char *path,
		 const struct rungo_modver *v, struct common_err *err)
{
	struct rungo_gomod *m = NULL;
	char origin[RUNGO_MODPATH_MAX + RUNGO_MODVER_MAX + 16];
	char *text = NULL;
	size_t len = 0, i;
	int rc;

	rc = rungo_modcache_gomod(w->mc, path, v, &text, &len, NULL, err);
	if (rc)
		return rc;
	snprintf(origin, sizeof(origin), "%s@%s/go.mod", path, v->str);
	rc = rungo_gomod_parse(text, len, origin, &m, err);
	free(text);
	if (rc)
		return rc;
	w->g->nodes++;
	if (m->has_go && (!w->g->has_go ||
			  rungo_version_cmp(&m->go, &w->g->go) > 0)) {
		w->g->go = m->go;
		w->g->has_go = true;
		snprintf(w->g->go_from, sizeof(w->g->go_from), "%s@%s", path,
			 v->str);
	}
	for (i = 0; i < m->nrequires && rc == 0; i++)
		if (enqueue(w, m->requires[i].path, &m->requires[i].version) < 0)
			rc = common_err_set(err, -ENOMEM, "out of memory");
	rungo_gomod_free(m);
	return rc;
}

static int cmp_replace(const void *a, const void *b)
{
	const struct rungo_modreplace *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	if (x->has_from != y->has_from)
		return x->has_from ? 1 : -1;
	return x->has_from ? rungo_modver_cmp(&x->from, &y->from) : 0;
}

static int cmp_req(const void *a, const void *b)
{
	return strcmp(((const struct rungo_modreq *)a)->path,
		      ((const struct rungo_modreq *)b)->path);
}

static int cmp_excl(const void *a, const void *b)
{
	const struct rungo_modexclude *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : rungo_modver_cmp(&x->version, &y->version);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void rungo_modgraph_free(struct rungo_modgraph *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->nreplaces; i++)
		free(g->replaces[i].path);
	free(g->replaces);
	for (i = 0; i < g->nrequires; i++) {
		free(g->requires[i].path);
		free(g->requires[i].encloses);
	}
	free(g->requires);
	for (i = 0; i < g->nexcludes; i++)
		free(g->excludes[i].path);
	free(g->excludes);
	for (i = 0; i < g->nmissing; i++)
		free(g->missing[i]);
	free(g->missing);
	free(g);
}

/* Visit the queue until it is empty. */
static int drain(struct walk *w, const char *path,
		 const struct rungo_modver *v, struct common_err *err)
{
	int rc = 0;

	while (rc == 0 && w->qhead < w->qtail) {
		/* A copy: visiting may grow the queue. */
		struct node n = w->queue[w->qhead++];
		struct common_err e = { 0 };
		const struct listing *l = NULL;
		const struct rungo_modver *r;
		const struct rungo_modpin *pin = pin_of(w, n.path);

		if (w->g->nodes >= RUNGO_MODGRAPH_MAX_NODES) {
			rc = common_err_set(err, -E2BIG,
					   "module graph of %s@%s: more than %d go.mod files",
					   path, v->str, RUNGO_MODGRAPH_MAX_NODES);
			break;
		}
		if (pin) {
			if (add_replace(w->g, n.path, NULL, &pin->version) < 0) {
				rc = common_err_set(err, -ENOMEM, "out of memory");
				break;
			}
			if (rungo_modver_cmp(&n.v, &pin->version) != 0 &&
			    seen_add(w, n.path, &pin->version) == 0)
				continue;   /* its go.mod is read already */
			rc = visit(w, n.path, &pin->version, err);
			if (rc)
				common_err_prefix(err, rc,
						 "module graph of %s@%s: pinned %s@%s",
						 path, v->str, n.path,
						 pin->version.str);
			continue;
		}
		if (w->enclosing) {
			/* The suite does not have it: the enclosing module
			 * is there for its packages, not its requirements. */
			if (add_exclude(w->g, n.path, &n.v) < 0)
				rc = common_err_set(err, -ENOMEM, "out of memory");
			continue;
		}
		rc = visit(w, n.path, &n.v, &e);
		if (rc == 0)
			continue;
		if (rc != -ENOENT || w->qhead == 1) {
			common_err_set(err, rc, "%s", e.msg);
			break;
		}
		/* The proxy lacks this version: use one it has. */
		rc = listing(w, n.path, &l, err);
		if (rc)
			break;
		r = pick(l, &n.v);
		if (!r) {
			if (add_missing(w->g, n.path) < 0)
				rc = common_err_set(err, -ENOMEM, "out of memory");
			continue;
		}
		if (add_replace(w->g, n.path, &n.v, r) < 0) {
			rc = common_err_set(err, -ENOMEM, "out of memory");
			break;
		}
		if (seen_add(w, n.path, r) == 0)
			continue;   /* its go.mod is read already */
		rc = visit(w, n.path, r, err);
		if (rc)
			common_err_prefix(err, rc,
					 "module graph of %s@%s: replacement %s@%s for missing %s",
					 path, v->str, n.path, r->str, n.v.str);
	}
	return rc;
}

/* Pinned modules enclosing an unpinned module of the graph, not met yet:
 * required and queued.  *added says whether any was. */
static int enclose(struct walk *w, bool *added)
{
	size_t p, q, k;

	*added = false;
	for (p = 0; w->o && p < w->o->npins; p++) {
		const struct rungo_modpin *pin = &w->o->pins[p];
		size_t lp = strlen(pin->path);
		bool met = false;

		for (k = 0; k < w->g->nreplaces && !met; k++)
			met = !w->g->replaces[k].has_from &&
			      strcmp(w->g->replaces[k].path, pin->path) == 0;
		for (q = 0; q < w->qtail && !met; q++) {
			const char *u = w->queue[q].path;
			struct rungo_modreq *nr;

			if (strncmp(u, pin->path, lp) != 0 || u[lp] != '/' ||
			    pin_of(w, u))
				continue;
			nr = realloc(w->g->requires,
				     (w->g->nrequires + 1) * sizeof(*nr));
			if (!nr)
				return -ENOMEM;
			w->g->requires = nr;
			nr += w->g->nrequires;
			nr->path = strdup(pin->path);
			nr->encloses = strdup(u);
			nr->version = pin->version;
			w->g->nrequires++;
			if (!nr->path || !nr->encloses ||
			    enqueue(w, pin->path, &pin->version) < 0)
				return -ENOMEM;
			*added = true;
			met = true;
		}
	}
	return 0;
}

int rungo_modgraph_resolve(const struct rungo_modcache_opts *mc,
			   const struct rungo_modgraph_opts *o,
			   const char *path, const struct rungo_modver *v,
			   struct rungo_modgraph **out, struct common_err *err)
{
	struct walk w;
	size_t i;
	int rc;

	if (!mc || !mc->proxy || !path || !v || !out)
		return common_err_set(err, -EINVAL,
				     "module graph: missing argument (a proxy is needed)");
	memset(&w, 0, sizeof(w));
	w.mc = mc;
	w.o = o;
	w.g = calloc(1, sizeof(*w.g));
	if (!w.g)
		return common_err_set(err, -ENOMEM, "out of memory");
	rc = enqueue(&w, path, v) < 0 ?
		     common_err_set(err, -ENOMEM, "out of memory") : 0;
	while (rc == 0) {
		bool added = false;

		rc = drain(&w, path, v, err);
		if (rc == 0 && enclose(&w, &added) < 0)
			rc = common_err_set(err, -ENOMEM, "out of memory");
		if (!added)
			break;
		w.enclosing = true;
	}
	for (i = 0; i < w.qtail; i++)
		free(w.queue[i].path);
	free(w.queue);
	for (i = 0; i < w.seen_cap; i++)
		free(w.seen[i]);
	free(w.seen);
	for (i = 0; i < w.nlists; i++) {
		free(w.lists[i].path);
		free(w.lists[i].v);
	}
	free(w.lists);
	if (rc) {
		rungo_modgraph_free(w.g);
		return rc;
	}
	if (w.g->nreplaces > 1)
		qsort(w.g->replaces, w.g->nreplaces, sizeof(*w.g->replaces),
		      cmp_replace);
	if (w.g->nrequires > 1)
		qsort(w.g->requires, w.g->nrequires, sizeof(*w.g->requires),
		      cmp_req);
	if (w.g->nexcludes > 1)
		qsort(w.g->excludes, w.g->nexcludes, sizeof(*w.g->excludes),
		      cmp_excl);
	if (w.g->nmissing > 1)
		qsort(w.g->missing, w.g->nmissing, sizeof(*w.g->missing),
		      cmp_str);
	*out = w.g;
	return 0;
}
