/* rules_eval.c - the fourth stage: evaluate resource and event rules against the object index,
 * turn log-match accumulators into findings, and render each finding's message, fix and
 * evidence with the object's own names and words. */
#include "rules_eval.h"
#include "util.h"
#include "present.h"
#include "regex.h"
#include "timestamps.h"
#include "path_eval.h"
#include "rules.h"
#include "template.h"
#include "flux_controllers.h"
#include "bundle.h"
#include "report.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PATH_VALUES 4096

static bool api_version_match(struct fd_bundle *b, const struct fd_rule *r,
			      const struct fd_object *o)
{
	const struct fd_selector *s = &r->api_version;
	const char *av = o->api_version;
	if (!s->n)
		return true;
	for (size_t i = 0; i < s->n; i++) {
		if (s->exact[i]) {
			size_t n = strlen(s->exact[i]);
			if (strcmp(s->exact[i], av) == 0 ||
			    (!strchr(s->exact[i], '/') && strncmp(av, s->exact[i], n) == 0 &&
			     av[n] == '/'))
				return true;
		} else if (fd_regex_run(b, r, s->re[i], NULL, av, strlen(av), o->path, o->line)) {
			return true;
		}
	}
	return false;
}

/* The values each path reached on the current object, shared by every rule that evaluates
 * that object (paths are interned by the rule loader, so equal paths are one pointer). */
#define MEMO_SLOTS 256
struct memo {
	const struct fd_path *key[MEMO_SLOTS];
	unsigned gen[MEMO_SLOTS];
	struct fd_vec vals[MEMO_SLOTS];
	unsigned cur;
	struct fd_vec overflow; /* used when the table is full */
};

static const struct fd_vec *memo_eval(struct memo *m, const struct fd_path *p, json_t *obj)
{
	size_t h = ((uintptr_t)p >> 4) % MEMO_SLOTS;
	for (size_t k = 0; k < MEMO_SLOTS; k++, h = (h + 1) % MEMO_SLOTS) {
		if (m->gen[h] == m->cur && m->key[h] == p)
			return &m->vals[h];
		if (m->gen[h] != m->cur) {
			m->key[h] = p;
			m->gen[h] = m->cur;
			m->vals[h].len = 0;
			fd_path_eval(p, obj, &m->vals[h], MAX_PATH_VALUES);
			return &m->vals[h];
		}
	}
	m->overflow.len = 0;
	fd_path_eval(p, obj, &m->overflow, MAX_PATH_VALUES);
	return &m->overflow;
}

static void memo_free(struct memo *m)
{
	for (size_t i = 0; i < MEMO_SLOTS; i++)
		fd_vec_free(&m->vals[i]);
	fd_vec_free(&m->overflow);
}

struct ectx {
	struct fd_bundle *b;
	const struct fd_rule *rule;
	const struct fd_object *obj;
	struct fd_tctx t;
	json_t *caps;     /* created on the first capture */
	struct fd_buf ev; /* "path: value" of tests that held */
	struct memo *memo;
};

static bool bool_word(const char *s)
{
	return strcasecmp(s, "true") == 0 || strcasecmp(s, "false") == 0;
}

static bool values_equal(const char *v, const char *op)
{
	if (strcmp(v, op) == 0)
		return true;
	if (bool_word(v) && bool_word(op))
		return strcasecmp(v, op) == 0;
	double a, b;
	char *e1, *e2;
	a = strtod(v, &e1);
	b = strtod(op, &e2);
	return *v && *op && !*e1 && !*e2 && a == b;
}

static void note_evidence(struct ectx *c, const char *path, const char *value)
{
	if (c->ev.len > 600)
		return;
	if (c->ev.len)
		fd_buf_adds(&c->ev, "; ");
	char *v = fd_utf8_clean(value, strlen(value), 300, NULL);
	fd_buf_addf(&c->ev, "%s: %s", path, v);
	free(v);
}

/* "Secret" -> "secrets", "GitRepository" -> "gitrepositories", "Endpoints" -> "endpoints" */
static char *plural_of(const char *kind)
{
	size_t n = strlen(kind);
	char *p = fd_xmalloc(n + 4);
	for (size_t i = 0; i <= n; i++)
		p[i] = (char)tolower((unsigned char)kind[i]);
	if (n && p[n - 1] == 'y') {
		strcpy(p + n - 1, "ies");
	} else if (n && p[n - 1] == 's') {
		if (strcmp(p, "endpoints") != 0)
			strcpy(p + n, "es");
	} else {
		strcpy(p + n, "s");
	}
	return p;
}

struct prefix_probe {
	const char *prefix, *ns;
	bool found;
};

static void probe_prefix(const char *key, void *v, void *payload)
{
	struct prefix_probe *p = payload;
	size_t n = strlen(p->prefix);
	(void)v;
	if (strncmp(key, p->prefix, n) != 0)
		return;
	const char *rest = key + n;
	if (*rest == '.') /* "gitrepositories.source.toolkit.fluxcd.io" */
		rest += strcspn(rest, "@");
	if (*rest == 0 || (*rest == '@' && strcmp(rest + 1, p->ns) == 0))
		p->found = true;
}

/* Whether the bundle could have shown an object of this kind in this namespace: it holds one
 * there, or the manifest shows the kind was listed in all namespaces or in that one. */
static bool kind_collected(const struct fd_bundle *b, const char *kind, const char *ns)
{
	const struct fd_vec *v = fd_bundle_kind(b, kind);
	for (size_t i = 0; v && i < v->len; i++)
		if (strcmp(((const struct fd_object *)v->v[i])->ns, ns) == 0)
			return true;
	char *pl = plural_of(kind);
	struct prefix_probe p = {pl, ns, false};
	fd_map_each(&b->collected, probe_prefix, &p);
	free(pl);
	return p.found;
}

static bool eval_cond(const struct fd_cond *cd, struct ectx *c);

/* A number or quantity, or a multiple of one: "0.9x2000m". */
static int number_operand(const char *s, double *out)
{
	const char *x = strchr(s, 'x');
	if (x && x != s) {
		char *end;
		double k = strtod(s, &end);
		double v;
		if (end == x && fd_quantity_parse(x + 1, &v) == 0) {
			*out = k * v;
			return 0;
		}
	}
	return fd_quantity_parse(s, out);
}

/* An RFC 3339 time, or epoch seconds (what `date +%s` writes into requestedAt). */
static int time_value(const char *s, double *out)
{
	if (fd_time_parse(s, out) == 0)
		return 0;
	char *end;
	double v = strtod(s, &end);
	if (end != s && !*end && v > 1e9 && v < 1e11) {
		*out = v;
		return 0;
	}
	return -1;
}

static bool eval_test(const struct fd_cond *cd, struct ectx *c)
{
	struct fd_buf tmp = {0};
	bool ok = false;
	char *rendered = NULL;
	const char *operand = NULL;
	const struct fd_vec vals = *memo_eval(c->memo, cd->path, c->t.obj);
	size_t nonnull = 0;
	for (size_t i = 0; i < vals.len; i++)
		if (!json_is_null((json_t *)vals.v[i]))
			nonnull++;
	if (cd->op == FD_OP_EXISTS || cd->op == FD_OP_ABSENT) {
		bool want_exists = (cd->op == FD_OP_EXISTS) == cd->flag;
		ok = want_exists ? nonnull > 0 : nonnull == 0;
		if (ok && nonnull) {
			const char *t = fd_json_text(vals.v[0], &tmp);
			note_evidence(c, cd->path_text, t ? t : "(present)");
		}
		goto out;
	}
	if (!vals.len)
		goto out; /* no value: no operator but absent/not_* can hold */
	if (cd->op != FD_OP_REGEX && cd->op != FD_OP_IN && cd->op != FD_OP_NOT_IN) {
		operand = cd->operands[0];
		if (strchr(operand, '{')) { /* a template: render it for this object */
			bool missing;
			operand = rendered = fd_template_render(cd->operands[0], &c->t, &missing);
			if (missing)
				goto out;
		}
	}
	double now = c->b->collected_at;
	bool any_value = false, none_equal = true;
	for (size_t i = 0; i < vals.len && !ok; i++) {
		const char *v = fd_json_text(vals.v[i], &tmp);
		if (!v)
			continue;
		any_value = true;
		double a, d, t;
		bool hit = false;
		switch (cd->op) {
		case FD_OP_EQUALS:
			hit = values_equal(v, operand);
			break;
		case FD_OP_NOT_EQUALS:
			if (values_equal(v, operand))
				none_equal = false;
			break;
		case FD_OP_IN:
		case FD_OP_NOT_IN:
			for (size_t k = 0; k < cd->noperands; k++) {
				char *o = fd_template_render(cd->operands[k], &c->t, NULL);
				if (values_equal(v, o))
					hit = true;
				free(o);
			}
			if (cd->op == FD_OP_NOT_IN) {
				if (hit)
					none_equal = false;
				hit = false;
			}
			break;
		case FD_OP_REGEX:
			if (fd_regex_run(c->b, c->rule, cd->re, cd->md, v, strlen(v), c->obj->path,
					 c->obj->line)) {
				hit = true;
				if (!c->caps)
					c->t.caps = c->caps = json_object();
				fd_regex_captures(c->caps, cd->re, cd->md, v);
			}
			break;
		case FD_OP_GT:
		case FD_OP_LT:
		case FD_OP_GE:
		case FD_OP_LE:
			if (fd_quantity_parse(v, &a) == 0 && number_operand(operand, &d) == 0)
				hit = cd->op == FD_OP_GT   ? a > d
				      : cd->op == FD_OP_LT ? a < d
				      : cd->op == FD_OP_GE ? a >= d
							   : a <= d;
			break;
		case FD_OP_OLDER:
		case FD_OP_NEWER:
			if (time_value(v, &t) == 0 && fd_duration_parse(operand, &d) == 0)
				hit = cd->op == FD_OP_OLDER ? now - t > d : now - t < d;
			break;
		default:
			break;
		}
		if (hit) {
			ok = true;
			note_evidence(c, cd->path_text, v);
		}
	}
	if ((cd->op == FD_OP_NOT_EQUALS || cd->op == FD_OP_NOT_IN) && any_value && none_equal) {
		ok = true;
		const char *v = fd_json_text(vals.v[0], &tmp);
		note_evidence(c, cd->path_text, v ? v : "");
	}
out:
	free(rendered);
	fd_buf_free(&tmp);
	return ok;
}

static bool eval_cond(const struct fd_cond *cd, struct ectx *c)
{
	switch (cd->type) {
	case FD_COND_ALL:
		for (size_t i = 0; i < cd->nkids; i++)
			if (!eval_cond(cd->kids[i], c))
				return false;
		return true;
	case FD_COND_ANY:
		for (size_t i = 0; i < cd->nkids; i++)
			if (eval_cond(cd->kids[i], c))
				return true;
		return false;
	case FD_COND_NOT: {
		size_t mark = c->ev.len;
		bool r = eval_cond(cd->kids[0], c);
		c->ev.len = mark; /* what held inside a 'not' is not evidence */
		if (c->ev.p)
			c->ev.p[mark] = 0;
		return !r;
	}
	case FD_COND_TEST:
		return eval_test(cd, c);
	case FD_COND_LOOKUP: {
		bool m1, m2, m3;
		char *k = fd_template_render(cd->lk_kind, &c->t, &m1);
		char *ns = fd_template_render(cd->lk_ns, &c->t, &m2);
		char *nm = fd_template_render(cd->lk_name, &c->t, &m3);
		bool r = false;
		if (!m1 && !m3) {
			const struct fd_object *o = fd_bundle_find(c->b, k, m2 ? "" : ns, nm);
			if (cd->op == FD_OP_EXISTS)
				r = o != NULL;
			else if (!o && kind_collected(c->b, k, m2 ? "" : ns)) {
				r = true;
				char *what = fd_object_label(k, m2 ? "" : ns, nm);
				note_evidence(c, "not in bundle", what);
				free(what);
			}
		}
		free(k);
		free(ns);
		free(nm);
		return r;
	}
	}
	return false;
}

static char *dup_or_null(const char *s)
{
	return s && *s ? fd_xstrdup(s) : NULL;
}

static void add_ev(struct fd_finding *f, const char *path, unsigned line, const char *text)
{
	f->ev = fd_xrealloc(f->ev, (f->nev + 1) * sizeof(*f->ev));
	f->ev[f->nev].path = fd_xstrdup(path ? path : "");
	f->ev[f->nev].line = line;
	f->ev[f->nev].text = fd_utf8_clean(text ? text : "", text ? strlen(text) : 0, 600, NULL);
	f->nev++;
}

/* A rule's `object` templates move a finding from the record the rule matched (a derived
 * fact, a log group) to the real object it is about: the first template that renders to
 * "Kind/ns/name" or "Kind/name" of an object in the bundle. The finding then sits on that
 * object's graph node (unless the rule names one), and its first evidence is the real
 * object's own file and line. */
static void resolve_object(const struct fd_rule *r, const struct fd_tctx *t, struct fd_finding *f)
{
	for (size_t i = 0; i < r->nobject; i++) {
		bool missing = false;
		char *ref = fd_template_render(r->object[i], t, &missing);
		char *s1 = strchr(ref, '/');
		char *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
		const struct fd_object *o = NULL;
		if (!missing && s1) {
			*s1 = 0;
			if (s2)
				*s2 = 0;
			const char *ns = s2 ? s1 + 1 : "", *name = s2 ? s2 + 1 : s1 + 1;
			if (*ref && *name)
				o = fd_bundle_find(t->b, ref, ns, name);
		}
		free(ref);
		if (!o || o->synthetic)
			continue;
		if (f->kind)
			f->via = fd_xasprintf("%s %s%s%s", f->kind, f->ns, *f->ns ? "/" : "",
					      f->name);
		free(f->kind);
		free(f->ns);
		free(f->name);
		free(f->api_version);
		f->kind = fd_xstrdup(o->kind);
		f->ns = fd_xstrdup(o->ns);
		f->name = fd_xstrdup(o->name);
		f->api_version = dup_or_null(o->api_version);
		char *what = fd_xasprintf("%s %s%s%s", o->kind, o->ns, *o->ns ? "/" : "", o->name);
		add_ev(f, o->path, o->line, what);
		free(what);
		return;
	}
}

/* Builds a finding from a matched rule and its rendering context. */
static struct fd_finding *make_finding(const struct fd_rule *r, const struct fd_tctx *t)
{
	struct fd_finding *f = fd_xcalloc(1, sizeof(*f));
	f->rule = r;
	if (t->kind && *t->kind) {
		f->kind = fd_xstrdup(t->kind);
		f->ns = fd_xstrdup(t->ns ? t->ns : "");
		f->name = fd_xstrdup(t->name ? t->name : "");
		f->api_version = dup_or_null(t->api_version);
	}
	f->message = fd_template_render(r->message, t, NULL);
	f->why = fd_template_render(r->why, t, NULL);
	f->fix = fd_xcalloc(r->nfix + 1, sizeof(*f->fix));
	for (size_t i = 0; i < r->nfix; i++)
		f->fix[i] = fd_template_render_fix(r->fix[i], t, NULL);
	f->nfix = r->nfix;
	if (r->node)
		f->node = fd_template_render(r->node, t, NULL);
	resolve_object(r, t, f);
	return f;
}

void fd_finding_free(struct fd_finding *f)
{
	if (!f)
		return;
	free(f->api_version);
	free(f->kind);
	free(f->ns);
	free(f->name);
	free(f->message);
	free(f->why);
	for (size_t i = 0; i < f->nfix; i++)
		free(f->fix[i]);
	free(f->fix);
	for (size_t i = 0; i < f->nev; i++) {
		free(f->ev[i].path);
		free(f->ev[i].text);
	}
	free(f->ev);
	free(f->node);
	free(f->via);
	free(f->caused_by);
	free(f->symptoms);
	free(f);
}

static void set_object_ctx(struct fd_tctx *t, const struct fd_object *o)
{
	t->obj = o->json;
	t->kind = o->kind;
	t->ns = o->ns;
	t->name = o->name;
	t->api_version = o->api_version;
}

static void eval_resource_object(struct fd_bundle *b, const struct fd_rule *r,
				 const struct fd_object *o, struct memo *memo, struct fd_vec *out)
{
	if (!api_version_match(b, r, o) ||
	    !fd_selector_match(b, r, &r->ns, o->ns, o->path, o->line) ||
	    !fd_selector_match(b, r, &r->name, o->name, o->path, o->line))
		return;
	struct ectx c = {0};
	c.b = b;
	c.rule = r;
	c.obj = o;
	c.memo = memo;
	c.t.b = b;
	set_object_ctx(&c.t, o);
	if (!r->where || eval_cond(r->where, &c)) {
		struct fd_finding *f = make_finding(r, &c.t);
		add_ev(f, o->path, o->line,
		       c.ev.len ? c.ev.p : (o->synthetic ? "derived from the bundle" : "object"));
		fd_vec_push(out, f);
	}
	fd_buf_free(&c.ev);
	json_decref(c.caps);
}

static int cmp_rule_index(const void *a, const void *b)
{
	const struct fd_rule *x = *(const struct fd_rule *const *)a,
			     *y = *(const struct fd_rule *const *)b;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void free_rule_list(const char *k, void *v, void *p)
{
	(void)k;
	(void)p;
	fd_vec_free(v);
	free(v);
}

/* The resource rules that select `kind`, in rule order (computed once per kind). */
static const struct fd_vec *rules_for_kind(struct fd_bundle *b, struct fd_map *cache,
					   const struct fd_object *o)
{
	const struct fd_ruleset *rs = b->rules;
	const char *kind = o->kind;
	struct fd_vec *v = fd_map_get(cache, kind);
	if (v)
		return v;
	v = fd_xcalloc(1, sizeof(*v));
	for (size_t i = 0; i < rs->rules.len; i++) {
		const struct fd_rule *r = rs->rules.v[i];
		if (r->match == FD_MATCH_RESOURCE &&
		    fd_selector_match(b, r, &r->kind, kind, o->path, o->line))
			fd_vec_push(v, (void *)r);
	}
	fd_qsort(v->v, v->len, sizeof(*v->v), cmp_rule_index);
	fd_map_put(cache, kind, v);
	return v;
}

struct seq_finding {
	struct fd_finding *f;
	size_t rule, obj;
};

static int cmp_seq(const void *a, const void *b)
{
	const struct seq_finding *x = a, *y = b;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return x->obj < y->obj ? -1 : x->obj > y->obj;
}

/* HOT PATH: every object against the resource rules of its kind. Objects are the outer loop so
 * that the rules evaluating one object share its path values; findings come out in rule order,
 * then object order. */
static void eval_resources(struct fd_bundle *b, struct fd_vec *out)
{
	struct fd_map cache = {0};
	struct memo *memo = fd_xcalloc(1, sizeof(*memo));
	struct seq_finding *sf = NULL;
	size_t nsf = 0, capsf = 0;
	for (size_t i = 0; i < b->objects.len; i++) {
		if ((i & 63) == 0 && fd_bundle_eval_over_deadline(b))
			break;
		const struct fd_object *o = b->objects.v[i];
		const struct fd_vec *rules = rules_for_kind(b, &cache, o);
		if (!rules->len)
			continue;
		memo->cur++;
		for (size_t k = 0; k < rules->len; k++) {
			const struct fd_rule *r = rules->v[k];
			size_t before = out->len;
			eval_resource_object(b, r, o, memo, out);
			for (size_t n = before; n < out->len; n++) {
				if (nsf == capsf) {
					capsf = capsf ? capsf * 2 : 64;
					sf = fd_xrealloc(sf, capsf * sizeof(*sf));
				}
				sf[nsf++] = (struct seq_finding){out->v[n], r->index, i};
			}
			out->len = before;
		}
	}
	fd_qsort(sf, nsf, sizeof(*sf), cmp_seq);
	for (size_t i = 0; i < nsf; i++)
		fd_vec_push(out, sf[i].f);
	free(sf);
	memo_free(memo);
	free(memo);
	fd_map_each(&cache, free_rule_list, NULL);
	fd_map_free(&cache);
}

/* ---- events ---- */

struct ev_group {
	json_t *involved;
	long count;
	const struct fd_object *events[4];
	size_t nev;
	json_t *caps;
	char *reason, *message;
};

static void eval_event(struct fd_bundle *b, const struct fd_rule *r, struct fd_vec *out)
{
	const struct fd_vec *evs = fd_bundle_kind(b, "Event");
	struct fd_map groups = {0};
	struct fd_vec order = {0};
	for (size_t i = 0; evs && i < evs->len; i++) {
		if ((i & 63) == 0 && fd_bundle_eval_over_deadline(b))
			break;
		const struct fd_object *o = evs->v[i];
		json_t *e = o->json;
		const char *type = fd_jstr(e, "type"), *reason = fd_jstr(e, "reason"),
			   *message = fd_jstr(e, "message");
		if (!*reason)
			reason = fd_jstr(e, "action");
		if (!*message)
			message = fd_jstr(e, "note");
		if (r->e_type && strcmp(r->e_type, type) != 0)
			continue;
		if (r->e_reason &&
		    !fd_regex_run(b, r, r->e_reason, NULL, reason, strlen(reason), o->path, o->line))
			continue;
		json_t *inv = json_object_get(e, "involvedObject");
		if (!inv)
			inv = json_object_get(e, "regarding");
		const char *ik = fd_jstr(inv, "kind"), *ins = fd_jstr(inv, "namespace"),
			   *inm = fd_jstr(inv, "name");
		if (!fd_selector_match(b, r, &r->inv_kind, ik, o->path, o->line) ||
		    !fd_selector_match(b, r, &r->inv_ns, ins, o->path, o->line) ||
		    !fd_selector_match(b, r, &r->inv_name, inm, o->path, o->line))
			continue;
		json_t *caps = NULL;
		if (r->e_message) {
			pcre2_match_data *md = pcre2_match_data_create_from_pattern(r->e_message, NULL);
			bool hit = fd_regex_run(b, r, r->e_message, md, message, strlen(message),
						o->path, o->line);
			if (hit) {
				caps = json_object();
				fd_regex_captures(caps, r->e_message, md, message);
			}
			pcre2_match_data_free(md);
			if (!hit)
				continue;
		}
		if (r->within > 0) {
			double t = fd_event_time(e);
			if (t > 0 && t < b->collected_at - r->within) {
				json_decref(caps);
				continue;
			}
		}
		long cnt = (long)json_integer_value(json_object_get(e, "count"));
		long sc = (long)json_integer_value(
			json_object_get(json_object_get(e, "series"), "count"));
		if (sc > cnt)
			cnt = sc;
		if (cnt < 1)
			cnt = 1;
		char *key = fd_xasprintf("%s\x1f%s\x1f%s", ik, ins, inm);
		struct ev_group *g = fd_map_get(&groups, key);
		if (!g) {
			g = fd_xcalloc(1, sizeof(*g));
			g->involved = inv ? inv : json_object_get(e, "metadata");
			g->caps = caps ? caps : json_object();
			g->reason = fd_xstrdup(reason);
			g->message = fd_xstrdup(message);
			fd_map_put(&groups, key, g);
			fd_vec_push(&order, g);
		} else {
			json_decref(caps);
		}
		free(key);
		g->count += cnt;
		if (g->nev < 3)
			g->events[g->nev++] = o;
		else
			g->events[g->nev = 4, 3] = o;
	}
	for (size_t i = 0; i < order.len; i++) {
		struct ev_group *g = order.v[i];
		if (g->count >= (long)r->min_count) {
			const char *ik = fd_jstr(g->involved, "kind"), *ins = fd_jstr(g->involved, "namespace"),
				   *inm = fd_jstr(g->involved, "name");
			const struct fd_object *io = fd_bundle_find(b, ik, ins, inm);
			struct fd_tctx t = {0};
			t.b = b;
			t.caps = g->caps;
			json_t *vars = json_pack("{s:I,s:s,s:s}", "count", (json_int_t)g->count,
						 "event.reason", g->reason, "event.message", g->message);
			t.vars = vars;
			if (io) {
				set_object_ctx(&t, io);
			} else {
				t.obj = g->events[0]->json;
				t.kind = ik;
				t.ns = ins;
				t.name = inm;
				t.api_version = fd_jstr(g->involved, "apiVersion");
			}
			struct fd_finding *f = make_finding(r, &t);
			for (size_t k = 0; k < g->nev; k++) {
				const struct fd_object *eo = g->events[k];
				char *txt = fd_xasprintf("%s %s (x%lld): %s", fd_jstr(eo->json, "type"),
							 fd_jstr(eo->json, "reason"),
							 (long long)json_integer_value(
								 json_object_get(eo->json, "count")),
							 fd_jstr(eo->json, "message"));
				add_ev(f, eo->path, eo->line, txt);
				free(txt);
			}
			fd_vec_push(out, f);
			json_decref(vars);
		}
		json_decref(g->caps);
		free(g->reason);
		free(g->message);
		free(g);
	}
	fd_vec_free(&order);
	fd_map_free(&groups);
}

/* ---- logs ---- */

static void log_findings(struct fd_bundle *b, struct fd_vec *out)
{
	char t1[32], t2[32];
	for (size_t i = 0; i < b->log_acc_order.len; i++) {
		struct fd_log_acc *a = b->log_acc_order.v[i];
		const struct fd_rule *r = a->rule;
		unsigned long count = a->count;
		double since = b->collected_at - r->within;
		if (r->within > 0 && a->ts) {
			count = 0;
			for (size_t k = 0; k < a->nts; k++)
				if (a->ts[k] >= since)
					count++;
			count += a->count > a->nts ? a->count - a->nts : 0; /* lines without time */
		}
		if (count < r->min_count)
			continue;
		struct fd_tctx t = {0};
		t.b = b;
		t.caps = a->caps;
		const struct fd_object *o = NULL;
		if (a->kind) {
			o = fd_bundle_find(b, a->kind, a->ns, a->name);
			if (o) {
				set_object_ctx(&t, o);
			} else {
				t.kind = a->kind;
				t.ns = a->ns;
				t.name = a->name;
			}
		} else if (r->by == FD_BY_POD || r->by == FD_BY_OBJECT) {
			o = fd_bundle_find(b, "Pod", a->pod_ns, a->pod);
			if (o) {
				set_object_ctx(&t, o);
			} else {
				t.kind = "Pod";
				t.ns = a->pod_ns;
				t.name = a->pod;
				t.api_version = "v1";
			}
		}
		fd_time_format(a->first_ts, t1);
		fd_time_format(a->last_ts, t2);
		json_t *vars = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "count", (json_int_t)count, "pod",
					 a->pod, "container", a->container, "file",
					 a->nev ? a->ev[0].path : "", "first_seen", t1, "last_seen",
					 t2);
		if (a->nev)
			json_object_set_new(vars, "line", json_integer(a->ev[0].line));
		const char *k;
		json_t *v;
		json_object_foreach(a->fields, k, v)
		{
			char *name = fd_xasprintf("log.%s", k);
			json_object_set(vars, name, v);
			free(name);
		}
		t.vars = vars;
		struct fd_finding *f = make_finding(r, &t);
		for (size_t e = 0; e < a->nev; e++) {
			if (r->within > 0 && a->ev_ts[e] > 0 && a->ev_ts[e] < since)
				continue;
			add_ev(f, a->ev[e].path, a->ev[e].line, a->ev[e].text);
		}
		if (!f->node && !a->kind && !o && r->by == FD_BY_RULE) {
			const char *ctrl = fd_controller_for_name(a->pod);
			if (ctrl)
				f->node = fd_xasprintf("controller:%s", ctrl);
		}
		fd_vec_push(out, f);
		json_decref(vars);
	}
}

static bool same_object(const struct fd_finding *a, const struct fd_finding *b)
{
	return a->kind && b->kind && strcmp(a->kind, b->kind) == 0 && strcmp(a->ns, b->ns) == 0 &&
	       strcmp(a->name, b->name) == 0;
}

/* Whether two findings come from the same matched object (before `object` moved them). */
static bool same_matched(const struct fd_finding *a, const struct fd_finding *b)
{
	if (!a->via && !b->via)
		return same_object(a, b);
	if (!a->via || !b->via)
		return false;
	return strcmp(a->via, b->via) == 0;
}

void fd_rules_evaluate(struct fd_bundle *b, struct fd_vec *out)
{
	const struct fd_ruleset *rs = b->rules;
	if (!rs)
		return;
	/* resource findings (rule order), merged with event findings by rule index */
	struct fd_vec res = {0};
	eval_resources(b, &res);
	size_t ri = 0;
	for (size_t i = 0; i < rs->rules.len; i++) {
		const struct fd_rule *r = rs->rules.v[i];
		while (ri < res.len && ((struct fd_finding *)res.v[ri])->rule->index <= r->index)
			fd_vec_push(out, res.v[ri++]);
		if (r->match == FD_MATCH_EVENT && !fd_bundle_eval_over_deadline(b))
			eval_event(b, r, out);
	}
	while (ri < res.len)
		fd_vec_push(out, res.v[ri++]);
	fd_vec_free(&res);
	log_findings(b, out);
	/* One cause seen from several places is one finding: findings of one rule that `object`
	 * moved onto the same real object merge, the first keeping the others' evidence and
	 * naming where else the rule saw it. */
	for (size_t i = 0; i < out->len; i++) {
		struct fd_finding *f = out->v[i];
		if (f->dropped || !f->via)
			continue;
		struct fd_buf also = {0};
		for (size_t k = i + 1; k < out->len; k++) {
			struct fd_finding *g = out->v[k];
			if (g->dropped || g->rule != f->rule || !g->via || !same_object(f, g))
				continue;
			for (size_t e = 0; e < g->nev; e++)
				if (f->nev < 12 && strcmp(g->ev[e].path, f->ev[0].path) != 0)
					add_ev(f, g->ev[e].path, g->ev[e].line, g->ev[e].text);
			fd_buf_adds(&also, also.len ? ", " : "");
			fd_buf_adds(&also, g->via);
			g->dropped = true;
		}
		if (also.len) {
			char *m = fd_xasprintf("%s (Also seen from %s.)", f->message, also.p);
			free(f->message);
			f->message = m;
		}
		fd_buf_free(&also);
	}
	/* Catch-all rules step aside where a specific rule spoke about the same object. */
	for (size_t i = 0; i < out->len; i++) {
		struct fd_finding *f = out->v[i];
		if (!f->rule->fallback)
			continue;
		for (size_t k = 0; k < out->len; k++) {
			struct fd_finding *g = out->v[k];
			if (g != f && !g->rule->fallback && same_matched(f, g)) {
				f->dropped = true;
				break;
			}
		}
	}
	size_t w = 0;
	for (size_t i = 0; i < out->len; i++) {
		struct fd_finding *f = out->v[i];
		if (f->dropped)
			fd_finding_free(f);
		else
			out->v[w++] = f;
	}
	out->len = w;
}
