/* objects_load.h - the second stage: route each entry to its loader and index the objects
 * (objects_load.c). */
#ifndef FD_OBJECTS_LOAD_H
#define FD_OBJECTS_LOAD_H

#include "bundle.h"

/* objects_load.c: routes one entry to the right loader. */
int fd_entry_load(struct fd_entry *e, void *payload /* struct fd_bundle * */);
/* Splits a log path ".../<namespace>/<pod>/<container>[.previous|-previous].log" (or
 * "logs.txt", container "") into malloc'd parts the caller frees. Returns false for paths that
 * repeat other logs (troubleshoot's all-logs/). */
bool fd_log_identity(const char *path, char **ns, char **pod, char **container, bool *previous);
/* Applies every object file still being parsed and stops the parsing thread; called once the
 * walk is over (also after an error), before anything reads the index. */
void fd_objects_finish(struct fd_bundle *b);
/* Parses manifest.json contents. */
void fd_manifest_load(struct fd_bundle *b, const char *path, const char *buf, size_t len);

#endif
