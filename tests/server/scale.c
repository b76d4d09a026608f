/* SPDX-License-Identifier: ISC */
/*
 * What thousands of clients need from the test server, for the benchmarks:
 * an open files limit that fits them, and a count of accepted TCP
 * connections per second since start, so a reconnect storm can be seen
 * from the server's side (GET /control/status: "accepts", "acceptPeak",
 * "acceptsPerSecond").
 */
#include "autoconf.h"

#include <sys/resource.h>

#include <time.h>

#include "testserver.h"

static uint64_t
scale_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* lws sizes its table of descriptors from the soft limit at start. */
void
scale_init(struct ts_server *s)
{
	struct rlimit rl;

	s->started_ms = scale_now_ms();
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("testserver: getrlimit(RLIMIT_NOFILE)");
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("testserver: setrlimit(RLIMIT_NOFILE)");
	}
	ts_debug("open files limit %llu", (unsigned long long)rl.rlim_cur);
}

/*
 * lws parses HTTP headers in a pool of 32 by default: a reconnect storm of
 * 10,000 clients queued behind it until their requests timed out, and the
 * retries made the queue longer (no session came back in 5 minutes).  The
 * pool is allocated as needed, so a large bound costs nothing when idle.
 */
void
scale_context(struct lws_context_creation_info *info)
{
	info->max_http_header_pool2 = 16384;
}

void
scale_accepted(struct ts_server *s)
{
	uint64_t sec = (scale_now_ms() - s->started_ms) / 1000;

	s->accepts++;
	if (sec >= TS_ACCEPT_SECONDS)
		return;
	s->accepts_per_second[sec]++;
	if (sec + 1 > s->accept_seconds)
		s->accept_seconds = (size_t)sec + 1;
}

void
scale_status(const struct ts_server *s, struct json_object *obj)
{
	struct json_object *a = json_object_new_array();
	unsigned long peak = 0;

	for (size_t i = 0; i < s->accept_seconds; i++) {
		if (s->accepts_per_second[i] > peak)
			peak = s->accepts_per_second[i];
		json_object_array_add(a,
		    json_object_new_int64((int64_t)s->accepts_per_second[i]));
	}
	json_object_object_add(obj, "accepts",
	    json_object_new_int64((int64_t)s->accepts));
	json_object_object_add(obj, "acceptPeak",
	    json_object_new_int64((int64_t)peak));
	json_object_object_add(obj, "acceptsPerSecond", a);
}
