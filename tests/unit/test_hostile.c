/* Hostile bundles: every class of bad input a stranger's support bundle can hold, built in
 * memory, analyzed, and checked to end in a report with a warning (or, when nothing at all can be
 * read, in one error line) with bounded work. Memory and time on a 2 GiB bomb are measured by
 * scripts/hostile-bounds.sh. */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle_util.h"
#include "internal.h"

static const char MANIFEST[] =
	"{\"format\":\"fluxdiag-bundle/v1\",\"collected_at\":\"2026-11-20T09:14:03Z\","
	"\"collector\":{\"name\":\"test\",\"version\":\"0\"},\"commands\":[]}";

static const char REPO[] =
	"apiVersion: source.toolkit.fluxcd.io/v1\n"
	"kind: GitRepository\n"
	"metadata: {name: podinfo, namespace: flux-system}\n"
	"spec: {url: 'https://example.com/podinfo', interval: 5m}\n"
	"status:\n"
	"  conditions:\n"
	"  - {type: Ready, status: 'False', reason: AuthenticationFailed, message: 'authentication "
	"required'}\n";

static const char LOG_PATH[] = "b/logs/flux-system/source-controller-1/manager.log";

/* A resource rule that echoes the Ready message, and a log rule that keeps evidence lines. */
static const char RULES[] =
	"rules:\n"
	"  - id: H-READY\n    title: ready\n    severity: error\n    category: source\n"
	"    match:\n      resource:\n        kind: GitRepository\n        where:\n"
	"          {path: 'status.conditions[type=Ready].status', equals: false}\n"
	"    message: 'not ready: {.status.conditions[type=Ready].message}'\n"
	"    fix: ['flux reconcile source git {name} -n {namespace}']\n    why: w\n"
	"  - id: H-LOG\n    title: log\n    severity: warning\n    category: source\n"
	"    match: {log: {pod: '^source-controller-', pattern: 'authentication required'}}\n"
	"    message: '{count} lines: {log.error|default:plain}'\n    fix: [x]\n    why: w\n";

static struct fd_ruleset *rules(void)
{
	struct fd_ruleset *set = fd_ruleset_new();
	struct fd_error err = {0};
	cr_assert_eq(fd_ruleset_load_buffer(set, "hostile.yaml", RULES, strlen(RULES), &err), 0,
		     "%s", err.msg);
	return set;
}

/* ---- in-memory archives, streamed in chunks ---- */

struct membuf {
	char *p;
	size_t len, cap;
};

static la_ssize_t mem_write(struct archive *a, void *ud, const void *buf, size_t n)
{
	struct membuf *m = ud;
	(void)a;
	if (m->len + n > m->cap) {
		m->cap = (m->len + n) * 2 + 65536;
		m->p = realloc(m->p, m->cap);
		cr_assert_not_null(m->p);
	}
	memcpy(m->p + m->len, buf, n);
	m->len += n;
	return (la_ssize_t)n;
}

static void put_file(struct archive *a, const char *path, const void *data, size_t len)
{
	struct archive_entry *ae = archive_entry_new();
	archive_entry_set_pathname(ae, path);
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0644);
	archive_entry_set_size(ae, (la_int64_t)len);
	cr_assert_eq(archive_write_header(a, ae), ARCHIVE_OK, "%s", archive_error_string(a));
	if (len)
		archive_write_data(a, data, len);
	archive_entry_free(ae);
}

/* A tar.gz: manifest, then `name` holding `size` bytes of `fill` repeated, written 1 MiB at a
 * time (the whole entry is never in memory), gzip level 1 (fast; 2 GiB compresses to about
 * 9 MB). */
static void *gzip_bomb(const char *name, uint64_t size, const char *fill, size_t *len)
{
	struct membuf m = {0};
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_gzip(a);
	archive_write_set_filter_option(a, "gzip", "compression-level", "1");
	cr_assert_eq(archive_write_open(a, &m, NULL, mem_write, NULL), ARCHIVE_OK);
	put_file(a, "b/manifest.json", MANIFEST, strlen(MANIFEST));
	struct archive_entry *ae = archive_entry_new();
	archive_entry_set_pathname(ae, name);
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0644);
	archive_entry_set_size(ae, (la_int64_t)size);
	cr_assert_eq(archive_write_header(a, ae), ARCHIVE_OK);
	archive_entry_free(ae);
	size_t chunk = 1 << 20;
	char *buf = malloc(chunk);
	size_t fl = strlen(fill);
	for (size_t i = 0; i < chunk; i++)
		buf[i] = fill[i % fl];
	for (uint64_t done = 0; done < size; done += chunk)
		archive_write_data(a, buf, size - done < chunk ? (size_t)(size - done) : chunk);
	free(buf);
	archive_write_close(a);
	archive_write_free(a);
	*len = m.len;
	return m.p;
}

/* ---- running an analysis ---- */

struct run {
	json_t *json;   /* NULL when the bundle was refused */
	char *err;      /* the error line then */
	char *text, *md; /* rendered reports */
	double seconds;
};

static char *render(const struct fd_report *r, enum fd_format fmt)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct fd_render_opts ro = {fmt, 0};
	cr_assert_eq(fd_report_render(r, &ro, f), 0);
	fclose(f);
	return out;
}

static struct run analyze_buf_rules(struct fd_ruleset *set, const void *buf, size_t len,
				    const struct fd_limits *lim);

static struct run analyze_buf(const void *buf, size_t len, const struct fd_limits *lim)
{
	return analyze_buf_rules(rules(), buf, len, lim);
}

/* Analyzes with `set`, which it frees. */
static struct run analyze_buf_rules(struct fd_ruleset *set, const void *buf, size_t len,
				    const struct fd_limits *lim)
{
	struct run run = {0};
	struct fd_analyze_opts o;
	tb_opts(&o);
	if (lim)
		o.limits = *lim;
	struct fd_report *r = NULL;
	struct fd_error err = {0};
	double t0 = fd_now_monotonic();
	int rc = fd_analyze_buffer(&r, buf, len, "hostile.tar", set, &o, &err);
	run.seconds = fd_now_monotonic() - t0;
	if (rc == 0) {
		run.json = tb_report_json(r); /* asserts the JSON parses (UTF-8 checked) */
		run.text = render(r, FD_FMT_TEXT);
		run.md = render(r, FD_FMT_MARKDOWN);
		fd_report_free(r);
	} else {
		run.err = err.msg;
	}
	fd_ruleset_free(set);
	return run;
}

static struct run analyze(const struct tb_entry *e, size_t n, const char *fmt,
			  const struct fd_limits *lim)
{
	void *buf;
	size_t len;
	cr_assert_eq(tb_archive_entries(e, n, fmt, &buf, &len), 0);
	struct run r = analyze_buf(buf, len, lim);
	free(buf);
	return r;
}

static void run_free(struct run *r)
{
	json_decref(r->json);
	free(r->err);
	free(r->text);
	free(r->md);
}

static json_t *bundle(const struct run *r)
{
	return json_object_get(r->json, "bundle");
}

static long long bundle_int(const struct run *r, const char *k)
{
	return json_integer_value(json_object_get(bundle(r), k));
}

static const char *warning(const struct run *r, const char *needle)
{
	size_t i;
	json_t *w;
	json_array_foreach(json_object_get(bundle(r), "warnings"), i, w)
	{
		if (strstr(json_string_value(w), needle))
			return json_string_value(w);
	}
	return NULL;
}

static char *warnings_dump(const struct run *r)
{
	return json_dumps(json_object_get(bundle(r), "warnings"), 0);
}

#define expect_warning(run, needle)                                                                \
	do {                                                                                       \
		char *all_ = warnings_dump(run);                                                   \
		cr_expect_not_null(warning(run, needle), "no warning with '%s' in %s", needle,     \
				   all_);                                                          \
		free(all_);                                                                        \
	} while (0)

static bool valid_utf8(const char *s)
{
	json_t *j = json_string(s); /* jansson validates */
	bool ok = j != NULL;
	json_decref(j);
	return ok;
}

/* No byte a terminal would act on: C0 controls (but newline), DEL, C1 controls (raw 8-bit or
 * UTF-8 encoded), and the output is valid UTF-8. */
static void expect_terminal_safe(const char *out, const char *what)
{
	const unsigned char *p = (const unsigned char *)out;
	for (size_t i = 0; p[i]; i++) {
		cr_expect(p[i] >= 0x20 || p[i] == '\n', "%s: raw control byte 0x%02x at %zu", what,
			  p[i], i);
		cr_expect(p[i] != 0x7f, "%s: raw DEL at %zu", what, i);
		cr_expect(!(p[i] == 0xC2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F),
			  "%s: C1 control at %zu", what, i);
	}
	cr_expect(valid_utf8(out), "%s: not valid UTF-8", what);
}

static json_t *finding(const struct run *r, const char *rule)
{
	return tb_find(r->json, rule);
}

/* ---- compression bombs and limits on bytes and time ---- */

Test(hostile_bombs, gzip_bomb_stops_at_max_total_bytes, .timeout = 120)
{
	size_t len;
	char *bomb = gzip_bomb(LOG_PATH, 2ULL << 30, "A", &len);
	cr_expect_lt(len, 16u << 20, "2 GiB of 'A' should compress to a few MB, got %zu", len);
	struct fd_limits lim;
	fd_limits_default(&lim);
	lim.max_total_bytes = 64ULL << 20;
	struct run r = analyze_buf(bomb, len, &lim);
	free(bomb);
	cr_assert_not_null(r.json, "%s", r.err);
	expect_warning(&r, "--max-total-bytes");
	cr_expect_leq(bundle_int(&r, "bytes_read"), (long long)lim.max_total_bytes,
		      "read %lld bytes past the limit of %llu", bundle_int(&r, "bytes_read"),
		      (unsigned long long)lim.max_total_bytes);
	cr_expect_gt(bundle_int(&r, "log_files"), 0, "the log was scanned up to the limit");
	run_free(&r);
}

Test(hostile_bombs, timeout_returns_a_report_with_a_warning, .timeout = 120)
{
	size_t len;
	/* every line matches a log rule: minutes of work for 2 GiB */
	char *bomb = gzip_bomb(LOG_PATH, 2ULL << 30, "authentication required\n", &len);
	struct fd_limits lim;
	fd_limits_default(&lim);
	lim.timeout_s = 1;
	struct run r = analyze_buf(bomb, len, &lim);
	free(bomb);
	cr_assert_not_null(r.json, "%s", r.err);
	expect_warning(&r, "--timeout");
	cr_expect_lt(r.seconds, 4.0, "the 1 s timeout took %.1f s", r.seconds);
	cr_expect_lt(bundle_int(&r, "bytes_read"), 2LL << 30, "stopped before the end");
	run_free(&r);
}

Test(hostile_bombs, yaml_entry_is_cut_at_max_entry_bytes, .timeout = 60)
{
	size_t len;
	char *bomb = gzip_bomb("b/resources/pods.yaml", 256ULL << 20, "A", &len);
	struct fd_limits lim;
	fd_limits_default(&lim);
	lim.max_entry_bytes = 1 << 20;
	struct run r = analyze_buf(bomb, len, &lim);
	free(bomb);
	cr_assert_not_null(r.json, "%s", r.err);
	expect_warning(&r, "b/resources/pods.yaml: larger than --max-entry-bytes");
	run_free(&r);
}

/* ---- damaged archives ---- */

Test(hostile_archive, corrupt_gzip_at_start_is_one_error_line)
{
	struct tb_entry e[] = {{"b/manifest.json", MANIFEST, 0, 0, NULL},
			       {"b/resources/repo.yaml", REPO, 0, 0, NULL}};
	void *buf;
	size_t len;
	cr_assert_eq(tb_archive_entries(e, 2, "tar.gz", &buf, &len), 0);
	unsigned char *p = buf;
	for (size_t i = 12; i < 40 && i < len; i++)
		p[i] ^= 0x5a; /* the first deflate blocks */
	struct run r = analyze_buf(buf, len, NULL);
	cr_expect_null(r.json, "a bundle that cannot be read at all is refused");
	cr_assert_not_null(r.err);
	cr_expect(strncmp(r.err, "hostile.tar: ", 13) == 0, "names the bundle: %s", r.err);
	cr_expect_null(strchr(r.err, '\n'), "one line: %s", r.err);
	run_free(&r);
	free(buf);

	/* a gzip header and nothing after it */
	static const char stub[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03";
	r = analyze_buf(stub, sizeof(stub) - 1, NULL);
	cr_expect_null(r.json);
	cr_assert_not_null(r.err);
	cr_expect(strncmp(r.err, "hostile.tar: ", 13) == 0, "%s", r.err);
	cr_expect_null(strchr(r.err, '\n'), "one line: %s", r.err);
	run_free(&r);
}

Test(hostile_archive, corrupt_gzip_mid_stream_keeps_what_was_read)
{
	/* objects first, then a big incompressible log whose compressed bytes get garbled */
	size_t n = 600000;
	char *noise = malloc(n);
	unsigned x = 7;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		noise[i] = (i % 100 == 99) ? '\n' : (char)('!' + (x >> 16) % 90);
	}
	struct tb_entry e[] = {{"b/manifest.json", MANIFEST, 0, 0, NULL},
			       {"b/resources/repo.yaml", REPO, 0, 0, NULL},
			       {LOG_PATH, noise, n, 0, NULL}};
	void *buf;
	size_t len;
	cr_assert_eq(tb_archive_entries(e, 3, "tar.gz", &buf, &len), 0);
	/* 4 KiB of noise in the deflate stream. (Flipped bits that still decode are not noticed:
	 * libarchive does not check the gzip CRC, so garbage in is garbage in the log.) */
	unsigned char *p = buf;
	unsigned y = 99;
	for (size_t i = len / 2; i < len / 2 + 4096; i++) {
		y = y * 1103515245u + 12345u;
		p[i] = (unsigned char)(y >> 16);
	}
	struct run r = analyze_buf(buf, len, NULL);
	cr_assert_not_null(r.json, "damage after the first entry is a warning: %s", r.err);
	expect_warning(&r, "damaged");
	cr_expect_not_null(finding(&r, "H-READY"), "the objects read before the damage count");
	run_free(&r);
	free(buf);
	free(noise);
}

Test(hostile_archive, broken_tar_header_mid_archive)
{
	struct tb_entry e[] = {{"b/manifest.json", MANIFEST, 0, 0, NULL},
			       {"b/resources/repo.yaml", REPO, 0, 0, NULL},
			       {"b/resources/pods.yaml", "kind: Pod\nmetadata: {name: p}\n", 0, 0,
				NULL},
			       {"b/resources/more.yaml", "kind: Pod\nmetadata: {name: q}\n", 0, 0,
				NULL}};
	void *buf;
	size_t len;
	cr_assert_eq(tb_archive_entries(e, 4, "tar", &buf, &len), 0);
	/* every entry is under 512 bytes: headers at 0, 1024, 2048, 3072. Break the third. */
	cr_assert_gt(len, 3072u);
	char *p = buf;
	cr_assert_eq(strncmp(p + 2048, "b/resources/pods.yaml", 21), 0, "layout: %.32s", p + 2048);
	memset(p + 2048 + 148, 'z', 8); /* checksum */
	memset(p + 2048 + 124, 'q', 12); /* size */
	struct run r = analyze_buf(buf, len, NULL);
	cr_assert_not_null(r.json, "%s", r.err);
	expect_warning(&r, "hostile.tar: archive damaged after 2 entries");
	cr_expect_not_null(finding(&r, "H-READY"), "entries before the broken header are analyzed");
	run_free(&r);

	/* the very first header broken: nothing readable, exit status 2 with one line */
	memset(p + 148, 'z', 8);
	r = analyze_buf(buf, len, NULL);
	cr_expect_null(r.json);
	cr_assert_not_null(r.err);
	cr_expect(strncmp(r.err, "hostile.tar: ", 13) == 0, "%s", r.err);
	cr_expect_null(strchr(r.err, '\n'), "one line: %s", r.err);
	run_free(&r);
	free(buf);
}

/* ---- entry names ---- */

Test(hostile_names, very_long_names_are_cut)
{
	size_t n = 5000;
	char *name = malloc(n + 32);
	strcpy(name, "b/resources/");
	memset(name + 12, 'a', n);
	strcpy(name + 12 + n, "/repo.yaml");
	char *deep = malloc(3 * 2000 + 32);
	deep[0] = 0;
	for (int i = 0; i < 2000; i++)
		strcat(deep, "d/");
	strcat(deep, "x.yaml");
	struct tb_entry e[] = {{"b/manifest.json", MANIFEST, 0, 0, NULL},
			       {name, REPO, 0, 0, NULL},
			       {deep, "kind: Pod\nmetadata: {name: deep}\n", 0, 0, NULL}};
	const char *fmts[] = {"tar", "zip"};
	for (size_t f = 0; f < 2; f++) {
		struct run r = analyze(e, 3, fmts[f], NULL);
		cr_assert_not_null(r.json, "%s: %s", fmts[f], r.err);
		expect_warning(&r, "entry names were unsafe");
		size_t i;
		json_t *x;
		json_array_foreach(json_object_get(r.json, "findings"), i, x)
		{
			size_t k;
			json_t *ev;
			json_array_foreach(json_object_get(x, "evidence"), k, ev)
			{
				const char *p = json_string_value(json_object_get(ev, "path"));
				cr_expect_leq(strlen(p), 1024u, "%s: evidence path of %zu bytes",
					      fmts[f], strlen(p));
			}
		}
		expect_terminal_safe(r.text, "text");
		run_free(&r);
	}
	free(name);
	free(deep);
}

Test(hostile_names, non_utf8_and_control_characters)
{
	struct tb_entry e[] = {
		{"b/manifest.json", MANIFEST, 0, 0, NULL},
		{"b/resources/\xff\xfe\xc0\x80repo.yaml", REPO, 0, 0, NULL},
		{"b/resources/\x1b]0;owned\x07\x1b[2J\x9b" "31m.yaml",
		 "kind: Pod\nmetadata: {name: ctl}\n", 0, 0, NULL},
		{"b/logs/flux-system/source-controller-1/\x1b[31m\r\n.log",
		 "authentication required\n", 0, 0, NULL},
	};
	const char *fmts[] = {"tar", "zip", "tar.gz"};
	for (size_t f = 0; f < 3; f++) {
		struct run r = analyze(e, 4, fmts[f], NULL);
		cr_assert_not_null(r.json, "%s: %s", fmts[f], r.err);
		expect_warning(&r, "entry names were unsafe");
		cr_expect_eq(bundle_int(&r, "objects"), 2, "%s: both objects load", fmts[f]);
		json_t *ready = finding(&r, "H-READY");
		cr_assert_not_null(ready, "%s", fmts[f]);
		const char *path = json_string_value(
			json_object_get(json_array_get(json_object_get(ready, "evidence"), 0), "path"));
		cr_expect(strstr(path, "\xEF\xBF\xBD") != NULL, "%s: bad bytes shown as U+FFFD: %s",
			  fmts[f], path);
		expect_terminal_safe(r.text, "text");
		cr_expect_null(strchr(r.md, '\x1b'), "%s: raw ESC in markdown", fmts[f]);
		run_free(&r);
	}
}

Test(hostile_names, nothing_is_written_to_disk)
{
	char dir[] = "/tmp/fluxdiag-hostile-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char cwd[4096];
	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_eq(chdir(dir), 0);
	char abs[128], up[128];
	snprintf(abs, sizeof(abs), "%s-abs.yaml", dir);
	snprintf(up, sizeof(up), "../%s-up.yaml", strrchr(dir, '/') + 1);
	struct tb_entry e[] = {
		{"b/manifest.json", MANIFEST, 0, 0, NULL},
		{abs, REPO, 0, 0, NULL},
		{up, "kind: Pod\nmetadata: {name: up}\n", 0, 0, NULL},
		{"b/link.yaml", NULL, 0, 1, "/etc/passwd"},
		{"b/hard.yaml", NULL, 0, 3, "/etc/shadow"},
	};
	struct run r = analyze(e, 5, "tar", NULL);
	cr_assert_not_null(r.json, "%s", r.err);
	expect_warning(&r, "link entries were skipped");
	cr_expect_eq(bundle_int(&r, "objects"), 2);
	run_free(&r);
	struct stat st;
	cr_expect_neq(stat(abs, &st), 0, "%s was created", abs);
	cr_expect_neq(stat(up, &st), 0, "%s was created", up);
	cr_expect_neq(stat("b", &st), 0, "an entry was extracted into the working directory");
	cr_assert_eq(chdir(cwd), 0);
	cr_expect_eq(rmdir(dir), 0, "the working directory stayed empty");
}

/* ---- YAML and JSON bombs, object and entry limits ---- */

static char *repeat(const char *unit, size_t n, const char *tail)
{
	size_t ul = strlen(unit), tl = strlen(tail);
	char *s = malloc(ul * n + tl + 1);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * ul, unit, ul);
	memcpy(s + ul * n, tail, tl + 1);
	return s;
}

Test(hostile_files, nesting_bombs_in_yaml_and_json)
{
	char *ya = repeat("[", 200000, "");
	char *yb = repeat("- ", 5000, "x\n");
	char *yc = repeat("{a: ", 100000, "");
	char *ja = repeat("[", 500000, "");
	char *jb = repeat("{\"a\":", 100000, "1");
	struct tb_entry e[] = {
		{"b/manifest.json", MANIFEST, 0, 0, NULL}, {"b/resources/repo.yaml", REPO, 0, 0, NULL},
		{"b/resources/a.yaml", ya, 0, 0, NULL},    {"b/resources/b.yaml", yb, 0, 0, NULL},
		{"b/resources/c.yaml", yc, 0, 0, NULL},    {"b/resources/a.json", ja, 0, 0, NULL},
		{"b/resources/b.json", jb, 0, 0, NULL},
	};
	struct run r = analyze(e, 7, "tar.gz", NULL);
	cr_assert_not_null(r.json, "%s", r.err);
	expect_warning(&r, "b/resources/a.yaml:1:");
	expect_warning(&r, "b/resources/b.yaml:");
	expect_warning(&r, "b/resources/c.yaml:1:");
	expect_warning(&r, "b/resources/a.json:");
	expect_warning(&r, "b/resources/b.json:");
	cr_expect(warning(&r, "b/resources/a.yaml") &&
			  strstr(warning(&r, "b/resources/a.yaml"), "nesting deeper than 64"),
		  "the YAML depth limit is named");
	cr_expect_not_null(finding(&r, "H-READY"), "the rest is analyzed");
	run_free(&r);

	/* a lowered --max-depth */
	struct fd_limits lim;
	fd_limits_default(&lim);
	lim.max_depth = 3;
	struct tb_entry e2[] = {{"b/manifest.json", MANIFEST, 0, 0, NULL},
				{"b/resources/repo.yaml", REPO, 0, 0, NULL}};
	r = analyze(e2, 2, "tar", &lim);
	cr_assert_not_null(r.json);
	expect_warning(&r, "b/resources/repo.yaml:7:");
	expect_warning(&r, "nesting deeper than 3 levels");
	run_free(&r);
	free(ya);
	free(yb);
	free(yc);
	free(ja);
	free(jb);
}

static const char LAUGHS[] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\n"
			     "data:\n"
			     "  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
			     "  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
			     "  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
			     "  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
			     "  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
			     "  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
			     "  g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
			     "  h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
			     "  i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";

Test(hostile_files, yaml_alias_bomb_is_refused, .timeout = 20)
{
	struct tb_entry e[] = {{"b/manifest.json", MANIFEST, 0, 0, NULL},
			       {"b/resources/repo.yaml", REPO, 0, 0, NULL},
			       {"b/resources/lol.yaml", LAUGHS, 0, 0, NULL}};
	struct run r = analyze(e, 3, "tar.gz", NULL);
	cr_assert_not_null(r.json, "%s", r.err);
	expect_warning(&r, "b/resources/lol.yaml:");
	expect_warning(&r, "alias expansion refused");
	cr_expect_not_null(finding(&r, "H-READY"));
	cr_expect_lt(r.seconds, 5.0, "took %.1f s", r.seconds);
	run_free(&r);

	/* a lowered --max-aliases */
	static const char few[] = "kind: ConfigMap\nmetadata: {name: few}\n"
				  "data: {a: &x v, b: *x, c: *x, d: *x}\n";
	struct tb_entry e2[] = {{"b/manifest.json", MANIFEST, 0, 0, NULL},
				{"b/resources/few.yaml", few, 0, 0, NULL}};
	struct fd_limits lim;
	fd_limits_default(&lim);
	lim.max_aliases = 2;
	r = analyze(e2, 2, "tar", &lim);
	cr_assert_not_null(r.json);
	expect_warning(&r, "b/resources/few.yaml:3:");
	run_free(&r);
	lim.max_aliases = 3;
	r = analyze(e2, 2, "tar", &lim);
	cr_assert_not_null(r.json);
	cr_expect_null(warning(&r, "few.yaml"), "three aliases are allowed by a limit of 3");
	cr_expect_eq(bundle_int(&r, "objects"), 1);
	run_free(&r);
}

Test(hostile_files, objects_per_file_limit)
{
	struct fd_buf y = {0}, j = {0};
	fd_buf_adds(&y, "apiVersion: v1\nkind: List\nitems:\n");
	fd_buf_adds(&j, "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[");
	for (int i = 0; i < 50; i++) {
		fd_buf_addf(&y, "- {apiVersion: v1, kind: Pod, metadata: {name: p%d, namespace: x}}\n",
			    i);
		fd_buf_addf(&j, "%s{\"kind\":\"Service\",\"metadata\":{\"name\":\"s%d\"}}", i ? "," : "",
			    i);
	}
	fd_buf_adds(&j, "]}");
	struct tb_entry e[] = {{"b/manifest.json", MANIFEST, 0, 0, NULL},
			       {"b/resources/pods.yaml", y.p, 0, 0, NULL},
			       {"b/resources/services.json", j.p, 0, 0, NULL}};
	struct fd_limits lim;
	fd_limits_default(&lim);
	lim.max_objects_per_file = 10;
	struct run r = analyze(e, 3, "tar.gz", &lim);
	cr_assert_not_null(r.json, "%s", r.err);
	expect_warning(&r, "b/resources/pods.yaml: more than 10 objects (--max-objects-per-file)");
	expect_warning(&r, "b/resources/services.json: more than 10 objects");
	cr_expect_eq(bundle_int(&r, "objects"), 20);
	run_free(&r);
	fd_buf_free(&y);
	fd_buf_free(&j);
}

Test(hostile_files, entries_limit)
{
	struct tb_entry e[40];
	char names[40][64];
	e[0] = (struct tb_entry){"b/manifest.json", MANIFEST, 0, 0, NULL};
	for (int i = 1; i < 40; i++) {
		snprintf(names[i], sizeof(names[i]), "b/resources/pod%d.yaml", i);
		e[i] = (struct tb_entry){names[i], "kind: Pod\nmetadata: {name: p}\n", 0, 0, NULL};
	}
	struct fd_limits lim;
	fd_limits_default(&lim);
	lim.max_entries = 5;
	struct run r = analyze(e, 40, "tar", &lim);
	cr_assert_not_null(r.json, "%s", r.err);
	expect_warning(&r, "stopped after 5 entries (--max-entries)");
	cr_expect_leq(bundle_int(&r, "objects"), 4);
	run_free(&r);
}

/* ---- logs and values that must not break the report ---- */

Test(hostile_logs, nul_bytes_and_invalid_utf8_in_logs)
{
	static const char log[] =
		"{\"level\":\"info\",\"ts\":\"2026-11-20T09:00:00Z\",\"msg\":\"ok\"}\n"
		"\x00\x00\x00garbage\x00 authentication required \x00\x01\x02\n"
		"\xff\xfe\xc0\x80\xed\xa0\x80 authentication required \xf8\x88\x80\x80\x80\n"
		"{\"level\":\"error\",\"ts\":\"2026-11-20T09:10:00Z\",\"error\":\"authentication "
		"required \\u001b[31m\\u0000\\udc80\"}\n";
	struct tb_entry e[] = {{"b/manifest.json", MANIFEST, 0, 0, NULL},
			       {LOG_PATH, log, sizeof(log) - 1, 0, NULL}};
	struct run r = analyze(e, 2, "tar.gz", NULL);
	cr_assert_not_null(r.json, "%s", r.err);
	expect_warning(&r, "manager.log: holds binary data (NUL bytes)");
	json_t *f = finding(&r, "H-LOG");
	cr_assert_not_null(f, "lines around NUL bytes are still matched");
	cr_expect_eq(json_array_size(json_object_get(f, "evidence")), 3);
	size_t i;
	json_t *ev;
	json_array_foreach(json_object_get(f, "evidence"), i, ev)
	{
		const char *t = json_string_value(json_object_get(ev, "text"));
		cr_expect_not_null(t, "evidence text is a JSON string");
	}
	expect_terminal_safe(r.text, "text");
	cr_expect_null(strchr(r.md, '\x1b'), "raw ESC in markdown");
	run_free(&r);
}

Test(hostile_logs, invalid_utf8_in_yaml_and_json_values)
{
	static const char bad_yaml[] =
		"apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\n"
		"metadata: {name: bad, namespace: flux-system}\n"
		"status: {conditions: [{type: Ready, status: 'False', message: \"caf\xe9 \xff\"}]}\n";
	static const char bad_json[] =
		"{\"apiVersion\":\"source.toolkit.fluxcd.io/v1\",\"kind\":\"GitRepository\","
		"\"metadata\":{\"name\":\"badjson\",\"namespace\":\"flux-system\"},\"status\":"
		"{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\",\"message\":\"\xc3\x28\"}]}}";
	static const char escaped_json[] =
		"{\"apiVersion\":\"source.toolkit.fluxcd.io/v1\",\"kind\":\"GitRepository\","
		"\"metadata\":{\"name\":\"esc\",\"namespace\":\"flux-system\"},\"status\":"
		"{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\",\"message\":"
		"\"a \\u009b31m middle \\ud83d\\ude00 \\u0000 after a NUL\"}]}}";
	struct tb_entry e[] = {{"b/manifest.json", MANIFEST, 0, 0, NULL},
			       {"b/resources/bad.yaml", bad_yaml, 0, 0, NULL},
			       {"b/resources/bad.json", bad_json, 0, 0, NULL},
			       {"b/resources/esc.json", escaped_json, 0, 0, NULL}};
	struct run r = analyze(e, 4, "tar.gz", NULL);
	cr_assert_not_null(r.json, "%s", r.err);
	/* invalid UTF-8 is a parse error of that file, located */
	expect_warning(&r, "b/resources/bad.yaml:4:");
	expect_warning(&r, "b/resources/bad.json:1:");
	/* an escaped NUL or C1 control in a valid file reaches the report, escaped in text */
	json_t *f = finding(&r, "H-READY");
	cr_assert_not_null(f);
	cr_expect(strstr(json_string_value(json_object_get(f, "message")), "middle") != NULL);
	expect_terminal_safe(r.text, "text");
	run_free(&r);
}

Test(hostile_logs, terminal_escapes_in_conditions_and_logs_are_not_printed_raw)
{
	static const char repo[] =
		"apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\n"
		"metadata: {name: evil, namespace: flux-system}\n"
		"status:\n  conditions:\n  - type: Ready\n    status: 'False'\n"
		"    message: \"\\e]8;;https://evil.example/\\a click \\e]8;;\\a \\e[2J\\e[1;1H "
		"\\e]0;pwned\\x07 \\x9b31m \\x7f \\r overwrite\"\n";
	static const char log[] =
		"plain text \x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b]52;c;ZWNobyBoaQ==\x07 "
		"authentication required\r\n"
		"{\"level\":\"error\",\"error\":\"authentication required \\u001b]8;;x\\u0007 "
		"\\u009b2J\"}\n";
	struct tb_entry e[] = {{"b/manifest.json", MANIFEST, 0, 0, NULL},
			       {"b/resources/repo.yaml", repo, 0, 0, NULL},
			       {LOG_PATH, log, 0, 0, NULL}};
	struct run r = analyze(e, 3, "tar", NULL);
	cr_assert_not_null(r.json, "%s", r.err);
	json_t *ready = finding(&r, "H-READY"), *l = finding(&r, "H-LOG");
	cr_assert_not_null(ready);
	cr_assert_not_null(l);
	cr_expect(strchr(json_string_value(json_object_get(ready, "message")), '\x1b') != NULL,
		  "the JSON report keeps the message as it was (escaped by JSON)");
	expect_terminal_safe(r.text, "text");
	cr_expect(strstr(r.text, "\\x1b]8;;https://evil.example/") != NULL, "shown escaped");
	cr_expect(strstr(r.text, "\\x1b]0;title") != NULL, "log line shown escaped");
	cr_expect_null(strchr(r.md, '\x1b'), "raw ESC in markdown");
	cr_expect_null(strchr(r.md, '\x07'), "raw BEL in markdown");
	run_free(&r);
}

/* ---- the manifest ---- */

Test(hostile_manifest, malformed_manifest_is_a_located_warning)
{
	const char *bad[] = {
		"{\"format\": \"fluxdiag-bundle/v1\",\n \"collected_at\": ",
		"[1, 2, 3]",
		"\xff\xfe{}",
		"",
	};
	const char *expect[] = {
		"b/manifest.json:2:",
		"b/manifest.json:1:",
		"b/manifest.json:",
		"b/manifest.json:",
	};
	for (size_t i = 0; i < 4; i++) {
		struct tb_entry e[] = {{"b/manifest.json", bad[i], 0, 0, NULL},
				       {"b/resources/repo.yaml", REPO, 0, 0, NULL}};
		struct run r = analyze(e, 2, "tar.gz", NULL);
		cr_assert_not_null(r.json, "%zu: %s", i, r.err);
		expect_warning(&r, expect[i]);
		expect_warning(&r, "malformed manifest");
		cr_expect_not_null(finding(&r, "H-READY"), "%zu: analysis continues", i);
		cr_expect(json_is_false(json_object_get(bundle(&r), "collected_at_known")), "%zu", i);
		run_free(&r);
	}
}

Test(hostile_manifest, manifest_with_wrong_types)
{
	static const char m[] = "{\"format\": 7, \"collected_at\": \"yesterday\", \"flux_namespace\": "
				"[\"x\"], \"commands\": [null, 3, {\"argv\": \"kubectl\", \"rc\": "
				"\"0\"}, {\"argv\": [1, null, \"get\", {}], \"output\": 5}]}";
	struct tb_entry e[] = {{"b/manifest.json", m, 0, 0, NULL},
			       {"b/resources/repo.yaml", REPO, 0, 0, NULL}};
	struct run r = analyze(e, 2, "tar", NULL);
	cr_assert_not_null(r.json, "%s", r.err);
	expect_warning(&r, "b/manifest.json: manifest has no valid collected_at");
	cr_expect_not_null(finding(&r, "H-READY"));
	run_free(&r);
}

/* Found by fuzz_logline: a JSON log line naming a kind but no object (controllerKind "", no
 * name) matched by a by-object log rule of the shipped pack crashed the scanner. */
Test(hostile_logs, log_line_with_a_kind_and_no_name)
{
	static const char log[] = "{\"level\":\"error\",\"controllerKind\":\"\",\"reconcileID\":\"\"}\n"
				  "{\"level\":\"error\",\"controllerKind\":\"Kustomization\","
				  "\"reconcileID\":\"1\",\"error\":\"x\"}\n";
	struct tb_entry e[] = {
		{"b/manifest.json", MANIFEST, 0, 0, NULL},
		{"b/logs/flux-system/kustomize-controller-7c9f6d8b5-m4tzn/manager.log", log, 0, 0,
		 NULL}};
	void *buf;
	size_t len;
	cr_assert_eq(tb_archive_entries(e, 2, "tar", &buf, &len), 0);
	struct fd_ruleset *set = tb_rules();
	char *err = NULL;
	json_t *r = tb_analyze_buffer(buf, len, set, NULL, &err);
	cr_assert_not_null(r, "%s", err);
	json_decref(r);
	fd_ruleset_free(set);
	free(buf);
}

/* ---- regex cost ---- */

/* A user's rules with a nested quantifier, which backtracks exponentially on a run of 'a' that
 * does not end the line: one log rule, one resource rule. */
static const char EVIL_RULES[] =
	"rules:\n"
	"  - id: U-EVIL-LOG\n    title: t\n    severity: warning\n    category: source\n"
	"    match: {log: {pod: '^source-controller-', pattern: '(a+)+$'}}\n"
	"    message: m\n    fix: [x]\n    why: w\n"
	"  - id: U-EVIL-MSG\n    title: t\n    severity: warning\n    category: source\n"
	"    match:\n      resource:\n        kind: GitRepository\n        where:\n"
	"          {path: 'status.conditions[type=Ready].message', regex: '^(a+)+$'}\n"
	"    message: m\n    fix: [x]\n    why: w\n";

static struct fd_ruleset *evil_rules(void)
{
	struct fd_ruleset *set = fd_ruleset_new();
	struct fd_error err = {0};
	cr_assert_eq(fd_ruleset_load_buffer(set, "user.yaml", EVIL_RULES, strlen(EVIL_RULES), &err),
		     0, "%s", err.msg);
	return set;
}

/* `n` lines of `run` 'a's and a 'b', in one buffer (malloc'd). */
static char *a_lines(size_t n, size_t run, size_t *len)
{
	*len = n * (run + 2);
	char *p = malloc(*len + 1);
	for (size_t i = 0; i < n; i++) {
		memset(p + i * (run + 2), 'a', run);
		p[i * (run + 2) + run] = 'b';
		p[i * (run + 2) + run + 1] = '\n';
	}
	p[*len] = 0;
	return p;
}

Test(hostile_regex, nested_quantifier_on_a_32k_log_is_bounded_and_reported, .timeout = 60)
{
	size_t loglen;
	char *log = a_lines(1100, 28, &loglen); /* 33 KB: 2^28 steps a line without limits */
	char repo[512];
	snprintf(repo, sizeof(repo),
		 "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\n"
		 "metadata: {name: podinfo, namespace: flux-system}\n"
		 "status:\n  conditions:\n  - {type: Ready, status: 'False', message: %.30sb}\n",
		 log);
	struct tb_entry e[] = {{"b/manifest.json", MANIFEST, 0, 0, NULL},
			       {"b/resources/repo.yaml", repo, 0, 0, NULL},
			       {LOG_PATH, log, loglen, 0, NULL}};
	void *buf;
	size_t len;
	cr_assert_eq(tb_archive_entries(e, 3, "tar", &buf, &len), 0);
	struct run r = analyze_buf_rules(evil_rules(), buf, len, NULL);
	free(buf);
	free(log);
	cr_assert_not_null(r.json, "%s", r.err);
	cr_expect_lt(r.seconds, 5.0, "the nested quantifier took %.1f s", r.seconds);
	/* each hit names the rule, the file and the line */
	expect_warning(&r, "b/logs/flux-system/source-controller-1/manager.log:1: rule U-EVIL-LOG: "
			   "its regex stopped at PCRE2's match limit");
	expect_warning(&r, "manager.log:10: rule U-EVIL-LOG");
	expect_warning(&r, "rule U-EVIL-LOG: its regexes hit a limit 10 times and were not run");
	cr_expect_null(warning(&r, "manager.log:11: rule U-EVIL-LOG"), "run after it was stopped");
	expect_warning(&r, "b/resources/repo.yaml:1: rule U-EVIL-MSG: its regex stopped at PCRE2's "
			   "match limit");
	expect_warning(&r, "counted as no match");
	cr_expect_null(finding(&r, "U-EVIL-LOG"));
	cr_expect(strstr(r.text, "rule U-EVIL-LOG"), "the text report shows the warning");
	run_free(&r);
}

Test(hostile_regex, match_limit_is_an_option)
{
	size_t loglen;
	char *log = a_lines(4, 12, &loglen); /* 2^13 steps: under the default, over 1000 */
	struct tb_entry e[] = {{"b/manifest.json", MANIFEST, 0, 0, NULL},
			       {LOG_PATH, log, loglen, 0, NULL}};
	void *buf;
	size_t len;
	cr_assert_eq(tb_archive_entries(e, 2, "tar", &buf, &len), 0);
	struct fd_limits lim;
	fd_limits_default(&lim);
	struct run r = analyze_buf_rules(evil_rules(), buf, len, &lim);
	cr_assert_not_null(r.json, "%s", r.err);
	cr_expect_null(warning(&r, "U-EVIL-LOG"), "2^13 steps are within the default limit");
	run_free(&r);
	lim.regex_match_limit = 1000;
	r = analyze_buf_rules(evil_rules(), buf, len, &lim);
	cr_assert_not_null(r.json, "%s", r.err);
	expect_warning(&r, "manager.log:4: rule U-EVIL-LOG: its regex stopped");
	run_free(&r);
	free(buf);
	free(log);
}

/* Lines of 16 'a's cost about 2^17 steps each, under the match limit: a 256 KiB read chunk of
 * them takes seconds, and --timeout must still hold within a second. */
Test(hostile_regex, timeout_holds_inside_a_slow_log, .timeout = 120)
{
	size_t loglen;
	char *log = a_lines(200000, 16, &loglen);
	struct tb_entry e[] = {{"b/manifest.json", MANIFEST, 0, 0, NULL},
			       {LOG_PATH, log, loglen, 0, NULL}};
	void *buf;
	size_t len;
	cr_assert_eq(tb_archive_entries(e, 2, "tar.gz", &buf, &len), 0);
	free(log);
	struct fd_limits lim;
	fd_limits_default(&lim);
	lim.timeout_s = 1;
	struct run r = analyze_buf_rules(evil_rules(), buf, len, &lim);
	free(buf);
	cr_assert_not_null(r.json, "%s", r.err);
	expect_warning(&r, "--timeout");
	cr_expect_lt(r.seconds, 2.0, "the 1 s timeout took %.1f s", r.seconds);
	cr_expect_lt(bundle_int(&r, "log_lines"), 200000, "stopped inside the log");
	run_free(&r);
}

/* ---- duplicate entries ---- */

/* The same path twice in one tar: the first copy is read, and the report says which. */
Test(hostile_archive, duplicate_entries_are_named_with_the_copy_used)
{
	static const char ready[] = "apiVersion: source.toolkit.fluxcd.io/v1\n"
				    "kind: GitRepository\n"
				    "metadata: {name: podinfo, namespace: flux-system}\n"
				    "status:\n  conditions:\n  - {type: Ready, status: 'True'}\n";
	for (int threaded = 0; threaded < 2; threaded++) {
		struct tb_entry e[] = {{"b/manifest.json", MANIFEST, 0, 0, NULL},
				       {"b/resources/repo.yaml", REPO, 0, 0, NULL},
				       {"b/resources/repo.yaml", ready, 0, 0, NULL}};
		void *buf;
		size_t len;
		cr_assert_eq(tb_archive_entries(e, 3, "tar.gz", &buf, &len), 0);
		struct fd_ruleset *set = rules();
		struct fd_analyze_opts o;
		tb_opts(&o);
		o.reader_thread = threaded;
		struct fd_report *rep = NULL;
		struct fd_error err = {0};
		cr_assert_eq(fd_analyze_buffer(&rep, buf, len, "dup.tar.gz", set, &o, &err), 0, "%s",
			     err.msg);
		struct run r = {0};
		r.json = tb_report_json(rep);
		expect_warning(&r, "b/resources/repo.yaml: the archive holds this path more than "
				   "once; the first copy (entry 2) was read, the copy at entry 3 "
				   "was skipped");
		cr_expect_not_null(finding(&r, "H-READY"), "the first copy (not ready) was used");
		run_free(&r);
		fd_report_free(rep);
		fd_ruleset_free(set);
		free(buf);
	}
}

/* ---- objects of the whole bundle ---- */

Test(hostile_files, max_objects_stops_loading_with_a_warning)
{
	struct fd_buf list = {0};
	fd_buf_adds(&list, "apiVersion: v1\nkind: List\nitems:\n");
	for (int i = 0; i < 40; i++)
		fd_buf_addf(&list, "- {apiVersion: v1, kind: ConfigMap, metadata: {name: cm-%d, "
				   "namespace: apps}, data: {k: v}}\n",
			    i);
	struct tb_entry e[] = {{"b/manifest.json", MANIFEST, 0, 0, NULL},
			       {"b/resources/a.yaml", list.p, 0, 0, NULL},
			       {"b/resources/b.yaml", list.p, 0, 0, NULL},
			       {"b/resources/repo.yaml", REPO, 0, 0, NULL}};
	struct fd_limits lim;
	fd_limits_default(&lim);
	lim.max_objects = 25;
	struct run r = analyze(e, 4, "tar.gz", &lim);
	fd_buf_free(&list);
	cr_assert_not_null(r.json, "%s", r.err);
	expect_warning(&r, "b/resources/a.yaml:29: the bundle holds more than 25 objects "
			   "(--max-objects); this one and the rest were not loaded");
	cr_expect_eq(bundle_int(&r, "objects"), 25);
	cr_expect_null(finding(&r, "H-READY"), "repo.yaml came after the limit");
	run_free(&r);
}
