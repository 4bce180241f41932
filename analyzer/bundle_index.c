/* bundle_index.c - the state every stage shares: the bundle's object index (add, find, by kind),
 * its warnings, the deadline, and the log accumulators' memory. Any stage may call it. */
#include "bundle.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define MAX_WARNINGS 200

void fd_bundle_warn(struct fd_bundle *b, const char *fmt, ...)
{
	if (b->warnings.len > MAX_WARNINGS)
		return;
	if (b->warnings.len == MAX_WARNINGS) {
		fd_vec_push(&b->warnings, fd_xstrdup("more warnings were suppressed"));
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *m = fd_xmalloc(n > 0 ? (size_t)n + 1 : 1);
	m[0] = 0;
	va_start(ap, fmt);
	if (n > 0)
		vsnprintf(m, (size_t)n + 1, fmt, ap);
	va_end(ap);
	/* Warnings quote entry names and parser messages: keep them valid UTF-8. */
	char *clean = fd_utf8_clean(m, strlen(m), 2048, NULL);
	free(m);
	fd_vec_push(&b->warnings, clean);
}

static char *object_key(const char *kind, const char *ns, const char *name)
{
	return fd_xasprintf("%s\x1f%s\x1f%s", kind, ns, name);
}

void fd_bundle_add_object(struct fd_bundle *b, json_t *json, const char *path, unsigned line,
			  bool synthetic)
{
	json_t *md = json_object_get(json, "metadata");
	const char *kind = fd_jstr(json, "kind"), *ns = fd_jstr(md, "namespace"),
		   *name = fd_jstr(md, "name");
	if (!synthetic && b->limits.max_objects && b->loaded_objects >= b->limits.max_objects) {
		if (!b->objects_full)
			fd_bundle_warn(b, "%s:%u: the bundle holds more than %llu objects "
					  "(--max-objects); this one and the rest were not loaded, "
					  "and findings about them may be missing",
				       path, line, (unsigned long long)b->limits.max_objects);
		b->objects_full = true;
		json_decref(json);
		return;
	}
	char *key = object_key(kind, ns, name);
	if (fd_map_get(&b->by_key, key)) {
		free(key);
		json_decref(json);
		return;
	}
	struct fd_object *o = fd_xcalloc(1, sizeof(*o));
	o->json = json;
	o->api_version = fd_jstr(json, "apiVersion");
	o->kind = kind;
	o->ns = ns;
	o->name = name;
	o->path = path;
	o->line = line;
	o->synthetic = synthetic;
	fd_map_put(&b->by_key, key, o);
	free(key);
	if (!synthetic)
		b->loaded_objects++;
	fd_vec_push(&b->objects, o);
	struct fd_vec *v = fd_map_get(&b->by_kind, kind);
	if (!v) {
		v = fd_xcalloc(1, sizeof(*v));
		fd_map_put(&b->by_kind, kind, v);
	}
	fd_vec_push(v, o);
}

const struct fd_object *fd_bundle_find(const struct fd_bundle *b, const char *kind,
				       const char *ns, const char *name)
{
	char *key = object_key(kind, ns ? ns : "", name);
	const struct fd_object *o = fd_map_get(&b->by_key, key);
	free(key);
	return o;
}

const struct fd_vec *fd_bundle_kind(const struct fd_bundle *b, const char *kind)
{
	return fd_map_get(&b->by_kind, kind);
}

bool fd_bundle_over_deadline(struct fd_bundle *b)
{
	if (b->timed_out)
		return true;
	if (!b->deadline && !b->progress)
		return false;
	double now = fd_now_monotonic();
	if (b->progress && now - b->last_progress >= 0.5) {
		b->last_progress = now;
		b->progress(b->bytes_read, b->entries, b->progress_payload);
	}
	if (b->deadline > 0 && now > b->deadline) {
		b->timed_out = true;
		fd_bundle_warn(b, "analysis stopped at the --timeout of %.0f s; the rest of the bundle "
				  "was not read",
			       b->limits.timeout_s);
		return true;
	}
	return false;
}

bool fd_bundle_eval_over_deadline(struct fd_bundle *b)
{
	if (b->eval_timed_out)
		return true;
	if (b->deadline <= 0 || fd_now_monotonic() <= b->deadline + 0.5)
		return false;
	b->eval_timed_out = true;
	fd_bundle_warn(b, "rule evaluation stopped at the --timeout of %.0f s; the findings are "
			  "those of the rules evaluated until then",
		       b->limits.timeout_s);
	return true;
}

void fd_log_acc_free(struct fd_log_acc *a)
{
	if (!a)
		return;
	free(a->kind);
	free(a->ns);
	free(a->name);
	free(a->pod_ns);
	free(a->pod);
	free(a->container);
	for (size_t i = 0; i < a->nev; i++) {
		free(a->ev[i].path);
		free(a->ev[i].text);
	}
	json_decref(a->caps);
	json_decref(a->fields);
	free(a->ts);
	free(a);
}

json_t *fd_fact_new(const char *kind, const char *ns, const char *name)
{
	json_t *o = json_object(), *md = json_object();
	json_object_set_new(o, "apiVersion", json_string("fluxdiag.io/v1"));
	json_object_set_new(o, "kind", json_string(kind));
	json_object_set_new(md, "name", json_string(name));
	json_object_set_new(md, "namespace", json_string(ns ? ns : ""));
	json_object_set_new(o, "metadata", md);
	return o;
}
