/* logs_scan.h - scan one container log with the log rules (logs_scan.c). */
#ifndef FD_LOGS_SCAN_H
#define FD_LOGS_SCAN_H

#include "bundle.h"

void fd_log_scan(struct fd_bundle *b, struct fd_entry *e, const char *ns, const char *pod,
		 const char *container, bool previous);

#endif
