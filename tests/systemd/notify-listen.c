/* SPDX-License-Identifier: ISC */
/*
 * A stand-in for systemd's notification socket: binds a datagram socket at
 * PATH, prints "listening", then prints each datagram it receives as a line.
 * Exits when stdout goes away or after 60 s without a datagram, so that a
 * failed test never leaves it behind.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define IDLE_SECONDS	60

int
main(int argc, char **argv)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	struct timeval		 tv = { .tv_sec = IDLE_SECONDS };
	char			 buf[4096];
	ssize_t			 n;
	int			 fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: notify-listen PATH (shorter than %zu)\n",
		    sizeof(sun.sun_path));
		return 2;
	}
	strcpy(sun.sun_path, argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1) {
		fprintf(stderr, "notify-listen: %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	if (printf("listening\n") < 0 || fflush(stdout) == EOF)
		return 1;
	for (;;) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "notify-listen: %s\n", errno == EAGAIN ?
			    "idle for too long" : strerror(errno));
			return 1;
		}
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n ||
		    putchar('\n') == EOF || fflush(stdout) == EOF)
			return 1;
	}
}
