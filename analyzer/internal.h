/* internal.h - types and helpers shared by the stages of the analyzer core.
 * Not installed; the public interface is fluxdiag.h. */
#ifndef FD_INTERNAL_H
#define FD_INTERNAL_H

#include "fluxdiag.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

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

/* ---- presentation (present.c) ---- */
enum fd_esc_flags {
	FD_ESC_KEEP_TAB = 1,  /* a tab stays as it is (log lines); without a flag it becomes \t */
	FD_ESC_TAB_SPACE = 2, /* a tab becomes a space (report text) */
};
/* Appends n bytes of s to b escaped for a terminal: C0 and C1 controls, DEL, the bidirectional
 * overrides and line separators as \xNN, \uNNNN (\n, \t, \r for those), every byte that is
 * not valid UTF-8 as \xNN. A newline is kept and followed by nl_indent when nl_indent is not
 * NULL. b is NUL-terminated afterwards. */
void fd_escape(struct fd_buf *b, const char *s, size_t n, unsigned flags, const char *nl_indent);
/* Writes s (NULL: nothing) escaped as fd_escape does. */
void fd_put_escaped(FILE *out, const char *s, unsigned flags, const char *nl_indent);
/* The label of an object for people: "Kind namespace/name", or "Kind name" when ns is NULL or
 * empty (cluster-scoped). Malloc'd; the caller frees. Not escaped. */
char *fd_object_label(const char *kind, const char *ns, const char *name);
/* A JSON string of s, with invalid UTF-8 replaced (new reference). */
json_t *fd_json_str(const char *s);
/* Writes s escaped for HTML and XML text and attributes; control characters as \xNN. */
void fd_put_markup(FILE *out, const char *s);

/* ---- paths (path_eval.c) ---- */
struct fd_path;
/* Parses a field path. On error returns NULL and sets *errpos (0-based byte offset) and
 * *errmsg (static string). The result is freed with fd_path_free(). */
struct fd_path *fd_path_parse(const char *s, size_t *errpos, const char **errmsg);
void fd_path_free(struct fd_path *p);
/* Appends every value `p` reaches from `root` to `out` (borrowed references). Evaluation is
 * bounded: at most `max_values` values are returned. */
void fd_path_eval(const struct fd_path *p, json_t *root, struct fd_vec *out, size_t max_values);

/* ---- YAML (yaml_load.c) ---- */
/* A YAML node with its source position, for files whose errors must be located (rules). */
enum fd_ynode_type { FD_Y_SCALAR, FD_Y_SEQ, FD_Y_MAP };
struct fd_ynode {
	enum fd_ynode_type type;
	unsigned line, col; /* 1-based */
	const char *value;  /* scalar text */
	bool quoted;        /* scalar was quoted */
	size_t n;           /* SEQ: items; MAP: pairs (keys at 2i, values at 2i+1) */
	struct fd_ynode **kids;
};
/* Parses one YAML document from buf into nodes allocated in `arena`. Aliases are refused.
 * Returns 0, or FD_ERULES with a located error naming `name`. */
int fd_yaml_parse_tree(struct fd_ynode **out, struct fd_arena *arena, const char *name,
		       const char *buf, size_t len, unsigned max_depth, struct fd_error *err);
struct fd_ynode *fd_ynode_get(const struct fd_ynode *map, const char *key);
/* Converts a node tree into JSON (plain scalars typed as YAML 1.1 core: null, bool, int, float). */
json_t *fd_ynode_to_json(const struct fd_ynode *n);

/* Callback receiving each object of a multi-object file: the object (borrowed; incref to keep),
 * and the 1-based line it starts on. Return non-zero to stop. */
typedef int (*fd_object_cb)(json_t *obj, unsigned line, void *payload);

struct fd_load_stats {
	unsigned long objects;
	bool truncated;          /* stopped at max_objects_per_file */
	char *warning;           /* malloc'd: a parse problem, located; NULL if none */
};
/* Streams the Kubernetes objects of a YAML file (single objects, Lists, multi-document) to cb.
 * Bad YAML stops the file with a located warning; objects before it are kept. */
void fd_yaml_load_objects(const char *name, const char *buf, size_t len,
			  const struct fd_limits *lim, fd_object_cb cb, void *payload,
			  struct fd_load_stats *stats);
/* Same for a JSON file (object, List, or array of objects). */
void fd_json_load_objects(const char *name, const char *buf, size_t len,
			  const struct fd_limits *lim, fd_object_cb cb, void *payload,
			  struct fd_load_stats *stats);

/* ---- rules (rules_parse.c) ---- */
enum fd_category {
	FD_CAT_APISERVER,
	FD_CAT_NETWORK,
	FD_CAT_CONTROLLER,
	FD_CAT_CACHE,
	FD_CAT_BACKLOG,
	FD_CAT_CONFIG,
	FD_CAT_SOURCE,
	FD_CAT_APPLY,
	FD_CAT_COUNT
};
const char *fd_category_name(enum fd_category c);

enum fd_op {
	FD_OP_EQUALS,
	FD_OP_NOT_EQUALS,
	FD_OP_IN,
	FD_OP_NOT_IN,
	FD_OP_REGEX,
	FD_OP_EXISTS,
	FD_OP_ABSENT,
	FD_OP_GT,
	FD_OP_LT,
	FD_OP_GE,
	FD_OP_LE,
	FD_OP_OLDER,
	FD_OP_NEWER,
};

enum fd_cond_type { FD_COND_ALL, FD_COND_ANY, FD_COND_NOT, FD_COND_TEST, FD_COND_LOOKUP };

struct fd_cond {
	enum fd_cond_type type;
	struct fd_cond **kids;
	size_t nkids;
	/* TEST */
	struct fd_path *path;
	const char *path_text;
	enum fd_op op;
	const char **operands; /* templates; one unless IN/NOT_IN */
	size_t noperands;
	pcre2_code *re;
	pcre2_match_data *md; /* for re; owned by the rule set */
	bool flag;            /* EXISTS/ABSENT operand */
	/* LOOKUP */
	const char *lk_kind, *lk_ns, *lk_name;
};

/* A selector: matches when the value equals one of `exact` or matches one of `re`. Empty
 * selector matches everything. */
struct fd_selector {
	size_t n;
	const char **exact; /* NULL entries where re[i] is used */
	pcre2_code **re;
};

enum fd_match_kind { FD_MATCH_RESOURCE, FD_MATCH_LOG, FD_MATCH_EVENT };
enum fd_log_by { FD_BY_OBJECT, FD_BY_POD, FD_BY_RULE };

struct fd_rule {
	const char *id, *title, *message, *why, *node;
	enum fd_severity severity;
	enum fd_category category;
	enum fd_match_kind match;
	/* resource */
	struct fd_selector api_version, kind, ns, name;
	struct fd_cond *where;
	/* log */
	pcre2_code *l_ns, *l_pod, *l_container, *pattern;
	const char *literal; /* prefilter: alternatives separated by '\n', one of which every
				match contains; NULL when none could be proven */
	int previous;        /* -1 any, 0 current only, 1 previous only */
	const char *level;
	/* event */
	pcre2_code *e_reason, *e_message;
	const char *e_type;
	struct fd_selector inv_kind, inv_ns, inv_name;
	/* log and event */
	unsigned min_count;
	double within; /* seconds, 0 = any time */
	enum fd_log_by by;
	const char **fix, **docs, **explains;
	size_t nfix, ndocs, nexplains;
	bool fallback;
	const char *file;
	unsigned line;
	size_t index; /* position in the rule set */
};

struct fd_ruleset {
	struct fd_arena *arena;
	struct fd_vec rules; /* struct fd_rule *, in arena */
	struct fd_map by_id;
	struct fd_vec codes; /* pcre2_code * to free */
	struct fd_vec paths; /* struct fd_path * of conditions, to free */
	struct fd_map path_intern; /* path text -> the one struct fd_path for it */
	struct fd_vec mds;   /* pcre2_match_data * of conditions, to free */
};

/* Compiles a regex for a rule; on error returns NULL and fills err with the PCRE2 message and
 * offset. The code is JIT-compiled and registered in set->codes. */
pcre2_code *fd_rules_compile_regex(struct fd_ruleset *set, const char *re, size_t *erroffset,
				   char *errbuf, size_t errbuf_len);

/* ---- the bundle state (bundle_open.c, objects_load.c, logs_scan.c) ---- */
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
	struct fd_map collected; /* resource names the manifest shows were listed: "pods" etc. */
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
	unsigned long long_lines;
	json_t *health;          /* parsed readyz/livez texts: name -> object */
	json_t *metrics;         /* pod key -> ControllerMetrics object */
	unsigned ncommands;
	/* Paths the bundle layout tells us about */
	bool saw_troubleshoot, saw_native, saw_clusterinfo;
};

void fd_bundle_warn(struct fd_bundle *b, const char *fmt, ...) FD_PRINTF(2, 3);
/* Adds an object (takes ownership of the json reference). Duplicates of kind/ns/name are
 * dropped. */
void fd_bundle_add_object(struct fd_bundle *b, json_t *json, const char *path, unsigned line,
			  bool synthetic);
const struct fd_object *fd_bundle_find(const struct fd_bundle *b, const char *kind,
				       const char *ns, const char *name);
const struct fd_vec *fd_bundle_kind(const struct fd_bundle *b, const char *kind);
bool fd_bundle_over_deadline(struct fd_bundle *b);
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

/* bundle_open.c: walks the bundle at path ("-" stdin, directory, or archive), calling cb for
 * each regular file. Returns 0, or FD_EBUNDLE when the bundle cannot be read at all; damage
 * after the first entry becomes a warning in b. */
int fd_bundle_walk_path(struct fd_bundle *b, const char *path, fd_entry_cb cb, void *payload,
			struct fd_error *err);
int fd_bundle_walk_buffer(struct fd_bundle *b, const void *buf, size_t len, fd_entry_cb cb,
			  void *payload, struct fd_error *err);

/* objects_load.c: routes one entry to the right loader. */
int fd_entry_load(struct fd_entry *e, void *payload /* struct fd_bundle * */);
/* Splits a log path ".../<namespace>/<pod>/<container>[.previous|-previous].log" (or
 * "logs.txt", container "") into malloc'd parts the caller frees. Returns false for paths that
 * repeat other logs (troubleshoot's all-logs/). */
bool fd_log_identity(const char *path, char **ns, char **pod, char **container, bool *previous);
/* Applies every object file still being parsed and stops the parsing thread; called once the
 * walk is over (also after an error), before anything reads the index. */
void fd_objects_finish(struct fd_bundle *b);
/* Parses manifest.json contents. */
void fd_manifest_load(struct fd_bundle *b, const char *path, const char *buf, size_t len);

/* logs_scan.c */
void fd_log_scan(struct fd_bundle *b, struct fd_entry *e, const char *ns, const char *pod,
		 const char *container, bool previous);
void fd_log_acc_free(struct fd_log_acc *a);
/* Extracts a timestamp from a log line (JSON ts, klog header, RFC 3339 prefix). */
bool fd_log_line_time(const char *line, size_t len, double ref, double *out);

/* facts_derive.c: synthesizes fluxdiag.io/v1 objects (FluxController, BundleInfo, ...). */
void fd_facts_derive(struct fd_bundle *b);
void fd_metrics_load(struct fd_bundle *b, const char *path, const char *ns, const char *pod,
		     const char *buf, size_t len);
void fd_health_load(struct fd_bundle *b, const char *path, const char *name, const char *buf,
		    size_t len);
/* flux_controllers.c: the Flux controllers and the kinds each reconciles. */
struct fd_flux_controller {
	const char *controller;
	const char *kinds[6]; /* NULL-terminated when shorter */
};
extern const struct fd_flux_controller fd_flux_controllers[];
extern const size_t fd_flux_ncontrollers;
/* The Flux controller reconciling `kind`, or NULL. */
const char *fd_controller_for_kind(const char *kind);
/* The controller a pod/deployment/lease name belongs to, or NULL. */
const char *fd_controller_for_name(const char *name);

/* ---- findings (rules_eval.c) ---- */
struct fd_finding {
	char id[24];
	const struct fd_rule *rule;
	char *api_version, *kind, *ns, *name; /* kind NULL: no object */
	char *message, *why;
	char **fix;
	size_t nfix;
	struct fd_evidence *ev;
	size_t nev;
	char *node;
	size_t *caused_by, ncaused;
	size_t *symptoms, nsymptoms;
	size_t explained_total;
	bool dropped;
};

/* One moment in the report's timeline. */
struct fd_tl_entry {
	double t;
	const char *source; /* "event", "condition", "log" (static) */
	bool warning;
	char *object; /* "Kind ns/name" */
	char *text;
};

struct fd_report {
	char *source, *format, *collected_at;
	bool collected_known;
	uint64_t objects, log_files, log_lines, bytes_read;
	struct fd_vec warnings; /* char * owned */
	struct fd_finding **findings;
	size_t nfindings;
	size_t *roots, nroots;
	size_t nrules;
	const struct fd_ruleset *rules; /* borrowed, for renderers (junit) */
	struct fd_tl_entry *timeline;   /* oldest first */
	size_t ntimeline;
};

/* report_timeline.c: events, condition transitions and log errors in time order. */
void fd_timeline_build(const struct fd_bundle *b, struct fd_report *r);
void fd_timeline_free(struct fd_report *r);

/* Template rendering context. */
struct fd_tctx {
	const struct fd_bundle *b;
	json_t *obj;          /* {.path} root; may be NULL */
	const char *kind, *ns, *name, *api_version;
	json_t *caps;         /* {cap.X}; may be NULL */
	json_t *vars;         /* other variables: count, pod, log.msg ...; may be NULL */
};
/* Renders a template; returns a malloc'd string. *missing is set when a field had no value
 * (and no default). */
char *fd_template_render(const char *tpl, const struct fd_tctx *ctx, bool *missing);
/* The same for a fix line, a shell command line: each value is quoted for where it lands. */
char *fd_template_render_fix(const char *tpl, const struct fd_tctx *ctx, bool *missing);
/* Checks a template's syntax; returns NULL or a static message and sets *pos. */
const char *fd_template_check(const char *tpl, size_t *pos);
/* The same for a fix line, which must also read as a shell line its values can be quoted in. */
const char *fd_template_check_fix(const char *tpl, size_t *pos);

void fd_rules_evaluate(struct fd_bundle *b, struct fd_vec *findings);
/* Adds the named groups of a successful match of re on s to caps. */
void fd_regex_captures(json_t *caps, const pcre2_code *re, pcre2_match_data *md, const char *s);
/* The time an Event happened (lastTimestamp, eventTime, series, creation), or 0. */
double fd_event_time(json_t *e);
void fd_finding_free(struct fd_finding *f);

/* causes_link.c */
void fd_causes_link(struct fd_bundle *b, struct fd_report *r);
/* The graph node of an object ("Kind/ns/name", "controller:NAME", "apiserver"); malloc'd. */
char *fd_node_for(const struct fd_bundle *b, const char *kind, const char *ns, const char *name);
/* The cause graph of a bundle: what each node depends on. */
struct fd_graph;
struct fd_graph *fd_graph_new(struct fd_bundle *b);
/* Appends the nodes `node` depends on to out (malloc'd strings the caller frees). */
void fd_graph_upstreams(struct fd_graph *g, const char *node, struct fd_vec *out);
void fd_graph_free(struct fd_graph *g);

/* analyze.c: loads a bundle's objects and derived facts without evaluating rules, for the
 * browsing commands. Free with fd_bundle_close(). Returns 0 or FD_EBUNDLE. */
int fd_bundle_load(struct fd_bundle **out, const char *path, const struct fd_analyze_opts *opts,
		   struct fd_error *err);
void fd_bundle_close(struct fd_bundle *b);

/* report_render.c: the fluxdiag.report/v1 document (caller decrefs). */
json_t *fd_report_to_json(const struct fd_report *r);

/* rules_test.c: checks a report against an expectation document (tests/golden/README.md).
 * Appends one line per unmet expectation to `failures`; returns how many there were. */
unsigned fd_expect_check(json_t *want, json_t *report, struct fd_buf *failures);
/* Parses an expectation (or any small YAML) file into JSON; NULL with err set on failure. */
json_t *fd_yaml_file_to_json(const char *path, bool arena_malloc, struct fd_error *err);

/* report_ci.c and report_html.c */
int fd_render_sarif(const struct fd_report *r, FILE *out);
int fd_render_junit(const struct fd_report *r, FILE *out);
int fd_render_html(const struct fd_report *r, FILE *out);

/* rules_eval.c: selectors and one-off regex matches */
bool fd_selector_match(const struct fd_selector *s, const char *value);
bool fd_regex_match(const pcre2_code *re, const char *s, size_t len);

double fd_now_monotonic(void);

/* ---- browsing a loaded bundle (browse.c): kubectl-like views for get, describe, events,
 * trace and logs. They write to `out`, escape every text taken from the bundle, and measure
 * ages against the collection time. ---- */


struct fd_browse_kind {
	const char *kind; /* static, or borrowed from the bundle */
	bool namespaced;
};
/* Resolves a kubectl-style resource name (plural, singular, short name, Kind, "name.group";
 * case-insensitive) among the known kinds, then the kinds of `b` (may be NULL). Returns 0, or
 * FD_EUSAGE for a name that matches nothing. */
int fd_browse_kind(struct fd_browse_kind *out, const struct fd_bundle *b, const char *resource,
		   struct fd_error *err);
/* `ns` when given, else the bundle's Flux namespace. Borrowed. */
const char *fd_browse_namespace(const struct fd_bundle *b, const char *ns);
/* A table of the objects of `resource` in ns (NULL: the Flux namespace; ignored with all_ns
 * and for cluster-scoped kinds), only `name` when non-NULL. *nrows is the number of rows
 * (0: nothing was written). FD_EUSAGE for an unknown resource, FD_ENOTFOUND when `name`
 * is absent. */
int fd_browse_get(FILE *out, const struct fd_bundle *b, const char *resource, const char *name,
		  const char *ns, bool all_ns, size_t *nrows, struct fd_error *err);
/* Events of namespace ns (NULL: all) about kind/name (NULL: any; kind case-insensitive),
 * oldest first. Writes nothing when there are none. */
int fd_browse_events(FILE *out, const struct fd_bundle *b, const char *ns, const char *kind,
		     const char *name, size_t *nrows);
/* kubectl-describe-like view of one object and the events about it. */
int fd_browse_describe(FILE *out, const struct fd_bundle *b, const char *resource,
		       const char *name, const char *ns, struct fd_error *err);
/* The object and, as a tree, what it depends on (fd_graph_upstreams) with each one's state. */
int fd_browse_trace(FILE *out, struct fd_bundle *b, const char *resource, const char *name,
		    const char *ns, struct fd_error *err);

struct fd_logs_query {
	const char *ns;        /* NULL: the Flux namespace */
	const char *pod;       /* exact name or unique prefix */
	const char *container; /* NULL: default-container annotation, else the first */
	bool previous;
	const char *grep; /* PCRE2 pattern or NULL */
};
struct fd_logs_result {
	char *pod, *container; /* resolved names */
	char *note;            /* "Defaulted container ..." or NULL */
	unsigned long lines;   /* lines written */
};
/* Writes the log of one container, read again from the bundle at `path` (which `b` was loaded
 * from; two more passes: one to list the logs, one to print; standard input cannot be read
 * twice, so the caller spools it to a file first). Control characters other than tab are
 * escaped. FD_ENOTFOUND when the pod or its log is absent, FD_EUSAGE for a bad --grep or
 * an ambiguous container. res owns malloc'd strings: free with fd_logs_result_free(). */
int fd_browse_logs(FILE *out, struct fd_bundle *b, const char *path,
		   const struct fd_logs_query *q, struct fd_logs_result *res,
		   struct fd_error *err);
void fd_logs_result_free(struct fd_logs_result *res);

#endif
