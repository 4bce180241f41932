/* browse_logs.c - `fluxdiag logs`: the log of one container, read again from the bundle. */
#include "browse_views.h"
#include "util.h"
#include "present.h"
#include "bundle.h"
#include "bundle_open.h"
#include "objects_load.h"
#include "regex.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- logs ---- */

/* Log entries are the *.log and logs.txt files, identified as the log scanner does. */
static bool log_path_identity(const char *path, char **ns, char **pod, char **container,
			      bool *previous)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t bl = strlen(base);
	if (strcmp(base, "logs.txt") != 0 && !(bl > 4 && strcasecmp(base + bl - 4, ".log") == 0))
		return false;
	return fd_log_identity(path, ns, pod, container, previous);
}

struct log_id {
	char *ns, *pod, *container;
	bool previous;
};

struct logs_walk {
	struct fd_bundle *b;
	FILE *out;
	const struct fd_logs_query *q;
	/* listing pass */
	struct fd_vec ids; /* struct log_id * */
	/* printing pass */
	const char *pod, *container;
	pcre2_code *re;
	pcre2_match_data *md;
	unsigned long printed, files;
	bool truncated_line;
};

static void log_id_free(struct log_id *id)
{
	free(id->ns);
	free(id->pod);
	free(id->container);
	free(id);
}

static int list_cb(struct fd_entry *e, void *payload)
{
	struct logs_walk *w = payload;
	struct log_id id;
	if (!log_path_identity(e->path, &id.ns, &id.pod, &id.container, &id.previous))
		return 0;
	struct log_id *p = fd_xcalloc(1, sizeof(*p));
	*p = id;
	fd_vec_push(&w->ids, p);
	return 0;
}

static void emit_line(struct logs_walk *w, const char *s, size_t n, bool cut)
{
	if (w->re) {
		int r = pcre2_match(w->re, (PCRE2_SPTR)s, n, 0, 0, w->md, NULL);
		if (r < 0)
			return;
	}
	struct fd_buf b = {0};
	fd_escape(&b, s, n, FD_ESC_KEEP_TAB, NULL);
	fputs(b.p, w->out);
	if (cut)
		fputs(" [line cut at --max-line-bytes]", w->out);
	fputc('\n', w->out);
	fd_buf_free(&b);
	w->printed++;
}

static int print_cb(struct fd_entry *e, void *payload)
{
	struct logs_walk *w = payload;
	struct log_id id;
	if (!log_path_identity(e->path, &id.ns, &id.pod, &id.container, &id.previous))
		return 0;
	bool hit = strcmp(id.ns, fd_browse_namespace(w->b, w->q->ns)) == 0 &&
		   strcmp(id.pod, w->pod) == 0 && strcmp(id.container, w->container) == 0 &&
		   id.previous == w->q->previous;
	free(id.ns);
	free(id.pod);
	free(id.container);
	if (!hit)
		return 0;
	w->files++;
	size_t max = w->b->limits.max_line_bytes ? w->b->limits.max_line_bytes : 65536;
	struct fd_buf line = {0};
	bool cut = false;
	char chunk[65536];
	for (;;) {
		struct fd_error err = {0};
		long n = e->read(e->handle, chunk, sizeof(chunk), &err);
		fd_error_clear(&err);
		if (n <= 0)
			break;
		const char *p = chunk, *end = chunk + n;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *stop = nl ? nl : end;
			size_t len = (size_t)(stop - p);
			if (!cut) {
				size_t room = max > line.len ? max - line.len : 0;
				if (len > room) {
					fd_buf_add(&line, p, room);
					cut = true;
				} else {
					fd_buf_add(&line, p, len);
				}
			}
			if (nl) {
				size_t l = line.len;
				if (l && line.p[l - 1] == '\r')
					l--;
				emit_line(w, line.p ? line.p : "", l, cut);
				fd_buf_reset(&line);
				cut = false;
			}
			p = nl ? nl + 1 : end;
		}
	}
	if (line.len || cut)
		emit_line(w, line.p ? line.p : "", line.len, cut);
	fd_buf_free(&line);
	return 0;
}

/* The containers of a pod, in spec order: names borrowed from the object. */
static void pod_containers(const struct fd_object *pod, struct fd_vec *out)
{
	size_t i;
	json_t *c;
	json_array_foreach(jpath2(pod->json, "spec", "containers"), i, c)
		if (*fd_jstr(c, "name"))
			fd_vec_push(out, (void *)fd_jstr(c, "name"));
}

int fd_browse_logs(FILE *out, struct fd_bundle *b, const char *path,
		   const struct fd_logs_query *q, struct fd_logs_result *res,
		   struct fd_error *err)
{
	struct logs_walk w = {0};
	const char *ns = fd_browse_namespace(b, q->ns);
	char *pod = NULL, *container = NULL;
	int rc = 0;
	memset(res, 0, sizeof(*res));
	w.b = b;
	w.out = out;
	w.q = q;
	if (q->grep) {
		int ec;
		PCRE2_SIZE off;
		w.re = pcre2_compile((PCRE2_SPTR)q->grep, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
				     &ec, &off, NULL);
		if (!w.re) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(ec, msg, sizeof(msg));
			return fd_error_set(err, FD_EUSAGE, "--grep: bad regular expression at offset %zu: %s",
					    (size_t)off, (const char *)msg);
		}
		pcre2_jit_compile(w.re, PCRE2_JIT_COMPLETE);
		w.md = pcre2_match_data_create_from_pattern(w.re, NULL);
	}
	/* The walks count bytes and entries against the limits afresh. */
	uint64_t saved_bytes = b->bytes_read, saved_entries = b->entries;
	b->bytes_read = b->entries = 0;
	rc = fd_bundle_walk_path(b, path, list_cb, &w, err);
	if (rc)
		goto out;

	/* The pod: an exact name, else the one pod whose name starts with the query, among the
	 * Pod objects and the logs of the namespace. */
	const struct fd_object *po = fd_bundle_find(b, "Pod", ns, q->pod);
	bool exact = po != NULL;
	for (size_t i = 0; !exact && i < w.ids.len; i++) {
		const struct log_id *id = w.ids.v[i];
		exact = strcmp(id->ns, ns) == 0 && strcmp(id->pod, q->pod) == 0;
	}
	if (exact) {
		pod = fd_xstrdup(q->pod);
	} else {
		struct fd_vec cands = {0};
		struct fd_vec objs = {0};
		objects_of(b, "Pod", ns, &objs);
		for (size_t i = 0; i < objs.len; i++)
			fd_vec_push(&cands, (void *)((const struct fd_object *)objs.v[i])->name);
		for (size_t i = 0; i < w.ids.len; i++) {
			const struct log_id *id = w.ids.v[i];
			if (strcmp(id->ns, ns) == 0)
				fd_vec_push(&cands, id->pod);
		}
		size_t ql = strlen(q->pod);
		for (size_t i = 0; i < cands.len && rc == 0; i++) {
			const char *c = cands.v[i];
			if (strncmp(c, q->pod, ql) != 0)
				continue;
			if (pod && strcmp(pod, c) != 0)
				rc = fd_error_set(err, FD_ENOTFOUND,
						  "pod name '%s' is ambiguous in namespace %s: %s, %s, ...",
						  q->pod, ns, pod, c);
			else if (!pod)
				pod = fd_xstrdup(c);
		}
		fd_vec_free(&cands);
		fd_vec_free(&objs);
		if (rc)
			goto out;
		if (!pod) {
			rc = fd_error_set(err, FD_ENOTFOUND, "pod %s/%s not found in the bundle", ns,
					  q->pod);
			goto out;
		}
		po = fd_bundle_find(b, "Pod", ns, pod);
	}

	/* The container: -c, else the default-container annotation, else the only or the first
	 * container of the pod's spec, else the only one with a log. */
	if (q->container) {
		container = fd_xstrdup(q->container);
	} else {
		struct fd_vec names = {0};
		if (po)
			pod_containers(po, &names);
		const char *def = po ? fd_jstr(jpath2(po->json, "metadata", "annotations"),
					  "kubectl.kubernetes.io/default-container")
				     : "";
		if (*def) {
			container = fd_xstrdup(def);
		} else if (names.len) {
			container = fd_xstrdup(names.v[0]);
			if (names.len > 1) {
				struct fd_buf all = {0};
				for (size_t i = 0; i < names.len; i++)
					fd_buf_addf(&all, "%s%s", i ? ", " : "", (const char *)names.v[i]);
				res->note = fd_xasprintf("Defaulted container \"%s\" out of: %s",
							 container, all.p);
				fd_buf_free(&all);
			}
		} else {
			for (size_t i = 0; i < w.ids.len && rc == 0; i++) {
				const struct log_id *id = w.ids.v[i];
				if (strcmp(id->ns, ns) || strcmp(id->pod, pod))
					continue;
				if (container && strcmp(container, id->container) != 0)
					rc = fd_error_set(err, FD_EUSAGE,
							  "pod %s/%s has logs of several containers (%s, %s); "
							  "choose one with -c",
							  ns, pod, container, id->container);
				else if (!container)
					container = fd_xstrdup(id->container);
			}
		}
		fd_vec_free(&names);
		if (rc)
			goto out;
	}
	bool have = false;
	for (size_t i = 0; i < w.ids.len && !have; i++) {
		const struct log_id *id = w.ids.v[i];
		have = strcmp(id->ns, ns) == 0 && strcmp(id->pod, pod) == 0 &&
		       container && strcmp(id->container, container) == 0 &&
		       id->previous == q->previous;
	}
	if (!have) {
		rc = fd_error_set(err, FD_ENOTFOUND, "no %slog of container %s in pod %s/%s in the bundle",
				  q->previous ? "previous " : "", container ? container : "(none)",
				  ns, pod);
		goto out;
	}
	w.pod = pod;
	w.container = container;
	b->bytes_read = b->entries = 0;
	rc = fd_bundle_walk_path(b, path, print_cb, &w, err);
	res->lines = w.printed;
	res->pod = pod;
	res->container = container;
	pod = container = NULL;
out:
	b->bytes_read = saved_bytes;
	b->entries = saved_entries;
	for (size_t i = 0; i < w.ids.len; i++)
		log_id_free(w.ids.v[i]);
	fd_vec_free(&w.ids);
	pcre2_match_data_free(w.md);
	pcre2_code_free(w.re);
	free(pod);
	free(container);
	return rc;
}

void fd_logs_result_free(struct fd_logs_result *res)
{
	free(res->pod);
	free(res->container);
	free(res->note);
	memset(res, 0, sizeof(*res));
}
