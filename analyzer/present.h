/* present.h - how text taken from a bundle is written: escaped for terminals,
 * HTML/XML and JSON, and the label of an object (present.c). */
#ifndef FD_PRESENT_H
#define FD_PRESENT_H

#include "util.h"

enum fd_esc_flags {
	FD_ESC_KEEP_TAB = 1,  /* a tab stays as it is (log lines); without a flag it becomes \t */
	FD_ESC_TAB_SPACE = 2, /* a tab becomes a space (report text) */
};
/* Appends n bytes of s to b escaped for a terminal: C0 and C1 controls, DEL, the bidirectional
 * overrides and line separators as \xNN, \uNNNN (\n, \t, \r for those), every byte that is
 * not valid UTF-8 as \xNN. A newline is kept and followed by nl_indent when nl_indent is not
 * NULL. b is NUL-terminated afterwards. */
void fd_escape(struct fd_buf *b, const char *s, size_t n, unsigned flags, const char *nl_indent);
/* Writes s (NULL: nothing) escaped as fd_escape does. */
void fd_put_escaped(FILE *out, const char *s, unsigned flags, const char *nl_indent);
/* The label of an object for people: "Kind namespace/name", or "Kind name" when ns is NULL or
 * empty (cluster-scoped). Malloc'd; the caller frees. Not escaped. */
char *fd_object_label(const char *kind, const char *ns, const char *name);
/* A JSON string of s, with invalid UTF-8 replaced (new reference). */
json_t *fd_json_str(const char *s);
/* Writes s escaped for HTML and XML text and attributes; control characters as \xNN. */
void fd_put_markup(FILE *out, const char *s);

#endif
