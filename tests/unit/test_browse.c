/* Browsing a bundle offline: get, describe, events, trace and logs against sample bundles and a
 * troubleshoot.sh bundle, and escaping of hostile text. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define SAMPLES FD_SOURCE_DIR "/sample-bundles/"
#define TROUBLESHOOT FD_SOURCE_DIR "/../shared/external-bundles/troubleshoot-k3s-v0.50.tar.gz"

struct capture {
	char *text;
	size_t len;
	FILE *f;
};

static void cap_open(struct capture *c)
{
	c->text = NULL;
	c->len = 0;
	c->f = open_memstream(&c->text, &c->len);
	cr_assert_not_null(c->f);
}

/* Closes the stream; c->text stays until cap_free. */
static const char *cap_text(struct capture *c)
{
	fclose(c->f);
	c->f = NULL;
	return c->text;
}

static void cap_free(struct capture *c)
{
	free(c->text);
}

static struct fd_bundle *load(const char *path)
{
	struct fd_analyze_opts ao;
	struct fd_error err = {0};
	struct fd_bundle *b = NULL;
	fd_analyze_opts_default(&ao);
	int rc = fd_bundle_load(&b, path, &ao, &err);
	cr_assert_eq(rc, 0, "%s: %s", path, err.msg ? err.msg : "");
	return b;
}

static bool has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			return true;
	return false;
}

Test(browse_kind, resolves_kubectl_names)
{
	static const char *const cases[][2] = {
		{"ks", "Kustomization"},        {"Kustomizations", "Kustomization"},
		{"kustomization", "Kustomization"}, {"gitrepo", "GitRepository"},
		{"GITREPOSITORIES", "GitRepository"}, {"hr", "HelmRelease"},
		{"helmrepo", "HelmRepository"}, {"helmcharts", "HelmChart"},
		{"ocirepositories", "OCIRepository"}, {"buckets", "Bucket"},
		{"po", "Pod"},                  {"deploy", "Deployment"},
		{"ev", "Event"},                {"nodes", "Node"},
		{"kustomizations.kustomize.toolkit.fluxcd.io", "Kustomization"},
		{"deployments.apps", "Deployment"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fd_browse_kind k;
		struct fd_error err = {0};
		cr_assert_eq(fd_browse_kind(&k, NULL, cases[i][0], &err), 0, "%s", cases[i][0]);
		cr_expect_str_eq(k.kind, cases[i][1], "%s", cases[i][0]);
	}
	struct fd_browse_kind k;
	cr_expect_eq(fd_browse_kind(&k, NULL, "Node", NULL), 0);
	cr_expect(!k.namespaced);
	struct fd_error err = {0};
	cr_expect_eq(fd_browse_kind(&k, NULL, "frobnicators", &err), FD_EUSAGE);
	cr_expect(strstr(err.msg, "unknown resource type 'frobnicators'"));
	fd_error_clear(&err);
}

Test(browse_kind, falls_back_to_kinds_in_the_bundle)
{
	struct fd_bundle *b = load(SAMPLES "source-git-auth");
	struct fd_browse_kind k;
	cr_assert_eq(fd_browse_kind(&k, b, "replicasets", NULL), 0);
	cr_expect_str_eq(k.kind, "ReplicaSet");
	cr_assert_eq(fd_browse_kind(&k, b, "bundleinfo", NULL), 0);
	cr_expect_str_eq(k.kind, "BundleInfo");
	fd_bundle_close(b);
}

Test(browse_get, kustomizations_table)
{
	struct fd_bundle *b = load(SAMPLES "source-git-auth");
	struct capture c;
	size_t n = 0;
	cap_open(&c);
	cr_assert_eq(fd_browse_get(c.f, b, "ks", NULL, NULL, false, &n, NULL), 0);
	const char *t = cap_text(&c);
	cr_expect_eq(n, 2);
	cr_expect(strncmp(t, "NAME", 4) == 0, "%s", t);
	cr_expect(strstr(t, "READY"));
	cr_expect(strstr(t, "SUSPENDED"));
	cr_expect(strstr(t, "STATUS"));
	/* apps was created 35 minutes before the collection time, whatever the clock says */
	cr_expect(strstr(t, "\napps "), "%s", t);
	cr_expect(strstr(t, "   False   False       35m   Source artifact not found"), "%s", t);
	cr_expect(!strstr(t, "NAMESPACE"));
	cap_free(&c);
	fd_bundle_close(b);
}

Test(browse_get, all_namespaces_and_name)
{
	struct fd_bundle *b = load(SAMPLES "source-git-auth");
	struct capture c;
	size_t n = 0;
	cap_open(&c);
	cr_assert_eq(fd_browse_get(c.f, b, "gitrepositories", "podinfo", NULL, true, &n, NULL), 0);
	const char *t = cap_text(&c);
	cr_expect_eq(n, 1);
	cr_expect(strncmp(t, "NAMESPACE", 9) == 0, "%s", t);
	cr_expect(strstr(t, "flux-system   podinfo"), "%s", t);
	cap_free(&c);
	struct fd_error err = {0};
	cap_open(&c);
	cr_expect_eq(fd_browse_get(c.f, b, "gitrepo", "nope", NULL, false, &n, &err), FD_ENOTFOUND);
	cr_expect(strstr(err.msg, "GitRepository flux-system/nope not found"), "%s", err.msg);
	fd_error_clear(&err);
	cr_expect_eq(fd_browse_get(c.f, b, "widgets", NULL, NULL, false, &n, &err), FD_EUSAGE);
	fd_error_clear(&err);
	cr_expect_str_eq(cap_text(&c), "");
	cap_free(&c);
	fd_bundle_close(b);
}

Test(browse_get, pods_show_crashloop_and_restarts)
{
	struct fd_bundle *b = load(SAMPLES "controller-helm-oomkilled");
	struct capture c;
	cap_open(&c);
	cr_assert_eq(fd_browse_get(c.f, b, "po", NULL, NULL, false, NULL, NULL), 0);
	const char *t = cap_text(&c);
	cr_expect(strstr(t, "NAME"));
	cr_expect(strstr(t, "RESTARTS"));
	cr_expect(strstr(t, "helm-controller-5d9c8b7f6-r7t4w            0/1     CrashLoopBackOff   7 "),
		  "%s", t);
	cap_free(&c);
	fd_bundle_close(b);
}

Test(browse_get, empty_kind_writes_nothing)
{
	struct fd_bundle *b = load(SAMPLES "source-git-auth");
	struct capture c;
	size_t n = 9;
	cap_open(&c);
	cr_assert_eq(fd_browse_get(c.f, b, "hr", NULL, NULL, true, &n, NULL), 0);
	cr_expect_eq(n, 0);
	cr_expect_str_eq(cap_text(&c), "");
	cap_free(&c);
	fd_bundle_close(b);
}

Test(browse_describe, object_conditions_and_events)
{
	struct fd_bundle *b = load(SAMPLES "source-git-auth");
	struct capture c;
	cap_open(&c);
	cr_assert_eq(fd_browse_describe(c.f, b, "gitrepo", "podinfo", NULL, NULL), 0);
	const char *t = cap_text(&c);
	cr_expect(strstr(t, "Name:         podinfo\n"), "%s", t);
	cr_expect(strstr(t, "Namespace:    flux-system\n"));
	cr_expect(strstr(t, "Kind:         GitRepository\n"));
	cr_expect(strstr(t, "Spec:\n  interval: 1m0s\n"), "%s", t);
	cr_expect(strstr(t, "    name: podinfo-auth\n"), "%s", t);
	cr_expect(strstr(t, "  Conditions:\n    TYPE "), "%s", t);
	cr_expect(strstr(t, "Ready         False    GitOperationFailed"), "%s", t);
	cr_expect(strstr(t, "Events:\n  LAST SEEN"), "%s", t);
	cr_expect(strstr(t, "60s (x9 over 33m)   Warning   GitOperationFailed   source-controller"),
		  "%s", t);
	cap_free(&c);
	struct fd_error err = {0};
	cap_open(&c);
	cr_expect_eq(fd_browse_describe(c.f, b, "ks", "nope", "default", &err), FD_ENOTFOUND);
	cr_expect(strstr(err.msg, "Kustomization default/nope not found"), "%s", err.msg);
	fd_error_clear(&err);
	cap_text(&c);
	cap_free(&c);
	fd_bundle_close(b);
}

Test(browse_events, sorted_and_filtered)
{
	struct fd_bundle *b = load(SAMPLES "source-git-auth");
	struct capture c;
	size_t n = 0;
	cap_open(&c);
	cr_assert_eq(fd_browse_events(c.f, b, "flux-system", NULL, NULL, &n), 0);
	const char *t = cap_text(&c);
	cr_expect_eq(n, 2);
	cr_expect(strncmp(t, "LAST SEEN", 9) == 0, "%s", t);
	const char *ks = strstr(t, "Kustomization/flux-system");
	const char *gr = strstr(t, "GitRepository/podinfo");
	cr_assert(ks && gr, "%s", t);
	cr_expect(ks < gr, "oldest first: %s", t);
	cap_free(&c);

	cap_open(&c);
	cr_assert_eq(fd_browse_events(c.f, b, NULL, "gitrepository", "podinfo", &n), 0);
	t = cap_text(&c);
	cr_expect_eq(n, 1);
	cr_expect(strncmp(t, "NAMESPACE", 9) == 0, "%s", t);
	cr_expect(!strstr(t, "Kustomization/"));
	cap_free(&c);
	fd_bundle_close(b);
}

Test(browse_trace, kustomization_to_source_to_controller)
{
	struct fd_bundle *b = load(SAMPLES "source-git-auth");
	struct capture c;
	cap_open(&c);
	cr_assert_eq(fd_browse_trace(c.f, b, "ks", "apps", NULL, NULL), 0);
	const char *t = cap_text(&c);
	cr_expect(strncmp(t, "Kustomization flux-system/apps  Ready=False ArtifactFailed", 58) == 0,
		  "%s", t);
	cr_expect(strstr(t, "├── GitRepository flux-system/podinfo  Ready=False GitOperationFailed: "
			    "failed to checkout"),
		  "%s", t);
	cr_expect(strstr(t, "│   └── controller source-controller  1/1 pods ready, 0 restarts\n"),
		  "%s", t);
	cr_expect(strstr(t, "API server  livez passed, readyz passed"), "%s", t);
	cr_expect(strstr(t, "└── controller kustomize-controller"), "%s", t);
	cap_free(&c);
	fd_bundle_close(b);
}

Test(browse_trace, controller_down)
{
	struct fd_bundle *b = load(SAMPLES "controller-helm-oomkilled");
	const struct fd_vec *hrs = fd_bundle_kind(b, "HelmRelease");
	cr_assert(hrs && hrs->len);
	const struct fd_object *hr = hrs->v[0];
	struct capture c;
	cap_open(&c);
	cr_assert_eq(fd_browse_trace(c.f, b, "hr", hr->name, hr->ns, NULL), 0);
	const char *t = cap_text(&c);
	cr_expect(strstr(t, "controller helm-controller  0/1 pods ready, 7 restarts"), "%s", t);
	cap_free(&c);
	fd_bundle_close(b);
}

Test(browse_logs, current_previous_grep)
{
	const char *path = SAMPLES "controller-helm-oomkilled";
	struct fd_bundle *b = load(path);
	struct fd_logs_query q = {NULL, "helm-controller", NULL, true, NULL};
	struct fd_logs_result res;
	struct capture c;
	cap_open(&c);
	cr_assert_eq(fd_browse_logs(c.f, b, path, &q, &res, NULL), 0);
	const char *t = cap_text(&c);
	cr_expect_str_eq(res.pod, "helm-controller-5d9c8b7f6-r7t4w");
	cr_expect_str_eq(res.container, "manager");
	cr_expect_eq(res.lines, 10);
	cr_expect(strstr(t, "\"msg\":\"Starting workers\""), "%s", t);
	fd_logs_result_free(&res);
	cap_free(&c);

	q.previous = false;
	cap_open(&c);
	cr_assert_eq(fd_browse_logs(c.f, b, path, &q, &res, NULL), 0);
	cr_expect_str_eq(cap_text(&c), ""); /* the current container has logged nothing yet */
	fd_logs_result_free(&res);
	cap_free(&c);

	struct fd_logs_query g = {"flux-system", "source-controller-6b8d9f7c5d-4kq2m", "manager",
				  false, "starting (manager|workers)"};
	cap_open(&c);
	cr_assert_eq(fd_browse_logs(c.f, b, path, &g, &res, NULL), 0);
	t = cap_text(&c);
	cr_expect_geq(res.lines, 1);
	for (const char *l = t; *l; l = strchr(l, '\n') + 1)
		cr_expect(strstr(l, "starting manager") || strstr(l, "Starting workers") ||
				  strstr(l, "starting workers"),
			  "%s", l);
	fd_logs_result_free(&res);
	cap_free(&c);
	fd_bundle_close(b);
}

Test(browse_logs, errors)
{
	const char *path = SAMPLES "controller-helm-oomkilled";
	struct fd_bundle *b = load(path);
	struct fd_logs_result res;
	struct fd_error err = {0};
	struct capture c;
	cap_open(&c);
	struct fd_logs_query q = {NULL, "nope", NULL, false, NULL};
	cr_expect_eq(fd_browse_logs(c.f, b, path, &q, &res, &err), FD_ENOTFOUND);
	cr_expect(strstr(err.msg, "pod flux-system/nope not found"), "%s", err.msg);
	fd_error_clear(&err);
	struct fd_logs_query amb = {NULL, "s", NULL, false, NULL}; /* source- and ... */
	int rc = fd_browse_logs(c.f, b, path, &amb, &res, &err);
	cr_expect_eq(rc, 0, "only source-controller starts with s: %s", err.msg ? err.msg : "");
	if (rc == 0)
		fd_logs_result_free(&res);
	fd_error_clear(&err);
	struct fd_logs_query amb2 = {NULL, "", NULL, false, NULL};
	cr_expect_eq(fd_browse_logs(c.f, b, path, &amb2, &res, &err), FD_ENOTFOUND);
	cr_expect(strstr(err.msg, "ambiguous"), "%s", err.msg);
	fd_error_clear(&err);
	struct fd_logs_query c2 = {NULL, "helm-controller", "sidecar", false, NULL};
	cr_expect_eq(fd_browse_logs(c.f, b, path, &c2, &res, &err), FD_ENOTFOUND);
	fd_error_clear(&err);
	struct fd_logs_query re = {NULL, "helm-controller", NULL, false, "(unclosed"};
	cr_expect_eq(fd_browse_logs(c.f, b, path, &re, &res, &err), FD_EUSAGE);
	cr_expect(strstr(err.msg, "offset"), "%s", err.msg);
	fd_error_clear(&err);
	cap_text(&c);
	cap_free(&c);
	fd_bundle_close(b);
}

/* A bundle whose names, messages and logs carry terminal escapes. */
static char *hostile_bundle(void)
{
	char tmpl[] = "/tmp/fd-browse-XXXXXX";
	char *dir = mkdtemp(tmpl);
	cr_assert_not_null(dir);
	char *top = fd_xasprintf("%s/evil", dir);
	char *p;
	FILE *f;
	mkdir(top, 0700);
	p = fd_xasprintf("%s/resources", top);
	mkdir(p, 0700);
	free(p);
	p = fd_xasprintf("%s/manifest.json", top);
	f = fopen(p, "w");
	fputs("{\"format\":\"fluxdiag-bundle/v1\",\"collected_at\":\"2026-11-20T09:14:03Z\","
	      "\"commands\":[]}",
	      f);
	fclose(f);
	free(p);
	p = fd_xasprintf("%s/resources/ks.yaml", top);
	f = fopen(p, "w");
	fputs("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
	      "metadata: {name: \"ev\\eil\", namespace: flux-system,"
	      " creationTimestamp: '2026-11-20T09:00:00Z',"
	      " labels: {\"k\\e]0;x\\a\": \"v\\u202e\"}}\n"
	      "spec: {path: \"./a\\e[2J\", interval: 5m}\n"
	      "status:\n  conditions:\n"
	      "  - {type: Ready, status: 'False', reason: \"R\\x9b\", message: \"boom\\e[31m red\\r\\nnext\"}\n",
	      f);
	fclose(f);
	free(p);
	p = fd_xasprintf("%s/logs/flux-system/kustomize-controller-1/manager.log", top);
	char *d = fd_xasprintf("%s/logs/flux-system/kustomize-controller-1", top);
	char *d1 = fd_xasprintf("%s/logs", top), *d2 = fd_xasprintf("%s/logs/flux-system", top);
	mkdir(d1, 0700);
	mkdir(d2, 0700);
	mkdir(d, 0700);
	f = fopen(p, "w");
	fputs("plain\tline\n\x1b[31mred\x1b[0m \xff\xfe bytes\n\xc2\x9b" "c1\n", f);
	fclose(f);
	free(p);
	free(d);
	free(d1);
	free(d2);
	return top;
}

Test(browse_escape, nothing_raw_reaches_the_terminal)
{
	char *top = hostile_bundle();
	struct fd_bundle *b = load(top);
	struct capture c;
	size_t n;

	cap_open(&c);
	cr_assert_eq(fd_browse_get(c.f, b, "ks", NULL, NULL, false, &n, NULL), 0);
	const char *t = cap_text(&c);
	cr_expect(!has_control(t), "%s", t);
	cr_expect(strstr(t, "ev\\x1bil"), "%s", t);
	cr_expect(strstr(t, "boom\\x1b[31m red\\r\\nnext"), "%s", t);
	cap_free(&c);

	cap_open(&c);
	cr_assert_eq(fd_browse_describe(c.f, b, "ks", "ev\x1bil", NULL, NULL), 0);
	t = cap_text(&c);
	cr_expect(!has_control(t), "%s", t);
	cr_expect(!strstr(t, "\xe2\x80\xae"), "no raw bidi override: %s", t);
	cr_expect(!strstr(t, "\xc2\x9b"), "no raw C1 control: %s", t);
	cr_expect(strstr(t, "\\u202e"), "%s", t);
	cr_expect(strstr(t, "\\u009b"), "%s", t);
	cap_free(&c);

	cap_open(&c);
	cr_assert_eq(fd_browse_trace(c.f, b, "ks", "ev\x1bil", NULL, NULL), 0);
	t = cap_text(&c);
	cr_expect(!has_control(t), "%s", t);
	cap_free(&c);

	struct fd_logs_query q = {NULL, "kustomize-controller", NULL, false, NULL};
	struct fd_logs_result res;
	cap_open(&c);
	cr_assert_eq(fd_browse_logs(c.f, b, top, &q, &res, NULL), 0);
	t = cap_text(&c);
	cr_expect_str_eq(t, "plain\tline\n\\x1b[31mred\\x1b[0m \\xff\\xfe bytes\n\\u009bc1\n");
	fd_logs_result_free(&res);
	cap_free(&c);

	fd_bundle_close(b);
	char *cmd = fd_xasprintf("rm -rf '%s'", top);
	cr_expect_eq(system(cmd), 0);
	free(cmd);
	free(top);
}

Test(browse_troubleshoot, pods_logs_and_events)
{
	if (access(TROUBLESHOOT, R_OK) != 0)
		cr_skip("troubleshoot bundle not present: %s", TROUBLESHOOT);
	struct fd_bundle *b = load(TROUBLESHOOT);
	struct capture c;
	size_t n = 0;

	cap_open(&c);
	cr_assert_eq(fd_browse_get(c.f, b, "pods", NULL, "default", false, &n, NULL), 0);
	const char *t = cap_text(&c);
	cr_expect_eq(n, 1);
	cr_expect(strstr(t, "nginx-deployment-7986654d4-ztx2g   2/2     Running   50 "), "%s", t);
	cap_free(&c);

	cap_open(&c);
	cr_assert_eq(fd_browse_get(c.f, b, "deploy", NULL, NULL, true, &n, NULL), 0);
	t = cap_text(&c);
	cr_expect(strstr(t, "kube-system   coredns "), "%s", t);
	cap_free(&c);

	/* logs: the path names the pod; all-logs/ duplicates are not read twice */
	struct fd_logs_query q = {"default", "nginx-deployment", "hello", true, "Hello from k3s"};
	struct fd_logs_result res;
	cap_open(&c);
	cr_assert_eq(fd_browse_logs(c.f, b, TROUBLESHOOT, &q, &res, NULL), 0);
	t = cap_text(&c);
	cr_expect_str_eq(res.pod, "nginx-deployment-7986654d4-ztx2g");
	cr_expect_gt(res.lines, 0);
	cr_expect(strncmp(t, "Hello from k3s", 14) == 0, "%s", t);
	fd_logs_result_free(&res);
	cap_free(&c);

	struct fd_logs_query d = {"default", "nginx-deployment-7986654d4-ztx2g", NULL, false, NULL};
	cap_open(&c);
	cr_assert_eq(fd_browse_logs(c.f, b, TROUBLESHOOT, &d, &res, NULL), 0);
	cap_text(&c);
	cr_expect_str_eq(res.container, "nginx");
	cr_expect(res.note && strstr(res.note, "Defaulted container \"nginx\" out of: nginx, hello"));
	fd_logs_result_free(&res);
	cap_free(&c);

	cap_open(&c);
	cr_assert_eq(fd_browse_events(c.f, b, NULL, NULL, NULL, &n), 0);
	t = cap_text(&c);
	cr_expect_gt(n, 0);
	cr_expect(strncmp(t, "NAMESPACE   LAST SEEN", 21) == 0, "%s", t);
	cr_expect(!has_control(t));
	cap_free(&c);

	cap_open(&c);
	cr_assert_eq(fd_browse_trace(c.f, b, "deploy", "coredns", "kube-system", NULL), 0);
	t = cap_text(&c);
	cr_expect(strstr(t, "Deployment kube-system/coredns  1/1 ready\n"), "%s", t);
	cr_expect(strstr(t, "Pod kube-system/coredns-"), "%s", t);
	cr_expect(strstr(t, "API server  health unknown"), "%s", t);
	cap_free(&c);
	fd_bundle_close(b);
}
