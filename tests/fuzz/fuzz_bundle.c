/* fuzz_bundle - the whole pipeline on an arbitrary archive: fd_analyze_buffer with the shipped
 * rule pack, then every renderer, checking the report properties (fuzz_common.h) and that a
 * refused bundle yields one line without control characters. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fd_ruleset *rules = fz_rules();
	struct fd_analyze_opts o;
	fz_opts(&o);
	struct fd_report *r = NULL;
	struct fd_error err = {0};
	int rc = fd_analyze_buffer(&r, data, size, "fuzz-bundle", rules, &o, &err);
	if (rc == 0) {
		FZ_CHECK(r, "no report");
		fz_check_report(r);
		fd_report_free(r);
	} else {
		FZ_CHECK(rc == FD_EBUNDLE, "unexpected code %d", rc);
		FZ_CHECK(err.msg && strncmp(err.msg, "fuzz-bundle: ", 13) == 0,
			 "error does not name the bundle: %s", err.msg ? err.msg : "(null)");
		for (const unsigned char *p = (const unsigned char *)err.msg; *p; p++)
			FZ_CHECK(*p >= 0x20 && *p != 0x7f, "control byte 0x%02x in the error line", *p);
	}
	fd_error_clear(&err);
	return 0;
}
