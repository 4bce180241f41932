/* Unit tests for the YAML and JSON object loaders. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct got {
	char names[32][64];
	unsigned lines[32];
	size_t n;
	json_t *last;
};

static int collect(json_t *obj, unsigned line, void *payload)
{
	struct got *g = payload;
	const char *name = json_string_value(json_object_get(json_object_get(obj, "metadata"), "name"));
	if (g->n < 32) {
		snprintf(g->names[g->n], 64, "%s", name ? name : "?");
		g->lines[g->n] = line;
		g->n++;
	}
	json_decref(g->last);
	g->last = json_incref(obj);
	return 0;
}

static struct fd_load_stats load_yaml(const char *text, struct got *g, struct fd_limits *lim)
{
	struct fd_limits def;
	struct fd_load_stats st;
	fd_limits_default(&def);
	memset(g, 0, sizeof(*g));
	fd_yaml_load_objects("t.yaml", text, strlen(text), lim ? lim : &def, collect, g, &st);
	return st;
}

Test(loaders_yaml, streams_list_items_with_their_lines)
{
	struct got g;
	struct fd_load_stats st = load_yaml("apiVersion: v1\n"
					    "kind: List\n"
					    "items:\n"
					    "- apiVersion: v1\n"
					    "  kind: Pod\n"
					    "  metadata: {name: a, namespace: x}\n"
					    "- apiVersion: v1\n"
					    "  kind: Pod\n"
					    "  metadata:\n"
					    "    name: b\n",
					    &g, NULL);
	cr_expect_null(st.warning);
	cr_assert_eq(g.n, 2);
	cr_expect_str_eq(g.names[0], "a");
	cr_expect_eq(g.lines[0], 4);
	cr_expect_str_eq(g.names[1], "b");
	cr_expect_eq(g.lines[1], 7);
	json_decref(g.last);
}

Test(loaders_yaml, reads_multi_document_files_and_types_scalars)
{
	struct got g;
	load_yaml("kind: ConfigMap\nmetadata: {name: one}\n---\nkind: Pod\nmetadata: {name: two}\n"
		  "spec: {suspend: true, replicas: 3, ratio: 0.5, s: \"true\", n: ~}\n",
		  &g, NULL);
	cr_assert_eq(g.n, 2);
	cr_expect_eq(g.lines[1], 4);
	json_t *spec = json_object_get(g.last, "spec");
	cr_expect(json_is_true(json_object_get(spec, "suspend")));
	cr_expect_eq(json_integer_value(json_object_get(spec, "replicas")), 3);
	cr_expect(json_is_real(json_object_get(spec, "ratio")));
	cr_expect_str_eq(json_string_value(json_object_get(spec, "s")), "true");
	cr_expect(json_is_null(json_object_get(spec, "n")));
	json_decref(g.last);
}

Test(loaders_yaml, drops_managed_fields_and_last_applied)
{
	struct got g;
	load_yaml("kind: Secret\nmetadata:\n  name: s\n  managedFields: [{manager: x}]\n"
		  "  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"data\":1}'\n"
		  "    keep: me\n",
		  &g, NULL);
	cr_assert_eq(g.n, 1);
	json_t *md = json_object_get(g.last, "metadata");
	cr_expect_null(json_object_get(md, "managedFields"));
	json_t *an = json_object_get(md, "annotations");
	cr_expect_null(json_object_get(an, "kubectl.kubernetes.io/last-applied-configuration"));
	cr_expect_str_eq(json_string_value(json_object_get(an, "keep")), "me");
	json_decref(g.last);
}

Test(loaders_yaml, broken_yaml_keeps_earlier_objects_and_locates_the_error)
{
	struct got g;
	struct fd_load_stats st = load_yaml("kind: Pod\nmetadata: {name: ok}\n---\nkind: Pod\n"
					    "metadata: {name: [unclosed\n",
					    &g, NULL);
	cr_expect_eq(g.n, 1);
	cr_assert_not_null(st.warning);
	cr_expect(strncmp(st.warning, "6:", 2) == 0 || strncmp(st.warning, "5:", 2) == 0,
		  "warning was: %s", st.warning);
	free(st.warning);
	json_decref(g.last);
}

Test(loaders_yaml, refuses_alias_expansion_attacks)
{
	struct fd_buf b = {0};
	fd_buf_adds(&b, "kind: Pod\nmetadata: {name: bomb}\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
	static const char *const nm[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
	for (int i = 1; i < 10; i++) {
		const char *p = nm[i - 1];
		fd_buf_addf(&b, "%s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n", nm[i],
			    nm[i], p, p, p, p, p, p, p, p, p, p);
	}
	struct got g;
	struct fd_load_stats st = load_yaml(b.p, &g, NULL);
	cr_expect_eq(g.n, 0);
	cr_assert_not_null(st.warning);
	cr_expect(strstr(st.warning, "alias") != NULL, "warning was: %s", st.warning);
	free(st.warning);
	fd_buf_free(&b);
	json_decref(g.last);
}

Test(loaders_yaml, refuses_deep_nesting)
{
	struct fd_buf b = {0};
	fd_buf_adds(&b, "kind: Pod\nmetadata: {name: deep}\nx: ");
	for (int i = 0; i < 200; i++)
		fd_buf_addc(&b, '[');
	for (int i = 0; i < 200; i++)
		fd_buf_addc(&b, ']');
	fd_buf_addc(&b, '\n');
	struct got g;
	struct fd_load_stats st = load_yaml(b.p, &g, NULL);
	cr_expect_eq(g.n, 0);
	cr_assert_not_null(st.warning);
	cr_expect(strstr(st.warning, "nesting") != NULL, "warning was: %s", st.warning);
	free(st.warning);
	fd_buf_free(&b);
}

Test(loaders_yaml, stops_at_the_object_limit)
{
	struct fd_limits lim;
	fd_limits_default(&lim);
	lim.max_objects_per_file = 2;
	struct got g;
	struct fd_load_stats st = load_yaml("kind: A\nmetadata: {name: a}\n---\nkind: A\nmetadata: "
					    "{name: b}\n---\nkind: A\nmetadata: {name: c}\n",
					    &g, &lim);
	cr_expect_eq(g.n, 2);
	cr_expect(st.truncated);
	json_decref(g.last);
}

static struct fd_load_stats load_json(const char *text, struct got *g)
{
	struct fd_limits def;
	struct fd_load_stats st;
	fd_limits_default(&def);
	memset(g, 0, sizeof(*g));
	fd_json_load_objects("t.json", text, strlen(text), &def, collect, g, &st);
	return st;
}

Test(loaders_json, reads_bare_arrays_and_lists_with_item_lines)
{
	struct got g;
	load_json("[\n  {\"kind\": \"Pod\", \"metadata\": {\"name\": \"p1\"}},\n"
		  "  {\"kind\": \"Pod\",\n   \"metadata\": {\"name\": \"p2\"}}\n]\n",
		  &g);
	cr_assert_eq(g.n, 2);
	cr_expect_eq(g.lines[0], 2);
	cr_expect_eq(g.lines[1], 3);
	json_decref(g.last);
	load_json("{\"kind\": \"PodList\", \"items\": [\n{\"kind\": \"Pod\", \"metadata\": "
		  "{\"name\": \"x\"}}]}",
		  &g);
	cr_assert_eq(g.n, 1);
	cr_expect_eq(g.lines[0], 2);
	json_decref(g.last);
}

Test(loaders_json, malformed_json_is_a_located_warning)
{
	struct got g;
	struct fd_load_stats st = load_json("{\"kind\": \"Pod\",\n \"metadata\": }", &g);
	cr_expect_eq(g.n, 0);
	cr_assert_not_null(st.warning);
	cr_expect(strncmp(st.warning, "2:", 2) == 0, "warning was: %s", st.warning);
	free(st.warning);
}
