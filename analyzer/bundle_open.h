/* bundle_open.h - the first stage: walk a bundle (archive, directory, standard input) entry by
 * entry (bundle_open.c). */
#ifndef FD_BUNDLE_OPEN_H
#define FD_BUNDLE_OPEN_H

#include "bundle.h"

/* bundle_open.c: walks the bundle at path ("-" stdin, directory, or archive), calling cb for
 * each regular file. Returns 0, or FD_EBUNDLE when the bundle cannot be read at all; damage
 * after the first entry becomes a warning in b. */
int fd_bundle_walk_path(struct fd_bundle *b, const char *path, fd_entry_cb cb, void *payload,
			struct fd_error *err);
int fd_bundle_walk_buffer(struct fd_bundle *b, const void *buf, size_t len, fd_entry_cb cb,
			  void *payload, struct fd_error *err);

#endif
