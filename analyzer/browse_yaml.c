/* browse_yaml.c - YAML printing of JSON values for `describe`. */
#include "browse_views.h"
#include "util.h"
#include "present.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool yaml_plain_ok(const char *s)
{
	static const char *const words[] = {"true", "false", "null", "yes", "no", "on", "off", "~"};
	size_t n = strlen(s);
	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ' || strchr("-?:,[]{}#&*!|>'\"%@`", s[0]))
		return false;
	if (strstr(s, ": ") || strstr(s, " #") || s[n - 1] == ':')
		return false;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(s, words[i]) == 0)
			return false;
	char *end;
	strtod(s, &end);
	if (*end == 0)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p >= 0x80)
			return false; /* non-ASCII goes through the escaper, quoted */
	return true;
}

static void yaml_scalar(FILE *out, json_t *v)
{
	struct fd_buf tmp = {0};
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		if (yaml_plain_ok(s)) {
			fputs(s, out);
		} else {
			bool safe_ascii = true;
			for (const unsigned char *p = (const unsigned char *)s; *p; p++)
				if (*p < 0x20 || *p == 0x7f || *p == '\'')
					safe_ascii = false;
			if (safe_ascii && !strchr(s, '\\')) {
				fputc('\'', out);
				fd_put_escaped(out, s, 0, NULL);
				fputc('\'', out);
			} else {
				fd_buf_add(&tmp, "", 0);
				for (const char *p = s; *p; p++)
					if (*p == '"' || *p == '\\') {
						fd_buf_addc(&tmp, '\\');
						fd_buf_addc(&tmp, *p);
					} else {
						fd_buf_addc(&tmp, *p);
					}
				fputc('"', out);
				fd_put_escaped(out, tmp.p, 0, NULL);
				fputc('"', out);
			}
		}
	} else if (json_is_null(v)) {
		fputs("null", out);
	} else if (json_is_object(v)) {
		fputs("{}", out);
	} else if (json_is_array(v)) {
		fputs("[]", out);
	} else {
		const char *s = fd_json_text(v, &tmp);
		fputs(s ? s : "", out);
	}
	fd_buf_free(&tmp);
}

bool yaml_nested(json_t *v)
{
	return (json_is_object(v) && json_object_size(v)) || (json_is_array(v) && json_array_size(v));
}


/* Writes v after "key:" (or "- "): a scalar on the same line, a collection below. */
static void yaml_child(FILE *out, json_t *v, int indent, unsigned depth)
{
	if (depth > YAML_MAX_DEPTH) {
		fputs(" ...\n", out);
	} else if (json_is_object(v) && json_object_size(v)) {
		fputc('\n', out);
		yaml_map(out, v, indent + 2, false, depth + 1);
	} else if (json_is_array(v) && json_array_size(v)) {
		fputc('\n', out);
		yaml_seq(out, v, indent, false, depth + 1);
	} else {
		fputc(' ', out);
		yaml_scalar(out, v);
		fputc('\n', out);
	}
}

void yaml_map(FILE *out, json_t *o, int indent, bool inline_first, unsigned depth)
{
	const char *k;
	json_t *v;
	bool first = true;
	json_object_foreach(o, k, v)
	{
		if (!(first && inline_first))
			fprintf(out, "%*s", indent, "");
		first = false;
		json_t *key = json_string(k);
		yaml_scalar(out, key);
		json_decref(key);
		fputc(':', out);
		yaml_child(out, v, indent, depth);
	}
}

void yaml_seq(FILE *out, json_t *a, int indent, bool inline_first, unsigned depth)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		if (!(i == 0 && inline_first))
			fprintf(out, "%*s", indent, "");
		fputs("- ", out);
		if (depth > YAML_MAX_DEPTH) {
			fputs("...\n", out);
		} else if (json_is_object(v) && json_object_size(v)) {
			yaml_map(out, v, indent + 2, true, depth + 1);
		} else if (json_is_array(v) && json_array_size(v)) {
			yaml_seq(out, v, indent + 2, true, depth + 1);
		} else {
			yaml_scalar(out, v);
			fputc('\n', out);
		}
	}
}
