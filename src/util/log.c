/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/utf8.h"

static int log_level = LOG_INFO;
/* Under journald (JOURNAL_STREAM set) "<N>" prefixes carry the priority and
 * journald stamps the time; on a terminal a timestamp is more useful. */
static bool log_journal;
/* The local time of log_stamp_sec, "YYYY-MM-DD HH:MM:SS": a daemon that
 * logs every change must not convert the time for each line (localtime_r
 * takes a lock and searches the zone's transitions).  -1: none yet. */
static time_t log_stamp_sec = -1;
static char log_stamp[32];

/* The owed line (log_owe); NULL: none. */
static void (*log_owed_fn)(void *);
static void *log_owed_arg;

static const struct {
	const char *name;
	int level;
} log_levels[] = {
	{ "error", LOG_ERR },
	{ "warning", LOG_WARNING },
	{ "info", LOG_INFO },
	{ "debug", LOG_DEBUG },
};

void
log_init(int level)
{
	log_level = level;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

void
log_reload_tz(void)
{
	tzset();
	log_stamp_sec = -1;
}

void
log_set_level(int level)
{
	log_level = level;
}

int
log_get_level(void)
{
	return log_level;
}

int
log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++)
		if (strcmp(name, log_levels[i].name) == 0)
			return log_levels[i].level;
	return -1;
}

const char *
log_level_name(int level)
{
	for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++)
		if (log_levels[i].level == level)
			return log_levels[i].name;
	return "unknown";
}

static const char *
log_prio_tag(int prio)
{
	switch (prio) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error: ";
	case LOG_WARNING:
		return "warning: ";
	case LOG_DEBUG:
		return "debug: ";
	default:
		return "";
	}
}

/* The whole line in one write(2), so that lines stay whole when hooks
 * share our stderr; nowhere to report a failure. */
static void
log_write(const char *line, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, line, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		line += n;
		len -= (size_t)n;
	}
}

void
log_vmsg(int prio, const char *fmt, va_list ap)
{
	/* line holds buf and the longest prefix: never cut. */
	char raw[4096], buf[4096], line[4096 + 64];
	int saved_errno = errno;
	int n;

	if (prio > log_level)
		return;
	/* An owed line goes first; its own line finds none owed. */
	log_owed();
	errno = saved_errno;
	vsnprintf(raw, sizeof(raw), fmt, ap);
	/* Lines quote what servers and children send: a newline or an escape
	 * sequence in there must not forge a line or drive a terminal. */
	utf8_line(buf, sizeof(buf), raw);
	if (log_journal) {
		n = snprintf(line, sizeof(line), "<%d>%s\n", prio, buf);
	} else {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		if (ts.tv_sec != log_stamp_sec) {
			struct tm tm;

			localtime_r(&ts.tv_sec, &tm);
			strftime(log_stamp, sizeof(log_stamp),
			    "%Y-%m-%d %H:%M:%S", &tm);
			log_stamp_sec = ts.tv_sec;
		}
		n = snprintf(line, sizeof(line), "%s.%03ld %s%s\n", log_stamp,
		    ts.tv_nsec / 1000000, log_prio_tag(prio), buf);
	}
	if (n > 0)
		log_write(line, (size_t)n);
	errno = saved_errno;
}

void
log_owe(void (*fn)(void *), void *arg)
{
	log_owed();
	log_owed_fn = fn;
	log_owed_arg = arg;
}

void
log_owed(void)
{
	void (*fn)(void *) = log_owed_fn;

	if (fn == NULL)
		return;
	log_owed_fn = NULL;
	fn(log_owed_arg);
}

void
log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap);
	va_end(ap);
}

static void
log_vmsg_errno(int prio, const char *fmt, va_list ap)
{
	char buf[4096];
	int saved_errno = errno;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	log_msg(prio, "%s: %s", buf, strerror(saved_errno));
}

#define LOG_FN(name, prio)				\
void							\
name(const char *fmt, ...)				\
{							\
	va_list ap;					\
	va_start(ap, fmt);				\
	log_vmsg(prio, fmt, ap);			\
	va_end(ap);					\
}

LOG_FN(log_errx, LOG_ERR)
LOG_FN(log_warnx, LOG_WARNING)
LOG_FN(log_info, LOG_INFO)
LOG_FN(log_debug, LOG_DEBUG)

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg_errno(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg_errno(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
