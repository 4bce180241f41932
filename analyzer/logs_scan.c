/* logs_scan.c - the third stage: stream each log file line by line through the log rules that
 * select it, and accumulate matches per rule and per object, pod or rule. Memory per file is one
 * read buffer and at most one partial line; memory per accumulator is a handful of evidence lines.
 * HOT PATH: scan_line() runs on every line of every log. */
#include "internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (256 * 1024)
#define EVIDENCE_MAX 600

struct active_rule {
	const struct fd_rule *rule;
	pcre2_match_data *md;
	bool jit;
};

struct scan {
	struct fd_bundle *b;
	const char *path, *ns, *pod, *container;
	struct active_rule *rules;
	size_t nrules;
	unsigned long lineno;
};

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

/* klog header: "E1120 09:10:41.512345 ..." (no year: taken from ref). */
static bool klog_time(const char *s, size_t len, double ref, double *out)
{
	if (len < 21 || !strchr("IWEF", s[0]))
		return false;
	for (int i = 1; i <= 4; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	if (s[5] != ' ' || s[8] != ':' || s[11] != ':')
		return false;
	if (ref <= 0)
		return false;
	char tmp[40], yr[8];
	fd_time_format(ref, tmp);
	memcpy(yr, tmp, 4);
	yr[4] = 0;
	snprintf(tmp, sizeof(tmp), "%s-%.2s-%.2sT%.15sZ", yr, s + 1, s + 3, s + 6);
	double t;
	if (fd_time_parse(tmp, &t))
		return false;
	if (t > ref + 86400 * 2) { /* December log read in January */
		snprintf(tmp, sizeof(tmp), "%d-%.2s-%.2sT%.15sZ", atoi(yr) - 1, s + 1, s + 3, s + 6);
		if (fd_time_parse(tmp, &t))
			return false;
	}
	*out = t;
	return true;
}

bool fd_log_line_time(const char *line, size_t len, double ref, double *out)
{
	if (len && line[0] == '{') {
		size_t lim = len < 400 ? len : 400;
		const char *p = memmem(line, lim, "\"ts\":", 5);
		if (!p)
			p = memmem(line, lim, "\"time\":", 7);
		if (!p)
			p = memmem(line, lim, "\"timestamp\":", 12);
		if (!p)
			return false;
		p = memchr(p, ':', (size_t)(line + len - p)) + 1;
		while (p < line + len && *p == ' ')
			p++;
		if (p < line + len && *p == '"') {
			char tmp[48];
			size_t n = 0;
			p++;
			while (p + n < line + len && p[n] != '"' && n < sizeof(tmp) - 1)
				n++;
			memcpy(tmp, p, n);
			tmp[n] = 0;
			return fd_time_parse(tmp, out) == 0;
		}
		char *end;
		double v = strtod(p, &end);
		if (end == p || v <= 0)
			return false;
		*out = v > 1e12 ? v / 1000 : v; /* epoch seconds or milliseconds */
		return true;
	}
	if (len >= 20 && isdigit((unsigned char)line[0]) && line[4] == '-') {
		char tmp[48];
		size_t n = len < sizeof(tmp) - 1 ? len : sizeof(tmp) - 1;
		size_t k = 0;
		while (k < n && line[k] != ' ')
			k++;
		memcpy(tmp, line, k);
		tmp[k] = 0;
		return fd_time_parse(tmp, out) == 0;
	}
	return klog_time(line, len, ref, out);
}

static const char *kind_keys[] = {"controllerKind", "reconciler kind", "kind"};

/* From a Flux controller's JSON line, the kind/namespace/name of the object it names. */
static bool log_object(json_t *j, const char **kind, const char **ns, const char **name)
{
	*kind = *ns = *name = NULL;
	for (size_t i = 0; i < sizeof(kind_keys) / sizeof(kind_keys[0]) && !*kind; i++)
		*kind = json_string_value(json_object_get(j, kind_keys[i]));
	const char *k;
	json_t *v;
	if (*kind) {
		json_t *o = json_object_get(j, *kind);
		if (json_is_object(o)) {
			*name = json_string_value(json_object_get(o, "name"));
			*ns = json_string_value(json_object_get(o, "namespace"));
		}
	} else {
		json_object_foreach(j, k, v)
		{
			if (json_is_object(v) && isupper((unsigned char)k[0]) &&
			    json_is_string(json_object_get(v, "name"))) {
				*kind = k;
				*name = json_string_value(json_object_get(v, "name"));
				*ns = json_string_value(json_object_get(v, "namespace"));
				break;
			}
		}
	}
	if (!*name)
		*name = json_string_value(json_object_get(j, "name"));
	if (!*ns)
		*ns = json_string_value(json_object_get(j, "namespace"));
	if (!*kind || !*name)
		return false;
	if (!*ns)
		*ns = "";
	return true;
}

static void add_evidence(struct fd_log_acc *a, const struct scan *s, const char *line, size_t len,
			 double ts)
{
	size_t slot;
	if (a->nev < 3) {
		slot = a->nev++;
	} else {
		slot = 3; /* the last one */
		if (a->nev == 4) {
			free(a->ev[3].path);
			free(a->ev[3].text);
		}
		a->nev = 4;
	}
	bool trunc;
	a->ev[slot].path = fd_xstrdup(s->path);
	a->ev[slot].line = (unsigned)s->lineno;
	a->ev[slot].text = fd_utf8_clean(line, len, EVIDENCE_MAX, &trunc);
	a->ev_ts[slot] = ts;
}

static json_t *named_captures(const pcre2_code *re, pcre2_match_data *md, const char *line)
{
	uint32_t count = 0, entry = 0;
	PCRE2_SPTR table;
	pcre2_pattern_info(re, PCRE2_INFO_NAMECOUNT, &count);
	if (!count)
		return NULL;
	pcre2_pattern_info(re, PCRE2_INFO_NAMEENTRYSIZE, &entry);
	pcre2_pattern_info(re, PCRE2_INFO_NAMETABLE, &table);
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	uint32_t pairs = pcre2_get_ovector_count(md);
	json_t *caps = json_object();
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *e = table + (size_t)i * entry;
		uint32_t n = ((uint32_t)e[0] << 8) | e[1];
		if (n >= pairs || ov[2 * n] == PCRE2_UNSET)
			continue;
		char *v = fd_utf8_clean(line + ov[2 * n], ov[2 * n + 1] - ov[2 * n], 400, NULL);
		json_object_set_new(caps, (const char *)e + 2, json_string(v));
		free(v);
	}
	return caps;
}

static void on_match(struct scan *s, struct active_rule *ar, const char *line, size_t len)
{
	struct fd_bundle *b = s->b;
	const struct fd_rule *r = ar->rule;
	double ts = 0;
	bool has_ts = fd_log_line_time(line, len, b->collected_known ? b->collected_at : b->newest_ts,
				       &ts);
	if (has_ts && ts > b->newest_ts)
		b->newest_ts = ts;
	if (r->within > 0 && has_ts && b->collected_known && ts < b->collected_at - r->within)
		return;
	json_t *j = NULL;
	const char *okind = NULL, *ons = NULL, *oname = NULL;
	if (len && line[0] == '{') {
		j = json_loadb(line, len, 0, NULL);
		if (j && !json_is_object(j)) {
			json_decref(j);
			j = NULL;
		}
		if (j && r->by == FD_BY_OBJECT)
			log_object(j, &okind, &ons, &oname);
	}
	struct fd_buf key = {0};
	fd_buf_addf(&key, "%s\x1f", r->id);
	if (r->by == FD_BY_OBJECT && okind)
		fd_buf_addf(&key, "o\x1f%s\x1f%s\x1f%s", okind, ons, oname);
	else if (r->by != FD_BY_RULE)
		fd_buf_addf(&key, "p\x1f%s\x1f%s", s->ns, s->pod);
	struct fd_log_acc *a = fd_map_get(&b->log_acc, key.p);
	if (!a) {
		a = fd_xcalloc(1, sizeof(*a));
		a->rule = r;
		if (r->by == FD_BY_OBJECT && okind) {
			a->kind = fd_xstrdup(okind);
			a->ns = fd_xstrdup(ons);
			a->name = fd_xstrdup(oname);
		}
		a->pod_ns = fd_xstrdup(s->ns);
		a->pod = fd_xstrdup(s->pod);
		a->container = fd_xstrdup(s->container);
		a->caps = named_captures(r->pattern, ar->md, line);
		a->fields = json_object();
		if (j) {
			static const char *const keep[] = {"level", "msg", "error", "ts"};
			for (size_t i = 0; i < 4; i++) {
				json_t *v = json_object_get(j, keep[i]);
				if (json_is_string(v)) {
					char *c = fd_utf8_clean(json_string_value(v),
								strlen(json_string_value(v)), 600,
								NULL);
					json_object_set_new(a->fields, keep[i], json_string(c));
					free(c);
				}
			}
		}
		fd_map_put(&b->log_acc, key.p, a);
		fd_vec_push(&b->log_acc_order, a);
	}
	fd_buf_free(&key);
	a->count++;
	if (has_ts) {
		if (!a->first_ts || ts < a->first_ts)
			a->first_ts = ts;
		if (ts > a->last_ts)
			a->last_ts = ts;
		if (r->within > 0 && !b->collected_known && a->nts < 1000000) {
			if (a->nts == a->capts) {
				a->capts = a->capts ? a->capts * 2 : 64;
				a->ts = fd_xrealloc(a->ts, a->capts * sizeof(*a->ts));
			}
			a->ts[a->nts++] = ts;
		}
	}
	add_evidence(a, s, line, len, has_ts ? ts : 0);
	json_decref(j);
}

/* HOT PATH */
static void scan_line(struct scan *s, const char *line, size_t len)
{
	s->lineno++;
	s->b->log_lines++;
	if (len && line[len - 1] == '\r')
		len--;
	for (size_t i = 0; i < s->nrules; i++) {
		struct active_rule *ar = &s->rules[i];
		const struct fd_rule *r = ar->rule;
		if (r->literal && !memmem(line, len, r->literal, strlen(r->literal)))
			continue;
		if (r->level) {
			char pat[48];
			int n = snprintf(pat, sizeof(pat), "\"level\":\"%s\"", r->level);
			if (!memmem(line, len, pat, (size_t)n))
				continue;
		}
		int rc = ar->jit ? pcre2_jit_match(r->pattern, (PCRE2_SPTR)line, len, 0, 0, ar->md, NULL)
				 : pcre2_match(r->pattern, (PCRE2_SPTR)line, len, 0, 0, ar->md, NULL);
		if (rc >= 0)
			on_match(s, ar, line, len);
	}
}

static bool sel(const pcre2_code *re, const char *v)
{
	return !re || fd_regex_match(re, v, strlen(v));
}

void fd_log_scan(struct fd_bundle *b, struct fd_entry *e, const char *ns, const char *pod,
		 const char *container, bool previous)
{
	struct scan s = {0};
	s.b = b;
	s.path = fd_arena_strdup(b->arena, e->path);
	s.ns = ns;
	s.pod = pod;
	s.container = container;
	b->log_files++;
	const struct fd_ruleset *rs = b->rules;
	s.rules = fd_xcalloc(rs ? rs->rules.len + 1 : 1, sizeof(*s.rules));
	for (size_t i = 0; rs && i < rs->rules.len; i++) {
		const struct fd_rule *r = rs->rules.v[i];
		if (r->match != FD_MATCH_LOG)
			continue;
		if (!sel(r->l_ns, ns) || !sel(r->l_pod, pod) || !sel(r->l_container, container))
			continue;
		if (r->previous >= 0 && r->previous != (int)previous)
			continue;
		struct active_rule *ar = &s.rules[s.nrules++];
		ar->rule = r;
		ar->md = pcre2_match_data_create_from_pattern(r->pattern, NULL);
		size_t jsz = 0;
		ar->jit = pcre2_pattern_info(r->pattern, PCRE2_INFO_JITSIZE, &jsz) == 0 && jsz > 0;
	}

	char *chunk = fd_xmalloc(CHUNK);
	struct fd_buf carry = {0};
	bool skipping = false; /* inside the overlong tail of a line */
	bool long_warned = false;
	size_t maxl = b->limits.max_line_bytes;
	char last[1024];
	size_t last_len = 0;
	bool binary_warned = false;
	for (;;) {
		struct fd_error err = {0};
		long n = e->read(e->handle, chunk, CHUNK, &err);
		if (n <= 0) {
			fd_error_clear(&err);
			break;
		}
		if (!binary_warned && memchr(chunk, 0, (size_t)n)) {
			binary_warned = true;
			fd_bundle_warn(b, "%s: holds binary data (NUL bytes); lines were matched as text",
				       s.path);
		}
		const char *p = chunk, *end = chunk + n;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *stop = nl ? nl : end;
			size_t seg = (size_t)(stop - p);
			if (skipping) {
				if (nl)
					skipping = false;
			} else if (carry.len == 0 && nl && seg <= maxl) {
				scan_line(&s, p, seg); /* whole line inside the chunk: no copy */
				if (seg) {
					last_len = seg < sizeof(last) ? seg : sizeof(last);
					memcpy(last, p, last_len);
				}
			} else {
				size_t room = maxl > carry.len ? maxl - carry.len : 0;
				fd_buf_add(&carry, p, seg < room ? seg : room);
				if (seg > room) {
					b->long_lines++;
					if (!long_warned) {
						long_warned = true;
						fd_bundle_warn(b, "%s:%lu: line longer than --max-line-bytes "
								  "(%zu); only its first part was matched",
							       s.path, s.lineno + 1, maxl);
					}
					scan_line(&s, carry.p, carry.len);
					fd_buf_reset(&carry);
					skipping = !nl;
				} else if (nl) {
					scan_line(&s, carry.p, carry.len);
					last_len = carry.len < sizeof(last) ? carry.len : sizeof(last);
					memcpy(last, carry.p, last_len);
					fd_buf_reset(&carry);
				}
			}
			p = nl ? nl + 1 : end;
		}
		if (fd_bundle_over_deadline(b))
			break;
	}
	if (carry.len) {
		scan_line(&s, carry.p, carry.len);
		last_len = carry.len < sizeof(last) ? carry.len : sizeof(last);
		memcpy(last, carry.p, last_len);
	}
	double t;
	if (last_len && fd_log_line_time(last, last_len, b->newest_ts, &t) && t > b->newest_ts)
		b->newest_ts = t;
	fd_buf_free(&carry);
	free(chunk);
	for (size_t i = 0; i < s.nrules; i++)
		pcre2_match_data_free(s.rules[i].md);
	free(s.rules);
}
