/* browse_get.c - `fluxdiag get`: kubectl-like tables of one kind, with Flux's READY and
 * STATUS columns. */
#include "browse_views.h"
#include "util.h"
#include "present.h"
#include "bundle.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- get ---- */

static void node_row(struct table *t, const struct fd_bundle *b, const struct fd_object *o)
{
	json_t *ready = condition(o->json, "Ready");
	const char *st = !ready ? "Unknown" : strcmp(fd_jstr(ready, "status"), "True") == 0 ? "Ready"
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
	cell(t, fd_jstr(jpath2(o->json, "status", "nodeInfo"), "kubeletVersion"));
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
			cell(&t, r && *fd_jstr(r, "status") ? fd_jstr(r, "status") : "Unknown");
			cell(&t, suspended(o->json) ? "True" : "False");
			cell(&t, age);
			struct fd_buf m = {0};
			fd_escape(&m, fd_jstr(r, "message"), strlen(fd_jstr(r, "message")), 0, NULL);
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
