/* rules_test.h - rule test cases: expectations checked against a report (rules_test.c). */
#ifndef FD_RULES_TEST_H
#define FD_RULES_TEST_H

#include "util.h"

/* rules_test.c: checks a report against an expectation document (tests/golden/README.md).
 * Appends one line per unmet expectation to `failures`; returns how many there were. */
unsigned fd_expect_check(json_t *want, json_t *report, struct fd_buf *failures);
/* Parses an expectation (or any small YAML) file into JSON; NULL with err set on failure. */
json_t *fd_yaml_file_to_json(const char *path, bool arena_malloc, struct fd_error *err);

#endif
