/* regex.h - PCRE2 matches, named captures and the selectors of rules (regex.c). */
#ifndef FD_REGEX_H
#define FD_REGEX_H

#include "util.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* A selector: matches when the value equals one of `exact` or matches one of `re`. Empty
 * selector matches everything. */
struct fd_selector {
	size_t n;
	const char **exact; /* NULL entries where re[i] is used */
	pcre2_code **re;
};

struct fd_bundle;
struct fd_rule;
struct fd_limits;

/* Every regex of a rule runs within the bundle's match context (b->mctx: match, depth and
 * heap limits). A run stopped by a limit counts as no match and becomes a bundle warning
 * naming the rule, `where` (a file or object path) and `line` (0: none); a rule that hit limits
 * ten times is not run again on that bundle. */
pcre2_match_context *fd_regex_context_new(const struct fd_limits *lim);
bool fd_regex_is_limit(int rc);
/* True when r's regexes no longer run on b. */
bool fd_regex_stopped(const struct fd_bundle *b, const struct fd_rule *r);
/* Reports a run of r stopped by limit rc; returns true when r is now stopped. */
bool fd_regex_limit_hit(struct fd_bundle *b, const struct fd_rule *r, int rc, const char *where,
			unsigned long line);
/* Runs re (of rule r) on s; md may be NULL when no captures are wanted. True on a match. */
bool fd_regex_run(struct fd_bundle *b, const struct fd_rule *r, const pcre2_code *re,
		  pcre2_match_data *md, const char *s, size_t len, const char *where,
		  unsigned long line);
/* A selector of rule r: equals one of its values or matches one of its regexes. */
bool fd_selector_match(struct fd_bundle *b, const struct fd_rule *r, const struct fd_selector *s,
		       const char *value, const char *where, unsigned long line);
/* A static message when pattern `re` nests unbounded quantifiers (a repeated group that
 * contains a repeat, neither possessive nor atomic: "(a+)+", "(\w*\s)*"), with *pos the byte
 * offset of the group; NULL otherwise. A heuristic for rules lint: it does not prove a
 * pattern slow or safe. */
const char *fd_regex_nested_quantifier(const char *re, size_t *pos);
/* Adds the named groups of a successful match of re on s to caps. */
void fd_regex_captures(json_t *caps, const pcre2_code *re, pcre2_match_data *md, const char *s);

#endif
