/* bundle.h - the state of one bundle being read: its object index, warnings, limits,
 * counters and log accumulators (bundle_index.c), and one entry as the reader delivers it. */
#ifndef FD_BUNDLE_H
#define FD_BUNDLE_H

#include "util.h"
#include "regex.h"

struct fd_rule;
struct fd_ruleset;
struct fd_parse_queue;

struct fd_object {
	json_t *json; /* owned reference */
	const char *api_version, *kind, *ns, *name; /* borrowed from json; "" when missing */
	const char *path;                             /* in the bundle's arena */
	unsigned line;
	bool synthetic;
	const char *node; /* graph node, set by causes_link.c */
};

struct fd_evidence {
	char *path;
	unsigned line;
	char *text;
};

/* Matches of one log rule grouped under one key (object or pod). */
struct fd_log_acc {
	const struct fd_rule *rule;
	char *kind, *ns, *name; /* object the lines name, or NULL */
	char *pod_ns, *pod, *container;
	unsigned long count;
	struct fd_evidence ev[4]; /* first three and the last */
	double ev_ts[4];
	size_t nev;
	json_t *caps;      /* named groups of the first match: object name -> string */
	json_t *fields;    /* msg, error, level of the first match */
	double *ts;        /* with a time window and unknown collection time: every match's ts */
	size_t nts, capts;
	double first_ts, last_ts;
};

struct fd_bundle {
	struct fd_arena *arena;
	struct fd_limits limits;
	const struct fd_ruleset *rules;
	struct fd_vec objects;  /* struct fd_object * (malloc'd) */
	struct fd_map by_key;   /* "kind\x1fns\x1fname" -> object */
	struct fd_map by_kind;  /* kind -> struct fd_vec * */
	struct fd_vec warnings; /* char * (malloc'd) */
	const char *source;
	const char *format;
	const char *top;        /* top-level directory of a directory bundle */
	char *flux_ns;
	double collected_at;
	bool collected_known, has_manifest;
	double newest_ts;
	uint64_t log_files, log_lines, bytes_read, entries, skipped_entries;
	uint64_t files;          /* regular files handed to the loaders */
	struct fd_map collected; /* resource names the manifest shows were listed: "pods" etc. */
	struct fd_map log_pods;  /* "ns/pod" of every pod log read -> number of its log files */
	struct fd_map log_acc;   /* rule-id \x1f key -> struct fd_log_acc * */
	struct fd_vec log_acc_order;
	double deadline;         /* monotonic seconds, 0 none */
	bool reader_thread;      /* fd_analyze_opts: decompress on a second thread */
	bool parse_thread;       /* fd_analyze_opts: parse object files on a second thread */
	struct fd_parse_queue *parse_queue; /* object files parsed on a second thread */
	void (*progress)(uint64_t bytes_read, uint64_t entries, void *payload);
	void *progress_payload;
	double last_progress;
	bool timed_out;
	bool eval_timed_out;     /* rule evaluation stopped at the deadline */
	uint64_t loaded_objects; /* objects loaded from the bundle (not derived) */
	bool objects_full;       /* max_objects reached: no more object files are read */
	pcre2_match_context *mctx; /* the limits every rule regex runs within (regex.c) */
	struct fd_map regex_hits;  /* rule id -> limit hits (regex.c) */
	unsigned long long_lines;
	json_t *health;          /* parsed readyz/livez texts: name -> object */
	json_t *metrics;         /* pod key -> ControllerMetrics object */
	unsigned ncommands;
	/* Paths the bundle layout tells us about */
	bool saw_troubleshoot, saw_native, saw_clusterinfo;
};

/* bundle_index.c: the object index, warnings and deadline every stage may use. */
void fd_bundle_warn(struct fd_bundle *b, const char *fmt, ...) FD_PRINTF(2, 3);
/* Adds an object (takes ownership of the json reference). Duplicates of kind/ns/name are
 * dropped. */
void fd_bundle_add_object(struct fd_bundle *b, json_t *json, const char *path, unsigned line,
			  bool synthetic);
const struct fd_object *fd_bundle_find(const struct fd_bundle *b, const char *kind,
				       const char *ns, const char *name);
const struct fd_vec *fd_bundle_kind(const struct fd_bundle *b, const char *kind);
/* True once the deadline passed (reading stops; warned once). Cheap enough for every few
 * lines: one clock read. */
bool fd_bundle_over_deadline(struct fd_bundle *b);
/* The same for rule evaluation, which gets half a second past the deadline to evaluate what was
 * read; warned once. */
bool fd_bundle_eval_over_deadline(struct fd_bundle *b);
/* A new synthetic fluxdiag.io/v1 object of kind, ns (NULL: none) and name (new reference). */
json_t *fd_fact_new(const char *kind, const char *ns, const char *name);

/* One entry of the bundle as the reader delivers it. */
struct fd_entry {
	const char *path;  /* sanitized, '/'-separated, relative */
	uint64_t size;     /* as declared; may lie */
	/* Reads up to n bytes; returns bytes read, 0 at end, -1 on error (message in err). */
	long (*read)(void *handle, void *buf, size_t n, struct fd_error *err);
	void *handle;
};

typedef int (*fd_entry_cb)(struct fd_entry *e, void *payload);
/* Frees a log accumulator and everything it holds. */
void fd_log_acc_free(struct fd_log_acc *a);

#endif
