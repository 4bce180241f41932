/* report_timeline.c - what happened when: Kubernetes events, Flux condition transitions and the
 * log lines behind findings, merged in time order for the report (newest MAX_ENTRIES kept). */
#include "report_timeline.h"
#include "util.h"
#include "present.h"
#include "timestamps.h"
#include "rules.h"
#include "flux_controllers.h"
#include "bundle.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ENTRIES 300

static void add(struct fd_vec *v, double t, const char *source, bool warning, char *object,
		char *text)
{
	struct fd_tl_entry *e = fd_xcalloc(1, sizeof(*e));
	e->t = t;
	e->source = source;
	e->warning = warning;
	e->object = object;
	char *clean = fd_utf8_clean(text, strlen(text), 500, NULL);
	free(text);
	e->text = clean;
	fd_vec_push(v, e);
}

static int cmp_time(const void *a, const void *b)
{
	const struct fd_tl_entry *x = *(const struct fd_tl_entry *const *)a,
				 *y = *(const struct fd_tl_entry *const *)b;
	return x->t < y->t ? -1 : x->t > y->t ? 1 : strcmp(x->object, y->object);
}

void fd_timeline_build(const struct fd_bundle *b, struct fd_report *r)
{
	struct fd_vec v = {0};
	for (size_t i = 0; i < b->objects.len; i++) {
		const struct fd_object *o = b->objects.v[i];
		if (o->synthetic)
			continue;
		if (strcmp(o->kind, "Event") == 0) {
			double t = fd_event_time(o->json);
			json_t *inv = json_object_get(o->json, "involvedObject");
			if (!inv)
				inv = json_object_get(o->json, "regarding");
			if (t <= 0)
				continue;
			add(&v, t, "event", strcmp(fd_jstr(o->json, "type"), "Warning") == 0,
			    fd_object_label(fd_jstr(inv, "kind"), fd_jstr(inv, "namespace"), fd_jstr(inv, "name")),
			    fd_xasprintf("%s: %s", fd_jstr(o->json, "reason"), fd_jstr(o->json, "message")));
			continue;
		}
		if (!fd_controller_for_kind(o->kind))
			continue;
		size_t k;
		json_t *c;
		json_array_foreach(json_object_get(json_object_get(o->json, "status"), "conditions"), k,
				   c)
		{
			const char *type = fd_jstr(c, "type");
			if (strcmp(type, "Ready") != 0 && strcmp(type, "Stalled") != 0)
				continue;
			double t;
			if (fd_time_parse(fd_jstr(c, "lastTransitionTime"), &t) != 0)
				continue;
			bool bad = (strcmp(type, "Ready") == 0) != (strcmp(fd_jstr(c, "status"), "True") == 0);
			add(&v, t, "condition", bad, fd_object_label(o->kind, o->ns, o->name),
			    fd_xasprintf("%s=%s %s: %s", type, fd_jstr(c, "status"), fd_jstr(c, "reason"),
					 fd_jstr(c, "message")));
		}
	}
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct fd_finding *f = r->findings[i];
		if (f->rule->match != FD_MATCH_LOG)
			continue;
		for (size_t k = 0; k < f->nev; k++) {
			double t;
			const char *txt = f->ev[k].text;
			if (!fd_log_line_time(txt, strlen(txt), b->collected_at, &t))
				continue;
			add(&v, t, "log", true,
			    f->kind ? fd_object_label(f->kind, f->ns, f->name) : fd_xstrdup(f->ev[k].path),
			    fd_xasprintf("[%s] %s", f->rule->id, txt));
		}
	}
	fd_qsort(v.v, v.len, sizeof(*v.v), cmp_time);
	size_t skip = v.len > MAX_ENTRIES ? v.len - MAX_ENTRIES : 0;
	r->ntimeline = v.len - skip;
	r->timeline = fd_xcalloc(r->ntimeline + 1, sizeof(*r->timeline));
	for (size_t i = 0; i < v.len; i++) {
		struct fd_tl_entry *e = v.v[i];
		if (i >= skip)
			r->timeline[i - skip] = *e;
		else {
			free(e->object);
			free(e->text);
		}
		free(e);
	}
	fd_vec_free(&v);
}

void fd_timeline_free(struct fd_report *r)
{
	for (size_t i = 0; i < r->ntimeline; i++) {
		free(r->timeline[i].object);
		free(r->timeline[i].text);
	}
	free(r->timeline);
}
