/* objects_load.c - the second stage: route each bundle entry to its loader (manifest, objects,
 * logs, metrics, API-server health) and index the Kubernetes objects by kind, namespace, name. */
#include "objects_load.h"
#include "util.h"
#include "yaml_load.h"
#include "bundle.h"
#include "metrics_load.h"
#include "logs_scan.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Reads a whole entry, at most max bytes. Returns 0, or -1 on a read error (warned). */
static int read_all(struct fd_entry *e, uint64_t max, struct fd_buf *out, bool *truncated)
{
	char chunk[65536];
	*truncated = false;
	fd_buf_add(out, "", 0);
	for (;;) {
		struct fd_error err = {0};
		long n = e->read(e->handle, chunk, sizeof(chunk), &err);
		if (n < 0) {
			fd_error_clear(&err);
			return -1;
		}
		if (n == 0)
			return 0;
		if (out->len + (size_t)n > max) {
			fd_buf_add(out, chunk, max - out->len);
			*truncated = true;
			return 0;
		}
		fd_buf_add(out, chunk, (size_t)n);
	}
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), n = strlen(suf);
	return a >= n && strcasecmp(s + a - n, suf) == 0;
}

struct load_ctx {
	struct fd_bundle *b;
	const char *path;
};

static int on_object(json_t *obj, unsigned line, void *payload)
{
	struct load_ctx *c = payload;
	fd_bundle_add_object(c->b, json_incref(obj), c->path, line, false);
	/* --max-objects or --timeout: stop parsing */
	return c->b->objects_full || ((c->b->loaded_objects & 255) == 0 &&
				      fd_bundle_over_deadline(c->b));
}

bool fd_log_identity(const char *path, char **ns, char **pod, char **container,
			 bool *previous)
{
	char *copy = fd_xstrdup(path);
	char *parts[64], *save = NULL;
	size_t n = 0;
	for (char *tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (n == 64) { /* keep the last components: they name the file */
			memmove(parts, parts + 1, 63 * sizeof(*parts));
			n = 63;
		}
		parts[n++] = tok;
	}
	char *file = n ? parts[n - 1] : copy;
	*previous = false;
	for (size_t i = 0; i + 1 < n; i++)
		if (strcmp(parts[i], "all-logs") == 0) {
			free(copy);
			return false;
		}
	char *c = fd_xstrdup(file);
	if (strcmp(c, "logs.txt") == 0) {
		c[0] = 0;
	} else {
		size_t l = strlen(c);
		if (has_suffix(c, ".log"))
			c[l -= 4] = 0;
		else if (has_suffix(c, ".prom"))
			c[l -= 5] = 0;
		else if (has_suffix(c, ".txt"))
			c[l -= 4] = 0;
		if (has_suffix(c, ".previous")) {
			c[l - 9] = 0;
			*previous = true;
		} else if (has_suffix(c, "-previous")) {
			c[l - 9] = 0;
			*previous = true;
		}
	}
	*container = c;
	*pod = fd_xstrdup(n >= 2 ? parts[n - 2] : "");
	*ns = fd_xstrdup(n >= 3 ? parts[n - 3] : "");
	free(copy);
	return true;
}

static void detect_layout(struct fd_bundle *b, const char *path)
{
	if (strstr(path, "cluster-resources/"))
		b->saw_troubleshoot = true;
	const char *slash = strchr(path, '/');
	const char *rel = slash ? slash + 1 : path;
	if (strcmp(rel, "nodes.json") == 0 || strstr(rel, "/pods.json"))
		b->saw_clusterinfo = true;
}

/* ---- object files parsed on a second thread ----
 *
 * Parsing YAML costs about as much as scanning logs, so object files are parsed on a worker
 * thread while the calling thread goes on reading entries. Results are applied to the index on
 * the calling thread, in entry order, so the index, the findings and the warnings are the same as
 * with inline parsing. At most QUEUE_BYTES of file text wait for the worker at once.
 * Without the parse_thread option it parses inline. */

#define QUEUE_BYTES (128u << 20)

struct parse_job {
	struct parse_job *next;
	const char *path; /* in the bundle's arena */
	bool json;
	char *buf; /* freed by the worker once parsed */
	size_t len;
	struct fd_vec objs; /* json_t * (owned references) */
	struct fd_vec lines;
	struct fd_load_stats st;
	bool done;
	uint64_t *parsed; /* the queue's count of objects parsed, for --max-objects */
	uint64_t max_objects;
	double deadline; /* monotonic, 0 none: a file of many objects stops parsing there */
};

struct fd_parse_queue {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv_work, cv_done;
	struct parse_job *head, *tail, *todo;
	size_t pending;
	bool stop;
	struct fd_limits lim;
	uint64_t parsed; /* objects parsed so far (worker thread only) */
};

static int collect_object(json_t *obj, unsigned line, void *payload)
{
	struct parse_job *j = payload;
	fd_vec_push(&j->objs, json_incref(obj));
	fd_vec_push(&j->lines, (void *)(uintptr_t)line);
	/* one past --max-objects, so that the index sees (and reports) the limit; then no more
	 * objects are built, in this file or the next ones */
	++*j->parsed;
	if (j->deadline > 0 && (*j->parsed & 255) == 0 && fd_now_monotonic() > j->deadline)
		return 1; /* the main thread reports the timeout */
	return j->max_objects && *j->parsed > j->max_objects;
}

static void parse_job_run(struct parse_job *j, const struct fd_limits *lim)
{
	if (j->json)
		fd_json_load_objects(j->path, j->buf, j->len, lim, collect_object, j, &j->st);
	else
		fd_yaml_load_objects(j->path, j->buf, j->len, lim, collect_object, j, &j->st);
	free(j->buf);
	j->buf = NULL;
}

static void *parse_worker(void *arg)
{
	struct fd_parse_queue *q = arg;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->todo && !q->stop)
			pthread_cond_wait(&q->cv_work, &q->mu);
		if (q->stop)
			break;
		struct parse_job *j = q->todo;
		q->todo = j->next;
		pthread_mutex_unlock(&q->mu);
		size_t len = j->len;
		parse_job_run(j, &q->lim);
		pthread_mutex_lock(&q->mu);
		j->done = true;
		q->pending -= len;
		pthread_cond_broadcast(&q->cv_done);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

static void apply_job(struct fd_bundle *b, struct parse_job *j)
{
	for (size_t i = 0; i < j->objs.len; i++)
		fd_bundle_add_object(b, j->objs.v[i], j->path, (unsigned)(uintptr_t)j->lines.v[i],
				     false);
	if (j->st.warning) {
		fd_bundle_warn(b, "%s:%s (%lu objects before it were loaded)", j->path, j->st.warning,
			       j->st.objects);
		free(j->st.warning);
	}
	if (j->st.truncated)
		fd_bundle_warn(b, "%s: more than %llu objects (--max-objects-per-file); the rest were "
				  "skipped",
			       j->path, (unsigned long long)b->limits.max_objects_per_file);
	if (j->deadline > 0)
		fd_bundle_over_deadline(b); /* a parse the deadline stopped is reported */
	fd_vec_free(&j->objs);
	fd_vec_free(&j->lines);
	free(j);
}

/* Applies the parsed files at the head of the queue; with `all`, waits for every one. */
static void queue_apply(struct fd_bundle *b, bool all)
{
	struct fd_parse_queue *q = b->parse_queue;
	if (!q)
		return;
	for (;;) {
		pthread_mutex_lock(&q->mu);
		struct parse_job *j = q->head;
		while (j && !j->done && all) {
			pthread_cond_wait(&q->cv_done, &q->mu);
			j = q->head;
		}
		if (!j || !j->done) {
			pthread_mutex_unlock(&q->mu);
			return;
		}
		q->head = j->next;
		if (!q->head)
			q->tail = NULL;
		pthread_mutex_unlock(&q->mu);
		apply_job(b, j);
	}
}

/* Hands a file to the worker (starting it on first use); false when it must be parsed inline. */
static bool queue_submit(struct fd_bundle *b, const char *path, bool json, struct fd_buf *buf)
{
	struct fd_parse_queue *q = b->parse_queue;
	if (!q) {
		if (!b->parse_thread)
			return false;
		q = fd_xcalloc(1, sizeof(*q));
		q->lim = b->limits;
		pthread_mutex_init(&q->mu, NULL);
		pthread_cond_init(&q->cv_work, NULL);
		pthread_cond_init(&q->cv_done, NULL);
		json_decref(json_object()); /* jansson's hash seed is set before the second thread */
		if (pthread_create(&q->th, NULL, parse_worker, q) != 0) {
			pthread_cond_destroy(&q->cv_work);
			pthread_cond_destroy(&q->cv_done);
			pthread_mutex_destroy(&q->mu);
			free(q);
			return false;
		}
		b->parse_queue = q;
	}
	/* bounded memory: wait for the worker while too much text is waiting */
	pthread_mutex_lock(&q->mu);
	while (q->pending > 0 && q->pending + buf->len > QUEUE_BYTES)
		pthread_cond_wait(&q->cv_done, &q->mu);
	pthread_mutex_unlock(&q->mu);
	queue_apply(b, false);

	struct parse_job *j = fd_xcalloc(1, sizeof(*j));
	j->path = path;
	j->json = json;
	j->parsed = &q->parsed;
	j->max_objects = b->limits.max_objects;
	j->deadline = b->deadline;
	j->len = buf->len;
	j->buf = fd_buf_detach(buf);
	pthread_mutex_lock(&q->mu);
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	if (!q->todo)
		q->todo = j;
	q->pending += j->len;
	pthread_cond_signal(&q->cv_work);
	pthread_mutex_unlock(&q->mu);
	return true;
}

void fd_objects_finish(struct fd_bundle *b)
{
	struct fd_parse_queue *q = b->parse_queue;
	if (!q)
		return;
	queue_apply(b, true);
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	pthread_cond_signal(&q->cv_work);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->th, NULL);
	/* jobs never applied (only after an error): drop them */
	for (struct parse_job *j = q->head, *n; j; j = n) {
		n = j->next;
		for (size_t i = 0; i < j->objs.len; i++)
			json_decref(j->objs.v[i]);
		fd_vec_free(&j->objs);
		fd_vec_free(&j->lines);
		free(j->buf);
		free(j->st.warning);
		free(j);
	}
	pthread_cond_destroy(&q->cv_work);
	pthread_cond_destroy(&q->cv_done);
	pthread_mutex_destroy(&q->mu);
	free(q);
	b->parse_queue = NULL;
}

int fd_entry_load(struct fd_entry *e, void *payload)
{
	struct fd_bundle *b = payload;
	const char *base = strrchr(e->path, '/');
	base = base ? base + 1 : e->path;
	struct fd_buf buf = {0};
	bool truncated = false;

	b->files++;
	detect_layout(b, e->path);
	bool is_log = has_suffix(base, ".log") || strcmp(base, "logs.txt") == 0;
	bool is_obj = has_suffix(base, ".yaml") || has_suffix(base, ".yml") ||
		      has_suffix(base, ".json");
	bool is_prom = has_suffix(base, ".prom");
	bool is_health = strcmp(base, "readyz.txt") == 0 || strcmp(base, "livez.txt") == 0;

	if (is_log) {
		char *ns, *pod, *container;
		bool previous;
		if (fd_log_identity(e->path, &ns, &pod, &container, &previous)) {
			char *key = fd_xasprintf("%s/%s", ns, pod);
			uintptr_t seen = (uintptr_t)fd_map_get(&b->log_pods, key);
			fd_map_put(&b->log_pods, key, (void *)(seen + 1));
			free(key);
			fd_log_scan(b, e, ns, pod, container, previous);
			free(ns);
			free(pod);
			free(container);
		}
		return 0;
	}
	if (!is_obj && !is_prom && !is_health) {
		b->skipped_entries++;
		return 0; /* nothing is kept of skipped entries, not even their names */
	}
	if (is_obj && b->objects_full && strcmp(base, "manifest.json") != 0)
		return 0; /* --max-objects was reached (and reported) */
	const char *path = fd_arena_strdup(b->arena, e->path);
	if (read_all(e, b->limits.max_entry_bytes, &buf, &truncated) != 0) {
		fd_buf_free(&buf);
		return 0; /* the walker reports the damage */
	}
	if (truncated)
		fd_bundle_warn(b, "%s: larger than --max-entry-bytes (%llu); only its start was read",
			       path, (unsigned long long)b->limits.max_entry_bytes);
	bool is_manifest = strcmp(base, "manifest.json") == 0 && !b->has_manifest;
	if (is_health || is_prom || is_manifest)
		queue_apply(b, true); /* keep the index in entry order */
	if (is_health) {
		char *nm = fd_xstrndup(base, strlen(base) - 4);
		fd_health_load(b, path, nm, buf.p, buf.len);
		free(nm);
	} else if (is_prom) {
		char *ns, *pod, *container;
		bool prev;
		fd_log_identity(path, &ns, &pod, &container, &prev);
		/* metrics/<ns>/<pod>.prom: the "container" part is the pod */
		fd_metrics_load(b, path, pod, container, buf.p, buf.len);
		free(ns);
		free(pod);
		free(container);
	} else if (is_manifest) {
		fd_manifest_load(b, path, buf.p, buf.len);
	} else if (queue_submit(b, path, has_suffix(base, ".json"), &buf)) {
		/* parsed on the worker, applied later in entry order */
	} else {
		struct fd_load_stats st;
		struct load_ctx c = {b, path};
		if (has_suffix(base, ".json"))
			fd_json_load_objects(path, buf.p, buf.len, &b->limits, on_object, &c, &st);
		else
			fd_yaml_load_objects(path, buf.p, buf.len, &b->limits, on_object, &c, &st);
		if (st.warning) {
			fd_bundle_warn(b, "%s:%s (%lu objects before it were loaded)", path,
				       st.warning, st.objects);
			free(st.warning);
		}
		if (st.truncated)
			fd_bundle_warn(b, "%s: more than %llu objects (--max-objects-per-file); the rest "
					  "were skipped",
				       path, (unsigned long long)b->limits.max_objects_per_file);
	}
	fd_buf_free(&buf);
	return 0;
}

/* "kubectl get gitrepositories.source.toolkit.fluxcd.io -A -o yaml" -> the resource listed, and
 * the namespace it was listed in ("" for all namespaces or cluster scope; NULL when -n was not
 * given and -A neither, i.e. the default namespace). */
static const char *argv_resource(json_t *argv, const char **ns)
{
	size_t i;
	json_t *a;
	const char *res = NULL;
	bool after_get = false, all = false;
	*ns = NULL;
	json_array_foreach(argv, i, a)
	{
		const char *s = json_string_value(a);
		if (!s)
			continue;
		if (!after_get) {
			after_get = strcmp(s, "get") == 0;
			continue;
		}
		if (strcmp(s, "--raw") == 0)
			return "raw";
		if (strcmp(s, "-A") == 0 || strcmp(s, "--all-namespaces") == 0) {
			all = true;
		} else if (strcmp(s, "-n") == 0 || strcmp(s, "--namespace") == 0) {
			json_t *nx = json_array_get(argv, i + 1);
			*ns = json_string_value(nx);
		} else if (strncmp(s, "--namespace=", 12) == 0) {
			*ns = s + 12;
		} else if (s[0] != '-' && !res) {
			const char *prev = i ? json_string_value(json_array_get(argv, i - 1)) : NULL;
			if (!prev || (strcmp(prev, "-n") && strcmp(prev, "--namespace") &&
				      strcmp(prev, "-o") && strcmp(prev, "-l")))
				res = s;
		}
	}
	if (all)
		*ns = "";
	return res;
}

void fd_manifest_load(struct fd_bundle *b, const char *path, const char *buf, size_t len)
{
	json_error_t jerr;
	json_t *m = json_loadb(buf, len, 0, &jerr);
	if (!json_is_object(m)) {
		/* a value that is not an object has no error position: point at its start */
		fd_bundle_warn(b, "%s:%d:%d: malformed manifest: %s; collection time and command "
				  "results are unknown",
			       path, m ? 1 : jerr.line, m ? 1 : jerr.column,
			       m ? "not a JSON object" : jerr.text);
		json_decref(m);
		return;
	}
	b->has_manifest = true;
	const char *fmt = json_string_value(json_object_get(m, "format"));
	if (fmt)
		b->format = fd_arena_strdup(b->arena, fmt);
	const char *ca = json_string_value(json_object_get(m, "collected_at"));
	double t;
	if (ca && fd_time_parse(ca, &t) == 0) {
		b->collected_at = t;
		b->collected_known = true;
	} else {
		fd_bundle_warn(b, "%s: manifest has no valid collected_at", path);
	}
	const char *fns = json_string_value(json_object_get(m, "flux_namespace"));
	if (fns && *fns) {
		free(b->flux_ns);
		b->flux_ns = fd_xstrdup(fns);
	}
	json_t *cmds = json_object_get(m, "commands");
	size_t i;
	json_t *c;
	json_array_foreach(cmds, i, c)
	{
		if (!json_is_object(c))
			continue;
		json_t *argv = json_object_get(c, "argv");
		struct fd_buf joined = {0};
		size_t k;
		json_t *a;
		fd_buf_add(&joined, "", 0);
		json_array_foreach(argv, k, a)
		{
			const char *s = json_string_value(a);
			if (!s)
				continue;
			if (joined.len)
				fd_buf_addc(&joined, ' ');
			fd_buf_adds(&joined, s);
		}
		const char *lns = NULL;
		const char *res = json_is_array(argv) ? argv_resource(argv, &lns) : NULL;
		json_t *rcj = json_object_get(c, "rc");
		long long rc = json_is_integer(rcj) ? json_integer_value(rcj) : -1;
		if (res && rc == 0) {
			/* "secrets" listed everywhere, or "secrets@flux-system" in one namespace */
			char *lower = lns && *lns ? fd_xasprintf("%s@%s", res, lns) : fd_xstrdup(res);
			for (char *p = lower; *p && *p != '@'; p++)
				*p = (char)tolower((unsigned char)*p);
			fd_map_put(&b->collected, lower, (void *)1);
			free(lower);
		}
		char name[32];
		snprintf(name, sizeof(name), "cmd-%u", ++b->ncommands);
		json_t *o = json_object(), *md = json_object();
		json_object_set_new(o, "apiVersion", json_string("fluxdiag.io/v1"));
		json_object_set_new(o, "kind", json_string("CollectorCommand"));
		json_object_set_new(md, "name", json_string(name));
		json_object_set_new(o, "metadata", md);
		json_object_set_new(o, "argv", json_is_array(argv) ? json_incref(argv) : json_array());
		json_object_set_new(o, "command", json_string(joined.p));
		json_object_set_new(o, "resource", json_string(res ? res : ""));
		json_object_set(o, "output", json_object_get(c, "output") ? json_object_get(c, "output") : json_null());
		json_object_set_new(o, "rc", json_integer(rc));
		json_t *se = json_object_get(c, "stderr");
		json_object_set_new(o, "stderr", json_string(json_is_string(se) ? json_string_value(se) : ""));
		json_t *dm = json_object_get(c, "duration_ms");
		json_object_set(o, "duration_ms", dm ? dm : json_null());
		fd_buf_free(&joined);
		if (o)
			fd_bundle_add_object(b, o, path, 1, true);
	}
	json_decref(m);
}
