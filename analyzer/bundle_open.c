/* bundle_open.c - the first stage: walk a bundle (archive by content, directory, or standard
 * input) in one streaming pass and hand each regular file to a callback. Nothing is extracted,
 * links are never followed, and entry names are sanitized before anyone sees them. */
#include "internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

bool fd_bundle_over_deadline(struct fd_bundle *b)
{
	if (b->timed_out)
		return true;
	if (b->deadline > 0 && fd_now_monotonic() > b->deadline) {
		b->timed_out = true;
		fd_bundle_warn(b, "analysis stopped at the --timeout of %.0f s; the rest of the bundle "
				  "was not read",
			       b->limits.timeout_s);
		return true;
	}
	return false;
}

/* ---- archives ---- */

struct arc_handle {
	struct archive *a;
	struct fd_bundle *b;
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
	la_ssize_t r = archive_read_data(h->a, buf, n);
	if (r < 0) {
		h->failed = true;
		const char *m = archive_error_string(h->a);
		fd_error_set(err, FD_EBUNDLE, "%s", m ? m : "read error");
		return -1;
	}
	h->b->bytes_read += (uint64_t)r;
	return (long)r;
}

static int walk_archive(struct fd_bundle *b, struct archive *a, const char *what, fd_entry_cb cb,
			void *payload, struct fd_error *err)
{
	struct archive_entry *ae;
	struct arc_handle h = {a, b, false, false};
	uint64_t seen = 0, links = 0, renamed = 0;
	int rc = 0;
	for (;;) {
		if (fd_bundle_over_deadline(b))
			break;
		int r = archive_read_next_header(a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			const char *m = archive_error_string(a);
			if (seen == 0) {
				rc = fd_error_set(err, FD_EBUNDLE, "%s: not a readable bundle: %s", what,
						  m ? m : "unrecognized archive format");
				goto out;
			}
			fd_bundle_warn(b, "%s: archive damaged after %llu entries (%llu bytes): %s; the "
					  "rest could not be read",
				       what, (unsigned long long)seen, (unsigned long long)b->bytes_read,
				       m ? m : "read error");
			break;
		}
		seen++;
		b->entries++;
		if (b->entries > b->limits.max_entries) {
			fd_bundle_warn(b, "stopped after %llu entries (--max-entries); the rest of the "
					  "bundle was not read",
				       (unsigned long long)b->limits.max_entries);
			break;
		}
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
		if (!*name) {
			free(name);
			continue;
		}
		struct fd_entry e = {name, (uint64_t)archive_entry_size(ae), arc_read, &h};
		struct fd_error eerr = {0};
		(void)eerr;
		cb(&e, payload);
		free(name);
		if (h.failed) {
			const char *m = archive_error_string(a);
			fd_bundle_warn(b, "%s: archive damaged in entry %llu (%llu bytes read): %s; the "
					  "rest could not be read",
				       what, (unsigned long long)seen, (unsigned long long)b->bytes_read,
				       m ? m : "read error");
			break;
		}
		if (h.total_hit) {
			fd_bundle_warn(b, "stopped after reading %llu bytes (--max-total-bytes); the rest "
					  "of the bundle was not read",
				       (unsigned long long)b->bytes_read);
			break;
		}
	}
	if (seen == 0 && rc == 0 && !b->timed_out)
		rc = fd_error_set(err, FD_EBUNDLE, "%s: empty archive: no entries", what);
	if (links)
		fd_bundle_warn(b, "%llu link entries were skipped (links are never followed)",
			       (unsigned long long)links);
	if (renamed)
		fd_bundle_warn(b, "%llu entry names were unsafe (absolute, '..', control characters "
				  "or bad UTF-8) and were sanitized",
			       (unsigned long long)renamed);
out:
	return rc;
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
	qsort(names.v, names.len, sizeof(*names.v), cmp_names);
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
