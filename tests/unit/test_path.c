/* Unit tests for the field-path evaluator. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static json_t *obj;

static void setup(void)
{
	obj = json_loads("{\"metadata\":{\"name\":\"apps\",\"annotations\":{\"reconcile.fluxcd.io/"
			 "requestedAt\":\"2026-11-20T09:00:00Z\"}},"
			 "\"status\":{\"conditions\":[{\"type\":\"Reconciling\",\"status\":\"True\"},"
			 "{\"type\":\"Ready\",\"status\":\"False\",\"reason\":\"BuildFailed\"}],"
			 "\"containerStatuses\":[{\"name\":\"manager\",\"lastState\":{\"terminated\":"
			 "{\"reason\":\"OOMKilled\"}}},{\"name\":\"sidecar\",\"lastState\":{}}]},"
			 "\"samples\":[{\"metric\":\"workqueue_depth\",\"labels\":{\"name\":\"a\"},"
			 "\"value\":3},{\"metric\":\"workqueue_depth\",\"labels\":{\"name\":\"b\"},"
			 "\"value\":300}]}",
			 0, NULL);
	cr_assert_not_null(obj);
}

static void teardown(void)
{
	json_decref(obj);
}

static size_t eval(const char *path, struct fd_vec *out)
{
	size_t ep;
	const char *em;
	struct fd_path *p = fd_path_parse(path, &ep, &em);
	cr_assert_not_null(p, "path %s did not parse: %s at %zu", path, em, ep);
	out->len = 0;
	fd_path_eval(p, obj, out, 100);
	fd_path_free(p);
	return out->len;
}

TestSuite(path_eval, .init = setup, .fini = teardown);

Test(path_eval, filters_conditions_by_type)
{
	struct fd_vec v = {0};
	cr_assert_eq(eval("status.conditions[type=Ready].reason", &v), 1);
	cr_expect_str_eq(json_string_value(v.v[0]), "BuildFailed");
	fd_vec_free(&v);
}

Test(path_eval, wildcard_reaches_every_element)
{
	struct fd_vec v = {0};
	cr_assert_eq(eval("status.containerStatuses[*].lastState.terminated.reason", &v), 1);
	cr_expect_str_eq(json_string_value(v.v[0]), "OOMKilled");
	cr_expect_eq(eval("status.conditions[*].type", &v), 2);
	fd_vec_free(&v);
}

Test(path_eval, quoted_keys_hold_dots_and_slashes)
{
	struct fd_vec v = {0};
	cr_assert_eq(eval("metadata.annotations[\"reconcile.fluxcd.io/requestedAt\"]", &v), 1);
	cr_expect_str_eq(json_string_value(v.v[0]), "2026-11-20T09:00:00Z");
	fd_vec_free(&v);
}

Test(path_eval, chained_filters_and_dotted_filter_keys)
{
	struct fd_vec v = {0};
	cr_assert_eq(eval("samples[metric=workqueue_depth][labels.name=b].value", &v), 1);
	cr_expect_eq(json_integer_value(v.v[0]), 300);
	fd_vec_free(&v);
}

Test(path_eval, indexes_count_from_either_end)
{
	struct fd_vec v = {0};
	cr_assert_eq(eval("status.conditions[-1].type", &v), 1);
	cr_expect_str_eq(json_string_value(v.v[0]), "Ready");
	cr_expect_eq(eval("status.conditions[5].type", &v), 0);
	fd_vec_free(&v);
}

Test(path_eval, missing_fields_yield_nothing)
{
	struct fd_vec v = {0};
	cr_expect_eq(eval("spec.suspend", &v), 0);
	cr_expect_eq(eval("status.conditions[type=Healthy].reason", &v), 0);
	fd_vec_free(&v);
}

Test(path_parse, rejects_malformed_paths_with_position)
{
	size_t ep;
	const char *em;
	cr_expect_null(fd_path_parse("status.conditions[type=Ready", &ep, &em));
	cr_expect_eq(ep, 17);
	cr_expect_null(fd_path_parse("status..reason", &ep, &em));
	cr_expect_null(fd_path_parse("status.conditions[x y]", &ep, &em));
	cr_expect_null(fd_path_parse("", &ep, &em));
}
