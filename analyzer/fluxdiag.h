/* fluxdiag.h - public interface of the fluxdiag analyzer core (libfluxdiag).
 *
 * The core reads a support bundle in one streaming pass, loads the Kubernetes objects, logs and
 * metrics it holds, applies a rule set and links the findings into root causes. It never calls
 * exit(), keeps no global state and reports failures through struct fd_error. */
#ifndef FLUXDIAG_H
#define FLUXDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FLUXDIAG_VERSION "0.1.0"

/* What fallible functions of the core return: 0, or one of these negative codes with a message
 * in struct fd_error. They are not exit statuses: the command line maps them (cli/main.c). */
enum fd_code {
	FD_OK = 0,
	FD_EUSAGE = -1,    /* bad arguments: an unknown resource type, a bad pattern */
	FD_EBUNDLE = -2,   /* the bundle cannot be opened or read at all */
	FD_ERULES = -3,    /* a rule file is broken or cannot be read */
	FD_ENOTFOUND = -4, /* the object, pod or log asked for is not in the bundle */
	FD_EIO = -5,       /* a file could not be read or written */
	FD_ENOMEM = -6,    /* a library could not allocate */
};

/* A one-line (or, for located errors, three-line: message, source line, caret) message. */
struct fd_error {
	int code;  /* an enum fd_code */
	char *msg; /* owned; freed by fd_error_clear() */
};

void fd_error_clear(struct fd_error *err);

enum fd_severity { FD_SEV_INFO = 0, FD_SEV_WARNING, FD_SEV_ERROR, FD_SEV_CRITICAL };
const char *fd_severity_name(enum fd_severity s);
int fd_severity_parse(const char *s, enum fd_severity *out);

/* Limits applied to hostile or huge bundles. Every limit hit is reported in bundle.warnings. */
struct fd_limits {
	uint64_t max_entry_bytes;   /* bytes read from one object/metrics file */
	uint64_t max_total_bytes;   /* decompressed bytes read from the whole bundle */
	uint64_t max_entries;       /* archive entries */
	size_t max_line_bytes;      /* one log line; the rest of a longer line is not matched */
	unsigned max_depth;         /* YAML/JSON nesting */
	unsigned max_aliases;       /* YAML alias uses per file */
	uint64_t max_objects_per_file;
	uint64_t max_objects;       /* objects kept from the whole bundle (memory: ~3 KiB each) */
	uint32_t regex_match_limit; /* PCRE2 match limit of one rule regex run (backtracking) */
	uint32_t regex_depth_limit; /* PCRE2 depth limit of one run */
	double timeout_s;           /* whole analysis; 0 = none */
};

void fd_limits_default(struct fd_limits *out);

/* Parses "90s", "15m", "1h30m" (seconds out) and "64M", "2Gi", "1000" (bytes out). 0 = ok. */
int fd_parse_duration(const char *s, double *out);
int fd_parse_size(const char *s, uint64_t *out);

/* ---- rules ---- */
struct fd_ruleset;
struct fd_analyze_opts;

/* Loads every *.yaml / *.yml file of `dir` (sorted by name) into `set`, a rule with an id
 * already present replacing the earlier one. On a broken file returns FD_ERULES with a located
 * message in err. `set` is created by fd_ruleset_new() and freed by fd_ruleset_free(). */
struct fd_ruleset *fd_ruleset_new(void);
/* Same; of `opts` (NULL: defaults) only arena_malloc applies. */
struct fd_ruleset *fd_ruleset_new_opts(const struct fd_analyze_opts *opts);
int fd_ruleset_load_dir(struct fd_ruleset *set, const char *dir, struct fd_error *err);
int fd_ruleset_load_file(struct fd_ruleset *set, const char *path, struct fd_error *err);
/* Loads rules from a buffer; `name` is used in error locations. */
int fd_ruleset_load_buffer(struct fd_ruleset *set, const char *name, const char *buf, size_t len,
			   struct fd_error *err);
size_t fd_ruleset_count(const struct fd_ruleset *set);
/* Located warnings about rules that loaded but may misbehave (a regex with nested
 * quantifiers), for `rules lint`: the i-th one, borrowed from the set. */
size_t fd_ruleset_warning_count(const struct fd_ruleset *set);
const char *fd_ruleset_warning(const struct fd_ruleset *set, size_t i);
void fd_ruleset_free(struct fd_ruleset *set);

enum fd_format { FD_FMT_TEXT, FD_FMT_MARKDOWN, FD_FMT_JSON, FD_FMT_SARIF, FD_FMT_JUNIT, FD_FMT_HTML };
int fd_format_parse(const char *s, enum fd_format *out);

/* Runs one rule test case: `expect_path` is an expectation file (docs/rules.md, "Testing
 * rules") naming a bundle beside it, analyzed with `opts` (NULL: defaults). Returns the number
 * of unmet expectations (0 = pass), with one line each in *failures (malloc'd, caller frees;
 * NULL when none), or a negative error. */
int fd_rules_test_case(const struct fd_ruleset *rules, const char *expect_path,
		       const struct fd_analyze_opts *opts, char **failures, struct fd_error *err);

/* Writes the rule catalog (id, severity, category, title, why) to `out`. */
int fd_ruleset_write_catalog(const struct fd_ruleset *set, enum fd_format fmt, FILE *out);

/* ---- analysis ---- */
struct fd_report;

struct fd_analyze_opts {
	struct fd_limits limits;
	const char *source_name; /* how the bundle is named in the report; NULL = its path */
	/* Optional progress callback, called every few MB read. */
	void (*progress)(uint64_t bytes_read, uint64_t entries, void *payload);
	void *payload;
	/* How the work is done; the report is the same either way. The core reads no environment
	 * variables: the command line maps FLUXDIAG_READER_THREAD, FLUXDIAG_PARSE_THREAD and
	 * FLUXDIAG_ARENA_MALLOC onto these. */
	bool reader_thread; /* decompress archives on a second thread (default true) */
	bool parse_thread;  /* parse object files on a second thread during the walk (default true) */
	bool arena_malloc;  /* every arena block a separate malloc, for valgrind/ASan (default false) */
};

void fd_analyze_opts_default(struct fd_analyze_opts *out);

/* Analyzes the bundle at `path` (archive file, directory, or "-" for standard input) with
 * `rules`. On success *out is a report owned by the caller (fd_report_free). A bundle that is
 * damaged part-way still yields a report whose warnings say what was skipped; only a bundle
 * that cannot be opened or read at all returns FD_EBUNDLE with a one-line message. */
int fd_analyze_path(struct fd_report **out, const char *path, const struct fd_ruleset *rules,
		    const struct fd_analyze_opts *opts, struct fd_error *err);

/* Same, for an archive held in memory (used by tests and fuzzers). */
int fd_analyze_buffer(struct fd_report **out, const void *buf, size_t len, const char *name,
		      const struct fd_ruleset *rules, const struct fd_analyze_opts *opts,
		      struct fd_error *err);

struct fd_render_opts {
	enum fd_format format;
	int color; /* ANSI colour in text output */
};

int fd_report_render(const struct fd_report *report, const struct fd_render_opts *opts, FILE *out);

/* The highest severity among all findings, or -1 when there are none. */
int fd_report_max_severity(const struct fd_report *report);
size_t fd_report_finding_count(const struct fd_report *report);
/* How many cause categories the bundle could not tell about (no evidence either way). */
unsigned fd_report_unknown_count(const struct fd_report *report);
void fd_report_free(struct fd_report *report);

#endif
