/* timestamps.h - the time of a log line and of an Event (timestamps.c). */
#ifndef FD_TIMESTAMPS_H
#define FD_TIMESTAMPS_H

#include "util.h"

/* Extracts a timestamp from a log line (JSON ts, klog header, RFC 3339 prefix). */
bool fd_log_line_time(const char *line, size_t len, double ref, double *out);
/* The time an Event happened (lastTimestamp, eventTime, series, creation), or 0. */
double fd_event_time(json_t *e);

#endif
