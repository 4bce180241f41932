/* path_eval.c - field paths of the rule language: parse "status.conditions[type=Ready].reason"
 * and evaluate it against a JSON object, yielding every value it reaches. */
#include "path_eval.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

enum seg_type { SEG_KEY, SEG_INDEX, SEG_ALL, SEG_FILTER };

struct seg {
	enum seg_type type;
	char *key;            /* KEY */
	long index;           /* INDEX */
	struct fd_path *fkey; /* FILTER: path of the compared field */
	char *fvalue;         /* FILTER: value it must equal */
};

struct fd_path {
	size_t n;
	struct seg *segs;
};

void fd_path_free(struct fd_path *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->segs[i].key);
		free(p->segs[i].fvalue);
		fd_path_free(p->segs[i].fkey);
	}
	free(p->segs);
	free(p);
}

static struct seg *push_seg(struct fd_path *p, enum seg_type t)
{
	p->segs = fd_xrealloc(p->segs, (p->n + 1) * sizeof(*p->segs));
	struct seg *s = &p->segs[p->n++];
	memset(s, 0, sizeof(*s));
	s->type = t;
	return s;
}

/* Reads a quoted string starting at s[*i] (the quote); returns malloc'd contents. */
static char *read_quoted(const char *s, size_t *i)
{
	char q = s[*i];
	struct fd_buf b = {0};
	fd_buf_add(&b, "", 0);
	(*i)++;
	while (s[*i] && s[*i] != q) {
		if (s[*i] == '\\' && s[*i + 1])
			(*i)++;
		fd_buf_addc(&b, s[(*i)++]);
	}
	if (s[*i] != q) {
		fd_buf_free(&b);
		return NULL;
	}
	(*i)++;
	return fd_buf_detach(&b);
}

static void trim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = 0;
	size_t k = 0;
	while (s[k] == ' ' || s[k] == '\t')
		k++;
	memmove(s, s + k, n - k + 1);
}

struct fd_path *fd_path_parse(const char *s, size_t *errpos, const char **errmsg)
{
	struct fd_path *p = fd_xcalloc(1, sizeof(*p));
	size_t i = 0;
	if (s[0] == '.')
		i = 1;
	if (!s[i]) {
		*errpos = i;
		*errmsg = "empty path";
		goto fail;
	}
	bool need_key = s[i] != '[';
	while (s[i]) {
		if (need_key) {
			size_t st = i;
			while (s[i] && s[i] != '.' && s[i] != '[' && s[i] != ']')
				i++;
			if (i == st) {
				*errpos = i;
				*errmsg = "expected a field name";
				goto fail;
			}
			push_seg(p, SEG_KEY)->key = fd_xstrndup(s + st, i - st);
			need_key = false;
			continue;
		}
		if (s[i] == '.') {
			i++;
			need_key = true;
			if (!s[i]) {
				*errpos = i;
				*errmsg = "expected a field name after '.'";
				goto fail;
			}
			continue;
		}
		if (s[i] != '[') {
			*errpos = i;
			*errmsg = "unexpected character";
			goto fail;
		}
		size_t open = i++;
		if (s[i] == '"' || s[i] == '\'') {
			char *k = read_quoted(s, &i);
			if (!k || s[i] != ']') {
				free(k);
				*errpos = open;
				*errmsg = "unterminated quoted key";
				goto fail;
			}
			push_seg(p, SEG_KEY)->key = k;
			i++;
			continue;
		}
		const char *close = strchr(s + i, ']');
		if (!close) {
			*errpos = open;
			*errmsg = "missing ']'";
			goto fail;
		}
		char *inner = fd_xstrndup(s + i, (size_t)(close - (s + i)));
		trim(inner);
		char *eq = strchr(inner, '=');
		if (strcmp(inner, "*") == 0) {
			push_seg(p, SEG_ALL);
		} else if (eq) {
			*eq = 0;
			char *k = inner, *v = eq + 1;
			trim(k);
			trim(v);
			size_t vl = strlen(v);
			if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
				v[vl - 1] = 0;
				v++;
			}
			size_t ep;
			const char *em;
			struct fd_path *fk = *k ? fd_path_parse(k, &ep, &em) : NULL;
			if (!fk) {
				free(inner);
				*errpos = i;
				*errmsg = "bad field name in filter";
				goto fail;
			}
			struct seg *sg = push_seg(p, SEG_FILTER);
			sg->fkey = fk;
			sg->fvalue = fd_xstrdup(v);
		} else {
			char *end;
			long idx = strtol(inner, &end, 10);
			if (!*inner || *end) {
				free(inner);
				*errpos = i;
				*errmsg = "expected '*', a number, key=value or a quoted key in []";
				goto fail;
			}
			push_seg(p, SEG_INDEX)->index = idx;
		}
		free(inner);
		i = (size_t)(close - s) + 1;
	}
	return p;
fail:
	fd_path_free(p);
	return NULL;
}

static bool filter_holds(const struct seg *sg, json_t *v, struct fd_buf *tmp)
{
	/* HOT PATH: "[type=Ready]" is a single key compared with a string */
	if (sg->fkey->n == 1 && sg->fkey->segs[0].type == SEG_KEY) {
		if (!json_is_object(v))
			return false;
		json_t *f = json_object_get(v, sg->fkey->segs[0].key);
		if (json_is_string(f))
			return strcmp(json_string_value(f), sg->fvalue) == 0;
		if (!f || json_is_object(f) || json_is_array(f))
			return false;
		const char *t = fd_json_text(f, tmp);
		return t && strcmp(t, sg->fvalue) == 0;
	}
	struct fd_vec vals = {0};
	bool ok = false;
	fd_path_eval(sg->fkey, v, &vals, 64);
	for (size_t i = 0; i < vals.len && !ok; i++) {
		const char *t = fd_json_text(vals.v[i], tmp);
		if (t && strcmp(t, sg->fvalue) == 0)
			ok = true;
	}
	fd_vec_free(&vals);
	return ok;
}

static void eval(const struct fd_path *p, size_t k, json_t *v, struct fd_vec *out, size_t max,
		 struct fd_buf *tmp)
{
	if (!v || out->len >= max)
		return;
	if (k == p->n) {
		fd_vec_push(out, v);
		return;
	}
	const struct seg *sg = &p->segs[k];
	size_t i;
	json_t *e;
	switch (sg->type) {
	case SEG_KEY:
		if (json_is_object(v))
			eval(p, k + 1, json_object_get(v, sg->key), out, max, tmp);
		else if (json_is_array(v))
			json_array_foreach(v, i, e)
			{
				if (json_is_object(e))
					eval(p, k + 1, json_object_get(e, sg->key), out, max, tmp);
			}
		break;
	case SEG_INDEX:
		if (json_is_array(v)) {
			long n = (long)json_array_size(v), idx = sg->index < 0 ? n + sg->index : sg->index;
			if (idx >= 0 && idx < n)
				eval(p, k + 1, json_array_get(v, (size_t)idx), out, max, tmp);
		}
		break;
	case SEG_ALL:
		if (json_is_array(v)) {
			json_array_foreach(v, i, e) eval(p, k + 1, e, out, max, tmp);
		} else if (json_is_object(v)) {
			const char *key;
			json_object_foreach(v, key, e) eval(p, k + 1, e, out, max, tmp);
		}
		break;
	case SEG_FILTER:
		if (json_is_array(v)) {
			json_array_foreach(v, i, e)
			{
				if (filter_holds(sg, e, tmp))
					eval(p, k + 1, e, out, max, tmp);
			}
		} else if (json_is_object(v) && filter_holds(sg, v, tmp)) {
			eval(p, k + 1, v, out, max, tmp);
		}
		break;
	}
}

void fd_path_eval(const struct fd_path *p, json_t *root, struct fd_vec *out, size_t max_values)
{
	struct fd_buf tmp = {0};
	eval(p, 0, root, out, max_values, &tmp);
	fd_buf_free(&tmp);
}
