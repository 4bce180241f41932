/* browse_events.c - `fluxdiag events`: the Events of a bundle as kubectl prints them. */
#include "browse_views.h"
#include "util.h"
#include "bundle.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- events ---- */

static json_t *ev_regarding(json_t *ev)
{
	json_t *r = json_object_get(ev, "involvedObject");
	return r ? r : json_object_get(ev, "regarding");
}

const char *ev_message(json_t *ev)
{
	const char *m = fd_jstr(ev, "message");
	return *m ? m : fd_jstr(ev, "note");
}

const char *ev_source(json_t *ev)
{
	const char *s = fd_jstr(json_object_get(ev, "source"), "component");
	if (!*s)
		s = fd_jstr(ev, "reportingController");
	if (!*s)
		s = fd_jstr(ev, "reportingComponent");
	return s;
}

/* The first of `fields` that holds a time ("*f": field f of .series), else the creation time;
 * 0 when none does. */
static double ev_time(json_t *ev, const char *const *fields, size_t n)
{
	double t;
	for (size_t i = 0; i < n; i++) {
		const char *s = fields[i][0] == '*' ? fd_jstr(json_object_get(ev, "series"), fields[i] + 1)
						    : fd_jstr(ev, fields[i]);
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
size_t events_select(const struct fd_bundle *b, const char *ns, const char *kind,
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
		if (kind && strcasecmp(fd_jstr(inv, "kind"), kind) != 0)
			continue;
		if (name && strcmp(fd_jstr(inv, "name"), name) != 0)
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

void ev_last_seen(const struct fd_bundle *b, const struct ev_row *r, char *out, size_t len)
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
		cell(&t, fd_jstr(e, "type"));
		cell(&t, fd_jstr(e, "reason"));
		char *obj = fd_xasprintf("%s/%s", fd_jstr(inv, "kind"), fd_jstr(inv, "name"));
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
