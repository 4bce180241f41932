/* metrics_load.h - API-server health (readyz/livez) and controller metrics (Prometheus text)
 * loaded as synthetic objects (metrics_load.c). */
#ifndef FD_METRICS_LOAD_H
#define FD_METRICS_LOAD_H

#include "bundle.h"

void fd_metrics_load(struct fd_bundle *b, const char *path, const char *ns, const char *pod,
		     const char *buf, size_t len);
void fd_health_load(struct fd_bundle *b, const char *path, const char *name, const char *buf,
		    size_t len);

#endif
