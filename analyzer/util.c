/* util.c - allocation, buffers, maps, arenas, errors and value parsing (time, durations,
 * quantities, UTF-8) used by every stage. */
#include "util.h"
#include "rules.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void oom(void)
{
	fputs("fluxdiag: out of memory\n", stderr);
	abort();
}

void *fd_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *fd_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *fd_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

char *fd_xstrdup(const char *s)
{
	return fd_xstrndup(s, strlen(s));
}

char *fd_xstrndup(const char *s, size_t n)
{
	char *p = fd_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *fd_xasprintf(const char *fmt, ...)
{
	struct fd_buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return fd_xstrdup("");
	b.p = fd_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b.p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return b.p;
}

/* ---- buffers ---- */

static void buf_grow(struct fd_buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->p = fd_xrealloc(b->p, cap);
	b->cap = cap;
}

void fd_buf_add(struct fd_buf *b, const void *data, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = 0;
}

void fd_buf_adds(struct fd_buf *b, const char *s)
{
	fd_buf_add(b, s, strlen(s));
}

void fd_buf_addc(struct fd_buf *b, char c)
{
	fd_buf_add(b, &c, 1);
}

void fd_buf_addf(struct fd_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void fd_buf_reset(struct fd_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = 0;
}

char *fd_buf_detach(struct fd_buf *b)
{
	char *p = b->p ? b->p : fd_xstrdup("");
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

void fd_buf_free(struct fd_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* ---- vectors ---- */

void fd_vec_push(struct fd_vec *v, void *p)
{
	if (v->len == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->v = fd_xrealloc(v->v, v->cap * sizeof(*v->v));
	}
	v->v[v->len++] = p;
}

void fd_vec_free(struct fd_vec *v)
{
	free(v->v);
	v->v = NULL;
	v->len = v->cap = 0;
}

/* ---- maps: open addressing, FNV-1a ---- */

struct fd_map_slot {
	char *key;
	void *value;
	uint64_t hash;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct fd_map_slot *map_find(const struct fd_map *m, const char *key, uint64_t h)
{
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct fd_map_slot *s = &m->slots[i];
		if (!s->key || (s->hash == h && strcmp(s->key, key) == 0))
			return s;
	}
}

void *fd_map_get(const struct fd_map *m, const char *key)
{
	if (!m->cap)
		return NULL;
	struct fd_map_slot *s = map_find(m, key, hash_str(key));
	return s->key ? s->value : NULL;
}

void *fd_map_put(struct fd_map *m, const char *key, void *value)
{
	if ((m->len + 1) * 4 >= m->cap * 3) {
		struct fd_map old = *m;
		m->cap = old.cap ? old.cap * 2 : 16;
		m->slots = fd_xcalloc(m->cap, sizeof(*m->slots));
		m->len = 0;
		for (size_t i = 0; i < old.cap; i++) {
			if (!old.slots[i].key)
				continue;
			struct fd_map_slot *s = map_find(m, old.slots[i].key, old.slots[i].hash);
			*s = old.slots[i];
			m->len++;
		}
		free(old.slots);
	}
	uint64_t h = hash_str(key);
	struct fd_map_slot *s = map_find(m, key, h);
	if (s->key) {
		void *prev = s->value;
		s->value = value;
		return prev;
	}
	s->key = fd_xstrdup(key);
	s->hash = h;
	s->value = value;
	m->len++;
	return NULL;
}

void fd_map_each(const struct fd_map *m, void (*fn)(const char *, void *, void *), void *payload)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			fn(m->slots[i].key, m->slots[i].value, payload);
}

void fd_map_free(struct fd_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}

/* ---- arena ---- */

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	max_align_t data[];
};

struct fd_arena {
	struct arena_block *head;
	bool plain_malloc;
	struct fd_vec blocks; /* plain_malloc mode */
};

struct fd_arena *fd_arena_new(bool plain_malloc)
{
	struct fd_arena *a = fd_xcalloc(1, sizeof(*a));
#ifdef FD_ARENA_MALLOC
	plain_malloc = true;
#endif
	a->plain_malloc = plain_malloc;
	return a;
}

void *fd_arena_alloc(struct fd_arena *a, size_t n)
{
	if (a->plain_malloc) {
		void *p = fd_xcalloc(1, n);
		fd_vec_push(&a->blocks, p);
		return p;
	}
	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!a->head || a->head->size - a->head->used < n) {
		size_t size = n > 60000 ? n : 64000;
		struct arena_block *blk = fd_xmalloc(sizeof(*blk) + size);
		blk->size = size;
		blk->used = 0;
		blk->next = a->head;
		a->head = blk;
	}
	void *p = (char *)a->head->data + a->head->used;
	a->head->used += n;
	memset(p, 0, n);
	return p;
}

char *fd_arena_strndup(struct fd_arena *a, const char *s, size_t n)
{
	char *p = fd_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *fd_arena_strdup(struct fd_arena *a, const char *s)
{
	return fd_arena_strndup(a, s, strlen(s));
}

void fd_arena_free(struct fd_arena *a)
{
	if (!a)
		return;
	while (a->head) {
		struct arena_block *n = a->head->next;
		free(a->head);
		a->head = n;
	}
	for (size_t i = 0; i < a->blocks.len; i++)
		free(a->blocks.v[i]);
	fd_vec_free(&a->blocks);
	free(a);
}

/* ---- errors ---- */

void fd_error_clear(struct fd_error *err)
{
	if (!err)
		return;
	free(err->msg);
	err->msg = NULL;
	err->code = 0;
}

int fd_error_set(struct fd_error *err, enum fd_code code, const char *fmt, ...)
{
	assert(code < 0);
	if (err) {
		va_list ap;
		free(err->msg);
		va_start(ap, fmt);
		int n = vsnprintf(NULL, 0, fmt, ap);
		va_end(ap);
		err->msg = fd_xmalloc(n > 0 ? (size_t)n + 1 : 1);
		err->msg[0] = 0;
		va_start(ap, fmt);
		if (n > 0)
			vsnprintf(err->msg, (size_t)n + 1, fmt, ap);
		va_end(ap);
		err->code = code;
	}
	return code;
}

int fd_error_located(struct fd_error *err, enum fd_code code, const char *file, const char *text,
		     size_t text_len, unsigned line, unsigned col, const char *fmt, ...)
{
	assert(code < 0);
	if (!err)
		return code;
	struct fd_buf b = {0};
	fd_buf_addf(&b, "%s:%u:%u: ", file, line, col);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0) {
		char *m = fd_xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(m, (size_t)n + 1, fmt, ap);
		va_end(ap);
		fd_buf_adds(&b, m);
		free(m);
	}
	if (text && line > 0) {
		const char *p = text, *end = text + text_len;
		for (unsigned l = 1; l < line && p < end; l++) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			p = nl ? nl + 1 : end;
		}
		const char *e = memchr(p, '\n', (size_t)(end - p));
		if (!e)
			e = end;
		if (p < end) {
			size_t ll = (size_t)(e - p);
			if (ll > 200)
				ll = 200;
			char *clean = fd_utf8_clean(p, ll, ll, NULL);
			fd_buf_addc(&b, '\n');
			for (char *c = clean; *c; c++)
				fd_buf_addc(&b, (*c == '\t' || (unsigned char)*c >= 0x20) ? *c : ' ');
			free(clean);
			fd_buf_addc(&b, '\n');
			/* col may point past the line (a parser counting '\r' as a line break) */
			for (unsigned i = 1; i < col && i < 200; i++)
				fd_buf_addc(&b, i <= ll && p[i - 1] == '\t' ? '\t' : ' ');
			fd_buf_addc(&b, '^');
		}
	}
	free(err->msg);
	err->msg = fd_buf_detach(&b);
	err->code = code;
	return code;
}

/* ---- time ---- */

static int digits(const char **s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)**s))
			return -1;
		v = v * 10 + (**s - '0');
		(*s)++;
	}
	*out = v;
	return 0;
}

int fd_time_parse(const char *s, double *out)
{
	int Y, M, D, h = 0, m = 0, sec = 0;
	double frac = 0;
	if (!s || digits(&s, 4, &Y) || *s++ != '-' || digits(&s, 2, &M) || *s++ != '-' ||
	    digits(&s, 2, &D))
		return -1;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &m))
			return -1;
		if (*s == ':') {
			s++;
			if (digits(&s, 2, &sec))
				return -1;
		}
		if (*s == '.' || *s == ',') {
			double scale = 0.1;
			s++;
			while (isdigit((unsigned char)*s)) {
				frac += (*s - '0') * scale;
				scale /= 10;
				s++;
			}
		}
	}
	if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
		return -1;
	long off = 0;
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		int sign = *s == '-' ? -1 : 1, oh, om = 0;
		s++;
		if (digits(&s, 2, &oh))
			return -1;
		if (*s == ':')
			s++;
		if (isdigit((unsigned char)*s) && digits(&s, 2, &om))
			return -1;
		off = sign * (oh * 3600L + om * 60L);
	}
	struct tm tm = {0};
	tm.tm_year = Y - 1900;
	tm.tm_mon = M - 1;
	tm.tm_mday = D;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	time_t t = timegm(&tm);
	*out = (double)t - (double)off + frac;
	return 0;
}

void fd_time_format(double t, char out[32])
{
	time_t tt = (time_t)floor(t);
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int fd_duration_parse(const char *s, double *out)
{
	if (!s)
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	/* "N x DURATION" */
	const char *x = strchr(s, 'x');
	if (x) {
		char *end;
		double k = strtod(s, &end);
		while (end < x && isspace((unsigned char)*end))
			end++;
		if (end != x || !(k >= 0))
			return -1;
		double d;
		if (fd_duration_parse(x + 1, &d))
			return -1;
		*out = k * d;
		return 0;
	}
	double total = 0;
	int parts = 0;
	while (*s && !isspace((unsigned char)*s)) {
		char *end;
		errno = 0;
		double v = strtod(s, &end);
		if (end == s || errno || v < 0)
			return -1;
		s = end;
		double unit;
		if (strncmp(s, "ms", 2) == 0) {
			unit = 0.001;
			s += 2;
		} else if (strncmp(s, "us", 2) == 0 || strncmp(s, "µs", 3) == 0) {
			unit = 1e-6;
			s += s[0] == 'u' ? 2 : 3;
		} else if (strncmp(s, "ns", 2) == 0) {
			unit = 1e-9;
			s += 2;
		} else if (*s == 's') {
			unit = 1;
			s++;
		} else if (*s == 'm') {
			unit = 60;
			s++;
		} else if (*s == 'h') {
			unit = 3600;
			s++;
		} else if (*s == 'd') {
			unit = 86400;
			s++;
		} else if (*s == 0 && parts == 0 && v == 0) {
			unit = 0;
		} else {
			return -1;
		}
		total += v * unit;
		parts++;
	}
	if (!parts)
		return -1;
	*out = total;
	return 0;
}

static const struct {
	const char *sfx;
	double mult;
} quantity_units[] = {
	{"Ki", 1024.0},
	{"Mi", 1048576.0},
	{"Gi", 1073741824.0},
	{"Ti", 1099511627776.0},
	{"Pi", 1125899906842624.0},
	{"n", 1e-9},
	{"u", 1e-6},
	{"m", 1e-3},
	{"k", 1e3},
	{"M", 1e6},
	{"G", 1e9},
	{"T", 1e12},
	{"P", 1e15},
};

int fd_quantity_parse(const char *s, double *out)
{
	if (!s || !*s)
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno)
		return -1;
	if (*end == 0) {
		*out = v;
		return 0;
	}
	for (size_t i = 0; i < sizeof(quantity_units) / sizeof(quantity_units[0]); i++) {
		if (strcmp(end, quantity_units[i].sfx) == 0) {
			*out = v * quantity_units[i].mult;
			return 0;
		}
	}
	return -1;
}

char *fd_quantity_double(const char *s)
{
	double v;
	if (fd_quantity_parse(s, &v) || v <= 0)
		return NULL;
	v *= 2;
	/* Binary units when the input used them (memory), in the largest exact unit. */
	if (strchr(s, 'i')) {
		static const char *const unit[] = {"Ti", "Gi", "Mi", "Ki"};
		static const double mult[] = {1099511627776.0, 1073741824.0, 1048576.0, 1024.0};
		for (int i = 0; i < 4; i++) {
			double q = v / mult[i];
			if (q >= 1 && q == floor(q))
				return fd_xasprintf("%.0f%s", q, unit[i]);
		}
		return fd_xasprintf("%.0f", v);
	}
	if (strchr(s, 'm') && v < 1000)
		return fd_xasprintf("%.0fm", v * 1000);
	if (v == floor(v))
		return fd_xasprintf("%.0f", v);
	return fd_xasprintf("%.0fm", v * 1000);
}

/* ---- UTF-8 ---- */

static size_t utf8_seq(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	unsigned cp = c & (0x3F >> (len - 1));
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

char *fd_utf8_clean(const char *s, size_t len, size_t max, bool *truncated)
{
	struct fd_buf b = {0};
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	if (truncated)
		*truncated = false;
	fd_buf_add(&b, "", 0);
	while (i < len) {
		if (b.len >= max) {
			if (truncated)
				*truncated = true;
			break;
		}
		size_t n = utf8_seq(p + i, len - i);
		if (n == 0) {
			fd_buf_add(&b, "\xEF\xBF\xBD", 3);
			i++;
		} else if (n == 1 && p[i] == 0) {
			fd_buf_add(&b, "\xEF\xBF\xBD", 3);
			i++;
		} else {
			fd_buf_add(&b, p + i, n);
			i += n;
		}
	}
	return fd_buf_detach(&b);
}

const char *fd_jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

const char *fd_json_text(json_t *v, struct fd_buf *buf)
{
	fd_buf_reset(buf);
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_value(v);
	case JSON_INTEGER:
		fd_buf_addf(buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf->p;
	case JSON_REAL: {
		double d = json_real_value(v);
		if (d == floor(d) && fabs(d) < 1e15)
			fd_buf_addf(buf, "%.0f", d);
		else
			fd_buf_addf(buf, "%g", d);
		return buf->p;
	}
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	default:
		return NULL;
	}
}

double fd_now_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *fd_severity_name(enum fd_severity s)
{
	static const char *const n[] = {"info", "warning", "error", "critical"};
	return (unsigned)s < 4 ? n[s] : "unknown";
}

int fd_severity_parse(const char *s, enum fd_severity *out)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, fd_severity_name((enum fd_severity)i)) == 0) {
			*out = (enum fd_severity)i;
			return 0;
		}
	return -1;
}

const char *fd_category_name(enum fd_category c)
{
	static const char *const n[] = {"apiserver", "network", "controller", "cache",
					"backlog",   "config",  "source",     "apply"};
	return (unsigned)c < FD_CAT_COUNT ? n[c] : "unknown";
}

int fd_format_parse(const char *s, enum fd_format *out)
{
	if (strcmp(s, "text") == 0)
		*out = FD_FMT_TEXT;
	else if (strcmp(s, "markdown") == 0 || strcmp(s, "md") == 0)
		*out = FD_FMT_MARKDOWN;
	else if (strcmp(s, "json") == 0)
		*out = FD_FMT_JSON;
	else if (strcmp(s, "sarif") == 0)
		*out = FD_FMT_SARIF;
	else if (strcmp(s, "junit") == 0)
		*out = FD_FMT_JUNIT;
	else if (strcmp(s, "html") == 0)
		*out = FD_FMT_HTML;
	else
		return -1;
	return 0;
}

void fd_limits_default(struct fd_limits *out)
{
	out->max_entry_bytes = 96ULL << 20;
	out->max_total_bytes = 64ULL << 30;
	out->max_entries = 200000;
	out->max_line_bytes = 64 << 10;
	out->max_depth = 64;
	out->max_aliases = 64;
	out->max_objects_per_file = 1000000;
	out->max_objects = 200000;
	out->regex_match_limit = 1000000;
	out->regex_depth_limit = 50000;
	out->timeout_s = 0;
}

int fd_parse_duration(const char *s, double *out)
{
	return fd_duration_parse(s, out);
}

int fd_parse_size(const char *s, uint64_t *out)
{
	double v;
	char *tmp = fd_xstrdup(s);
	size_t n = strlen(tmp);
	if (n && (tmp[n - 1] == 'B' || tmp[n - 1] == 'b'))
		tmp[--n] = 0;
	if (n && tmp[n - 1] == 'K')
		tmp[n - 1] = 'k';
	int rc = fd_quantity_parse(tmp, &v);
	free(tmp);
	if (rc || v < 0 || v > 1.8e19)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

void fd_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1) /* qsort's base is declared nonnull: empty lists may be NULL */
		qsort(base, n, size, cmp);
}
