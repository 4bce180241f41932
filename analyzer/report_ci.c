/* report_ci.c - reports for machines that already read standard formats: SARIF 2.1.0 for
 * code-scanning dashboards, and JUnit XML with one test case per rule (failed where it fired). */
#include "render.h"
#include "coverage_judge.h"
#include "util.h"
#include "present.h"
#include "rules.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>

static const char *sarif_level(enum fd_severity s)
{
	return s >= FD_SEV_ERROR ? "error" : s == FD_SEV_WARNING ? "warning" : "note";
}

/* "SRC-GIT-AUTH" -> "SrcGitAuth" (SARIF's reportingDescriptor.name is a readable identifier) */
static char *pascal(const char *id)
{
	char *o = fd_xmalloc(strlen(id) + 1), *p = o;
	bool up = true;
	for (const char *c = id; *c; c++) {
		if (*c == '-') {
			up = true;
			continue;
		}
		*p++ = up ? *c : (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		up = false;
	}
	*p = 0;
	return o;
}

static char *object_name(const struct fd_finding *f)
{
	if (!f->kind)
		return fd_xstrdup("(bundle)");
	return *f->ns ? fd_xasprintf("%s/%s/%s", f->kind, f->ns, f->name)
		      : fd_xasprintf("%s/%s", f->kind, f->name);
}

int fd_render_sarif(const struct fd_report *r, FILE *out)
{
	/* the rules that fired, in a stable order, indexed for results */
	json_t *rules = json_array();
	struct fd_map index = {0};
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct fd_rule *ru = r->findings[i]->rule;
		if (fd_map_get(&index, ru->id))
			continue;
		fd_map_put(&index, ru->id, (void *)(uintptr_t)(json_array_size(rules) + 1));
		char *name = pascal(ru->id);
		json_t *d = json_object();
		json_object_set_new(d, "id", fd_json_str(ru->id));
		json_object_set_new(d, "name", fd_json_str(name));
		json_object_set_new(d, "shortDescription", json_pack("{s:o}", "text", fd_json_str(ru->title)));
		json_object_set_new(d, "fullDescription", json_pack("{s:o}", "text", fd_json_str(ru->why)));
		if (ru->ndocs)
			json_object_set_new(d, "helpUri", fd_json_str(ru->docs[0]));
		json_object_set_new(d, "help", json_pack("{s:o}", "text", fd_json_str(ru->why)));
		json_object_set_new(d, "defaultConfiguration",
				    json_pack("{s:s}", "level", sarif_level(ru->severity)));
		json_object_set_new(d, "properties",
				    json_pack("{s:s,s:s,s:[s]}", "severity",
					      fd_severity_name(ru->severity), "category",
					      fd_category_name(ru->category), "tags",
					      fd_category_name(ru->category)));
		json_array_append_new(rules, d);
		free(name);
	}
	json_t *results = json_array();
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct fd_finding *f = r->findings[i];
		json_t *res = json_object();
		json_object_set_new(res, "ruleId", fd_json_str(f->rule->id));
		json_object_set_new(res, "ruleIndex",
				    json_integer((json_int_t)(uintptr_t)fd_map_get(&index, f->rule->id) -
						 1));
		json_object_set_new(res, "level", json_string(sarif_level(f->rule->severity)));
		json_object_set_new(res, "message", json_pack("{s:o}", "text", fd_json_str(f->message)));
		char *obj = object_name(f);
		json_t *locs = json_array();
		for (size_t k = 0; k < f->nev && k < 1; k++) {
			json_t *phys = json_pack("{s:{s:o}}", "artifactLocation", "uri",
						 fd_json_str(f->ev[k].path));
			if (f->ev[k].line)
				json_object_set_new(phys, "region",
						    json_pack("{s:i}", "startLine", (int)f->ev[k].line));
			json_array_append_new(
				locs, json_pack("{s:o,s:[{s:o,s:s}]}", "physicalLocation", phys,
						"logicalLocations", "fullyQualifiedName", fd_json_str(obj),
						"kind", "resource"));
		}
		if (!json_array_size(locs))
			json_array_append_new(locs, json_pack("{s:[{s:o,s:s}]}", "logicalLocations",
							      "fullyQualifiedName", fd_json_str(obj), "kind",
							      "resource"));
		json_object_set_new(res, "locations", locs);
		json_t *related = json_array();
		for (size_t k = 1; k < f->nev; k++) {
			json_t *phys = json_pack("{s:{s:o}}", "artifactLocation", "uri",
						 fd_json_str(f->ev[k].path));
			if (f->ev[k].line)
				json_object_set_new(phys, "region",
						    json_pack("{s:i}", "startLine", (int)f->ev[k].line));
			json_array_append_new(related,
					      json_pack("{s:i,s:o,s:{s:o}}", "id", (int)k,
							"physicalLocation", phys, "message", "text",
							fd_json_str(f->ev[k].text)));
		}
		if (json_array_size(related))
			json_object_set_new(res, "relatedLocations", related);
		else
			json_decref(related);
		char *fp = fd_xasprintf("%s|%s", f->rule->id, obj);
		json_object_set_new(res, "partialFingerprints",
				    json_pack("{s:o}", "fluxdiagFinding/v1", fd_json_str(fp)));
		free(fp);
		json_t *fix = json_array(), *cb = json_array();
		for (size_t k = 0; k < f->nfix; k++)
			json_array_append_new(fix, fd_json_str(f->fix[k]));
		for (size_t k = 0; k < f->ncaused; k++)
			json_array_append_new(cb, json_string(r->findings[f->caused_by[k]]->id));
		json_object_set_new(res, "properties",
				    json_pack("{s:s,s:b,s:o,s:o,s:o}", "findingId", f->id,
					      "rootCause", f->ncaused == 0, "causedBy", cb, "fix", fix,
					      "evidence", json_pack("{s:o}", "text",
								    fd_json_str(f->nev ? f->ev[0].text : ""))));
		free(obj);
		json_array_append_new(results, res);
	}
	json_t *notes = json_array();
	for (size_t i = 0; i < r->warnings.len; i++)
		json_array_append_new(notes, json_pack("{s:{s:o},s:s}", "message", "text",
						       fd_json_str(r->warnings.v[i]), "level", "warning"));
	for (size_t i = 0; r->coverage && i < FD_CAT_COUNT; i++) {
		const struct fd_cause_verdict *v = &r->coverage->causes[i];
		if (v->verdict != FD_VERDICT_UNKNOWN)
			continue;
		char *t = fd_xasprintf("cannot tell %s: %s; to tell: %s",
				       fd_category_name(v->category), v->detail, v->how ? v->how : "");
		json_array_append_new(notes, json_pack("{s:{s:o},s:s}", "message", "text",
						       fd_json_str(t), "level", "note"));
		free(t);
	}
	json_t *run = json_pack(
		"{s:{s:{s:s,s:s,s:s,s:o}},s:o,s:[{s:b,s:o}],s:{s:o,s:o,s:o}}", "tool", "driver",
		"name", "fluxdiag", "version", FLUXDIAG_VERSION, "informationUri",
		"https://fluxcd.io/flux/cheatsheets/troubleshooting/", "rules", rules, "results",
		results, "invocations", "executionSuccessful", 1, "toolExecutionNotifications", notes,
		"properties", "bundle", fd_json_str(r->source), "bundleFormat", fd_json_str(r->format),
		"collectedAt", fd_json_str(r->collected_at));
	if (r->coverage)
		json_object_set_new(json_object_get(run, "properties"), "coverage",
				    fd_coverage_to_json(r));
	json_t *doc = json_pack("{s:s,s:s,s:[o]}", "$schema",
				"https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0",
				"runs", run);
	int rc = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(doc);
	fd_map_free(&index);
	return rc || ferror(out) ? FD_EIO : 0;
}

int fd_render_junit(const struct fd_report *r, FILE *out)
{
	const struct fd_ruleset *set = r->rules;
	size_t nrules = set ? set->rules.len : 0;
	size_t failed_rules = 0;
	unsigned *fired = fd_xcalloc(nrules + 1, sizeof(*fired));
	for (size_t i = 0; i < r->nfindings; i++) {
		size_t idx = r->findings[i]->rule->index;
		if (idx < nrules && fired[idx]++ == 0)
			failed_rules++;
	}
	const struct fd_coverage *cov = r->coverage;
	size_t ncov = cov ? FD_CAT_COUNT : 0, cov_found = 0;
	for (size_t i = 0; i < ncov; i++)
		cov_found += cov->causes[i].verdict == FD_VERDICT_FOUND;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<testsuites name=\"fluxdiag\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		     "skipped=\"%u\">\n",
		nrules + ncov, failed_rules + cov_found, cov ? cov->nunknown : 0);
	if (cov) {
		/* one test case per cause: a failure when found, skipped when it cannot be told */
		fprintf(out,
			"  <testsuite name=\"fluxdiag.coverage\" tests=\"%zu\" failures=\"%zu\" "
			"errors=\"0\" skipped=\"%u\" timestamp=\"%.19s\">\n",
			ncov, cov_found, cov->nunknown, r->collected_at);
		for (size_t i = 0; i < ncov; i++) {
			const struct fd_cause_verdict *v = &cov->causes[i];
			fprintf(out, "    <testcase classname=\"fluxdiag.coverage\" name=\"%s\" "
				     "time=\"0\">",
				fd_category_name(v->category));
			if (v->verdict == FD_VERDICT_FOUND) {
				fputs("<failure type=\"found\" message=\"", out);
				fd_put_markup(out, v->detail);
				fputs("\"/>", out);
			} else if (v->verdict == FD_VERDICT_UNKNOWN) {
				fputs("<skipped message=\"cannot tell: ", out);
				fd_put_markup(out, v->detail);
				fputs("; to tell: ", out);
				fd_put_markup(out, v->how);
				fputs("\"/>", out);
			} else {
				fputs("<system-out>ruled out: ", out);
				fd_put_markup(out, v->detail);
				fputs("</system-out>", out);
			}
			fputs("</testcase>\n", out);
		}
		fputs("  </testsuite>\n", out);
	}
	for (int cat = 0; cat < FD_CAT_COUNT; cat++) {
		size_t tests = 0, fails = 0;
		for (size_t i = 0; i < nrules; i++) {
			const struct fd_rule *ru = set->rules.v[i];
			if ((int)ru->category == cat) {
				tests++;
				fails += fired[i] ? 1 : 0;
			}
		}
		if (!tests)
			continue;
		fprintf(out,
			"  <testsuite name=\"fluxdiag.%s\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
			"skipped=\"0\" timestamp=\"%.19s\">\n",
			fd_category_name((enum fd_category)cat), tests, fails, r->collected_at);
		for (size_t i = 0; i < nrules; i++) {
			const struct fd_rule *ru = set->rules.v[i];
			if ((int)ru->category != cat)
				continue;
			fprintf(out, "    <testcase classname=\"fluxdiag.%s\" name=\"",
				fd_category_name(ru->category));
			fd_put_markup(out, ru->id);
			fputs(": ", out);
			fd_put_markup(out, ru->title);
			fputs("\" time=\"0\"", out);
			if (!fired[i]) {
				fputs("/>\n", out);
				continue;
			}
			fputs(">\n      <failure type=\"", out);
			fputs(fd_severity_name(ru->severity), out);
			fputs("\" message=\"", out);
			size_t shown = 0;
			for (size_t k = 0; k < r->nfindings; k++) {
				const struct fd_finding *f = r->findings[k];
				if (f->rule != ru)
					continue;
				if (shown++ == 0)
					fd_put_markup(out, f->message);
			}
			fputs("\">", out);
			for (size_t k = 0; k < r->nfindings; k++) {
				const struct fd_finding *f = r->findings[k];
				if (f->rule != ru)
					continue;
				fprintf(out, "%s [%s]", f->id, f->ncaused ? "symptom" : "root cause");
				if (f->kind) {
					char *label = fd_object_label(f->kind, f->ns, f->name);
					fputc(' ', out);
					fd_put_markup(out, label);
					free(label);
				}
				fputs(": ", out);
				fd_put_markup(out, f->message);
				fputc('\n', out);
				for (size_t e = 0; e < f->nev; e++) {
					fputs("  evidence: ", out);
					fd_put_markup(out, f->ev[e].path);
					fprintf(out, ":%u ", f->ev[e].line);
					fd_put_markup(out, f->ev[e].text);
					fputc('\n', out);
				}
				for (size_t e = 0; e < f->nfix; e++) {
					fputs("  fix: ", out);
					fd_put_markup(out, f->fix[e]);
					fputc('\n', out);
				}
			}
			fputs("</failure>\n    </testcase>\n", out);
		}
		fputs("  </testsuite>\n", out);
	}
	fputs("</testsuites>\n", out);
	free(fired);
	return ferror(out) ? FD_EIO : 0;
}
