/* Unit tests for templates: fix lines quote every value for the shell context it lands in, and
 * bash reads each rendered line back as exactly the value, running nothing else. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Values a bundle may carry: command substitution, backticks, separators, both quotes,
 * newlines, history expansion, globs, braces, C1 controls and a bidi override. Each would
 * create the file "pwned" if it ran. */
static const char *const HOSTILE[] = {
	"podinfo",
	"podinfo$(:>pwned)",
	"podinfo$(touch${IFS}pwned)",
	"https://example.com/repo;:>pwned #",
	"`:>pwned`",
	"'$(:>pwned)'",
	"it's",
	"a\"b\"$(:>pwned)\"",
	"line1\n:>pwned\nline3",
	"cr\r:>pwned",
	"tab\there",
	"back\\slash\\",
	"!! !-1 !x",
	"*",
	"~root",
	"{a,b}",
	"$HOME",
	"a b  c",
	"\xc2\x9b" "31m red",
	"\xe2\x80\xae" "evil",
	"'\"'\"'",
	"\\'",
	"#not a comment",
};
#define NHOSTILE (sizeof(HOSTILE) / sizeof(HOSTILE[0]))

static char *render_with(const char *tpl, const char *value)
{
	json_t *caps = json_pack("{s:s}", "v", value);
	struct fd_tctx t = {.caps = caps, .name = "podinfo", .ns = "flux-system"};
	char *out = fd_template_render_fix(tpl, &t, NULL);
	json_decref(caps);
	return out;
}

/* Runs a command line with bash in a fresh directory; returns its standard output (malloc'd)
 * and fails the test if the line created a file there. */
static char *run_bash(const char *line)
{
	char dir[] = "/tmp/fd-template-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *script = fd_xasprintf("%s.sh", dir);
	FILE *f = fopen(script, "w");
	cr_assert_not_null(f);
	fprintf(f, "%s\n", line);
	fclose(f);
	char *cmd = fd_xasprintf("cd '%s' && bash --norc '%s' 2>/dev/null", dir, script);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	struct fd_buf out = {0};
	fd_buf_add(&out, "", 0);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		fd_buf_add(&out, buf, n);
	pclose(p);
	char *marker = fd_xasprintf("%s/pwned", dir);
	struct stat st;
	cr_expect_neq(stat(marker, &st), 0, "running [%s] created a file", line);
	unlink(marker);
	rmdir(dir);
	unlink(script);
	free(marker);
	free(script);
	free(cmd);
	return fd_buf_detach(&out);
}

/* Renders tpl with each hostile value and checks what bash prints: want(value) on one line. */
static void round_trip(const char *tpl, const char *prefix, const char *suffix)
{
	for (size_t i = 0; i < NHOSTILE; i++) {
		char *line = render_with(tpl, HOSTILE[i]);
		char *got = run_bash(line);
		char *want = fd_xasprintf("%s%s%s\n", prefix, HOSTILE[i], suffix);
		cr_expect_str_eq(got, want, "template [%s] rendered as [%s]", tpl, line);
		free(want);
		free(got);
		free(line);
	}
}

Test(template_fix, unquoted_word_reads_back_as_the_value)
{
	round_trip("printf '%s\\n' {cap.v}", "", "");
}

Test(template_fix, part_of_a_word_reads_back_as_the_value)
{
	round_trip("printf '%s\\n' --url=x{cap.v}/index.yaml", "--url=x", "/index.yaml");
}

Test(template_fix, inside_single_quotes_reads_back_as_the_value)
{
	round_trip("printf '%s\\n' '/readyz/{cap.v}'", "/readyz/", "");
}

Test(template_fix, inside_double_quotes_reads_back_as_the_value)
{
	round_trip("printf '%s\\n' \"pre {cap.v} post\"", "pre ", " post");
}

Test(template_fix, inside_substitution_inside_double_quotes_reads_back_as_the_value)
{
	round_trip("printf '%s\\n' \"<$(printf '%s' {cap.v})>\"", "<", ">");
}

Test(template_fix, script_after_dash_c_is_quoted_for_its_shell_too)
{
	round_trip("bash -c 'printf \"%s\\n\" {cap.v}'", "", "");
	round_trip("bash -c \"printf '%s\\n' {cap.v}\"", "", "");
	round_trip("bash -c 'printf \"%s\\n\" \"<{cap.v}>\"'", "<", ">");
	round_trip("bash -c   'printf \"%s\\n\" {cap.v}'", "", "");
}

Test(template_fix, sh_filter_quotes_for_one_more_shell)
{
	/* the model sees no -c here: the author marks the value for the shell that eval runs */
	round_trip("eval 'printf \"%s\\n\" '{cap.v|sh}", "", "");
	round_trip("bash -c 'printf \"%s\\n\" {cap.v|sh}'", "", "");
}

Test(template_fix, json_inside_single_quotes_is_the_value)
{
	for (size_t i = 0; i < NHOSTILE; i++) {
		char *line = render_with("printf '%s' '{{\"spec\":{{\"name\":\"{cap.v}\"}}}}'",
					 HOSTILE[i]);
		char *got = run_bash(line);
		json_error_t jerr;
		json_t *j = json_loads(got, 0, &jerr);
		cr_assert_not_null(j, "[%s] printed no JSON: %s (%s)", line, got, jerr.text);
		const char *name = json_string_value(json_object_get(json_object_get(j, "spec"), "name"));
		cr_expect(name && strcmp(name, HOSTILE[i]) == 0, "[%s] gave name %s", line, name);
		json_decref(j);
		free(got);
		free(line);
	}
}

Test(template_fix, comment_stays_a_comment)
{
	for (size_t i = 0; i < NHOSTILE; i++) {
		char *line = render_with("printf '%s\\n' ok   # the chart is {cap.v}", HOSTILE[i]);
		cr_expect_null(strchr(line, '\n'), "[%s] holds a newline", line);
		char *got = run_bash(line);
		cr_expect_str_eq(got, "ok\n", "[%s]", line);
		free(got);
		free(line);
	}
}

Test(template_fix, ordinary_names_are_not_quoted)
{
	json_t *caps = json_pack("{s:s}", "url", "https://github.com/acme/podinfo-deploy");
	json_t *obj = json_pack("{s:{s:{s:s}}}", "spec", "secretRef", "name", "podinfo-auth");
	struct fd_tctx t = {.caps = caps, .obj = obj, .name = "podinfo", .ns = "flux-system"};
	char *out = fd_template_render_fix(
		"flux create secret git {.spec.secretRef.name} -n {namespace} --url={cap.url} && "
		"kubectl -n {namespace} patch gitrepository {name} --type=merge -p "
		"'{{\"spec\":{{\"secretRef\":{{\"name\":\"{.spec.secretRef.name}\"}}}}}}'",
		&t, NULL);
	cr_expect_str_eq(out, "flux create secret git podinfo-auth -n flux-system "
			      "--url=https://github.com/acme/podinfo-deploy && kubectl -n flux-system "
			      "patch gitrepository podinfo --type=merge -p "
			      "'{\"spec\":{\"secretRef\":{\"name\":\"podinfo-auth\"}}}'");
	free(out);
	json_decref(caps);
	json_decref(obj);
}

Test(template_fix, quotes_only_what_needs_it)
{
	char *out = render_with("kubectl -n {namespace} get gitrepository {cap.v}",
				"podinfo$(touch${IFS}/tmp/x)");
	cr_expect_str_eq(out, "kubectl -n flux-system get gitrepository 'podinfo$(touch${IFS}/tmp/x)'");
	free(out);
	out = render_with("kubectl get --raw '/readyz/{cap.v}'", "etcd'$(x)'");
	cr_expect_str_eq(out, "kubectl get --raw '/readyz/etcd'\\''$(x)'\\'''");
	free(out);
	out = render_with("kubectl get gitrepository {cap.v}", "a\nb");
	cr_expect_str_eq(out, "kubectl get gitrepository 'a'$'\\n''b'");
	free(out);
}

Test(template_fix, a_leading_dash_is_never_an_option)
{
	char *out = render_with("git ls-remote {cap.v}", "--upload-pack=touch /tmp/x");
	cr_expect_str_eq(out, "git ls-remote '<--upload-pack=touch /tmp/x>'");
	free(out);
	out = render_with("grep -E '{cap.v}|<none>'", "-f/etc/passwd");
	cr_expect_str_eq(out, "grep -E '<-f/etc/passwd>|<none>'");
	free(out);
	/* inside a word a dash is just a character */
	out = render_with("kubectl get deploy/{cap.v}", "-x");
	cr_expect_str_eq(out, "kubectl get deploy/-x");
	free(out);
}

Test(template_fix, defaults_and_unknown_are_rule_text)
{
	char *out = render_with("helm history {.status.history[0].name|default:<release>} {cap.nope}",
				"x");
	cr_expect_str_eq(out, "helm history <release> <unknown>");
	free(out);
}

Test(template_fix, url_filter_encodes_a_path_segment)
{
	char *out = render_with("kubectl get --raw '/readyz/{cap.v|url}'", "etcd/../x y?z");
	cr_expect_str_eq(out, "kubectl get --raw '/readyz/etcd%2F..%2Fx%20y%3Fz'");
	free(out);
	out = render_with("kubectl get --raw '/api/{cap.v|url}'", "..");
	cr_expect_str_eq(out, "kubectl get --raw '/api/%2E%2E'");
	free(out);
}

Test(template_fix, messages_stay_plain_text)
{
	json_t *caps = json_pack("{s:s}", "v", "it's $(x)");
	struct fd_tctx t = {.caps = caps};
	char *out = fd_template_render("the value is {cap.v}", &t, NULL);
	cr_expect_str_eq(out, "the value is it's $(x)");
	free(out);
	json_decref(caps);
}

static const char *check_fix(const char *tpl, size_t *pos)
{
	*pos = 999;
	return fd_template_check_fix(tpl, pos);
}

Test(template_check, fix_lines_must_read_as_shell_lines)
{
	size_t pos;
	const char *m;
	cr_expect_null(check_fix("kubectl -n {namespace} get pod {name} -o jsonpath='{{.spec}}'", &pos));
	cr_expect_null(check_fix("On a managed cluster etcd is the provider's: open a case", &pos),
		       "an apostrophe in a line without values does no harm");
	cr_expect_null(check_fix("flux version   # the latest release of {pod}'s controller", &pos),
		       "an apostrophe in a comment does no harm");
	m = check_fix("Check the pod's secrets: kubectl -n {namespace} get pod {name}", &pos);
	cr_expect(m && strstr(m, "apostrophe"), "got %s", m);
	cr_expect_eq(pos, 13);
	m = check_fix("kubectl get --raw '/readyz/{name}", &pos);
	cr_expect(m && strstr(m, "not closed"), "got %s", m);
	cr_expect_eq(pos, 18);
	m = check_fix("kubectl -n {namespace} && {name} --help", &pos);
	cr_expect(m && strstr(m, "command"), "got %s", m);
	cr_expect_eq(pos, 26);
	m = check_fix("kubectl get {name|default:it's}", &pos);
	cr_expect(m && strstr(m, "default"), "got %s", m);
	m = check_fix("kubectl get {name|shout}", &pos);
	cr_expect(m && strstr(m, "unknown filter"), "got %s", m);
	cr_expect_null(check_fix("bash -c 'nc -zvw5 {name|sh}' && curl '/x/{name|url}'", &pos));
}
