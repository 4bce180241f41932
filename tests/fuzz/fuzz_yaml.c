/* fuzz_yaml - the streaming YAML object loader (fd_yaml_load_objects) and the located tree
 * parser used for rule files (fd_yaml_parse_tree). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_object(json_t *obj, unsigned line, void *payload)
{
	unsigned long *n = payload;
	FZ_CHECK(json_is_object(obj), "callback got a non-object");
	FZ_CHECK(line >= 1, "object without a line");
	/* every object must serialize: no cycles, valid UTF-8 strings */
	char *s = json_dumps(obj, JSON_COMPACT);
	FZ_CHECK(s, "object does not serialize");
	free(s);
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fd_limits lim;
	fd_limits_default(&lim);
	lim.max_objects_per_file = 5000;
	struct fd_load_stats st;
	unsigned long n = 0;
	fd_yaml_load_objects("fuzz.yaml", (const char *)data, size, &lim, on_object, &n, &st);
	FZ_CHECK(n == st.objects, "callback count %lu != stats %lu", n, st.objects);
	free(st.warning);

	struct fd_arena *arena = fd_arena_new(true);
	struct fd_ynode *root = NULL;
	struct fd_error err = {0};
	if (fd_yaml_parse_tree(&root, arena, "fuzz.yaml", (const char *)data, size, 64, &err) == 0) {
		json_t *j = fd_ynode_to_json(root);
		json_decref(j);
	} else {
		FZ_CHECK(err.msg && strncmp(err.msg, "fuzz.yaml:", 10) == 0, "unlocated error");
	}
	fd_error_clear(&err);
	fd_arena_free(arena);
	return 0;
}
