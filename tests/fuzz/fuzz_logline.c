/* fuzz_logline - the log scanner: the input becomes the log of a Flux controller in a tiny tar
 * (with or without a manifest, with a small or the default --max-line-bytes) analyzed with the
 * shipped rules; every line also goes through fd_log_line_time directly. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char MANIFEST[] = "{\"format\":\"fluxdiag-bundle/v1\",\"collected_at\":"
			       "\"2026-11-20T09:14:03Z\",\"commands\":[]}";
static const char *const LOGS[] = {
	"b/logs/flux-system/source-controller-6d5c8b7f9d-x2vqk/manager.log",
	"b/logs/flux-system/kustomize-controller-7c9f6d8b5-m4tzn/manager.log",
	"b/logs/flux-system/helm-controller-5f8d7c6b4-q7wlp/manager.previous.log",
	"b/logs/flux-system/notification-controller-6b4c9d7f8-h2rjd/manager.log",
	"b/logs/kube-system/kube-apiserver-node1/kube-apiserver.log",
	"b/logs/kube-system/coredns-5d78c9869d-abcde/coredns.log",
	"b/logs/flux-system/image-reflector-controller-1/manager.log",
	"b/logs/flux-system/source-controller-6d5c8b7f9d-x2vqk/manager.previous.log",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned sel = data[0];
	data++;
	size--;
	/* timestamps of every line, as the scanner sees them */
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		double t;
		fd_log_line_time(p, n, 1795166043.0, &t);
		fd_log_line_time(p, n, 0, &t);
		p = nl ? nl + 1 : end;
	}
	const char *names[2];
	const void *bufs[2];
	size_t lens[2], n = 0;
	if (sel & 1) {
		names[n] = "b/manifest.json";
		bufs[n] = MANIFEST;
		lens[n++] = sizeof(MANIFEST) - 1;
	}
	names[n] = LOGS[(sel >> 1) & 7];
	bufs[n] = data;
	lens[n++] = size;
	char *tar;
	size_t tlen;
	fz_tar(names, bufs, lens, n, &tar, &tlen);
	struct fd_analyze_opts o;
	fz_opts(&o);
	if (sel & 0x10)
		o.limits.max_line_bytes = 64;
	struct fd_report *r = NULL;
	struct fd_error err = {0};
	int rc = fd_analyze_buffer(&r, tar, tlen, "fuzz-log", fz_rules(), &o, &err);
	FZ_CHECK(rc == 0, "a well-formed tar was refused: %s", err.msg ? err.msg : "");
	fz_check_report(r);
	fd_report_free(r);
	free(tar);
	return 0;
}
