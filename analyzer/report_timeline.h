/* report_timeline.h - events, condition transitions and log errors in time order
 * (report_timeline.c). */
#ifndef FD_REPORT_TIMELINE_H
#define FD_REPORT_TIMELINE_H

#include "report.h"

void fd_timeline_build(const struct fd_bundle *b, struct fd_report *r);
void fd_timeline_free(struct fd_report *r);

#endif
