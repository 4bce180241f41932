/* analyze.c - the pipeline: open the bundle, load objects and scan logs in one pass, derive
 * facts, evaluate rules, link causes, and hand back a report. */
#include "util.h"
#include "regex.h"
#include "rules.h"
#include "bundle.h"
#include "bundle_open.h"
#include "objects_load.h"
#include "facts_derive.h"
#include "report.h"
#include "rules_eval.h"
#include "causes_link.h"
#include "report_timeline.h"
#include "fluxdiag_browse.h"
#include "coverage_judge.h"

#include <stdlib.h>
#include <string.h>

void fd_analyze_opts_default(struct fd_analyze_opts *out)
{
	memset(out, 0, sizeof(*out));
	fd_limits_default(&out->limits);
	out->reader_thread = true;
	out->parse_thread = true;
}

static void bundle_init(struct fd_bundle *b, const struct fd_ruleset *rules,
			const struct fd_analyze_opts *opts, const char *source)
{
	memset(b, 0, sizeof(*b));
	b->arena = fd_arena_new(opts->arena_malloc);
	b->limits = opts->limits;
	b->reader_thread = opts->reader_thread;
	b->parse_thread = opts->parse_thread;
	b->rules = rules;
	b->source = fd_arena_strdup(b->arena, source);
	b->flux_ns = fd_xstrdup("flux-system");
	b->mctx = fd_regex_context_new(&opts->limits);
	if (opts->limits.timeout_s > 0)
		b->deadline = fd_now_monotonic() + opts->limits.timeout_s;
	b->progress = opts->progress;
	b->progress_payload = opts->payload;
	b->last_progress = fd_now_monotonic();
}

static void free_kind_vec(const char *k, void *v, void *p)
{
	(void)k;
	(void)p;
	fd_vec_free(v);
	free(v);
}

static void free_value(const char *k, void *v, void *p)
{
	(void)k;
	(void)p;
	free(v);
}

static void bundle_free(struct fd_bundle *b)
{
	fd_objects_finish(b);
	for (size_t i = 0; i < b->objects.len; i++) {
		struct fd_object *o = b->objects.v[i];
		json_decref(o->json);
		free(o);
	}
	fd_vec_free(&b->objects);
	fd_map_free(&b->by_key);
	fd_map_each(&b->by_kind, free_kind_vec, NULL);
	fd_map_free(&b->by_kind);
	for (size_t i = 0; i < b->warnings.len; i++)
		free(b->warnings.v[i]);
	fd_vec_free(&b->warnings);
	for (size_t i = 0; i < b->log_acc_order.len; i++)
		fd_log_acc_free(b->log_acc_order.v[i]);
	fd_vec_free(&b->log_acc_order);
	fd_map_free(&b->log_acc);
	fd_map_free(&b->collected);
	fd_map_free(&b->log_pods);
	fd_map_each(&b->regex_hits, free_value, NULL);
	fd_map_free(&b->regex_hits);
	pcre2_match_context_free(b->mctx);
	free(b->flux_ns);
	fd_arena_free(b->arena);
}

static void consider_time(json_t *v, double *newest)
{
	double t;
	const char *s = json_string_value(v);
	if (s && fd_time_parse(s, &t) == 0 && t > *newest)
		*newest = t;
}

/* The newest timestamp any object carries: the collection time of a bundle without one. */
static double newest_object_time(const struct fd_bundle *b)
{
	double newest = 0;
	for (size_t i = 0; i < b->objects.len; i++) {
		const struct fd_object *o = b->objects.v[i];
		if (o->synthetic)
			continue;
		json_t *j = o->json, *st = json_object_get(j, "status");
		consider_time(json_object_get(json_object_get(j, "metadata"), "creationTimestamp"),
			      &newest);
		consider_time(json_object_get(j, "lastTimestamp"), &newest);
		consider_time(json_object_get(j, "eventTime"), &newest);
		size_t k;
		json_t *c;
		json_array_foreach(json_object_get(st, "conditions"), k, c)
		{
			consider_time(json_object_get(c, "lastTransitionTime"), &newest);
			consider_time(json_object_get(c, "lastUpdateTime"), &newest);
		}
		json_array_foreach(json_object_get(st, "containerStatuses"), k, c)
		{
			json_t *term = json_object_get(json_object_get(c, "lastState"), "terminated");
			consider_time(json_object_get(term, "finishedAt"), &newest);
			consider_time(json_object_get(json_object_get(json_object_get(c, "state"),
								      "running"),
						      "startedAt"),
				      &newest);
		}
	}
	return newest;
}

/* Settles the collection time (manifest, else newest timestamp) and the bundle's format. */
static void settle_time_and_format(struct fd_bundle *b)
{
	if (!b->collected_known) {
		double t = newest_object_time(b);
		if (b->newest_ts > t)
			t = b->newest_ts;
		b->collected_at = t;
		char ts[32];
		fd_time_format(t, ts);
		if (t > 0)
			fd_bundle_warn(b, "the bundle has no manifest with a collection time; using the "
					  "newest timestamp seen in it (%s) as the collection time",
				       ts);
		else
			fd_bundle_warn(b, "the bundle has no manifest and no timestamps: the collection "
					  "time is unknown and age-based rules cannot hold");
	}
	if (!b->format) {
		if (b->saw_troubleshoot)
			b->format = "troubleshoot.sh";
		else if (b->saw_clusterinfo)
			b->format = "kubectl-cluster-info-dump";
		else
			b->format = "generic";
	}
	if (!b->has_manifest && strcmp(b->format, "generic") == 0)
		fd_bundle_warn(b, "no manifest.json: not a fluxdiag-bundle/v1; every YAML, JSON and "
				  "log file was read as found");
	if (b->long_lines > 1)
		fd_bundle_warn(b, "%lu log lines were longer than --max-line-bytes and matched on "
				  "their first part only",
			       b->long_lines);
}

static struct fd_report *finish(struct fd_bundle *b)
{
	struct fd_report *r = fd_xcalloc(1, sizeof(*r));
	settle_time_and_format(b);
	fd_facts_derive(b);
	struct fd_vec findings = {0};
	fd_rules_evaluate(b, &findings);
	r->findings = (struct fd_finding **)findings.v;
	r->nfindings = findings.len;
	r->source = fd_xstrdup(b->source);
	r->format = fd_xstrdup(b->format);
	char ts[32];
	fd_time_format(b->collected_at, ts);
	r->collected_at = fd_xstrdup(ts);
	r->collected_known = b->collected_known;
	size_t real = 0;
	for (size_t i = 0; i < b->objects.len; i++)
		if (!((struct fd_object *)b->objects.v[i])->synthetic)
			real++;
	r->objects = real;
	r->log_files = b->log_files;
	r->log_lines = b->log_lines;
	r->bytes_read = b->bytes_read;
	r->rules = b->rules;
	r->nrules = b->rules ? b->rules->rules.len : 0;
	fd_causes_link(b, r);
	fd_coverage_judge(b, r);
	fd_timeline_build(b, r);
	r->warnings = b->warnings;
	memset(&b->warnings, 0, sizeof(b->warnings));
	return r;
}

int fd_analyze_path(struct fd_report **out, const char *path, const struct fd_ruleset *rules,
		    const struct fd_analyze_opts *opts, struct fd_error *err)
{
	struct fd_bundle b;
	bundle_init(&b, rules, opts, opts->source_name ? opts->source_name : path);
	int rc = fd_bundle_walk_path(&b, path, fd_entry_load, &b, err);
	fd_objects_finish(&b);
	if (rc == 0)
		rc = fd_coverage_check_bundle(&b, err);
	if (rc == 0)
		*out = finish(&b);
	bundle_free(&b);
	return rc;
}

int fd_analyze_buffer(struct fd_report **out, const void *buf, size_t len, const char *name,
		      const struct fd_ruleset *rules, const struct fd_analyze_opts *opts,
		      struct fd_error *err)
{
	struct fd_bundle b;
	bundle_init(&b, rules, opts, name);
	int rc = fd_bundle_walk_buffer(&b, buf, len, fd_entry_load, &b, err);
	fd_objects_finish(&b);
	if (rc == 0)
		rc = fd_coverage_check_bundle(&b, err);
	if (rc == 0)
		*out = finish(&b);
	bundle_free(&b);
	return rc;
}

int fd_bundle_load(struct fd_bundle **out, const char *path, const struct fd_analyze_opts *opts,
		   struct fd_error *err)
{
	struct fd_bundle *b = fd_xcalloc(1, sizeof(*b));
	bundle_init(b, NULL, opts, opts->source_name ? opts->source_name : path);
	int rc = fd_bundle_walk_path(b, path, fd_entry_load, b, err);
	fd_objects_finish(b);
	if (rc) {
		bundle_free(b);
		free(b);
		return rc;
	}
	settle_time_and_format(b);
	fd_facts_derive(b);
	*out = b;
	return 0;
}

void fd_bundle_close(struct fd_bundle *b)
{
	if (!b)
		return;
	bundle_free(b);
	free(b);
}

void fd_report_free(struct fd_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nfindings; i++)
		fd_finding_free(r->findings[i]);
	free(r->findings);
	free(r->roots);
	fd_timeline_free(r);
	fd_coverage_free(r->coverage);
	for (size_t i = 0; i < r->warnings.len; i++)
		free(r->warnings.v[i]);
	fd_vec_free(&r->warnings);
	free(r->source);
	free(r->format);
	free(r->collected_at);
	free(r);
}

int fd_report_max_severity(const struct fd_report *r)
{
	int m = -1;
	for (size_t i = 0; i < r->nfindings; i++)
		if ((int)r->findings[i]->rule->severity > m)
			m = (int)r->findings[i]->rule->severity;
	return m;
}

unsigned fd_report_unknown_count(const struct fd_report *r)
{
	return r->coverage ? r->coverage->nunknown : 0;
}

size_t fd_report_finding_count(const struct fd_report *r)
{
	return r->nfindings;
}
