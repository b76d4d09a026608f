/* SPDX-License-Identifier: ISC */
/*
 * Milliseconds to and from the struct timeval libevent takes and the
 * struct timespec clock_gettime() fills, written once instead of at every
 * timer.  No libevent here: a timeval is plain C library.
 */
#ifndef JP_TIMEUTIL_H
#define JP_TIMEUTIL_H

#include <stdint.h>
#include <sys/time.h>
#include <time.h>

/* ms milliseconds as a timeval (for evtimer_add()). */
struct timeval	timeutil_tv_ms(uint64_t ms);
/* us microseconds as a timeval. */
struct timeval	timeutil_tv_us(uint64_t us);
/* *tv in milliseconds, the microseconds rounded down. */
uint64_t	timeutil_tv_to_ms(const struct timeval *tv);
/* *ts in milliseconds, the nanoseconds rounded down. */
uint64_t	timeutil_ts_to_ms(const struct timespec *ts);
/* *ts in microseconds, the nanoseconds rounded down. */
uint64_t	timeutil_ts_to_us(const struct timespec *ts);
/* Clock id read now, in milliseconds. */
uint64_t	timeutil_clock_ms(clockid_t id);
/* CLOCK_MONOTONIC now, in milliseconds: for deadlines and durations. */
uint64_t	timeutil_mono_ms(void);

#endif
