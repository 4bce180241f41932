/* fluxdiag_browse.h - public interface for browsing a bundle as if it were the cluster:
 * kubectl-like get, describe, events, trace and logs (browse*.c). */
#ifndef FLUXDIAG_BROWSE_H
#define FLUXDIAG_BROWSE_H

#include "fluxdiag.h"

#include <stdbool.h>
#include <stdio.h>

/* A bundle loaded for browsing: its objects and derived facts, no rules evaluated (analyze.c).
 * Free with fd_bundle_close(). Returns 0 or FD_EBUNDLE. */
struct fd_bundle;
int fd_bundle_load(struct fd_bundle **out, const char *path, const struct fd_analyze_opts *opts,
		   struct fd_error *err);
void fd_bundle_close(struct fd_bundle *b);

/* The views (browse_*.c) write to `out`, escape every text taken from the bundle, and measure
 * ages against the collection time. */


struct fd_browse_kind {
	const char *kind; /* static, or borrowed from the bundle */
	bool namespaced;
};
/* Resolves a kubectl-style resource name (plural, singular, short name, Kind, "name.group";
 * case-insensitive) among the known kinds, then the kinds of `b` (may be NULL). Returns 0, or
 * FD_EUSAGE for a name that matches nothing. */
int fd_browse_kind(struct fd_browse_kind *out, const struct fd_bundle *b, const char *resource,
		   struct fd_error *err);
/* `ns` when given, else the bundle's Flux namespace. Borrowed. */
const char *fd_browse_namespace(const struct fd_bundle *b, const char *ns);
/* A table of the objects of `resource` in ns (NULL: the Flux namespace; ignored with all_ns
 * and for cluster-scoped kinds), only `name` when non-NULL. *nrows is the number of rows
 * (0: nothing was written). FD_EUSAGE for an unknown resource, FD_ENOTFOUND when `name`
 * is absent. */
int fd_browse_get(FILE *out, const struct fd_bundle *b, const char *resource, const char *name,
		  const char *ns, bool all_ns, size_t *nrows, struct fd_error *err);
/* Events of namespace ns (NULL: all) about kind/name (NULL: any; kind case-insensitive),
 * oldest first. Writes nothing when there are none. */
int fd_browse_events(FILE *out, const struct fd_bundle *b, const char *ns, const char *kind,
		     const char *name, size_t *nrows);
/* kubectl-describe-like view of one object and the events about it. */
int fd_browse_describe(FILE *out, const struct fd_bundle *b, const char *resource,
		       const char *name, const char *ns, struct fd_error *err);
/* The object and, as a tree, what it depends on (fd_graph_upstreams) with each one's state. */
int fd_browse_trace(FILE *out, struct fd_bundle *b, const char *resource, const char *name,
		    const char *ns, struct fd_error *err);

struct fd_logs_query {
	const char *ns;        /* NULL: the Flux namespace */
	const char *pod;       /* exact name or unique prefix */
	const char *container; /* NULL: default-container annotation, else the first */
	bool previous;
	const char *grep; /* PCRE2 pattern or NULL */
};
struct fd_logs_result {
	char *pod, *container; /* resolved names */
	char *note;            /* "Defaulted container ..." or NULL */
	unsigned long lines;   /* lines written */
};
/* Writes the log of one container, read again from the bundle at `path` (which `b` was loaded
 * from; two more passes: one to list the logs, one to print; standard input cannot be read
 * twice, so the caller spools it to a file first). Control characters other than tab are
 * escaped. FD_ENOTFOUND when the pod or its log is absent, FD_EUSAGE for a bad --grep or
 * an ambiguous container. res owns malloc'd strings: free with fd_logs_result_free(). */
int fd_browse_logs(FILE *out, struct fd_bundle *b, const char *path,
		   const struct fd_logs_query *q, struct fd_logs_result *res,
		   struct fd_error *err);
void fd_logs_result_free(struct fd_logs_result *res);

#endif
