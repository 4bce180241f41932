/* report_render.c - the last stage: write a report as text (for a terminal), markdown (for a
 * ticket) or JSON (fluxdiag.report/v1, for machines), and the rule catalog. Text from a bundle
 * is escaped on the way out so that no escape sequence from a hostile log reaches a terminal. */
#include "render.h"
#include "util.h"
#include "present.h"
#include "rules.h"
#include "report.h"
#include "coverage_judge.h"

#include <stdlib.h>
#include <string.h>

/* ---- JSON ---- */

static json_t *finding_json(const struct fd_report *r, const struct fd_finding *f)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(f->id));
	json_object_set_new(o, "rule", fd_json_str(f->rule->id));
	json_object_set_new(o, "title", fd_json_str(f->rule->title));
	json_object_set_new(o, "severity", json_string(fd_severity_name(f->rule->severity)));
	json_object_set_new(o, "category", json_string(fd_category_name(f->rule->category)));
	if (f->kind) {
		json_t *obj = json_object();
		if (f->api_version)
			json_object_set_new(obj, "apiVersion", fd_json_str(f->api_version));
		json_object_set_new(obj, "kind", fd_json_str(f->kind));
		json_object_set_new(obj, "namespace", fd_json_str(f->ns));
		json_object_set_new(obj, "name", fd_json_str(f->name));
		json_object_set_new(o, "object", obj);
	} else {
		json_object_set_new(o, "object", json_null());
	}
	json_object_set_new(o, "message", fd_json_str(f->message));
	json_t *ev = json_array();
	for (size_t i = 0; i < f->nev; i++)
		json_array_append_new(ev, json_pack("{s:o,s:i,s:o}", "path", fd_json_str(f->ev[i].path),
						    "line", (int)f->ev[i].line, "text",
						    fd_json_str(f->ev[i].text)));
	json_object_set_new(o, "evidence", ev);
	json_t *cb = json_array();
	for (size_t i = 0; i < f->ncaused; i++)
		json_array_append_new(cb, json_string(r->findings[f->caused_by[i]]->id));
	json_object_set_new(o, "caused_by", cb);
	json_t *sy = json_array();
	for (size_t i = 0; i < f->nsymptoms; i++)
		json_array_append_new(sy, json_string(r->findings[f->symptoms[i]]->id));
	json_object_set_new(o, "symptoms", sy);
	json_t *fix = json_array();
	for (size_t i = 0; i < f->nfix; i++)
		json_array_append_new(fix, fd_json_str(f->fix[i]));
	json_object_set_new(o, "fix", fix);
	json_object_set_new(o, "why", fd_json_str(f->why));
	json_t *docs = json_array();
	for (size_t i = 0; i < f->rule->ndocs; i++)
		json_array_append_new(docs, fd_json_str(f->rule->docs[i]));
	json_object_set_new(o, "docs", docs);
	json_object_set_new(o, "node", fd_json_str(f->node));
	return o;
}

json_t *fd_report_to_json(const struct fd_report *r)
{
	json_t *root = json_object();
	json_object_set_new(root, "schema", json_string("fluxdiag.report/v1"));
	json_object_set_new(root, "tool", json_pack("{s:s,s:s}", "name", "fluxdiag", "version",
						    FLUXDIAG_VERSION));
	json_t *b = json_object();
	json_object_set_new(b, "source", fd_json_str(r->source));
	json_object_set_new(b, "format", fd_json_str(r->format));
	json_object_set_new(b, "collected_at", fd_json_str(r->collected_at));
	json_object_set_new(b, "collected_at_known", json_boolean(r->collected_known));
	json_object_set_new(b, "objects", json_integer((json_int_t)r->objects));
	json_object_set_new(b, "log_files", json_integer((json_int_t)r->log_files));
	json_object_set_new(b, "log_lines", json_integer((json_int_t)r->log_lines));
	json_object_set_new(b, "bytes_read", json_integer((json_int_t)r->bytes_read));
	json_t *w = json_array();
	for (size_t i = 0; i < r->warnings.len; i++)
		json_array_append_new(w, fd_json_str(r->warnings.v[i]));
	json_object_set_new(b, "warnings", w);
	json_object_set_new(root, "bundle", b);
	json_object_set_new(root, "rules", json_integer((json_int_t)r->nrules));
	json_t *fs = json_array();
	for (size_t i = 0; i < r->nfindings; i++)
		json_array_append_new(fs, finding_json(r, r->findings[i]));
	json_object_set_new(root, "findings", fs);
	json_t *roots = json_array();
	for (size_t i = 0; i < r->nroots; i++)
		json_array_append_new(roots, json_string(r->findings[r->roots[i]]->id));
	json_object_set_new(root, "root_causes", roots);
	if (r->coverage)
		json_object_set_new(root, "coverage", fd_coverage_to_json(r));
	json_t *tl = json_array();
	for (size_t i = 0; i < r->ntimeline; i++) {
		char ts[32];
		fd_time_format(r->timeline[i].t, ts);
		json_array_append_new(tl, json_pack("{s:s,s:s,s:b,s:o,s:o}", "time", ts, "source",
						    r->timeline[i].source, "warning",
						    r->timeline[i].warning, "object",
						    fd_json_str(r->timeline[i].object), "text",
						    fd_json_str(r->timeline[i].text)));
	}
	json_object_set_new(root, "timeline", tl);
	return root;
}

/* ---- text ---- */

struct style {
	const char *bold, *dim, *red, *yellow, *cyan, *reset;
};

static const char *sev_color(const struct style *st, enum fd_severity s)
{
	return s >= FD_SEV_ERROR ? st->red : s == FD_SEV_WARNING ? st->yellow : st->cyan;
}

static void object_label(FILE *out, const struct fd_finding *f)
{
	if (!f->kind) {
		fputs("(no object)", out);
		return;
	}
	char *label = fd_object_label(f->kind, f->ns, f->name);
	fd_put_escaped(out, label, FD_ESC_TAB_SPACE, NULL);
	free(label);
}

static void text_chain(FILE *out, const struct fd_report *r, const struct fd_finding *f,
		       const struct style *st, unsigned depth, unsigned char *shown)
{
	for (size_t i = 0; i < f->nsymptoms; i++) {
		const struct fd_finding *s = r->findings[f->symptoms[i]];
		fprintf(out, "    %*s└─ %s%s%s [%s] %s ", (int)(depth * 3), "",
			sev_color(st, s->rule->severity), s->id, st->reset,
			fd_severity_name(s->rule->severity), s->rule->id);
		object_label(out, s);
		fputs(": ", out);
		fd_put_escaped(out, s->message, FD_ESC_TAB_SPACE, NULL);
		fputc('\n', out);
		size_t idx = (size_t)(f->symptoms[i]);
		if (!shown[idx] && depth < 8) {
			shown[idx] = 1;
			text_chain(out, r, s, st, depth + 1, shown);
		}
	}
}

static void text_finding(FILE *out, const struct fd_report *r, const struct fd_finding *f,
			 const struct style *st, bool root)
{
	fprintf(out, "%s%s%s [%s] %s%s  ", sev_color(st, f->rule->severity), st->bold, f->id,
		fd_severity_name(f->rule->severity), f->rule->id, st->reset);
	object_label(out, f);
	fputc('\n', out);
	fprintf(out, "  %s", st->bold);
	fd_put_escaped(out, f->rule->title, FD_ESC_TAB_SPACE, NULL);
	fprintf(out, "%s\n  ", st->reset);
	fd_put_escaped(out, f->message, FD_ESC_TAB_SPACE, "  ");
	fputc('\n', out);
	if (f->ncaused) {
		fputs("  Caused by:", out);
		for (size_t i = 0; i < f->ncaused; i++)
			fprintf(out, " %s (%s)", r->findings[f->caused_by[i]]->id,
				r->findings[f->caused_by[i]]->rule->id);
		fputc('\n', out);
	}
	if (f->nev) {
		fputs("  Evidence:\n", out);
		for (size_t i = 0; i < f->nev; i++) {
			fprintf(out, "    %s", st->dim);
			fd_put_escaped(out, f->ev[i].path, FD_ESC_TAB_SPACE, NULL);
			if (f->ev[i].line)
				fprintf(out, ":%u", f->ev[i].line);
			fprintf(out, "%s  ", st->reset);
			fd_put_escaped(out, f->ev[i].text, FD_ESC_TAB_SPACE, NULL);
			fputc('\n', out);
		}
	}
	if (root && f->nsymptoms) {
		fprintf(out, "  Explains %zu finding%s:\n", f->explained_total,
			f->explained_total == 1 ? "" : "s");
		unsigned char *shown = fd_xcalloc(r->nfindings + 1, 1);
		text_chain(out, r, f, st, 0, shown);
		free(shown);
	}
	if (f->nfix) {
		fputs("  Fix:\n", out);
		for (size_t i = 0; i < f->nfix; i++) {
			fprintf(out, "    %zu. ", i + 1);
			fd_put_escaped(out, f->fix[i], FD_ESC_TAB_SPACE, "       ");
			fputc('\n', out);
		}
	}
	if (root) {
		fputs("  Why: ", out);
		fd_put_escaped(out, f->why, FD_ESC_TAB_SPACE, "  ");
		fputc('\n', out);
		for (size_t i = 0; i < f->rule->ndocs; i++)
			fprintf(out, "  Docs: %s\n", f->rule->docs[i]);
	}
	fputc('\n', out);
}

static void text_report(const struct fd_report *r, FILE *out, bool color)
{
	struct style st = {"", "", "", "", "", ""};
	if (color)
		st = (struct style){"\033[1m", "\033[2m", "\033[31m", "\033[33m", "\033[36m", "\033[0m"};
	fprintf(out, "%sfluxdiag %s%s  ", st.bold, FLUXDIAG_VERSION, st.reset);
	fd_put_escaped(out, r->source, FD_ESC_TAB_SPACE, NULL);
	fputs(" (", out);
	fd_put_escaped(out, r->format, FD_ESC_TAB_SPACE, NULL);
	fprintf(out, ", collected %s%s)\n", r->collected_at,
		r->collected_known ? "" : " (estimated)");
	fprintf(out, "%llu objects, %llu log files, %llu log lines, %llu bytes read, %zu rules\n\n",
		(unsigned long long)r->objects, (unsigned long long)r->log_files,
		(unsigned long long)r->log_lines, (unsigned long long)r->bytes_read, r->nrules);
	const struct fd_coverage *cov = r->coverage;
	if (cov) {
		fprintf(out, "%s", st.bold);
		fd_put_escaped(out, cov->summary, FD_ESC_TAB_SPACE, NULL);
		fprintf(out, "%s\n\n%sCAUSES (%d checked of %d)%s\n", st.reset, st.bold,
			FD_CAT_COUNT - (int)cov->nunknown, FD_CAT_COUNT, st.reset);
		for (size_t i = 0; i < FD_CAT_COUNT; i++) {
			const struct fd_cause_verdict *v = &cov->causes[i];
			const char *c = v->verdict == FD_VERDICT_FOUND     ? st.red
					: v->verdict == FD_VERDICT_UNKNOWN ? st.yellow
									   : "";
			fprintf(out, "  %-11s %s%-12s%s ", fd_category_name(v->category), c,
				fd_verdict_label(v->verdict), st.reset);
			fd_put_escaped(out, v->detail, FD_ESC_TAB_SPACE, NULL);
			fputc('\n', out);
			if (v->how) {
				fputs("                          to tell: ", out);
				fd_put_escaped(out, v->how, FD_ESC_TAB_SPACE, NULL);
				fputc('\n', out);
			}
		}
		fputc('\n', out);
	}
	if (!r->nfindings && cov && cov->nunknown) {
		fputs("No findings in what the bundle holds; the causes above that could not be "
		      "checked are not ruled out.\n",
		      out);
	} else if (!r->nfindings) {
		fputs("No findings: nothing in this bundle matches a known way Flux gets stuck.\n",
		      out);
	} else {
		fprintf(out, "%sROOT CAUSES (%zu)%s\n\n", st.bold, r->nroots, st.reset);
		for (size_t i = 0; i < r->nroots; i++)
			text_finding(out, r, r->findings[r->roots[i]], &st, true);
		size_t others = r->nfindings - r->nroots;
		if (others) {
			fprintf(out, "%sSYMPTOMS (%zu, explained above)%s\n\n", st.bold, others,
				st.reset);
			for (size_t i = 0; i < r->nfindings; i++)
				if (r->findings[i]->ncaused)
					text_finding(out, r, r->findings[i], &st, false);
		}
	}
	if (r->warnings.len) {
		fprintf(out, "%sBUNDLE WARNINGS (%zu): what could not be read or was skipped%s\n",
			st.bold, r->warnings.len, st.reset);
		for (size_t i = 0; i < r->warnings.len; i++) {
			fputs("  - ", out);
			fd_put_escaped(out, r->warnings.v[i], FD_ESC_TAB_SPACE, NULL);
			fputc('\n', out);
		}
	}
}

/* ---- markdown ---- */

static void md_text(FILE *out, const char *s)
{
	/* inline text: escape what markdown would interpret, keep it on one line */
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (strchr("\\`*_[]<>|#", *p))
			fputc('\\', out);
		if (*p == '\n')
			fputs(" ", out);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\x%02x", *p);
		else
			fputc(*p, out);
	}
}

static void md_code(FILE *out, const char *s)
{
	/* a code span whose fence is longer than any backtick run inside */
	size_t run = 0, maxrun = 0;
	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > maxrun)
			maxrun = run;
	}
	for (size_t i = 0; i <= maxrun; i++)
		fputc('`', out);
	fputc(' ', out);
	fd_put_escaped(out, s, FD_ESC_TAB_SPACE, NULL);
	fputc(' ', out);
	for (size_t i = 0; i <= maxrun; i++)
		fputc('`', out);
}

static void md_finding(FILE *out, const struct fd_report *r, const struct fd_finding *f, bool root)
{
	fprintf(out, "### %s `%s` %s: ", f->id, f->rule->id, fd_severity_name(f->rule->severity));
	md_text(out, f->rule->title);
	fputs("\n\n", out);
	if (f->kind) {
		fputs("**Object:** ", out);
		char *label = fd_object_label(f->kind, f->ns, f->name);
		md_text(out, label);
		free(label);
		fputs("\n\n", out);
	}
	md_text(out, f->message);
	fputs("\n\n", out);
	if (f->ncaused) {
		fputs("**Caused by:**", out);
		for (size_t i = 0; i < f->ncaused; i++)
			fprintf(out, " %s (`%s`)", r->findings[f->caused_by[i]]->id,
				r->findings[f->caused_by[i]]->rule->id);
		fputs("\n\n", out);
	}
	if (root && f->nsymptoms) {
		fputs("**Explains:**\n\n", out);
		for (size_t i = 0; i < f->nsymptoms; i++) {
			const struct fd_finding *s = r->findings[f->symptoms[i]];
			fprintf(out, "- %s `%s` ", s->id, s->rule->id);
			if (s->kind) {
				char *label = fd_object_label(s->kind, s->ns, s->name);
				md_text(out, label);
				free(label);
				fputs(": ", out);
			}
			md_text(out, s->message);
			fputc('\n', out);
		}
		fputc('\n', out);
	}
	if (f->nev) {
		fputs("**Evidence:**\n\n", out);
		for (size_t i = 0; i < f->nev; i++) {
			fputs("- ", out);
			char *loc = f->ev[i].line ? fd_xasprintf("%s:%u", f->ev[i].path, f->ev[i].line)
						  : fd_xstrdup(f->ev[i].path);
			md_code(out, loc);
			free(loc);
			fputs(" ", out);
			md_code(out, f->ev[i].text);
			fputc('\n', out);
		}
		fputc('\n', out);
	}
	if (f->nfix) {
		fputs("**Fix:**\n\n", out);
		for (size_t i = 0; i < f->nfix; i++) {
			fprintf(out, "%zu. ", i + 1);
			md_code(out, f->fix[i]);
			fputc('\n', out);
		}
		fputc('\n', out);
	}
	if (root) {
		fputs("**Why:** ", out);
		md_text(out, f->why);
		fputs("\n\n", out);
		for (size_t i = 0; i < f->rule->ndocs; i++)
			fprintf(out, "- <%s>\n", f->rule->docs[i]);
		if (f->rule->ndocs)
			fputc('\n', out);
	}
}

static void md_report(const struct fd_report *r, FILE *out)
{
	fputs("# fluxdiag report\n\n", out);
	fputs("| | |\n|---|---|\n| bundle | ", out);
	md_text(out, r->source);
	fputs(" |\n| format | ", out);
	md_text(out, r->format);
	fprintf(out, " |\n| collected | %s%s |\n", r->collected_at,
		r->collected_known ? "" : " (estimated)");
	fprintf(out, "| read | %llu objects, %llu log files, %llu log lines |\n\n",
		(unsigned long long)r->objects, (unsigned long long)r->log_files,
		(unsigned long long)r->log_lines);
	const struct fd_coverage *cov = r->coverage;
	if (cov) {
		fputs("## Causes checked\n\n**", out);
		md_text(out, cov->summary);
		fputs("**\n\n| cause | verdict | detail |\n|---|---|---|\n", out);
		for (size_t i = 0; i < FD_CAT_COUNT; i++) {
			const struct fd_cause_verdict *v = &cov->causes[i];
			fprintf(out, "| %s | %s | ", fd_category_name(v->category),
				fd_verdict_label(v->verdict));
			md_text(out, v->detail);
			if (v->how) {
				fputs(" — to tell: ", out);
				md_text(out, v->how);
			}
			fputs(" |\n", out);
		}
		fputc('\n', out);
	}
	if (!r->nfindings)
		fputs(cov && cov->nunknown ? "No findings in what the bundle holds.\n\n"
					   : "No findings.\n\n",
		      out);
	else {
		fprintf(out, "## Root causes (%zu)\n\n", r->nroots);
		for (size_t i = 0; i < r->nroots; i++)
			md_finding(out, r, r->findings[r->roots[i]], true);
		if (r->nfindings > r->nroots) {
			fprintf(out, "## Symptoms (%zu)\n\n", r->nfindings - r->nroots);
			for (size_t i = 0; i < r->nfindings; i++)
				if (r->findings[i]->ncaused)
					md_finding(out, r, r->findings[i], false);
		}
	}
	if (r->warnings.len) {
		fputs("## Bundle warnings\n\n", out);
		for (size_t i = 0; i < r->warnings.len; i++) {
			fputs("- ", out);
			md_text(out, r->warnings.v[i]);
			fputc('\n', out);
		}
	}
}

int fd_report_render(const struct fd_report *r, const struct fd_render_opts *opts, FILE *out)
{
	switch (opts->format) {
	case FD_FMT_JSON: {
		json_t *j = fd_report_to_json(r);
		int rc = json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', out);
		json_decref(j);
		if (rc)
			return FD_EIO;
		break;
	}
	case FD_FMT_MARKDOWN:
		md_report(r, out);
		break;
	case FD_FMT_SARIF:
		return fd_render_sarif(r, out);
	case FD_FMT_JUNIT:
		return fd_render_junit(r, out);
	case FD_FMT_HTML:
		return fd_render_html(r, out);
	default:
		text_report(r, out, opts->color);
	}
	return ferror(out) ? FD_EIO : 0;
}

/* ---- rule catalog ---- */

static int cmp_rule(const void *a, const void *b)
{
	const struct fd_rule *x = *(const struct fd_rule *const *)a,
			     *y = *(const struct fd_rule *const *)b;
	if (x->category != y->category)
		return x->category < y->category ? -1 : 1;
	return strcmp(x->id, y->id);
}

int fd_ruleset_write_catalog(const struct fd_ruleset *set, enum fd_format fmt, FILE *out)
{
	size_t n = set->rules.len;
	const struct fd_rule **rs = fd_xcalloc(n + 1, sizeof(*rs));
	for (size_t i = 0; i < n; i++)
		rs[i] = set->rules.v[i];
	fd_qsort(rs, n, sizeof(*rs), cmp_rule);
	static const char *const match_names[] = {"resource", "log", "event"};
	if (fmt != FD_FMT_JSON && fmt != FD_FMT_MARKDOWN)
		fmt = FD_FMT_TEXT;
	if (fmt == FD_FMT_JSON) {
		json_t *a = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(
				a, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "id", rs[i]->id, "title",
					     rs[i]->title, "severity",
					     fd_severity_name(rs[i]->severity), "category",
					     fd_category_name(rs[i]->category), "match",
					     match_names[rs[i]->match], "file", rs[i]->file));
		json_dumpf(a, out, JSON_INDENT(2));
		fputc('\n', out);
		json_decref(a);
	} else if (fmt == FD_FMT_MARKDOWN) {
		fprintf(out, "# fluxdiag rule catalog\n\n%zu rules. Generated by `fluxdiag rules list "
			     "--format markdown`; do not edit by hand.\n",
			n);
		int cat = -1;
		for (size_t i = 0; i < n; i++) {
			if ((int)rs[i]->category != cat) {
				cat = (int)rs[i]->category;
				fprintf(out, "\n## %s\n\n| id | severity | matches | title |\n|---|---|---|"
					     "---|\n",
					fd_category_name(rs[i]->category));
			}
			fprintf(out, "| `%s` | %s | %s | ", rs[i]->id, fd_severity_name(rs[i]->severity),
				match_names[rs[i]->match]);
			md_text(out, rs[i]->title);
			fputs(" |\n", out);
		}
		fputs("\n## Why each fix works\n\n", out);
		for (size_t i = 0; i < n; i++) {
			fprintf(out, "- **`%s`**: ", rs[i]->id);
			md_text(out, rs[i]->why);
			fputc('\n', out);
		}
	} else {
		for (size_t i = 0; i < n; i++)
			fprintf(out, "%-40s %-9s %-11s %s\n", rs[i]->id,
				fd_severity_name(rs[i]->severity), fd_category_name(rs[i]->category),
				rs[i]->title);
	}
	free(rs);
	return ferror(out) ? FD_EIO : 0;
}
