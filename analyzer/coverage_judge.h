/* coverage_judge.h - the verdict per cause: for each category, whether a finding names it, the
 * bundle holds the evidence that rules it out, or what is missing to tell. */
#ifndef FD_COVERAGE_JUDGE_H
#define FD_COVERAGE_JUDGE_H

#include "bundle.h"
#include "report.h"
#include "rules.h"

enum fd_verdict { FD_VERDICT_FOUND, FD_VERDICT_RULED_OUT, FD_VERDICT_UNKNOWN };
/* present.c: the names of a verdict, in JSON and for people */
const char *fd_verdict_name(enum fd_verdict v);  /* "found", "ruled_out", "unknown" */
const char *fd_verdict_label(enum fd_verdict v); /* "found", "ruled out", "cannot tell" */

struct fd_cause_verdict {
	enum fd_category category;
	enum fd_verdict verdict;
	size_t *findings, nfindings; /* FOUND: indices into report->findings, roots first */
	char *detail; /* FOUND: the rules; RULED_OUT: the evidence; UNKNOWN: what is missing */
	char *how;    /* UNKNOWN: how to get it; NULL otherwise */
	unsigned *steps, nsteps; /* manifest steps (1-based) the detail quotes */
};

struct fd_coverage {
	struct fd_cause_verdict causes[FD_CAT_COUNT]; /* in fd_coverage_order */
	unsigned nunknown;
	bool flux_seen; /* Flux objects, controller pods or controller logs are in the bundle */
	char *summary;  /* one line: what holds */
};

/* The order causes are shown in (the order a support engineer checks them). */
extern const enum fd_category fd_coverage_order[FD_CAT_COUNT];

/* Judges every cause from the report's findings and what the bundle's index holds; sets
 * r->coverage (freed by fd_coverage_free). Runs after fd_causes_link. */
void fd_coverage_judge(const struct fd_bundle *b, struct fd_report *r);
void fd_coverage_free(struct fd_coverage *c);
/* The `coverage` member of fluxdiag.report/v1 for r->coverage (new reference; NULL when the
 * report has none). */
/* present.c */
json_t *fd_coverage_to_json(const struct fd_report *r);

/* FD_EBUNDLE with a one-line message when the input holds nothing of a support bundle: no
 * Kubernetes object, no pod log, no manifest, no API-server health or metrics. 0 otherwise. */
int fd_coverage_check_bundle(const struct fd_bundle *b, struct fd_error *err);

#endif
