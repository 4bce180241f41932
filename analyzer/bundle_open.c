/* bundle_open.c - the first stage: walk a bundle (archive by content, directory, or standard
 * input) in one streaming pass and hand each regular file to a callback. Nothing is extracted,
 * links are never followed, and entry names are sanitized before anyone sees them. */
#include "bundle_open.h"
#include "util.h"
#include "bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_NAME 1024

/* Turns an entry name into a safe relative path: no leading '/', no '.' or '..' components,
 * control characters as '?', valid UTF-8, at most MAX_NAME bytes. Returns malloc'd text and
 * sets *changed when anything had to be altered. */
static char *sanitize_name(const char *raw, bool *changed)
{
	size_t rl = strlen(raw);
	bool trunc;
	char *clean = fd_utf8_clean(raw, rl, MAX_NAME, &trunc);
	struct fd_buf out = {0};
	*changed = trunc || strlen(clean) != rl || memcmp(clean, raw, rl) != 0;
	fd_buf_add(&out, "", 0);
	const char *p = clean;
	while (*p) {
		while (*p == '/' || *p == '\\') {
			if (p == clean)
				*changed = true;
			p++;
		}
		const char *e = p;
		while (*e && *e != '/' && *e != '\\')
			e++;
		size_t n = (size_t)(e - p);
		if (n == 0)
			break;
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
			if (n == 2)
				*changed = true;
		} else {
			if (out.len)
				fd_buf_addc(&out, '/');
			for (size_t i = 0; i < n; i++) {
				unsigned char c = (unsigned char)p[i];
				if (c < 0x20 || c == 0x7f) {
					fd_buf_addc(&out, '?');
					*changed = true;
				} else {
					fd_buf_addc(&out, (char)c);
				}
			}
		}
		p = e;
	}
	free(clean);
	return fd_buf_detach(&out);
}

/* ---- archives ---- */

/* Decompression bombs: real bundles compress 5 to 30 times; gzip tops out near 1030, zip's
 * deflate the same. Past BOMB_MIN_BYTES of output, a ratio above BOMB_RATIO stops the read.
 * The output is the larger of what the compression filter produced (libarchive's own counter,
 * so data it skips counts too) and what the format delivered (`delivered`: zip entries are
 * compressed inside the format). Returns a message (malloc'd) or NULL. */
#define BOMB_MIN_BYTES (256ULL << 20)
#define BOMB_RATIO 200
static char *bomb_check(struct archive *a, uint64_t delivered)
{
	la_int64_t out = archive_filter_bytes(a, 0), in = archive_filter_bytes(a, -1);
	if ((uint64_t)out < delivered)
		out = (la_int64_t)delivered;
	if (out < (la_int64_t)BOMB_MIN_BYTES || in <= 0 || out / in < BOMB_RATIO)
		return NULL;
	return fd_xasprintf("stopped after %lld MiB decompressed from %lld KiB: a compression ratio "
			    "over %d:1 looks like a decompression bomb",
			    (long long)(out >> 20), (long long)(in >> 10), BOMB_RATIO);
}

struct arc_handle {
	struct archive *a;
	struct fd_bundle *b;
	char *bomb; /* why reading stopped, when it was a bomb (malloc'd) */
	bool failed;
	bool total_hit;
};

static long arc_read(void *handle, void *buf, size_t n, struct fd_error *err)
{
	struct arc_handle *h = handle;
	if (h->failed || h->total_hit)
		return h->failed ? -1 : 0;
	if (h->b->bytes_read >= h->b->limits.max_total_bytes) {
		h->total_hit = true;
		return 0;
	}
	if (n > h->b->limits.max_total_bytes - h->b->bytes_read)
		n = (size_t)(h->b->limits.max_total_bytes - h->b->bytes_read);
	la_ssize_t r = archive_read_data(h->a, buf, n);
	char *bomb = r > 0 ? bomb_check(h->a, h->b->bytes_read + (uint64_t)r) : NULL;
	if (r < 0 || bomb) {
		h->failed = true;
		const char *m = archive_error_string(h->a);
		fd_error_set(err, FD_EBUNDLE, "%s", bomb ? bomb : m ? m : "read error");
		free(h->bomb);
		h->bomb = bomb;
		return -1;
	}
	h->b->bytes_read += (uint64_t)r;
	return (long)r;
}

/* ---- what both archive walkers report ---- */

/* A header could not be read (or a bomb was seen before it): an error when nothing was read
 * yet, else a warning. Returns 0 or FD_EBUNDLE. */
static int header_failed(struct fd_bundle *b, const char *what, uint64_t seen, bool bomb,
			 const char *msg, struct fd_error *err)
{
	if (bomb && seen) {
		fd_bundle_warn(b, "%s: %s; the rest was not read", what, msg);
		return 0;
	}
	if (seen == 0)
		return fd_error_set(err, FD_EBUNDLE, "%s: not a readable bundle: %s", what, msg);
	fd_bundle_warn(b, "%s: archive damaged after %llu entries (%llu bytes): %s; the rest could "
			  "not be read",
		       what, (unsigned long long)seen, (unsigned long long)b->bytes_read, msg);
	return 0;
}

/* Counts an entry against --max-entries; true (with a warning) when it is one too many. */
static bool entries_exceeded(struct fd_bundle *b)
{
	b->entries++;
	if (b->entries <= b->limits.max_entries)
		return false;
	fd_bundle_warn(b, "stopped after %llu entries (--max-entries); the rest of the bundle was "
			  "not read",
		       (unsigned long long)b->limits.max_entries);
	return true;
}

/* After an entry: true (with a warning) when its reading stopped the walk. */
static bool entry_stopped(struct fd_bundle *b, const char *what, uint64_t seen, bool failed,
			  bool bomb, const char *msg, bool total_hit)
{
	if (failed && bomb) {
		fd_bundle_warn(b, "%s: entry %llu: %s; the rest was not read", what,
			       (unsigned long long)seen, msg);
		return true;
	}
	if (failed) {
		fd_bundle_warn(b, "%s: archive damaged in entry %llu (%llu bytes read): %s; the rest "
				  "could not be read",
			       what, (unsigned long long)seen, (unsigned long long)b->bytes_read,
			       msg ? msg : "read error");
		return true;
	}
	if (total_hit) {
		fd_bundle_warn(b, "stopped after reading %llu bytes (--max-total-bytes); the rest of "
				  "the bundle was not read",
			       (unsigned long long)b->bytes_read);
		return true;
	}
	return false;
}

/* The end of a walk: an empty archive is an error; skipped links and renamed entries are
 * warnings. */
static int walk_done(struct fd_bundle *b, const char *what, uint64_t seen, uint64_t links,
		     uint64_t renamed, int rc, struct fd_error *err)
{
	if (seen == 0 && rc == 0 && !b->timed_out)
		rc = fd_error_set(err, FD_EBUNDLE, "%s: empty archive: no entries", what);
	if (links)
		fd_bundle_warn(b, "%llu link entries were skipped (links are never followed)",
			       (unsigned long long)links);
	if (renamed)
		fd_bundle_warn(b, "%llu entry names were unsafe (absolute, '..', control characters "
				  "or bad UTF-8) and were sanitized",
			       (unsigned long long)renamed);
	return rc;
}

/* True when an archive already held `name` (the same path twice, or two names that sanitize to
 * one): the first copy is the one read, this one is skipped, and the report says so. */
static bool duplicate_entry(struct fd_bundle *b, struct fd_map *paths, const char *name,
			    uint64_t seen)
{
	uintptr_t first = (uintptr_t)fd_map_get(paths, name);
	if (!first) {
		fd_map_put(paths, name, (void *)(uintptr_t)seen);
		return false;
	}
	fd_bundle_warn(b, "%s: the archive holds this path more than once; the first copy (entry "
			  "%llu) was read, the copy at entry %llu was skipped",
		       name, (unsigned long long)first, (unsigned long long)seen);
	return true;
}

static int walk_archive_sync(struct fd_bundle *b, struct archive *a, const char *what,
			     fd_entry_cb cb, void *payload, struct fd_error *err)
{
	struct archive_entry *ae;
	struct arc_handle h = {a, b, NULL, false, false};
	struct fd_map paths = {0}; /* entry name -> its position, for duplicates */
	uint64_t seen = 0, links = 0, renamed = 0;
	int rc = 0;
	for (;;) {
		if (fd_bundle_over_deadline(b))
			break;
		int r = archive_read_next_header(a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		char *bomb = r >= ARCHIVE_WARN ? bomb_check(a, b->bytes_read) : NULL;
		if (bomb) {
			rc = header_failed(b, what, seen, true, bomb, err);
			free(bomb);
			if (rc)
				goto out;
			break;
		}
		if (r < ARCHIVE_WARN || r == ARCHIVE_RETRY) {
			const char *m = archive_error_string(a);
			rc = header_failed(b, what, seen, false,
					   m ? m : seen ? "read error" : "unrecognized archive format",
					   err);
			if (rc)
				goto out;
			break;
		}
		seen++;
		if (entries_exceeded(b))
			break;
		if (archive_entry_filetype(ae) != AE_IFREG || archive_entry_hardlink(ae) ||
		    archive_entry_symlink(ae)) {
			if (archive_entry_filetype(ae) != AE_IFDIR)
				links++;
			continue;
		}
		const char *raw = archive_entry_pathname(ae);
		if (!raw)
			raw = archive_entry_pathname_utf8(ae);
		if (!raw)
			raw = "(unnamed)";
		bool changed;
		char *name = sanitize_name(raw, &changed);
		if (changed)
			renamed++;
		if (!*name || duplicate_entry(b, &paths, name, seen)) {
			free(name);
			continue;
		}
		struct fd_entry e = {name, (uint64_t)archive_entry_size(ae), arc_read, &h};
		cb(&e, payload);
		free(name);
		if (entry_stopped(b, what, seen, h.failed, h.bomb != NULL,
				  h.bomb ? h.bomb : archive_error_string(a), h.total_hit))
			break;
	}
	rc = walk_done(b, what, seen, links, renamed, rc, err);
out:
	fd_map_free(&paths);
	free(h.bomb);
	return rc;
}

/* ---- archives, decompressed on a second thread ----
 *
 * Decompression costs about as much as scanning what it yields, so a reader thread runs
 * libarchive (headers and data, in archive order) into a ring of buffers while the calling
 * thread routes entries and scans them. The reader owns the archive until it is joined; all
 * bundle state (limits, warnings, counters) stays on the calling thread, which sees exactly the
 * sequence of headers, data and errors the single-threaded walk would. Memory: RING buffers of
 * SLOT_BYTES. */

#define RING 8
#define SLOT_BYTES (256 * 1024)

enum msg_kind { M_HEADER, M_HEADER_FAIL, M_EOF, M_DATA, M_DATA_END, M_DATA_ERR };

struct msg {
	enum msg_kind kind;
	char *buf; /* SLOT_BYTES, owned by the slot */
	size_t len;
	char *name;   /* M_HEADER: raw entry name (malloc'd) */
	char *errmsg; /* M_HEADER_FAIL, M_DATA_ERR (malloc'd) */
	bool bomb;    /* M_HEADER_FAIL, M_DATA_ERR: reading stopped on a decompression bomb */
	bool regular, dir;
	int64_t size;
};

struct ring {
	struct archive *a;
	pthread_mutex_t mu;
	pthread_cond_t can_put, can_get;
	struct msg slot[RING];
	unsigned head, count; /* the consumer holds slot[head] until it releases it */
	bool stop;            /* set by the consumer: the reader ends at its next step */
	uint64_t delivered;   /* entry data the reader produced (reader thread only) */
};

/* Reader side: waits for a free slot; NULL when told to stop. */
static struct msg *ring_reserve(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	while (r->count == RING && !r->stop)
		pthread_cond_wait(&r->can_put, &r->mu);
	struct msg *m = r->stop ? NULL : &r->slot[(r->head + r->count) % RING];
	pthread_mutex_unlock(&r->mu);
	return m;
}

static void ring_publish(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->count++;
	pthread_cond_signal(&r->can_get);
	pthread_mutex_unlock(&r->mu);
}

static char *err_copy(struct archive *a, const char *dflt)
{
	const char *m = archive_error_string(a);
	return fd_xstrdup(m ? m : dflt);
}

static void *reader_main(void *arg)
{
	struct ring *r = arg;
	struct archive_entry *ae;
	for (;;) {
		struct msg *m = ring_reserve(r);
		if (!m)
			return NULL;
		int rc = archive_read_next_header(r->a, &ae);
		if (rc == ARCHIVE_EOF) {
			m->kind = M_EOF;
			ring_publish(r);
			return NULL;
		}
		if (rc < ARCHIVE_WARN || rc == ARCHIVE_RETRY) {
			m->kind = M_HEADER_FAIL;
			m->errmsg = err_copy(r->a, "unrecognized archive format");
			ring_publish(r);
			return NULL;
		}
		char *bomb = bomb_check(r->a, r->delivered);
		if (bomb) {
			m->kind = M_HEADER_FAIL;
			m->bomb = true;
			m->errmsg = bomb;
			ring_publish(r);
			return NULL;
		}
		m->kind = M_HEADER;
		m->regular = archive_entry_filetype(ae) == AE_IFREG && !archive_entry_hardlink(ae) &&
			     !archive_entry_symlink(ae);
		m->dir = archive_entry_filetype(ae) == AE_IFDIR;
		m->size = archive_entry_size(ae);
		const char *raw = archive_entry_pathname(ae);
		if (!raw)
			raw = archive_entry_pathname_utf8(ae);
		m->name = fd_xstrdup(raw ? raw : "(unnamed)");
		bool regular = m->regular;
		ring_publish(r);
		while (regular) {
			m = ring_reserve(r);
			if (!m)
				return NULL;
			la_ssize_t n = archive_read_data(r->a, m->buf, SLOT_BYTES);
			if (n > 0)
				r->delivered += (uint64_t)n;
			char *dbomb = n > 0 ? bomb_check(r->a, r->delivered) : NULL;
			if (n < 0 || dbomb) {
				m->kind = M_DATA_ERR;
				m->bomb = dbomb != NULL;
				m->errmsg = dbomb ? dbomb : err_copy(r->a, "read error");
				ring_publish(r);
				return NULL;
			}
			m->kind = n ? M_DATA : M_DATA_END;
			m->len = (size_t)n;
			ring_publish(r);
			if (!n)
				break;
		}
	}
}

/* Consumer side: the message at the head, waiting for it. */
static struct msg *ring_peek(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	while (r->count == 0)
		pthread_cond_wait(&r->can_get, &r->mu);
	struct msg *m = &r->slot[r->head];
	pthread_mutex_unlock(&r->mu);
	return m;
}

static void ring_release(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	struct msg *m = &r->slot[r->head];
	free(m->name);
	free(m->errmsg);
	m->name = m->errmsg = NULL;
	r->head = (r->head + 1) % RING;
	r->count--;
	pthread_cond_signal(&r->can_put);
	pthread_mutex_unlock(&r->mu);
}

struct tarc_handle {
	struct ring *r;
	struct fd_bundle *b;
	size_t off;   /* bytes of the head M_DATA message already handed out */
	bool ended;   /* the entry's data is over (M_DATA_END or M_DATA_ERR consumed) */
	bool failed;
	bool total_hit;
	bool bomb; /* the failure was a decompression bomb */
	char *errmsg;
};

static long tarc_read(void *handle, void *buf, size_t n, struct fd_error *err)
{
	struct tarc_handle *h = handle;
	if (h->failed || h->total_hit || h->ended)
		return h->failed ? -1 : 0;
	if (h->b->bytes_read >= h->b->limits.max_total_bytes) {
		h->total_hit = true;
		return 0;
	}
	if (n > h->b->limits.max_total_bytes - h->b->bytes_read)
		n = (size_t)(h->b->limits.max_total_bytes - h->b->bytes_read);
	size_t got = 0;
	while (got < n) {
		struct msg *m = ring_peek(h->r);
		if (m->kind == M_DATA_END) {
			ring_release(h->r);
			h->ended = true;
			break;
		}
		if (m->kind == M_DATA_ERR) {
			h->failed = true;
			h->ended = true;
			free(h->errmsg);
			h->errmsg = fd_xstrdup(m->errmsg);
			h->bomb = m->bomb;
			ring_release(h->r);
			if (got)
				break; /* hand out what came before; the error on the next call */
			fd_error_set(err, FD_EBUNDLE, "%s", h->errmsg);
			return -1;
		}
		size_t k = m->len - h->off;
		if (k > n - got)
			k = n - got;
		memcpy((char *)buf + got, m->buf + h->off, k);
		got += k;
		h->off += k;
		if (h->off == m->len) {
			ring_release(h->r);
			h->off = 0;
		}
	}
	h->b->bytes_read += got;
	return (long)got;
}

/* Discards what the callback left of the current entry. */
static void tarc_drain(struct tarc_handle *h)
{
	while (!h->ended) {
		struct msg *m = ring_peek(h->r);
		if (m->kind == M_DATA) {
			/* discarded data counts against --max-total-bytes and --timeout too */
			h->b->bytes_read += m->len > h->off ? m->len - h->off : 0;
			if (h->b->bytes_read >= h->b->limits.max_total_bytes ||
			    fd_bundle_over_deadline(h->b)) {
				h->total_hit = h->b->bytes_read >= h->b->limits.max_total_bytes;
				break;
			}
		}
		if (m->kind == M_DATA_ERR) {
			h->failed = true;
			free(h->errmsg);
			h->errmsg = fd_xstrdup(m->errmsg);
			h->bomb = m->bomb;
		}
		h->ended = m->kind != M_DATA;
		ring_release(h->r);
		h->off = 0;
	}
}

/* Tells the reader to stop and waits for it. */
static void ring_shutdown(struct ring *r, pthread_t th)
{
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_signal(&r->can_put);
	pthread_mutex_unlock(&r->mu);
	pthread_join(th, NULL);
	while (r->count) {
		struct msg *m = &r->slot[r->head];
		free(m->name);
		free(m->errmsg);
		m->name = m->errmsg = NULL;
		r->head = (r->head + 1) % RING;
		r->count--;
	}
}

static int walk_archive(struct fd_bundle *b, struct archive *a, const char *what, fd_entry_cb cb,
			void *payload, struct fd_error *err)
{
	if (!b->reader_thread)
		return walk_archive_sync(b, a, what, cb, payload, err);
	struct ring *r = fd_xcalloc(1, sizeof(*r));
	r->a = a;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->can_put, NULL);
	pthread_cond_init(&r->can_get, NULL);
	for (int i = 0; i < RING; i++)
		r->slot[i].buf = fd_xmalloc(SLOT_BYTES);
	pthread_t th;
	if (pthread_create(&th, NULL, reader_main, r) != 0) {
		for (int i = 0; i < RING; i++)
			free(r->slot[i].buf);
		pthread_cond_destroy(&r->can_get);
		pthread_cond_destroy(&r->can_put);
		pthread_mutex_destroy(&r->mu);
		free(r);
		return walk_archive_sync(b, a, what, cb, payload, err);
	}
	struct tarc_handle h = {r, b, 0, true, false, false, false, NULL};
	struct fd_map paths = {0}; /* entry name -> its position, for duplicates */
	uint64_t seen = 0, links = 0, renamed = 0;
	int rc = 0;
	for (;;) {
		if (fd_bundle_over_deadline(b))
			break;
		struct msg *m = ring_peek(r);
		if (m->kind == M_EOF) {
			ring_release(r);
			break;
		}
		if (m->kind == M_HEADER_FAIL) {
			rc = header_failed(b, what, seen, m->bomb, m->errmsg, err);
			ring_release(r);
			break;
		}
		/* M_HEADER */
		seen++;
		if (entries_exceeded(b)) {
			ring_release(r);
			break;
		}
		bool regular = m->regular;
		if (!regular) {
			if (!m->dir)
				links++;
			ring_release(r);
			continue;
		}
		bool changed;
		char *name = sanitize_name(m->name, &changed);
		int64_t size = m->size;
		ring_release(r);
		h.ended = false;
		h.off = 0;
		if (changed)
			renamed++;
		if (*name && !duplicate_entry(b, &paths, name, seen)) {
			struct fd_entry e = {name, (uint64_t)size, tarc_read, &h};
			cb(&e, payload);
		}
		free(name);
		if (!h.total_hit)
			tarc_drain(&h);
		if (entry_stopped(b, what, seen, h.failed, h.bomb, h.errmsg, h.total_hit))
			break;
	}
	ring_shutdown(r, th);
	fd_map_free(&paths);
	free(h.errmsg);
	for (int i = 0; i < RING; i++)
		free(r->slot[i].buf);
	pthread_cond_destroy(&r->can_get);
	pthread_cond_destroy(&r->can_put);
	pthread_mutex_destroy(&r->mu);
	free(r);
	return walk_done(b, what, seen, links, renamed, rc, err);
}

static struct archive *new_reader(void)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_cpio(a);
	return a;
}

/* ---- directories ---- */

struct dir_handle {
	int fd;
	struct fd_bundle *b;
};

static long dir_read(void *handle, void *buf, size_t n, struct fd_error *err)
{
	struct dir_handle *h = handle;
	if (h->b->bytes_read >= h->b->limits.max_total_bytes)
		return 0;
	ssize_t r;
	do
		r = read(h->fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		fd_error_set(err, FD_EIO, "%s", strerror(errno));
		return -1;
	}
	h->b->bytes_read += (uint64_t)r;
	return (long)r;
}

static int cmp_names(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	/* manifest.json first so the collection time is known before the logs */
	bool mx = strcmp(x, "manifest.json") == 0, my = strcmp(y, "manifest.json") == 0;
	if (mx != my)
		return mx ? -1 : 1;
	return strcmp(x, y);
}

static void walk_dir(struct fd_bundle *b, const char *fs, const char *rel, unsigned depth,
		     fd_entry_cb cb, void *payload)
{
	if (depth > 32) {
		fd_bundle_warn(b, "%s: directory nesting deeper than 32 levels skipped", rel);
		return;
	}
	DIR *d = opendir(fs);
	if (!d) {
		fd_bundle_warn(b, "%s: cannot open directory: %s", rel, strerror(errno));
		return;
	}
	struct fd_vec names = {0};
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			fd_vec_push(&names, fd_xstrdup(de->d_name));
	closedir(d);
	if (names.len)
		fd_qsort(names.v, names.len, sizeof(*names.v), cmp_names);
	for (size_t i = 0; i < names.len; i++) {
		const char *nm = names.v[i];
		char *path = fd_xasprintf("%s/%s", fs, nm);
		char *r = fd_xasprintf("%s/%s", rel, nm);
		struct stat st;
		if (fd_bundle_over_deadline(b) || b->bytes_read >= b->limits.max_total_bytes) {
			free(path);
			free(r);
			continue;
		}
		if (lstat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				walk_dir(b, path, r, depth + 1, cb, payload);
			} else if (S_ISREG(st.st_mode)) {
				b->entries++;
				int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
				if (fd < 0) {
					fd_bundle_warn(b, "%s: cannot open: %s", r, strerror(errno));
				} else {
					bool changed;
					char *name = sanitize_name(r, &changed);
					struct dir_handle h = {fd, b};
					struct fd_entry e = {name, (uint64_t)st.st_size, dir_read, &h};
					cb(&e, payload);
					free(name);
					close(fd);
				}
			} else if (S_ISLNK(st.st_mode)) {
				b->skipped_entries++;
			}
		}
		free(path);
		free(r);
	}
	for (size_t i = 0; i < names.len; i++)
		free(names.v[i]);
	fd_vec_free(&names);
}

int fd_bundle_walk_path(struct fd_bundle *b, const char *path, fd_entry_cb cb, void *payload,
			struct fd_error *err)
{
	struct stat st;
	bool is_stdin = strcmp(path, "-") == 0;
	if (!is_stdin) {
		if (stat(path, &st) != 0)
			return fd_error_set(err, FD_EBUNDLE, "%s: cannot open bundle: %s", path,
					    strerror(errno));
		if (S_ISDIR(st.st_mode)) {
			/* Name entries "<dirname>/..." as an archive of that directory would. */
			char *copy = fd_xstrdup(path);
			size_t n = strlen(copy);
			while (n > 1 && copy[n - 1] == '/')
				copy[--n] = 0;
			const char *base = strrchr(copy, '/');
			base = base ? base + 1 : copy;
			if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
				base = "bundle";
			b->top = fd_arena_strdup(b->arena, base);
			free(copy);
			walk_dir(b, path, b->top, 0, cb, payload);
			if (b->entries == 0)
				return fd_error_set(err, FD_EBUNDLE, "%s: empty directory: no files",
						    path);
			if (b->skipped_entries)
				fd_bundle_warn(b, "%llu symbolic links were skipped (links are never "
						  "followed)",
					       (unsigned long long)b->skipped_entries);
			return 0;
		}
		if (!S_ISREG(st.st_mode))
			return fd_error_set(err, FD_EBUNDLE, "%s: not a regular file or directory",
					    path);
	}
	struct archive *a = new_reader();
	int r = is_stdin ? archive_read_open_fd(a, 0, 65536)
			 : archive_read_open_filename(a, path, 65536);
	int rc;
	if (r != ARCHIVE_OK) {
		const char *m = archive_error_string(a);
		rc = fd_error_set(err, FD_EBUNDLE, "%s: cannot open bundle: %s",
				  is_stdin ? "(standard input)" : path, m ? m : "unknown error");
	} else {
		rc = walk_archive(b, a, is_stdin ? "(standard input)" : path, cb, payload, err);
	}
	archive_read_free(a);
	return rc;
}

int fd_bundle_walk_buffer(struct fd_bundle *b, const void *buf, size_t len, fd_entry_cb cb,
			  void *payload, struct fd_error *err)
{
	struct archive *a = new_reader();
	int rc;
	if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK) {
		const char *m = archive_error_string(a);
		rc = fd_error_set(err, FD_EBUNDLE, "%s: cannot open bundle: %s", b->source,
				  m ? m : "unknown error");
	} else {
		rc = walk_archive(b, a, b->source, cb, payload, err);
	}
	archive_read_free(a);
	return rc;
}
