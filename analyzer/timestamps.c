/* timestamps.c - the time of a log line (JSON ts, klog header, RFC 3339 prefix) and of an
 * Event. */
#include "timestamps.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* klog header: "E1120 09:10:41.512345 ..." (no year: taken from ref). */
static bool klog_time(const char *s, size_t len, double ref, double *out)
{
	if (len < 21 || !strchr("IWEF", s[0]))
		return false;
	for (int i = 1; i <= 4; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	if (s[5] != ' ' || s[8] != ':' || s[11] != ':')
		return false;
	if (ref <= 0)
		return false;
	char tmp[40], yr[8];
	fd_time_format(ref, tmp);
	memcpy(yr, tmp, 4);
	yr[4] = 0;
	snprintf(tmp, sizeof(tmp), "%s-%.2s-%.2sT%.15sZ", yr, s + 1, s + 3, s + 6);
	double t;
	if (fd_time_parse(tmp, &t))
		return false;
	if (t > ref + 86400 * 2) { /* December log read in January */
		snprintf(tmp, sizeof(tmp), "%d-%.2s-%.2sT%.15sZ", atoi(yr) - 1, s + 1, s + 3, s + 6);
		if (fd_time_parse(tmp, &t))
			return false;
	}
	*out = t;
	return true;
}

bool fd_log_line_time(const char *line, size_t len, double ref, double *out)
{
	if (len && line[0] == '{') {
		size_t lim = len < 400 ? len : 400;
		const char *p = memmem(line, lim, "\"ts\":", 5);
		if (!p)
			p = memmem(line, lim, "\"time\":", 7);
		if (!p)
			p = memmem(line, lim, "\"timestamp\":", 12);
		if (!p)
			return false;
		p = memchr(p, ':', (size_t)(line + len - p)) + 1;
		while (p < line + len && *p == ' ')
			p++;
		if (p < line + len && *p == '"') {
			char tmp[48];
			size_t n = 0;
			p++;
			while (p + n < line + len && p[n] != '"' && n < sizeof(tmp) - 1)
				n++;
			memcpy(tmp, p, n);
			tmp[n] = 0;
			return fd_time_parse(tmp, out) == 0;
		}
		char *end;
		double v = strtod(p, &end);
		if (end == p || v <= 0)
			return false;
		*out = v > 1e12 ? v / 1000 : v; /* epoch seconds or milliseconds */
		return true;
	}
	if (len >= 20 && isdigit((unsigned char)line[0]) && line[4] == '-') {
		char tmp[48];
		size_t n = len < sizeof(tmp) - 1 ? len : sizeof(tmp) - 1;
		size_t k = 0;
		/* "2021-03-22 08:56:19.520545 W | ..." (etcd before 3.5, capnslog): date, a space,
		 * the time of day in UTC */
		if (n >= 19 && line[10] == ' ' && line[13] == ':' && line[16] == ':') {
			k = 19;
			while (k < n && k < sizeof(tmp) - 2 &&
			       (isdigit((unsigned char)line[k]) || line[k] == '.'))
				k++;
			memcpy(tmp, line, k);
			tmp[10] = 'T';
			tmp[k] = 'Z';
			tmp[k + 1] = 0;
			return fd_time_parse(tmp, out) == 0;
		}
		while (k < n && line[k] != ' ')
			k++;
		memcpy(tmp, line, k);
		tmp[k] = 0;
		return fd_time_parse(tmp, out) == 0;
	}
	return klog_time(line, len, ref, out);
}

double fd_event_time(json_t *e)
{
	static const char *const keys[] = {"lastTimestamp", "eventTime", "firstTimestamp"};
	double t;
	for (size_t i = 0; i < 3; i++) {
		const char *s = json_string_value(json_object_get(e, keys[i]));
		if (s && fd_time_parse(s, &t) == 0)
			return t;
	}
	json_t *series = json_object_get(e, "series");
	const char *s = json_string_value(json_object_get(series, "lastObservedTime"));
	if (s && fd_time_parse(s, &t) == 0)
		return t;
	s = json_string_value(json_object_get(json_object_get(e, "metadata"), "creationTimestamp"));
	if (s && fd_time_parse(s, &t) == 0)
		return t;
	return 0;
}
