/* SPDX-License-Identifier: ISC */
/*
 * jp-bench-read: the benchmark's line reader. Reads lines from stdin, or
 * from the daemon's control socket with --unix PATH, and takes the time as
 * soon as read() returns, so the consumers it reads from are compared on
 * equal terms.
 *
 * For every line holding a stamp it prints "<seq> <sent ns> <seen ns>";
 * with --summary FIRST:LAST it prints nothing per line but counts the
 * stamps from FIRST to LAST and, once LAST came (or at end of input),
 * prints "<count> <last seq> <first seen ns> <last seen ns>" of those.
 * --summary FIRST:LAST:COUNT waits for COUNT such stamps instead (several
 * sessions each counting from 1).  In summary mode a stamp with seq 0 (a
 * probe: the consumer is listening) prints "probe" at once, and with
 * --warm N "warm" is printed once N stamps below FIRST came (every
 * session's warm-up push).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stamp.h"

#define BUFSIZE	(256 * 1024)

static int
read_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "jp-bench-read: %s: path too long\n", path);
		exit(2);
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "jp-bench-read: %s: %s\n", path,
		    strerror(errno));
		exit(1);
	}
	return fd;
}

int
main(int argc, char **argv)
{
	static char buf[BUFSIZE];
	size_t have = 0;
	long count = 0, want = 0, warm = 0, warmed = 0;
	bool summary = false;
	unsigned long long from = 0, to = 0;
	uint64_t seq, last_seq = 0;
	int64_t sent, seen, first = 0, last = 0;
	ssize_t n;
	int fd = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--unix") == 0 && i + 1 < argc)
			fd = read_connect(argv[++i]);
		else if (strcmp(argv[i], "--summary") == 0 && i + 1 < argc &&
		    sscanf(argv[++i], "%llu:%llu:%ld", &from, &to, &want) >= 2)
			summary = true;
		else if (strcmp(argv[i], "--warm") == 0 && i + 1 < argc)
			warm = atol(argv[++i]);
		else {
			fprintf(stderr, "usage: jp-bench-read [--unix PATH] "
			    "[--summary FIRST:LAST[:COUNT]] [--warm N]\n");
			return 2;
		}
	}
	if (fd != 0) {
		printf("ready\n");
		fflush(stdout);
	}
	while ((n = read(fd, buf + have, sizeof(buf) - have)) > 0) {
		char *line = buf, *nl;

		seen = stamp_now();
		have += (size_t)n;
		while ((nl = memchr(line, '\n', have - (size_t)(line - buf))) !=
		    NULL) {
			bool stamped = stamp_find(line,
			    (size_t)(nl - line), &seq, &sent);

			if (stamped && summary && seq == 0) {
				printf("probe\n");
				fflush(stdout);
			} else if (stamped && summary && seq < from &&
			    warm > 0 && ++warmed == warm) {
				printf("warm\n");
				fflush(stdout);
			}
			if (stamped && (!summary || (seq >= from && seq <= to))) {
				if (count++ == 0)
					first = seen;
				last = seen;
				last_seq = seq;
				if (!summary)
					printf("%llu %lld %lld\n",
					    (unsigned long long)seq,
					    (long long)sent, (long long)seen);
			}
			line = nl + 1;
		}
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
		if (have == sizeof(buf))
			have = 0;	/* a line longer than buf: not ours */
		if (!summary)
			fflush(stdout);
		else if (want > 0 ? count >= want : count > 0 && last_seq >= to)
			break;
	}
	if (summary)
		printf("%ld %llu %lld %lld\n", count,
		    (unsigned long long)last_seq, (long long)first,
		    (long long)last);
	return 0;
}
