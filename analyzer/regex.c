/* regex.c - PCRE2 matches, named captures and the selectors of rules. */
#include "regex.h"
#include "util.h"
#include "bundle.h"
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fd_regex_captures(json_t *caps, const pcre2_code *re, pcre2_match_data *md, const char *s)
{
	uint32_t count = 0, entry = 0;
	PCRE2_SPTR table;
	pcre2_pattern_info(re, PCRE2_INFO_NAMECOUNT, &count);
	if (!count)
		return;
	pcre2_pattern_info(re, PCRE2_INFO_NAMEENTRYSIZE, &entry);
	pcre2_pattern_info(re, PCRE2_INFO_NAMETABLE, &table);
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	uint32_t pairs = pcre2_get_ovector_count(md);
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *e = table + (size_t)i * entry;
		uint32_t n = ((uint32_t)e[0] << 8) | e[1];
		if (n >= pairs || ov[2 * n] == PCRE2_UNSET)
			continue;
		char *v = fd_utf8_clean(s + ov[2 * n], ov[2 * n + 1] - ov[2 * n], 400, NULL);
		json_object_set_new(caps, (const char *)e + 2, json_string(v));
		free(v);
	}
}

/* ---- bounded matching ----
 * Every regex a rule runs on bundle text runs within the match context of the bundle: a match,
 * depth and heap limit, so that one line costs at most a bounded number of backtracking steps.
 * A run stopped by a limit counts as no match and is reported; a rule whose regexes hit limits
 * REGEX_HITS_MAX times stops running for the rest of the bundle (which bounds the whole cost). */
#define REGEX_HITS_MAX 10

struct regex_hits {
	unsigned long n;
};

pcre2_match_context *fd_regex_context_new(const struct fd_limits *lim)
{
	pcre2_match_context *mc = pcre2_match_context_create(NULL);
	if (!mc)
		abort();
	/* zero: the default (a caller that filled fd_limits by hand) */
	pcre2_set_match_limit(mc, lim->regex_match_limit ? lim->regex_match_limit : 1000000);
	pcre2_set_depth_limit(mc, lim->regex_depth_limit ? lim->regex_depth_limit : 50000);
	/* the backtracking frames of the interpreter: 64 MiB */
	pcre2_set_heap_limit(mc, 64u << 10);
	return mc;
}

bool fd_regex_is_limit(int rc)
{
	return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	       rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
}

static const char *limit_name(int rc)
{
	switch (rc) {
	case PCRE2_ERROR_MATCHLIMIT:
		return "match limit (--regex-match-limit)";
	case PCRE2_ERROR_DEPTHLIMIT:
		return "depth limit";
	case PCRE2_ERROR_HEAPLIMIT:
		return "heap limit";
	default:
		return "JIT stack limit";
	}
}

bool fd_regex_stopped(const struct fd_bundle *b, const struct fd_rule *r)
{
	const struct regex_hits *h = fd_map_get(&b->regex_hits, r->id);
	return h && h->n >= REGEX_HITS_MAX;
}

bool fd_regex_limit_hit(struct fd_bundle *b, const struct fd_rule *r, int rc, const char *where,
			unsigned long line)
{
	struct regex_hits *h = fd_map_get(&b->regex_hits, r->id);
	if (!h) {
		h = fd_xcalloc(1, sizeof(*h));
		fd_map_put(&b->regex_hits, r->id, h);
	}
	if (h->n >= REGEX_HITS_MAX)
		return true;
	h->n++;
	char at[24] = "";
	if (line)
		snprintf(at, sizeof(at), ":%lu", line);
	fd_bundle_warn(b, "%s%s: rule %s: its regex stopped at PCRE2's %s; counted as no match",
		       where, at, r->id, limit_name(rc));
	if (h->n == REGEX_HITS_MAX)
		fd_bundle_warn(b, "rule %s: its regexes hit a limit %d times and were not run on the "
				  "rest of the bundle; simplify the pattern (nested quantifiers such "
				  "as (a+)+ backtrack exponentially)",
			       r->id, REGEX_HITS_MAX);
	/* a run that hit a limit was the slowest kind there is: look at the clock now */
	fd_bundle_over_deadline(b);
	return h->n >= REGEX_HITS_MAX;
}

bool fd_regex_run(struct fd_bundle *b, const struct fd_rule *r, const pcre2_code *re,
		  pcre2_match_data *md, const char *s, size_t len, const char *where,
		  unsigned long line)
{
	if (fd_regex_stopped(b, r))
		return false;
	pcre2_match_data *own = md ? NULL : pcre2_match_data_create(1, NULL);
	int rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, md ? md : own, b->mctx);
	pcre2_match_data_free(own);
	if (rc < 0 && fd_regex_is_limit(rc))
		fd_regex_limit_hit(b, r, rc, where, line);
	return rc >= 0;
}

bool fd_selector_match(struct fd_bundle *b, const struct fd_rule *r,
			    const struct fd_selector *s, const char *value, const char *where,
			    unsigned long line)
{
	if (!s->n)
		return true;
	for (size_t i = 0; i < s->n; i++) {
		if (s->exact[i] ? strcmp(s->exact[i], value) == 0
				: fd_regex_run(b, r, s->re[i], NULL, value, strlen(value), where,
					       line))
			return true;
	}
	return false;
}

/* The unbounded quantifier at p ('+', '*', '{n,}'), or 0; its length otherwise, with
 * *possessive set when a '+' follows. Bounded repeats ('?', '{n}', '{n,m}') do not count. */
static size_t quantifier_at(const char *p, bool *possessive)
{
	size_t n = 0;
	*possessive = false;
	if (*p == '+' || *p == '*') {
		n = 1;
	} else if (*p == '{') {
		const char *q = p + 1;
		bool digits = false;
		while (*q >= '0' && *q <= '9') {
			q++;
			digits = true;
		}
		if (!digits || q[0] != ',' || q[1] != '}')
			return 0;
		n = (size_t)(q + 2 - p);
	} else {
		return 0;
	}
	if (p[n] == '+')
		*possessive = true;
	return n;
}

/* The end of a group's opening: "(", "(?:", "(?>", "(?=", "(?<name>", "(?i:" ... */
static size_t group_prefix(const char *re, size_t i)
{
	size_t j = i + 1;
	if (re[j] != '?' && re[j] != '*')
		return j;
	j++;
	if (re[j] && strchr(":>=!|", re[j]))
		return j + 1;
	if (re[j] == '<' && (re[j + 1] == '=' || re[j + 1] == '!'))
		return j + 2;
	if (re[j] == '<' || re[j] == 'P' || re[j] == '\'') {
		while (re[j] && re[j] != '>' && re[j] != '\'' && re[j] != ')')
			j++;
		return re[j] && re[j] != ')' ? j + 1 : j;
	}
	while (re[j] && re[j] != ':' && re[j] != ')')
		j++;
	return re[j] == ':' ? j + 1 : j;
}

/* Repeats nest dangerously when a group repeated without bound starts (in one of its
 * alternatives) with an atom itself repeated without bound: each iteration can then take any
 * share of a run the next one could take too ("(a+)+", "(\w+\s?)*"). A group whose iterations
 * start with a fixed atom ("(\.[a-z]+)*") is not flagged. */
const char *fd_regex_nested_quantifier(const char *re, size_t *pos)
{
	struct frame {
		size_t open;
		bool atomic;
		unsigned atoms;  /* atoms of the current alternative so far */
		bool first_rep;  /* an alternative starts with an unbounded repeat */
	} st[64];
	size_t depth = 0;
	for (size_t i = 0; re[i]; i++) {
		char c = re[i];
		bool poss;
		size_t q;
		if (c == '(') {
			if (depth == sizeof(st) / sizeof(st[0]))
				return NULL;
			st[depth] = (struct frame){i, re[i + 1] == '?' && re[i + 2] == '>', 0, false};
			depth++;
			i = group_prefix(re, i) - 1;
			continue;
		}
		if (c == '|') {
			if (depth)
				st[depth - 1].atoms = 0;
			continue;
		}
		if (c == ')' && depth) {
			struct frame f = st[--depth];
			q = quantifier_at(re + i + 1, &poss);
			if (q && f.first_rep && !f.atomic && !poss) {
				*pos = f.open;
				return "nested quantifiers: a repeated group that starts with a repeat "
				       "can backtrack exponentially on a line that almost matches; make "
				       "the inner or outer repeat possessive (a++), the group atomic "
				       "((?>...)), or start each iteration with a fixed text";
			}
			if (depth) {
				struct frame *up = &st[depth - 1];
				if (++up->atoms == 1 && ((q && !poss) || (f.first_rep && !f.atomic)))
					up->first_rep = true;
			}
			i += q + (poss ? 1 : 0);
			continue;
		}
		if (c == '\\') {
			if (re[i + 1] == 'Q') { /* \Q...\E: literal */
				const char *e = strstr(re + i + 2, "\\E");
				if (!e)
					return NULL;
				i = (size_t)(e - re) + 1;
			} else if (re[i + 1]) {
				i++;
			}
		} else if (c == '[') { /* a class: ']' first (or after '^') is literal */
			size_t j = i + 1;
			if (re[j] == '^')
				j++;
			if (re[j] == ']')
				j++;
			for (; re[j] && re[j] != ']'; j++)
				if (re[j] == '\\' && re[j + 1])
					j++;
			if (!re[j])
				return NULL;
			i = j;
		}
		/* one atom ends at i; a repeat may follow */
		q = quantifier_at(re + i + 1, &poss);
		if (depth && ++st[depth - 1].atoms == 1 && q && !poss)
			st[depth - 1].first_rep = true;
		i += q + (q && poss ? 1 : 0);
	}
	return NULL;
}
