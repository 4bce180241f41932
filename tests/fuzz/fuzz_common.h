/* fuzz_common.h - helpers shared by the libFuzzer targets: the shipped rule pack loaded once,
 * in-memory archives, and checks of the properties every report must keep (valid UTF-8 JSON,
 * no raw control characters in text output). A broken property aborts, so libFuzzer records
 * the input as a crash. */
#ifndef FD_FUZZ_COMMON_H
#define FD_FUZZ_COMMON_H

#include "internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_CHECK(cond, ...)                                                                        \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz property broken: " __VA_ARGS__);                     \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static inline struct fd_ruleset *fz_rules(void)
{
	static struct fd_ruleset *set;
	if (!set) {
		const char *dir = getenv("FLUXDIAG_RULES_DIR");
		struct fd_error err = {0};
		set = fd_ruleset_new();
		if (fd_ruleset_load_dir(set, dir && *dir ? dir : FD_SOURCE_DIR "/rules", &err) != 0) {
			fprintf(stderr, "rule pack did not load: %s\n", err.msg);
			abort();
		}
	}
	return set;
}

/* Limits small enough that one input is analyzed in milliseconds. */
static inline void fz_opts(struct fd_analyze_opts *o)
{
	fd_analyze_opts_default(o);
	o->limits.max_total_bytes = 64ULL << 20;
	o->limits.max_entry_bytes = 8ULL << 20;
	o->limits.max_entries = 20000;
	o->limits.max_objects_per_file = 20000;
}

static inline char *fz_render(const struct fd_report *r, enum fd_format fmt, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	struct fd_render_opts ro = {fmt, 0};
	FZ_CHECK(f && fd_report_render(r, &ro, f) == 0, "render failed");
	fclose(f);
	return buf;
}

/* Renders the report in every format and checks what a hostile bundle must never break. */
static inline void fz_check_report(const struct fd_report *r)
{
	size_t len;
	char *out = fz_render(r, FD_FMT_JSON, &len);
	json_error_t e;
	json_t *j = json_loadb(out, len, 0, &e); /* jansson refuses invalid UTF-8 */
	FZ_CHECK(j, "JSON report does not parse: %s", e.text);
	json_decref(j);
	free(out);
	out = fz_render(r, FD_FMT_TEXT, &len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)out[i];
		FZ_CHECK(c >= 0x20 || c == '\n', "raw control byte 0x%02x in text output at %zu", c,
			 i);
		FZ_CHECK(c != 0x7f, "raw DEL in text output");
		FZ_CHECK(!(c == 0xC2 && i + 1 < len && (unsigned char)out[i + 1] >= 0x80 &&
			   (unsigned char)out[i + 1] <= 0x9f),
			 "raw C1 control in text output");
	}
	free(out);
	out = fz_render(r, FD_FMT_MARKDOWN, &len);
	for (size_t i = 0; i < len; i++)
		FZ_CHECK((unsigned char)out[i] != 0x1b, "raw ESC in markdown output");
	free(out);
}

struct fz_membuf {
	char *p;
	size_t len, cap;
};

static inline la_ssize_t fz_write(struct archive *a, void *ud, const void *buf, size_t n)
{
	struct fz_membuf *m = ud;
	(void)a;
	if (m->len + n > m->cap) {
		m->cap = (m->len + n) * 2 + 4096;
		m->p = realloc(m->p, m->cap);
		FZ_CHECK(m->p, "out of memory");
	}
	memcpy(m->p + m->len, buf, n);
	m->len += n;
	return (la_ssize_t)n;
}

/* Builds an uncompressed pax tar of (name, data, len) triples; caller frees *out. */
static inline void fz_tar(const char *const *names, const void *const *data, const size_t *lens,
			  size_t n, char **out, size_t *outlen)
{
	struct fz_membuf m = {0};
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_set_bytes_in_last_block(a, 1);
	FZ_CHECK(archive_write_open(a, &m, NULL, fz_write, NULL) == ARCHIVE_OK, "tar writer");
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		archive_entry_set_pathname(ae, names[i]);
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, 0644);
		archive_entry_set_size(ae, (la_int64_t)lens[i]);
		archive_write_header(a, ae);
		if (lens[i])
			archive_write_data(a, data[i], lens[i]);
		archive_entry_free(ae);
	}
	archive_write_close(a);
	archive_write_free(a);
	*out = m.p;
	*outlen = m.len;
}

#endif
