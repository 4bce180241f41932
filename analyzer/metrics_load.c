/* metrics_load.c - loaders for API-server health (readyz/livez text) and controller metrics
 * (Prometheus text), turned into synthetic fluxdiag.io/v1 objects of the index. */
#include "metrics_load.h"
#include "util.h"
#include "flux_controllers.h"
#include "bundle.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- readyz / livez ---- */

void fd_health_load(struct fd_bundle *b, const char *path, const char *name, const char *buf,
		    size_t len)
{
	json_t *o = fd_fact_new("APIServerHealth", "", name);
	json_t *checks = json_array();
	bool passed = true, any = false;
	const char *p = buf, *end = buf + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		size_t n = (size_t)(e - p);
		char *line = fd_utf8_clean(p, n, 512, NULL);
		if ((line[0] == '[') && (line[1] == '+' || line[1] == '-') && line[2] == ']') {
			bool ok = line[1] == '+';
			char *nm = line + 3, *sp = strchr(nm, ' ');
			char *reason = "";
			if (sp) {
				*sp = 0;
				reason = sp + 1;
			}
			json_array_append_new(checks, json_pack("{s:s,s:b,s:s}", "name", nm, "ok", ok,
								"reason", reason));
			if (!ok)
				passed = false;
			any = true;
		} else if (strstr(line, "check failed")) {
			passed = false;
			any = true;
		} else if (strstr(line, "check passed") || strcmp(line, "ok") == 0) {
			any = true;
		}
		free(line);
		p = nl ? nl + 1 : end;
	}
	if (!any) {
		/* An empty or unrecognized file says nothing about health. */
		json_decref(checks);
		json_decref(o);
		return;
	}
	json_object_set_new(o, "checks", checks);
	json_object_set_new(o, "passed", json_boolean(passed));
	json_object_set_new(o, "path", json_string(path));
	fd_bundle_add_object(b, o, path, 1, true);
}

/* ---- Prometheus text ---- */

/* Parses `metric{a="x",b="y"} 1.5` into name, labels and value. Returns false if malformed. */
static bool prom_line(char *line, char **metric, json_t **labels, double *value)
{
	char *p = line;
	while (*p && (isalnum((unsigned char)*p) || *p == '_' || *p == ':'))
		p++;
	if (p == line)
		return false;
	*metric = line;
	*labels = json_object();
	if (*p == '{') {
		*p++ = 0;
		while (*p && *p != '}') {
			char *k = p;
			while (*p && *p != '=' && *p != '}')
				p++;
			if (*p != '=')
				break;
			*p++ = 0;
			if (*p != '"')
				break;
			p++;
			struct fd_buf v = {0};
			fd_buf_add(&v, "", 0);
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				fd_buf_addc(&v, *p++);
			}
			if (*p == '"')
				p++;
			while (*k == ' ' || *k == ',')
				k++;
			json_object_set_new(*labels, k, json_string(v.p));
			fd_buf_free(&v);
			if (*p == ',')
				p++;
		}
		if (*p != '}') {
			json_decref(*labels);
			return false;
		}
		p++;
	} else {
		if (*p)
			*p++ = 0;
	}
	while (*p == ' ')
		p++;
	char *end;
	*value = strtod(p, &end);
	if (end == p) {
		json_decref(*labels);
		return false;
	}
	return true;
}

void fd_metrics_load(struct fd_bundle *b, const char *path, const char *ns, const char *pod,
		     const char *buf, size_t len)
{
	json_t *o = fd_fact_new("ControllerMetrics", ns, pod);
	const char *ctrl = fd_controller_for_name(pod);
	json_object_set_new(o, "controller", json_string(ctrl ? ctrl : ""));
	json_t *samples = json_array();
	json_t *sums = json_object(); /* "base\x1flabels" -> [sum, count, labels] */
	const char *p = buf, *end = buf + len;
	size_t n = 0;
	while (p < end && n < 20000) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		char *line = fd_utf8_clean(p, (size_t)(e - p), 4096, NULL);
		p = nl ? nl + 1 : end;
		char *metric;
		json_t *labels;
		double v;
		if (line[0] == '#' || !line[0] || !prom_line(line, &metric, &labels, &v)) {
			free(line);
			continue;
		}
		size_t ml = strlen(metric);
		if (ml > 7 && strcmp(metric + ml - 7, "_bucket") == 0) {
			json_decref(labels);
			free(line);
			continue;
		}
		bool is_sum = ml > 4 && strcmp(metric + ml - 4, "_sum") == 0;
		bool is_count = ml > 6 && strcmp(metric + ml - 6, "_count") == 0;
		if (is_sum || is_count) {
			char *lj = json_dumps(labels, JSON_SORT_KEYS | JSON_COMPACT);
			char *key = fd_xasprintf("%.*s\x1f%s", (int)(ml - (is_sum ? 4 : 6)), metric,
						 lj ? lj : "");
			free(lj);
			json_t *acc = json_object_get(sums, key);
			if (!acc) {
				acc = json_pack("[n,n,O]", labels);
				json_object_set_new(sums, key, acc);
			}
			json_array_set_new(acc, is_sum ? 0 : 1, json_real(v));
			free(key);
		}
		if (isfinite(v)) {
			json_array_append_new(samples, json_pack("{s:s,s:o,s:f}", "metric", metric,
								 "labels", labels, "value", v));
			n++;
		} else {
			json_decref(labels);
		}
		free(line);
	}
	const char *key;
	json_t *acc;
	json_object_foreach(sums, key, acc)
	{
		json_t *sj = json_array_get(acc, 0), *cj = json_array_get(acc, 1);
		if (!json_is_number(sj) || !json_is_number(cj) || json_number_value(cj) <= 0)
			continue;
		double s = json_number_value(sj), c = json_number_value(cj);
		char *metric = fd_xasprintf("%.*s_avg", (int)(strchr(key, '\x1f') - key), key);
		json_array_append_new(samples, json_pack("{s:s,s:O,s:f}", "metric", metric, "labels",
							 json_array_get(acc, 2), "value", s / c));
		free(metric);
	}
	json_decref(sums);
	json_object_set_new(o, "samples", samples);
	fd_bundle_add_object(b, o, path, 1, true);
}
