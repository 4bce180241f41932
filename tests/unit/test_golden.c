/* Golden end-to-end cases: each tests/golden/<case>.yaml names a bundle directory in
 * sample-bundles/ and what the report must say about it. Each bundle is analyzed twice: as the
 * directory, and as a .tar.gz built from it in memory. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle_util.h"
#include "internal.h"

struct gcase {
	char *file;
};

static void free_cases(struct criterion_test_params *p)
{
	struct gcase *c = p->params;
	for (size_t i = 0; i < p->length; i++)
		cr_free(c[i].file);
	cr_free(p->params);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

ParameterizedTestParameters(golden, cases)
{
	DIR *d = opendir(FD_SOURCE_DIR "/tests/golden");
	char *names[1024];
	size_t n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)) && n < 1024) {
		size_t l = strlen(de->d_name);
		if (l > 5 && strcmp(de->d_name + l - 5, ".yaml") == 0)
			names[n++] = strdup(de->d_name);
	}
	if (d)
		closedir(d);
	qsort(names, n, sizeof(*names), cmp);
	struct gcase *cs = cr_malloc(sizeof(*cs) * (n ? n : 1));
	for (size_t i = 0; i < n; i++) {
		cs[i].file = cr_malloc(strlen(names[i]) + 1);
		strcpy(cs[i].file, names[i]);
		free(names[i]);
	}
	return cr_make_param_array(struct gcase, cs, n, free_cases);
}

static json_t *load_expectations(const char *file)
{
	char *path = fd_xasprintf("%s/tests/golden/%s", FD_SOURCE_DIR, file);
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	struct fd_buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fd_buf_add(&b, chunk, n);
	fclose(f);
	struct fd_arena *a = fd_arena_new();
	struct fd_ynode *root;
	struct fd_error err = {0};
	cr_assert_eq(fd_yaml_parse_tree(&root, a, path, b.p, b.len, 32, &err), 0, "%s", err.msg);
	json_t *j = fd_ynode_to_json(root);
	fd_arena_free(a);
	fd_buf_free(&b);
	free(path);
	return j;
}

static const char *js(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static bool object_is(json_t *finding, const char *want)
{
	if (!want)
		return true;
	json_t *o = json_object_get(finding, "object");
	char *have = fd_xasprintf("%s/%s/%s", js(o, "kind"), js(o, "namespace"), js(o, "name"));
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
		if (strcmp(js(f, "id"), id) == 0)
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
		const char *s = key ? js(v, key) : json_string_value(v);
		if (s && strstr(s, needle))
			return true;
	}
	return false;
}

static int sev_rank(const char *s)
{
	static const char *const n[] = {"info", "warning", "error", "critical"};
	for (int i = 0; i < 4; i++)
		if (strcmp(s, n[i]) == 0)
			return i;
	return -1;
}

static void check(const char *casename, const char *how, json_t *want, json_t *report)
{
	/* exit status with the default --fail-on error */
	int maxsev = -1;
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(report, "findings"), i, f)
	{
		int s = sev_rank(js(f, "severity"));
		if (s > maxsev)
			maxsev = s;
	}
	json_t *ex = json_object_get(want, "exit");
	if (ex)
		cr_expect_eq(maxsev >= 2 ? 1 : 0, json_integer_value(ex), "%s (%s): exit status", casename,
			     how);
	const char *maxs = js(want, "max_severity");
	if (*maxs)
		cr_expect_leq(maxsev, sev_rank(maxs), "%s (%s): a finding above %s", casename, how, maxs);
	/* root causes, in order */
	json_t *roots = json_object_get(report, "root_causes");
	json_t *wr;
	json_array_foreach(json_object_get(want, "root_causes"), i, wr)
	{
		const char *rid = json_string_value(json_array_get(roots, i));
		json_t *rf = rid ? finding_by_id(report, rid) : NULL;
		cr_expect_not_null(rf, "%s (%s): root cause %zu (%s) missing", casename, how, i + 1,
				   js(wr, "rule"));
		if (!rf)
			continue;
		cr_expect_str_eq(js(rf, "rule"), js(wr, "rule"), "%s (%s): root cause %zu", casename,
				 how, i + 1);
		const char *wo = json_string_value(json_object_get(wr, "object"));
		cr_expect(object_is(rf, wo), "%s (%s): root cause %zu on the wrong object (want %s)",
			  casename, how, i + 1, wo);
	}
	/* findings that must be present */
	json_t *wf;
	json_array_foreach(json_object_get(want, "findings"), i, wf)
	{
		const char *rule = js(wf, "rule");
		const char *wo = json_string_value(json_object_get(wf, "object"));
		json_t *hit = NULL;
		size_t k;
		json_array_foreach(json_object_get(report, "findings"), k, f)
		{
			if (strcmp(js(f, "rule"), rule) == 0 && object_is(f, wo)) {
				hit = f;
				break;
			}
		}
		cr_expect_not_null(hit, "%s (%s): no %s finding on %s", casename, how, rule,
				   wo ? wo : "(any object)");
		if (!hit)
			continue;
		json_t *cb;
		json_array_foreach(json_object_get(wf, "caused_by"), k, cb)
		{
			bool found = false;
			size_t m;
			json_t *id;
			json_array_foreach(json_object_get(hit, "caused_by"), m, id)
			{
				json_t *cf = finding_by_id(report, json_string_value(id));
				if (cf && strcmp(js(cf, "rule"), json_string_value(cb)) == 0)
					found = true;
			}
			cr_expect(found, "%s (%s): %s is not caused by %s", casename, how, rule,
				  json_string_value(cb));
		}
		const char *ev = js(wf, "evidence");
		if (*ev)
			cr_expect(any_substr(json_object_get(hit, "evidence"), "path", ev),
				  "%s (%s): %s has no evidence in '%s'", casename, how, rule, ev);
		const char *msg = js(wf, "message");
		if (*msg)
			cr_expect(strstr(js(hit, "message"), msg) != NULL,
				  "%s (%s): %s message lacks '%s': %s", casename, how, rule, msg,
				  js(hit, "message"));
		const char *fix = js(wf, "fix");
		if (*fix)
			cr_expect(any_substr(json_object_get(hit, "fix"), NULL, fix),
				  "%s (%s): %s fix lacks '%s'", casename, how, rule, fix);
	}
	/* sample bundles are clean: every warning must be expected */
	json_t *warns = json_object_get(json_object_get(report, "bundle"), "warnings");
	json_t *ww = json_object_get(want, "warnings");
	json_t *w;
	json_array_foreach(warns, i, w)
	{
		bool expected = false;
		size_t k;
		json_t *e;
		json_array_foreach(ww, k, e)
		{
			if (strstr(json_string_value(w), json_string_value(e)))
				expected = true;
		}
		cr_expect(expected, "%s (%s): unexpected bundle warning: %s", casename, how,
			  json_string_value(w));
	}
	/* rules that must not fire */
	json_t *ab;
	json_array_foreach(json_object_get(want, "absent"), i, ab)
	{
		json_t *hit = tb_find(report, json_string_value(ab));
		cr_expect_null(hit, "%s (%s): %s fired but must not: %s", casename, how,
			       json_string_value(ab), hit ? js(hit, "message") : "");
	}
}

ParameterizedTest(struct gcase *c, golden, cases)
{
	json_t *want = load_expectations(c->file);
	const char *bundle = js(want, "bundle");
	cr_assert(*bundle, "%s: no 'bundle'", c->file);
	char *dir = fd_xasprintf("%s/sample-bundles/%s", FD_SOURCE_DIR, bundle);
	struct fd_ruleset *rules = tb_rules();

	struct fd_analyze_opts o;
	fd_analyze_opts_default(&o);
	struct fd_report *r = NULL;
	struct fd_error err = {0};
	cr_assert_eq(fd_analyze_path(&r, dir, rules, &o, &err), 0, "%s: %s", c->file, err.msg);
	json_t *rep = tb_report_json(r);
	fd_report_free(r);
	check(c->file, "directory", want, rep);

	void *buf;
	size_t len;
	cr_assert_eq(tb_archive_dir(dir, bundle, "tar.gz", &buf, &len), 0);
	json_t *rep2 = tb_analyze_buffer(buf, len, rules, NULL, NULL);
	cr_assert_not_null(rep2, "%s: archive could not be analyzed", c->file);
	check(c->file, "tar.gz", want, rep2);
	/* the same findings either way */
	cr_expect_eq(json_array_size(json_object_get(rep, "findings")),
		     json_array_size(json_object_get(rep2, "findings")),
		     "%s: directory and archive differ", c->file);
	free(buf);
	json_decref(rep);
	json_decref(rep2);
	json_decref(want);
	fd_ruleset_free(rules);
	free(dir);
}
