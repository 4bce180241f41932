/* commands.h - commands of the fluxdiag front end that live outside main.c. */
#ifndef FD_CLI_COMMANDS_H
#define FD_CLI_COMMANDS_H

/* Exit statuses (docs/fluxdiag.1, EXIT STATUS). */
enum {
	EXIT_FINDINGS = 1, /* analyze: findings at or above --fail-on; rules test: a case failed */
	EXIT_NOTFOUND = 1, /* browsing: the object, pod or log is not in the bundle */
	EXIT_USAGE = 2,    /* usage error, unreadable bundle, a file that cannot be written */
	EXIT_RULES = 3,    /* a rule file is broken */
};

/* Prints "fluxdiag: MESSAGE" and a pointer to --help on standard error; returns EXIT_USAGE. */
int fd_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The exit status for an error code of the core (enum fd_code); the one table of them. */
int fd_cli_exit_status(int code);

/* Runs a browsing command; argv[0] is its name: get, describe, logs, events or trace.
 * Returns the exit status: 0 done, 1 the object, pod or log is not in the bundle, 2 usage error
 * or unreadable bundle. */
int fd_cli_browse(int argc, char **argv);

/* True when `name` is one of the browsing commands. */
int fd_cli_is_browse(const char *name);

/* The default analyze options with the environment's switches mapped onto them (the core
 * reads no environment): FLUXDIAG_READER_THREAD=0 and FLUXDIAG_PARSE_THREAD=0 keep the work on
 * one thread, FLUXDIAG_ARENA_MALLOC=1 makes every arena block a separate malloc. */
struct fd_analyze_opts;
void fd_cli_analyze_opts(struct fd_analyze_opts *out);

#endif
