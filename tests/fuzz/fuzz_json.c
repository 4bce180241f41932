/* fuzz_json - the JSON object loader (fd_json_load_objects) and the manifest reader. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_object(json_t *obj, unsigned line, void *payload)
{
	unsigned long *n = payload;
	FZ_CHECK(json_is_object(obj), "callback got a non-object");
	FZ_CHECK(line >= 1, "object without a line");
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
	fd_json_load_objects("fuzz.json", (const char *)data, size, &lim, on_object, &n, &st);
	FZ_CHECK(n == st.objects, "callback count %lu != stats %lu", n, st.objects);
	free(st.warning);

	/* the same bytes as a bundle's manifest.json, analyzed with one small object */
	static const char pod[] = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: "
				  "flux-system}\n";
	const char *names[] = {"b/manifest.json", "b/resources/pods.yaml"};
	const void *bufs[] = {data, pod};
	size_t lens[] = {size, sizeof(pod) - 1};
	char *tar;
	size_t tlen;
	fz_tar(names, bufs, lens, 2, &tar, &tlen);
	struct fd_analyze_opts o;
	fz_opts(&o);
	struct fd_report *r = NULL;
	if (fd_analyze_buffer(&r, tar, tlen, "fuzz-json", fz_rules(), &o, NULL) == 0) {
		fz_check_report(r);
		fd_report_free(r);
	}
	free(tar);
	return 0;
}
