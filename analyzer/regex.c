/* regex.c - PCRE2 matches, named captures and the selectors of rules. */
#include "regex.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

bool fd_regex_match(const pcre2_code *re, const char *s, size_t len)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	int rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

bool fd_selector_match(const struct fd_selector *s, const char *value)
{
	if (!s->n)
		return true;
	for (size_t i = 0; i < s->n; i++) {
		if (s->exact[i] ? strcmp(s->exact[i], value) == 0
				: fd_regex_match(s->re[i], value, strlen(value)))
			return true;
	}
	return false;
}

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
