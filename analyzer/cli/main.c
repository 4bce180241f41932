/* main.c - the fluxdiag command: parse arguments, call the core, map results to exit statuses
 * (0 clean, 1 findings at or above --fail-on, 2 usage or unreadable bundle, 3 rule file error). */
#define _GNU_SOURCE
#include "fluxdiag.h"
#include "commands.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef FD_SOURCE_RULES_DIR
#define FD_SOURCE_RULES_DIR ""
#endif
#ifndef FD_INSTALL_RULES_DIR
#define FD_INSTALL_RULES_DIR "/usr/local/share/fluxdiag/rules"
#endif

static const struct {
	enum fd_code code;
	int status;
} exit_statuses[] = {
	{FD_OK, 0},
	{FD_ENOTFOUND, EXIT_NOTFOUND},
	{FD_EUSAGE, EXIT_USAGE},
	{FD_EBUNDLE, EXIT_USAGE},
	{FD_EIO, EXIT_USAGE},
	{FD_ENOMEM, EXIT_USAGE},
	{FD_ERULES, EXIT_RULES},
};

int fd_cli_exit_status(int code)
{
	for (size_t i = 0; i < sizeof(exit_statuses) / sizeof(exit_statuses[0]); i++)
		if (exit_statuses[i].code == code)
			return exit_statuses[i].status;
	return EXIT_USAGE;
}

static const char USAGE[] =
	"usage: fluxdiag analyze [options] BUNDLE   diagnose a support bundle (file, directory or -)\n"
	"       fluxdiag rules list [--rules DIR]... [--format text|markdown|json]\n"
	"       fluxdiag rules lint DIR...          check rule files, with located errors\n"
	"       fluxdiag rules test DIR...          run the test cases in DIR/tests against DIR's rules\n"
	"       fluxdiag get KIND [NAME] [-n NS | -A] BUNDLE      kubectl-like table of a kind\n"
	"       fluxdiag describe KIND/NAME [-n NS] BUNDLE        one object, its conditions and events\n"
	"       fluxdiag logs POD [-n NS] [-c C] [-p|--previous] [--grep RE] BUNDLE\n"
	"       fluxdiag events [--for KIND/NAME] [-n NS | -A] BUNDLE\n"
	"       fluxdiag trace KIND/NAME [-n NS] BUNDLE           what it depends on, with states\n"
	"       fluxdiag --version | --help\n"
	"\n"
	"analyze options:\n"
	"  -f, --format FMT        text (default), markdown, json, html, sarif or junit\n"
	"  -o, --output FILE       write the report to FILE instead of standard output\n"
	"      --rules DIR         add rules from DIR (repeatable; same id replaces)\n"
	"      --no-default-rules  do not load the installed rule pack\n"
	"      --fail-on SEV       exit 1 when a finding is at or above SEV: critical, error\n"
	"                          (default), warning, info, or none; --fail-on unknown (may be\n"
	"                          given as well) also exits 1 when a cause could not be checked\n"
	"      --color WHEN        auto (default: on a terminal, unless NO_COLOR), always, never\n"
	"      --timeout DUR       stop reading after DUR (e.g. 60s); the report says so\n"
	"      --max-entry-bytes N, --max-total-bytes N, --max-entries N, --max-line-bytes N,\n"
	"      --max-depth N, --max-aliases N, --max-objects-per-file N, --max-objects N,\n"
	"      --regex-match-limit N (backtracking steps of one rule regex on one line)\n"
	"                          limits for hostile bundles (sizes take K, M, G, Ki, Mi, Gi)\n"
	"\n"
	"exit status: 0 no finding at or above --fail-on, 1 findings (or, with --fail-on unknown,\n"
	"a cause that could not be checked), 2 usage error or unreadable bundle or not a support\n"
	"bundle, 3 rule file error.\n"
	"get/describe/logs/events/trace: 0 done, 1 not in the bundle, 2 usage or bundle error.\n";

int fd_cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "fluxdiag: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'fluxdiag --help'.\n");
	return EXIT_USAGE;
}

/* 0, "" and unset are off; anything else is on. */
static bool env_on(const char *name, bool dflt)
{
	const char *e = getenv(name);
	if (!e || !*e)
		return dflt;
	return strcmp(e, "0") != 0;
}

void fd_cli_analyze_opts(struct fd_analyze_opts *out)
{
	fd_analyze_opts_default(out);
	out->reader_thread = env_on("FLUXDIAG_READER_THREAD", out->reader_thread);
	out->parse_thread = env_on("FLUXDIAG_PARSE_THREAD", out->parse_thread);
	out->arena_malloc = env_on("FLUXDIAG_ARENA_MALLOC", out->arena_malloc);
}

static bool is_dir(const char *p)
{
	struct stat st;
	return p && *p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The installed rule pack: $FLUXDIAG_RULES_DIR, then <exe>/../share/fluxdiag/rules (a relocated
 * install), then the source tree (a build directory), then the configured install path. */
static const char *default_rules_dir(char *buf, size_t len)
{
	const char *env = getenv("FLUXDIAG_RULES_DIR");
	if (env && *env)
		return env;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			snprintf(buf, len, "%s/../share/fluxdiag/rules", exe);
			if (is_dir(buf))
				return buf;
		}
	}
	if (is_dir(FD_SOURCE_RULES_DIR))
		return FD_SOURCE_RULES_DIR;
	return FD_INSTALL_RULES_DIR;
}

struct rule_opts {
	const char *dirs[64];
	size_t ndirs;
	bool no_default;
};

static int load_rules(struct fd_ruleset **out, const struct rule_opts *ro)
{
	struct fd_analyze_opts ao;
	fd_cli_analyze_opts(&ao);
	struct fd_ruleset *set = fd_ruleset_new_opts(&ao);
	struct fd_error err = {0};
	char buf[PATH_MAX + 64];
	int rc = 0;
	if (!ro->no_default)
		rc = fd_ruleset_load_dir(set, default_rules_dir(buf, sizeof(buf)), &err);
	for (size_t i = 0; !rc && i < ro->ndirs; i++)
		rc = fd_ruleset_load_dir(set, ro->dirs[i], &err);
	if (rc) {
		fprintf(stderr, "fluxdiag: %s\n", err.msg);
		fd_error_clear(&err);
		fd_ruleset_free(set);
		return fd_cli_exit_status(rc);
	}
	*out = set;
	return 0;
}

enum {
	OPT_RULES = 256,
	OPT_NO_DEFAULT,
	OPT_FAIL_ON,
	OPT_COLOR,
	OPT_TIMEOUT,
	OPT_MAX_ENTRY,
	OPT_MAX_TOTAL,
	OPT_MAX_ENTRIES,
	OPT_MAX_LINE,
	OPT_MAX_DEPTH,
	OPT_MAX_ALIASES,
	OPT_MAX_OBJECTS,
	OPT_REGEX_LIMIT,
	OPT_MAX_ALL_OBJECTS,
};

static const struct option analyze_opts[] = {
	{"format", required_argument, NULL, 'f'},
	{"output", required_argument, NULL, 'o'},
	{"rules", required_argument, NULL, OPT_RULES},
	{"no-default-rules", no_argument, NULL, OPT_NO_DEFAULT},
	{"fail-on", required_argument, NULL, OPT_FAIL_ON},
	{"color", required_argument, NULL, OPT_COLOR},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"max-entry-bytes", required_argument, NULL, OPT_MAX_ENTRY},
	{"max-total-bytes", required_argument, NULL, OPT_MAX_TOTAL},
	{"max-entries", required_argument, NULL, OPT_MAX_ENTRIES},
	{"max-line-bytes", required_argument, NULL, OPT_MAX_LINE},
	{"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
	{"max-aliases", required_argument, NULL, OPT_MAX_ALIASES},
	{"max-objects-per-file", required_argument, NULL, OPT_MAX_OBJECTS},
	{"regex-match-limit", required_argument, NULL, OPT_REGEX_LIMIT},
	{"max-objects", required_argument, NULL, OPT_MAX_ALL_OBJECTS},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct progress {
	double start;
	bool shown;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A progress line on a terminal's stderr, once reading has taken more than two seconds. */
static void show_progress(uint64_t bytes, uint64_t entries, void *payload)
{
	struct progress *p = payload;
	double el = now_s() - p->start;
	if (el < 2.0)
		return;
	fprintf(stderr, "\rfluxdiag: read %.0f MB in %llu entries (%.0f MB/s)\033[K",
		(double)bytes / 1e6, (unsigned long long)entries, (double)bytes / 1e6 / el);
	p->shown = true;
}

static int size_arg(const char *name, const char *v, uint64_t *out)
{
	if (fd_parse_size(v, out) || *out == 0)
		return fd_cli_usage_error("bad value for --%s", name);
	return 0;
}

static int cmd_analyze(int argc, char **argv)
{
	struct fd_analyze_opts ao;
	struct rule_opts ro = {0};
	struct fd_render_opts rop = {FD_FMT_TEXT, 0};
	const char *output = NULL, *color = "auto";
	int fail_on = FD_SEV_ERROR;
	bool fail_unknown = false;
	uint64_t v;
	int c, rc;
	fd_cli_analyze_opts(&ao);
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:h", analyze_opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (fd_format_parse(optarg, &rop.format))
				return fd_cli_usage_error("unknown format '%s' (text, markdown, json, html, sarif, junit)", optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_RULES:
			if (ro.ndirs == 64)
				return fd_cli_usage_error("too many --rules");
			ro.dirs[ro.ndirs++] = optarg;
			break;
		case OPT_NO_DEFAULT:
			ro.no_default = true;
			break;
		case OPT_FAIL_ON: {
			enum fd_severity s;
			if (strcmp(optarg, "unknown") == 0)
				fail_unknown = true;
			else if (strcmp(optarg, "none") == 0)
				fail_on = 99;
			else if (fd_severity_parse(optarg, &s) == 0)
				fail_on = (int)s;
			else
				return fd_cli_usage_error("unknown severity '%s' for --fail-on", optarg);
			break;
		}
		case OPT_COLOR:
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never"))
				return fd_cli_usage_error("--color takes auto, always or never, not '%s'",
						   optarg);
			color = optarg;
			break;
		case OPT_TIMEOUT:
			if (fd_parse_duration(optarg, &ao.limits.timeout_s) || ao.limits.timeout_s <= 0)
				return fd_cli_usage_error("bad duration '%s' for --timeout", optarg);
			break;
		case OPT_MAX_ENTRY:
			if ((rc = size_arg("max-entry-bytes", optarg, &ao.limits.max_entry_bytes)))
				return rc;
			break;
		case OPT_MAX_TOTAL:
			if ((rc = size_arg("max-total-bytes", optarg, &ao.limits.max_total_bytes)))
				return rc;
			break;
		case OPT_MAX_ENTRIES:
			if ((rc = size_arg("max-entries", optarg, &ao.limits.max_entries)))
				return rc;
			break;
		case OPT_MAX_LINE:
			if ((rc = size_arg("max-line-bytes", optarg, &v)))
				return rc;
			ao.limits.max_line_bytes = (size_t)v;
			break;
		case OPT_MAX_DEPTH:
			if ((rc = size_arg("max-depth", optarg, &v)))
				return rc;
			ao.limits.max_depth = (unsigned)(v > 10000 ? 10000 : v);
			break;
		case OPT_MAX_ALIASES:
			if (fd_parse_size(optarg, &v))
				return fd_cli_usage_error("bad value for --max-aliases");
			ao.limits.max_aliases = (unsigned)(v > 1000000 ? 1000000 : v);
			break;
		case OPT_MAX_OBJECTS:
			if ((rc = size_arg("max-objects-per-file", optarg,
					   &ao.limits.max_objects_per_file)))
				return rc;
			break;
		case OPT_MAX_ALL_OBJECTS:
			if ((rc = size_arg("max-objects", optarg, &ao.limits.max_objects)))
				return rc;
			break;
		case OPT_REGEX_LIMIT:
			if ((rc = size_arg("regex-match-limit", optarg, &v)))
				return rc;
			ao.limits.regex_match_limit = (uint32_t)(v > 4000000000u ? 4000000000u : v);
			break;
		case 'h':
			fputs(USAGE, stdout);
			return 0;
		default:
			return fd_cli_usage_error("bad option");
		}
	}
	if (optind != argc - 1)
		return fd_cli_usage_error("analyze takes exactly one BUNDLE");
	const char *bundle = argv[optind];

	struct fd_ruleset *rules;
	if ((rc = load_rules(&rules, &ro)))
		return rc;
	struct fd_report *report = NULL;
	struct fd_error err = {0};
	struct progress prog = {now_s(), false};
	if (isatty(fileno(stderr))) {
		ao.progress = show_progress;
		ao.payload = &prog;
	}
	rc = fd_analyze_path(&report, bundle, rules, &ao, &err);
	if (prog.shown)
		fputs("\r\033[K", stderr);
	if (rc) {
		fprintf(stderr, "fluxdiag: %s\n", err.msg ? err.msg : "cannot analyze bundle");
		fd_error_clear(&err);
		fd_ruleset_free(rules);
		return fd_cli_exit_status(rc);
	}
	FILE *out = stdout;
	if (output) {
		out = fopen(output, "w");
		if (!out) {
			fprintf(stderr, "fluxdiag: %s: %s\n", output, strerror(errno));
			fd_report_free(report);
			fd_ruleset_free(rules);
			return EXIT_USAGE;
		}
	}
	if (strcmp(color, "always") == 0)
		rop.color = 1;
	else if (strcmp(color, "auto") == 0)
		rop.color = !output && isatty(fileno(stdout)) && !getenv("NO_COLOR");
	int exit_code = fd_report_max_severity(report) >= fail_on ||
					(fail_unknown && fd_report_unknown_count(report))
				? EXIT_FINDINGS
				: 0;
	rc = fd_report_render(report, &rop, out);
	/* a full disk shows only when the buffer is flushed: flush, then look at the error flag */
	errno = 0;
	if (fflush(out) != 0 || ferror(out))
		rc = FD_EIO;
	int saved = errno;
	if (output && fclose(out) != 0 && !rc) {
		rc = FD_EIO;
		saved = errno;
	}
	if (rc) {
		fprintf(stderr, "fluxdiag: cannot write the report to %s: %s\n",
			output ? output : "standard output",
			saved ? strerror(saved) : "write error");
		exit_code = fd_cli_exit_status(rc);
		if (!output)
			clearerr(stdout); /* reported: main() does not report it again */
	}
	fd_report_free(report);
	fd_ruleset_free(rules);
	return exit_code;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* fluxdiag rules test DIR...: runs the cases in DIR/tests against the rule pack plus DIR. */
static int cmd_rules_test(int argc, char **argv)
{
	bool no_default = false;
	int first = 1;
	if (argc > 1 && strcmp(argv[1], "--no-default-rules") == 0) {
		no_default = true;
		first = 2;
	}
	if (first >= argc)
		return fd_cli_usage_error("rules test takes one or more rule directories");
	unsigned passed = 0, failed = 0;
	struct fd_analyze_opts ao;
	fd_cli_analyze_opts(&ao);
	for (int i = first; i < argc; i++) {
		struct rule_opts ro = {0};
		ro.no_default = no_default;
		ro.dirs[ro.ndirs++] = argv[i];
		struct fd_ruleset *set;
		int rc = load_rules(&set, &ro);
		if (rc)
			return rc;
		char tdir[PATH_MAX];
		snprintf(tdir, sizeof(tdir), "%s/tests", argv[i]);
		DIR *d = opendir(tdir);
		if (!d) {
			fprintf(stderr, "fluxdiag: %s: no tests directory (test cases live in "
					"DIR/tests/<case>.yaml)\n",
				argv[i]);
			fd_ruleset_free(set);
			return EXIT_USAGE;
		}
		char *names[1024];
		size_t n = 0;
		struct dirent *de;
		while ((de = readdir(d)) && n < 1024) {
			size_t l = strlen(de->d_name);
			if (l > 5 && strcmp(de->d_name + l - 5, ".yaml") == 0)
				names[n++] = strdup(de->d_name);
		}
		closedir(d);
		if (n > 1)
			qsort(names, n, sizeof(*names), cmp_names);
		for (size_t k = 0; k < n; k++) {
			char path[PATH_MAX + 300];
			snprintf(path, sizeof(path), "%s/%s", tdir, names[k]);
			char *fails = NULL;
			struct fd_error err = {0};
			int r = fd_rules_test_case(set, path, &ao, &fails, &err);
			if (r == 0) {
				printf("ok   %s\n", path);
				passed++;
			} else {
				printf("FAIL %s\n", path);
				if (r < 0)
					printf("     %s\n", err.msg);
				for (char *line = fails ? strtok(fails, "\n") : NULL; line;
				     line = strtok(NULL, "\n"))
					printf("     %s\n", line);
				failed++;
			}
			free(fails);
			fd_error_clear(&err);
			free(names[k]);
		}
		fd_ruleset_free(set);
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? EXIT_FINDINGS : 0;
}

static int cmd_rules(int argc, char **argv)
{
	if (argc < 2)
		return fd_cli_usage_error("rules takes list, lint or test");
	if (strcmp(argv[1], "lint") == 0) {
		if (argc < 3)
			return fd_cli_usage_error("rules lint takes one or more directories or files");
		int status = 0;
		struct fd_analyze_opts ao;
		fd_cli_analyze_opts(&ao);
		for (int i = 2; i < argc; i++) {
			struct fd_ruleset *set = fd_ruleset_new_opts(&ao);
			struct fd_error err = {0};
			int rc = is_dir(argv[i]) ? fd_ruleset_load_dir(set, argv[i], &err)
						 : fd_ruleset_load_file(set, argv[i], &err);
			if (rc) {
				fprintf(stderr, "%s\n", err.msg);
				status = fd_cli_exit_status(rc);
			} else {
				for (size_t k = 0; k < fd_ruleset_warning_count(set); k++)
					fprintf(stderr, "%s\n", fd_ruleset_warning(set, k));
				printf("%s: %zu rules OK\n", argv[i], fd_ruleset_count(set));
			}
			fd_error_clear(&err);
			fd_ruleset_free(set);
		}
		return status;
	}
	if (strcmp(argv[1], "test") == 0)
		return cmd_rules_test(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0) {
		static const struct option lo[] = {
			{"rules", required_argument, NULL, OPT_RULES},
			{"no-default-rules", no_argument, NULL, OPT_NO_DEFAULT},
			{"format", required_argument, NULL, 'f'},
			{NULL, 0, NULL, 0},
		};
		struct rule_opts ro = {0};
		enum fd_format fmt = FD_FMT_TEXT;
		int c;
		optind = 2;
		while ((c = getopt_long(argc, argv, "f:", lo, NULL)) != -1) {
			if (c == OPT_RULES && ro.ndirs < 64)
				ro.dirs[ro.ndirs++] = optarg;
			else if (c == OPT_NO_DEFAULT)
				ro.no_default = true;
			else if (c == 'f' && fd_format_parse(optarg, &fmt) == 0)
				;
			else
				return fd_cli_usage_error("bad option for rules list");
		}
		struct fd_ruleset *set;
		int rc = load_rules(&set, &ro);
		if (rc)
			return rc;
		rc = fd_ruleset_write_catalog(set, fmt, stdout);
		fd_ruleset_free(set);
		if (rc) {
			fprintf(stderr, "fluxdiag: cannot write to standard output: %s\n",
				errno ? strerror(errno) : "write error");
			return EXIT_USAGE;
		}
		return 0;
	}
	return fd_cli_usage_error("unknown rules command '%s' (list, lint, test)", argv[1]);
}

/* Flushes and closes standard output: a write that failed (a full disk, a closed file) is one
 * line on stderr and exit status 2, for every command. A command that already failed with
 * status 2 has said why: its status stands. */
static int close_stdout(int status)
{
	errno = 0;
	bool failed = fflush(stdout) != 0 || ferror(stdout);
	int saved = errno;
	if (fclose(stdout) != 0 && !failed) {
		failed = true;
		saved = errno;
	}
	if (!failed || status == EXIT_USAGE)
		return status;
	fprintf(stderr, "fluxdiag: cannot write to standard output: %s\n",
		saved ? strerror(saved) : "write error");
	return EXIT_USAGE;
}

static int run(int argc, char **argv);

int main(int argc, char **argv)
{
	return close_stdout(run(argc, argv));
}

static int run(int argc, char **argv)
{
	if (argc < 2)
		return fd_cli_usage_error("a command is needed");
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("fluxdiag %s\n", FLUXDIAG_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(USAGE, stdout);
		return 0;
	}
	if (fd_cli_is_browse(argv[1]))
		return fd_cli_browse(argc - 1, argv + 1);
	if (strcmp(argv[1], "analyze") == 0)
		return cmd_analyze(argc - 1, argv + 1);
	if (strcmp(argv[1], "rules") == 0)
		return cmd_rules(argc - 1, argv + 1);
	return fd_cli_usage_error("unknown command '%s'", argv[1]);
}
