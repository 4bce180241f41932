/* browse_trace.c - `fluxdiag trace`: what an object depends on, as a tree, with each one's
 * state. */
#include "browse_views.h"
#include "util.h"
#include "present.h"
#include "bundle.h"
#include "causes_link.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
		fd_buf_addf(s, "Ready=%s", *fd_jstr(ready, "status") ? fd_jstr(ready, "status") : "Unknown");
		if (*fd_jstr(ready, "reason"))
			fd_buf_addf(s, " %s", fd_jstr(ready, "reason"));
		if (*fd_jstr(ready, "message"))
			fd_buf_addf(s, ": %s", fd_jstr(ready, "message"));
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
				fd_buf_addf(s, "%s%s", any ? " " : " (", fd_jstr(c, "name"));
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
	char *l = fd_object_label(kind, ns, name);
	fd_buf_adds(label, l);
	free(l);
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
	fd_put_escaped(tr->out, label.p, 0, NULL);
	if (seen) {
		fputs("  (see above)\n", tr->out);
	} else {
		fputs("  ", tr->out);
		fd_put_escaped(tr->out, state.p, 0, NULL);
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
		char *label = fd_object_label(o->kind, o->ns, o->name);
		fd_put_escaped(out, label, 0, NULL);
		free(label);
		fputs("  ", out);
		fd_put_escaped(out, st.p, 0, NULL);
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
