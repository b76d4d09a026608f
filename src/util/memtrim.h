/* SPDX-License-Identifier: ISC */
/*
 * Gives the heap freed after a burst of events back to the system: glibc
 * keeps freed memory for reuse, so the RSS of a burst (json-c objects, the
 * lines queued for socket clients) would stay at its peak.  The timer is
 * armed by events only, never while the daemon idles.
 */
#ifndef JP_MEMTRIM_H
#define JP_MEMTRIM_H

#include <stdint.h>

struct event_base;
struct memtrim;

/* malloc_trim(0) once quiet_ms passed without an event, after at least
 * min_events events since the last trim. */
struct memtrim	*memtrim_new(struct event_base *base, uint64_t quiet_ms,
		    uint64_t min_events);
/* One event: a counter, and a timer armed when none is (no syscall). */
void		 memtrim_note(struct memtrim *);
/* NULL is allowed. */
void		 memtrim_free(struct memtrim *);

#endif
