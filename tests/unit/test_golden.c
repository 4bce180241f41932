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
	struct fd_error err = {0};
	json_t *j = fd_yaml_file_to_json(path, false, &err);
	cr_assert_not_null(j, "%s", err.msg);
	free(path);
	return j;
}

static const char *js(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void check(const char *casename, const char *how, json_t *want, json_t *report)
{
	struct fd_buf fails = {0};
	unsigned n = fd_expect_check(want, report, &fails);
	cr_expect_eq(n, 0, "%s (%s): %u unmet expectations:\n%s", casename, how, n,
		     fails.p ? fails.p : "");
	fd_buf_free(&fails);
}

ParameterizedTest(struct gcase *c, golden, cases)
{
	json_t *want = load_expectations(c->file);
	const char *bundle = js(want, "bundle");
	cr_assert(*bundle, "%s: no 'bundle'", c->file);
	char *dir = fd_xasprintf("%s/sample-bundles/%s", FD_SOURCE_DIR, bundle);
	struct fd_ruleset *rules = tb_rules();

	struct fd_analyze_opts o;
	tb_opts(&o);
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
