/* template.h - message, fix and docs templates of rules (template.c). */
#ifndef FD_TEMPLATE_H
#define FD_TEMPLATE_H

#include "bundle.h"

/* Template rendering context. */
struct fd_tctx {
	const struct fd_bundle *b;
	json_t *obj;          /* {.path} root; may be NULL */
	const char *kind, *ns, *name, *api_version;
	json_t *caps;         /* {cap.X}; may be NULL */
	json_t *vars;         /* other variables: count, pod, log.msg ...; may be NULL */
};
/* Renders a template; returns a malloc'd string. *missing is set when a field had no value
 * (and no default). */
char *fd_template_render(const char *tpl, const struct fd_tctx *ctx, bool *missing);
/* The same for a fix line, a shell command line: each value is quoted for where it lands. */
char *fd_template_render_fix(const char *tpl, const struct fd_tctx *ctx, bool *missing);
/* Checks a template's syntax; returns NULL or a static message and sets *pos. */
const char *fd_template_check(const char *tpl, size_t *pos);
/* The same for a fix line, which must also read as a shell line its values can be quoted in. */
const char *fd_template_check_fix(const char *tpl, size_t *pos);

#endif
