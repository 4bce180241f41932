/* render.h - the renderers of a report (report_render.c, report_ci.c, report_html.c). */
#ifndef FD_RENDER_H
#define FD_RENDER_H

#include "report.h"

/* report_render.c: the fluxdiag.report/v1 document (caller decrefs). */
json_t *fd_report_to_json(const struct fd_report *r);

/* report_ci.c and report_html.c */
int fd_render_sarif(const struct fd_report *r, FILE *out);
int fd_render_junit(const struct fd_report *r, FILE *out);
int fd_render_html(const struct fd_report *r, FILE *out);

#endif
