/* Unit tests for the rule-file loader: every mistake is rejected with a located message. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char HEAD[] = "rules:\n"
			   "  - id: TEST-RULE\n"
			   "    title: A test rule\n"
			   "    severity: error\n"
			   "    category: source\n"
			   "    message: \"{kind} {namespace}/{name} is broken\"\n"
			   "    fix: [\"flux reconcile source git {name} -n {namespace}\"]\n"
			   "    why: Because.\n";

/* Loads HEAD + body; returns the error message (malloc'd) or NULL. */
static char *load(const char *body, struct fd_ruleset **keep)
{
	struct fd_ruleset *set = fd_ruleset_new();
	struct fd_error err = {0};
	char *text = fd_xasprintf("%s%s", HEAD, body);
	int rc = fd_ruleset_load_buffer(set, "rules/source.yaml", text, strlen(text), &err);
	free(text);
	if (keep)
		*keep = set;
	else
		fd_ruleset_free(set);
	if (rc) {
		cr_expect_eq(rc, FD_ERULES);
		return err.msg;
	}
	return NULL;
}

Test(rules_parse, accepts_a_valid_rule)
{
	struct fd_ruleset *set;
	char *m = load("    match:\n"
		       "      resource:\n"
		       "        kind: GitRepository\n"
		       "        where:\n"
		       "          all:\n"
		       "            - path: status.conditions[type=Ready].status\n"
		       "              equals: \"False\"\n"
		       "            - not: {path: spec.suspend, equals: true}\n",
		       &set);
	cr_assert_null(m, "unexpected error: %s", m);
	cr_expect_eq(fd_ruleset_count(set), 1);
	fd_ruleset_free(set);
}

Test(rules_parse, rejects_unknown_operator)
{
	char *m = load("    match:\n"
		       "      resource:\n"
		       "        kind: Pod\n"
		       "        where:\n"
		       "          path: status.containerStatuses[*].restartCount\n"
		       "          gt: 3\n",
		       NULL);
	cr_assert_not_null(m);
	cr_expect(strncmp(m, "rules/source.yaml:14:11: unknown operator 'gt' (known: equals,", 61) == 0,
		  "got: %s", m);
	cr_expect(strstr(m, "\n          gt: 3\n          ^") != NULL, "no caret line in: %s", m);
	free(m);
}

Test(rules_parse, rejects_bad_regex_with_pcre2_offset)
{
	char *m = load("    match:\n"
		       "      log:\n"
		       "        pattern: 'unable to clone (.*'\n",
		       NULL);
	cr_assert_not_null(m);
	cr_expect(strstr(m, "rules/source.yaml:11:38: bad regex: missing closing parenthesis at "
			    "offset 19") == m,
		  "got: %s", m);
	cr_expect(strstr(m, "escape it as \\(") != NULL, "no hint in: %s", m);
	free(m);
}

Test(rules_parse, rejects_missing_required_field)
{
	char *m = load("", NULL);
	cr_assert_not_null(m);
	cr_expect(strstr(m, "rules/source.yaml:2:5: rule TEST-RULE has no 'match'") == m, "got: %s", m);
	free(m);
}

Test(rules_parse, rejects_unknown_rule_field)
{
	char *m = load("    match: {resource: {kind: Pod}}\n    sevrity: high\n", NULL);
	cr_assert_not_null(m);
	cr_expect(strstr(m, "rules/source.yaml:10:5: unknown field 'sevrity' in a rule") == m,
		  "got: %s", m);
	free(m);
}

Test(rules_parse, rejects_bad_template)
{
	struct fd_ruleset *set = fd_ruleset_new();
	struct fd_error err = {0};
	const char *t = "rules:\n"
			"  - id: T-X\n"
			"    title: t\n"
			"    severity: info\n"
			"    category: config\n"
			"    match: {resource: {kind: Pod}}\n"
			"    message: \"{name|shout}\"\n"
			"    fix: [x]\n"
			"    why: y\n";
	cr_assert_eq(fd_ruleset_load_buffer(set, "r.yaml", t, strlen(t), &err), FD_ERULES);
	cr_expect(strstr(err.msg, "r.yaml:7:15: message: unknown filter") == err.msg, "got: %s",
		  err.msg);
	fd_error_clear(&err);
	fd_ruleset_free(set);
}

Test(rules_parse, rejects_bad_path)
{
	char *m = load("    match:\n"
		       "      resource:\n"
		       "        kind: Pod\n"
		       "        where: {path: \"status.conditions[type=Ready\", exists: true}\n",
		       NULL);
	cr_assert_not_null(m);
	cr_expect(strstr(m, "bad path 'status.conditions[type=Ready': missing ']'") != NULL, "got: %s",
		  m);
	cr_expect(strncmp(m, "rules/source.yaml:12:", 21) == 0, "got: %s", m);
	free(m);
}

Test(rules_parse, rejects_bad_severity_category_and_id)
{
	const char *cases[][2] = {
		{"severity: error", "severity: fatal"},
		{"category: source", "category: sources"},
		{"id: TEST-RULE", "id: test_rule"},
	};
	for (size_t i = 0; i < 3; i++) {
		char *text = fd_xasprintf("%s    match: {resource: {kind: Pod}}\n", HEAD);
		char *at = strstr(text, cases[i][0]);
		cr_assert_not_null(at);
		char *fixed = fd_xasprintf("%.*s%s%s", (int)(at - text), text, cases[i][1],
					   at + strlen(cases[i][0]));
		struct fd_ruleset *set = fd_ruleset_new();
		struct fd_error err = {0};
		cr_expect_eq(fd_ruleset_load_buffer(set, "r.yaml", fixed, strlen(fixed), &err),
			     FD_ERULES, "case %zu loaded", i);
		cr_expect(err.msg && strncmp(err.msg, "r.yaml:", 7) == 0, "case %zu: %s", i, err.msg);
		fd_error_clear(&err);
		fd_ruleset_free(set);
		free(text);
		free(fixed);
	}
}

Test(rules_parse, rejects_yaml_syntax_errors_with_location)
{
	struct fd_ruleset *set = fd_ruleset_new();
	struct fd_error err = {0};
	const char *t = "rules:\n  - id: X-Y\n    title: [unclosed\n";
	cr_assert_eq(fd_ruleset_load_buffer(set, "bad.yaml", t, strlen(t), &err), FD_ERULES);
	cr_expect(strncmp(err.msg, "bad.yaml:4:1: YAML:", 19) == 0, "got: %s", err.msg);
	fd_error_clear(&err);
	fd_ruleset_free(set);
}

Test(rules_parse, rejects_duplicate_ids_in_one_file)
{
	char *text = fd_xasprintf("%s    match: {resource: {kind: Pod}}\n%s    match: {resource: "
				  "{kind: Pod}}\n",
				  HEAD, HEAD + strlen("rules:\n"));
	struct fd_ruleset *set = fd_ruleset_new();
	struct fd_error err = {0};
	cr_assert_eq(fd_ruleset_load_buffer(set, "d.yaml", text, strlen(text), &err), FD_ERULES);
	cr_expect(strstr(err.msg, "duplicate rule id 'TEST-RULE'") != NULL, "got: %s", err.msg);
	fd_error_clear(&err);
	fd_ruleset_free(set);
	free(text);
}

Test(rules_parse, later_files_override_by_id)
{
	struct fd_ruleset *set = fd_ruleset_new();
	struct fd_error err = {0};
	char *a = fd_xasprintf("%s    match: {resource: {kind: Pod}}\n", HEAD);
	cr_assert_eq(fd_ruleset_load_buffer(set, "a.yaml", a, strlen(a), &err), 0);
	char *b = fd_xasprintf("%s    match: {resource: {kind: Deployment}}\n", HEAD);
	cr_assert_eq(fd_ruleset_load_buffer(set, "b.yaml", b, strlen(b), &err), 0);
	cr_expect_eq(fd_ruleset_count(set), 1);
	const struct fd_rule *r = set->rules.v[0];
	cr_expect_str_eq(r->kind.exact[0], "Deployment");
	cr_expect_str_eq(r->file, "b.yaml");
	fd_ruleset_free(set);
	free(a);
	free(b);
}

Test(rules_parse, lookup_needs_exactly_one_of_exists_or_absent)
{
	char *m = load("    match:\n"
		       "      resource:\n"
		       "        kind: GitRepository\n"
		       "        where:\n"
		       "          lookup: {kind: Secret, name: \"{.spec.secretRef.name}\"}\n",
		       NULL);
	cr_assert_not_null(m);
	cr_expect(strstr(m, "a lookup takes exactly one of exists: true or absent: true") != NULL,
		  "got: %s", m);
	free(m);
}

Test(rules_parse, extracts_literal_prefilters_conservatively)
{
	struct fd_ruleset *set;
	char *m = load("    match:\n      log:\n        pattern: 'Reconciler error.*authentication "
		       "required'\n",
		       &set);
	cr_assert_null(m, "%s", m);
	const struct fd_rule *r = set->rules.v[0];
	cr_assert_not_null(r->literal);
	cr_expect_str_eq(r->literal, "authentication required");
	fd_ruleset_free(set);
	m = load("    match:\n      log:\n        pattern: '(?i)timeout|refused'\n", &set);
	cr_assert_null(m);
	cr_expect_null(((const struct fd_rule *)set->rules.v[0])->literal);
	fd_ruleset_free(set);
}

Test(rules_parse, literal_prefilters_cover_alternations_and_quantifiers)
{
	struct fd_ruleset *set;
	char *m = load("    match:\n      log:\n        pattern: 'panic: |Observed a panic'\n", &set);
	cr_assert_null(m, "%s", m);
	const char *lit = ((const struct fd_rule *)set->rules.v[0])->literal;
	cr_assert_not_null(lit);
	cr_expect(strstr(lit, "panic: ") != NULL && strstr(lit, "Observed a panic") != NULL &&
			  strchr(lit, '\n') != NULL,
		  "got: %s", lit);
	fd_ruleset_free(set);
	/* "ab+c" matches "abbc": a prefilter may not demand "abc" */
	m = load("    match:\n      log:\n        pattern: 'xyzab+cdefg'\n", &set);
	cr_assert_null(m, "%s", m);
	lit = ((const struct fd_rule *)set->rules.v[0])->literal;
	if (lit) {
		char first[128];
		snprintf(first, sizeof(first), "%.*s", (int)strcspn(lit, "\n"), lit);
		cr_expect(strstr("xyzabbcdefg", first) != NULL, "prefilter '%s' would miss 'xyzabbcdefg'",
			  lit);
	}
	fd_ruleset_free(set);
}

Test(rules_parse, the_shipped_rule_pack_loads)
{
	struct fd_ruleset *set = fd_ruleset_new();
	struct fd_error err = {0};
	int rc = fd_ruleset_load_dir(set, FD_SOURCE_DIR "/rules", &err);
	cr_assert_eq(rc, 0, "%s", err.msg);
	cr_expect_gt(fd_ruleset_count(set), 10);
	fd_ruleset_free(set);
}
