/* internal.h - every header of the core's stages, for the unit tests and fuzzers, which reach
 * into all of them. Files of the core include only the headers of what they use. */
#ifndef FD_INTERNAL_H
#define FD_INTERNAL_H

#include "fluxdiag.h"
#include "fluxdiag_browse.h"

#include "util.h"
#include "present.h"
#include "regex.h"
#include "timestamps.h"
#include "path_eval.h"
#include "yaml_load.h"
#include "rules.h"
#include "template.h"
#include "flux_controllers.h"
#include "bundle.h"
#include "bundle_open.h"
#include "objects_load.h"
#include "metrics_load.h"
#include "logs_scan.h"
#include "facts_derive.h"
#include "report.h"
#include "rules_eval.h"
#include "causes_link.h"
#include "report_timeline.h"
#include "render.h"
#include "rules_test.h"
#include "coverage_judge.h"

#endif
