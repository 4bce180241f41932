/* logs_scan.c - the third stage: stream each log file line by line through the log rules that
 * select it, and accumulate matches per rule and per object, pod or rule. Memory per file is one
 * read buffer and at most one partial line; memory per accumulator is a handful of evidence lines.
 * HOT PATH: scan_line() runs on every line of every log. */
#include "logs_scan.h"
#include "util.h"
#include "regex.h"
#include "timestamps.h"
#include "rules.h"
#include "bundle.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (256 * 1024)
#define EVIDENCE_MAX 600

struct active_rule {
	const struct fd_rule *rule;
	pcre2_match_data *md;
	bool jit;
	bool stopped;   /* its regex hit limits too often (regex.c): no longer run */
	unsigned need;  /* prefilter bits a line must set before the regex runs: LIT | LEVEL */
	unsigned have;  /* bits set on the current line */
	unsigned long stamp; /* line number `have` belongs to */
};

/* Prefilter: every rule's required substrings (its literal alternatives, its level needle) in
 * one table, found in one pass over each line. Each substring is registered under one of its
 * 4-byte windows (made of its rarest bytes); the pass hashes the 4-byte windows of the line
 * that start at multiples of a stride (up to 4: a substring is filed under that many consecutive
 * windows, so one of them is always tested), tests one bit, and only on a set bit compares the
 * few substrings filed under it. The cost per byte does not depend on how many substrings
 * (rules) there are. */
#define PF_LIT 1u
#define PF_LEVEL 2u
#define PF_BITS 16
#define PF_BUCKETS 4096
#define PF_STRIDE_MAX 4

struct pf_entry {
	const char *s;
	uint32_t len, k; /* length, offset of the registered window */
	uint32_t h;      /* hash of the window */
	uint32_t rule;   /* index in scan.rules */
	unsigned bit;
	int32_t next;    /* next entry in the bucket, or -1 */
};

struct prefilter {
	uint64_t bits[(1u << PF_BITS) / 64];
	int32_t head[PF_BUCKETS];
	struct pf_entry *e;
	size_t n, cap;
	char *owned; /* level needles */
	size_t owned_len;
	unsigned stride; /* windows tested: those starting at multiples of it */
};

struct scan {
	struct fd_bundle *b;
	const char *path, *ns, *pod, *container;
	struct active_rule *rules;
	size_t nrules;
	uint32_t *always; /* rules without a prefilter: the regex runs on every line */
	size_t nalways;
	uint32_t *cand;   /* candidates of the current line */
	size_t ncand;
	struct prefilter *pf;
	unsigned long lineno;
};

static inline uint32_t pf_hash(const unsigned char *p)
{
	uint32_t w;
	memcpy(&w, p, 4);
	return (w * 2654435761u) >> (32 - PF_BITS);
}

/* Rough byte frequencies of controller logs: lower-case letters, digits, quotes, spaces and
 * JSON punctuation are everywhere; upper case and the rest are rarer. */
static unsigned byte_cost(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return strchr("etaoinsrlcdu", c) ? 6 : 4;
	if (c >= '0' && c <= '9')
		return 5;
	if (strchr(" \":,{}-.", c))
		return 6;
	if (c >= 'A' && c <= 'Z')
		return 2;
	return 1;
}

/* Files `lit` under the `stride` consecutive windows starting at its rarest stretch, so that
 * whatever its position in a line, one of them starts at a multiple of the stride. */
static void pf_add(struct prefilter *pf, const char *lit, size_t len, uint32_t rule, unsigned bit,
		   unsigned stride)
{
	size_t span = 3 + stride, best = 0;
	unsigned best_cost = ~0u;
	for (size_t k = 0; k + span <= len; k++) {
		unsigned c = 0;
		for (size_t j = 0; j < span; j++)
			c += byte_cost((unsigned char)lit[k + j]);
		if (c < best_cost) {
			best_cost = c;
			best = k;
		}
	}
	for (unsigned w = 0; w < stride; w++) {
		if (pf->n == pf->cap) {
			pf->cap = pf->cap ? pf->cap * 2 : 32;
			pf->e = fd_xrealloc(pf->e, pf->cap * sizeof(*pf->e));
		}
		struct pf_entry *e = &pf->e[pf->n];
		e->s = lit;
		e->len = (uint32_t)len;
		e->k = (uint32_t)(best + w);
		e->h = pf_hash((const unsigned char *)lit + e->k);
		e->rule = rule;
		e->bit = bit;
		uint32_t bucket = e->h & (PF_BUCKETS - 1);
		e->next = pf->head[bucket];
		pf->head[bucket] = (int32_t)pf->n;
		pf->bits[e->h >> 6] |= 1ull << (e->h & 63);
		pf->n++;
	}
}

/* A rule's literal is a list of alternatives separated by '\n' (a line never holds one): every
 * match contains at least one of them. True when all alternatives can be registered. */
static bool literal_usable(const char *lit)
{
	if (!lit || !*lit)
		return false;
	for (const char *p = lit;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n < 4)
			return false;
		if (!nl)
			return true;
		p = nl + 1;
	}
}

static void scan_setup_prefilter(struct scan *s)
{
	struct prefilter *pf = fd_xcalloc(1, sizeof(*pf));
	memset(pf->head, -1, sizeof(pf->head));
	size_t owned = 0;
	for (size_t i = 0; i < s->nrules; i++)
		if (s->rules[i].rule->level)
			owned += strlen(s->rules[i].rule->level) + 12;
	pf->owned = fd_xmalloc(owned + 1);
	s->always = fd_xcalloc(s->nrules + 1, sizeof(*s->always));
	s->cand = fd_xcalloc(s->nrules + 1, sizeof(*s->cand));
	/* the stride: as large as the shortest substring allows, at most PF_STRIDE_MAX */
	size_t shortest = 3 + PF_STRIDE_MAX;
	for (size_t i = 0; i < s->nrules; i++) {
		const char *lit = s->rules[i].rule->literal;
		if (!literal_usable(lit))
			continue;
		for (const char *p = lit;;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			if (n < shortest)
				shortest = n;
			if (!nl)
				break;
			p = nl + 1;
		}
	}
	pf->stride = (unsigned)(shortest - 3);
	for (size_t i = 0; i < s->nrules; i++) {
		struct active_rule *ar = &s->rules[i];
		const struct fd_rule *r = ar->rule;
		if (literal_usable(r->literal)) {
			ar->need |= PF_LIT;
			for (const char *p = r->literal;;) {
				const char *nl = strchr(p, '\n');
				size_t n = nl ? (size_t)(nl - p) : strlen(p);
				pf_add(pf, p, n, (uint32_t)i, PF_LIT, pf->stride);
				if (!nl)
					break;
				p = nl + 1;
			}
		}
		if (r->level) {
			char *needle = pf->owned + pf->owned_len;
			int n = sprintf(needle, "\"level\":\"%s\"", r->level);
			pf->owned_len += (size_t)n + 1;
			ar->need |= PF_LEVEL;
			pf_add(pf, needle, (size_t)n, (uint32_t)i, PF_LEVEL, pf->stride);
		}
		if (!ar->need)
			s->always[s->nalways++] = (uint32_t)i;
	}
	s->pf = pf;
}

static void scan_free_prefilter(struct scan *s)
{
	if (s->pf) {
		free(s->pf->e);
		free(s->pf->owned);
		free(s->pf);
	}
	free(s->always);
	free(s->cand);
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
	uint32_t count = 0;
	pcre2_pattern_info(re, PCRE2_INFO_NAMECOUNT, &count);
	if (!count)
		return NULL;
	json_t *caps = json_object();
	fd_regex_captures(caps, re, md, line);
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
		if (j && r->by == FD_BY_OBJECT && !log_object(j, &okind, &ons, &oname))
			okind = ons = oname = NULL; /* names a kind but no object */
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

static void pf_hit(struct scan *s, const char *line, size_t len, size_t i, uint32_t h)
{
	const struct prefilter *pf = s->pf;
	for (int32_t x = pf->head[h & (PF_BUCKETS - 1)]; x >= 0; x = pf->e[x].next) {
		const struct pf_entry *e = &pf->e[x];
		if (e->h != h || i < e->k)
			continue;
		size_t st = i - e->k;
		if (st + e->len > len || memcmp(line + st, e->s, e->len) != 0)
			continue;
		struct active_rule *ar = &s->rules[e->rule];
		if (ar->stamp != s->lineno) {
			ar->stamp = s->lineno;
			ar->have = 0;
		}
		if (ar->have == ar->need)
			continue;
		ar->have |= e->bit;
		if (ar->have == ar->need)
			s->cand[s->ncand++] = e->rule;
	}
}

static void run_rule(struct scan *s, struct active_rule *ar, const char *line, size_t len)
{
	const pcre2_code *re = ar->rule->pattern;
	if (ar->stopped)
		return;
	pcre2_match_context *mc = s->b->mctx;
	int rc = ar->jit ? pcre2_jit_match(re, (PCRE2_SPTR)line, len, 0, 0, ar->md, mc)
			 : pcre2_match(re, (PCRE2_SPTR)line, len, 0, 0, ar->md, mc);
	if (rc >= 0)
		on_match(s, ar, line, len);
	else if (fd_regex_is_limit(rc))
		ar->stopped = fd_regex_limit_hit(s->b, ar->rule, rc, s->path, s->lineno);
}

/* HOT PATH: one pass of the prefilter over the line, then the regexes of the rules whose
 * required substrings are all there (and of rules without any), in rule order. */
static void scan_line(struct scan *s, const char *line, size_t len)
{
	s->lineno++;
	s->b->log_lines++;
	if (len && line[len - 1] == '\r')
		len--;
	const struct prefilter *pf = s->pf;
	s->ncand = 0;
	if (pf->n && len >= 4) {
		const unsigned char *u = (const unsigned char *)line;
		const uint64_t *bits = pf->bits;
		size_t last = len - 4, stride = pf->stride;
		for (size_t i = 0; i <= last; i += stride) {
			uint32_t h = pf_hash(u + i);
			if ((bits[h >> 6] >> (h & 63)) & 1)
				pf_hit(s, line, len, i, h);
		}
	}
	uint32_t *c = s->cand;
	size_t nc = s->ncand;
	for (size_t i = 1; i < nc; i++) /* a handful at most: insertion sort */
		for (size_t j = i; j > 0 && c[j - 1] > c[j]; j--) {
			uint32_t t = c[j];
			c[j] = c[j - 1];
			c[j - 1] = t;
		}
	size_t a = 0, k = 0;
	while (a < s->nalways || k < nc) {
		uint32_t next;
		if (k >= nc || (a < s->nalways && s->always[a] < c[k]))
			next = s->always[a++];
		else
			next = c[k++];
		run_rule(s, &s->rules[next], line, len);
	}
	/* a line costs at most a match limit per rule: the clock every 64 lines keeps --timeout */
	if ((s->lineno & 63) == 0)
		fd_bundle_over_deadline(s->b);
}

static bool sel(struct fd_bundle *b, const struct fd_rule *r, const pcre2_code *re,
		const char *v, const char *path)
{
	return !re || fd_regex_run(b, r, re, NULL, v, strlen(v), path, 0);
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
		/* a log whose container is unknown (kubectl cluster-info dump's logs.txt) is
		 * matched by any container selector */
		if (fd_regex_stopped(b, r) || !sel(b, r, r->l_ns, ns, s.path) ||
		    !sel(b, r, r->l_pod, pod, s.path) ||
		    (*container && !sel(b, r, r->l_container, container, s.path)))
			continue;
		if (r->previous >= 0 && r->previous != (int)previous)
			continue;
		struct active_rule *ar = &s.rules[s.nrules++];
		ar->rule = r;
		ar->md = pcre2_match_data_create_from_pattern(r->pattern, NULL);
		size_t jsz = 0;
		ar->jit = pcre2_pattern_info(r->pattern, PCRE2_INFO_JITSIZE, &jsz) == 0 && jsz > 0;
	}
	scan_setup_prefilter(&s);

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
		const char *lastp = NULL; /* the last non-empty line read in place, kept at the end */
		size_t lastn = 0;
		while (p < end && !b->timed_out) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *stop = nl ? nl : end;
			size_t seg = (size_t)(stop - p);
			if (skipping) {
				if (nl)
					skipping = false;
			} else if (carry.len == 0 && nl && seg <= maxl) {
				scan_line(&s, p, seg); /* whole line inside the chunk: no copy */
				if (seg) {
					lastp = p;
					lastn = seg;
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
					lastp = NULL;
					fd_buf_reset(&carry);
				}
			}
			p = nl ? nl + 1 : end;
		}
		if (lastp) {
			last_len = lastn < sizeof(last) ? lastn : sizeof(last);
			memcpy(last, lastp, last_len);
		}
		if (fd_bundle_over_deadline(b))
			break;
	}
	if (carry.len && !b->timed_out) {
		scan_line(&s, carry.p, carry.len);
		last_len = carry.len < sizeof(last) ? carry.len : sizeof(last);
		memcpy(last, carry.p, last_len);
	}
	double t;
	if (last_len && fd_log_line_time(last, last_len, b->newest_ts, &t) && t > b->newest_ts)
		b->newest_ts = t;
	fd_buf_free(&carry);
	free(chunk);
	scan_free_prefilter(&s);
	for (size_t i = 0; i < s.nrules; i++)
		pcre2_match_data_free(s.rules[i].md);
	free(s.rules);
}
