/* fuzz_rules - the rule-file loader (fd_ruleset_load_buffer) and the catalog writer. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fd_ruleset *set = fd_ruleset_new();
	struct fd_error err = {0};
	int rc = fd_ruleset_load_buffer(set, "fuzz.yaml", (const char *)data, size, &err);
	if (rc == 0) {
		static const enum fd_format fmts[] = {FD_FMT_TEXT, FD_FMT_MARKDOWN, FD_FMT_JSON};
		for (size_t i = 0; i < 3; i++) {
			char *buf = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&buf, &len);
			fd_ruleset_write_catalog(set, fmts[i], f);
			fclose(f);
			free(buf);
		}
	} else {
		FZ_CHECK(rc == FD_ERULES || rc == FD_ENOMEM, "unexpected code %d", rc);
		FZ_CHECK(err.msg && strncmp(err.msg, "fuzz.yaml:", 10) == 0,
			 "error does not name the file: %s", err.msg ? err.msg : "(null)");
	}
	fd_error_clear(&err);
	fd_ruleset_free(set);
	return 0;
}
