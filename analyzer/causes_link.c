/* causes_link.c - the fifth stage: place each finding on the graph of the cluster (Flux objects,
 * their sources and dependencies, their controllers, the API server), decide which findings
 * explain which, and order the report from root causes to symptoms. */
#include "causes_link.h"
#include "util.h"
#include "rules.h"
#include "flux_controllers.h"
#include "bundle.h"
#include "report.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ANCESTORS 4096

static char *object_node(const char *kind, const char *ns, const char *name)
{
	return fd_xasprintf("%s/%s/%s", kind, ns ? ns : "", name ? name : "");
}

char *fd_node_for(const struct fd_bundle *b, const char *kind, const char *ns, const char *name)
{
	if (!kind)
		return fd_xstrdup("bundle");
	if (fd_controller_for_kind(kind))
		return object_node(kind, ns, name);
	const struct fd_object *o = fd_bundle_find(b, kind, ns, name);
	if (strcmp(kind, "FluxController") == 0)
		return fd_xasprintf("controller:%s", name);
	if (strcmp(kind, "ControllerMetrics") == 0 && o && *fd_jstr(o->json, "controller"))
		return fd_xasprintf("controller:%s", fd_jstr(o->json, "controller"));
	if (strcmp(kind, "APIServerHealth") == 0 || strcmp(kind, "CollectorCommand") == 0)
		return fd_xstrdup("apiserver");
	if (strcmp(kind, "BundleInfo") == 0)
		return fd_xstrdup("bundle");
	static const char *const owned[] = {"Pod",     "Deployment",     "ReplicaSet",
					    "Service", "Endpoints",      "EndpointSlice",
					    "Lease",   "ServiceAccount", "PodMetrics"};
	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
		if (strcmp(kind, owned[i]) != 0)
			continue;
		const char *ctrl = fd_controller_for_name(name ? name : "");
		if (!ctrl && o) {
			json_t *labels = json_object_get(json_object_get(o->json, "metadata"), "labels");
			const char *app = fd_jstr(labels, "app");
			if (fd_controller_for_name(app) && strcmp(fd_controller_for_name(app), app) == 0)
				ctrl = fd_controller_for_name(app);
		}
		if (ctrl)
			return fd_xasprintf("controller:%s", ctrl);
		if (strcmp(kind, "Pod") == 0 && name &&
		    (strncmp(name, "kube-apiserver", 14) == 0 || strncmp(name, "etcd-", 5) == 0 ||
		     strcmp(name, "etcd") == 0))
			return fd_xstrdup("apiserver");
	}
	return object_node(kind, ns, name);
}

struct fd_graph {
	struct fd_bundle *b;
	struct fd_map workload_pods; /* "Deployment/ns/name" -> struct fd_vec * of pod nodes */
};

static void add_up(struct fd_vec *out, char *node)
{
	fd_vec_push(out, node);
}

static void ref_node(struct fd_vec *out, json_t *ref, const char *default_kind, const char *ns)
{
	if (!json_is_object(ref))
		return;
	const char *kind = *fd_jstr(ref, "kind") ? fd_jstr(ref, "kind") : default_kind;
	const char *name = fd_jstr(ref, "name");
	const char *rns = *fd_jstr(ref, "namespace") ? fd_jstr(ref, "namespace") : ns;
	if (kind && *name)
		add_up(out, object_node(kind, rns, name));
}

/* Splits an inventory id "ns_name_group_Kind" into a node. */
static void inventory_node(struct fd_vec *out, const char *id)
{
	char *copy = fd_xstrdup(id);
	char *parts[4];
	size_t n = 0;
	char *p = copy;
	for (; n < 3; n++) {
		char *u = strchr(p, '_');
		if (!u)
			break;
		*u = 0;
		parts[n] = p;
		p = u + 1;
	}
	if (n == 3) {
		parts[3] = p;
		const char *kind = parts[3];
		if (strcmp(kind, "Deployment") == 0 || strcmp(kind, "StatefulSet") == 0 ||
		    strcmp(kind, "DaemonSet") == 0 || strcmp(kind, "Job") == 0 ||
		    fd_controller_for_kind(kind))
			add_up(out, object_node(kind, parts[0], parts[1]));
	}
	free(copy);
}

/* Appends the nodes a node depends on (malloc'd strings). */
/* Pods depend on the node they run on. */
static void pod_node(struct fd_vec *out, const struct fd_object *pod)
{
	const char *n = fd_jstr(json_object_get(pod->json, "spec"), "nodeName");
	if (*n)
		add_up(out, object_node("Node", "", n));
}

void fd_graph_upstreams(struct fd_graph *g, const char *node, struct fd_vec *out)
{
	if (strcmp(node, "apiserver") == 0 || strcmp(node, "bundle") == 0)
		return;
	if (strncmp(node, "controller:", 11) == 0) {
		/* a controller depends on the nodes its pods run on, and on the API server */
		const struct fd_vec *pods = fd_bundle_kind(g->b, "Pod");
		for (size_t i = 0; pods && i < pods->len; i++) {
			const struct fd_object *p = pods->v[i];
			const char *c = fd_controller_for_name(p->name);
			if (c && strcmp(c, node + 11) == 0)
				pod_node(out, p);
		}
		/* and on the NetworkPolicies around its pods */
		const struct fd_object *fc = NULL;
		const struct fd_vec *fcs = fd_bundle_kind(g->b, "FluxController");
		for (size_t k = 0; fcs && k < fcs->len && !fc; k++)
			if (strcmp(((const struct fd_object *)fcs->v[k])->name, node + 11) == 0)
				fc = fcs->v[k];
		size_t i;
		json_t *p;
		json_array_foreach(fc ? json_object_get(fc->json, "policies") : NULL, i, p)
		{
			const char *ref = json_string_value(p);
			if (ref)
				add_up(out, fd_xasprintf("NetworkPolicy/%s", ref));
		}
		add_up(out, fd_xstrdup("apiserver"));
		return;
	}
	char *copy = fd_xstrdup(node);
	char *s1 = strchr(copy, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
	if (!s1 || !s2) {
		free(copy);
		add_up(out, fd_xstrdup("apiserver"));
		return;
	}
	*s1 = *s2 = 0;
	const char *kind = copy, *ns = s1 + 1, *name = s2 + 1;
	const struct fd_object *o = fd_bundle_find(g->b, kind, ns, name);
	const char *ctrl = fd_controller_for_kind(kind);
	if (o && ctrl) {
		json_t *spec = json_object_get(o->json, "spec");
		ref_node(out, json_object_get(spec, "sourceRef"), NULL, ns);
		size_t i;
		json_t *d;
		json_array_foreach(json_object_get(spec, "dependsOn"), i, d)
			ref_node(out, d, kind, ns);
		if (strcmp(kind, "HelmRelease") == 0) {
			json_t *cs = json_object_get(json_object_get(spec, "chart"), "spec");
			json_t *sref = json_object_get(cs, "sourceRef");
			ref_node(out, sref, NULL, ns);
			ref_node(out, json_object_get(spec, "chartRef"), NULL, ns);
			const char *hc = fd_jstr(json_object_get(o->json, "status"), "helmChart");
			if (*hc && strchr(hc, '/')) {
				char *c = fd_xstrdup(hc);
				char *sl = strchr(c, '/');
				*sl = 0;
				add_up(out, object_node("HelmChart", c, sl + 1));
				free(c);
			} else if (sref) {
				const char *sns = *fd_jstr(sref, "namespace") ? fd_jstr(sref, "namespace") : ns;
				char *hcname = fd_xasprintf("%s-%s", ns, name);
				add_up(out, object_node("HelmChart", sns, hcname));
				free(hcname);
			}
		}
		if (strcmp(kind, "Kustomization") == 0) {
			json_t *inv = json_object_get(json_object_get(o->json, "status"), "inventory");
			json_array_foreach(json_object_get(inv, "entries"), i, d)
				inventory_node(out, fd_jstr(d, "id"));
		}
		add_up(out, fd_xasprintf("controller:%s", ctrl));
	} else if (ctrl) {
		add_up(out, fd_xasprintf("controller:%s", ctrl));
	}
	struct fd_vec *pods = fd_map_get(&g->workload_pods, node);
	for (size_t i = 0; pods && i < pods->len; i++)
		add_up(out, fd_xstrdup(pods->v[i]));
	if (o && strcmp(kind, "Pod") == 0)
		pod_node(out, o);
	add_up(out, fd_xstrdup("apiserver"));
	free(copy);
}

static const char *owner_of(json_t *obj, const char *kind)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(json_object_get(obj, "metadata"), "ownerReferences"), i, r)
	{
		if (strcmp(fd_jstr(r, "kind"), kind) == 0)
			return fd_jstr(r, "name");
	}
	return NULL;
}

/* Deployments, StatefulSets and DaemonSets depend on their pods (a crashing pod explains an
 * unavailable Deployment and the health check that waited for it). */
static void index_workloads(struct fd_graph *g)
{
	const struct fd_vec *pods = fd_bundle_kind(g->b, "Pod");
	for (size_t i = 0; pods && i < pods->len; i++) {
		const struct fd_object *p = pods->v[i];
		char *wl = NULL;
		const char *rs = owner_of(p->json, "ReplicaSet");
		const char *ss = owner_of(p->json, "StatefulSet");
		const char *ds = owner_of(p->json, "DaemonSet");
		if (rs) {
			const struct fd_object *ro = fd_bundle_find(g->b, "ReplicaSet", p->ns, rs);
			const char *dep = ro ? owner_of(ro->json, "Deployment") : NULL;
			if (!dep) { /* no ReplicaSet in the bundle: strip the pod-template hash */
				char *c = fd_xstrdup(rs);
				char *dash = strrchr(c, '-');
				if (dash)
					*dash = 0;
				wl = object_node("Deployment", p->ns, c);
				free(c);
			} else {
				wl = object_node("Deployment", p->ns, dep);
			}
		} else if (ss) {
			wl = object_node("StatefulSet", p->ns, ss);
		} else if (ds) {
			wl = object_node("DaemonSet", p->ns, ds);
		}
		if (!wl)
			continue;
		struct fd_vec *v = fd_map_get(&g->workload_pods, wl);
		if (!v) {
			v = fd_xcalloc(1, sizeof(*v));
			fd_map_put(&g->workload_pods, wl, v);
		}
		char *pn = fd_node_for(g->b, "Pod", p->ns, p->name);
		fd_vec_push(v, pn);
		free(wl);
	}
}

static void free_anc(const char *k, void *v, void *p)
{
	(void)k;
	(void)p;
	fd_map_free(v);
	free(v);
}

static void free_vec_strings(const char *k, void *v, void *p)
{
	(void)k;
	(void)p;
	struct fd_vec *vec = v;
	for (size_t i = 0; i < vec->len; i++)
		free(vec->v[i]);
	fd_vec_free(vec);
	free(vec);
}

struct fd_graph *fd_graph_new(struct fd_bundle *b)
{
	struct fd_graph *g = fd_xcalloc(1, sizeof(*g));
	g->b = b;
	index_workloads(g);
	return g;
}

void fd_graph_free(struct fd_graph *g)
{
	if (!g)
		return;
	fd_map_each(&g->workload_pods, free_vec_strings, NULL);
	fd_map_free(&g->workload_pods);
	free(g);
}

/* Distances from `node` to everything upstream of it (node -> distance+1 as void*). */
static void ancestors(struct fd_graph *g, const char *node, struct fd_map *dist)
{
	struct fd_vec queue = {0};
	fd_map_put(dist, node, (void *)(uintptr_t)1);
	fd_vec_push(&queue, fd_xstrdup(node));
	for (size_t qi = 0; qi < queue.len && dist->len < MAX_ANCESTORS; qi++) {
		const char *n = queue.v[qi];
		uintptr_t d = (uintptr_t)fd_map_get(dist, n);
		struct fd_vec ups = {0};
		fd_graph_upstreams(g, n, &ups);
		for (size_t i = 0; i < ups.len; i++) {
			if (!fd_map_get(dist, ups.v[i])) {
				fd_map_put(dist, ups.v[i], (void *)(d + 1));
				fd_vec_push(&queue, ups.v[i]);
			} else {
				free(ups.v[i]);
			}
		}
		fd_vec_free(&ups);
	}
	for (size_t i = 0; i < queue.len; i++)
		free(queue.v[i]);
	fd_vec_free(&queue);
}

static bool explains_pattern(const struct fd_rule *g, const struct fd_rule *f, bool *explicit_id)
{
	*explicit_id = false;
	for (size_t i = 0; i < g->nexplains; i++)
		if (strcmp(g->explains[i], f->id) == 0) {
			*explicit_id = true;
			return true;
		}
	for (size_t i = 0; i < g->nexplains; i++) {
		const char *p = g->explains[i];
		if (strcmp(p, fd_category_name(f->category)) == 0 || fnmatch(p, f->id, 0) == 0)
			return true;
	}
	return false;
}

/* Whether G precedes F when both could explain each other. */
static bool precedes(const struct fd_finding *g, size_t gi, const struct fd_finding *f, size_t fi)
{
	if (g->rule->category != f->rule->category)
		return g->rule->category < f->rule->category;
	if (g->rule->severity != f->rule->severity)
		return g->rule->severity > f->rule->severity;
	if (g->rule->index != f->rule->index)
		return g->rule->index < f->rule->index;
	return gi < fi;
}

struct linkctx {
	struct fd_finding **fs;
	size_t n;
};

static bool can_explain_raw(struct linkctx *c, size_t gi, size_t fi, struct fd_map *fanc,
			    unsigned *d)
{
	struct fd_finding *g = c->fs[gi], *f = c->fs[fi];
	bool explicit_id;
	if (gi == fi || !explains_pattern(g->rule, f->rule, &explicit_id))
		return false;
	if (strcmp(g->node, f->node) == 0) {
		*d = 0;
		if (g->rule->category < f->rule->category)
			return true;
		return explicit_id && g->rule != f->rule;
	}
	uintptr_t dd = (uintptr_t)fd_map_get(fanc, g->node);
	if (!dd)
		return false;
	*d = (unsigned)dd - 1;
	return true;
}

static int cmp_root(const void *a, const void *b, void *ctx)
{
	struct linkctx *c = ctx;
	const struct fd_finding *x = c->fs[*(const size_t *)a], *y = c->fs[*(const size_t *)b];
	if (x->rule->severity != y->rule->severity)
		return x->rule->severity > y->rule->severity ? -1 : 1;
	if (x->explained_total != y->explained_total)
		return x->explained_total > y->explained_total ? -1 : 1;
	if (x->rule->category != y->rule->category)
		return x->rule->category < y->rule->category ? -1 : 1;
	int r = strcmp(x->rule->id, y->rule->id);
	if (r)
		return r;
	r = strcmp(x->node, y->node);
	return r ? r : (*(const size_t *)a < *(const size_t *)b ? -1 : 1);
}

static size_t count_reach(struct linkctx *c, size_t i, unsigned char *seen)
{
	size_t n = 0;
	struct fd_finding *f = c->fs[i];
	for (size_t k = 0; k < f->nsymptoms; k++) {
		size_t s = f->symptoms[k];
		if (seen[s])
			continue;
		seen[s] = 1;
		n += 1 + count_reach(c, s, seen);
	}
	return n;
}

static void visit_order(struct linkctx *c, size_t i, unsigned char *placed, size_t *order,
			size_t *no)
{
	if (placed[i])
		return;
	placed[i] = 1;
	order[(*no)++] = i;
	struct fd_finding *f = c->fs[i];
	if (f->nsymptoms > 1)
		qsort_r(f->symptoms, f->nsymptoms, sizeof(*f->symptoms), cmp_root, c);
	for (size_t k = 0; k < f->nsymptoms; k++)
		visit_order(c, f->symptoms[k], placed, order, no);
}

void fd_causes_link(struct fd_bundle *b, struct fd_report *r)
{
	struct linkctx c = {0};
	struct fd_graph g = {0};
	size_t n = r->nfindings;
	c.fs = r->findings;
	c.n = n;
	g.b = b;
	if (!n)
		return;
	index_workloads(&g);
	for (size_t i = 0; i < n; i++) {
		struct fd_finding *f = c.fs[i];
		if (!f->node)
			f->node = fd_node_for(b, f->kind, f->ns, f->name);
	}
	/* explainers of each finding, with their distance */
	size_t **ex = fd_xcalloc(n, sizeof(*ex));
	unsigned **exd = fd_xcalloc(n, sizeof(*exd));
	size_t *nex = fd_xcalloc(n, sizeof(*nex));
	struct fd_map anc_cache = {0};
	for (size_t fi = 0; fi < n; fi++) {
		struct fd_finding *f = c.fs[fi];
		struct fd_map *anc = fd_map_get(&anc_cache, f->node);
		if (!anc) {
			anc = fd_xcalloc(1, sizeof(*anc));
			ancestors(&g, f->node, anc);
			fd_map_put(&anc_cache, f->node, anc);
		}
		for (size_t gi = 0; gi < n; gi++) {
			unsigned d;
			if (!can_explain_raw(&c, gi, fi, anc, &d))
				continue;
			ex[fi] = fd_xrealloc(ex[fi], (nex[fi] + 1) * sizeof(**ex));
			exd[fi] = fd_xrealloc(exd[fi], (nex[fi] + 1) * sizeof(**exd));
			ex[fi][nex[fi]] = gi;
			exd[fi][nex[fi]] = d;
			nex[fi]++;
		}
	}
	/* break mutual explanations */
	for (size_t fi = 0; fi < n; fi++) {
		size_t w = 0;
		for (size_t k = 0; k < nex[fi]; k++) {
			size_t gi = ex[fi][k];
			bool mutual = false;
			for (size_t m = 0; m < nex[gi]; m++)
				if (ex[gi][m] == fi)
					mutual = true;
			if (mutual && !precedes(c.fs[gi], gi, c.fs[fi], fi))
				continue;
			ex[fi][w] = gi;
			exd[fi][w] = exd[fi][k];
			w++;
		}
		nex[fi] = w;
	}
	/* keep the nearest explainers: drop G when G explains another explainer H of F */
	for (size_t fi = 0; fi < n; fi++) {
		struct fd_finding *f = c.fs[fi];
		f->caused_by = fd_xcalloc(nex[fi] + 1, sizeof(*f->caused_by));
		unsigned *cd = fd_xcalloc(nex[fi] + 1, sizeof(*cd));
		for (size_t k = 0; k < nex[fi]; k++) {
			size_t gi = ex[fi][k];
			bool indirect = false;
			for (size_t m = 0; m < nex[fi] && !indirect; m++) {
				size_t hi = ex[fi][m];
				if (hi == gi)
					continue;
				for (size_t q = 0; q < nex[hi]; q++)
					if (ex[hi][q] == gi)
						indirect = true;
			}
			if (indirect)
				continue;
			/* insertion by distance */
			size_t pos = f->ncaused;
			while (pos > 0 && cd[pos - 1] > exd[fi][k]) {
				f->caused_by[pos] = f->caused_by[pos - 1];
				cd[pos] = cd[pos - 1];
				pos--;
			}
			f->caused_by[pos] = gi;
			cd[pos] = exd[fi][k];
			f->ncaused++;
		}
		free(cd);
	}
	/* a cycle (only possible through odd graphs) must not hide every member: promote */
	unsigned char *reach = fd_xcalloc(n, 1);
	for (;;) {
		memset(reach, 0, n);
		struct fd_vec stack = {0};
		for (size_t i = 0; i < n; i++)
			if (!c.fs[i]->ncaused) {
				reach[i] = 1;
				fd_vec_push(&stack, (void *)(uintptr_t)i);
			}
		while (stack.len) {
			size_t gi = (uintptr_t)stack.v[--stack.len];
			for (size_t fi = 0; fi < n; fi++) {
				if (reach[fi])
					continue;
				for (size_t k = 0; k < c.fs[fi]->ncaused; k++)
					if (c.fs[fi]->caused_by[k] == gi) {
						reach[fi] = 1;
						fd_vec_push(&stack, (void *)(uintptr_t)fi);
						break;
					}
			}
		}
		fd_vec_free(&stack);
		size_t best = n;
		for (size_t i = 0; i < n; i++)
			if (!reach[i] && (best == n || c.fs[i]->rule->severity >
							       c.fs[best]->rule->severity))
				best = i;
		if (best == n)
			break;
		c.fs[best]->ncaused = 0;
	}
	free(reach);
	/* symptoms = inverse of caused_by */
	for (size_t fi = 0; fi < n; fi++) {
		struct fd_finding *f = c.fs[fi];
		for (size_t k = 0; k < f->ncaused; k++) {
			struct fd_finding *gf = c.fs[f->caused_by[k]];
			gf->symptoms = fd_xrealloc(gf->symptoms, (gf->nsymptoms + 1) * sizeof(size_t));
			gf->symptoms[gf->nsymptoms++] = fi;
		}
	}
	unsigned char *seen = fd_xcalloc(n, 1);
	for (size_t i = 0; i < n; i++) {
		memset(seen, 0, n);
		seen[i] = 1;
		c.fs[i]->explained_total = count_reach(&c, i, seen);
	}
	free(seen);
	/* roots, most important first; then the report order: each root followed by its chain */
	size_t *roots = fd_xcalloc(n, sizeof(*roots));
	size_t nroots = 0;
	for (size_t i = 0; i < n; i++)
		if (!c.fs[i]->ncaused)
			roots[nroots++] = i;
	if (nroots > 1)
		qsort_r(roots, nroots, sizeof(*roots), cmp_root, &c);
	size_t *order = fd_xcalloc(n, sizeof(*order));
	unsigned char *placed = fd_xcalloc(n, 1);
	size_t no = 0;
	for (size_t i = 0; i < nroots; i++)
		visit_order(&c, roots[i], placed, order, &no);
	for (size_t i = 0; i < n; i++)
		if (!placed[i])
			order[no++] = i;
	/* renumber: position in `order` becomes the new index */
	size_t *newpos = fd_xcalloc(n, sizeof(*newpos));
	for (size_t i = 0; i < n; i++)
		newpos[order[i]] = i;
	struct fd_finding **sorted = fd_xcalloc(n, sizeof(*sorted));
	for (size_t i = 0; i < n; i++) {
		struct fd_finding *f = c.fs[order[i]];
		for (size_t k = 0; k < f->ncaused; k++)
			f->caused_by[k] = newpos[f->caused_by[k]];
		for (size_t k = 0; k < f->nsymptoms; k++)
			f->symptoms[k] = newpos[f->symptoms[k]];
		snprintf(f->id, sizeof(f->id), "F%lu", (unsigned long)(i + 1) % 100000000UL);
		sorted[i] = f;
	}
	memcpy(r->findings, sorted, n * sizeof(*sorted));
	for (size_t i = 0; i < nroots; i++)
		roots[i] = newpos[roots[i]];
	r->roots = roots;
	r->nroots = nroots;
	free(sorted);
	free(newpos);
	free(order);
	free(placed);
	for (size_t i = 0; i < n; i++) {
		free(ex[i]);
		free(exd[i]);
	}
	free(ex);
	free(exd);
	free(nex);
	fd_map_each(&anc_cache, free_anc, NULL);
	fd_map_free(&anc_cache);
	fd_map_each(&g.workload_pods, free_vec_strings, NULL);
	fd_map_free(&g.workload_pods);
}
