/* rules_eval.h - the fourth stage: evaluate rules into findings (rules_eval.c). */
#ifndef FD_RULES_EVAL_H
#define FD_RULES_EVAL_H

#include "report.h"

void fd_rules_evaluate(struct fd_bundle *b, struct fd_vec *findings);
void fd_finding_free(struct fd_finding *f);

#endif
