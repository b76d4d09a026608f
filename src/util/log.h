/* SPDX-License-Identifier: ISC */
/* Logging to stderr; journald adds timestamps and metadata when it is ours. */
#ifndef JP_LOG_H
#define JP_LOG_H

#include <stdarg.h>
#include <syslog.h>

/* Levels are syslog priorities: LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG. */
void log_init(int level);
/* Reads the time zone (TZ, /etc/localtime) again for the timestamps of
 * lines to come; it is read once otherwise (reload calls this). */
void log_reload_tz(void);
void log_set_level(int level);
int log_get_level(void);
/* "error", "warning", "info", "debug" -> priority; -1 when unknown. */
int log_level_parse(const char *name);
const char *log_level_name(int level);

void log_msg(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_vmsg(int prio, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/*
 * A line owed: fn(arg) logs it, at the latest when log_owed() is called,
 * and before any other line that is printed meanwhile, so that the lines'
 * order is the same as if it had been logged at once.  Lets a caller put
 * a line's formatting and write(2) after work that must not wait for
 * them (a push reaching the outputs).  arg is borrowed until then; one
 * line at a time.
 */
void log_owe(void (*fn)(void *), void *arg);
/* Logs the owed line, if any. */
void log_owed(void);

/* log_warn and fatal append strerror(errno); the x variants do not. */
void log_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif
