/* facts_derive.c - facts the bundle implies but does not state: API-server health from readyz
 * text, controller metrics from Prometheus text, and per-controller summaries (pods, restarts,
 * load, NetworkPolicy verdicts) as synthetic fluxdiag.io/v1 objects that rules match. */
#include "facts_derive.h"
#include "util.h"
#include "flux_controllers.h"
#include "bundle.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool cond_true(json_t *obj, const char *type, const char *status);
static char *pods_only_ingress(struct fd_bundle *b, const char *ns, json_t *labels);
static long probe_failures(struct fd_bundle *b, const char *ctrl, const char *ns);
static long artifact_timeouts(struct fd_bundle *b);

/* ---- NetworkPolicy ---- */

static bool labels_match(json_t *selector, json_t *labels)
{
	if (!json_is_object(selector))
		return true;
	json_t *ml = json_object_get(selector, "matchLabels");
	const char *k;
	json_t *v;
	json_object_foreach(ml, k, v)
	{
		const char *have = json_string_value(json_object_get(labels, k));
		if (!have || !json_is_string(v) || strcmp(have, json_string_value(v)) != 0)
			return false;
	}
	size_t i;
	json_t *ex;
	json_array_foreach(json_object_get(selector, "matchExpressions"), i, ex)
	{
		const char *key = json_string_value(json_object_get(ex, "key"));
		const char *op = json_string_value(json_object_get(ex, "operator"));
		if (!key || !op)
			return false;
		const char *have = json_string_value(json_object_get(labels, key));
		bool in = false;
		size_t j;
		json_t *val;
		json_array_foreach(json_object_get(ex, "values"), j, val)
		{
			if (have && json_is_string(val) && strcmp(have, json_string_value(val)) == 0)
				in = true;
		}
		if ((strcmp(op, "In") == 0 && !in) || (strcmp(op, "NotIn") == 0 && in) ||
		    (strcmp(op, "Exists") == 0 && !have) ||
		    (strcmp(op, "DoesNotExist") == 0 && have))
			return false;
	}
	return true;
}

static bool policy_has_type(json_t *spec, const char *type)
{
	json_t *types = json_object_get(spec, "policyTypes");
	if (!json_is_array(types) || json_array_size(types) == 0)
		return strcmp(type, "Ingress") == 0 || json_object_get(spec, "egress") != NULL;
	size_t i;
	json_t *t;
	json_array_foreach(types, i, t)
	{
		if (json_is_string(t) && strcmp(json_string_value(t), type) == 0)
			return true;
	}
	return false;
}

/* Whether a list of ingress/egress rules allows port/proto to some peer. */
static bool rules_allow(json_t *rules, long port, const char *proto)
{
	size_t i;
	json_t *r;
	json_array_foreach(rules, i, r)
	{
		json_t *ports = json_object_get(r, "ports");
		if (!json_is_array(ports) || json_array_size(ports) == 0)
			return true;
		size_t j;
		json_t *pe;
		json_array_foreach(ports, j, pe)
		{
			const char *pr = json_string_value(json_object_get(pe, "protocol"));
			if (strcmp(pr ? pr : "TCP", proto) != 0)
				continue;
			json_t *pv = json_object_get(pe, "port");
			if (!pv || json_is_string(pv)) /* all ports, or a named port: assume allowed */
				return true;
			long lo = (long)json_integer_value(pv);
			json_t *ep = json_object_get(pe, "endPort");
			long hi = json_is_integer(ep) ? (long)json_integer_value(ep) : lo;
			if (port >= lo && port <= hi)
				return true;
		}
	}
	return false;
}

/* Returns a malloc'd comma-separated list of the policies denying port, or NULL if allowed. */
static char *denied_by(struct fd_bundle *b, const char *ns, json_t *labels, const char *type,
		       long port, const char *proto)
{
	const struct fd_vec *pols = fd_bundle_kind(b, "NetworkPolicy");
	struct fd_buf names = {0};
	bool selected = false;
	const char *field = strcmp(type, "Egress") == 0 ? "egress" : "ingress";
	for (size_t i = 0; pols && i < pols->len; i++) {
		const struct fd_object *o = pols->v[i];
		if (strcmp(o->ns, ns) != 0)
			continue;
		json_t *spec = json_object_get(o->json, "spec");
		if (!labels_match(json_object_get(spec, "podSelector"), labels) ||
		    !policy_has_type(spec, type))
			continue;
		selected = true;
		if (rules_allow(json_object_get(spec, field), port, proto)) {
			fd_buf_free(&names);
			return NULL;
		}
		if (names.len)
			fd_buf_adds(&names, ", ");
		fd_buf_addf(&names, "%s/%s", o->ns, o->name);
	}
	if (!selected) {
		fd_buf_free(&names);
		return NULL;
	}
	return fd_buf_detach(&names);
}

/* `policies` lists every policy that selects the pods and leaves the port closed; `policy`
 * is the first of them, "ns/name", for rules that point at the object. */
static void add_denied(json_t *arr, long port, const char *purpose, char *policies)
{
	size_t first = strcspn(policies, ",");
	json_t *e = json_pack("{s:I,s:s,s:s}", "port", (json_int_t)port, "purpose", purpose,
			      "policies", policies);
	json_object_set_new(e, "policy", json_stringn(policies, first));
	json_array_append_new(arr, e);
}

static void egress_facts(struct fd_bundle *b, const char *ctrl, const char *ns, json_t *labels,
			 json_t *fact)
{
	json_t *eg = json_array(), *in = json_array();
	char *a = denied_by(b, ns, labels, "Egress", 443, "TCP");
	char *c = a ? denied_by(b, ns, labels, "Egress", 6443, "TCP") : NULL;
	if (a && c)
		add_denied(eg, 6443, "apiserver", c);
	free(c);
	char *d = denied_by(b, ns, labels, "Egress", 53, "UDP");
	if (d)
		add_denied(eg, 53, "dns", d);
	free(d);
	bool fetches = strcmp(ctrl, "kustomize-controller") == 0 ||
		       strcmp(ctrl, "helm-controller") == 0;
	if (fetches) {
		char *x = denied_by(b, ns, labels, "Egress", 9090, "TCP");
		char *y = x ? denied_by(b, ns, labels, "Egress", 80, "TCP") : NULL;
		if (x && y)
			add_denied(eg, 9090, "source-artifacts", x);
		free(x);
		free(y);
	}
	bool git = strcmp(ctrl, "source-controller") == 0 ||
		   strcmp(ctrl, "image-automation-controller") == 0;
	if (git) {
		char *s = denied_by(b, ns, labels, "Egress", 22, "TCP");
		if (s)
			add_denied(eg, 22, "git-ssh", s);
		free(s);
	}
	if (git || strcmp(ctrl, "image-reflector-controller") == 0) {
		if (a)
			add_denied(eg, 443, "https", a);
	}
	/* free(a) after the https reuse */
	free(a);
	if (strcmp(ctrl, "source-controller") == 0) {
		char *x = denied_by(b, ns, labels, "Ingress", 9090, "TCP");
		if (x)
			add_denied(in, 9090, "source-artifacts", x);
		free(x);
	}
	json_object_set_new(fact, "egressDenied", eg);
	json_object_set_new(fact, "ingressDenied", in);
	/* every policy that selects the pods, whatever it allows: the controller's traffic goes
	 * through them (and through the CNI that enforces them) */
	json_t *all = json_array();
	const struct fd_vec *pols = fd_bundle_kind(b, "NetworkPolicy");
	for (size_t i = 0; pols && i < pols->len; i++) {
		const struct fd_object *o = pols->v[i];
		if (strcmp(o->ns, ns) == 0 &&
		    labels_match(json_object_get(json_object_get(o->json, "spec"), "podSelector"),
				 labels)) {
			char *ref = fd_xasprintf("%s/%s", o->ns, o->name);
			json_array_append_new(all, json_string(ref));
			free(ref);
		}
	}
	json_object_set_new(fact, "policies", all);
	char *pods_only = pods_only_ingress(b, ns, labels);
	if (pods_only)
		json_object_set_new(fact, "ingressPodsOnly", json_string(pods_only));
	free(pods_only);
	json_object_set_new(fact, "probeFailures", json_integer(probe_failures(b, ctrl, ns)));
	if (strcmp(ctrl, "source-controller") == 0)
		json_object_set_new(fact, "artifactTimeouts", json_integer(artifact_timeouts(b)));
}

/* Whether one ingress rule admits traffic that does not come from a pod of the cluster (the
 * node's kubelet probes, host-network clients, traffic a CNI SNATs to the node's address):
 * a rule without peers admits everyone, an ipBlock admits addresses. */
static bool rule_admits_node(json_t *rule)
{
	json_t *from = json_object_get(rule, "from");
	if (!json_is_array(from) || json_array_size(from) == 0)
		return true;
	size_t i;
	json_t *peer;
	json_array_foreach(from, i, peer)
	{
		if (json_object_get(peer, "ipBlock"))
			return true;
	}
	return false;
}

/* The first Ingress policy selecting the pods that admits only pods (no rule admits the node
 * or an address block), when no policy selecting them admits the node: "ns/name", malloc'd,
 * or NULL. Such a policy is correct by the specification (traffic from the node is always
 * allowed) but CNIs that enforce it literally drop kubelet probes and SNATed Service
 * traffic. A policy whose peers are pods of the namespace only is named before others. */
static char *pods_only_ingress(struct fd_bundle *b, const char *ns, json_t *labels)
{
	const struct fd_vec *pols = fd_bundle_kind(b, "NetworkPolicy");
	const struct fd_object *local = NULL, *any = NULL;
	for (size_t i = 0; pols && i < pols->len; i++) {
		const struct fd_object *o = pols->v[i];
		json_t *spec = json_object_get(o->json, "spec");
		if (strcmp(o->ns, ns) != 0 ||
		    !labels_match(json_object_get(spec, "podSelector"), labels) ||
		    !policy_has_type(spec, "Ingress"))
			continue;
		bool ns_local = true;
		size_t k;
		json_t *r;
		json_array_foreach(json_object_get(spec, "ingress"), k, r)
		{
			if (rule_admits_node(r))
				return NULL;
			size_t m;
			json_t *peer;
			json_array_foreach(json_object_get(r, "from"), m, peer)
			{
				if (json_object_get(peer, "namespaceSelector"))
					ns_local = false;
			}
		}
		if (!any)
			any = o;
		if (ns_local && !local)
			local = o;
	}
	const struct fd_object *pick = local ? local : any;
	return pick ? fd_xasprintf("%s/%s", pick->ns, pick->name) : NULL;
}

/* Warning Events about the controller's pods saying a probe timed out or was refused. */
static long probe_failures(struct fd_bundle *b, const char *ctrl, const char *ns)
{
	const struct fd_vec *evs = fd_bundle_kind(b, "Event");
	long n = 0;
	for (size_t i = 0; evs && i < evs->len; i++) {
		const struct fd_object *e = evs->v[i];
		json_t *inv = json_object_get(e->json, "involvedObject");
		const char *kind = json_string_value(json_object_get(inv, "kind"));
		const char *name = json_string_value(json_object_get(inv, "name"));
		const char *msg = json_string_value(json_object_get(e->json, "message"));
		const char *owner = name ? fd_controller_for_name(name) : NULL;
		if (!kind || strcmp(kind, "Pod") != 0 || !owner || strcmp(owner, ctrl) != 0 ||
		    strcmp(e->ns, ns) != 0 || !msg || !strstr(msg, "probe failed"))
			continue;
		if (strstr(msg, "deadline exceeded") || strstr(msg, "i/o timeout") ||
		    strstr(msg, "Client.Timeout") || strstr(msg, "connection refused") ||
		    strstr(msg, "no route to host")) {
			json_t *c = json_object_get(e->json, "count");
			n += json_is_integer(c) && json_integer_value(c) > 0 ? (long)json_integer_value(c)
									   : 1;
		}
	}
	return n;
}

/* Flux objects whose Ready message says downloading source-controller's artifact timed out. */
static long artifact_timeouts(struct fd_bundle *b)
{
	static const char *const kinds[] = {"Kustomization", "HelmRelease", "HelmChart"};
	long n = 0;
	for (size_t k = 0; k < 3; k++) {
		const struct fd_vec *v = fd_bundle_kind(b, kinds[k]);
		for (size_t i = 0; v && i < v->len; i++) {
			const struct fd_object *o = v->v[i];
			size_t j;
			json_t *c;
			json_array_foreach(
				json_object_get(json_object_get(o->json, "status"), "conditions"), j, c)
			{
				const char *t = json_string_value(json_object_get(c, "type"));
				const char *m = json_string_value(json_object_get(c, "message"));
				/* a DNS lookup that timed out never reached the policy */
				if (t && m && strcmp(t, "Ready") == 0 && strstr(m, "artifact") &&
				    strstr(m, "source-controller") && !strstr(m, "lookup ") &&
				    (strstr(m, "i/o timeout") || strstr(m, "deadline exceeded") ||
				     strstr(m, "Client.Timeout")))
					n++;
			}
		}
	}
	return n;
}

/* ---- objects a running controller stopped reconciling ---- */

static double time_at(json_t *v)
{
	double t;
	return json_is_string(v) && fd_time_parse(json_string_value(v), &t) == 0 ? t : 0;
}

/* The last time the controller ran this object, from the status fields that change on every
 * run (not condition transitions, which only move when the status does); 0 when unknown. */
static double last_run(json_t *obj)
{
	json_t *st = json_object_get(obj, "status");
	double t = time_at(json_object_get(st, "lastAutomationRunTime"));
	if (!t)
		t = time_at(json_object_get(json_object_get(st, "lastScanResult"), "scanTime"));
	if (!t) /* Flux >= 2.7: the newest history entry */
		t = time_at(json_object_get(json_array_get(json_object_get(st, "history"), 0),
					    "lastReconciled"));
	return t;
}

static const char *revision_digest(const char *rev)
{
	const char *at = strrchr(rev, '@');
	return at ? at + 1 : rev;
}

/* Why a Ready, unsuspended object counts as stale (static text), or NULL: its last run is
 * three intervals (and at least half an hour) old, or its source has had a newer artifact for
 * longer than an interval (and ten minutes) without the object attempting it. */
static const char *stale_reason(struct fd_bundle *b, const struct fd_object *o, double *since)
{
	json_t *spec = json_object_get(o->json, "spec");
	double interval;
	if (json_is_true(json_object_get(spec, "suspend")) ||
	    !json_is_string(json_object_get(spec, "interval")) ||
	    fd_duration_parse(json_string_value(json_object_get(spec, "interval")), &interval) ||
	    interval <= 0)
		return NULL;
	double run = last_run(o->json);
	double slack = 3 * interval > 1800 ? 3 * interval : 1800;
	if (run > 0 && run < b->collected_at - slack) {
		*since = run;
		return "last run";
	}
	const char *attempted = json_string_value(
		json_object_get(json_object_get(o->json, "status"), "lastAttemptedRevision"));
	json_t *ref = json_object_get(spec, "sourceRef");
	const char *kind = json_string_value(json_object_get(ref, "kind"));
	const char *name = json_string_value(json_object_get(ref, "name"));
	const char *rns = json_string_value(json_object_get(ref, "namespace"));
	if (!attempted || !kind || !name || !cond_true(o->json, "Ready", "True"))
		return NULL;
	const struct fd_object *src = fd_bundle_find(b, kind, rns ? rns : o->ns, name);
	json_t *art = src ? json_object_get(json_object_get(src->json, "status"), "artifact") : NULL;
	const char *rev = json_string_value(json_object_get(art, "revision"));
	double updated = time_at(json_object_get(art, "lastUpdateTime"));
	double wait = interval > 600 ? interval : 600;
	if (rev && updated > 0 && updated < b->collected_at - wait &&
	    strcmp(revision_digest(rev), revision_digest(attempted)) != 0) {
		*since = updated;
		return "source revision";
	}
	return NULL;
}

/* ---- controllers ---- */

static bool cond_true(json_t *obj, const char *type, const char *status)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(json_object_get(obj, "status"), "conditions"), i, c)
	{
		const char *t = json_string_value(json_object_get(c, "type"));
		const char *s = json_string_value(json_object_get(c, "status"));
		if (t && s && strcmp(t, type) == 0 && strcmp(s, status) == 0)
			return true;
	}
	return false;
}

static double cpu_of(json_t *v)
{
	double d;
	if (json_is_string(v) && fd_quantity_parse(json_string_value(v), &d) == 0)
		return d * 1000.0;
	if (json_is_number(v))
		return json_number_value(v) * 1000.0;
	return 0;
}

static void controller_fact(struct fd_bundle *b, size_t ci)
{
	const char *ctrl = fd_flux_controllers[ci].controller;
	const struct fd_vec *pods = fd_bundle_kind(b, "Pod");
	const struct fd_vec *deps = fd_bundle_kind(b, "Deployment");
	const struct fd_object *dep = NULL;
	for (size_t i = 0; deps && i < deps->len; i++) {
		const struct fd_object *o = deps->v[i];
		if (strcmp(o->name, ctrl) == 0 &&
		    (!dep || (b->flux_ns && strcmp(o->ns, b->flux_ns) == 0)))
			dep = o;
	}
	long npods = 0, ready = 0, restarts = 0, worst_restarts = -1;
	const char *worst = NULL; /* the pod a support engineer would look at first */
	double cpu = 0;
	json_t *labels = NULL;
	const char *ns = dep ? dep->ns : NULL;
	for (size_t i = 0; pods && i < pods->len; i++) {
		const struct fd_object *o = pods->v[i];
		json_t *pl = json_object_get(json_object_get(o->json, "metadata"), "labels");
		const char *app = json_string_value(json_object_get(pl, "app"));
		const char *owner = fd_controller_for_name(o->name);
		if (!((app && strcmp(app, ctrl) == 0) || (owner && strcmp(owner, ctrl) == 0)))
			continue;
		if (ns && strcmp(o->ns, ns) != 0)
			continue;
		ns = o->ns;
		npods++;
		if (cond_true(o->json, "Ready", "True"))
			ready++;
		if (!labels)
			labels = pl;
		size_t k;
		json_t *cs;
		long pod_restarts = 0;
		json_array_foreach(json_object_get(json_object_get(o->json, "status"),
						   "containerStatuses"),
				   k, cs)
		{
			pod_restarts += (long)json_integer_value(json_object_get(cs, "restartCount"));
		}
		restarts += pod_restarts;
		long score = pod_restarts + (cond_true(o->json, "Ready", "True") ? 0 : 1000000);
		if (score > worst_restarts) {
			worst_restarts = score;
			worst = o->name;
		}
		const struct fd_object *pm = fd_bundle_find(b, "PodMetrics", o->ns, o->name);
		if (pm) {
			json_t *c;
			json_array_foreach(json_object_get(pm->json, "containers"), k, c)
				cpu += cpu_of(json_object_get(json_object_get(c, "usage"), "cpu"));
		}
	}
	if (!dep && !npods)
		return;
	if (!labels && dep)
		labels = json_object_get(
			json_object_get(json_object_get(json_object_get(dep->json, "spec"), "template"),
					"metadata"),
			"labels");
	long concurrent = 4;
	double cpu_limit = 0;
	if (dep) {
		size_t k;
		json_t *c;
		json_t *containers = json_object_get(
			json_object_get(json_object_get(json_object_get(dep->json, "spec"), "template"),
					"spec"),
			"containers");
		json_array_foreach(containers, k, c)
		{
			size_t m;
			json_t *arg;
			json_array_foreach(json_object_get(c, "args"), m, arg)
			{
				const char *s = json_string_value(arg);
				if (s && strncmp(s, "--concurrent=", 13) == 0 && atol(s + 13) > 0)
					concurrent = atol(s + 13);
			}
			cpu_limit += cpu_of(json_object_get(
				json_object_get(json_object_get(c, "resources"), "limits"), "cpu"));
		}
	}
	long objects = 0, not_ready = 0, stale = 0, stale_rev = 0;
	const struct fd_object *stalest_rev = NULL;
	double stalest_rev_since = 0;
	const struct fd_object *stalest = NULL;
	const char *stalest_why = NULL;
	double stalest_since = 0;
	for (size_t k = 0; k < 6 && fd_flux_controllers[ci].kinds[k]; k++) {
		const struct fd_vec *v = fd_bundle_kind(b, fd_flux_controllers[ci].kinds[k]);
		for (size_t i = 0; v && i < v->len; i++) {
			const struct fd_object *o = v->v[i];
			objects++;
			if (cond_true(o->json, "Ready", "False"))
				not_ready++;
			double since = 0;
			const char *why = stale_reason(b, o, &since);
			if (why) {
				/* an old revision is only a sign of a stuck controller when nothing
				 * it reconciles fails (a failure, such as the Kustomization that
				 * applies the others, explains waiting objects better) */
				if (strcmp(why, "source revision") == 0) {
					stale_rev++;
					if (!stalest_rev || since < stalest_rev_since) {
						stalest_rev = o;
						stalest_rev_since = since;
					}
					continue;
				}
				stale++;
				if (!stalest || since < stalest_since) {
					stalest = o;
					stalest_why = why;
					stalest_since = since;
				}
			}
		}
	}
	json_t *f = fd_fact_new("FluxController", ns ? ns : "", ctrl);
	json_object_set_new(f, "pods", json_integer(npods));
	json_object_set_new(f, "readyPods", json_integer(ready));
	json_object_set_new(f, "restarts", json_integer(restarts));
	if (worst)
		json_object_set_new(f, "pod", json_string(worst));
	json_object_set_new(f, "objects", json_integer(objects));
	json_object_set_new(f, "notReadyObjects", json_integer(not_ready));
	json_object_set_new(f, "concurrent", json_integer(concurrent));
	json_object_set_new(f, "objectsPerWorker", json_real((double)objects / (double)concurrent));
	if (!not_ready && stale_rev) {
		stale += stale_rev;
		if (!stalest || stalest_rev_since < stalest_since) {
			stalest = stalest_rev;
			stalest_why = "source revision";
			stalest_since = stalest_rev_since;
		}
	}
	json_object_set_new(f, "staleObjects", json_integer(stale));
	if (stalest) {
		char ts[32];
		fd_time_format(stalest_since, ts);
		char *ref = fd_xasprintf("%s %s/%s", stalest->kind, stalest->ns, stalest->name);
		json_object_set_new(f, "stalest", json_pack("{s:s,s:s,s:s}", "object", ref, "why",
							     stalest_why, "since", ts));
		free(ref);
	}
	if (cpu > 0)
		json_object_set_new(f, "cpuMillicores", json_real(cpu));
	if (cpu_limit > 0)
		json_object_set_new(f, "cpuLimitMillicores", json_real(cpu_limit));
	if (dep) {
		json_t *st = json_object_get(dep->json, "status");
		json_object_set(f, "deploymentStatus", st ? st : json_null());
	}
	egress_facts(b, ctrl, ns ? ns : "", labels, f);
	fd_bundle_add_object(b, f, dep ? dep->path : "(derived)", dep ? dep->line : 0, true);
}

/* The control-plane pods behind the API server's health checks ("ns/name"), so that rules can
 * point at the kube-apiserver or etcd Pod rather than at the check. The first one not Ready,
 * else the first one. */
static void control_plane_pods(struct fd_bundle *b)
{
	const struct fd_vec *hs = fd_bundle_kind(b, "APIServerHealth");
	const struct fd_vec *pods = fd_bundle_kind(b, "Pod");
	static const char *const prefix[] = {"kube-apiserver", "etcd"};
	static const char *const field[] = {"apiserverPod", "etcdPod"};
	for (size_t k = 0; k < 2 && hs && pods; k++) {
		const struct fd_object *pick = NULL;
		for (size_t i = 0; i < pods->len; i++) {
			const struct fd_object *o = pods->v[i];
			if (strncmp(o->name, prefix[k], strlen(prefix[k])) != 0)
				continue;
			if (!pick || (!cond_true(o->json, "Ready", "True") &&
				      cond_true(pick->json, "Ready", "True")))
				pick = o;
		}
		if (!pick)
			continue;
		char *ref = fd_xasprintf("%s/%s", pick->ns, pick->name);
		for (size_t i = 0; i < hs->len; i++) {
			const struct fd_object *h = hs->v[i];
			json_object_set_new(h->json, field[k], json_string(ref));
		}
		free(ref);
	}
}

void fd_facts_derive(struct fd_bundle *b)
{
	for (size_t i = 0; i < fd_flux_ncontrollers; i++)
		controller_fact(b, i);
	control_plane_pods(b);
	json_t *info = fd_fact_new("BundleInfo", "", "bundle");
	char ts[32];
	fd_time_format(b->collected_at, ts);
	json_object_set_new(info, "format", json_string(b->format ? b->format : "unknown"));
	json_object_set_new(info, "collectedAt", json_string(ts));
	json_object_set_new(info, "hasManifest", json_boolean(b->has_manifest));
	json_object_set_new(info, "fluxNamespace", json_string(b->flux_ns ? b->flux_ns : "flux-system"));
	long failed = 0;
	const struct fd_vec *cmds = fd_bundle_kind(b, "CollectorCommand");
	for (size_t i = 0; cmds && i < cmds->len; i++) {
		const struct fd_object *o = cmds->v[i];
		if (json_integer_value(json_object_get(o->json, "rc")) != 0)
			failed++;
	}
	json_object_set_new(info, "failedCommands", json_integer(failed));
	fd_bundle_add_object(b, info, "(derived)", 0, true);
}
