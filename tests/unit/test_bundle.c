/* Bundle reading and rule evaluation end to end on small bundles built in memory. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle_util.h"
#include "internal.h"

static const char MANIFEST[] =
	"{\"format\":\"fluxdiag-bundle/v1\",\"collected_at\":\"2026-11-20T09:14:03Z\","
	"\"collector\":{\"name\":\"test\",\"version\":\"0\"},\"commands\":["
	"{\"argv\":[\"kubectl\",\"get\",\"secrets\",\"-A\"],\"output\":\"resources/secrets.yaml\","
	"\"rc\":0,\"stderr\":\"\",\"duration_ms\":5}]}";

static const char REPOS[] =
	"apiVersion: v1\nkind: List\nitems:\n"
	"- apiVersion: source.toolkit.fluxcd.io/v1\n"
	"  kind: GitRepository\n"
	"  metadata: {name: podinfo, namespace: flux-system}\n"
	"  spec: {url: 'https://example.com/podinfo', interval: 5m, secretRef: {name: missing-creds}}\n"
	"  status:\n"
	"    conditions:\n"
	"    - {type: Ready, status: 'False', reason: AuthenticationFailed, message: 'authentication required', lastTransitionTime: '2026-11-20T08:00:00Z'}\n"
	"- apiVersion: kustomize.toolkit.fluxcd.io/v1\n"
	"  kind: Kustomization\n"
	"  metadata: {name: apps, namespace: flux-system}\n"
	"  spec: {sourceRef: {kind: GitRepository, name: podinfo}, interval: 10m}\n"
	"  status:\n"
	"    conditions:\n"
	"    - {type: Ready, status: 'False', reason: ArtifactFailed, message: 'Source artifact not found, retrying in 30s'}\n";

static const char SECRETS[] = "apiVersion: v1\nkind: List\nitems:\n"
			      "- apiVersion: v1\n  kind: Secret\n  metadata: {name: other, namespace: flux-system}\n"
			      "  type: Opaque\n";

static const char LOG[] =
	"{\"level\":\"info\",\"ts\":\"2026-11-20T09:00:00Z\",\"msg\":\"starting\"}\n"
	"{\"level\":\"error\",\"ts\":\"2026-11-20T09:10:00Z\",\"msg\":\"Reconciler error\","
	"\"controllerKind\":\"GitRepository\",\"GitRepository\":{\"name\":\"podinfo\",\"namespace\":\"flux-system\"},"
	"\"name\":\"podinfo\",\"namespace\":\"flux-system\",\"error\":\"unable to clone: authentication required \\u001b[31mred\"}\n"
	"{\"level\":\"error\",\"ts\":\"2026-11-19T01:00:00Z\",\"msg\":\"Reconciler error\","
	"\"controllerKind\":\"GitRepository\",\"name\":\"podinfo\",\"namespace\":\"flux-system\",\"error\":\"old failure\"}\n";

static const char RULES[] =
	"rules:\n"
	"  - id: T-SRC-AUTH\n    title: auth\n    severity: critical\n    category: source\n"
	"    match:\n      resource:\n        kind: GitRepository\n        where:\n"
	"          all:\n            - {path: 'status.conditions[type=Ready].status', equals: false}\n"
	"            - {path: 'status.conditions[type=Ready].message', regex: '(?<what>authentication) required'}\n"
	"    message: '{kind} {namespace}/{name}: {cap.what} failed ({.spec.url})'\n"
	"    fix: ['flux reconcile source git {name} -n {namespace}']\n    why: w\n"
	"  - id: T-KS-ARTIFACT\n    title: artifact\n    severity: error\n    category: apply\n"
	"    match: {resource: {kind: Kustomization, where: {path: 'status.conditions[type=Ready].reason', equals: ArtifactFailed}}}\n"
	"    message: waits\n    fix: [x]\n    why: w\n"
	"  - id: T-SECRET-MISSING\n    title: secret\n    severity: error\n    category: config\n"
	"    match:\n      resource:\n        kind: GitRepository\n        where:\n"
	"          lookup: {kind: Secret, name: '{.spec.secretRef.name}'}\n          absent: true\n"
	"    message: 'secret {.spec.secretRef.name} missing'\n    fix: [x]\n    why: w\n"
	"  - id: T-CM-MISSING\n    title: cm\n    severity: error\n    category: config\n"
	"    match:\n      resource:\n        kind: GitRepository\n        where:\n"
	"          lookup: {kind: ConfigMap, name: 'x'}\n          absent: true\n"
	"    message: never\n    fix: [x]\n    why: w\n"
	"  - id: T-LOG-AUTH\n    title: log\n    severity: warning\n    category: source\n"
	"    explains: []\n"
	"    match: {log: {pod: '^source-controller-', level: error, pattern: 'authentication required|old failure', within: 2h}}\n"
	"    message: '{count} lines: {log.error}'\n    fix: [x]\n    why: w\n"
	"  - id: T-FALLBACK\n    title: fb\n    severity: info\n    category: source\n    fallback: true\n"
	"    match: {resource: {kind: '~Repository$'}}\n    message: fb\n    fix: [x]\n    why: w\n";

static struct fd_ruleset *test_rules(void)
{
	struct fd_ruleset *set = fd_ruleset_new();
	struct fd_error err = {0};
	cr_assert_eq(fd_ruleset_load_buffer(set, "test.yaml", RULES, strlen(RULES), &err), 0, "%s",
		     err.msg);
	return set;
}

static json_t *analyze_entries(const struct tb_entry *e, size_t n, const char *fmt,
			       const struct fd_limits *lim, char **err)
{
	void *buf;
	size_t len;
	cr_assert_eq(tb_archive_entries(e, n, fmt, &buf, &len), 0);
	struct fd_ruleset *rules = test_rules();
	json_t *j = tb_analyze_buffer(buf, len, rules, lim, err);
	fd_ruleset_free(rules);
	free(buf);
	return j;
}

static const struct tb_entry BASIC[] = {
	{"b/manifest.json", MANIFEST, 0, 0, NULL},
	{"b/resources/gitrepositories.yaml", REPOS, 0, 0, NULL},
	{"b/resources/secrets.yaml", SECRETS, 0, 0, NULL},
	{"b/logs/flux-system/source-controller-7d9-abcde/manager.log", LOG, 0, 0, NULL},
};

static const char *js(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static bool has_warning(json_t *rep, const char *needle)
{
	size_t i;
	json_t *w;
	json_array_foreach(json_object_get(json_object_get(rep, "bundle"), "warnings"), i, w)
	{
		if (strstr(json_string_value(w), needle))
			return true;
	}
	return false;
}

Test(bundle_formats, every_archive_format_reads_the_same)
{
	const char *fmts[] = {"tar.gz", "tar", "zip", "tar.xz", "tar.bz2"};
	for (size_t i = 0; i < 5; i++) {
		char *err = NULL;
		json_t *r = analyze_entries(BASIC, 4, fmts[i], NULL, &err);
		cr_assert_not_null(r, "%s: %s", fmts[i], err);
		json_t *b = json_object_get(r, "bundle");
		cr_expect_eq(json_integer_value(json_object_get(b, "objects")), 3, "%s", fmts[i]);
		cr_expect_eq(json_integer_value(json_object_get(b, "log_lines")), 3, "%s", fmts[i]);
		cr_expect_str_eq(js(b, "format"), "fluxdiag-bundle/v1");
		cr_expect_str_eq(js(b, "collected_at"), "2026-11-20T09:14:03Z");
		json_decref(r);
	}
}

Test(rules_eval, root_cause_explains_downstream_symptoms)
{
	json_t *r = analyze_entries(BASIC, 4, "tar.gz", NULL, NULL);
	cr_assert_not_null(r);
	json_t *sec = tb_find(r, "T-SECRET-MISSING"), *auth = tb_find(r, "T-SRC-AUTH"),
	       *ks = tb_find(r, "T-KS-ARTIFACT");
	cr_assert_not_null(sec);
	cr_assert_not_null(auth);
	cr_assert_not_null(ks);
	cr_expect_str_eq(js(auth, "message"),
			 "GitRepository flux-system/podinfo: authentication failed "
			 "(https://example.com/podinfo)");
	/* the missing Secret (config) explains the auth failure on the same object, which explains
	 * the Kustomization downstream: one root, a chain of two */
	json_t *roots = json_object_get(r, "root_causes");
	cr_expect_eq(json_array_size(roots), 1);
	cr_expect_str_eq(json_string_value(json_array_get(roots, 0)), js(sec, "id"));
	cr_expect_str_eq(json_string_value(json_array_get(json_object_get(auth, "caused_by"), 0)),
			 js(sec, "id"));
	cr_expect_str_eq(json_string_value(json_array_get(json_object_get(ks, "caused_by"), 0)),
			 js(auth, "id"));
	cr_expect_eq(json_array_size(json_object_get(ks, "caused_by")), 1,
		     "the indirect explainer is left out");
	json_t *ev = json_array_get(json_object_get(auth, "evidence"), 0);
	cr_expect_str_eq(js(ev, "path"), "b/resources/gitrepositories.yaml");
	cr_expect_eq(json_integer_value(json_object_get(ev, "line")), 4);
	cr_expect_str_eq(json_string_value(json_array_get(json_object_get(auth, "fix"), 0)),
			 "flux reconcile source git podinfo -n flux-system");
	json_decref(r);
}

Test(rules_eval, lookup_absent_only_for_collected_kinds)
{
	json_t *r = analyze_entries(BASIC, 4, "tar.gz", NULL, NULL);
	cr_assert_not_null(r);
	json_t *s = tb_find(r, "T-SECRET-MISSING");
	cr_assert_not_null(s);
	cr_expect_str_eq(js(s, "message"), "secret missing-creds missing");
	cr_expect_null(tb_find(r, "T-CM-MISSING"), "ConfigMaps were never collected");
	json_decref(r);
}

Test(rules_eval, log_matches_are_tied_to_objects_and_windowed)
{
	json_t *r = analyze_entries(BASIC, 4, "tar.gz", NULL, NULL);
	cr_assert_not_null(r);
	json_t *l = tb_find(r, "T-LOG-AUTH");
	cr_assert_not_null(l);
	json_t *o = json_object_get(l, "object");
	cr_expect_str_eq(js(o, "kind"), "GitRepository");
	cr_expect_str_eq(js(o, "name"), "podinfo");
	/* the 2026-11-19 line is outside the 2h window */
	cr_expect(strncmp(js(l, "message"), "1 lines: unable to clone", 24) == 0, "%s",
		  js(l, "message"));
	json_t *ev = json_array_get(json_object_get(l, "evidence"), 0);
	cr_expect_eq(json_integer_value(json_object_get(ev, "line")), 2);
	json_decref(r);
}

Test(rules_eval, fallback_steps_aside_for_specific_rules)
{
	json_t *r = analyze_entries(BASIC, 4, "tar.gz", NULL, NULL);
	cr_assert_not_null(r);
	cr_expect_null(tb_find(r, "T-FALLBACK"));
	json_decref(r);
}

Test(bundle_errors, not_an_archive_is_one_clear_line)
{
	struct fd_ruleset *rules = test_rules();
	char *err = NULL;
	const char junk[] = "this is not an archive at all, just text\n";
	json_t *r = tb_analyze_buffer(junk, sizeof(junk) - 1, rules, NULL, &err);
	cr_expect_null(r);
	cr_assert_not_null(err);
	cr_expect(strstr(err, "test-bundle: ") == err, "%s", err);
	cr_expect(strchr(err, '\n') == NULL, "one line: %s", err);
	free(err);
	fd_ruleset_free(rules);
}

Test(bundle_errors, empty_archive_is_an_error)
{
	char *err = NULL;
	json_t *r = analyze_entries(NULL, 0, "tar.gz", NULL, &err);
	cr_expect_null(r);
	cr_assert_not_null(err);
	cr_expect(strstr(err, "empty archive") != NULL, "%s", err);
	free(err);
}

Test(bundle_errors, truncated_archive_reports_what_was_read)
{
	/* a big incompressible-ish log after the objects, then cut the archive in the middle */
	size_t n = 400000;
	char *big = malloc(n + 1);
	unsigned x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		big[i] = (i % 80 == 79) ? '\n' : (char)('a' + (x >> 16) % 26);
	}
	big[n] = 0;
	struct tb_entry e[] = {
		BASIC[0], BASIC[1], {"b/logs/flux-system/x/manager.log", big, n, 0, NULL}};
	void *buf;
	size_t len;
	cr_assert_eq(tb_archive_entries(e, 3, "tar.gz", &buf, &len), 0);
	struct fd_ruleset *rules = test_rules();
	char *err = NULL;
	json_t *r = tb_analyze_buffer(buf, len / 2, rules, NULL, &err);
	cr_assert_not_null(r, "a damaged archive still yields a report: %s", err);
	cr_expect(has_warning(r, "damaged"), "the report says the archive is damaged");
	cr_expect_not_null(tb_find(r, "T-SRC-AUTH"), "what was read is still analyzed");
	json_decref(r);
	fd_ruleset_free(rules);
	free(buf);
	free(big);
}

Test(bundle_hostile, links_and_unsafe_names_are_not_followed)
{
	struct tb_entry e[] = {
		BASIC[0],
		BASIC[1],
		{"b/logs/flux-system/evil/manager.log", NULL, 0, 1, "/etc/passwd"},
		{"b/resources/hard.yaml", NULL, 0, 3, "b/resources/gitrepositories.yaml"},
		{"../../etc/evil.yaml", "kind: Pod\nmetadata: {name: escaped}\n", 0, 0, NULL},
		{"/abs/path\x1b[2J.yaml", "kind: Pod\nmetadata: {name: abs}\n", 0, 0, NULL},
	};
	char *err = NULL;
	json_t *r = analyze_entries(e, 6, "tar", NULL, &err);
	cr_assert_not_null(r, "%s", err);
	cr_expect(has_warning(r, "link entries were skipped"));
	cr_expect(has_warning(r, "were unsafe"));
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(r, "bundle"), "objects")), 4);
	json_decref(r);
}

Test(bundle_hostile, malformed_files_are_warnings_not_failures)
{
	struct tb_entry e[] = {
		BASIC[0],
		BASIC[1],
		{"b/resources/broken.yaml", "kind: Pod\nmetadata: {name: [oops\n", 0, 0, NULL},
		{"b/resources/broken.json", "{\"kind\": \"Pod\", ", 0, 0, NULL},
	};
	json_t *r = analyze_entries(e, 4, "tar.gz", NULL, NULL);
	cr_assert_not_null(r);
	cr_expect(has_warning(r, "b/resources/broken.yaml:"));
	cr_expect(has_warning(r, "b/resources/broken.json:1:"));
	cr_expect_not_null(tb_find(r, "T-SRC-AUTH"));
	json_decref(r);
}

Test(bundle_hostile, missing_manifest_falls_back_to_newest_timestamp)
{
	struct tb_entry e[] = {BASIC[1], BASIC[3]};
	json_t *r = analyze_entries(e, 2, "tar.gz", NULL, NULL);
	cr_assert_not_null(r);
	json_t *b = json_object_get(r, "bundle");
	cr_expect_str_eq(js(b, "collected_at"), "2026-11-20T09:10:00Z");
	cr_expect(has_warning(r, "no manifest"));
	json_decref(r);
}

Test(bundle_hostile, overlong_log_lines_are_cut_and_reported)
{
	size_t n = 200000;
	char *line = malloc(n + 64);
	memset(line, 'x', n);
	strcpy(line + n, " authentication required\n");
	struct tb_entry e[] = {BASIC[0], {"b/logs/flux-system/source-controller-1/manager.log", line,
					  0, 0, NULL}};
	struct fd_limits lim;
	fd_limits_default(&lim);
	lim.max_line_bytes = 1024;
	json_t *r = analyze_entries(e, 2, "tar.gz", &lim, NULL);
	cr_assert_not_null(r);
	cr_expect(has_warning(r, "longer than --max-line-bytes"));
	cr_expect_null(tb_find(r, "T-LOG-AUTH"), "the tail past the limit is not matched");
	json_decref(r);
	free(line);
}

Test(report_render, text_output_escapes_terminal_sequences)
{
	void *buf;
	size_t len;
	cr_assert_eq(tb_archive_entries(BASIC, 4, "tar.gz", &buf, &len), 0);
	struct fd_ruleset *rules = test_rules();
	struct fd_analyze_opts o;
	tb_opts(&o);
	struct fd_report *rep = NULL;
	cr_assert_eq(fd_analyze_buffer(&rep, buf, len, "t", rules, &o, NULL), 0);
	char *out = NULL;
	size_t olen = 0;
	FILE *f = open_memstream(&out, &olen);
	struct fd_render_opts ro = {FD_FMT_TEXT, 0};
	cr_assert_eq(fd_report_render(rep, &ro, f), 0);
	fclose(f);
	cr_expect(strchr(out, '\x1b') == NULL, "raw ESC reached the output");
	cr_expect(strstr(out, "\\x1b[31mred") != NULL, "escaped form is shown");
	free(out);
	fd_report_free(rep);
	fd_ruleset_free(rules);
	free(buf);
}

/* JUnit names a cluster-scoped object "Kind name", as every other format does. */
Test(report_render, junit_labels_cluster_scoped_objects_without_a_slash)
{
	struct fd_ruleset *rules = tb_rules();
	struct fd_analyze_opts o;
	tb_opts(&o);
	struct fd_report *rep = NULL;
	cr_assert_eq(fd_analyze_path(&rep, FD_SOURCE_DIR "/sample-bundles/node-not-ready", rules, &o,
				     NULL),
		     0);
	char *out = NULL;
	size_t olen = 0;
	FILE *f = open_memstream(&out, &olen);
	struct fd_render_opts ro = {FD_FMT_JUNIT, 0};
	cr_assert_eq(fd_report_render(rep, &ro, f), 0);
	fclose(f);
	cr_expect(strstr(out, "[root cause] Node ip-10-0-2-41.eu-west-1.compute.internal: ") != NULL,
		  "%s", out);
	cr_expect(strstr(out, "Node /") == NULL, "%s", out);
	free(out);
	fd_report_free(rep);
	fd_ruleset_free(rules);
}
