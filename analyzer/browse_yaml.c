/* browse_yaml.c - YAML of JSON values for `describe`, written with libyaml's emitter and then
 * escaped for the terminal like every other text taken from a bundle. */
#include "browse_views.h"
#include "util.h"
#include "present.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

bool yaml_nested(json_t *v)
{
	return (json_is_object(v) && json_object_size(v)) || (json_is_array(v) && json_array_size(v));
}

/* A string that a YAML 1.1 reader would take for a number, boolean or null when plain. */
static bool looks_typed(const char *s)
{
	static const char *const words[] = {"true", "false", "null", "yes", "no", "on", "off", "~",
					    "y", "n"};
	if (!*s)
		return true;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(s, words[i]) == 0)
			return true;
	char *end;
	strtod(s, &end);
	return *end == 0;
}

static int emit_scalar(yaml_emitter_t *e, const char *s, yaml_scalar_style_t style)
{
	yaml_event_t ev;
	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1, style);
	return yaml_emitter_emit(e, &ev);
}

/* Emits v; collections deeper than YAML_MAX_DEPTH become "...". Returns 1, or 0 on error. */
static int emit_value(yaml_emitter_t *e, json_t *v, unsigned depth)
{
	yaml_event_t ev;
	if (depth > YAML_MAX_DEPTH && yaml_nested(v))
		return emit_scalar(e, "...", YAML_PLAIN_SCALAR_STYLE);
	if (json_is_object(v)) {
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
						    json_object_size(v) ? YAML_BLOCK_MAPPING_STYLE
									: YAML_FLOW_MAPPING_STYLE);
		if (!yaml_emitter_emit(e, &ev))
			return 0;
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x)
		{
			if (!emit_scalar(e, k, looks_typed(k) ? YAML_SINGLE_QUOTED_SCALAR_STYLE
							      : YAML_ANY_SCALAR_STYLE) ||
			    !emit_value(e, x, depth + 1))
				return 0;
		}
		yaml_mapping_end_event_initialize(&ev);
		return yaml_emitter_emit(e, &ev);
	}
	if (json_is_array(v)) {
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
						     json_array_size(v) ? YAML_BLOCK_SEQUENCE_STYLE
									: YAML_FLOW_SEQUENCE_STYLE);
		if (!yaml_emitter_emit(e, &ev))
			return 0;
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
		{
			if (!emit_value(e, x, depth + 1))
				return 0;
		}
		yaml_sequence_end_event_initialize(&ev);
		return yaml_emitter_emit(e, &ev);
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		return emit_scalar(e, s,
				   looks_typed(s) ? YAML_SINGLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
	}
	if (json_is_null(v))
		return emit_scalar(e, "null", YAML_PLAIN_SCALAR_STYLE);
	struct fd_buf tmp = {0};
	const char *s = fd_json_text(v, &tmp);
	int ok = emit_scalar(e, s ? s : "", YAML_PLAIN_SCALAR_STYLE);
	fd_buf_free(&tmp);
	return ok;
}

static int to_buf(void *data, unsigned char *p, size_t n)
{
	fd_buf_add(data, p, n);
	return 1;
}

void yaml_write(FILE *out, json_t *v, int indent)
{
	struct fd_buf y = {0};
	yaml_emitter_t e;
	yaml_event_t ev;
	if (!yaml_emitter_initialize(&e))
		return;
	yaml_emitter_set_output(&e, to_buf, &y);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_indent(&e, 2);
	yaml_emitter_set_width(&e, -1);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	int ok = yaml_emitter_emit(&e, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	ok = ok && yaml_emitter_emit(&e, &ev);
	ok = ok && emit_value(&e, v, 0);
	yaml_document_end_event_initialize(&ev, 1);
	ok = ok && yaml_emitter_emit(&e, &ev);
	yaml_stream_end_event_initialize(&ev);
	ok = ok && yaml_emitter_emit(&e, &ev);
	yaml_emitter_flush(&e);
	yaml_emitter_delete(&e);
	/* every line indented; the emitter's text then escaped like all bundle text (it leaves
	 * printable characters such as bidirectional overrides as they are) */
	char pad[64];
	snprintf(pad, sizeof(pad), "%*s", indent < 60 ? indent : 60, "");
	const char *p = y.p ? y.p : "";
	if (!ok)
		p = "(not shown: the value could not be written as YAML)\n";
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		struct fd_buf line = {0};
		fd_escape(&line, p, n, 0, NULL);
		fprintf(out, "%s%s\n", pad, line.p);
		fd_buf_free(&line);
		p += n + (nl ? 1 : 0);
	}
	fd_buf_free(&y);
}
