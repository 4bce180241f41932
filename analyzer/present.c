/* present.c - how untrusted text from a bundle is written for people and machines: escaped
 * for terminals, for HTML/XML, as JSON strings. Every renderer and every browsing view uses it. */
#include "present.h"
#include "util.h"
#include "coverage_judge.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *p, size_t n, unsigned long *cp)
{
	size_t len;
	unsigned long c;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		len = 2;
		c = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		len = 3;
		c = p[0] & 0x0F;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		len = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10FFFF)))
		return 0;
	*cp = c;
	return len;
}

/* Code points a terminal would act on rather than show: C0 and C1 controls, DEL, and the
 * bidirectional overrides that reorder what is displayed. */
static bool cp_unsafe(unsigned long c, bool keep_tab)
{
	if (c == '\t')
		return !keep_tab;
	return c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029;
}

void fd_escape(struct fd_buf *b, const char *s, size_t n, unsigned flags, const char *nl_indent)
{
	bool keep_tab = flags & (FD_ESC_KEEP_TAB | FD_ESC_TAB_SPACE);
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	fd_buf_add(b, "", 0);
	while (i < n) {
		size_t run = i;
		while (run < n && p[run] >= 0x20 && p[run] < 0x7F)
			run++;
		if (run > i) {
			fd_buf_add(b, s + i, run - i);
			i = run;
			continue;
		}
		unsigned long c;
		size_t len = utf8_seq(p + i, n - i, &c);
		if (len == 0) {
			fd_buf_addf(b, "\\x%02x", p[i]);
			i++;
		} else if (c == '\n' && nl_indent) {
			fd_buf_addc(b, '\n');
			fd_buf_adds(b, nl_indent);
			i += len;
		} else if (c == '\t' && (flags & FD_ESC_TAB_SPACE)) {
			fd_buf_addc(b, ' ');
			i += len;
		} else if (cp_unsafe(c, keep_tab)) {
			if (c == '\n')
				fd_buf_adds(b, "\\n");
			else if (c == '\t')
				fd_buf_adds(b, "\\t");
			else if (c == '\r')
				fd_buf_adds(b, "\\r");
			else if (c < 0x80)
				fd_buf_addf(b, "\\x%02lx", c);
			else
				fd_buf_addf(b, "\\u%04lx", c);
			i += len;
		} else {
			fd_buf_add(b, s + i, len);
			i += len;
		}
	}
}

void fd_put_escaped(FILE *out, const char *s, unsigned flags, const char *nl_indent)
{
	struct fd_buf b = {0};
	fd_escape(&b, s ? s : "", s ? strlen(s) : 0, flags, nl_indent);
	fputs(b.p, out);
	fd_buf_free(&b);
}

char *fd_object_label(const char *kind, const char *ns, const char *name)
{
	if (ns && *ns)
		return fd_xasprintf("%s %s/%s", kind, ns, name ? name : "");
	return fd_xasprintf("%s %s", kind, name ? name : "");
}

json_t *fd_json_str(const char *s)
{
	if (!s)
		s = "";
	json_t *v = json_string(s);
	if (!v) { /* not valid UTF-8: replace the bad bytes */
		char *c = fd_utf8_clean(s, strlen(s), strlen(s) * 3 + 3, NULL);
		v = json_string(c);
		free(c);
	}
	return v;
}

void fd_put_markup(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f) {
				fprintf(out, "\\x%02x", *p);
			} else if (*p == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) {
				fputs("\\uFFFE", out); /* U+FFFE/U+FFFF are not XML characters */
				p += 2;
			} else {
				fputc(*p, out);
			}
		}
	}
}

const char *fd_verdict_name(enum fd_verdict v)
{
	return v == FD_VERDICT_FOUND ? "found" : v == FD_VERDICT_RULED_OUT ? "ruled_out" : "unknown";
}

const char *fd_verdict_label(enum fd_verdict v)
{
	return v == FD_VERDICT_FOUND ? "found" : v == FD_VERDICT_RULED_OUT ? "ruled out" : "cannot tell";
}

/* ---- the verdict as JSON, for every renderer that embeds it ---- */

json_t *fd_coverage_to_json(const struct fd_report *r)
{
	const struct fd_coverage *c = r->coverage;
	json_t *o = json_object(), *causes = json_array();
	json_object_set_new(o, "summary", fd_json_str(c->summary));
	json_object_set_new(o, "flux_seen", json_boolean(c->flux_seen));
	json_object_set_new(o, "unknown", json_integer(c->nunknown));
	for (size_t i = 0; i < FD_CAT_COUNT; i++) {
		const struct fd_cause_verdict *v = &c->causes[i];
		json_t *ids = json_array(), *steps = json_array();
		for (size_t k = 0; k < v->nfindings; k++)
			json_array_append_new(ids, json_string(r->findings[v->findings[k]]->id));
		for (unsigned k = 0; k < v->nsteps; k++)
			json_array_append_new(steps, json_integer(v->steps[k]));
		json_t *e = json_pack("{s:s,s:s,s:o,s:o,s:o}", "category",
				      fd_category_name(v->category), "verdict",
				      fd_verdict_name(v->verdict), "findings", ids, "detail",
				      fd_json_str(v->detail), "steps", steps);
		if (v->how)
			json_object_set_new(e, "how", fd_json_str(v->how));
		json_array_append_new(causes, e);
	}
	json_object_set_new(o, "causes", causes);
	return o;
}
