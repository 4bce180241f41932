/* bundle_util.h - test helpers: build bundle archives in memory, analyze, get the JSON report. */
#ifndef TB_BUNDLE_UTIL_H
#define TB_BUNDLE_UTIL_H

#include <jansson.h>
#include <stddef.h>

#include "fluxdiag.h"

struct tb_entry {
	const char *path;
	const char *data; /* NULL with len 0 for an empty file */
	size_t len;       /* 0: strlen(data) */
	int type;         /* 0 file, 1 symlink, 2 directory, 3 hardlink */
	const char *link;
};

/* Builds an archive of `format` ("tar.gz", "tar", "zip", "tar.xz", "tar.zst", "tar.bz2") in
 * memory; *out is malloc'd, caller frees. Returns 0 or -1. */
int tb_archive_entries(const struct tb_entry *e, size_t n, const char *format, void **out,
		       size_t *len);
/* Archives directory `dir` with entries named "<top>/<relative path>". */
int tb_archive_dir(const char *dir, const char *top, const char *format, void **out, size_t *len);

/* Default analyze options, with FLUXDIAG_READER_THREAD=0 and FLUXDIAG_PARSE_THREAD=0 of the
 * environment mapped onto them (the one-thread runs of the tests set them). */
void tb_opts(struct fd_analyze_opts *o);

/* Loads the shipped rule pack; aborts the test on error. Caller frees. */
struct fd_ruleset *tb_rules(void);
/* Renders a report as JSON and parses it back (caller decrefs). */
json_t *tb_report_json(const struct fd_report *r);
/* Analyzes an in-memory archive with default options; returns the JSON report or NULL with the
 * error message in *err_out (malloc'd). */
json_t *tb_analyze_buffer(const void *buf, size_t len, const struct fd_ruleset *rules,
			  const struct fd_limits *lim, char **err_out);
/* The first finding of a rule, or NULL. */
json_t *tb_find(json_t *report, const char *rule);

#endif
