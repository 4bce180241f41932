/* Unit tests for value parsing: times, durations, quantities, UTF-8 cleaning. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

Test(values_time, parses_rfc3339_with_fraction_and_zone)
{
	double t;
	cr_assert_eq(fd_time_parse("2026-11-20T09:14:03Z", &t), 0);
	cr_expect_eq(t, 1795166043.0);
	cr_assert_eq(fd_time_parse("2026-11-20T10:14:03.250+01:00", &t), 0);
	cr_expect_eq(t, 1795166043.25);
}

Test(values_time, rejects_garbage)
{
	double t;
	cr_expect_neq(fd_time_parse("yesterday", &t), 0);
	cr_expect_neq(fd_time_parse("2026-13-01T00:00:00Z", &t), 0);
	cr_expect_neq(fd_time_parse("", &t), 0);
}

Test(values_time, formats_utc)
{
	char buf[32];
	fd_time_format(1795166043.7, buf);
	cr_expect_str_eq(buf, "2026-11-20T09:14:03Z");
}

Test(values_duration, parses_go_style_and_days)
{
	double d;
	cr_assert_eq(fd_duration_parse("1h30m", &d), 0);
	cr_expect_eq(d, 5400);
	cr_assert_eq(fd_duration_parse("5m0s", &d), 0);
	cr_expect_eq(d, 300);
	cr_assert_eq(fd_duration_parse("2d", &d), 0);
	cr_expect_eq(d, 172800);
	cr_assert_eq(fd_duration_parse("500ms", &d), 0);
	cr_expect_float_eq(d, 0.5, 1e-9);
}

Test(values_duration, parses_multiples)
{
	double d;
	cr_assert_eq(fd_duration_parse("10x5m", &d), 0);
	cr_expect_eq(d, 3000);
	cr_assert_eq(fd_duration_parse("3 x 1m0s", &d), 0);
	cr_expect_eq(d, 180);
}

Test(values_duration, rejects_bad_units)
{
	double d;
	cr_expect_neq(fd_duration_parse("5 minutes", &d), 0);
	cr_expect_neq(fd_duration_parse("-5m", &d), 0);
	cr_expect_neq(fd_duration_parse("", &d), 0);
}

Test(values_quantity, parses_kubernetes_quantities)
{
	double v;
	cr_assert_eq(fd_quantity_parse("500m", &v), 0);
	cr_expect_float_eq(v, 0.5, 1e-9);
	cr_assert_eq(fd_quantity_parse("1Gi", &v), 0);
	cr_expect_eq(v, 1073741824.0);
	cr_assert_eq(fd_quantity_parse("42", &v), 0);
	cr_expect_eq(v, 42);
	cr_expect_neq(fd_quantity_parse("12parsecs", &v), 0);
}

Test(values_quantity, doubles_in_tidy_units)
{
	char *s = fd_quantity_double("512Mi");
	cr_expect_str_eq(s, "1Gi");
	free(s);
	s = fd_quantity_double("1Gi");
	cr_expect_str_eq(s, "2Gi");
	free(s);
	s = fd_quantity_double("768Mi");
	cr_expect_str_eq(s, "1536Mi");
	free(s);
	s = fd_quantity_double("250m");
	cr_expect_str_eq(s, "500m");
	free(s);
	cr_expect_null(fd_quantity_double("lots"));
}

Test(values_utf8, replaces_invalid_bytes_and_truncates)
{
	bool trunc;
	char *s = fd_utf8_clean("ok\xff\xfe!", 5, 100, &trunc);
	cr_expect_str_eq(s, "ok\xEF\xBF\xBD\xEF\xBF\xBD!");
	cr_expect_not(trunc);
	free(s);
	s = fd_utf8_clean("abcdef", 6, 3, &trunc);
	cr_expect_str_eq(s, "abc");
	cr_expect(trunc);
	free(s);
	/* an overlong encoding of '/' is not valid UTF-8 */
	s = fd_utf8_clean("\xC0\xAF", 2, 100, NULL);
	cr_expect_str_eq(s, "\xEF\xBF\xBD\xEF\xBF\xBD");
	free(s);
}

Test(present, object_label_leaves_out_an_empty_namespace)
{
	char *s = fd_object_label("Kustomization", "flux-system", "apps");
	cr_expect_str_eq(s, "Kustomization flux-system/apps");
	free(s);
	s = fd_object_label("Node", "", "n1");
	cr_expect_str_eq(s, "Node n1");
	free(s);
	s = fd_object_label("ClusterRole", NULL, "admin");
	cr_expect_str_eq(s, "ClusterRole admin");
	free(s);
}

Test(present, escape_keeps_text_and_escapes_controls_bidi_and_bad_bytes)
{
	struct fd_buf b = {0};
	static const char in[] = "a\tb\nc\rd\x1b[2J\xe2\x80\xae\xff\xc3\xa9";
	fd_escape(&b, in, sizeof(in) - 1, 0, NULL);
	cr_expect_str_eq(b.p, "a\\tb\\nc\\rd\\x1b[2J\\u202e\\xff\xc3\xa9");
	fd_buf_reset(&b);
	fd_escape(&b, in, sizeof(in) - 1, FD_ESC_TAB_SPACE, "  ");
	cr_expect_str_eq(b.p, "a b\n  c\\rd\\x1b[2J\\u202e\\xff\xc3\xa9");
	fd_buf_reset(&b);
	fd_escape(&b, "x\ty", 3, FD_ESC_KEEP_TAB, NULL);
	cr_expect_str_eq(b.p, "x\ty");
	fd_buf_free(&b);
}
