/* template.c - message and fix templates: "{namespace}/{name}", "{.spec.url}",
 * "{cap.reason}", "{.spec.containers[name=manager].resources.limits.memory|double}". */
#include "internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const FILTERS[] = {"default", "double", "lower", "upper"};

/* Splits "expr|f1|f2:arg" in place into the variable and its filters. */
static size_t split_filters(char *expr, char **parts, size_t max)
{
	size_t n = 0;
	char *p = expr;
	parts[n++] = p;
	/* the variable part may hold '|' only inside [] of a path */
	int depth = 0;
	for (; *p; p++) {
		if (*p == '[')
			depth++;
		else if (*p == ']')
			depth--;
		else if (*p == '|' && depth <= 0 && n < max) {
			*p = 0;
			parts[n++] = p + 1;
		}
	}
	return n;
}

const char *fd_template_check(const char *tpl, size_t *pos)
{
	for (size_t i = 0; tpl[i]; i++) {
		if (tpl[i] == '}') {
			if (tpl[i + 1] == '}') {
				i++;
				continue;
			}
			*pos = i;
			return "unmatched '}' (write '}}' for a literal brace)";
		}
		if (tpl[i] != '{')
			continue;
		if (tpl[i + 1] == '{') {
			i++;
			continue;
		}
		const char *close = strchr(tpl + i, '}');
		if (!close) {
			*pos = i;
			return "unterminated '{' (write '{{' for a literal brace)";
		}
		char *expr = fd_xstrndup(tpl + i + 1, (size_t)(close - tpl - i - 1));
		char *parts[8];
		size_t n = split_filters(expr, parts, 8);
		const char *msg = NULL;
		if (!*parts[0]) {
			msg = "empty '{}'";
		} else if (parts[0][0] == '.') {
			size_t ep;
			const char *em;
			struct fd_path *p = fd_path_parse(parts[0], &ep, &em);
			if (!p)
				msg = "bad field path in template";
			fd_path_free(p);
		} else {
			for (char *c = parts[0]; *c && !msg; c++)
				if (!isalnum((unsigned char)*c) && !strchr("._-", *c))
					msg = "bad variable name in template";
		}
		for (size_t k = 1; k < n && !msg; k++) {
			char *arg = strchr(parts[k], ':');
			if (arg)
				*arg = 0;
			bool ok = false;
			for (size_t f = 0; f < sizeof(FILTERS) / sizeof(FILTERS[0]); f++)
				if (strcmp(parts[k], FILTERS[f]) == 0)
					ok = true;
			if (!ok)
				msg = "unknown filter (known: default:TEXT, double, lower, upper)";
		}
		free(expr);
		if (msg) {
			*pos = i;
			return msg;
		}
		i = (size_t)(close - tpl);
	}
	return NULL;
}

/* Looks up a variable; returns a malloc'd string or NULL when it has no value. */
static char *lookup(const char *var, const struct fd_tctx *c)
{
	struct fd_buf tmp = {0};
	char *out = NULL;
	if (var[0] == '.') {
		size_t ep;
		const char *em;
		struct fd_path *p = fd_path_parse(var, &ep, &em);
		if (p && c->obj) {
			struct fd_vec vals = {0};
			fd_path_eval(p, c->obj, &vals, 1);
			if (vals.len) {
				json_t *v = vals.v[0];
				const char *t = fd_json_text(v, &tmp);
				if (t)
					out = fd_xstrdup(t);
				else if (json_is_object(v) || json_is_array(v))
					out = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
			}
			fd_vec_free(&vals);
		}
		fd_path_free(p);
	} else if (strncmp(var, "cap.", 4) == 0) {
		const char *s = json_string_value(json_object_get(c->caps, var + 4));
		if (s)
			out = fd_xstrdup(s);
	} else if (strcmp(var, "name") == 0 && c->name) {
		out = fd_xstrdup(c->name);
	} else if (strcmp(var, "namespace") == 0 && c->ns) {
		out = fd_xstrdup(c->ns);
	} else if (strcmp(var, "kind") == 0 && c->kind) {
		out = fd_xstrdup(c->kind);
	} else if (strcmp(var, "apiVersion") == 0 && c->api_version) {
		out = fd_xstrdup(c->api_version);
	} else if (strcmp(var, "flux_namespace") == 0) {
		out = fd_xstrdup(c->b && c->b->flux_ns ? c->b->flux_ns : "flux-system");
	} else if (strcmp(var, "collected_at") == 0 && c->b) {
		char ts[32];
		fd_time_format(c->b->collected_at, ts);
		out = fd_xstrdup(ts);
	} else {
		json_t *v = json_object_get(c->vars, var);
		const char *t = v ? fd_json_text(v, &tmp) : NULL;
		if (t)
			out = fd_xstrdup(t);
	}
	fd_buf_free(&tmp);
	return out;
}

char *fd_template_render(const char *tpl, const struct fd_tctx *c, bool *missing)
{
	struct fd_buf out = {0};
	fd_buf_add(&out, "", 0);
	if (missing)
		*missing = false;
	for (size_t i = 0; tpl[i]; i++) {
		if ((tpl[i] == '{' && tpl[i + 1] == '{') || (tpl[i] == '}' && tpl[i + 1] == '}')) {
			fd_buf_addc(&out, tpl[i]);
			i++;
			continue;
		}
		if (tpl[i] != '{') {
			fd_buf_addc(&out, tpl[i]);
			continue;
		}
		const char *close = strchr(tpl + i, '}');
		if (!close) {
			fd_buf_adds(&out, tpl + i);
			break;
		}
		char *expr = fd_xstrndup(tpl + i + 1, (size_t)(close - tpl - i - 1));
		char *parts[8];
		size_t n = split_filters(expr, parts, 8);
		char *val = lookup(parts[0], c);
		if (val && !*val) {
			free(val);
			val = NULL;
		}
		for (size_t k = 1; k < n; k++) {
			char *arg = strchr(parts[k], ':');
			if (arg)
				*arg++ = 0;
			if (strcmp(parts[k], "default") == 0) {
				if (!val)
					val = fd_xstrdup(arg ? arg : "");
			} else if (strcmp(parts[k], "double") == 0 && val) {
				char *d = fd_quantity_double(val);
				if (d) {
					free(val);
					val = d;
				}
			} else if (strcmp(parts[k], "lower") == 0 && val) {
				for (char *p = val; *p; p++)
					*p = (char)tolower((unsigned char)*p);
			} else if (strcmp(parts[k], "upper") == 0 && val) {
				for (char *p = val; *p; p++)
					*p = (char)toupper((unsigned char)*p);
			}
		}
		if (val) {
			fd_buf_adds(&out, val);
		} else {
			fd_buf_adds(&out, "<unknown>");
			if (missing)
				*missing = true;
		}
		free(val);
		free(expr);
		i = (size_t)(close - tpl);
	}
	return fd_buf_detach(&out);
}
