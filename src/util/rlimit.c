/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/resource.h>

#include "util/log.h"
#include "util/rlimit.h"

/*
 * Each account holds a socket, and a reconnect briefly holds two: the
 * default soft limit of 1024 would stop us near 1,000 accounts while the
 * hard limit (what the administrator allows) is usually far higher.
 */
void
rlimit_raise_nofile(void)
{
	struct rlimit rl;
	rlim_t was;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("getrlimit(RLIMIT_NOFILE)");
		return;
	}
	was = rl.rlim_cur;
	if (rl.rlim_cur == rl.rlim_max) {
		log_debug("open files limit: %llu (already the hard limit)",
		    (unsigned long long)was);
		return;
	}
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("cannot raise the open files limit from %llu to %llu",
		    (unsigned long long)was, (unsigned long long)rl.rlim_max);
		return;
	}
	log_debug("open files limit raised from %llu to the hard limit %llu",
	    (unsigned long long)was, (unsigned long long)rl.rlim_max);
}
