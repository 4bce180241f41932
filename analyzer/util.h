/* util.h - memory, buffers, vectors, maps, arenas, errors and value parsing
 * that every module of the core uses (util.c). */
#ifndef FD_UTIL_H
#define FD_UTIL_H

#include "fluxdiag.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>

#if defined(__GNUC__)
#define FD_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FD_PRINTF(a, b)
#endif

/* ---- memory (util.c) ----
 * The fd_x* allocators abort on out-of-memory: an analysis that cannot allocate a few bytes
 * cannot report anything useful, and every input-driven size is bounded by fd_limits. */
void *fd_xmalloc(size_t n);
void *fd_xcalloc(size_t n, size_t size);
void *fd_xrealloc(void *p, size_t n);
char *fd_xstrdup(const char *s);
char *fd_xstrndup(const char *s, size_t n);
char *fd_xasprintf(const char *fmt, ...) FD_PRINTF(1, 2);

/* Growable byte buffer; `p` is always NUL-terminated once anything was added. */
struct fd_buf {
	char *p;
	size_t len, cap;
};
void fd_buf_add(struct fd_buf *b, const void *data, size_t n);
void fd_buf_adds(struct fd_buf *b, const char *s);
void fd_buf_addc(struct fd_buf *b, char c);
void fd_buf_addf(struct fd_buf *b, const char *fmt, ...) FD_PRINTF(2, 3);
void fd_buf_reset(struct fd_buf *b);
/* Returns the contents as a malloc'd string (caller frees) and empties the buffer. */
char *fd_buf_detach(struct fd_buf *b);
void fd_buf_free(struct fd_buf *b);

/* qsort that accepts an empty (NULL) list. */
void fd_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* Pointer vector. Does not own its elements unless the user says so. */
struct fd_vec {
	void **v;
	size_t len, cap;
};
void fd_vec_push(struct fd_vec *v, void *p);
void fd_vec_free(struct fd_vec *v);

/* String-keyed hash map; keys are copied and owned by the map, values are borrowed. */
struct fd_map {
	struct fd_map_slot *slots;
	size_t cap, len;
};
void *fd_map_get(const struct fd_map *m, const char *key);
/* Inserts or replaces; returns the previous value or NULL. */
void *fd_map_put(struct fd_map *m, const char *key, void *value);
/* Calls fn for each entry in insertion-independent order. */
void fd_map_each(const struct fd_map *m, void (*fn)(const char *key, void *value, void *payload),
		 void *payload);
void fd_map_free(struct fd_map *m);

/* Arena for data with one lifetime (a rule set, a bundle's strings). With plain_malloc (the
 * arena_malloc option), or built with -DFD_ARENA_MALLOC, every block is a separate malloc so
 * that ASan and valgrind see each one. */
struct fd_arena;
struct fd_arena *fd_arena_new(bool plain_malloc);
void *fd_arena_alloc(struct fd_arena *a, size_t n);
char *fd_arena_strdup(struct fd_arena *a, const char *s);
char *fd_arena_strndup(struct fd_arena *a, const char *s, size_t n);
void fd_arena_free(struct fd_arena *a);

/* ---- errors (util.c) ---- */
/* Sets err (when non-NULL) and returns code (negative). */
int fd_error_set(struct fd_error *err, enum fd_code code, const char *fmt, ...) FD_PRINTF(3, 4);
/* A located error: "file:line:col: message", then the offending line and a caret under col.
 * `text` is the whole file (may be NULL); line and col are 1-based. */
int fd_error_located(struct fd_error *err, enum fd_code code, const char *file, const char *text,
		     size_t text_len, unsigned line, unsigned col, const char *fmt, ...)
	FD_PRINTF(8, 9);

/* ---- values (util.c) ---- */
/* RFC 3339 / ISO 8601 time to seconds since the epoch. Returns 0 on success. */
int fd_time_parse(const char *s, double *out);
void fd_time_format(double t, char out[32]);
/* Go-style duration ("1h30m", "90s", "2d", "500ms") or a multiple ("10x5m"). */
int fd_duration_parse(const char *s, double *out);
/* Number or Kubernetes quantity ("500m", "1Gi", "2e3"). */
int fd_quantity_parse(const char *s, double *out);
/* Twice a memory/CPU quantity, in a tidy unit ("512Mi" -> "1Gi"); malloc'd. */
char *fd_quantity_double(const char *s);
/* Copies at most max bytes of s as valid UTF-8 (bad bytes become U+FFFD); malloc'd. Sets
 * *truncated when cut. */
char *fd_utf8_clean(const char *s, size_t len, size_t max, bool *truncated);
/* The string member `key` of object o (borrowed), or "" when o is not an object, has no such
 * member, or it is not a string. */
const char *fd_jstr(json_t *o, const char *key);
/* A JSON value's text form for comparisons and templates: strings as they are, numbers and
 * booleans printed; NULL for objects, arrays and null. Returned pointer is owned by `buf`. */
const char *fd_json_text(json_t *v, struct fd_buf *buf);

/* Seconds of a monotonic clock. */
double fd_now_monotonic(void);

#endif
