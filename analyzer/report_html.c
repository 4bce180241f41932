/* report_html.c - one self-contained HTML page (no scripts, no external resources): root causes
 * first, each with its chain of symptoms, evidence and fix, then a timeline of events, condition
 * transitions and log errors. Readable on screen and when printed. */
#include "render.h"
#include "coverage_judge.h"
#include "util.h"
#include "present.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>

static const char CSS[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;"
	"max-width:70em;padding:0 1em;color:#1b1f24}"
	"h1{font-size:1.6em;margin:0 0 .2em}h2{margin-top:1.8em;border-bottom:1px solid #d0d7de;"
	"padding-bottom:.2em}"
	".meta{color:#57606a}.card{border:1px solid #d0d7de;border-left:6px solid #888;"
	"border-radius:6px;padding:.8em 1em;margin:1em 0;break-inside:avoid}"
	".critical,.error{border-left-color:#cf222e}.warning{border-left-color:#bf8700}"
	".info{border-left-color:#0969da}"
	".sev{display:inline-block;font-size:.75em;font-weight:700;text-transform:uppercase;"
	"padding:.1em .5em;border-radius:1em;color:#fff;background:#888}"
	".sev.critical,.sev.error{background:#cf222e}.sev.warning{background:#9a6700}"
	".sev.info{background:#0969da}"
	".rule{font-family:ui-monospace,monospace;font-weight:600}.obj{font-weight:600}"
	"code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.92em}"
	"pre{background:#f6f8fa;padding:.5em;white-space:pre-wrap;word-break:break-word;margin:.3em 0}"
	"table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eaeef2;"
	"padding:.25em .4em;text-align:left;vertical-align:top}"
	"tr.warn td{background:#fff8c5}ul.chain{margin:.3em 0}"
	"ul.checklist{list-style:none;padding-left:0}ul.checklist li{margin:.2em 0}"
	".found .mark{color:#cf222e}.ruled_out .mark{color:#1a7f37}.unknown .mark{color:#9a6700}"
	"@media print{body{margin:0;max-width:none;font-size:11px}a{color:inherit}"
	".card{border-left-width:4px}h2{break-after:avoid}}";

static void object(FILE *out, const struct fd_finding *f)
{
	if (!f->kind)
		return;
	fputs("<span class=\"obj\">", out);
	char *label = fd_object_label(f->kind, f->ns, f->name);
	fd_put_markup(out, label);
	free(label);
	fputs("</span>", out);
}

static void chain(FILE *out, const struct fd_report *r, const struct fd_finding *f,
		  unsigned depth, unsigned char *shown)
{
	if (!f->nsymptoms || depth > 8)
		return;
	fputs("<ul class=\"chain\">", out);
	for (size_t i = 0; i < f->nsymptoms; i++) {
		size_t idx = f->symptoms[i];
		const struct fd_finding *s = r->findings[idx];
		fprintf(out, "<li><span class=\"sev %s\">%s</span> <a href=\"#%s\">%s</a> ",
			fd_severity_name(s->rule->severity), fd_severity_name(s->rule->severity), s->id,
			s->id);
		fputs("<span class=\"rule\">", out);
		fd_put_markup(out, s->rule->id);
		fputs("</span> ", out);
		object(out, s);
		fputs(": ", out);
		fd_put_markup(out, s->message);
		if (!shown[idx]) {
			shown[idx] = 1;
			chain(out, r, s, depth + 1, shown);
		}
		fputs("</li>", out);
	}
	fputs("</ul>\n", out);
}

static void card(FILE *out, const struct fd_report *r, const struct fd_finding *f, bool root)
{
	const char *sev = fd_severity_name(f->rule->severity);
	fprintf(out, "<div class=\"card %s\" id=\"%s\">\n<div><span class=\"sev %s\">%s</span> "
		     "<b>%s</b> <span class=\"rule\">",
		sev, f->id, sev, sev, f->id);
	fd_put_markup(out, f->rule->id);
	fputs("</span> ", out);
	object(out, f);
	fputs("</div>\n<h3>", out);
	fd_put_markup(out, f->rule->title);
	fputs("</h3>\n<p class=\"msg\">", out);
	fd_put_markup(out, f->message);
	fputs("</p>\n", out);
	if (f->ncaused) {
		fputs("<p>Caused by:", out);
		for (size_t i = 0; i < f->ncaused; i++) {
			const struct fd_finding *c = r->findings[f->caused_by[i]];
			fprintf(out, " <a href=\"#%s\">%s</a> (", c->id, c->id);
			fd_put_markup(out, c->rule->id);
			fputc(')', out);
		}
		fputs("</p>\n", out);
	}
	if (root && f->nsymptoms) {
		fprintf(out, "<p><b>Explains %zu finding%s:</b></p>\n", f->explained_total,
			f->explained_total == 1 ? "" : "s");
		unsigned char *shown = fd_xcalloc(r->nfindings + 1, 1);
		chain(out, r, f, 0, shown);
		free(shown);
	}
	if (f->nev) {
		fputs("<p><b>Evidence</b></p>\n", out);
		for (size_t i = 0; i < f->nev; i++) {
			fputs("<div><code>", out);
			fd_put_markup(out, f->ev[i].path);
			if (f->ev[i].line)
				fprintf(out, ":%u", f->ev[i].line);
			fputs("</code><pre>", out);
			fd_put_markup(out, f->ev[i].text);
			fputs("</pre></div>\n", out);
		}
	}
	if (f->nfix) {
		fputs("<p><b>Fix</b></p>\n<ol>", out);
		for (size_t i = 0; i < f->nfix; i++) {
			fputs("<li><pre>", out);
			fd_put_markup(out, f->fix[i]);
			fputs("</pre></li>", out);
		}
		fputs("</ol>\n", out);
	}
	if (root) {
		fputs("<p><b>Why:</b> ", out);
		fd_put_markup(out, f->why);
		fputs("</p>\n", out);
		for (size_t i = 0; i < f->rule->ndocs; i++) {
			fputs("<p>Docs: <a href=\"", out);
			fd_put_markup(out, f->rule->docs[i]);
			fputs("\">", out);
			fd_put_markup(out, f->rule->docs[i]);
			fputs("</a></p>\n", out);
		}
	}
	fputs("</div>\n", out);
}

int fd_render_html(const struct fd_report *r, FILE *out)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">\n<title>fluxdiag report: ",
	      out);
	fd_put_markup(out, r->source);
	fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>fluxdiag report</h1>\n", CSS);
	fputs("<p class=\"meta\">Bundle <code>", out);
	fd_put_markup(out, r->source);
	fputs("</code> (", out);
	fd_put_markup(out, r->format);
	fprintf(out, "), collected %s%s. %llu objects, %llu log files, %llu log lines, %zu rules. "
		     "fluxdiag %s.</p>\n",
		r->collected_at, r->collected_known ? "" : " (estimated)",
		(unsigned long long)r->objects, (unsigned long long)r->log_files,
		(unsigned long long)r->log_lines, r->nrules, FLUXDIAG_VERSION);
	const struct fd_coverage *cov = r->coverage;
	if (cov) {
		fputs("<h2 id=\"causes\">Causes checked</h2>\n<p><strong>", out);
		fd_put_markup(out, cov->summary);
		fputs("</strong></p>\n<ul class=\"checklist\">\n", out);
		for (size_t i = 0; i < FD_CAT_COUNT; i++) {
			const struct fd_cause_verdict *v = &cov->causes[i];
			static const char *const mark[] = {"&#x2717;", "&#x2713;", "?"};
			fprintf(out, "<li class=\"%s\"><span class=\"mark\">%s</span> <b>%s</b>: %s",
				fd_verdict_name(v->verdict), mark[v->verdict],
				fd_category_name(v->category), fd_verdict_label(v->verdict));
			for (size_t k = 0; k < v->nfindings; k++) {
				const char *id = r->findings[v->findings[k]]->id;
				fprintf(out, "%s<a href=\"#%s\">%s</a>", k ? ", " : " ", id, id);
			}
			if (v->verdict != FD_VERDICT_FOUND) {
				fputs(" &#x2014; ", out);
				fd_put_markup(out, v->detail);
			}
			if (v->how) {
				fputs("<br><small>To tell: ", out);
				fd_put_markup(out, v->how);
				fputs("</small>", out);
			}
			fputs("</li>\n", out);
		}
		fputs("</ul>\n", out);
	}
	fprintf(out, "<h2 id=\"root-causes\">Root causes (%zu)</h2>\n", r->nroots);
	if (!r->nfindings && cov && cov->nunknown)
		fputs("<p>No findings in what the bundle holds; the causes that could not be checked "
		      "are not ruled out.</p>\n",
		      out);
	else if (!r->nfindings)
		fputs("<p>No findings: nothing in this bundle matches a known way Flux gets stuck.</p>\n",
		      out);
	for (size_t i = 0; i < r->nroots; i++)
		card(out, r, r->findings[r->roots[i]], true);
	if (r->nfindings > r->nroots) {
		fprintf(out, "<h2 id=\"symptoms\">Symptoms (%zu)</h2>\n", r->nfindings - r->nroots);
		for (size_t i = 0; i < r->nfindings; i++)
			if (r->findings[i]->ncaused)
				card(out, r, r->findings[i], false);
	}
	fprintf(out, "<h2 id=\"timeline\">Timeline (%zu)</h2>\n", r->ntimeline);
	if (r->ntimeline) {
		fputs("<table><thead><tr><th>time (UTC)</th><th>source</th><th>object</th>"
		      "<th>what</th></tr></thead><tbody>\n",
		      out);
		for (size_t i = 0; i < r->ntimeline; i++) {
			const struct fd_tl_entry *e = &r->timeline[i];
			char ts[32];
			fd_time_format(e->t, ts);
			fprintf(out, "<tr%s><td>%s</td><td>%s</td><td>", e->warning ? " class=\"warn\"" : "",
				ts, e->source);
			fd_put_markup(out, e->object);
			fputs("</td><td>", out);
			fd_put_markup(out, e->text);
			fputs("</td></tr>\n", out);
		}
		fputs("</tbody></table>\n", out);
	}
	if (r->warnings.len) {
		fputs("<h2 id=\"warnings\">Bundle warnings</h2>\n<ul>\n", out);
		for (size_t i = 0; i < r->warnings.len; i++) {
			fputs("<li>", out);
			fd_put_markup(out, r->warnings.v[i]);
			fputs("</li>\n", out);
		}
		fputs("</ul>\n", out);
	}
	fputs("</body>\n</html>\n", out);
	return ferror(out) ? FD_EIO : 0;
}
