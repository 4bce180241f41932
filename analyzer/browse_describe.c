/* browse_describe.c - `fluxdiag describe`: one object, its conditions and the events about it. */
#include "browse_views.h"
#include "util.h"
#include "present.h"
#include "bundle.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- describe ---- */

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
		fd_put_escaped(out, k, 0, NULL);
		fputc('=', out);
		struct fd_buf tmp = {0};
		const char *s = fd_json_text(v, &tmp);
		fd_put_escaped(out, s ? s : "", 0, NULL);
		fd_buf_free(&tmp);
		fputc('\n', out);
	}
}

static void describe_line(FILE *out, const char *title, const char *value)
{
	fprintf(out, "%-14s", title);
	fd_put_escaped(out, value && *value ? value : "<none>", 0, NULL);
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
		age_of(b, fd_jstr(c, "lastTransitionTime"), age);
		cell(&t, fd_jstr(c, "type"));
		cell(&t, fd_jstr(c, "status"));
		cell(&t, fd_jstr(c, "reason"));
		cell(&t, age);
		cell(&t, fd_jstr(c, "message"));
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
		cell(&t, fd_jstr(rows[i].o->json, "type"));
		cell(&t, fd_jstr(rows[i].o->json, "reason"));
		cell(&t, ev_source(rows[i].o->json));
		cell(&t, ev_message(rows[i].o->json));
	}
	table_flush(out, &t, 2);
	free(rows);
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
		char *v = fd_xasprintf("%s/%s", fd_jstr(r, "kind"), fd_jstr(r, "name"));
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
			fd_put_escaped(out, title, 0, NULL);
			fputc('\n', out);
			yaml_write(out, v, 2);
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
		if (json_object_size(rest))
			yaml_write(out, rest, 2);
		json_decref(rest);
	}
	if (strcmp(o->kind, "Event") != 0)
		describe_events(out, b, o);
	return 0;
}
