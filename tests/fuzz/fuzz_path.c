/* fuzz_path - field paths and templates: the first input line is a path (fd_path_parse,
 * fd_path_eval on a fixed object), the rest a template (fd_template_check,
 * fd_template_render). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char OBJECT[] =
	"{\"apiVersion\":\"source.toolkit.fluxcd.io/v1\",\"kind\":\"GitRepository\","
	"\"metadata\":{\"name\":\"podinfo\",\"namespace\":\"flux-system\",\"labels\":{\"a.b/c\":\"x\"},"
	"\"annotations\":{\"fluxdiag.io/keys\":\"username,password\"}},"
	"\"spec\":{\"url\":\"https://example.com/podinfo\",\"interval\":\"5m\",\"secretRef\":{\"name\":\"creds\"},"
	"\"containers\":[{\"name\":\"manager\",\"resources\":{\"limits\":{\"memory\":\"512Mi\",\"cpu\":\"500m\"}}},"
	"{\"name\":\"sidecar\",\"args\":[1,2.5,true,null,[],{}]}]},"
	"\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\",\"reason\":\"AuthenticationFailed\","
	"\"message\":\"authentication required\",\"lastTransitionTime\":\"2026-11-20T08:00:00Z\"},"
	"{\"type\":\"Reconciling\",\"status\":\"True\",\"observedGeneration\":3}]}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *obj, *caps, *vars;
	if (!obj) {
		obj = json_loads(OBJECT, 0, NULL);
		caps = json_pack("{s:s,s:s}", "reason", "auth", "what", "x{y}");
		vars = json_pack("{s:i,s:s,s:f}", "count", 3, "log.msg", "Reconciler error", "load",
				 2.5);
		FZ_CHECK(obj && caps && vars, "fixed object");
	}
	/* NUL-terminated copies: paths and templates are C strings */
	char *in = fd_xstrndup((const char *)data, size);
	char *nl = strchr(in, '\n');
	const char *path = in, *tpl = nl ? nl + 1 : "";
	if (nl)
		*nl = 0;

	size_t ep = 0;
	const char *em = NULL;
	struct fd_path *p = fd_path_parse(path, &ep, &em);
	if (p) {
		struct fd_vec vals = {0};
		fd_path_eval(p, obj, &vals, 64);
		FZ_CHECK(vals.len <= 64, "more values than asked for");
		for (size_t i = 0; i < vals.len; i++) {
			struct fd_buf b = {0};
			fd_json_text(vals.v[i], &b);
			fd_buf_free(&b);
		}
		fd_vec_free(&vals);
		fd_path_free(p);
	} else {
		FZ_CHECK(em && ep <= strlen(path), "bad error position %zu", ep);
	}

	size_t pos = 0;
	const char *msg = fd_template_check(tpl, &pos);
	FZ_CHECK(!msg || pos <= strlen(tpl), "bad template error position");
	struct fd_tctx c = {NULL, obj, "GitRepository", "flux-system", "podinfo",
			    "source.toolkit.fluxcd.io/v1", caps, vars};
	bool missing;
	char *out = fd_template_render(tpl, &c, &missing);
	FZ_CHECK(out, "no output");
	free(out);
	free(in);
	return 0;
}
