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

bool fd_selector_match(const struct fd_selector *s, const char *value);
bool fd_regex_match(const pcre2_code *re, const char *s, size_t len);
/* Adds the named groups of a successful match of re on s to caps. */
void fd_regex_captures(json_t *caps, const pcre2_code *re, pcre2_match_data *md, const char *s);

#endif
