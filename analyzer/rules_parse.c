/* rules_parse.c - load rule files (YAML data, docs/rules.md) into a rule set, rejecting any
 * mistake with a located message: file:line:col, the line, and a caret. */
#include "rules.h"
#include "util.h"
#include "regex.h"
#include "path_eval.h"
#include "yaml_load.h"
#include "template.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct pctx {
	struct fd_ruleset *set;
	const char *file;
	const char *text;
	size_t len;
	struct fd_error *err;
};

#define FAIL_AT(c, node, ...)                                                                      \
	fd_error_located((c)->err, FD_ERULES, (c)->file, (c)->text, (c)->len, (node)->line,        \
			 (node)->col, __VA_ARGS__)

static const char *const OPERATORS[] = {"equals",       "not_equals", "in",       "not_in",
					"regex",        "exists",     "absent",   "greater_than",
					"less_than",    "at_least",   "at_most",  "older_than",
					"newer_than"};
static const enum fd_op OPCODES[] = {FD_OP_EQUALS, FD_OP_NOT_EQUALS, FD_OP_IN,     FD_OP_NOT_IN,
				     FD_OP_REGEX,  FD_OP_EXISTS,     FD_OP_ABSENT, FD_OP_GT,
				     FD_OP_LT,     FD_OP_GE,         FD_OP_LE,     FD_OP_OLDER,
				     FD_OP_NEWER};
#define NOPS (sizeof(OPERATORS) / sizeof(OPERATORS[0]))

struct fd_ruleset *fd_ruleset_new(void)
{
	return fd_ruleset_new_opts(NULL);
}

struct fd_ruleset *fd_ruleset_new_opts(const struct fd_analyze_opts *opts)
{
	struct fd_ruleset *s = fd_xcalloc(1, sizeof(*s));
	s->arena = fd_arena_new(opts && opts->arena_malloc);
	return s;
}

void fd_ruleset_free(struct fd_ruleset *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->codes.len; i++)
		pcre2_code_free(s->codes.v[i]);
	fd_vec_free(&s->codes);
	for (size_t i = 0; i < s->paths.len; i++)
		fd_path_free(s->paths.v[i]);
	fd_vec_free(&s->paths);
	fd_map_free(&s->path_intern);
	for (size_t i = 0; i < s->mds.len; i++)
		pcre2_match_data_free(s->mds.v[i]);
	fd_vec_free(&s->mds);
	for (size_t i = 0; i < s->lint.len; i++)
		free(s->lint.v[i]);
	fd_vec_free(&s->lint);
	fd_vec_free(&s->rules);
	fd_map_free(&s->by_id);
	fd_arena_free(s->arena);
	free(s);
}

size_t fd_ruleset_count(const struct fd_ruleset *s)
{
	return s->rules.len;
}

size_t fd_ruleset_warning_count(const struct fd_ruleset *s)
{
	return s->lint.len;
}

const char *fd_ruleset_warning(const struct fd_ruleset *s, size_t i)
{
	return i < s->lint.len ? s->lint.v[i] : NULL;
}

static const char *regex_hint(const char *msg)
{
	if (strstr(msg, "missing closing parenthesis") || strstr(msg, "unmatched closing"))
		return "; to match a parenthesis literally, escape it as \\( or \\)";
	if (strstr(msg, "quantifier does not follow") || strstr(msg, "nothing to repeat"))
		return "; to match '*', '+' or '?' literally, escape it with a backslash";
	if (strstr(msg, "missing terminating ]"))
		return "; to match '[' literally, escape it as \\[";
	if (strstr(msg, "unrecognized character follows"))
		return "; in YAML double quotes a backslash must be doubled: use single quotes for "
		       "regexes";
	return "";
}

pcre2_code *fd_rules_compile_regex(struct fd_ruleset *set, const char *re, size_t *erroffset,
				   char *errbuf, size_t errbuf_len)
{
	int ec;
	PCRE2_SIZE off;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
	if (!code) {
		pcre2_get_error_message(ec, (PCRE2_UCHAR *)errbuf, errbuf_len);
		*erroffset = off;
		return NULL;
	}
	pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* best effort: falls back to the interpreter */
	fd_vec_push(&set->codes, code);
	return code;
}

static int compile_at(struct pctx *c, const struct fd_ynode *n, pcre2_code **out)
{
	char msg[256];
	size_t off;
	*out = fd_rules_compile_regex(c->set, n->value, &off, msg, sizeof(msg));
	bool one_line = !strchr(n->value, '\n');
	if (*out) {
		const char *nested = fd_regex_nested_quantifier(n->value, &off);
		if (nested) {
			struct fd_error w = {0};
			unsigned col = n->col + (unsigned)off + (n->quoted ? 1 : 0);
			fd_error_located(&w, FD_ERULES, c->file, c->text, c->len, n->line,
					 one_line ? col : n->col, "warning: %s", nested);
			fd_vec_push(&c->set->lint, w.msg);
		}
		return 0;
	}
	unsigned col = n->col + (unsigned)off + (n->quoted ? 1 : 0);
	return fd_error_located(c->err, FD_ERULES, c->file, c->text, c->len, n->line,
				one_line ? col : n->col, "bad regex: %s at offset %zu of '%s'%s", msg,
				off, n->value, regex_hint(msg));
}

static int want_scalar(struct pctx *c, const struct fd_ynode *n, const char *what)
{
	if (n->type != FD_Y_SCALAR)
		return FAIL_AT(c, n, "%s must be a single value", what);
	return 0;
}

static int check_template(struct pctx *c, const struct fd_ynode *n, const char *what)
{
	int rc = want_scalar(c, n, what);
	if (rc)
		return rc;
	size_t pos;
	const char *m = strcmp(what, "fix") == 0 ? fd_template_check_fix(n->value, &pos)
						 : fd_template_check(n->value, &pos);
	if (m) {
		bool one_line = !strchr(n->value, '\n');
		return fd_error_located(c->err, FD_ERULES, c->file, c->text, c->len, n->line,
					n->col + (one_line ? (unsigned)pos + (n->quoted ? 1 : 0) : 0),
					"%s: %s", what, m);
	}
	return 0;
}

static int string_list(struct pctx *c, const struct fd_ynode *n, const char *what, bool tpl,
		       const char ***out, size_t *nout)
{
	const struct fd_ynode *items[1];
	const struct fd_ynode *const *list = items;
	size_t cnt;
	if (n->type == FD_Y_SCALAR) {
		items[0] = n;
		cnt = 1;
	} else if (n->type == FD_Y_SEQ) {
		list = (const struct fd_ynode *const *)n->kids;
		cnt = n->n;
	} else {
		return FAIL_AT(c, n, "%s must be a list of strings", what);
	}
	*out = fd_arena_alloc(c->set->arena, (cnt + 1) * sizeof(**out));
	for (size_t i = 0; i < cnt; i++) {
		int rc = tpl ? check_template(c, list[i], what) : want_scalar(c, list[i], what);
		if (rc)
			return rc;
		(*out)[i] = list[i]->value;
	}
	*nout = cnt;
	return 0;
}

static int parse_selector(struct pctx *c, const struct fd_ynode *n, struct fd_selector *s)
{
	const char **vals;
	size_t cnt;
	int rc = string_list(c, n, "a selector", false, &vals, &cnt);
	if (rc)
		return rc;
	s->n = cnt;
	s->exact = fd_arena_alloc(c->set->arena, cnt * sizeof(*s->exact) + 1);
	s->re = fd_arena_alloc(c->set->arena, cnt * sizeof(*s->re) + 1);
	for (size_t i = 0; i < cnt; i++) {
		if (vals[i][0] == '~') {
			struct fd_ynode tmp = *(n->type == FD_Y_SEQ ? n->kids[i] : n);
			tmp.value = vals[i] + 1;
			tmp.col += 1;
			rc = compile_at(c, &tmp, &s->re[i]);
			if (rc)
				return rc;
		} else {
			s->exact[i] = vals[i];
		}
	}
	return 0;
}

static int parse_regex_field(struct pctx *c, const struct fd_ynode *n, const char *what,
			     pcre2_code **out)
{
	int rc = want_scalar(c, n, what);
	return rc ? rc : compile_at(c, n, out);
}

/* *out is false unless the node is `true`, also on error. */
static int parse_bool(struct pctx *c, const struct fd_ynode *n, const char *what, bool *out)
{
	*out = false;
	if (n->type == FD_Y_SCALAR && !n->quoted) {
		if (strcmp(n->value, "true") == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(n->value, "false") == 0) {
			*out = false;
			return 0;
		}
	}
	return FAIL_AT(c, n, "%s must be true or false", what);
}

static int parse_uint(struct pctx *c, const struct fd_ynode *n, const char *what, unsigned *out)
{
	char *end;
	if (n->type != FD_Y_SCALAR || !isdigit((unsigned char)n->value[0]))
		return FAIL_AT(c, n, "%s must be a whole number", what);
	unsigned long v = strtoul(n->value, &end, 10);
	if (*end || v > 1000000000UL)
		return FAIL_AT(c, n, "%s must be a whole number", what);
	*out = (unsigned)v;
	return 0;
}

static int parse_duration_field(struct pctx *c, const struct fd_ynode *n, const char *what,
				double *out)
{
	if (n->type != FD_Y_SCALAR || fd_duration_parse(n->value, out))
		return FAIL_AT(c, n, "%s must be a duration such as 90s, 15m, 1h30m or 2d", what);
	return 0;
}

static bool is_key(const struct fd_ynode *k, const char *const *allowed, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(k->value, allowed[i]) == 0)
			return true;
	return false;
}

/* Rejects keys of map `n` not in `allowed`. */
static int check_keys(struct pctx *c, const struct fd_ynode *n, const char *const *allowed,
		      size_t nallowed, const char *where)
{
	for (size_t i = 0; i < n->n; i++) {
		const struct fd_ynode *k = n->kids[2 * i];
		if (k->type != FD_Y_SCALAR)
			return FAIL_AT(c, k, "keys must be plain strings");
		if (!is_key(k, allowed, nallowed)) {
			struct fd_buf b = {0};
			for (size_t j = 0; j < nallowed; j++)
				fd_buf_addf(&b, "%s%s", j ? ", " : "", allowed[j]);
			int rc = FAIL_AT(c, k, "unknown field '%s' in %s (known: %s)", k->value, where,
					 b.p);
			fd_buf_free(&b);
			return rc;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(n->kids[2 * j]->value, k->value) == 0)
				return FAIL_AT(c, k, "duplicate field '%s'", k->value);
	}
	return 0;
}

static struct fd_cond *new_cond(struct pctx *c, enum fd_cond_type t)
{
	struct fd_cond *cd = fd_arena_alloc(c->set->arena, sizeof(*cd));
	cd->type = t;
	return cd;
}

static int parse_cond(struct pctx *c, const struct fd_ynode *n, unsigned depth,
		      struct fd_cond **out);

static int parse_cond_list(struct pctx *c, const struct fd_ynode *n, unsigned depth,
			   struct fd_cond *cd)
{
	if (n->type != FD_Y_SEQ || n->n == 0)
		return FAIL_AT(c, n, "expected a non-empty list of conditions");
	cd->kids = fd_arena_alloc(c->set->arena, n->n * sizeof(*cd->kids));
	cd->nkids = n->n;
	for (size_t i = 0; i < n->n; i++) {
		int rc = parse_cond(c, n->kids[i], depth + 1, &cd->kids[i]);
		if (rc)
			return rc;
	}
	return 0;
}

static int parse_test(struct pctx *c, const struct fd_ynode *n, struct fd_cond *cd)
{
	const struct fd_ynode *pn = fd_ynode_get(n, "path");
	const struct fd_ynode *opk = NULL, *opv = NULL;
	for (size_t i = 0; i < n->n; i++) {
		const struct fd_ynode *k = n->kids[2 * i];
		if (k->type != FD_Y_SCALAR)
			return FAIL_AT(c, k, "keys must be plain strings");
		if (strcmp(k->value, "path") == 0)
			continue;
		size_t op;
		for (op = 0; op < NOPS; op++)
			if (strcmp(k->value, OPERATORS[op]) == 0)
				break;
		if (op == NOPS) {
			struct fd_buf b = {0};
			for (size_t j = 0; j < NOPS; j++)
				fd_buf_addf(&b, "%s%s", j ? ", " : "", OPERATORS[j]);
			int rc = FAIL_AT(c, k, "unknown operator '%s' (known: %s)", k->value, b.p);
			fd_buf_free(&b);
			return rc;
		}
		if (opk)
			return FAIL_AT(c, k, "a test takes exactly one operator: '%s' and '%s'",
				       opk->value, k->value);
		opk = k;
		opv = n->kids[2 * i + 1];
		cd->op = OPCODES[op];
	}
	if (!opk)
		return FAIL_AT(c, n, "the test of path '%s' has no operator",
			       pn && pn->type == FD_Y_SCALAR ? pn->value : "?");
	int rc = want_scalar(c, pn, "path");
	if (rc)
		return rc;
	size_t epos;
	const char *emsg;
	cd->path = fd_map_get(&c->set->path_intern, pn->value);
	if (cd->path)
		goto parsed;
	cd->path = fd_path_parse(pn->value, &epos, &emsg);
	if (!cd->path)
		return fd_error_located(c->err, FD_ERULES, c->file, c->text, c->len, pn->line,
					pn->col + (unsigned)epos + (pn->quoted ? 1 : 0),
					"bad path '%s': %s", pn->value, emsg);
	fd_vec_push(&c->set->paths, cd->path);
	fd_map_put(&c->set->path_intern, pn->value, cd->path);
parsed:
	cd->path_text = pn->value;
	switch (cd->op) {
	case FD_OP_EXISTS:
	case FD_OP_ABSENT:
		rc = parse_bool(c, opv, opk->value, &cd->flag);
		break;
	case FD_OP_IN:
	case FD_OP_NOT_IN:
		if (opv->type != FD_Y_SEQ)
			return FAIL_AT(c, opv, "'%s' takes a list of values", opk->value);
		rc = string_list(c, opv, opk->value, true, &cd->operands, &cd->noperands);
		break;
	case FD_OP_REGEX:
		rc = parse_regex_field(c, opv, "regex", &cd->re);
		if (!rc) {
			cd->md = pcre2_match_data_create_from_pattern(cd->re, NULL);
			fd_vec_push(&c->set->mds, cd->md);
		}
		break;
	case FD_OP_OLDER:
	case FD_OP_NEWER: {
		rc = check_template(c, opv, opk->value);
		double d;
		if (!rc && !strchr(opv->value, '{'))
			rc = parse_duration_field(c, opv, opk->value, &d);
		if (!rc) {
			cd->operands = fd_arena_alloc(c->set->arena, sizeof(*cd->operands));
			cd->operands[0] = opv->value;
			cd->noperands = 1;
		}
		break;
	}
	case FD_OP_GT:
	case FD_OP_LT:
	case FD_OP_GE:
	case FD_OP_LE: {
		rc = check_template(c, opv, opk->value);
		double d;
		if (!rc && !strchr(opv->value, '{') && !strchr(opv->value, 'x') &&
		    fd_quantity_parse(opv->value, &d))
			rc = FAIL_AT(c, opv, "'%s' takes a number or quantity, not '%s'", opk->value,
				     opv->value);
		if (!rc) {
			cd->operands = fd_arena_alloc(c->set->arena, sizeof(*cd->operands));
			cd->operands[0] = opv->value;
			cd->noperands = 1;
		}
		break;
	}
	default:
		rc = check_template(c, opv, opk->value);
		if (!rc) {
			cd->operands = fd_arena_alloc(c->set->arena, sizeof(*cd->operands));
			cd->operands[0] = opv->value;
			cd->noperands = 1;
		}
	}
	return rc;
}

static int parse_cond(struct pctx *c, const struct fd_ynode *n, unsigned depth,
		      struct fd_cond **out)
{
	if (depth > 32)
		return FAIL_AT(c, n, "conditions nested deeper than 32 levels");
	if (n->type == FD_Y_SEQ) {
		struct fd_cond *cd = new_cond(c, FD_COND_ALL);
		*out = cd;
		return parse_cond_list(c, n, depth, cd);
	}
	if (n->type != FD_Y_MAP || n->n == 0)
		return FAIL_AT(c, n, "expected a condition: all, any, not, a path test or a lookup");
	const struct fd_ynode *first = n->kids[0];
	if (first->type != FD_Y_SCALAR)
		return FAIL_AT(c, first, "keys must be plain strings");
	const struct fd_ynode *all = fd_ynode_get(n, "all"), *any = fd_ynode_get(n, "any"),
			      *not = fd_ynode_get(n, "not"), *lookup = fd_ynode_get(n, "lookup");
	if (all || any || not ) {
		if (n->n != 1)
			return FAIL_AT(c, n->kids[all ? 0 : 0],
				       "'all', 'any' and 'not' stand alone in their condition; wrap "
				       "several in 'all'");
		struct fd_cond *cd = new_cond(c, all ? FD_COND_ALL : any ? FD_COND_ANY : FD_COND_NOT);
		*out = cd;
		if (not ) {
			cd->kids = fd_arena_alloc(c->set->arena, sizeof(*cd->kids));
			cd->nkids = 1;
			return parse_cond(c, not, depth + 1, &cd->kids[0]);
		}
		return parse_cond_list(c, all ? all : any, depth, cd);
	}
	if (lookup) {
		static const char *const keys[] = {"lookup", "exists", "absent"};
		int rc = check_keys(c, n, keys, 3, "a lookup");
		if (rc)
			return rc;
		struct fd_cond *cd = new_cond(c, FD_COND_LOOKUP);
		*out = cd;
		if (lookup->type != FD_Y_MAP)
			return FAIL_AT(c, lookup, "lookup takes kind, namespace and name");
		static const char *const lk[] = {"kind", "namespace", "name"};
		rc = check_keys(c, lookup, lk, 3, "lookup");
		const struct fd_ynode *k = fd_ynode_get(lookup, "kind"),
				      *ns = fd_ynode_get(lookup, "namespace"),
				      *nm = fd_ynode_get(lookup, "name");
		if (rc)
			return rc;
		if (!k || !nm)
			return FAIL_AT(c, lookup, "lookup needs at least kind and name");
		if ((rc = check_template(c, k, "lookup kind")) ||
		    (ns && (rc = check_template(c, ns, "lookup namespace"))) ||
		    (rc = check_template(c, nm, "lookup name")))
			return rc;
		cd->lk_kind = k->value;
		cd->lk_ns = ns ? ns->value : "{namespace}";
		cd->lk_name = nm->value;
		const struct fd_ynode *ex = fd_ynode_get(n, "exists"), *ab = fd_ynode_get(n, "absent");
		if (!!ex == !!ab)
			return FAIL_AT(c, n, "a lookup takes exactly one of exists: true or absent: true");
		bool v;
		rc = parse_bool(c, ex ? ex : ab, ex ? "exists" : "absent", &v);
		if (rc)
			return rc;
		cd->op = (ex ? v : !v) ? FD_OP_EXISTS : FD_OP_ABSENT;
		return 0;
	}
	if (fd_ynode_get(n, "path")) {
		struct fd_cond *cd = new_cond(c, FD_COND_TEST);
		*out = cd;
		return parse_test(c, n, cd);
	}
	for (size_t i = 0; i < NOPS; i++)
		if (fd_ynode_get(n, OPERATORS[i]))
			return FAIL_AT(c, n, "the '%s' test has no path", OPERATORS[i]);
	return FAIL_AT(c, first, "unknown condition '%s' (known: all, any, not, path, lookup)",
		       first->value);
}

/* Prefilter extraction: substrings one of which every match of a log pattern contains, so the
 * scanner runs the regex only on lines holding one (see logs_scan.c). The result is the list of
 * alternatives joined by '\n' (a line never holds one): "a substring" when every match contains
 * it, "x\ny\nz" for a pattern like 'x.*|(?:y|z)...'. Conservative: a construct it does not
 * understand (inline options such as (?i), \Q...\E, verbs) gives NULL, and so does a pattern
 * with an alternative shorter than 4 bytes. */
#define LIT_MAX_ALTS 16

struct litset {
	int n; /* number of alternatives; 0: none known */
	char *s[LIT_MAX_ALTS];
};

static void litset_free(struct litset *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->s[i]);
	l->n = 0;
}

static size_t litset_min(const struct litset *l)
{
	size_t m = (size_t)-1;
	for (int i = 0; i < l->n; i++)
		if (strlen(l->s[i]) < m)
			m = strlen(l->s[i]);
	return l->n ? m : 0;
}

/* Keeps the better of *best and *cand (longest shortest alternative, then fewest), frees the
 * other. */
static void litset_keep_better(struct litset *best, struct litset *cand)
{
	size_t mb = litset_min(best), mc = litset_min(cand);
	if (cand->n && (!best->n || mc > mb || (mc == mb && cand->n < best->n))) {
		litset_free(best);
		*best = *cand;
		cand->n = 0;
	} else {
		litset_free(cand);
	}
}

static void lit_flush(struct fd_buf *run, struct litset *best)
{
	if (run->len) {
		struct litset one = {1, {fd_xstrndup(run->p, run->len)}};
		litset_keep_better(best, &one);
	}
	fd_buf_reset(run);
}

/* Reads a quantifier at *pp: sets *min0 when it allows zero repetitions, *many when more than
 * one; returns false when there is none. */
static bool lit_quantifier(const char **pp, bool *min0, bool *many)
{
	const char *p = *pp;
	*min0 = *many = false;
	if (*p == '?' || *p == '*') {
		*min0 = true;
		*many = *p == '*';
		p++;
	} else if (*p == '+') {
		*many = true;
		p++;
	} else if (*p == '{' && (isdigit((unsigned char)p[1]) || p[1] == ',')) {
		const char *q = p + 1;
		unsigned long lo = strtoul(q, (char **)&q, 10);
		unsigned long hi = lo;
		if (*q == ',') {
			q++;
			hi = isdigit((unsigned char)*q) ? strtoul(q, (char **)&q, 10) : 2;
		}
		if (*q != '}')
			return false; /* not a quantifier: a literal '{' */
		*min0 = lo == 0;
		*many = hi > 1 || lo > 1;
		p = q + 1;
	} else {
		return false;
	}
	if (*p == '?' || *p == '+') /* lazy or possessive */
		p++;
	*pp = p;
	return true;
}

/* Skips the escape at *pp ('\\' then a letter or digit): its arguments too. */
static void lit_skip_escape(const char **pp)
{
	const char *p = *pp + 1;
	char c = *p++;
	if (*p == '{' && strchr("xopPgkN", c)) {
		while (*p && *p != '}')
			p++;
		if (*p)
			p++;
	} else if (c == 'x') {
		for (int i = 0; i < 2 && isxdigit((unsigned char)*p); i++)
			p++;
	} else if (c == 'c' || c == 'p' || c == 'P') {
		if (*p)
			p++;
	} else if (c == 'k' && (*p == '<' || *p == '\'')) {
		char close = *p == '<' ? '>' : '\'';
		while (*p && *p != close)
			p++;
		if (*p)
			p++;
	} else if (c == 'g' || isdigit((unsigned char)c)) {
		if (c == 'g' && (*p == '-' || *p == '+'))
			p++;
		while (isdigit((unsigned char)*p))
			p++;
	}
	*pp = p;
}

static struct litset lit_alt(const char **pp, bool *bad);

static struct litset lit_seq(const char **pp, bool *bad)
{
	struct litset best = {0};
	struct fd_buf run = {0};
	const char *p = *pp;
	while (*p && *p != '|' && *p != ')' && !*bad) {
		char lit = 0;
		bool is_lit = false, is_group = false;
		struct litset inner = {0};
		if (*p == '\\') {
			if (!p[1] || p[1] == 'Q' || p[1] == 'E') {
				*bad = true;
				break;
			}
			if (!isalnum((unsigned char)p[1]) && p[1] != '\n') {
				lit = p[1];
				is_lit = true;
				p += 2;
			} else {
				lit_skip_escape(&p);
			}
		} else if (*p == '[') {
			const char *q = p + 1;
			if (*q == '^')
				q++;
			if (*q == ']')
				q++;
			while (*q && *q != ']') {
				if (*q == '\\' && q[1])
					q++;
				else if (*q == '[' && q[1] == ':') {
					const char *e = strstr(q + 2, ":]");
					if (e)
						q = e + 1;
				}
				q++;
			}
			if (!*q) {
				*bad = true;
				break;
			}
			p = q + 1;
		} else if (*p == '(') {
			bool keep = true;
			p++;
			if (*p == '*') {
				*bad = true;
				break;
			}
			if (*p == '?') {
				p++;
				if (*p == ':' || *p == '>' || *p == '|') {
					p++;
				} else if (*p == '=' || *p == '!') {
					keep = false;
					p++;
				} else if (*p == '<' && (p[1] == '=' || p[1] == '!')) {
					keep = false;
					p += 2;
				} else if (*p == '<' || *p == '\'' || (*p == 'P' && p[1] == '<')) {
					char close = *p == '\'' ? '\'' : '>';
					while (*p && *p != close)
						p++;
					if (*p)
						p++;
				} else if (*p == '#') {
					while (*p && *p != ')')
						p++;
					if (*p)
						p++;
					continue; /* a comment: nothing */
				} else {
					*bad = true; /* inline options, callouts, conditionals, ... */
					break;
				}
			}
			inner = lit_alt(&p, bad);
			if (*bad || *p != ')') {
				litset_free(&inner);
				*bad = true;
				break;
			}
			p++;
			if (!keep)
				litset_free(&inner);
			is_group = true;
		} else if (*p == '.' || *p == '^' || *p == '$') {
			p++;
		} else if (*p == '\n') {
			p++;
		} else {
			lit = *p++;
			is_lit = true;
		}
		bool min0 = false, many = false;
		bool quant = lit_quantifier(&p, &min0, &many);
		if (is_lit && !min0) {
			fd_buf_addc(&run, lit);
			if (many) { /* "ab+c": "ab" and then "bc" */
				lit_flush(&run, &best);
				fd_buf_addc(&run, lit);
			}
		} else {
			lit_flush(&run, &best);
			if (is_group && !(quant && min0))
				litset_keep_better(&best, &inner);
			else
				litset_free(&inner);
		}
	}
	lit_flush(&run, &best);
	fd_buf_free(&run);
	*pp = p;
	return best;
}

static struct litset lit_alt(const char **pp, bool *bad)
{
	struct litset all = lit_seq(pp, bad);
	bool none = all.n == 0;
	while (**pp == '|' && !*bad) {
		(*pp)++;
		struct litset more = lit_seq(pp, bad);
		if (!more.n || all.n + more.n > LIT_MAX_ALTS)
			none = true;
		for (int i = 0; i < more.n; i++) {
			bool dup = false;
			for (int j = 0; j < all.n && !dup; j++)
				dup = strcmp(all.s[j], more.s[i]) == 0;
			if (dup || none || all.n == LIT_MAX_ALTS)
				free(more.s[i]);
			else
				all.s[all.n++] = more.s[i];
		}
		more.n = 0;
	}
	if (none)
		litset_free(&all);
	return all;
}

static const char *required_literal(struct fd_arena *a, const char *re)
{
	bool bad = false;
	const char *p = re;
	struct litset l = lit_alt(&p, &bad);
	const char *out = NULL;
	if (!bad && !*p && l.n && litset_min(&l) >= 4) {
		struct fd_buf b = {0};
		for (int i = 0; i < l.n; i++) {
			if (i)
				fd_buf_addc(&b, '\n');
			fd_buf_add(&b, l.s[i], strlen(l.s[i]));
		}
		out = fd_arena_strndup(a, b.p, b.len);
		fd_buf_free(&b);
	}
	litset_free(&l);
	return out;
}

static int parse_log(struct pctx *c, const struct fd_ynode *n, struct fd_rule *r)
{
	static const char *const keys[] = {"namespace", "pod",   "container", "previous", "level",
					   "pattern",   "min_count", "within",  "by"};
	int rc = check_keys(c, n, keys, sizeof(keys) / sizeof(keys[0]), "a log match");
	if (rc)
		return rc;
	const struct fd_ynode *v;
	r->previous = -1;
	r->min_count = 1;
	if ((v = fd_ynode_get(n, "namespace")) && (rc = parse_regex_field(c, v, "namespace", &r->l_ns)))
		return rc;
	if ((v = fd_ynode_get(n, "pod")) && (rc = parse_regex_field(c, v, "pod", &r->l_pod)))
		return rc;
	if ((v = fd_ynode_get(n, "container")) &&
	    (rc = parse_regex_field(c, v, "container", &r->l_container)))
		return rc;
	if ((v = fd_ynode_get(n, "previous"))) {
		bool b;
		if ((rc = parse_bool(c, v, "previous", &b)))
			return rc;
		r->previous = b;
	}
	if ((v = fd_ynode_get(n, "level"))) {
		if ((rc = want_scalar(c, v, "level")))
			return rc;
		r->level = v->value;
	}
	v = fd_ynode_get(n, "pattern");
	if (!v)
		return FAIL_AT(c, n, "a log match needs a pattern");
	if ((rc = parse_regex_field(c, v, "pattern", &r->pattern)))
		return rc;
	r->literal = required_literal(c->set->arena, v->value);
	if ((v = fd_ynode_get(n, "min_count")) && (rc = parse_uint(c, v, "min_count", &r->min_count)))
		return rc;
	if ((v = fd_ynode_get(n, "within")) && (rc = parse_duration_field(c, v, "within", &r->within)))
		return rc;
	if ((v = fd_ynode_get(n, "by"))) {
		if (v->type == FD_Y_SCALAR && strcmp(v->value, "object") == 0)
			r->by = FD_BY_OBJECT;
		else if (v->type == FD_Y_SCALAR && strcmp(v->value, "pod") == 0)
			r->by = FD_BY_POD;
		else if (v->type == FD_Y_SCALAR && strcmp(v->value, "rule") == 0)
			r->by = FD_BY_RULE;
		else
			return FAIL_AT(c, v, "by must be object, pod or rule");
	}
	return 0;
}

static int parse_event(struct pctx *c, const struct fd_ynode *n, struct fd_rule *r)
{
	static const char *const keys[] = {"reason", "type", "involved", "message", "min_count",
					   "within"};
	int rc = check_keys(c, n, keys, sizeof(keys) / sizeof(keys[0]), "an event match");
	if (rc)
		return rc;
	const struct fd_ynode *v;
	r->min_count = 1;
	if ((v = fd_ynode_get(n, "reason")) && (rc = parse_regex_field(c, v, "reason", &r->e_reason)))
		return rc;
	if ((v = fd_ynode_get(n, "message")) &&
	    (rc = parse_regex_field(c, v, "message", &r->e_message)))
		return rc;
	if ((v = fd_ynode_get(n, "type"))) {
		if ((rc = want_scalar(c, v, "type")))
			return rc;
		r->e_type = v->value;
	}
	if ((v = fd_ynode_get(n, "involved"))) {
		static const char *const ik[] = {"kind", "namespace", "name"};
		if (v->type != FD_Y_MAP)
			return FAIL_AT(c, v, "involved takes kind, namespace and name selectors");
		if ((rc = check_keys(c, v, ik, 3, "involved")))
			return rc;
		const struct fd_ynode *s;
		if ((s = fd_ynode_get(v, "kind")) && (rc = parse_selector(c, s, &r->inv_kind)))
			return rc;
		if ((s = fd_ynode_get(v, "namespace")) && (rc = parse_selector(c, s, &r->inv_ns)))
			return rc;
		if ((s = fd_ynode_get(v, "name")) && (rc = parse_selector(c, s, &r->inv_name)))
			return rc;
	}
	if ((v = fd_ynode_get(n, "min_count")) && (rc = parse_uint(c, v, "min_count", &r->min_count)))
		return rc;
	if ((v = fd_ynode_get(n, "within")) && (rc = parse_duration_field(c, v, "within", &r->within)))
		return rc;
	return 0;
}

static int parse_resource(struct pctx *c, const struct fd_ynode *n, struct fd_rule *r)
{
	static const char *const keys[] = {"apiVersion", "kind", "namespace", "name", "where"};
	int rc = check_keys(c, n, keys, 5, "a resource match");
	if (rc)
		return rc;
	const struct fd_ynode *v;
	if ((v = fd_ynode_get(n, "apiVersion")) && (rc = parse_selector(c, v, &r->api_version)))
		return rc;
	if (!(v = fd_ynode_get(n, "kind")))
		return FAIL_AT(c, n, "a resource match needs a kind");
	if ((rc = parse_selector(c, v, &r->kind)))
		return rc;
	if ((v = fd_ynode_get(n, "namespace")) && (rc = parse_selector(c, v, &r->ns)))
		return rc;
	if ((v = fd_ynode_get(n, "name")) && (rc = parse_selector(c, v, &r->name)))
		return rc;
	if ((v = fd_ynode_get(n, "where")) && (rc = parse_cond(c, v, 0, &r->where)))
		return rc;
	return 0;
}

static bool valid_id(const char *s)
{
	if (!isupper((unsigned char)s[0]))
		return false;
	bool dash = false, prev_dash = false;
	for (const char *p = s; *p; p++) {
		if (*p == '-') {
			if (prev_dash)
				return false;
			dash = prev_dash = true;
		} else if (isupper((unsigned char)*p) || isdigit((unsigned char)*p)) {
			prev_dash = false;
		} else {
			return false;
		}
	}
	return dash && !prev_dash;
}

static int parse_rule(struct pctx *c, const struct fd_ynode *n, struct fd_rule **out)
{
	static const char *const keys[] = {"id",  "title", "severity", "category", "match",
					   "message", "fix", "why", "docs", "explains",
					   "fallback", "node", "object"};
	if (n->type != FD_Y_MAP)
		return FAIL_AT(c, n, "a rule must be a mapping with id, title, severity, ...");
	int rc = check_keys(c, n, keys, sizeof(keys) / sizeof(keys[0]), "a rule");
	if (rc)
		return rc;
	static const char *const required[] = {"id", "title", "severity", "category", "match",
					       "message", "fix", "why"};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!fd_ynode_get(n, required[i])) {
			const struct fd_ynode *id = fd_ynode_get(n, "id");
			return FAIL_AT(c, n, "rule %s has no '%s'",
				       id && id->type == FD_Y_SCALAR ? id->value : "(no id)",
				       required[i]);
		}
	struct fd_rule *r = fd_arena_alloc(c->set->arena, sizeof(*r));
	r->file = fd_arena_strdup(c->set->arena, c->file);
	r->line = n->line;
	const struct fd_ynode *v = fd_ynode_get(n, "id");
	if ((rc = want_scalar(c, v, "id")))
		return rc;
	if (!valid_id(v->value))
		return FAIL_AT(c, v, "rule id '%s' must be upper-case words joined by '-' (e.g. "
				     "SRC-GIT-AUTH)",
			       v->value);
	r->id = v->value;
	v = fd_ynode_get(n, "title");
	if ((rc = want_scalar(c, v, "title")))
		return rc;
	r->title = v->value;
	v = fd_ynode_get(n, "severity");
	if (v->type != FD_Y_SCALAR || fd_severity_parse(v->value, &r->severity))
		return FAIL_AT(c, v, "severity must be critical, error, warning or info");
	v = fd_ynode_get(n, "category");
	bool found = false;
	for (int i = 0; v->type == FD_Y_SCALAR && i < FD_CAT_COUNT; i++)
		if (strcmp(v->value, fd_category_name((enum fd_category)i)) == 0) {
			r->category = (enum fd_category)i;
			found = true;
		}
	if (!found)
		return FAIL_AT(c, v, "category must be one of apiserver, network, controller, cache, "
				     "backlog, config, source, apply");
	v = fd_ynode_get(n, "match");
	if (v->type != FD_Y_MAP || v->n != 1)
		return FAIL_AT(c, v, "match takes exactly one of resource, log or event");
	const struct fd_ynode *mk = v->kids[0], *mv = v->kids[1];
	if (mv->type != FD_Y_MAP)
		return FAIL_AT(c, mv, "the %s match must be a mapping", mk->value);
	if (strcmp(mk->value, "resource") == 0) {
		r->match = FD_MATCH_RESOURCE;
		rc = parse_resource(c, mv, r);
	} else if (strcmp(mk->value, "log") == 0) {
		r->match = FD_MATCH_LOG;
		rc = parse_log(c, mv, r);
	} else if (strcmp(mk->value, "event") == 0) {
		r->match = FD_MATCH_EVENT;
		rc = parse_event(c, mv, r);
	} else {
		rc = FAIL_AT(c, mk, "unknown matcher '%s' (known: resource, log, event)", mk->value);
	}
	if (rc)
		return rc;
	if ((rc = check_template(c, fd_ynode_get(n, "message"), "message")))
		return rc;
	r->message = fd_ynode_get(n, "message")->value;
	if ((rc = string_list(c, fd_ynode_get(n, "fix"), "fix", true, &r->fix, &r->nfix)))
		return rc;
	if ((rc = check_template(c, fd_ynode_get(n, "why"), "why")))
		return rc;
	r->why = fd_ynode_get(n, "why")->value;
	if ((v = fd_ynode_get(n, "docs")) &&
	    (rc = string_list(c, v, "docs", false, &r->docs, &r->ndocs)))
		return rc;
	if ((v = fd_ynode_get(n, "explains"))) {
		if (v->type != FD_Y_SEQ)
			return FAIL_AT(c, v, "explains takes a list of rule ids, categories or globs");
		if ((rc = string_list(c, v, "explains", false, &r->explains, &r->nexplains)))
			return rc;
	} else {
		r->explains = fd_arena_alloc(c->set->arena, sizeof(*r->explains));
		r->explains[0] = "*";
		r->nexplains = 1;
	}
	if ((v = fd_ynode_get(n, "fallback")) && (rc = parse_bool(c, v, "fallback", &r->fallback)))
		return rc;
	if ((v = fd_ynode_get(n, "node"))) {
		if ((rc = check_template(c, v, "node")))
			return rc;
		r->node = v->value;
	}
	if ((v = fd_ynode_get(n, "object")) &&
	    (rc = string_list(c, v, "object", true, &r->object, &r->nobject)))
		return rc;
	*out = r;
	return 0;
}

int fd_ruleset_load_buffer(struct fd_ruleset *set, const char *name, const char *buf, size_t len,
			   struct fd_error *err)
{
	struct fd_ynode *root;
	struct pctx c = {set, name, buf, len, err};
	/* node text must outlive this call: parse from an arena copy */
	char *text = fd_arena_strndup(set->arena, buf, len);
	c.text = text;
	int rc = fd_yaml_parse_tree(&root, set->arena, name, text, len, 64, err);
	if (rc)
		return rc;
	if (!root)
		return 0; /* empty file */
	const struct fd_ynode *list = root;
	if (root->type == FD_Y_MAP) {
		static const char *const keys[] = {"rules"};
		if ((rc = check_keys(&c, root, keys, 1, "a rule file")))
			return rc;
		list = fd_ynode_get(root, "rules");
		if (!list)
			return FAIL_AT(&c, root, "a rule file holds a 'rules:' list");
	}
	if (list->type != FD_Y_SEQ)
		return FAIL_AT(&c, list, "'rules' must be a list of rules");
	struct fd_map seen = {0};
	for (size_t i = 0; i < list->n; i++) {
		struct fd_rule *r = NULL;
		rc = parse_rule(&c, list->kids[i], &r);
		if (rc)
			break;
		if (fd_map_get(&seen, r->id)) {
			rc = FAIL_AT(&c, fd_ynode_get(list->kids[i], "id"),
				     "duplicate rule id '%s' in this file", r->id);
			break;
		}
		fd_map_put(&seen, r->id, r);
		struct fd_rule *old = fd_map_get(&set->by_id, r->id);
		if (old) {
			r->index = old->index;
			set->rules.v[old->index] = r;
		} else {
			r->index = set->rules.len;
			fd_vec_push(&set->rules, r);
		}
		fd_map_put(&set->by_id, r->id, r);
	}
	fd_map_free(&seen);
	return rc;
}

int fd_ruleset_load_file(struct fd_ruleset *set, const char *path, struct fd_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return fd_error_set(err, FD_ERULES, "%s: cannot read rule file: %s", path,
				    strerror(errno));
	struct fd_buf b = {0};
	char chunk[65536];
	size_t n;
	fd_buf_add(&b, "", 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		fd_buf_add(&b, chunk, n);
		if (b.len > (64u << 20)) {
			fclose(f);
			fd_buf_free(&b);
			return fd_error_set(err, FD_ERULES, "%s: rule file larger than 64 MiB", path);
		}
	}
	fclose(f);
	int rc = fd_ruleset_load_buffer(set, path, b.p, b.len, err);
	fd_buf_free(&b);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int fd_ruleset_load_dir(struct fd_ruleset *set, const char *dir, struct fd_error *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return fd_error_set(err, FD_ERULES, "%s: cannot open rules directory: %s", dir,
				    strerror(errno));
	struct fd_vec names = {0};
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if ((l > 5 && strcmp(de->d_name + l - 5, ".yaml") == 0) ||
		    (l > 4 && strcmp(de->d_name + l - 4, ".yml") == 0))
			fd_vec_push(&names, fd_xstrdup(de->d_name));
	}
	closedir(d);
	if (names.len > 1)
		fd_qsort(names.v, names.len, sizeof(*names.v), cmp_str);
	int rc = 0;
	for (size_t i = 0; i < names.len && !rc; i++) {
		char *p = fd_xasprintf("%s/%s", dir, (char *)names.v[i]);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			rc = fd_ruleset_load_file(set, p, err);
		free(p);
	}
	for (size_t i = 0; i < names.len; i++)
		free(names.v[i]);
	fd_vec_free(&names);
	return rc;
}

