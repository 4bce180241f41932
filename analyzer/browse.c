/* browse.c - look at a loaded bundle as if it were the cluster: kubectl-like tables (get,
 * events), a describe view, a dependency trace, and the log of one container. Every text taken
 * from the bundle is escaped before it is written: no control character reaches a terminal. */
#include "internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define STATUS_WIDTH 80   /* the STATUS column of `get` */
#define TRACE_MAX_DEPTH 12
#define TRACE_MAX_NODES 400
#define YAML_MAX_DEPTH 48

/* ---- escaping ---- */

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *p, size_t n, unsigned long *cp)
{
	size_t len;
	unsigned long c;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		len = 2;
		c = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		len = 3;
		c = p[0] & 0x0F;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		len = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10FFFF)))
		return 0;
	*cp = c;
	return len;
}

/* Code points a terminal would act on rather than show: C0 and C1 controls, DEL, and the
 * bidirectional overrides that reorder what is displayed. */
static bool cp_unsafe(unsigned long c, bool keep_tab)
{
	if (c == '\t')
		return !keep_tab;
	return c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029;
}

/* Appends n bytes of s to b with every unsafe code point as \xNN or \uNNNN and every byte that
 * is not valid UTF-8 as \xNN. Tabs stay when keep_tab, else become \t. */
static void esc_add(struct fd_buf *b, const char *s, size_t n, bool keep_tab)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	fd_buf_add(b, "", 0);
	while (i < n) {
		size_t run = i;
		while (run < n && p[run] >= 0x20 && p[run] < 0x7F)
			run++;
		if (run > i) {
			fd_buf_add(b, s + i, run - i);
			i = run;
			continue;
		}
		unsigned long c;
		size_t len = utf8_seq(p + i, n - i, &c);
		if (len == 0) {
			fd_buf_addf(b, "\\x%02x", p[i]);
			i++;
		} else if (cp_unsafe(c, keep_tab)) {
			if (c == '\n')
				fd_buf_adds(b, "\\n");
			else if (c == '\t')
				fd_buf_adds(b, "\\t");
			else if (c == '\r')
				fd_buf_adds(b, "\\r");
			else if (c < 0x80)
				fd_buf_addf(b, "\\x%02lx", c);
			else
				fd_buf_addf(b, "\\u%04lx", c);
			i += len;
		} else {
			fd_buf_add(b, s + i, len);
			i += len;
		}
	}
}

/* Writes s escaped (see esc_add). */
static void put_safe(FILE *out, const char *s)
{
	struct fd_buf b = {0};
	esc_add(&b, s ? s : "", s ? strlen(s) : 0, false);
	fputs(b.p, out);
	fd_buf_free(&b);
}

/* Display width of escaped text: code points (every one counted as one column). */
static size_t text_width(const char *s)
{
	size_t w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xC0) != 0x80)
			w++;
	return w;
}

/* Cuts escaped text to at most max columns, ending in "..." when cut. In place. */
static void text_truncate(char *s, size_t max)
{
	if (text_width(s) <= max || max < 4)
		return;
	size_t w = 0;
	unsigned char *p = (unsigned char *)s;
	for (; *p; p++) {
		if ((*p & 0xC0) != 0x80) {
			if (w == max - 3)
				break;
			w++;
		}
	}
	strcpy((char *)p, "...");
}

/* ---- tables ---- */

struct table {
	size_t ncols;
	struct fd_vec cells; /* char * (malloc'd, escaped), row after row */
};

static void cell(struct table *t, const char *s)
{
	struct fd_buf b = {0};
	esc_add(&b, s ? s : "", s ? strlen(s) : 0, false);
	fd_vec_push(&t->cells, fd_buf_detach(&b));
}

static void cellf(struct table *t, const char *fmt, ...) FD_PRINTF(2, 3);
static void cellf(struct table *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[256];
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	cell(t, tmp);
}

/* Writes the table with columns padded to their widest cell, three spaces apart, the last
 * column unpadded; `indent` spaces before each row. Frees the cells. */
static void table_flush(FILE *out, struct table *t, int indent)
{
	size_t *w = fd_xcalloc(t->ncols, sizeof(*w));
	for (size_t i = 0; i < t->cells.len; i++) {
		size_t cw = text_width(t->cells.v[i]);
		if (cw > w[i % t->ncols])
			w[i % t->ncols] = cw;
	}
	for (size_t i = 0; i < t->cells.len; i++) {
		size_t c = i % t->ncols;
		const char *s = t->cells.v[i];
		if (c == 0)
			fprintf(out, "%*s", indent, "");
		fputs(s, out);
		if (c + 1 == t->ncols)
			fputc('\n', out);
		else
			fprintf(out, "%*s", (int)(w[c] - text_width(s) + 3), "");
		free(t->cells.v[i]);
	}
	fd_vec_free(&t->cells);
	free(w);
}

/* ---- values ---- */

static const char *js(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static json_t *jpath2(json_t *o, const char *a, const char *b)
{
	return json_object_get(json_object_get(o, a), b);
}

/* kubectl's short duration: 45s, 5m30s, 45m, 3h5m, 26h, 3d4h, 120d, 2y30d. */
static void human_age(double secs, char out[24])
{
	if (secs < 0)
		secs = 0;
	long long s = (long long)secs;
	long long m = s / 60, h = s / 3600, d = s / 86400;
	if (s < 120)
		snprintf(out, 24, "%llds", s);
	else if (m < 10)
		snprintf(out, 24, "%lldm%llds", m, s % 60);
	else if (h < 3)
		snprintf(out, 24, "%lldm", m);
	else if (h < 8)
		snprintf(out, 24, "%lldh%lldm", h, m % 60);
	else if (h < 48)
		snprintf(out, 24, "%lldh", h);
	else if (d < 8)
		snprintf(out, 24, "%lldd%lldh", d, h % 24);
	else if (d < 730)
		snprintf(out, 24, "%lldd", d);
	else
		snprintf(out, 24, "%lldy%lldd", d / 365, d % 365);
}

/* Age of timestamp `ts` at the bundle's collection time, or "<unknown>". */
static void age_of(const struct fd_bundle *b, const char *ts, char out[24])
{
	double t;
	if (!ts || !*ts || b->collected_at <= 0 || fd_time_parse(ts, &t) != 0) {
		snprintf(out, 24, "<unknown>");
		return;
	}
	human_age(b->collected_at - t, out);
}

static const char *created(json_t *obj)
{
	return js(json_object_get(obj, "metadata"), "creationTimestamp");
}

/* The condition of `type` in status.conditions, or NULL (borrowed). */
static json_t *condition(json_t *obj, const char *type)
{
	size_t i;
	json_t *c;
	json_array_foreach(jpath2(obj, "status", "conditions"), i, c)
	{
		if (strcmp(js(c, "type"), type) == 0)
			return c;
	}
	return NULL;
}

static bool is_flux_kind(const char *kind)
{
	return fd_controller_for_kind(kind) != NULL;
}

static bool suspended(json_t *obj)
{
	return json_is_true(jpath2(obj, "spec", "suspend"));
}

/* ---- kinds ---- */

static const struct kind_name {
	const char *kind;
	bool namespaced;
	const char *names[4]; /* plural, singular, short names; lower case */
} kind_names[] = {
	{"Kustomization", true, {"kustomizations", "kustomization", "ks"}},
	{"HelmRelease", true, {"helmreleases", "helmrelease", "hr"}},
	{"GitRepository", true, {"gitrepositories", "gitrepository", "gitrepo", "gitrepos"}},
	{"OCIRepository", true, {"ocirepositories", "ocirepository", "ocirepo", "ocirepos"}},
	{"HelmRepository", true, {"helmrepositories", "helmrepository", "helmrepo", "helmrepos"}},
	{"HelmChart", true, {"helmcharts", "helmchart", "hc"}},
	{"Bucket", true, {"buckets", "bucket"}},
	{"Alert", true, {"alerts", "alert"}},
	{"Provider", true, {"providers", "provider"}},
	{"Receiver", true, {"receivers", "receiver"}},
	{"ImageRepository", true, {"imagerepositories", "imagerepository", "imagerepo"}},
	{"ImagePolicy", true, {"imagepolicies", "imagepolicy", "imgpol"}},
	{"ImageUpdateAutomation", true, {"imageupdateautomations", "imageupdateautomation", "iua"}},
	{"Pod", true, {"pods", "pod", "po"}},
	{"Deployment", true, {"deployments", "deployment", "deploy"}},
	{"ReplicaSet", true, {"replicasets", "replicaset", "rs"}},
	{"StatefulSet", true, {"statefulsets", "statefulset", "sts"}},
	{"DaemonSet", true, {"daemonsets", "daemonset", "ds"}},
	{"Job", true, {"jobs", "job"}},
	{"CronJob", true, {"cronjobs", "cronjob", "cj"}},
	{"Service", true, {"services", "service", "svc"}},
	{"Endpoints", true, {"endpoints", "ep"}},
	{"EndpointSlice", true, {"endpointslices", "endpointslice"}},
	{"ConfigMap", true, {"configmaps", "configmap", "cm"}},
	{"Secret", true, {"secrets", "secret"}},
	{"ServiceAccount", true, {"serviceaccounts", "serviceaccount", "sa"}},
	{"Event", true, {"events", "event", "ev"}},
	{"Lease", true, {"leases", "lease"}},
	{"NetworkPolicy", true, {"networkpolicies", "networkpolicy", "netpol"}},
	{"Ingress", true, {"ingresses", "ingress", "ing"}},
	{"PersistentVolumeClaim", true, {"persistentvolumeclaims", "persistentvolumeclaim", "pvc"}},
	{"Role", true, {"roles", "role"}},
	{"RoleBinding", true, {"rolebindings", "rolebinding"}},
	{"PodMetrics", true, {"podmetrics"}},
	{"FluxController", true, {"fluxcontrollers", "fluxcontroller"}},
	{"Node", false, {"nodes", "node", "no"}},
	{"Namespace", false, {"namespaces", "namespace", "ns"}},
	{"PersistentVolume", false, {"persistentvolumes", "persistentvolume", "pv"}},
	{"CustomResourceDefinition", false, {"customresourcedefinitions", "customresourcedefinition", "crd", "crds"}},
	{"ClusterRole", false, {"clusterroles", "clusterrole"}},
	{"ClusterRoleBinding", false, {"clusterrolebindings", "clusterrolebinding"}},
	{"StorageClass", false, {"storageclasses", "storageclass", "sc"}},
	{"APIServerHealth", false, {"apiserverhealths", "apiserverhealth"}},
	{"CollectorCommand", false, {"collectorcommands", "collectorcommand"}},
};
#define NKINDS (sizeof(kind_names) / sizeof(kind_names[0]))

struct kind_scan {
	const char *want;
	const char *found;
};

/* "Foo" matches foo, foos, fooes, and "Policy" matches policies. */
static bool kind_plural_match(const char *kind, const char *want)
{
	size_t kl = strlen(kind), wl = strlen(want);
	if (strcasecmp(kind, want) == 0)
		return true;
	if (wl == kl + 1 && strncasecmp(kind, want, kl) == 0 && tolower((unsigned char)want[kl]) == 's')
		return true;
	if (wl == kl + 2 && strncasecmp(kind, want, kl) == 0 && strcasecmp(want + kl, "es") == 0)
		return true;
	if (kl > 1 && tolower((unsigned char)kind[kl - 1]) == 'y' && wl == kl + 2 &&
	    strncasecmp(kind, want, kl - 1) == 0 && strcasecmp(want + kl - 1, "ies") == 0)
		return true;
	return false;
}

static void kind_scan_fn(const char *key, void *value, void *payload)
{
	struct kind_scan *s = payload;
	(void)value;
	if (*key && kind_plural_match(key, s->want) && (!s->found || strcmp(key, s->found) < 0))
		s->found = key;
}

int fd_browse_kind(struct fd_browse_kind *out, const struct fd_bundle *b, const char *resource,
		   struct fd_error *err)
{
	char want[128];
	size_t n = strcspn(resource, ".");
	if (n == 0 || n >= sizeof(want))
		return fd_error_set(err, FD_EUSAGE, "unknown resource type '%s'", resource);
	memcpy(want, resource, n);
	want[n] = 0;
	for (size_t i = 0; i < NKINDS; i++) {
		bool hit = strcasecmp(kind_names[i].kind, want) == 0;
		for (size_t k = 0; !hit && k < 4 && kind_names[i].names[k]; k++)
			hit = strcasecmp(kind_names[i].names[k], want) == 0;
		if (hit) {
			out->kind = kind_names[i].kind;
			out->namespaced = kind_names[i].namespaced;
			return 0;
		}
	}
	struct kind_scan s = {want, NULL};
	if (b)
		fd_map_each(&b->by_kind, kind_scan_fn, &s);
	if (!s.found)
		return fd_error_set(err, FD_EUSAGE,
				    "unknown resource type '%s' (nothing of that kind in the bundle)",
				    resource);
	const struct fd_vec *v = fd_bundle_kind(b, s.found);
	out->kind = s.found;
	out->namespaced = false;
	for (size_t i = 0; v && i < v->len; i++)
		if (*((const struct fd_object *)v->v[i])->ns)
			out->namespaced = true;
	return 0;
}

const char *fd_browse_namespace(const struct fd_bundle *b, const char *ns)
{
	return ns && *ns ? ns : (b->flux_ns ? b->flux_ns : "flux-system");
}

/* Objects of `kind` in namespace ns (NULL: all), sorted by namespace and name. The vector
 * holds borrowed pointers; the caller frees it with fd_vec_free(). */
static int cmp_obj(const void *a, const void *b)
{
	const struct fd_object *x = *(const struct fd_object *const *)a;
	const struct fd_object *y = *(const struct fd_object *const *)b;
	int c = strcmp(x->ns, y->ns);
	return c ? c : strcmp(x->name, y->name);
}

static void objects_of(const struct fd_bundle *b, const char *kind, const char *ns,
		       struct fd_vec *out)
{
	const struct fd_vec *v = fd_bundle_kind(b, kind);
	for (size_t i = 0; v && i < v->len; i++) {
		const struct fd_object *o = v->v[i];
		if (!ns || strcmp(o->ns, ns) == 0)
			fd_vec_push(out, (void *)o);
	}
	if (out->len > 1)
		fd_qsort(out->v, out->len, sizeof(*out->v), cmp_obj);
}

/* ---- pods and workloads ---- */

struct pod_state {
	long ready, total, restarts;
	const char *status; /* borrowed from the object, or static */
};

static void pod_state(json_t *pod, struct pod_state *ps)
{
	json_t *st = json_object_get(pod, "status");
	json_t *css = json_object_get(st, "containerStatuses");
	size_t i;
	json_t *cs;
	memset(ps, 0, sizeof(*ps));
	ps->total = (long)json_array_size(jpath2(pod, "spec", "containers"));
	if (json_array_size(css) > (size_t)ps->total)
		ps->total = (long)json_array_size(css);
	ps->status = *js(st, "phase") ? js(st, "phase") : "Unknown";
	if (*js(st, "reason"))
		ps->status = js(st, "reason");
	const char *waiting = NULL, *terminated = NULL;
	json_array_foreach(json_object_get(st, "initContainerStatuses"), i, cs)
	{
		const char *r = js(jpath2(cs, "state", "waiting"), "reason");
		if (*r && strcmp(r, "PodInitializing") != 0 && !waiting)
			waiting = r;
	}
	json_array_foreach(css, i, cs)
	{
		if (json_is_true(json_object_get(cs, "ready")))
			ps->ready++;
		ps->restarts += (long)json_integer_value(json_object_get(cs, "restartCount"));
		const char *w = js(jpath2(cs, "state", "waiting"), "reason");
		const char *t = js(jpath2(cs, "state", "terminated"), "reason");
		if (*w && !waiting)
			waiting = w;
		if (*t && !terminated)
			terminated = t;
	}
	if (waiting)
		ps->status = waiting;
	else if (terminated)
		ps->status = terminated;
	if (*js(json_object_get(pod, "metadata"), "deletionTimestamp"))
		ps->status = "Terminating";
}

/* Ready and wanted replicas of a workload; false when the object is not one. */
static bool workload_ready(const struct fd_object *o, long *ready, long *want)
{
	json_t *st = json_object_get(o->json, "status");
	if (strcmp(o->kind, "Deployment") == 0 || strcmp(o->kind, "StatefulSet") == 0 ||
	    strcmp(o->kind, "ReplicaSet") == 0) {
		json_t *r = jpath2(o->json, "spec", "replicas");
		*want = r ? (long)json_integer_value(r) : 1;
		*ready = (long)json_integer_value(json_object_get(st, "readyReplicas"));
		return true;
	}
	if (strcmp(o->kind, "DaemonSet") == 0) {
		*want = (long)json_integer_value(json_object_get(st, "desiredNumberScheduled"));
		*ready = (long)json_integer_value(json_object_get(st, "numberReady"));
		return true;
	}
	return false;
}

/* ---- events ---- */

struct ev_row {
	const struct fd_object *o;
	double t, first;
	long count;
	size_t idx;
};

static json_t *ev_regarding(json_t *ev)
{
	json_t *r = json_object_get(ev, "involvedObject");
	return r ? r : json_object_get(ev, "regarding");
}

static const char *ev_message(json_t *ev)
{
	const char *m = js(ev, "message");
	return *m ? m : js(ev, "note");
}

static const char *ev_source(json_t *ev)
{
	const char *s = js(json_object_get(ev, "source"), "component");
	if (!*s)
		s = js(ev, "reportingController");
	if (!*s)
		s = js(ev, "reportingComponent");
	return s;
}

/* The first of `fields` that holds a time ("*f": field f of .series), else the creation time;
 * 0 when none does. */
static double ev_time(json_t *ev, const char *const *fields, size_t n)
{
	double t;
	for (size_t i = 0; i < n; i++) {
		const char *s = fields[i][0] == '*' ? js(json_object_get(ev, "series"), fields[i] + 1)
						    : js(ev, fields[i]);
		if (*s && fd_time_parse(s, &t) == 0)
			return t;
	}
	if (fd_time_parse(created(ev), &t) == 0)
		return t;
	return 0;
}

static int cmp_ev(const void *a, const void *b)
{
	const struct ev_row *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Events in ns (NULL: all) about kind/name (NULL: any), oldest first. *out is malloc'd. */
static size_t events_select(const struct fd_bundle *b, const char *ns, const char *kind,
			    const char *name, struct ev_row **out)
{
	static const char *const last[] = {"lastTimestamp", "*lastObservedTime", "eventTime",
					   "firstTimestamp"};
	static const char *const first[] = {"firstTimestamp", "eventTime"};
	const struct fd_vec *v = fd_bundle_kind(b, "Event");
	size_t n = 0;
	*out = fd_xcalloc(v ? v->len + 1 : 1, sizeof(**out));
	for (size_t i = 0; v && i < v->len; i++) {
		const struct fd_object *o = v->v[i];
		json_t *inv = ev_regarding(o->json);
		if (ns && strcmp(o->ns, ns) != 0)
			continue;
		if (kind && strcasecmp(js(inv, "kind"), kind) != 0)
			continue;
		if (name && strcmp(js(inv, "name"), name) != 0)
			continue;
		struct ev_row *r = &(*out)[n++];
		r->o = o;
		r->idx = i;
		r->t = ev_time(o->json, last, 4);
		r->first = ev_time(o->json, first, 2);
		json_t *c = json_object_get(o->json, "count");
		if (!c)
			c = jpath2(o->json, "series", "count");
		r->count = c ? (long)json_integer_value(c) : 1;
	}
	if (n > 1)
		fd_qsort(*out, n, sizeof(**out), cmp_ev);
	return n;
}

static void ev_last_seen(const struct fd_bundle *b, const struct ev_row *r, char *out, size_t len)
{
	char a[24], f[24];
	if (r->t <= 0 || b->collected_at <= 0) {
		snprintf(out, len, "<unknown>");
		return;
	}
	human_age(b->collected_at - r->t, a);
	if (r->count > 1 && r->first > 0 && r->first < r->t) {
		human_age(b->collected_at - r->first, f);
		snprintf(out, len, "%s (x%ld over %s)", a, r->count, f);
	} else {
		snprintf(out, len, "%s", a);
	}
}

int fd_browse_events(FILE *out, const struct fd_bundle *b, const char *ns, const char *kind,
		     const char *name, size_t *nrows)
{
	struct ev_row *rows;
	size_t n = events_select(b, ns, kind, name, &rows);
	struct table t = {ns ? 5 : 6, {0}};
	if (!ns)
		cell(&t, "NAMESPACE");
	cell(&t, "LAST SEEN");
	cell(&t, "TYPE");
	cell(&t, "REASON");
	cell(&t, "OBJECT");
	cell(&t, "MESSAGE");
	for (size_t i = 0; i < n; i++) {
		json_t *e = rows[i].o->json, *inv = ev_regarding(e);
		char seen[64];
		ev_last_seen(b, &rows[i], seen, sizeof(seen));
		if (!ns)
			cell(&t, rows[i].o->ns);
		cell(&t, seen);
		cell(&t, js(e, "type"));
		cell(&t, js(e, "reason"));
		char *obj = fd_xasprintf("%s/%s", js(inv, "kind"), js(inv, "name"));
		cell(&t, obj);
		free(obj);
		cell(&t, ev_message(e));
	}
	if (n) {
		table_flush(out, &t, 0);
	} else {
		for (size_t i = 0; i < t.cells.len; i++)
			free(t.cells.v[i]);
		fd_vec_free(&t.cells);
	}
	if (nrows)
		*nrows = n;
	free(rows);
	return 0;
}

/* ---- get ---- */

static void node_row(struct table *t, const struct fd_bundle *b, const struct fd_object *o)
{
	json_t *ready = condition(o->json, "Ready");
	const char *st = !ready ? "Unknown" : strcmp(js(ready, "status"), "True") == 0 ? "Ready"
									       : "NotReady";
	if (json_is_true(jpath2(o->json, "spec", "unschedulable")))
		st = strcmp(st, "Ready") == 0 ? "Ready,SchedulingDisabled" : "NotReady,SchedulingDisabled";
	struct fd_buf roles = {0};
	const char *k;
	json_t *v;
	json_object_foreach(jpath2(o->json, "metadata", "labels"), k, v)
	{
		if (strncmp(k, "node-role.kubernetes.io/", 24) == 0 && k[24]) {
			if (roles.len)
				fd_buf_addc(&roles, ',');
			fd_buf_adds(&roles, k + 24);
		}
	}
	char age[24];
	age_of(b, created(o->json), age);
	cell(t, o->name);
	cell(t, st);
	cell(t, roles.len ? roles.p : "<none>");
	cell(t, age);
	cell(t, js(jpath2(o->json, "status", "nodeInfo"), "kubeletVersion"));
	fd_buf_free(&roles);
}

int fd_browse_get(FILE *out, const struct fd_bundle *b, const char *resource, const char *name,
		  const char *ns, bool all_ns, size_t *nrows, struct fd_error *err)
{
	struct fd_browse_kind k;
	int rc = fd_browse_kind(&k, b, resource, err);
	if (rc)
		return rc;
	const char *scope = !k.namespaced || all_ns ? NULL : fd_browse_namespace(b, ns);
	if (nrows)
		*nrows = 0;
	if (strcmp(k.kind, "Event") == 0 && !name)
		return fd_browse_events(out, b, scope, NULL, NULL, nrows);
	struct fd_vec objs = {0};
	objects_of(b, k.kind, scope, &objs);
	if (name) {
		size_t keep = 0;
		for (size_t i = 0; i < objs.len; i++)
			if (strcmp(((const struct fd_object *)objs.v[i])->name, name) == 0)
				objs.v[keep++] = objs.v[i];
		objs.len = keep;
		if (!keep) {
			fd_vec_free(&objs);
			if (scope)
				return fd_error_set(err, FD_ENOTFOUND, "%s %s/%s not found in the bundle",
						    k.kind, scope, name);
			return fd_error_set(err, FD_ENOTFOUND, "%s %s not found in the bundle", k.kind,
					    name);
		}
	}
	bool flux = is_flux_kind(k.kind), pod = strcmp(k.kind, "Pod") == 0;
	bool node = strcmp(k.kind, "Node") == 0;
	bool wl = strcmp(k.kind, "Deployment") == 0 || strcmp(k.kind, "StatefulSet") == 0 ||
		  strcmp(k.kind, "ReplicaSet") == 0 || strcmp(k.kind, "DaemonSet") == 0;
	bool nscol = k.namespaced && !scope;
	struct table t = {0, {0}};
	if (nscol)
		cell(&t, "NAMESPACE");
	cell(&t, "NAME");
	if (flux) {
		cell(&t, "READY");
		cell(&t, "SUSPENDED");
		cell(&t, "AGE");
		cell(&t, "STATUS");
	} else if (pod) {
		cell(&t, "READY");
		cell(&t, "STATUS");
		cell(&t, "RESTARTS");
		cell(&t, "AGE");
	} else if (wl) {
		cell(&t, "READY");
		cell(&t, "UP-TO-DATE");
		cell(&t, "AVAILABLE");
		cell(&t, "AGE");
	} else if (node) {
		cell(&t, "STATUS");
		cell(&t, "ROLES");
		cell(&t, "AGE");
		cell(&t, "VERSION");
	} else {
		cell(&t, "AGE");
	}
	t.ncols = t.cells.len;
	for (size_t i = 0; i < objs.len; i++) {
		const struct fd_object *o = objs.v[i];
		char age[24];
		age_of(b, created(o->json), age);
		if (nscol)
			cell(&t, o->ns);
		if (node) {
			node_row(&t, b, o);
			continue;
		}
		cell(&t, o->name);
		if (flux) {
			json_t *r = condition(o->json, "Ready");
			cell(&t, r && *js(r, "status") ? js(r, "status") : "Unknown");
			cell(&t, suspended(o->json) ? "True" : "False");
			cell(&t, age);
			struct fd_buf m = {0};
			esc_add(&m, js(r, "message"), strlen(js(r, "message")), false);
			char *s = fd_buf_detach(&m);
			text_truncate(s, STATUS_WIDTH);
			fd_vec_push(&t.cells, s);
		} else if (pod) {
			struct pod_state ps;
			pod_state(o->json, &ps);
			cellf(&t, "%ld/%ld", ps.ready, ps.total);
			cell(&t, ps.status);
			cellf(&t, "%ld", ps.restarts);
			cell(&t, age);
		} else if (wl) {
			long ready, want;
			workload_ready(o, &ready, &want);
			json_t *st = json_object_get(o->json, "status");
			cellf(&t, "%ld/%ld", ready, want);
			cellf(&t, "%lld", (long long)json_integer_value(json_object_get(st, "updatedReplicas")));
			cellf(&t, "%lld", (long long)json_integer_value(json_object_get(st, "availableReplicas")));
			cell(&t, age);
		} else {
			cell(&t, age);
		}
	}
	if (objs.len)
		table_flush(out, &t, 0);
	else {
		for (size_t i = 0; i < t.cells.len; i++)
			free(t.cells.v[i]);
		fd_vec_free(&t.cells);
	}
	if (nrows)
		*nrows = objs.len;
	fd_vec_free(&objs);
	return 0;
}

/* ---- describe ---- */

static bool yaml_plain_ok(const char *s)
{
	static const char *const words[] = {"true", "false", "null", "yes", "no", "on", "off", "~"};
	size_t n = strlen(s);
	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ' || strchr("-?:,[]{}#&*!|>'\"%@`", s[0]))
		return false;
	if (strstr(s, ": ") || strstr(s, " #") || s[n - 1] == ':')
		return false;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(s, words[i]) == 0)
			return false;
	char *end;
	strtod(s, &end);
	if (*end == 0)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p >= 0x80)
			return false; /* non-ASCII goes through the escaper, quoted */
	return true;
}

static void yaml_scalar(FILE *out, json_t *v)
{
	struct fd_buf tmp = {0};
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		if (yaml_plain_ok(s)) {
			fputs(s, out);
		} else {
			bool safe_ascii = true;
			for (const unsigned char *p = (const unsigned char *)s; *p; p++)
				if (*p < 0x20 || *p == 0x7f || *p == '\'')
					safe_ascii = false;
			if (safe_ascii && !strchr(s, '\\')) {
				fputc('\'', out);
				put_safe(out, s);
				fputc('\'', out);
			} else {
				fd_buf_add(&tmp, "", 0);
				for (const char *p = s; *p; p++)
					if (*p == '"' || *p == '\\') {
						fd_buf_addc(&tmp, '\\');
						fd_buf_addc(&tmp, *p);
					} else {
						fd_buf_addc(&tmp, *p);
					}
				fputc('"', out);
				put_safe(out, tmp.p);
				fputc('"', out);
			}
		}
	} else if (json_is_null(v)) {
		fputs("null", out);
	} else if (json_is_object(v)) {
		fputs("{}", out);
	} else if (json_is_array(v)) {
		fputs("[]", out);
	} else {
		const char *s = fd_json_text(v, &tmp);
		fputs(s ? s : "", out);
	}
	fd_buf_free(&tmp);
}

static bool yaml_nested(json_t *v)
{
	return (json_is_object(v) && json_object_size(v)) || (json_is_array(v) && json_array_size(v));
}

static void yaml_map(FILE *out, json_t *o, int indent, bool inline_first, unsigned depth);
static void yaml_seq(FILE *out, json_t *a, int indent, bool inline_first, unsigned depth);

/* Writes v after "key:" (or "- "): a scalar on the same line, a collection below. */
static void yaml_child(FILE *out, json_t *v, int indent, unsigned depth)
{
	if (depth > YAML_MAX_DEPTH) {
		fputs(" ...\n", out);
	} else if (json_is_object(v) && json_object_size(v)) {
		fputc('\n', out);
		yaml_map(out, v, indent + 2, false, depth + 1);
	} else if (json_is_array(v) && json_array_size(v)) {
		fputc('\n', out);
		yaml_seq(out, v, indent, false, depth + 1);
	} else {
		fputc(' ', out);
		yaml_scalar(out, v);
		fputc('\n', out);
	}
}

static void yaml_map(FILE *out, json_t *o, int indent, bool inline_first, unsigned depth)
{
	const char *k;
	json_t *v;
	bool first = true;
	json_object_foreach(o, k, v)
	{
		if (!(first && inline_first))
			fprintf(out, "%*s", indent, "");
		first = false;
		json_t *key = json_string(k);
		yaml_scalar(out, key);
		json_decref(key);
		fputc(':', out);
		yaml_child(out, v, indent, depth);
	}
}

static void yaml_seq(FILE *out, json_t *a, int indent, bool inline_first, unsigned depth)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		if (!(i == 0 && inline_first))
			fprintf(out, "%*s", indent, "");
		fputs("- ", out);
		if (depth > YAML_MAX_DEPTH) {
			fputs("...\n", out);
		} else if (json_is_object(v) && json_object_size(v)) {
			yaml_map(out, v, indent + 2, true, depth + 1);
		} else if (json_is_array(v) && json_array_size(v)) {
			yaml_seq(out, v, indent + 2, true, depth + 1);
		} else {
			yaml_scalar(out, v);
			fputc('\n', out);
		}
	}
}

/* "Labels:       a=b" then further pairs aligned below. */
static void describe_pairs(FILE *out, const char *title, json_t *map)
{
	fprintf(out, "%-14s", title);
	if (!json_object_size(map)) {
		fputs("<none>\n", out);
		return;
	}
	const char *k;
	json_t *v;
	bool first = true;
	json_object_foreach(map, k, v)
	{
		if (!first)
			fprintf(out, "%14s", "");
		first = false;
		put_safe(out, k);
		fputc('=', out);
		struct fd_buf tmp = {0};
		const char *s = fd_json_text(v, &tmp);
		put_safe(out, s ? s : "");
		fd_buf_free(&tmp);
		fputc('\n', out);
	}
}

static void describe_line(FILE *out, const char *title, const char *value)
{
	fprintf(out, "%-14s", title);
	put_safe(out, value && *value ? value : "<none>");
	fputc('\n', out);
}

static void describe_conditions(FILE *out, const struct fd_bundle *b, json_t *conds)
{
	struct table t = {5, {0}};
	cell(&t, "TYPE");
	cell(&t, "STATUS");
	cell(&t, "REASON");
	cell(&t, "LAST TRANSITION");
	cell(&t, "MESSAGE");
	size_t i;
	json_t *c;
	json_array_foreach(conds, i, c)
	{
		char age[24];
		age_of(b, js(c, "lastTransitionTime"), age);
		cell(&t, js(c, "type"));
		cell(&t, js(c, "status"));
		cell(&t, js(c, "reason"));
		cell(&t, age);
		cell(&t, js(c, "message"));
	}
	table_flush(out, &t, 4);
}

static void describe_events(FILE *out, const struct fd_bundle *b, const struct fd_object *o)
{
	struct ev_row *rows;
	size_t n = events_select(b, *o->ns ? o->ns : NULL, o->kind, o->name, &rows);
	fputs("Events:", out);
	if (!n) {
		fputs("       <none>\n", out);
		free(rows);
		return;
	}
	fputc('\n', out);
	struct table t = {5, {0}};
	cell(&t, "LAST SEEN");
	cell(&t, "TYPE");
	cell(&t, "REASON");
	cell(&t, "FROM");
	cell(&t, "MESSAGE");
	for (size_t i = 0; i < n; i++) {
		char seen[64];
		ev_last_seen(b, &rows[i], seen, sizeof(seen));
		cell(&t, seen);
		cell(&t, js(rows[i].o->json, "type"));
		cell(&t, js(rows[i].o->json, "reason"));
		cell(&t, ev_source(rows[i].o->json));
		cell(&t, ev_message(rows[i].o->json));
	}
	table_flush(out, &t, 2);
	free(rows);
}

/* Finds kind/name in ns (NULL: the default namespace; ignored for cluster-scoped kinds). */
static int find_object(const struct fd_object **out, const struct fd_bundle *b,
		       const char *resource, const char *name, const char *ns, struct fd_error *err)
{
	struct fd_browse_kind k;
	int rc = fd_browse_kind(&k, b, resource, err);
	if (rc)
		return rc;
	const char *scope = k.namespaced ? fd_browse_namespace(b, ns) : "";
	*out = fd_bundle_find(b, k.kind, scope, name);
	if (!*out && !k.namespaced) {
		/* a cluster-scoped kind the bundle nevertheless put in a namespace */
		const struct fd_vec *v = fd_bundle_kind(b, k.kind);
		for (size_t i = 0; v && i < v->len && !*out; i++)
			if (strcmp(((const struct fd_object *)v->v[i])->name, name) == 0)
				*out = v->v[i];
	}
	if (*out)
		return 0;
	if (*scope)
		return fd_error_set(err, FD_ENOTFOUND, "%s %s/%s not found in the bundle", k.kind,
				    scope, name);
	return fd_error_set(err, FD_ENOTFOUND, "%s %s not found in the bundle", k.kind, name);
}

int fd_browse_describe(FILE *out, const struct fd_bundle *b, const char *resource,
		       const char *name, const char *ns, struct fd_error *err)
{
	const struct fd_object *o;
	int rc = find_object(&o, b, resource, name, ns, err);
	if (rc)
		return rc;
	json_t *j = o->json, *md = json_object_get(j, "metadata");
	describe_line(out, "Name:", o->name);
	if (*o->ns)
		describe_line(out, "Namespace:", o->ns);
	describe_line(out, "Kind:", o->kind);
	describe_line(out, "API Version:", o->api_version);
	describe_pairs(out, "Labels:", json_object_get(md, "labels"));
	describe_pairs(out, "Annotations:", json_object_get(md, "annotations"));
	if (*created(j)) {
		char age[24], *v;
		age_of(b, created(j), age);
		v = fd_xasprintf("%s (%s before collection)", created(j), age);
		describe_line(out, "Created:", v);
		free(v);
	}
	size_t i;
	json_t *r;
	json_t *owners = json_object_get(md, "ownerReferences");
	json_array_foreach(owners, i, r)
	{
		char *v = fd_xasprintf("%s/%s", js(r, "kind"), js(r, "name"));
		describe_line(out, i == 0 ? "Owned by:" : "", v);
		free(v);
	}
	if (o->synthetic && strcmp(o->path, "(derived)") == 0) {
		describe_line(out, "From:", "derived by fluxdiag from the bundle");
	} else {
		char *v = fd_xasprintf("%s:%u%s", o->path, o->line,
				       o->synthetic ? " (derived by fluxdiag)" : "");
		describe_line(out, "From:", v);
		free(v);
	}
	const char *k;
	json_t *v;
	json_object_foreach(j, k, v)
	{
		if (strcmp(k, "apiVersion") == 0 || strcmp(k, "kind") == 0 ||
		    strcmp(k, "metadata") == 0 || strcmp(k, "status") == 0)
			continue;
		char *title = fd_xasprintf("%c%s:", toupper((unsigned char)k[0]), k + 1);
		if (yaml_nested(v)) {
			put_safe(out, title);
			fputc('\n', out);
			if (json_is_object(v))
				yaml_map(out, v, 2, false, 0);
			else
				yaml_seq(out, v, 2, false, 0);
		} else {
			struct fd_buf tmp = {0};
			const char *s = fd_json_text(v, &tmp);
			describe_line(out, title, s ? s : "");
			fd_buf_free(&tmp);
		}
		free(title);
	}
	json_t *st = json_object_get(j, "status");
	if (yaml_nested(st)) {
		fputs("Status:\n", out);
		json_t *conds = json_object_get(st, "conditions");
		if (json_array_size(conds)) {
			fputs("  Conditions:\n", out);
			describe_conditions(out, b, conds);
		}
		json_t *rest = json_object();
		json_object_foreach(st, k, v)
			if (strcmp(k, "conditions") != 0)
				json_object_set(rest, k, v);
		yaml_map(out, rest, 2, false, 0);
		json_decref(rest);
	}
	if (strcmp(o->kind, "Event") != 0)
		describe_events(out, b, o);
	return 0;
}

/* ---- trace ---- */

struct trace {
	FILE *out;
	struct fd_bundle *b;
	struct fd_graph *g;
	struct fd_map shown;
	size_t nodes;
};

/* The one-line state of an object node. */
static void object_state(struct fd_buf *s, const struct fd_object *o)
{
	json_t *ready = condition(o->json, "Ready");
	long r, w;
	if (strcmp(o->kind, "Pod") == 0) {
		struct pod_state ps;
		pod_state(o->json, &ps);
		fd_buf_addf(s, "%s, %ld/%ld ready, %ld restarts", ps.status, ps.ready, ps.total,
			    ps.restarts);
	} else if (workload_ready(o, &r, &w)) {
		fd_buf_addf(s, "%ld/%ld ready", r, w);
	} else if (ready) {
		fd_buf_addf(s, "Ready=%s", *js(ready, "status") ? js(ready, "status") : "Unknown");
		if (*js(ready, "reason"))
			fd_buf_addf(s, " %s", js(ready, "reason"));
		if (*js(ready, "message"))
			fd_buf_addf(s, ": %s", js(ready, "message"));
	} else if (is_flux_kind(o->kind)) {
		fd_buf_adds(s, "Ready=Unknown (no Ready condition)");
	} else {
		fd_buf_adds(s, "present");
	}
	if (suspended(o->json))
		fd_buf_adds(s, " [suspended]");
}

static void controller_state(struct fd_buf *s, const struct fd_bundle *b, const char *ctrl)
{
	const struct fd_vec *v = fd_bundle_kind(b, "FluxController");
	for (size_t i = 0; v && i < v->len; i++) {
		const struct fd_object *o = v->v[i];
		if (strcmp(o->name, ctrl) != 0)
			continue;
		json_t *j = o->json;
		fd_buf_addf(s, "%lld/%lld pods ready, %lld restarts",
			    (long long)json_integer_value(json_object_get(j, "readyPods")),
			    (long long)json_integer_value(json_object_get(j, "pods")),
			    (long long)json_integer_value(json_object_get(j, "restarts")));
		return;
	}
	fd_buf_adds(s, "no pod or Deployment in the bundle");
}

static void apiserver_state(struct fd_buf *s, const struct fd_bundle *b)
{
	const struct fd_vec *v = fd_bundle_kind(b, "APIServerHealth");
	if (!v || !v->len) {
		fd_buf_adds(s, "health unknown (no readyz/livez in the bundle)");
		return;
	}
	struct fd_vec sorted = {0};
	objects_of(b, "APIServerHealth", NULL, &sorted);
	for (size_t i = 0; i < sorted.len; i++) {
		const struct fd_object *o = sorted.v[i];
		bool ok = json_is_true(json_object_get(o->json, "passed"));
		fd_buf_addf(s, "%s%s %s", i ? ", " : "", o->name, ok ? "passed" : "failed");
		if (!ok) {
			size_t k;
			json_t *c;
			bool any = false;
			json_array_foreach(json_object_get(o->json, "checks"), k, c)
			{
				if (json_is_true(json_object_get(c, "ok")))
					continue;
				fd_buf_addf(s, "%s%s", any ? " " : " (", js(c, "name"));
				any = true;
			}
			if (any)
				fd_buf_addc(s, ')');
		}
	}
	fd_vec_free(&sorted);
}

/* Label and state of a graph node. */
static void node_text(struct trace *tr, const char *node, struct fd_buf *label,
		      struct fd_buf *state)
{
	if (strcmp(node, "apiserver") == 0) {
		fd_buf_adds(label, "API server");
		apiserver_state(state, tr->b);
		return;
	}
	if (strncmp(node, "controller:", 11) == 0) {
		fd_buf_addf(label, "controller %s", node + 11);
		controller_state(state, tr->b, node + 11);
		return;
	}
	char *copy = fd_xstrdup(node);
	char *s1 = strchr(copy, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
	if (!s1 || !s2) {
		fd_buf_adds(label, node);
		free(copy);
		return;
	}
	*s1 = *s2 = 0;
	const char *kind = copy, *ns = s1 + 1, *name = s2 + 1;
	if (*ns)
		fd_buf_addf(label, "%s %s/%s", kind, ns, name);
	else
		fd_buf_addf(label, "%s %s", kind, name);
	const struct fd_object *o = fd_bundle_find(tr->b, kind, ns, name);
	if (o)
		object_state(state, o);
	else
		fd_buf_adds(state, "not in the bundle");
	free(copy);
}

/* Upstreams of node, duplicates removed; an object with a controller reaches the API server
 * through the controller, so the direct API-server edge is dropped. */
static void trace_upstreams(struct trace *tr, const char *node, struct fd_vec *out)
{
	struct fd_vec raw = {0};
	fd_graph_upstreams(tr->g, node, &raw);
	bool has_ctrl = false;
	for (size_t i = 0; i < raw.len; i++)
		if (strncmp(raw.v[i], "controller:", 11) == 0)
			has_ctrl = true;
	for (size_t i = 0; i < raw.len; i++) {
		char *u = raw.v[i];
		bool dup = strcmp(u, node) == 0 || (has_ctrl && strcmp(u, "apiserver") == 0);
		for (size_t k = 0; !dup && k < out->len; k++)
			dup = strcmp(out->v[k], u) == 0;
		if (dup)
			free(u);
		else
			fd_vec_push(out, u);
	}
	fd_vec_free(&raw);
}

static void trace_node(struct trace *tr, const char *node, const char *prefix, bool root,
		       bool last, unsigned depth)
{
	struct fd_buf label = {0}, state = {0};
	fd_buf_add(&label, "", 0);
	fd_buf_add(&state, "", 0);
	node_text(tr, node, &label, &state);
	bool seen = fd_map_get(&tr->shown, node) != NULL;
	if (!root)
		fprintf(tr->out, "%s%s", prefix, last ? "└── " : "├── ");
	put_safe(tr->out, label.p);
	if (seen) {
		fputs("  (see above)\n", tr->out);
	} else {
		fputs("  ", tr->out);
		put_safe(tr->out, state.p);
		fputc('\n', tr->out);
	}
	fd_buf_free(&label);
	fd_buf_free(&state);
	if (seen)
		return;
	fd_map_put(&tr->shown, node, (void *)1);
	tr->nodes++;
	struct fd_vec ups = {0};
	trace_upstreams(tr, node, &ups);
	char *sub = root ? fd_xstrdup("") : fd_xasprintf("%s%s", prefix, last ? "    " : "│   ");
	if (ups.len && (depth >= TRACE_MAX_DEPTH || tr->nodes >= TRACE_MAX_NODES)) {
		fprintf(tr->out, "%s└── ... (%zu more, not shown)\n", sub, ups.len);
	} else {
		for (size_t i = 0; i < ups.len; i++)
			trace_node(tr, ups.v[i], sub, false, i + 1 == ups.len, depth + 1);
	}
	for (size_t i = 0; i < ups.len; i++)
		free(ups.v[i]);
	fd_vec_free(&ups);
	free(sub);
}

int fd_browse_trace(FILE *out, struct fd_bundle *b, const char *resource, const char *name,
		    const char *ns, struct fd_error *err)
{
	const struct fd_object *o;
	int rc = find_object(&o, b, resource, name, ns, err);
	if (rc)
		return rc;
	struct trace tr = {out, b, fd_graph_new(b), {0}, 0};
	char *node = fd_node_for(b, o->kind, o->ns, o->name);
	char *own = fd_xasprintf("%s/%s/%s", o->kind, o->ns, o->name);
	if (strcmp(node, own) == 0) {
		trace_node(&tr, node, "", true, true, 0);
	} else {
		/* a controller's pod or Deployment, an API-server pod: the object, then the node
		 * that stands for it in the graph */
		struct fd_buf st = {0};
		fd_buf_add(&st, "", 0);
		object_state(&st, o);
		char *label = *o->ns ? fd_xasprintf("%s %s/%s", o->kind, o->ns, o->name)
				     : fd_xasprintf("%s %s", o->kind, o->name);
		put_safe(out, label);
		free(label);
		fputs("  ", out);
		put_safe(out, st.p);
		fputc('\n', out);
		fd_buf_free(&st);
		trace_node(&tr, node, "", false, true, 1);
	}
	free(own);
	free(node);
	fd_map_free(&tr.shown);
	fd_graph_free(tr.g);
	return 0;
}

/* ---- logs ---- */

/* Log entries are the *.log and logs.txt files, identified as the log scanner does. */
static bool log_path_identity(const char *path, char **ns, char **pod, char **container,
			      bool *previous)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t bl = strlen(base);
	if (strcmp(base, "logs.txt") != 0 && !(bl > 4 && strcasecmp(base + bl - 4, ".log") == 0))
		return false;
	return fd_log_identity(path, ns, pod, container, previous);
}

struct log_id {
	char *ns, *pod, *container;
	bool previous;
};

struct logs_walk {
	struct fd_bundle *b;
	FILE *out;
	const struct fd_logs_query *q;
	/* listing pass */
	struct fd_vec ids; /* struct log_id * */
	/* printing pass */
	const char *pod, *container;
	pcre2_code *re;
	pcre2_match_data *md;
	unsigned long printed, files;
	bool truncated_line;
};

static void log_id_free(struct log_id *id)
{
	free(id->ns);
	free(id->pod);
	free(id->container);
	free(id);
}

static int list_cb(struct fd_entry *e, void *payload)
{
	struct logs_walk *w = payload;
	struct log_id id;
	if (!log_path_identity(e->path, &id.ns, &id.pod, &id.container, &id.previous))
		return 0;
	struct log_id *p = fd_xcalloc(1, sizeof(*p));
	*p = id;
	fd_vec_push(&w->ids, p);
	return 0;
}

static void emit_line(struct logs_walk *w, const char *s, size_t n, bool cut)
{
	if (w->re) {
		int r = pcre2_match(w->re, (PCRE2_SPTR)s, n, 0, 0, w->md, NULL);
		if (r < 0)
			return;
	}
	struct fd_buf b = {0};
	esc_add(&b, s, n, true);
	fputs(b.p, w->out);
	if (cut)
		fputs(" [line cut at --max-line-bytes]", w->out);
	fputc('\n', w->out);
	fd_buf_free(&b);
	w->printed++;
}

static int print_cb(struct fd_entry *e, void *payload)
{
	struct logs_walk *w = payload;
	struct log_id id;
	if (!log_path_identity(e->path, &id.ns, &id.pod, &id.container, &id.previous))
		return 0;
	bool hit = strcmp(id.ns, fd_browse_namespace(w->b, w->q->ns)) == 0 &&
		   strcmp(id.pod, w->pod) == 0 && strcmp(id.container, w->container) == 0 &&
		   id.previous == w->q->previous;
	free(id.ns);
	free(id.pod);
	free(id.container);
	if (!hit)
		return 0;
	w->files++;
	size_t max = w->b->limits.max_line_bytes ? w->b->limits.max_line_bytes : 65536;
	struct fd_buf line = {0};
	bool cut = false;
	char chunk[65536];
	for (;;) {
		struct fd_error err = {0};
		long n = e->read(e->handle, chunk, sizeof(chunk), &err);
		fd_error_clear(&err);
		if (n <= 0)
			break;
		const char *p = chunk, *end = chunk + n;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *stop = nl ? nl : end;
			size_t len = (size_t)(stop - p);
			if (!cut) {
				size_t room = max > line.len ? max - line.len : 0;
				if (len > room) {
					fd_buf_add(&line, p, room);
					cut = true;
				} else {
					fd_buf_add(&line, p, len);
				}
			}
			if (nl) {
				size_t l = line.len;
				if (l && line.p[l - 1] == '\r')
					l--;
				emit_line(w, line.p ? line.p : "", l, cut);
				fd_buf_reset(&line);
				cut = false;
			}
			p = nl ? nl + 1 : end;
		}
	}
	if (line.len || cut)
		emit_line(w, line.p ? line.p : "", line.len, cut);
	fd_buf_free(&line);
	return 0;
}

/* The containers of a pod, in spec order: names borrowed from the object. */
static void pod_containers(const struct fd_object *pod, struct fd_vec *out)
{
	size_t i;
	json_t *c;
	json_array_foreach(jpath2(pod->json, "spec", "containers"), i, c)
		if (*js(c, "name"))
			fd_vec_push(out, (void *)js(c, "name"));
}

int fd_browse_logs(FILE *out, struct fd_bundle *b, const char *path,
		   const struct fd_logs_query *q, struct fd_logs_result *res,
		   struct fd_error *err)
{
	struct logs_walk w = {0};
	const char *ns = fd_browse_namespace(b, q->ns);
	char *pod = NULL, *container = NULL;
	int rc = 0;
	memset(res, 0, sizeof(*res));
	w.b = b;
	w.out = out;
	w.q = q;
	if (q->grep) {
		int ec;
		PCRE2_SIZE off;
		w.re = pcre2_compile((PCRE2_SPTR)q->grep, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
				     &ec, &off, NULL);
		if (!w.re) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(ec, msg, sizeof(msg));
			return fd_error_set(err, FD_EUSAGE, "--grep: bad regular expression at offset %zu: %s",
					    (size_t)off, (const char *)msg);
		}
		pcre2_jit_compile(w.re, PCRE2_JIT_COMPLETE);
		w.md = pcre2_match_data_create_from_pattern(w.re, NULL);
	}
	/* The walks count bytes and entries against the limits afresh. */
	uint64_t saved_bytes = b->bytes_read, saved_entries = b->entries;
	b->bytes_read = b->entries = 0;
	rc = fd_bundle_walk_path(b, path, list_cb, &w, err);
	if (rc)
		goto out;

	/* The pod: an exact name, else the one pod whose name starts with the query, among the
	 * Pod objects and the logs of the namespace. */
	const struct fd_object *po = fd_bundle_find(b, "Pod", ns, q->pod);
	bool exact = po != NULL;
	for (size_t i = 0; !exact && i < w.ids.len; i++) {
		const struct log_id *id = w.ids.v[i];
		exact = strcmp(id->ns, ns) == 0 && strcmp(id->pod, q->pod) == 0;
	}
	if (exact) {
		pod = fd_xstrdup(q->pod);
	} else {
		struct fd_vec cands = {0};
		struct fd_vec objs = {0};
		objects_of(b, "Pod", ns, &objs);
		for (size_t i = 0; i < objs.len; i++)
			fd_vec_push(&cands, (void *)((const struct fd_object *)objs.v[i])->name);
		for (size_t i = 0; i < w.ids.len; i++) {
			const struct log_id *id = w.ids.v[i];
			if (strcmp(id->ns, ns) == 0)
				fd_vec_push(&cands, id->pod);
		}
		size_t ql = strlen(q->pod);
		for (size_t i = 0; i < cands.len && rc == 0; i++) {
			const char *c = cands.v[i];
			if (strncmp(c, q->pod, ql) != 0)
				continue;
			if (pod && strcmp(pod, c) != 0)
				rc = fd_error_set(err, FD_ENOTFOUND,
						  "pod name '%s' is ambiguous in namespace %s: %s, %s, ...",
						  q->pod, ns, pod, c);
			else if (!pod)
				pod = fd_xstrdup(c);
		}
		fd_vec_free(&cands);
		fd_vec_free(&objs);
		if (rc)
			goto out;
		if (!pod) {
			rc = fd_error_set(err, FD_ENOTFOUND, "pod %s/%s not found in the bundle", ns,
					  q->pod);
			goto out;
		}
		po = fd_bundle_find(b, "Pod", ns, pod);
	}

	/* The container: -c, else the default-container annotation, else the only or the first
	 * container of the pod's spec, else the only one with a log. */
	if (q->container) {
		container = fd_xstrdup(q->container);
	} else {
		struct fd_vec names = {0};
		if (po)
			pod_containers(po, &names);
		const char *def = po ? js(jpath2(po->json, "metadata", "annotations"),
					  "kubectl.kubernetes.io/default-container")
				     : "";
		if (*def) {
			container = fd_xstrdup(def);
		} else if (names.len) {
			container = fd_xstrdup(names.v[0]);
			if (names.len > 1) {
				struct fd_buf all = {0};
				for (size_t i = 0; i < names.len; i++)
					fd_buf_addf(&all, "%s%s", i ? ", " : "", (const char *)names.v[i]);
				res->note = fd_xasprintf("Defaulted container \"%s\" out of: %s",
							 container, all.p);
				fd_buf_free(&all);
			}
		} else {
			for (size_t i = 0; i < w.ids.len && rc == 0; i++) {
				const struct log_id *id = w.ids.v[i];
				if (strcmp(id->ns, ns) || strcmp(id->pod, pod))
					continue;
				if (container && strcmp(container, id->container) != 0)
					rc = fd_error_set(err, FD_EUSAGE,
							  "pod %s/%s has logs of several containers (%s, %s); "
							  "choose one with -c",
							  ns, pod, container, id->container);
				else if (!container)
					container = fd_xstrdup(id->container);
			}
		}
		fd_vec_free(&names);
		if (rc)
			goto out;
	}
	bool have = false;
	for (size_t i = 0; i < w.ids.len && !have; i++) {
		const struct log_id *id = w.ids.v[i];
		have = strcmp(id->ns, ns) == 0 && strcmp(id->pod, pod) == 0 &&
		       container && strcmp(id->container, container) == 0 &&
		       id->previous == q->previous;
	}
	if (!have) {
		rc = fd_error_set(err, FD_ENOTFOUND, "no %slog of container %s in pod %s/%s in the bundle",
				  q->previous ? "previous " : "", container ? container : "(none)",
				  ns, pod);
		goto out;
	}
	w.pod = pod;
	w.container = container;
	b->bytes_read = b->entries = 0;
	rc = fd_bundle_walk_path(b, path, print_cb, &w, err);
	res->lines = w.printed;
	res->pod = pod;
	res->container = container;
	pod = container = NULL;
out:
	b->bytes_read = saved_bytes;
	b->entries = saved_entries;
	for (size_t i = 0; i < w.ids.len; i++)
		log_id_free(w.ids.v[i]);
	fd_vec_free(&w.ids);
	pcre2_match_data_free(w.md);
	pcre2_code_free(w.re);
	free(pod);
	free(container);
	return rc;
}

void fd_logs_result_free(struct fd_logs_result *res)
{
	free(res->pod);
	free(res->container);
	free(res->note);
	memset(res, 0, sizeof(*res));
}
