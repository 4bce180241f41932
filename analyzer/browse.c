/* browse.c - look at a loaded bundle as if it were the cluster: kubectl-like tables (get,
 * events), a describe view, a dependency trace, and the log of one container. Every text taken
 * from the bundle is escaped before it is written: no control character reaches a terminal. */
#include "browse_views.h"
#include "util.h"
#include "present.h"
#include "flux_controllers.h"
#include "bundle.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* ---- escaping ---- */

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
void text_truncate(char *s, size_t max)
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

void cell(struct table *t, const char *s)
{
	struct fd_buf b = {0};
	fd_escape(&b, s ? s : "", s ? strlen(s) : 0, 0, NULL);
	fd_vec_push(&t->cells, fd_buf_detach(&b));
}

void cellf(struct table *t, const char *fmt, ...)
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
void table_flush(FILE *out, struct table *t, int indent)
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

json_t *jpath2(json_t *o, const char *a, const char *b)
{
	return json_object_get(json_object_get(o, a), b);
}

/* kubectl's short duration: 45s, 5m30s, 45m, 3h5m, 26h, 3d4h, 120d, 2y30d. */
void human_age(double secs, char out[24])
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
void age_of(const struct fd_bundle *b, const char *ts, char out[24])
{
	double t;
	if (!ts || !*ts || b->collected_at <= 0 || fd_time_parse(ts, &t) != 0) {
		snprintf(out, 24, "<unknown>");
		return;
	}
	human_age(b->collected_at - t, out);
}

const char *created(json_t *obj)
{
	return fd_jstr(json_object_get(obj, "metadata"), "creationTimestamp");
}

/* The condition of `type` in status.conditions, or NULL (borrowed). */
json_t *condition(json_t *obj, const char *type)
{
	size_t i;
	json_t *c;
	json_array_foreach(jpath2(obj, "status", "conditions"), i, c)
	{
		if (strcmp(fd_jstr(c, "type"), type) == 0)
			return c;
	}
	return NULL;
}

bool is_flux_kind(const char *kind)
{
	return fd_controller_for_kind(kind) != NULL;
}

bool suspended(json_t *obj)
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

void objects_of(const struct fd_bundle *b, const char *kind, const char *ns,
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

void pod_state(json_t *pod, struct pod_state *ps)
{
	json_t *st = json_object_get(pod, "status");
	json_t *css = json_object_get(st, "containerStatuses");
	size_t i;
	json_t *cs;
	memset(ps, 0, sizeof(*ps));
	ps->total = (long)json_array_size(jpath2(pod, "spec", "containers"));
	if (json_array_size(css) > (size_t)ps->total)
		ps->total = (long)json_array_size(css);
	ps->status = *fd_jstr(st, "phase") ? fd_jstr(st, "phase") : "Unknown";
	if (*fd_jstr(st, "reason"))
		ps->status = fd_jstr(st, "reason");
	const char *waiting = NULL, *terminated = NULL;
	json_array_foreach(json_object_get(st, "initContainerStatuses"), i, cs)
	{
		const char *r = fd_jstr(jpath2(cs, "state", "waiting"), "reason");
		if (*r && strcmp(r, "PodInitializing") != 0 && !waiting)
			waiting = r;
	}
	json_array_foreach(css, i, cs)
	{
		if (json_is_true(json_object_get(cs, "ready")))
			ps->ready++;
		ps->restarts += (long)json_integer_value(json_object_get(cs, "restartCount"));
		const char *w = fd_jstr(jpath2(cs, "state", "waiting"), "reason");
		const char *t = fd_jstr(jpath2(cs, "state", "terminated"), "reason");
		if (*w && !waiting)
			waiting = w;
		if (*t && !terminated)
			terminated = t;
	}
	if (waiting)
		ps->status = waiting;
	else if (terminated)
		ps->status = terminated;
	if (*fd_jstr(json_object_get(pod, "metadata"), "deletionTimestamp"))
		ps->status = "Terminating";
}

/* Ready and wanted replicas of a workload; false when the object is not one. */
bool workload_ready(const struct fd_object *o, long *ready, long *want)
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

/* Finds kind/name in ns (NULL: the default namespace; ignored for cluster-scoped kinds). */
int find_object(const struct fd_object **out, const struct fd_bundle *b,
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
