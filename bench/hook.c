/* SPDX-License-Identifier: ISC */
/*
 * jp-bench-hook OUT TYPE: the benchmark's hook. Takes the time first thing,
 * then appends "<seq> <sent ns> <start ns>" for the stamp in JMAP_STATE_TYPE
 * to OUT (a FIFO the bench reads), and drains its stdin so the daemon never
 * sees a broken pipe.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stamp.h"

int
main(int argc, char **argv)
{
	int64_t start = stamp_now(), sent = 0;
	uint64_t seq = 0;
	char name[128], line[128], buf[4096];
	const char *v;
	int fd, len;

	if (argc != 3) {
		fprintf(stderr, "usage: jp-bench-hook OUT TYPE\n");
		return 2;
	}
	snprintf(name, sizeof(name), "JMAP_STATE_%s", argv[2]);
	if ((v = getenv(name)) == NULL ||
	    !stamp_parse(v, strlen(v), &seq, &sent))
		seq = 0;
	len = snprintf(line, sizeof(line), "%llu %lld %lld\n",
	    (unsigned long long)seq, (long long)sent, (long long)start);
	if ((fd = open(argv[1], O_WRONLY | O_APPEND)) == -1 ||
	    write(fd, line, (size_t)len) != len) {
		perror(argv[1]);
		return 1;
	}
	close(fd);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}
