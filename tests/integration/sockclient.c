/* SPDX-License-Identifier: ISC */
/*
 * A raw control-socket client for the integration tests:
 *   sockclient [-n N] [-r] [-s MS] SOCKET
 * sends its stdin to the socket as it comes and prints what the daemon sends;
 * exits after N lines received (-n), or when the daemon closes the
 * connection.  -s reads slowly: at most 4096 bytes at a time, then sleeps MS
 * milliseconds.  -r never reads from the socket (a stuck client): it holds the
 * connection until its stdin ends, then prints "eof" or "open" depending on
 * whether the daemon has closed it meanwhile.  A daemon that closes the
 * connection before taking stdin (a refused client) is still read.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct pollfd pfd[2];
	char buf[65536];
	struct timespec pause = { 0, 0 };
	long want = -1, got = 0, ms;
	size_t chunk = sizeof(buf);
	int ch, fd, noread = 0, in_open = 1;
	ssize_t n;

	while ((ch = getopt(argc, argv, "n:rs:")) != -1)
		switch (ch) {
		case 'n':
			want = strtol(optarg, NULL, 10);
			break;
		case 'r':
			noread = 1;
			break;
		case 's':
			ms = strtol(optarg, NULL, 10);
			pause.tv_sec = ms / 1000;
			pause.tv_nsec = ms % 1000 * 1000000;
			chunk = 4096;
			break;
		default:
			return 2;
		}
	if (optind != argc - 1 || strlen(argv[optind]) >= sizeof(sun.sun_path))
		return 2;
	signal(SIGPIPE, SIG_IGN);
	strcpy(sun.sun_path, argv[optind]);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "sockclient: %s: %s\n", argv[optind],
		    strerror(errno));
		return 1;
	}
	if (noread) {
		while ((n = read(0, buf, sizeof(buf))) > 0)
			;
		/* The daemon's queue is in the kernel buffer: skip it. */
		while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			;
		printf("%s\n", n == 0 ? "eof" : "open");
		return 0;
	}
	for (;;) {
		pfd[0].fd = in_open ? 0 : -1;
		pfd[0].events = POLLIN;
		pfd[1].fd = fd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (pfd[0].revents) {
			if ((n = read(0, buf, sizeof(buf))) <= 0)
				in_open = 0;
			else if (write(fd, buf, (size_t)n) != n) {
				/* Refused: what the daemon said is still to
				 * be read. */
				if (errno != EPIPE)
					return 1;
				in_open = 0;
			}
		}
		if (pfd[1].revents) {
			if ((n = read(fd, buf, chunk)) <= 0)
				return 0;
			for (ssize_t i = 0; i < n; i++) {
				putchar(buf[i]);
				if (buf[i] == '\n') {
					fflush(stdout);
					if (++got == want)
						return 0;
				}
			}
			if (pause.tv_sec != 0 || pause.tv_nsec != 0)
				nanosleep(&pause, NULL);
		}
	}
}
