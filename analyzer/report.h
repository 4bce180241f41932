/* report.h - a report: findings, the timeline, what was read (built by analyze.c from the
 * stages, read by the renderers). */
#ifndef FD_REPORT_H
#define FD_REPORT_H

#include "bundle.h"
#include "rules.h"

struct fd_finding {
	char id[24];
	const struct fd_rule *rule;
	char *api_version, *kind, *ns, *name; /* kind NULL: no object */
	char *message, *why;
	char **fix;
	size_t nfix;
	struct fd_evidence *ev;
	size_t nev;
	char *node;
	size_t *caused_by, ncaused;
	size_t *symptoms, nsymptoms;
	size_t explained_total;
	bool dropped;
	char *via; /* "Kind ns/name" the rule matched, when `object` moved the finding elsewhere */
};

/* One moment in the report's timeline. */
struct fd_tl_entry {
	double t;
	const char *source; /* "event", "condition", "log" (static) */
	bool warning;
	char *object; /* "Kind ns/name" */
	char *text;
};

struct fd_report {
	char *source, *format, *collected_at;
	bool collected_known;
	uint64_t objects, log_files, log_lines, bytes_read;
	struct fd_vec warnings; /* char * owned */
	struct fd_finding **findings;
	size_t nfindings;
	size_t *roots, nroots;
	size_t nrules;
	const struct fd_ruleset *rules; /* borrowed, for renderers (junit) */
	struct fd_tl_entry *timeline;   /* oldest first */
	size_t ntimeline;
	struct fd_coverage *coverage;   /* verdict per cause (coverage_judge.h); owned */
};

#endif
