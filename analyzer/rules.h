/* rules.h - a loaded rule set: rules, their conditions and selectors (rules_parse.c). */
#ifndef FD_RULES_H
#define FD_RULES_H

#include "path_eval.h"
#include "regex.h"

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
	/* templates naming the real object a finding is about ("Kind/ns/name" or "Kind/name"),
	 * tried in order; the first that names an object of the bundle wins */
	const char **object;
	size_t nobject;
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
	struct fd_vec lint;  /* char *: located warnings of rules lint (malloc'd) */
};

/* Compiles a regex for a rule; on error returns NULL and fills err with the PCRE2 message and
 * offset. The code is JIT-compiled and registered in set->codes. */
pcre2_code *fd_rules_compile_regex(struct fd_ruleset *set, const char *re, size_t *erroffset,
				   char *errbuf, size_t errbuf_len);

#endif
