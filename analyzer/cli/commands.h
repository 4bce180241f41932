/* commands.h - commands of the fluxdiag front end that live outside main.c. */
#ifndef FD_CLI_COMMANDS_H
#define FD_CLI_COMMANDS_H

/* Runs a browsing command; argv[0] is its name: get, describe, logs, events or trace.
 * Returns the exit status: 0 done, 1 the object, pod or log is not in the bundle, 2 usage error
 * or unreadable bundle. */
int fd_cli_browse(int argc, char **argv);

/* True when `name` is one of the browsing commands. */
int fd_cli_is_browse(const char *name);

#endif
