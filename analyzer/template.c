/* template.c - message and fix templates: "{namespace}/{name}", "{.spec.url}",
 * "{cap.reason}", "{.spec.containers[name=manager].resources.limits.memory|double}".
 * Fix templates are shell command lines: every value from the bundle is quoted for the place
 * of the line it lands in, so pasting a fix never runs what the bundle holds. */
#include "template.h"
#include "util.h"
#include "path_eval.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const FILTERS[] = {"default", "double", "lower", "upper", "sh", "json", "url"};

/* Splits "expr|f1|f2:arg" in place into the variable and its filters. */
static size_t split_filters(char *expr, char **parts, size_t max)
{
	size_t n = 0;
	char *p = expr;
	parts[n++] = p;
	/* the variable part may hold '|' only inside [] of a path */
	int depth = 0;
	for (; *p; p++) {
		if (*p == '[')
			depth++;
		else if (*p == ']')
			depth--;
		else if (*p == '|' && depth <= 0 && n < max) {
			*p = 0;
			parts[n++] = p + 1;
		}
	}
	return n;
}

/* ---- the shell a fix line is pasted into ----
 *
 * The literal text of a fix template is followed with a model of POSIX shell quoting: unquoted
 * words, '...', "...", comments, and $(...) or `...` nested in either. Inside '...' the model
 * also follows "..." strings, the strings of the JSON patches and jsonpath expressions that
 * fix lines pass as one single-quoted argument. A value is then written so that the shell reads
 * it back as exactly its own characters, one part of the current word:
 *
 *   unquoted      podinfo            'podinfo$(x)'   'it'\''s'   'a'$'\n''b'
 *   in '...'      /readyz/etcd       a'\''b          a'$'\n''b
 *   in "..."      podinfo            "'a$b'"  (closes the string around a quoted word)
 *   JSON in '...' a\"b  a\\b  a\n
 *   comment       a\nb               (a newline would end the comment)
 *
 * A quoted string that follows the word -c (sh -c '...', kubectl exec ... -- sh -c "...") is a
 * script for a second shell: the model follows that shell inside the string too, and a value
 * there is quoted for the inner shell first, then for the outer one. The sh filter does the
 * same by hand where the model cannot see it (ssh HOST '...').
 *
 * Values that need no quoting are written as they are, so ordinary names read as before.
 * Control characters, C1 controls and invisible format characters (bidi overrides,
 * zero-width) are written as $'\n' or $'\xe2\x80\xae' escapes, never raw. A value that starts
 * a word with '-' would be read as an option (git ls-remote --upload-pack=...); it is written
 * as the placeholder word <-...> instead. */

enum sh_mode { SH_UNQ, SH_SQ, SH_DQ, SH_CMT };

#define SH_DEPTH 8

struct sh_frame {
	enum sh_mode mode;
	bool backtick;	/* opened by ` rather than $( */
	bool in_word;	/* the current word has begun (quotes included) */
	bool word_text; /* the current word has characters other than quotes */
	bool cmd_pos;	/* the current word is the name of a command */
	bool esc;	/* the next character is escaped by a backslash */
	bool dollar;	/* the previous character was an unescaped '$' */
	bool jstr;	/* in '...': inside a "..." string */
	bool jesc;	/* in such a string: after a backslash */
	unsigned parens; /* unquoted '(' not yet closed in this frame */
	char w[3];	/* the first characters of the current word, when it is plain text */
	unsigned char wlen;
	bool wplain;
	bool after_c; /* the word before the current one was -c */
};

struct sh_state {
	struct sh_frame f[SH_DEPTH];
	unsigned depth;
	bool after_alnum; /* the last thing written was a letter, a digit or a value */
	const char *problem;
	size_t problem_at;
	size_t open_at;	      /* where the last quote or substitution was opened */
	struct sh_state *inner; /* the shell that runs the quoted string after -c; owned */
	unsigned inner_depth;	/* the frame whose quoted string that is */
	unsigned level;		/* 0 for the shell the line is pasted into */
};

static void sh_init(struct sh_state *s, unsigned level)
{
	memset(s, 0, sizeof(*s));
	s->f[0].cmd_pos = s->f[0].wplain = true;
	s->level = level;
}

static void sh_free(struct sh_state *s)
{
	if (s->inner) {
		sh_free(s->inner);
		free(s->inner);
		s->inner = NULL;
	}
}

/* The innermost shell that reads the current place of the line. */
static struct sh_state *sh_current(struct sh_state *s)
{
	while (s->inner && s->depth == s->inner_depth)
		s = s->inner;
	return s;
}

/* A quote opens: when it begins the word after -c, its string is a script for another shell. */
static void sh_open_quote(struct sh_state *s, struct sh_frame *f, size_t at)
{
	s->open_at = at;
	if (f->after_c && !f->word_text && !s->inner && s->level < 2) {
		s->inner = fd_xcalloc(1, sizeof(*s->inner));
		sh_init(s->inner, s->level + 1);
		s->inner_depth = s->depth;
	}
}

static void sh_close_quote(struct sh_state *s)
{
	if (s->inner && s->inner_depth == s->depth)
		sh_free(s);
}

static const char APOSTROPHE[] = "a fix line is pasted into a shell: an apostrophe inside a word "
				 "opens a quote (write \"the X of Y\" rather than \"Y's X\")";

static void sh_fail(struct sh_state *s, size_t at, const char *msg)
{
	if (!s->problem) {
		s->problem = msg;
		s->problem_at = at;
	}
}

static void sh_end_word(struct sh_frame *f)
{
	if (f->in_word) {
		f->after_c = f->wplain && f->wlen == 2 && f->w[0] == '-' && f->w[1] == 'c';
		f->cmd_pos = false;
	}
	f->in_word = f->word_text = false;
	f->wlen = 0;
	f->wplain = true;
}

static void sh_push(struct sh_state *s, bool backtick, size_t at)
{
	if (s->depth + 1 >= SH_DEPTH) {
		sh_fail(s, at, "a fix line nests command substitutions too deep");
		return;
	}
	s->open_at = at;
	s->f[++s->depth] = (struct sh_frame){.backtick = backtick, .cmd_pos = true, .wplain = true};
}

static void sh_pop(struct sh_state *s)
{
	s->depth--;
	s->f[s->depth].in_word = s->f[s->depth].word_text = true;
}

/* Follows one literal character of a template at offset at. */
static void sh_feed(struct sh_state *s, char c, size_t at)
{
	struct sh_frame *f = &s->f[s->depth];
	bool was_dollar = f->dollar, was_alnum = s->after_alnum;
	f->dollar = false;
	s->after_alnum = isalnum((unsigned char)c) != 0;
	switch (f->mode) {
	case SH_CMT:
		if (c == '\n') {
			f->mode = SH_UNQ;
			sh_end_word(f);
			f->cmd_pos = true;
		}
		return;
	case SH_SQ:
		if (c == '\'') {
			sh_close_quote(s);
			f->mode = SH_UNQ;
			f->jstr = f->jesc = false;
			return;
		}
		f->word_text = true;
		if (s->inner && s->inner_depth == s->depth) {
			sh_feed(s->inner, c, at);
			if (s->inner->problem)
				sh_fail(s, s->inner->problem_at, s->inner->problem);
		}
		if (f->jesc)
			f->jesc = false;
		else if (f->jstr && c == '\\')
			f->jesc = true;
		else if (c == '"')
			f->jstr = !f->jstr;
		return;
	case SH_DQ:
		f->word_text = true;
		if (s->inner && s->inner_depth == s->depth && !(c == '"' && !f->esc)) {
			sh_feed(s->inner, c, at);
			if (s->inner->problem)
				sh_fail(s, s->inner->problem_at, s->inner->problem);
		}
		if (f->esc) {
			f->esc = false;
		} else if (c == '\\') {
			f->esc = true;
		} else if (c == '"') {
			sh_close_quote(s);
			f->mode = SH_UNQ;
		} else if (c == '$') {
			f->dollar = true;
		} else if (c == '(' && was_dollar) {
			sh_push(s, false, at);
		} else if (c == '`') {
			sh_push(s, true, at);
		}
		return;
	case SH_UNQ:
		break;
	}
	if (f->esc) {
		f->esc = false;
		f->in_word = f->word_text = true;
		return;
	}
	if (c == '\\' || c == '\'' || c == '"' || c == '$')
		f->wplain = false;
	switch (c) {
	case '\\':
		f->esc = true;
		f->in_word = true;
		break;
	case '\'':
		/* "the pod's" opens a quote the author did not mean */
		if (was_alnum)
			sh_fail(s, at, APOSTROPHE);
		sh_open_quote(s, f, at);
		f->mode = SH_SQ;
		f->in_word = true;
		break;
	case '"':
		sh_open_quote(s, f, at);
		f->mode = SH_DQ;
		f->in_word = true;
		break;
	case '#':
		if (!f->in_word)
			f->mode = SH_CMT;
		f->in_word = f->word_text = true;
		break;
	case ' ':
	case '\t':
		sh_end_word(f);
		break;
	case '\n':
	case ';':
	case '&':
	case '|':
		sh_end_word(f);
		f->cmd_pos = true;
		break;
	case '(':
		if (was_dollar) {
			sh_push(s, false, at);
		} else {
			f->parens++;
			sh_end_word(f);
			f->cmd_pos = true;
		}
		break;
	case ')':
		if (f->parens)
			f->parens--;
		else if (s->depth && !f->backtick)
			sh_pop(s);
		sh_end_word(&s->f[s->depth]);
		break;
	case '`':
		if (s->depth && f->backtick)
			sh_pop(s);
		else
			sh_push(s, true, at);
		break;
	case '$':
		f->dollar = true;
		f->in_word = f->word_text = true;
		break;
	default:
		f->in_word = f->word_text = true;
		if (f->wlen < sizeof(f->w))
			f->w[f->wlen++] = c;
		else
			f->wplain = false;
		break;
	}
}

/* Is the line back at the top level, outside quotes, once its text has been followed? */
static bool sh_balanced(const struct sh_state *s)
{
	const struct sh_frame *f = &s->f[s->depth];
	return s->depth == 0 && (f->mode == SH_UNQ || f->mode == SH_CMT) && !f->esc;
}

/* The length of a character at p that must never reach a terminal raw: C0 controls, DEL, C1
 * controls, bidi embeddings, overrides and isolates, zero-width characters, line and paragraph
 * separators, the byte order mark. Sets *cp to its code point. 0 for other characters. */
static size_t unsafe_char(const unsigned char *p, unsigned *cp)
{
	if (p[0] < 0x20 || p[0] == 0x7f) {
		*cp = p[0];
		return 1;
	}
	if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
		*cp = p[1];
		return 2;
	}
	if (p[0] == 0xe2 && p[1] && p[2]) {
		unsigned c = 0x2000u | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
		if ((p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80 &&
		    ((c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
		     (c >= 0x2060 && c <= 0x2069))) {
			*cp = c;
			return 3;
		}
	}
	if (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
		*cp = 0xfeff;
		return 3;
	}
	return 0;
}

/* Writes an unsafe character as a C-style escape: \n, \t, \r, \x1b, \u202e. */
static void put_escape(struct fd_buf *o, unsigned cp)
{
	if (cp == '\n')
		fd_buf_adds(o, "\\n");
	else if (cp == '\t')
		fd_buf_adds(o, "\\t");
	else if (cp == '\r')
		fd_buf_adds(o, "\\r");
	else if (cp < 0x80)
		fd_buf_addf(o, "\\x%02x", cp);
	else
		fd_buf_addf(o, "\\u%04x", cp);
}

/* Does an unquoted shell word need quotes to hold s as it is? */
static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (!isalnum(*p) && !strchr("@%+=:,./_-", *p))
			return true;
	return false;
}

/* Writes the characters of s for the inside of '...': a quote as '\'' and unsafe characters
 * as $'...' escapes between two quoted parts. */
static void put_sq_body(struct fd_buf *o, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		unsigned cp;
		size_t n = unsafe_char(p, &cp);
		if (n) {
			/* bytes, not \u: bash writes \u escapes only in a UTF-8 locale */
			fd_buf_adds(o, "'$'");
			if (n == 1 && (cp == '\n' || cp == '\t' || cp == '\r'))
				put_escape(o, cp);
			else
				for (size_t k = 0; k < n; k++)
					fd_buf_addf(o, "\\x%02x", p[k]);
			fd_buf_adds(o, "''");
			p += n;
			continue;
		}
		if (*p == '\'')
			fd_buf_adds(o, "'\\''");
		else
			fd_buf_addc(o, (char)*p);
		p++;
	}
}

/* Appends s as one shell word, quoted only when it has to be. */
static void put_word(struct fd_buf *o, const char *s)
{
	if (!needs_quotes(s)) {
		fd_buf_adds(o, s);
		return;
	}
	fd_buf_addc(o, '\'');
	put_sq_body(o, s);
	fd_buf_addc(o, '\'');
}

/* s as the body of a JSON string (no quotes around it); malloc'd. */
static char *json_body(const char *s)
{
	struct fd_buf o = {0};
	fd_buf_add(&o, "", 0);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		unsigned cp;
		size_t n = unsafe_char(p, &cp);
		if (n) {
			fd_buf_addf(&o, "\\u%04x", cp);
			p += n;
			continue;
		}
		if (*p == '"' || *p == '\\')
			fd_buf_addc(&o, '\\');
		fd_buf_addc(&o, (char)*p++);
	}
	return fd_buf_detach(&o);
}

/* s percent-encoded except for the unreserved characters of RFC 3986; malloc'd. A value of
 * "." or ".." gets its dots encoded too, so it cannot climb a path. */
static char *url_encode(const char *s)
{
	struct fd_buf o = {0};
	fd_buf_add(&o, "", 0);
	bool dots = strcmp(s, ".") == 0 || strcmp(s, "..") == 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((isalnum(*p) || strchr("-_~", *p) || (*p == '.' && !dots)) && *p < 0x80)
			fd_buf_addc(&o, (char)*p);
		else
			fd_buf_addf(&o, "%%%02X", *p);
	}
	return fd_buf_detach(&o);
}

/* s quoted as one word for a shell that reads it once more (sh -c '...', ssh); malloc'd. */
static char *sh_word(const char *s)
{
	struct fd_buf o = {0};
	fd_buf_add(&o, "", 0);
	if (s[0] == '-') {
		char *w = fd_xasprintf("<%s>", s);
		put_word(&o, w);
		free(w);
	} else {
		put_word(&o, s);
	}
	return fd_buf_detach(&o);
}

enum { DONE_JSON = 1, DONE_SH = 2 };

/* Appends a value from the bundle at the current place of a fix line. done: DONE_JSON when the
 * json filter already made it a JSON string body, DONE_SH when the sh filter already quoted it
 * for the inner shell of a -c script. */
static void sh_put_value(struct sh_state *s, struct fd_buf *o, const char *v, unsigned done)
{
	struct sh_frame *f = &s->f[s->depth];
	char *tmp = NULL;
	struct fd_buf script = {0};
	if (s->inner && s->inner_depth == s->depth) {
		/* a -c script: quote for the shell that runs it, then put that text in the string */
		fd_buf_add(&script, "", 0);
		if (done & DONE_SH)
			fd_buf_adds(&script, v);
		else
			sh_put_value(s->inner, &script, v, done);
		v = script.p;
		done = DONE_JSON;
	}
	if (f->mode == SH_CMT) {
		for (const unsigned char *p = (const unsigned char *)v; *p;) {
			unsigned cp;
			size_t n = unsafe_char(p, &cp);
			if (n) {
				put_escape(o, cp);
				p += n;
			} else {
				fd_buf_addc(o, (char)*p++);
			}
		}
		fd_buf_free(&script);
		return;
	}
	bool json = f->mode == SH_SQ && f->jstr;
	if (json && !(done & DONE_JSON))
		v = tmp = json_body(v);
	else if (!json && !f->word_text && v[0] == '-')
		v = tmp = fd_xasprintf("<%s>", v);
	switch (f->mode) {
	case SH_UNQ:
		put_word(o, v);
		break;
	case SH_SQ:
		put_sq_body(o, v);
		break;
	case SH_DQ: {
		/* inside "..." $ ` \ " and ! are special: close the string around a quoted word */
		bool plain = true;
		for (const unsigned char *p = (const unsigned char *)v; *p && plain; p++) {
			unsigned cp;
			plain = !unsafe_char(p, &cp) && !strchr("$`\\\"!", *p);
		}
		if (plain) {
			fd_buf_adds(o, v);
		} else {
			fd_buf_addc(o, '"');
			put_word(o, v);
			fd_buf_addc(o, '"');
		}
		break;
	}
	case SH_CMT:
		break;
	}
	f->in_word = f->word_text = true;
	f->wplain = false;
	s->after_alnum = true;
	free(tmp);
	fd_buf_free(&script);
}

/* Checks the variables and filters of a template; with sh, also that the line reads as a shell
 * command line a value can be quoted in. */
static const char *check(const char *tpl, size_t *pos, bool sh)
{
	struct sh_state st;
	sh_init(&st, 0);
	bool vars = false;
	const char *msg = NULL;
	size_t i;
	for (i = 0; tpl[i] && !msg; i++) {
		if (tpl[i] == '}') {
			if (tpl[i + 1] == '}') {
				sh_feed(&st, '}', i);
				i++;
				continue;
			}
			msg = "unmatched '}' (write '}}' for a literal brace)";
			break;
		}
		if (tpl[i] != '{') {
			sh_feed(&st, tpl[i], i);
			continue;
		}
		if (tpl[i + 1] == '{') {
			sh_feed(&st, '{', i);
			i++;
			continue;
		}
		const char *close = strchr(tpl + i, '}');
		if (!close) {
			msg = "unterminated '{' (write '{{' for a literal brace)";
			break;
		}
		char *expr = fd_xstrndup(tpl + i + 1, (size_t)(close - tpl - i - 1));
		char *parts[8];
		size_t n = split_filters(expr, parts, 8);
		if (!*parts[0]) {
			msg = "empty '{}'";
		} else if (parts[0][0] == '.') {
			size_t ep;
			const char *em;
			struct fd_path *p = fd_path_parse(parts[0], &ep, &em);
			if (!p)
				msg = "bad field path in template";
			fd_path_free(p);
		} else {
			for (char *c = parts[0]; *c && !msg; c++)
				if (!isalnum((unsigned char)*c) && !strchr("._-", *c))
					msg = "bad variable name in template";
		}
		for (size_t k = 1; k < n && !msg; k++) {
			char *arg = strchr(parts[k], ':');
			if (arg)
				*arg++ = 0;
			bool ok = false;
			for (size_t f = 0; f < sizeof(FILTERS) / sizeof(FILTERS[0]); f++)
				if (strcmp(parts[k], FILTERS[f]) == 0)
					ok = true;
			if (!ok)
				msg = "unknown filter (known: default:TEXT, double, lower, upper, sh, "
				      "json, url)";
			else if (sh && arg && strpbrk(arg, "'\"`$\\\n"))
				msg = "a default in a fix line cannot hold quotes, '$', '`' or '\\'";
		}
		free(expr);
		if (msg)
			break;
		if (sh) {
			const struct sh_state *in = sh_current(&st);
			const struct sh_frame *f = &in->f[in->depth];
			if (f->mode != SH_CMT && f->cmd_pos && !f->word_text) {
				msg = "a value from the bundle cannot be the command of a fix line";
				break;
			}
			vars = true;
			for (struct sh_state *m = &st; m; m = m->inner) {
				m->f[m->depth].in_word = m->f[m->depth].word_text = true;
				m->f[m->depth].wplain = false;
				m->after_alnum = true;
				if (m->depth != m->inner_depth)
					break;
			}
		}
		i = (size_t)(close - tpl);
	}
	if (msg) {
		*pos = i;
	} else if (sh && vars && st.problem) {
		*pos = st.problem_at;
		msg = st.problem;
	} else if (sh && vars && !sh_balanced(&st)) {
		*pos = st.open_at;
		msg = "a fix line is pasted into a shell: this quote or substitution is not closed "
		      "by the end of the line";
	}
	sh_free(&st);
	return msg;
}

const char *fd_template_check(const char *tpl, size_t *pos)
{
	return check(tpl, pos, false);
}

const char *fd_template_check_fix(const char *tpl, size_t *pos)
{
	return check(tpl, pos, true);
}

/* Looks up a variable; returns a malloc'd string or NULL when it has no value. */
static char *lookup(const char *var, const struct fd_tctx *c)
{
	struct fd_buf tmp = {0};
	char *out = NULL;
	if (var[0] == '.') {
		size_t ep;
		const char *em;
		struct fd_path *p = fd_path_parse(var, &ep, &em);
		if (p && c->obj) {
			struct fd_vec vals = {0};
			fd_path_eval(p, c->obj, &vals, 1);
			if (vals.len) {
				json_t *v = vals.v[0];
				const char *t = fd_json_text(v, &tmp);
				if (t)
					out = fd_xstrdup(t);
				else if (json_is_object(v) || json_is_array(v))
					out = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
			}
			fd_vec_free(&vals);
		}
		fd_path_free(p);
	} else if (strncmp(var, "cap.", 4) == 0) {
		const char *s = json_string_value(json_object_get(c->caps, var + 4));
		if (s)
			out = fd_xstrdup(s);
	} else if (strcmp(var, "name") == 0 && c->name) {
		out = fd_xstrdup(c->name);
	} else if (strcmp(var, "namespace") == 0 && c->ns) {
		out = fd_xstrdup(c->ns);
	} else if (strcmp(var, "kind") == 0 && c->kind) {
		out = fd_xstrdup(c->kind);
	} else if (strcmp(var, "apiVersion") == 0 && c->api_version) {
		out = fd_xstrdup(c->api_version);
	} else if (strcmp(var, "flux_namespace") == 0) {
		out = fd_xstrdup(c->b && c->b->flux_ns ? c->b->flux_ns : "flux-system");
	} else if (strcmp(var, "collected_at") == 0 && c->b) {
		char ts[32];
		fd_time_format(c->b->collected_at, ts);
		out = fd_xstrdup(ts);
	} else {
		json_t *v = json_object_get(c->vars, var);
		const char *t = v ? fd_json_text(v, &tmp) : NULL;
		if (t)
			out = fd_xstrdup(t);
	}
	fd_buf_free(&tmp);
	return out;
}

/* Replaces *val by f(*val). */
static void apply(char **val, char *(*f)(const char *))
{
	char *v = f(*val);
	free(*val);
	*val = v;
}

/* Renders a template; with sh (fix lines) values are quoted for the shell, while defaults and
 * <unknown>, text of the rule itself, are written as they are. */
static char *render(const char *tpl, const struct fd_tctx *c, bool *missing, bool sh)
{
	struct fd_buf out = {0};
	struct sh_state st;
	sh_init(&st, 0);
	fd_buf_add(&out, "", 0);
	if (missing)
		*missing = false;
	for (size_t i = 0; tpl[i]; i++) {
		if ((tpl[i] == '{' && tpl[i + 1] == '{') || (tpl[i] == '}' && tpl[i + 1] == '}')) {
			fd_buf_addc(&out, tpl[i]);
			sh_feed(&st, tpl[i], i);
			i++;
			continue;
		}
		if (tpl[i] != '{') {
			fd_buf_addc(&out, tpl[i]);
			sh_feed(&st, tpl[i], i);
			continue;
		}
		const char *close = strchr(tpl + i, '}');
		if (!close) {
			fd_buf_adds(&out, tpl + i);
			break;
		}
		char *expr = fd_xstrndup(tpl + i + 1, (size_t)(close - tpl - i - 1));
		char *parts[8];
		size_t n = split_filters(expr, parts, 8);
		char *val = lookup(parts[0], c);
		bool from_rule = false;
		unsigned done = 0;
		if (val && !*val) {
			free(val);
			val = NULL;
		}
		for (size_t k = 1; k < n; k++) {
			char *arg = strchr(parts[k], ':');
			if (arg)
				*arg++ = 0;
			if (strcmp(parts[k], "default") == 0) {
				if (!val) {
					val = fd_xstrdup(arg ? arg : "");
					from_rule = true;
				}
			} else if (!val) {
				continue;
			} else if (strcmp(parts[k], "double") == 0) {
				char *d = fd_quantity_double(val);
				if (d) {
					free(val);
					val = d;
				}
			} else if (strcmp(parts[k], "lower") == 0) {
				for (char *p = val; *p; p++)
					*p = (char)tolower((unsigned char)*p);
			} else if (strcmp(parts[k], "upper") == 0) {
				for (char *p = val; *p; p++)
					*p = (char)toupper((unsigned char)*p);
			} else if (strcmp(parts[k], "sh") == 0) {
				apply(&val, sh_word);
				done |= DONE_SH;
			} else if (strcmp(parts[k], "json") == 0) {
				apply(&val, json_body);
				done |= DONE_JSON;
			} else if (strcmp(parts[k], "url") == 0) {
				apply(&val, url_encode);
			}
		}
		if (!val) {
			val = fd_xstrdup("<unknown>");
			from_rule = true;
			if (missing)
				*missing = true;
		}
		if (sh && !from_rule) {
			sh_put_value(&st, &out, val, done);
		} else {
			fd_buf_adds(&out, val);
			st.f[st.depth].in_word = st.f[st.depth].word_text = true;
		}
		free(val);
		free(expr);
		i = (size_t)(close - tpl);
	}
	sh_free(&st);
	return fd_buf_detach(&out);
}

char *fd_template_render(const char *tpl, const struct fd_tctx *c, bool *missing)
{
	return render(tpl, c, missing, false);
}

char *fd_template_render_fix(const char *tpl, const struct fd_tctx *c, bool *missing)
{
	return render(tpl, c, missing, true);
}
