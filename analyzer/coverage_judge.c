/* coverage_judge.c - after causes are linked: a verdict per cause category. A cause is found
 * (a finding names it), ruled out (the bundle holds the evidence its rules need, and none fired),
 * or cannot be told (the evidence is missing: the failed manifest step says why, or Flux was
 * not in the bundle at all). A clean report is only as good as what was seen. */
#include "coverage_judge.h"
#include "flux_controllers.h"
#include "util.h"
#include "present.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- what each cause needs: the data a rule author reads ----
 *
 * An evidence source is something the bundle holds or lacks. `resources` are the kubectl
 * resource names a manifest step lists it by, `outputs` the bundle paths a step writes it to
 * (prefixes); a failed step among them explains why it is missing. */
enum evidence {
	EV_HEALTH,
	EV_FLUX_PODS,
	EV_CTRL_LOGS,
	EV_CTRL_METRICS,
	EV_NETPOL,
	EV_SOURCES,
	EV_APPLIERS,
	EV_EVENTS,
	EV_COUNT
};

struct evidence_source {
	const char *what;      /* as the verdict names it */
	const char *resources; /* comma-separated resource names, or NULL */
	const char *outputs;   /* comma-separated output path prefixes, or NULL */
	const char *raw;       /* a `kubectl get --raw` path the step fetches it from, or NULL */
	const char *how;       /* how to get it when nothing says why it is missing */
	const char *how_forbidden; /* what the collecting user must be allowed, or an alternative */
};

static const struct evidence_source sources[EV_COUNT] = {
	[EV_HEALTH] = {"API server health (readyz/livez)", NULL,
		       "cluster/readyz.txt,cluster/livez.txt", "/readyz",
		       "kubectl get --raw '/readyz?verbose' > cluster/readyz.txt",
		       "collect again as a user allowed to get the non-resource URLs /readyz and "
		       "/livez"},
	[EV_FLUX_PODS] = {"Flux controller pods", "pods,deployments", NULL, NULL,
			  "kubectl -n flux-system get pods,deployments -o yaml",
			  "collect again as a user allowed to list pods and deployments in the Flux "
			  "namespace"},
	[EV_CTRL_LOGS] = {"Flux controller logs", NULL, "logs/", NULL,
			  "kubectl -n flux-system logs deploy/<controller>",
			  "collect again as a user allowed to get pods/log in the Flux namespace"},
	[EV_CTRL_METRICS] = {"Flux controller metrics", NULL, "metrics/", "/proxy/metrics",
			     "kubectl -n flux-system port-forward deploy/<controller> 8080, then "
			     "fetch http://localhost:8080/metrics into metrics/flux-system/<pod>.prom",
			     "collect again as a user allowed to get pods/proxy in the Flux namespace, "
			     "or port-forward: kubectl -n flux-system port-forward "
			     "deploy/<controller> 8080 and fetch http://localhost:8080/metrics"},
	[EV_NETPOL] = {"NetworkPolicies", "networkpolicies", NULL, NULL,
		       "kubectl get networkpolicies -A -o yaml",
		       "collect again as a user allowed to list networkpolicies in all namespaces"},
	[EV_SOURCES] = {"Flux sources", "gitrepositories,ocirepositories,helmrepositories,buckets,"
					"helmcharts",
			NULL, NULL, "kubectl get gitrepositories,ocirepositories,helmrepositories,"
			      "helmcharts,buckets -A -o yaml",
			"collect again as a user allowed to list the source.toolkit.fluxcd.io "
			"resources"},
	[EV_APPLIERS] = {"Kustomizations and HelmReleases", "kustomizations,helmreleases", NULL, NULL,
			 "kubectl get kustomizations,helmreleases -A -o yaml",
			 "collect again as a user allowed to list kustomizations and helmreleases"},
	[EV_EVENTS] = {"Events", "events", NULL, NULL, "kubectl get events -A -o yaml",
		       "collect again as a user allowed to list events"},
};

/* Every source a cause needs must be in the bundle to rule it out. */
static const struct cause_needs {
	enum evidence need[3];
	size_t n;
	bool flux; /* only meaningful where Flux runs */
} needs[FD_CAT_COUNT] = {
	[FD_CAT_APISERVER] = {{EV_HEALTH}, 1, false},
	[FD_CAT_CONTROLLER] = {{EV_FLUX_PODS}, 1, true},
	[FD_CAT_NETWORK] = {{EV_NETPOL, EV_CTRL_LOGS}, 2, true},
	[FD_CAT_SOURCE] = {{EV_SOURCES}, 1, true},
	[FD_CAT_BACKLOG] = {{EV_CTRL_METRICS}, 1, true},
	[FD_CAT_CACHE] = {{EV_CTRL_LOGS, EV_SOURCES, EV_APPLIERS}, 3, true},
	[FD_CAT_APPLY] = {{EV_APPLIERS, EV_EVENTS}, 2, true},
	[FD_CAT_CONFIG] = {{EV_SOURCES, EV_APPLIERS}, 2, true},
};

const enum fd_category fd_coverage_order[FD_CAT_COUNT] = {
	FD_CAT_APISERVER, FD_CAT_CONTROLLER, FD_CAT_NETWORK, FD_CAT_SOURCE,
	FD_CAT_BACKLOG,   FD_CAT_CACHE,      FD_CAT_APPLY,   FD_CAT_CONFIG,
};

/* ---- what the bundle holds ---- */

/* Whether `list` (comma-separated) holds the first n bytes of s as an item; with `prefix`,
 * whether s starts with an item. */
static bool in_list(const char *list, const char *s, size_t n, bool prefix)
{
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (prefix ? strncmp(s, p, l) == 0 : (l == n && strncmp(s, p, l) == 0))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

/* "networkpolicies.networking.k8s.io" or "pods@flux-system" -> length of "networkpolicies" */
static size_t plural_len(const char *res)
{
	return strcspn(res, ".@");
}

struct listed_ctx {
	const char *resources;
	bool hit;
};

static void listed_one(const char *key, void *v, void *payload)
{
	(void)v;
	struct listed_ctx *c = payload;
	if (in_list(c->resources, key, plural_len(key), false))
		c->hit = true;
}

static const char *cmd_str(const struct fd_object *cmd, const char *field)
{
	const char *s = json_string_value(json_object_get(cmd->json, field));
	return s ? s : "";
}

static long long cmd_rc(const struct fd_object *cmd)
{
	return json_integer_value(json_object_get(cmd->json, "rc"));
}

/* A step that lists a resource type the cluster does not have: the answer is "none". */
static bool not_installed(const struct fd_object *cmd)
{
	return strstr(cmd_str(cmd, "stderr"), "the server doesn't have a resource type") != NULL;
}

static bool cmd_matches(const struct fd_object *cmd, const struct evidence_source *src)
{
	const char *res = cmd_str(cmd, "resource"), *out = cmd_str(cmd, "output");
	if (src->resources && *res && in_list(src->resources, res, plural_len(res), false))
		return true;
	if (src->raw && strcmp(res, "raw") == 0 && strstr(cmd_str(cmd, "command"), src->raw))
		return true;
	return src->outputs && *out && in_list(src->outputs, out, 0, true);
}

static bool any_kind(const struct fd_bundle *b, const char *const *kinds)
{
	for (; *kinds; kinds++) {
		const struct fd_vec *v = fd_bundle_kind(b, *kinds);
		if (v && v->len)
			return true;
	}
	return false;
}

/* Objects of `kinds` that are Flux's (k3s has a HelmChart kind of its own). */
static size_t count_kinds(const struct fd_bundle *b, const char *const *kinds)
{
	size_t n = 0;
	for (; *kinds; kinds++) {
		const struct fd_vec *v = fd_bundle_kind(b, *kinds);
		for (size_t i = 0; v && i < v->len; i++)
			if (strstr(((const struct fd_object *)v->v[i])->api_version,
				   ".toolkit.fluxcd.io/"))
				n++;
	}
	return n;
}

static const char *const source_kinds[] = {"GitRepository", "OCIRepository", "HelmRepository",
					   "Bucket", "HelmChart", NULL};
static const char *const applier_kinds[] = {"Kustomization", "HelmRelease", NULL};

struct log_count {
	unsigned controllers, apiserver;
};

static void count_log(const char *key, void *v, void *payload)
{
	(void)v;
	struct log_count *c = payload;
	const char *pod = strchr(key, '/');
	pod = pod ? pod + 1 : key;
	if (strncmp(pod, "kube-apiserver", 14) == 0 || strncmp(pod, "etcd", 4) == 0)
		c->apiserver++;
	else if (fd_controller_for_name(pod))
		c->controllers++;
}

struct seen {
	bool have[EV_COUNT];
	struct log_count logs;
	bool flux_seen;
	bool flux_types_absent; /* every Flux list step said the type does not exist */
	const struct fd_object *not_installed_step;
	const struct fd_object *api_down; /* no API call worked: the first that could not connect */
	bool flux_list_failed; /* a step listing Flux objects failed (not: type not installed) */
};

static bool unreachable_msg(const char *m);
static char *kubectl_message(const struct fd_object *cmd);

/* The first step that could not use the API server, when no API call of the collection
 * worked at all; NULL otherwise. */
static const struct fd_object *api_down_step(const struct fd_vec *cmds)
{
	const struct fd_object *first = NULL;
	for (size_t i = 0; cmds && i < cmds->len; i++) {
		const struct fd_object *cmd = cmds->v[i];
		if (strncmp(cmd_str(cmd, "command"), "kubectl config ", 15) == 0)
			continue; /* reads the kubeconfig only */
		if (cmd_rc(cmd) == 0)
			return NULL;
		char *m = first ? NULL : kubectl_message(cmd);
		if (m && unreachable_msg(m))
			first = cmd;
		free(m);
	}
	return first;
}

static void take_stock(const struct fd_bundle *b, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	fd_map_each(&b->log_pods, count_log, &s->logs);
	const struct fd_vec *cmds = fd_bundle_kind(b, "CollectorCommand");
	for (int e = 0; e < EV_COUNT; e++) {
		const struct evidence_source *src = &sources[e];
		if (src->resources) {
			struct listed_ctx c = {src->resources, false};
			fd_map_each(&b->collected, listed_one, &c);
			s->have[e] = c.hit;
			for (size_t i = 0; cmds && i < cmds->len; i++) {
				const struct fd_object *cmd = cmds->v[i];
				if (cmd_matches(cmd, src) && cmd_rc(cmd) != 0 && not_installed(cmd))
					s->have[e] = true;
			}
		}
	}
	static const char *const netpols[] = {"NetworkPolicy", NULL},
				 *const events[] = {"Event", NULL};
	s->have[EV_HEALTH] = any_kind(b, (const char *const[]){"APIServerHealth", NULL});
	s->have[EV_FLUX_PODS] |= fd_bundle_kind(b, "FluxController") != NULL;
	s->have[EV_CTRL_LOGS] = s->logs.controllers > 0;
	s->have[EV_CTRL_METRICS] = any_kind(b, (const char *const[]){"ControllerMetrics", NULL});
	s->have[EV_NETPOL] |= any_kind(b, netpols);
	s->have[EV_SOURCES] |= count_kinds(b, source_kinds) > 0;
	s->have[EV_APPLIERS] |= count_kinds(b, applier_kinds) > 0;
	s->have[EV_EVENTS] |= any_kind(b, events);

	for (size_t i = 0; i < fd_flux_ncontrollers && !s->flux_seen; i++)
		s->flux_seen = count_kinds(b, fd_flux_controllers[i].kinds) > 0;
	if (fd_bundle_kind(b, "FluxController") || s->logs.controllers)
		s->flux_seen = true;
	/* the Flux types were asked for and the server has none of them */
	size_t asked = 0, absent = 0;
	for (size_t i = 0; cmds && i < cmds->len; i++) {
		const struct fd_object *cmd = cmds->v[i];
		if (!strstr(cmd_str(cmd, "resource"), ".toolkit.fluxcd.io"))
			continue;
		asked++;
		if (cmd_rc(cmd) != 0 && !not_installed(cmd))
			s->flux_list_failed = true;
		if (cmd_rc(cmd) != 0 && not_installed(cmd)) {
			absent++;
			if (!s->not_installed_step)
				s->not_installed_step = cmd;
		}
	}
	s->flux_types_absent = asked && absent == asked;
	s->api_down = api_down_step(cmds);
}

/* ---- why something is missing ---- */

static unsigned step_number(const struct fd_object *cmd)
{
	const char *n = cmd->name;
	return strncmp(n, "cmd-", 4) == 0 ? (unsigned)strtoul(n + 4, NULL, 10) : 0;
}

/* kubectl's own message: the last non-empty line of stderr (after any klog lines), cut. */
static char *kubectl_message(const struct fd_object *cmd)
{
	const char *se = cmd_str(cmd, "stderr");
	const char *end = se + strlen(se);
	while (end > se && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	const char *start = end;
	while (start > se && start[-1] != '\n')
		start--;
	return fd_utf8_clean(start, (size_t)(end - start), 200, NULL);
}

static bool unreachable_msg(const char *m)
{
	return strstr(m, "Unable to connect to the server") ||
	       strstr(m, "The connection to the server") || strstr(m, "You must be logged in") ||
	       strstr(m, "provide credentials") || strstr(m, "net/http: TLS handshake timeout") ||
	       strstr(m, "i/o timeout");
}

static void add_step(struct fd_cause_verdict *v, unsigned n)
{
	for (unsigned i = 0; i < v->nsteps; i++)
		if (v->steps[i] == n)
			return;
	v->steps = fd_xrealloc(v->steps, (v->nsteps + 1) * sizeof(*v->steps));
	v->steps[v->nsteps++] = n;
}

/* Says why evidence source `e` is missing, from the first failed manifest step that would have
 * collected it. Returns false when no step failed for it. */
static bool explain_failed_step(const struct fd_bundle *b, enum evidence e,
				struct fd_cause_verdict *v, struct fd_buf *detail,
				struct fd_buf *how)
{
	const struct evidence_source *src = &sources[e];
	const struct fd_vec *cmds = fd_bundle_kind(b, "CollectorCommand");
	const struct fd_object *first = NULL;
	unsigned more = 0;

	for (size_t i = 0; cmds && i < cmds->len; i++) {
		const struct fd_object *cmd = cmds->v[i];
		if (cmd_rc(cmd) == 0 || !cmd_matches(cmd, src) || not_installed(cmd))
			continue;
		if (!first)
			first = cmd;
		else
			more++;
	}
	if (!first)
		return false;
	unsigned n = step_number(first);
	add_step(v, n);
	char *msg = kubectl_message(first);
	char also[48] = "";
	if (more)
		snprintf(also, sizeof(also), " and %u more", more);
	if (strcasestr(msg, "forbidden")) {
		fd_buf_addf(detail, "no %s: forbidden for the collecting user (manifest step %u%s: "
				    "\"%s\")",
			    src->what, n, also, msg);
		fd_buf_adds(how, src->how_forbidden);
	} else if (unreachable_msg(msg)) {
		fd_buf_addf(detail, "no %s: the collector could not use the API server (manifest "
				    "step %u%s: \"%s\")",
			    src->what, n, also, msg);
		fd_buf_addf(how, "fix access to the API server from where the collector runs, then "
				 "collect again; or by hand: %s",
			    src->how);
	} else if (cmd_rc(first) == 124) {
		fd_buf_addf(detail, "no %s: the collection deadline cut it off (manifest step %u%s)",
			    src->what, n, also);
		fd_buf_adds(how, "collect again with a larger --timeout");
	} else {
		fd_buf_addf(detail, "no %s: manifest step %u failed%s (\"%s\")", src->what, n, also,
			    msg);
		fd_buf_adds(how, src->how);
	}
	free(msg);
	return true;
}

/* ---- the evidence that rules a cause out ---- */

static long fact_sum(const struct fd_bundle *b, const char *kind, const char *field)
{
	long n = 0;
	const struct fd_vec *v = fd_bundle_kind(b, kind);
	for (size_t i = 0; v && i < v->len; i++)
		n += (long)json_integer_value(
			json_object_get(((const struct fd_object *)v->v[i])->json, field));
	return n;
}

static size_t kind_len(const struct fd_bundle *b, const char *kind)
{
	const struct fd_vec *v = fd_bundle_kind(b, kind);
	return v ? v->len : 0;
}

static void ruled_out(const struct fd_bundle *b, const struct seen *s, enum fd_category c,
		      struct fd_buf *d)
{
	switch (c) {
	case FD_CAT_APISERVER: {
		const struct fd_vec *v = fd_bundle_kind(b, "APIServerHealth");
		for (size_t i = 0; v && i < v->len; i++) {
			const struct fd_object *o = v->v[i];
			size_t nc = json_array_size(json_object_get(o->json, "checks"));
			bool ok = json_is_true(json_object_get(o->json, "passed"));
			fd_buf_addf(d, "%s%s %s", i ? "; " : "", o->name,
				    ok ? "all ok" : "reports failed checks no rule matched");
			if (nc)
				fd_buf_addf(d, " (%zu checks)", nc);
		}
		if (s->logs.apiserver)
			fd_buf_addf(d, "; no known error in %u kube-apiserver/etcd logs",
				    s->logs.apiserver);
		else
			fd_buf_adds(d, "; no kube-apiserver log in the bundle (managed control "
				       "planes do not expose it)");
		break;
	}
	case FD_CAT_CONTROLLER:
		fd_buf_addf(d, "%zu controllers, %ld of %ld pods ready, %ld restarts",
			    kind_len(b, "FluxController"), fact_sum(b, "FluxController", "readyPods"),
			    fact_sum(b, "FluxController", "pods"),
			    fact_sum(b, "FluxController", "restarts"));
		break;
	case FD_CAT_NETWORK: {
		size_t np = kind_len(b, "NetworkPolicy");
		if (np)
			fd_buf_addf(d, "%zu NetworkPolicies, none denies what the Flux controllers "
				       "need",
				    np);
		else
			fd_buf_adds(d, "no NetworkPolicy in the collected namespaces");
		fd_buf_addf(d, "; no connection error in the logs of %u controller pods",
			    s->logs.controllers);
		break;
	}
	case FD_CAT_SOURCE:
		fd_buf_addf(d, "%zu sources, none failing to fetch", count_kinds(b, source_kinds));
		break;
	case FD_CAT_BACKLOG:
		fd_buf_addf(d, "work queues and reconcile times of %zu controllers within limits",
			    kind_len(b, "ControllerMetrics"));
		break;
	case FD_CAT_CACHE:
		fd_buf_addf(d, "no stale watch or list error in the logs of %u controller pods; %zu "
			       "Flux objects reconciled",
			    s->logs.controllers,
			    count_kinds(b, source_kinds) + count_kinds(b, applier_kinds));
		break;
	case FD_CAT_APPLY:
		fd_buf_addf(d, "%zu Kustomizations and HelmReleases, %zu events: no build, apply or "
			       "health-check failure",
			    count_kinds(b, applier_kinds), kind_len(b, "Event"));
		break;
	case FD_CAT_CONFIG:
		fd_buf_addf(d, "%zu Flux objects: none suspended or pointing at a missing object",
			    count_kinds(b, source_kinds) + count_kinds(b, applier_kinds));
		break;
	default:
		break;
	}
}

/* ---- the verdicts ---- */

static bool judge_found(const struct fd_report *r, struct fd_cause_verdict *v)
{
	struct fd_buf d = {0};
	for (int pass = 0; pass < 2; pass++) /* roots first */
		for (size_t i = 0; i < r->nfindings; i++) {
			const struct fd_finding *f = r->findings[i];
			bool root = f->ncaused == 0;
			if (f->rule->category != v->category || f->rule->severity < FD_SEV_WARNING ||
			    root != (pass == 0))
				continue;
			v->findings = fd_xrealloc(v->findings,
						  (v->nfindings + 1) * sizeof(*v->findings));
			v->findings[v->nfindings++] = i;
			fd_buf_addf(&d, "%s%s %s", d.len ? ", " : "", f->id, f->rule->id);
		}
	if (v->nfindings) {
		v->verdict = FD_VERDICT_FOUND;
		v->detail = fd_buf_detach(&d);
	}
	fd_buf_free(&d);
	return v->nfindings > 0;
}

static void judge(const struct fd_bundle *b, const struct seen *s, struct fd_cause_verdict *v)
{
	const struct cause_needs *nd = &needs[v->category];
	struct fd_buf d = {0}, how = {0};
	bool missing = false, by_step = false;
	if (s->api_down) {
		/* nothing was read: one reason for all that is missing */
		for (size_t i = 0; i < nd->n; i++)
			if (!s->have[nd->need[i]])
				fd_buf_addf(&d, "%s%s", d.len ? ", " : "no ", sources[nd->need[i]].what);
		if (d.len) {
			unsigned n = step_number(s->api_down);
			char *msg = kubectl_message(s->api_down);
			add_step(v, n);
			fd_buf_addf(&d, ": no API call of the collection worked (manifest step %u: "
					"\"%s\")",
				    n, msg);
			fd_buf_adds(&how, "fix access to the API server from where the collector runs, "
					  "then collect again");
			free(msg);
			missing = by_step = true;
		}
	}
	for (size_t i = 0; i < nd->n && !by_step; i++) {
		enum evidence e = nd->need[i];
		if (s->have[e])
			continue;
		missing = true;
		struct fd_buf h = {0};
		if (d.len)
			fd_buf_adds(&d, "; ");
		if (explain_failed_step(b, e, v, &d, &h)) {
			by_step = true;
		} else {
			fd_buf_addf(&d, "no %s in the bundle", sources[e].what);
			fd_buf_adds(&h, b->has_manifest ? sources[e].how
							: "collect with fluxdiag-collect, which gathers it");
		}
		if (!how.p || !strstr(how.p, h.p)) /* each way to get it once */
			fd_buf_addf(&how, "%s%s", how.len ? "; " : "", h.p);
		fd_buf_free(&h);
	}
	if (nd->flux && !s->flux_seen && !by_step) {
		/* Flux was not seen and no failed step explains why: say so instead */
		fd_buf_reset(&d);
		fd_buf_reset(&how);
		if (s->flux_types_absent) {
			unsigned n = step_number(s->not_installed_step);
			add_step(v, n);
			fd_buf_addf(&d, "Flux is not installed: the cluster has no Flux resource types "
					"(manifest step %u)",
				    n);
			fd_buf_adds(&how, "install Flux, or collect from the cluster that runs it");
		} else {
			fd_buf_adds(&d, "no Flux objects or controllers in the bundle: Flux is not "
					"installed, or the bundle was collected without them");
			fd_buf_adds(&how, "collect with fluxdiag-collect, or include the Flux namespace "
					  "and the *.toolkit.fluxcd.io resources");
		}
		missing = true;
	}
	if (missing) {
		v->verdict = FD_VERDICT_UNKNOWN;
		v->detail = fd_buf_detach(&d);
		v->how = fd_buf_detach(&how);
	} else {
		v->verdict = FD_VERDICT_RULED_OUT;
		ruled_out(b, s, v->category, &d);
		v->detail = fd_buf_detach(&d);
	}
	fd_buf_free(&d);
	fd_buf_free(&how);
}

void fd_coverage_judge(const struct fd_bundle *b, struct fd_report *r)
{
	struct fd_coverage *c = fd_xcalloc(1, sizeof(*c));
	struct seen s;
	take_stock(b, &s);
	c->flux_seen = s.flux_seen;
	struct fd_buf unknown = {0};
	for (size_t i = 0; i < FD_CAT_COUNT; i++) {
		struct fd_cause_verdict *v = &c->causes[i];
		v->category = fd_coverage_order[i];
		if (!judge_found(r, v))
			judge(b, &s, v);
		if (v->verdict == FD_VERDICT_UNKNOWN) {
			c->nunknown++;
			fd_buf_addf(&unknown, "%s%s", unknown.len ? ", " : "",
				    fd_category_name(v->category));
		}
	}
	struct fd_buf sum = {0};
	if (r->nroots)
		fd_buf_addf(&sum, "%zu root cause%s", r->nroots, r->nroots == 1 ? "" : "s");
	else if (c->nunknown)
		fd_buf_adds(&sum, "No cause found");
	else
		fd_buf_adds(&sum, "No findings: every cause was checked");
	if (!s.flux_seen && !s.api_down)
		fd_buf_adds(&sum, s.flux_types_absent  ? "; Flux is not installed"
				  : s.flux_list_failed ? "; the Flux objects could not be listed"
							: "; no Flux objects or controllers in the "
							  "bundle (Flux is not installed, or was not "
							  "collected)");
	if (c->nunknown)
		fd_buf_addf(&sum, "; %u of %d causes could not be checked: %s", c->nunknown,
			    FD_CAT_COUNT, unknown.p);
	c->summary = fd_buf_detach(&sum);
	fd_buf_free(&sum);
	fd_buf_free(&unknown);
	r->coverage = c;
}

void fd_coverage_free(struct fd_coverage *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < FD_CAT_COUNT; i++) {
		free(c->causes[i].findings);
		free(c->causes[i].detail);
		free(c->causes[i].how);
		free(c->causes[i].steps);
	}
	free(c->summary);
	free(c);
}

/* ---- not a bundle ---- */

int fd_coverage_check_bundle(const struct fd_bundle *b, struct fd_error *err)
{
	if (b->has_manifest || b->log_files || b->log_pods.len)
		return 0;
	for (size_t i = 0; i < b->objects.len; i++) {
		const struct fd_object *o = b->objects.v[i];
		if (!o->synthetic || strcmp(o->kind, "APIServerHealth") == 0 ||
		    strcmp(o->kind, "ControllerMetrics") == 0)
			return 0;
	}
	return fd_error_set(err, FD_EBUNDLE,
			    "%s: not a support bundle: %llu file%s read, none is a Kubernetes "
			    "object or a pod log",
			    b->source, (unsigned long long)b->files, b->files == 1 ? "" : "s");
}
