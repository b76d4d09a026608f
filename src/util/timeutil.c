/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#include "util/timeutil.h"

struct timeval
timeutil_tv_ms(uint64_t ms)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000 * 1000);
	return tv;
}

struct timeval
timeutil_tv_us(uint64_t us)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(us / 1000000);
	tv.tv_usec = (suseconds_t)(us % 1000000);
	return tv;
}

uint64_t
timeutil_tv_to_ms(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000 + (uint64_t)tv->tv_usec / 1000;
}

uint64_t
timeutil_ts_to_ms(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000 + (uint64_t)ts->tv_nsec / 1000000;
}

uint64_t
timeutil_ts_to_us(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000 + (uint64_t)ts->tv_nsec / 1000;
}

uint64_t
timeutil_clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return timeutil_ts_to_ms(&ts);
}

uint64_t
timeutil_mono_ms(void)
{
	return timeutil_clock_ms(CLOCK_MONOTONIC);
}
