/* rules_test.c - expectations on a report: which root causes, findings, chains and evidence a
 * bundle must produce and which rules must stay silent. Used by `fluxdiag rules test` (test
 * cases beside a user's rules) and by the project's own golden tests. */
#include "rules_test.h"
#include "util.h"
#include "yaml_load.h"
#include "rules.h"
#include "report.h"
#include "render.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool object_is(json_t *finding, const char *want)
{
	if (!want)
		return true;
	json_t *o = json_object_get(finding, "object");
	char *have = fd_xasprintf("%s/%s/%s", fd_jstr(o, "kind"), fd_jstr(o, "namespace"), fd_jstr(o, "name"));
	bool ok = strcmp(have, want) == 0;
	free(have);
	return ok;
}

static json_t *finding_by_id(json_t *report, const char *id)
{
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(report, "findings"), i, f)
	{
		if (id && strcmp(fd_jstr(f, "id"), id) == 0)
			return f;
	}
	return NULL;
}

static bool any_substr(json_t *arr, const char *key, const char *needle)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		const char *s = key ? fd_jstr(v, key) : json_string_value(v);
		if (s && strstr(s, needle))
			return true;
	}
	return false;
}

static int sev_rank(const char *s)
{
	enum fd_severity v;
	return fd_severity_parse(s, &v) == 0 ? (int)v : -1;
}

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fd_buf_addf(failures, __VA_ARGS__);                                                \
		fd_buf_addc(failures, '\n');                                                       \
		n++;                                                                               \
	} while (0)

/* coverage: {summary: substring, <category>: verdict | {verdict, detail: substring}} */
static unsigned expect_coverage(json_t *want, json_t *cov, struct fd_buf *failures)
{
	unsigned n = 0;
	const char *key;
	json_t *v;
	if (!want)
		return 0;
	if (!cov) {
		FAIL("the report has no coverage");
		return n;
	}
	json_object_foreach(want, key, v)
	{
		if (strcmp(key, "summary") == 0) {
			if (!strstr(fd_jstr(cov, "summary"), json_string_value(v) ? json_string_value(v) : ""))
				FAIL("coverage summary lacks '%s': %s", json_string_value(v),
				     fd_jstr(cov, "summary"));
			continue;
		}
		json_t *c = NULL, *x;
		size_t i;
		json_array_foreach(json_object_get(cov, "causes"), i, x)
		{
			if (strcmp(fd_jstr(x, "category"), key) == 0)
				c = x;
		}
		const char *verdict = json_is_string(v) ? json_string_value(v) : fd_jstr(v, "verdict");
		const char *detail = json_is_object(v) ? fd_jstr(v, "detail") : "";
		if (!c)
			FAIL("coverage has no cause '%s'", key);
		else if (*verdict && strcmp(fd_jstr(c, "verdict"), verdict) != 0)
			FAIL("coverage of %s is %s, want %s: %s", key, fd_jstr(c, "verdict"), verdict,
			     fd_jstr(c, "detail"));
		else if (*detail && !strstr(fd_jstr(c, "detail"), detail))
			FAIL("coverage of %s lacks '%s': %s", key, detail, fd_jstr(c, "detail"));
	}
	return n;
}

unsigned fd_expect_check(json_t *want, json_t *report, struct fd_buf *failures)
{
	unsigned n = 0;
	size_t i, k;
	json_t *f, *v;
	int maxsev = -1;
	json_array_foreach(json_object_get(report, "findings"), i, f)
	{
		int s = sev_rank(fd_jstr(f, "severity"));
		if (s > maxsev)
			maxsev = s;
	}
	json_t *ex = json_object_get(want, "exit");
	if (ex && (maxsev >= FD_SEV_ERROR ? 1 : 0) != json_integer_value(ex))
		FAIL("exit status %d, want %lld", maxsev >= FD_SEV_ERROR ? 1 : 0,
		     (long long)json_integer_value(ex));
	const char *maxs = fd_jstr(want, "max_severity");
	if (*maxs && maxsev > sev_rank(maxs))
		FAIL("a finding is above %s", maxs);

	json_t *roots = json_object_get(report, "root_causes");
	json_array_foreach(json_object_get(want, "root_causes"), i, v)
	{
		json_t *rf = finding_by_id(report, json_string_value(json_array_get(roots, i)));
		const char *wo = json_string_value(json_object_get(v, "object"));
		if (!rf)
			FAIL("root cause %zu (%s) missing", i + 1, fd_jstr(v, "rule"));
		else if (strcmp(fd_jstr(rf, "rule"), fd_jstr(v, "rule")) != 0)
			FAIL("root cause %zu is %s, want %s", i + 1, fd_jstr(rf, "rule"), fd_jstr(v, "rule"));
		else if (!object_is(rf, wo))
			FAIL("root cause %zu (%s) is on the wrong object, want %s", i + 1, fd_jstr(v, "rule"),
			     wo);
	}

	json_array_foreach(json_object_get(want, "findings"), i, v)
	{
		const char *rule = fd_jstr(v, "rule");
		const char *wo = json_string_value(json_object_get(v, "object"));
		json_t *hit = NULL;
		json_array_foreach(json_object_get(report, "findings"), k, f)
		{
			if (strcmp(fd_jstr(f, "rule"), rule) == 0 && object_is(f, wo)) {
				hit = f;
				break;
			}
		}
		if (!hit) {
			FAIL("no %s finding on %s", rule, wo ? wo : "(any object)");
			continue;
		}
		json_t *cb;
		json_array_foreach(json_object_get(v, "caused_by"), k, cb)
		{
			bool found = false;
			size_t m;
			json_t *id;
			json_array_foreach(json_object_get(hit, "caused_by"), m, id)
			{
				json_t *cf = finding_by_id(report, json_string_value(id));
				if (cf && json_is_string(cb) &&
				    strcmp(fd_jstr(cf, "rule"), json_string_value(cb)) == 0)
					found = true;
			}
			if (!found)
				FAIL("%s is not caused by %s", rule, json_string_value(cb));
		}
		const char *evp = fd_jstr(v, "evidence");
		if (*evp && !any_substr(json_object_get(hit, "evidence"), "path", evp))
			FAIL("%s has no evidence in '%s'", rule, evp);
		const char *msg = fd_jstr(v, "message");
		if (*msg && !strstr(fd_jstr(hit, "message"), msg))
			FAIL("%s message lacks '%s': %s", rule, msg, fd_jstr(hit, "message"));
		const char *fix = fd_jstr(v, "fix");
		if (*fix && !any_substr(json_object_get(hit, "fix"), NULL, fix))
			FAIL("%s fix lacks '%s'", rule, fix);
	}

	json_t *warns = json_object_get(json_object_get(report, "bundle"), "warnings");
	json_array_foreach(warns, i, v)
	{
		bool expected = false;
		json_t *e;
		json_array_foreach(json_object_get(want, "warnings"), k, e)
		{
			if (json_is_string(e) && strstr(json_string_value(v), json_string_value(e)))
				expected = true;
		}
		if (!expected)
			FAIL("unexpected bundle warning: %s", json_string_value(v));
	}

	n += expect_coverage(json_object_get(want, "coverage"), json_object_get(report, "coverage"),
			     failures);

	json_array_foreach(json_object_get(want, "absent"), i, v)
	{
		const char *rule = json_string_value(v);
		json_array_foreach(json_object_get(report, "findings"), k, f)
		{
			if (rule && strcmp(fd_jstr(f, "rule"), rule) == 0) {
				FAIL("%s fired but must not: %s", rule, fd_jstr(f, "message"));
				break;
			}
		}
	}
	return n;
}

json_t *fd_yaml_file_to_json(const char *path, bool arena_malloc, struct fd_error *err)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		fd_error_set(err, FD_EIO, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct fd_buf b = {0};
	char chunk[8192];
	size_t n;
	fd_buf_add(&b, "", 0);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0 && b.len < (16u << 20))
		fd_buf_add(&b, chunk, n);
	fclose(fp);
	struct fd_arena *a = fd_arena_new(arena_malloc);
	struct fd_ynode *root = NULL;
	json_t *j = NULL;
	if (fd_yaml_parse_tree(&root, a, path, b.p, b.len, 64, err) == 0)
		j = root ? fd_ynode_to_json(root) : json_object();
	fd_arena_free(a);
	fd_buf_free(&b);
	return j;
}

int fd_rules_test_case(const struct fd_ruleset *rules, const char *expect_path,
		       const struct fd_analyze_opts *opts, char **failures, struct fd_error *err)
{
	struct fd_analyze_opts o;
	if (opts)
		o = *opts;
	else
		fd_analyze_opts_default(&o);
	*failures = NULL;
	json_t *want = fd_yaml_file_to_json(expect_path, o.arena_malloc, err);
	if (!want)
		return FD_ERULES;
	int rc;
	const char *bundle = json_string_value(json_object_get(want, "bundle"));
	if (!bundle || !*bundle) {
		rc = fd_error_set(err, FD_ERULES, "%s: no 'bundle' to analyze", expect_path);
		json_decref(want);
		return rc;
	}
	/* the bundle is named relative to the expectation file */
	char *dir = fd_xstrdup(expect_path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	char *path = bundle[0] == '/' ? fd_xstrdup(bundle)
				      : fd_xasprintf("%s/%s", slash ? dir : ".", bundle);
	struct fd_report *r = NULL;
	rc = fd_analyze_path(&r, path, rules, &o, err);
	if (rc == 0) {
		json_t *rep = fd_report_to_json(r);
		struct fd_buf fails = {0};
		rc = (int)fd_expect_check(want, rep, &fails);
		*failures = fails.p;
		json_decref(rep);
		fd_report_free(r);
	}
	free(path);
	free(dir);
	json_decref(want);
	return rc;
}
