/* path_eval.h - the field paths of rules (path_eval.c). */
#ifndef FD_PATH_EVAL_H
#define FD_PATH_EVAL_H

#include "util.h"

struct fd_path;
/* Parses a field path. On error returns NULL and sets *errpos (0-based byte offset) and
 * *errmsg (static string). The result is freed with fd_path_free(). */
struct fd_path *fd_path_parse(const char *s, size_t *errpos, const char **errmsg);
void fd_path_free(struct fd_path *p);
/* Appends every value `p` reaches from `root` to `out` (borrowed references). Evaluation is
 * bounded: at most `max_values` values are returned. */
void fd_path_eval(const struct fd_path *p, json_t *root, struct fd_vec *out, size_t max_values);

#endif
