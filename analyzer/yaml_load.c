/* yaml_load.c - YAML and JSON loading: a located node tree for rule files, and a streaming
 * loader that hands each Kubernetes object of a file to a callback as soon as it is complete,
 * so a List of thousands of items is never held twice. */
#include "yaml_load.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- scalars ---- */

static bool plain_is_null(const char *s)
{
	return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	       strcmp(s, "NULL") == 0;
}

static json_t *plain_scalar(const char *s, size_t len)
{
	if (plain_is_null(s))
		return json_null();
	if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
		return json_true();
	if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
		return json_false();
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
	if (isdigit((unsigned char)*p)) {
		bool isint = true, isnum = true;
		for (const char *q = p; *q; q++) {
			if (isdigit((unsigned char)*q))
				continue;
			isint = false;
			if (!strchr(".eE+-", *q))
				isnum = false;
		}
		if (isint && len < 19) {
			errno = 0;
			long long v = strtoll(s, NULL, 10);
			if (!errno && !(p[0] == '0' && p[1]))
				return json_integer(v);
		}
		if (isnum && !isint) {
			char *end;
			double d = strtod(s, &end);
			if (!*end && isfinite(d))
				return json_real(d);
		}
	}
	json_t *v = json_stringn(s, len);
	return v ? v : json_string("\xEF\xBF\xBD");
}

static json_t *scalar_json(const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    (tag && strcmp(tag, YAML_STR_TAG) == 0) || strlen(s) != len) {
		json_t *v = json_stringn(s, len);
		if (!v) { /* invalid UTF-8 in a quoted scalar */
			char *c = fd_utf8_clean(s, len, len * 3 + 3, NULL);
			v = json_string(c);
			free(c);
		}
		return v;
	}
	return plain_scalar(s, len);
}

static char *yaml_problem(const yaml_parser_t *p, const char *buf, size_t len, unsigned *line,
			  unsigned *col)
{
	if (p->error == YAML_READER_ERROR) {
		/* bad encoding: libyaml gives a byte offset, not a mark */
		size_t off = p->problem_offset < len ? p->problem_offset : len;
		*line = 1;
		*col = 1;
		for (size_t i = 0; i < off; i++) {
			if (buf[i] == '\n') {
				(*line)++;
				*col = 1;
			} else {
				(*col)++;
			}
		}
		return fd_xasprintf("YAML: %s", p->problem ? p->problem : "bad encoding");
	}
	const yaml_mark_t *m = p->problem_mark.line || p->problem_mark.column || !p->context
				       ? &p->problem_mark
				       : &p->context_mark;
	*line = (unsigned)m->line + 1;
	*col = (unsigned)m->column + 1;
	if (p->context)
		return fd_xasprintf("YAML: %s %s", p->problem ? p->problem : "error", p->context);
	return fd_xasprintf("YAML: %s", p->problem ? p->problem : "error");
}

/* ---- located tree (rule files) ---- */

struct tree_frame {
	struct fd_ynode *node;
	struct fd_vec kids;
};

static struct fd_ynode *ynew(struct fd_arena *a, enum fd_ynode_type t, const yaml_mark_t *m)
{
	struct fd_ynode *n = fd_arena_alloc(a, sizeof(*n));
	n->type = t;
	n->line = (unsigned)m->line + 1;
	n->col = (unsigned)m->column + 1;
	return n;
}

int fd_yaml_parse_tree(struct fd_ynode **out, struct fd_arena *arena, const char *name,
		       const char *buf, size_t len, unsigned max_depth, struct fd_error *err)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct tree_frame *stack = NULL;
	size_t depth = 0, cap = 0;
	int rc = 0;
	bool done = false;
	*out = NULL;

	if (!yaml_parser_initialize(&parser))
		return fd_error_set(err, FD_ENOMEM, "%s: cannot initialize YAML parser", name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			unsigned l, c;
			char *m = yaml_problem(&parser, buf, len, &l, &c);
			rc = fd_error_located(err, FD_ERULES, name, buf, len, l, c, "%s", m);
			free(m);
			goto out;
		}
		struct fd_ynode *n = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_END_EVENT:
			if (*out)
				done = true;
			break;
		case YAML_ALIAS_EVENT:
			rc = fd_error_located(err, FD_ERULES, name, buf, len,
					      (unsigned)ev.start_mark.line + 1,
					      (unsigned)ev.start_mark.column + 1,
					      "YAML aliases are not allowed in rule files");
			yaml_event_delete(&ev);
			goto out;
		case YAML_SCALAR_EVENT:
			n = ynew(arena, FD_Y_SCALAR, &ev.start_mark);
			n->value = fd_arena_strndup(arena, (const char *)ev.data.scalar.value,
						    ev.data.scalar.length);
			n->quoted = ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth >= max_depth) {
				rc = fd_error_located(err, FD_ERULES, name, buf, len,
						      (unsigned)ev.start_mark.line + 1,
						      (unsigned)ev.start_mark.column + 1,
						      "nesting deeper than %u levels", max_depth);
				yaml_event_delete(&ev);
				goto out;
			}
			if (depth == cap) {
				cap = cap ? cap * 2 : 16;
				stack = fd_xrealloc(stack, cap * sizeof(*stack));
			}
			stack[depth].node = ynew(arena,
						 ev.type == YAML_MAPPING_START_EVENT ? FD_Y_MAP : FD_Y_SEQ,
						 &ev.start_mark);
			memset(&stack[depth].kids, 0, sizeof(stack[depth].kids));
			depth++;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: {
			struct tree_frame *f = &stack[--depth];
			n = f->node;
			n->n = f->node->type == FD_Y_MAP ? f->kids.len / 2 : f->kids.len;
			n->kids = fd_arena_alloc(arena, (f->kids.len + 1) * sizeof(*n->kids));
			if (f->kids.len)
				memcpy(n->kids, f->kids.v, f->kids.len * sizeof(*n->kids));
			fd_vec_free(&f->kids);
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (n) {
			if (depth)
				fd_vec_push(&stack[depth - 1].kids, n);
			else if (!*out)
				*out = n;
		}
	}
out:
	while (depth)
		fd_vec_free(&stack[--depth].kids);
	free(stack);
	yaml_parser_delete(&parser);
	return rc;
}

struct fd_ynode *fd_ynode_get(const struct fd_ynode *map, const char *key)
{
	if (!map || map->type != FD_Y_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++) {
		const struct fd_ynode *k = map->kids[2 * i];
		if (k->type == FD_Y_SCALAR && strcmp(k->value, key) == 0)
			return map->kids[2 * i + 1];
	}
	return NULL;
}

json_t *fd_ynode_to_json(const struct fd_ynode *n)
{
	if (!n)
		return json_null();
	switch (n->type) {
	case FD_Y_SCALAR:
		if (n->quoted) {
			json_t *v = json_string(n->value);
			return v ? v : json_string("\xEF\xBF\xBD");
		}
		return plain_scalar(n->value, strlen(n->value));
	case FD_Y_SEQ: {
		json_t *a = json_array();
		for (size_t i = 0; i < n->n; i++)
			json_array_append_new(a, fd_ynode_to_json(n->kids[i]));
		return a;
	}
	case FD_Y_MAP: {
		json_t *o = json_object();
		for (size_t i = 0; i < n->n; i++) {
			const struct fd_ynode *k = n->kids[2 * i];
			if (k->type == FD_Y_SCALAR)
				json_object_set_new(o, k->value, fd_ynode_to_json(n->kids[2 * i + 1]));
		}
		return o;
	}
	}
	return json_null();
}

/* ---- streaming objects ---- */

struct obj_frame {
	json_t *v;       /* object or array being built */
	char *key;       /* pending mapping key */
	bool key_next;   /* next scalar is a key */
	unsigned line;   /* where it started */
	char *anchor;    /* anchor to register when complete */
};

struct anchor {
	json_t *v;
	unsigned long nodes;
};

/* Counts nodes of a JSON value, stopping at `cap`. */
static unsigned long count_nodes(json_t *v, unsigned long cap)
{
	unsigned long n = 1;
	size_t i;
	const char *k;
	json_t *e;
	if (json_is_object(v)) {
		json_object_foreach(v, k, e)
		{
			n += count_nodes(e, cap);
			if (n > cap)
				return n;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e)
		{
			n += count_nodes(e, cap);
			if (n > cap)
				return n;
		}
	}
	return n;
}

static void free_anchor(const char *key, void *value, void *payload)
{
	struct anchor *a = value;
	(void)key;
	(void)payload;
	json_decref(a->v);
	free(a);
}

static bool is_object_with_kind(json_t *v)
{
	return json_is_object(v) && json_is_string(json_object_get(v, "kind"));
}

/* Strips fields that are large and never evidence. */
static void slim_object(json_t *obj)
{
	json_t *md = json_object_get(obj, "metadata");
	if (json_is_object(md)) {
		json_object_del(md, "managedFields");
		json_t *an = json_object_get(md, "annotations");
		if (json_is_object(an))
			json_object_del(an, "kubectl.kubernetes.io/last-applied-configuration");
	}
}

struct emitter {
	fd_object_cb cb;
	void *payload;
	struct fd_load_stats *stats;
	const struct fd_limits *lim;
	bool stop;
};

static void emit(struct emitter *em, json_t *v, unsigned line)
{
	if (!em->stop && json_is_array(v)) { /* a bare YAML sequence of objects */
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) emit(em, e, line);
		return;
	}
	if (em->stop || !is_object_with_kind(v))
		return;
	const char *kind = json_string_value(json_object_get(v, "kind"));
	size_t kl = strlen(kind);
	json_t *items = json_object_get(v, "items");
	if (kl >= 4 && strcmp(kind + kl - 4, "List") == 0 && json_is_array(items)) {
		size_t i;
		json_t *e;
		json_array_foreach(items, i, e) emit(em, e, line);
		return;
	}
	if (em->stats->objects >= em->lim->max_objects_per_file) {
		em->stats->truncated = true;
		em->stop = true;
		return;
	}
	slim_object(v);
	em->stats->objects++;
	if (em->cb(v, line, em->payload))
		em->stop = true;
}

void fd_yaml_load_objects(const char *name, const char *buf, size_t len,
			  const struct fd_limits *lim, fd_object_cb cb, void *payload,
			  struct fd_load_stats *stats)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct obj_frame *stack = NULL;
	size_t depth = 0, cap = 0;
	struct fd_map anchors = {0};
	unsigned aliases = 0;
	unsigned long alias_nodes = 0;
	struct emitter em = {cb, payload, stats, lim, false};
	json_t *root = NULL;
	unsigned root_line = 1;
	(void)name;

	memset(stats, 0, sizeof(*stats));
	if (!yaml_parser_initialize(&parser)) {
		stats->warning = fd_xstrdup("cannot initialize YAML parser");
		return;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	for (;;) {
		if (em.stop)
			break;
		if (!yaml_parser_parse(&parser, &ev)) {
			unsigned l, c;
			char *m = yaml_problem(&parser, buf, len, &l, &c);
			stats->warning = fd_xasprintf("%u:%u: %s", l, c, m);
			free(m);
			break;
		}
		json_t *v = NULL;
		unsigned vline = (unsigned)ev.start_mark.line + 1;
		char *anchor = NULL;
		bool stream_end = false;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			stream_end = true;
			break;
		case YAML_DOCUMENT_END_EVENT:
			if (root)
				emit(&em, root, root_line);
			json_decref(root);
			root = NULL;
			break;
		case YAML_ALIAS_EVENT: {
			struct anchor *a = fd_map_get(&anchors, (const char *)ev.data.alias.anchor);
			if (!a) {
				stats->warning = fd_xasprintf("%u:%u: YAML alias to unknown anchor", vline,
							      (unsigned)ev.start_mark.column + 1);
				em.stop = true;
				break;
			}
			aliases++;
			alias_nodes += a->nodes;
			if (aliases > lim->max_aliases || alias_nodes > 100000) {
				stats->warning = fd_xasprintf(
					"%u:%u: YAML alias expansion refused (more than %u aliases or "
					"100000 aliased nodes)",
					vline, (unsigned)ev.start_mark.column + 1, lim->max_aliases);
				em.stop = true;
				break;
			}
			v = json_incref(a->v);
			break;
		}
		case YAML_SCALAR_EVENT:
			v = scalar_json(&ev);
			if (ev.data.scalar.anchor)
				anchor = fd_xstrdup((const char *)ev.data.scalar.anchor);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth >= lim->max_depth) {
				stats->warning = fd_xasprintf("%u:%u: nesting deeper than %u levels",
							      vline,
							      (unsigned)ev.start_mark.column + 1,
							      lim->max_depth);
				em.stop = true;
				break;
			}
			if (depth == cap) {
				cap = cap ? cap * 2 : 16;
				stack = fd_xrealloc(stack, cap * sizeof(*stack));
			}
			{
				struct obj_frame *f = &stack[depth++];
				bool map = ev.type == YAML_MAPPING_START_EVENT;
				f->v = map ? json_object() : json_array();
				f->key = NULL;
				f->key_next = map;
				f->line = vline;
				const yaml_char_t *an = map ? ev.data.mapping_start.anchor
							    : ev.data.sequence_start.anchor;
				f->anchor = an ? fd_xstrdup((const char *)an) : NULL;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: {
			struct obj_frame *f = &stack[--depth];
			v = f->v;
			vline = f->line;
			anchor = f->anchor;
			free(f->key);
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (stream_end)
			break;
		if (anchor && v) {
			struct anchor *a = fd_xmalloc(sizeof(*a));
			a->v = json_incref(v);
			a->nodes = count_nodes(v, 100001);
			struct anchor *old = fd_map_put(&anchors, anchor, a);
			if (old) {
				json_decref(old->v);
				free(old);
			}
		}
		free(anchor);
		if (!v)
			continue;
		if (!depth) {
			json_decref(root);
			root = v;
			root_line = vline;
			continue;
		}
		struct obj_frame *parent = &stack[depth - 1];
		if (json_is_object(parent->v)) {
			if (parent->key_next) {
				const char *k = json_is_string(v) ? json_string_value(v) : NULL;
				struct fd_buf kb = {0};
				if (!k)
					k = fd_json_text(v, &kb);
				parent->key = fd_xstrdup(k ? k : "");
				fd_buf_free(&kb);
				json_decref(v);
				parent->key_next = false;
			} else {
				/* merge keys ("<<") are not Kubernetes; keep them as plain keys */
				json_object_set_new(parent->v, parent->key, v);
				free(parent->key);
				parent->key = NULL;
				parent->key_next = true;
			}
		} else if (depth == 2 && json_is_object(stack[0].v) && stack[0].key &&
			   strcmp(stack[0].key, "items") == 0 && is_object_with_kind(v)) {
			/* An item of a top-level List: hand it over now instead of keeping it. */
			emit(&em, v, vline);
			json_decref(v);
		} else {
			json_array_append_new(parent->v, v);
		}
	}
	if (root && !em.stop && !stats->warning)
		emit(&em, root, root_line);
	json_decref(root);
	while (depth) {
		struct obj_frame *f = &stack[--depth];
		json_decref(f->v);
		free(f->key);
		free(f->anchor);
	}
	free(stack);
	fd_map_each(&anchors, free_anchor, NULL);
	fd_map_free(&anchors);
	yaml_parser_delete(&parser);
}

/* ---- JSON ---- */

/* Records the line of each element of the top-level array, or of the "items" array of the
 * top-level object, by scanning the text once (jansson does not keep positions). */
static void json_item_lines(const char *buf, size_t len, struct fd_vec *lines)
{
	unsigned line = 1;
	int depth = 0;
	bool in_str = false, root_is_array = false;
	int items_depth = -1; /* depth of the array whose elements we record */
	const char *last_key = NULL;
	size_t last_key_len = 0;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (c == '\n')
			line++;
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		switch (c) {
		case '"':
			in_str = true;
			if (depth == 1 && !root_is_array) {
				last_key = buf + i + 1;
				const char *e = memchr(last_key, '"', len - i - 1);
				last_key_len = e ? (size_t)(e - last_key) : 0;
			}
			break;
		case '[':
			if (depth == 0) {
				root_is_array = true;
				items_depth = 1;
			} else if (depth == 1 && last_key && last_key_len == 5 &&
				   memcmp(last_key, "items", 5) == 0) {
				items_depth = 2;
			}
			depth++;
			break;
		case '{':
			if (depth == items_depth)
				fd_vec_push(lines, (void *)(uintptr_t)line);
			depth++;
			break;
		case ']':
		case '}':
			depth--;
			break;
		default:
			break;
		}
	}
}

void fd_json_load_objects(const char *name, const char *buf, size_t len,
			  const struct fd_limits *lim, fd_object_cb cb, void *payload,
			  struct fd_load_stats *stats)
{
	json_error_t jerr;
	struct emitter em = {cb, payload, stats, lim, false};
	(void)name;
	memset(stats, 0, sizeof(*stats));
	/* Nesting is checked before parsing: jansson's own limit is fixed at build time. */
	int depth = 0, maxd = 0;
	bool in_str = false;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (++depth > maxd)
				maxd = depth;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	if ((unsigned)maxd > lim->max_depth) {
		stats->warning = fd_xasprintf("JSON nesting deeper than %u levels", lim->max_depth);
		return;
	}
	json_t *root = json_loadb(buf, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (!root) {
		stats->warning = fd_xasprintf("%d:%d: JSON: %s", jerr.line, jerr.column, jerr.text);
		return;
	}
	struct fd_vec lines = {0};
	json_t *items = json_is_array(root) ? root : json_object_get(root, "items");
	if (json_is_array(items))
		json_item_lines(buf, len, &lines);
	if (json_is_array(items) && (json_is_array(root) || !is_object_with_kind(root) ||
				     strstr(json_string_value(json_object_get(root, "kind")), "List"))) {
		size_t i;
		json_t *e;
		json_array_foreach(items, i, e)
		{
			unsigned line = i < lines.len ? (unsigned)(uintptr_t)lines.v[i] : 1;
			emit(&em, e, line);
			if (em.stop)
				break;
		}
	} else {
		emit(&em, root, 1);
	}
	fd_vec_free(&lines);
	json_decref(root);
}
