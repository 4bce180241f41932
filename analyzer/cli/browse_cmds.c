/* browse_cmds.c - the browsing commands (get, describe, logs, events, trace): parse arguments,
 * load the bundle, call browse.c, map results to exit statuses (0 done, 1 not in the bundle,
 * 2 usage error or unreadable bundle). */
#define _GNU_SOURCE
#include "commands.h"
#include "fluxdiag.h"
#include "fluxdiag_browse.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static const char BROWSE_USAGE[] =
	"usage: fluxdiag get KIND [NAME] [-n NS | -A] BUNDLE\n"
	"       fluxdiag describe KIND/NAME [-n NS] BUNDLE\n"
	"       fluxdiag logs POD [-n NS] [-c CONTAINER] [-p|--previous] [--grep RE] BUNDLE\n"
	"       fluxdiag events [--for KIND/NAME] [-n NS | -A] BUNDLE\n"
	"       fluxdiag trace KIND/NAME [-n NS] BUNDLE\n"
	"\n"
	"Browse a support bundle offline as if it were the cluster. KIND takes kubectl names:\n"
	"kustomizations (ks), helmreleases (hr), gitrepositories (gitrepo), helmrepositories\n"
	"(helmrepo), helmcharts, ocirepositories, buckets, pods (po), deployments (deploy),\n"
	"events (ev), nodes, ... Namespaced kinds default to the Flux namespace (flux-system).\n"
	"Ages are measured at the bundle's collection time.\n"
	"\n"
	"  -n, --namespace NS      the namespace\n"
	"  -A, --all-namespaces    every namespace (get, events)\n"
	"  -c, --container NAME    the container (logs; default: the pod's default or first)\n"
	"  -p, --previous          the log of the previous container instance (logs)\n"
	"      --grep RE           only lines matching the PCRE2 expression RE (logs)\n"
	"      --for KIND/NAME     only events about that object (events)\n"
	"\n"
	"exit status: 0 done, 1 not in the bundle, 2 usage error or unreadable bundle.\n";


int fd_cli_is_browse(const char *name)
{
	static const char *const cmds[] = {"get", "describe", "logs", "events", "trace"};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(name, cmds[i]) == 0)
			return 1;
	return 0;
}

enum { OPT_GREP = 256, OPT_FOR };

static const struct option browse_opts[] = {
	{"namespace", required_argument, NULL, 'n'},
	{"all-namespaces", no_argument, NULL, 'A'},
	{"container", required_argument, NULL, 'c'},
	{"previous", no_argument, NULL, 'p'},
	{"grep", required_argument, NULL, OPT_GREP},
	{"for", required_argument, NULL, OPT_FOR},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct browse_args {
	const char *cmd;
	const char *ns;
	bool all_ns;
	const char *container, *grep, *for_obj;
	bool previous;
	const char *pos[3];
	int npos;
};

/* Splits "KIND/NAME" (or the pair KIND NAME) into kind and name; the copy is malloc'd. */
static int split_ref(const char *ref, char **kind, const char **name)
{
	const char *slash = strchr(ref, '/');
	if (!slash || slash == ref || !slash[1] || strchr(slash + 1, '/'))
		return -1;
	*kind = strndup(ref, (size_t)(slash - ref));
	*name = slash + 1;
	return *kind ? 0 : -1;
}

/* Copies standard input to a temporary file so that the bundle can be read more than once;
 * `path` receives its name and *fd_out its descriptor; the caller closes and unlinks it. */
static int spool_stdin(char *path, size_t len, int *fd_out)
{
	const char *dir = getenv("TMPDIR");
	char tmpl[4096];
	snprintf(tmpl, sizeof(tmpl), "%s/fluxdiag-bundle-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(tmpl);
	if (fd < 0) {
		fprintf(stderr, "fluxdiag: cannot spool standard input: %s\n", strerror(errno));
		return -1;
	}
	char buf[65536];
	ssize_t n;
	while ((n = read(0, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(fd, buf, (size_t)n) != n) {
			fprintf(stderr, "fluxdiag: cannot spool standard input: %s\n",
				strerror(errno));
			close(fd);
			unlink(tmpl);
			return -1;
		}
	}
	snprintf(path, len, "%s", tmpl);
	*fd_out = fd;
	return 0;
}

static int status_of(int rc, struct fd_error *err)
{
	if (rc == 0)
		return 0;
	fprintf(stderr, "fluxdiag: %s\n", err->msg ? err->msg : "failed");
	fd_error_clear(err);
	return fd_cli_exit_status(rc);
}

static int run(const struct browse_args *a, const char *bundle_path)
{
	struct fd_analyze_opts ao;
	struct fd_error err = {0};
	struct fd_bundle *b = NULL;
	char *kind = NULL;
	const char *name = NULL;
	int status = 0, rc = 0;
	fd_cli_analyze_opts(&ao);
	if (fd_bundle_load(&b, bundle_path, &ao, &err)) {
		fprintf(stderr, "fluxdiag: %s\n", err.msg ? err.msg : "cannot read bundle");
		fd_error_clear(&err);
		return EXIT_USAGE;
	}
	const char *cmd = a->cmd;
	if (strcmp(cmd, "get") == 0) {
		size_t nrows = 0;
		const char *res = a->pos[0];
		if (a->npos == 2 && strchr(res, '/')) {
			if (split_ref(res, &kind, &name)) {
				status = fd_cli_usage_error("bad KIND/NAME '%s'", res);
				goto out;
			}
			res = kind;
		} else if (a->npos == 3) {
			name = a->pos[1];
		}
		rc = fd_browse_get(stdout, b, res, name, a->ns, a->all_ns, &nrows, &err);
		if (rc == 0 && nrows == 0) {
			struct fd_browse_kind k;
			fd_browse_kind(&k, b, res, NULL);
			if (k.namespaced && !a->all_ns)
				fprintf(stderr, "No resources found in %s namespace.\n",
					fd_browse_namespace(b, a->ns));
			else
				fprintf(stderr, "No resources found\n");
		}
	} else if (strcmp(cmd, "describe") == 0 || strcmp(cmd, "trace") == 0) {
		const char *res = a->pos[0];
		if (a->npos == 3) {
			name = a->pos[1];
		} else if (split_ref(res, &kind, &name)) {
			status = fd_cli_usage_error("%s takes KIND/NAME, not '%s'", cmd, res);
			goto out;
		} else {
			res = kind;
		}
		if (cmd[0] == 'd')
			rc = fd_browse_describe(stdout, b, res, name, a->ns, &err);
		else
			rc = fd_browse_trace(stdout, b, res, name, a->ns, &err);
	} else if (strcmp(cmd, "events") == 0) {
		const char *for_kind = NULL;
		size_t nrows = 0;
		if (a->for_obj) {
			struct fd_browse_kind k;
			if (split_ref(a->for_obj, &kind, &name)) {
				status = fd_cli_usage_error("--for takes KIND/NAME, not '%s'", a->for_obj);
				goto out;
			}
			rc = fd_browse_kind(&k, b, kind, &err);
			for_kind = k.kind;
		}
		if (rc == 0)
			rc = fd_browse_events(stdout, b, a->all_ns ? NULL : fd_browse_namespace(b, a->ns),
					      for_kind, name, &nrows);
		if (rc == 0 && nrows == 0) {
			if (for_kind)
				fprintf(stderr, "No events found for %s/%s\n", for_kind, name);
			else if (a->all_ns)
				fprintf(stderr, "No events found\n");
			else
				fprintf(stderr, "No events found in %s namespace.\n",
					fd_browse_namespace(b, a->ns));
		}
	} else { /* logs */
		struct fd_logs_query q = {a->ns, a->pos[0], a->container, a->previous, a->grep};
		struct fd_logs_result res;
		const char *slash = strchr(q.pod, '/');
		if (slash && (strncmp(q.pod, "pod/", 4) == 0 || strncmp(q.pod, "pods/", 5) == 0 ||
			      strncmp(q.pod, "po/", 3) == 0))
			q.pod = slash + 1;
		rc = fd_browse_logs(stdout, b, bundle_path, &q, &res, &err);
		if (rc == 0 && res.note)
			fprintf(stderr, "%s\n", res.note);
		if (rc == 0)
			fd_logs_result_free(&res);
	}
	status = status_of(rc, &err);
out:
	free(kind);
	fd_bundle_close(b);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "fluxdiag: cannot write the output\n");
		status = EXIT_USAGE;
	}
	return status;
}

int fd_cli_browse(int argc, char **argv)
{
	struct browse_args a = {0};
	int c;
	a.cmd = argv[0];
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "n:Ac:ph", browse_opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!*optarg)
				return fd_cli_usage_error("-n takes a namespace");
			a.ns = optarg;
			break;
		case 'A':
			a.all_ns = true;
			break;
		case 'c':
			a.container = optarg;
			break;
		case 'p':
			a.previous = true;
			break;
		case OPT_GREP:
			a.grep = optarg;
			break;
		case OPT_FOR:
			a.for_obj = optarg;
			break;
		case 'h':
			fputs(BROWSE_USAGE, stdout);
			return 0;
		default:
			if (optopt && optopt < 256)
				return fd_cli_usage_error("bad option '-%c' for %s", optopt, a.cmd);
			return fd_cli_usage_error("bad option '%s' for %s", argv[optind - 1], a.cmd);
		}
	}
	bool logs = strcmp(a.cmd, "logs") == 0, events = strcmp(a.cmd, "events") == 0;
	bool get = strcmp(a.cmd, "get") == 0;
	if ((a.container || a.previous || a.grep) && !logs)
		return fd_cli_usage_error("-c, --previous and --grep are for logs");
	if (a.for_obj && !events)
		return fd_cli_usage_error("--for is for events");
	if (a.all_ns && !(get || events))
		return fd_cli_usage_error("-A is for get and events");
	if (a.all_ns && a.ns)
		return fd_cli_usage_error("-n and -A exclude each other");
	a.npos = argc - optind;
	int min = events ? 1 : 2, max = events ? 1 : logs ? 2 : 3;
	if (a.npos < min || a.npos > max) {
		if (events)
			return fd_cli_usage_error("events takes one BUNDLE");
		if (logs)
			return fd_cli_usage_error("logs takes POD and BUNDLE");
		if (get)
			return fd_cli_usage_error("get takes KIND [NAME] and BUNDLE");
		return fd_cli_usage_error("%s takes KIND/NAME and BUNDLE", a.cmd);
	}
	for (int i = 0; i < a.npos; i++)
		a.pos[i] = argv[optind + i];
	const char *bundle = a.pos[a.npos - 1];
	if (logs && strcmp(bundle, "-") == 0) {
		char path[4096];
		int fd;
		if (spool_stdin(path, sizeof(path), &fd))
			return EXIT_USAGE;
		int st = run(&a, path);
		close(fd);
		unlink(path);
		return st;
	}
	return run(&a, bundle);
}
