/* bundle_util.c - test helpers for building bundles and reading reports. */
#include "bundle_util.h"

#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static struct archive *writer(const char *format)
{
	struct archive *a = archive_write_new();
	if (strcmp(format, "zip") == 0) {
		archive_write_set_format_zip(a);
		return a;
	}
	archive_write_set_format_pax_restricted(a);
	if (strcmp(format, "tar.gz") == 0)
		archive_write_add_filter_gzip(a);
	else if (strcmp(format, "tar.xz") == 0)
		archive_write_add_filter_xz(a);
	else if (strcmp(format, "tar.zst") == 0)
		archive_write_add_filter_zstd(a);
	else if (strcmp(format, "tar.bz2") == 0)
		archive_write_add_filter_bzip2(a);
	return a;
}

struct membuf {
	char *p;
	size_t len, cap;
};

static la_ssize_t mem_write(struct archive *a, void *ud, const void *buf, size_t n)
{
	struct membuf *m = ud;
	(void)a;
	if (m->len + n > m->cap) {
		m->cap = (m->len + n) * 2 + 4096;
		m->p = realloc(m->p, m->cap);
	}
	memcpy(m->p + m->len, buf, n);
	m->len += n;
	return (la_ssize_t)n;
}

static int mem_close(struct archive *a, void *ud)
{
	(void)a;
	(void)ud;
	return ARCHIVE_OK;
}

static void add_entry(struct archive *a, const struct tb_entry *e)
{
	struct archive_entry *ae = archive_entry_new();
	archive_entry_set_pathname(ae, e->path);
	size_t len = e->len ? e->len : (e->data ? strlen(e->data) : 0);
	switch (e->type) {
	case 1:
		archive_entry_set_filetype(ae, AE_IFLNK);
		archive_entry_set_symlink(ae, e->link);
		archive_entry_set_perm(ae, 0777);
		len = 0;
		break;
	case 2:
		archive_entry_set_filetype(ae, AE_IFDIR);
		archive_entry_set_perm(ae, 0755);
		len = 0;
		break;
	case 3:
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_hardlink(ae, e->link);
		archive_entry_set_perm(ae, 0644);
		len = 0;
		break;
	default:
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, 0644);
	}
	archive_entry_set_size(ae, (la_int64_t)len);
	archive_entry_set_mtime(ae, 1795166043, 0);
	archive_write_header(a, ae);
	if (len)
		archive_write_data(a, e->data, len);
	archive_entry_free(ae);
}

int tb_archive_entries(const struct tb_entry *e, size_t n, const char *format, void **out,
		       size_t *len)
{
	struct membuf m = {0};
	struct archive *a = writer(format);
	if (archive_write_open(a, &m, NULL, mem_write, mem_close) != ARCHIVE_OK) {
		archive_write_free(a);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		add_entry(a, &e[i]);
	archive_write_close(a);
	archive_write_free(a);
	*out = m.p;
	*len = m.len;
	return 0;
}

static int cmp(const void *x, const void *y)
{
	const char *a = *(const char *const *)x, *b = *(const char *const *)y;
	bool ma = strcmp(a, "manifest.json") == 0, mb = strcmp(b, "manifest.json") == 0;
	if (ma != mb)
		return ma ? -1 : 1;
	return strcmp(a, b);
}

static void add_dir(struct archive *a, const char *fs, const char *rel)
{
	DIR *d = opendir(fs);
	if (!d)
		return;
	char *names[4096];
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < 4096)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(*names), cmp);
	for (size_t i = 0; i < n; i++) {
		char *p, *r;
		if (asprintf(&p, "%s/%s", fs, names[i]) < 0 ||
		    asprintf(&r, "%s/%s", rel, names[i]) < 0)
			abort();
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			add_dir(a, p, r);
		} else if (S_ISREG(st.st_mode)) {
			FILE *f = fopen(p, "rb");
			char *buf = malloc((size_t)st.st_size + 1);
			size_t got = f ? fread(buf, 1, (size_t)st.st_size, f) : 0;
			if (f)
				fclose(f);
			struct tb_entry e = {r, buf, got, 0, NULL};
			if (got)
				add_entry(a, &e);
			else {
				e.data = "";
				add_entry(a, &e);
			}
			free(buf);
		}
		free(p);
		free(r);
		free(names[i]);
	}
}

int tb_archive_dir(const char *dir, const char *top, const char *format, void **out, size_t *len)
{
	struct membuf m = {0};
	struct archive *a = writer(format);
	if (archive_write_open(a, &m, NULL, mem_write, mem_close) != ARCHIVE_OK) {
		archive_write_free(a);
		return -1;
	}
	add_dir(a, dir, top);
	archive_write_close(a);
	archive_write_free(a);
	*out = m.p;
	*len = m.len;
	return 0;
}

static bool env_off(const char *name)
{
	const char *e = getenv(name);
	return e && strcmp(e, "0") == 0;
}

void tb_opts(struct fd_analyze_opts *o)
{
	fd_analyze_opts_default(o);
	if (env_off("FLUXDIAG_READER_THREAD"))
		o->reader_thread = false;
	if (env_off("FLUXDIAG_PARSE_THREAD"))
		o->parse_thread = false;
}

struct fd_ruleset *tb_rules(void)
{
	struct fd_ruleset *set = fd_ruleset_new();
	struct fd_error err = {0};
	int rc = fd_ruleset_load_dir(set, FD_SOURCE_DIR "/rules", &err);
	cr_assert_eq(rc, 0, "rule pack did not load: %s", err.msg);
	return set;
}

json_t *tb_report_json(const struct fd_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct fd_render_opts o = {FD_FMT_JSON, 0};
	cr_assert_eq(fd_report_render(r, &o, f), 0);
	fclose(f);
	json_error_t e;
	json_t *j = json_loadb(buf, len, 0, &e);
	cr_assert_not_null(j, "report is not valid JSON: %s", e.text);
	free(buf);
	return j;
}

json_t *tb_analyze_buffer(const void *buf, size_t len, const struct fd_ruleset *rules,
			  const struct fd_limits *lim, char **err_out)
{
	struct fd_analyze_opts o;
	tb_opts(&o);
	if (lim)
		o.limits = *lim;
	struct fd_report *r = NULL;
	struct fd_error err = {0};
	if (fd_analyze_buffer(&r, buf, len, "test-bundle", rules, &o, &err) != 0) {
		if (err_out)
			*err_out = err.msg;
		else
			free(err.msg);
		return NULL;
	}
	json_t *j = tb_report_json(r);
	fd_report_free(r);
	return j;
}

json_t *tb_find(json_t *report, const char *rule)
{
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(report, "findings"), i, f)
	{
		if (strcmp(json_string_value(json_object_get(f, "rule")), rule) == 0)
			return f;
	}
	return NULL;
}
