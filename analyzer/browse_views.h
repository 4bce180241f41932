/* browse_views.h - what the browsing views (browse_*.c) share: escaping, tables, values of
 * objects, kinds, pods and events, YAML printing. Private to them. */
#ifndef FD_BROWSE_VIEWS_H
#define FD_BROWSE_VIEWS_H

#include "util.h"
#include "bundle.h"
#include "fluxdiag_browse.h"

#define STATUS_WIDTH 80   /* the STATUS column of `get` */
#define TRACE_MAX_DEPTH 12
#define TRACE_MAX_NODES 400
#define YAML_MAX_DEPTH 48

/* browse.c: escaping */
void text_truncate(char *s, size_t max);

/* browse.c: tables */
struct table {
	size_t ncols;
	struct fd_vec cells; /* char * (malloc'd, escaped), row after row */
};
void cell(struct table *t, const char *s);
void cellf(struct table *t, const char *fmt, ...) FD_PRINTF(2, 3);
void table_flush(FILE *out, struct table *t, int indent);

/* browse.c: values */
json_t *jpath2(json_t *o, const char *a, const char *b);
void human_age(double secs, char out[24]);
void age_of(const struct fd_bundle *b, const char *ts, char out[24]);
const char *created(json_t *obj);
json_t *condition(json_t *obj, const char *type);
bool is_flux_kind(const char *kind);
bool suspended(json_t *obj);

/* browse.c: kinds, objects, pods */
void objects_of(const struct fd_bundle *b, const char *kind, const char *ns, struct fd_vec *out);
int find_object(const struct fd_object **out, const struct fd_bundle *b, const char *resource,
		const char *name, const char *ns, struct fd_error *err);
struct pod_state {
	long ready, total, restarts;
	const char *status; /* borrowed from the object, or static */
};
void pod_state(json_t *pod, struct pod_state *ps);
bool workload_ready(const struct fd_object *o, long *ready, long *want);

/* browse_events.c */
struct ev_row {
	const struct fd_object *o;
	double t, first;
	long count;
	size_t idx;
};
const char *ev_message(json_t *ev);
const char *ev_source(json_t *ev);
size_t events_select(const struct fd_bundle *b, const char *ns, const char *kind,
		     const char *name, struct ev_row **out);
void ev_last_seen(const struct fd_bundle *b, const struct ev_row *r, char *out, size_t len);

/* browse_yaml.c */
bool yaml_nested(json_t *v);
/* Writes v as block YAML (libyaml's emitter), every line indented by `indent` spaces and
 * escaped for a terminal. */
void yaml_write(FILE *out, json_t *v, int indent);

#endif
