/* SPDX-License-Identifier: ISC */
/*
 * jp-busprobe: the other end of jmap-pushd's D-Bus for the integration
 * tests, on the bus in $DBUS_SESSION_BUS_ADDRESS.  One line per event on
 * stdout, "ready" once listening.
 *
 *   jp-busprobe watch    prints org.jmappushd.Pushd1's signals and its
 *                        PropertiesChanged with every argument (items
 *                        of arrays of structs joined by ';', their
 *                        fields by '|'), and
 *                        "Signal MEMBER" for any other signal on its path
 *   jp-busprobe notifyd  a fake notification server: owns
 *                        org.freedesktop.Notifications and prints each
 *                        Notify call's arguments (actions as
 *                        "actions=N:KEY=LABEL;..." when there are any;
 *                        ids from 1, a replacement keeps the id)
 *                        and "CloseNotification id=N" for each
 *                        CloseNotification (answered with
 *                        NotificationClosed reason 3); GetCapabilities
 *                        answers $JP_NOTIFYD_CAPS (comma-separated,
 *                        default "body-markup").  Lines on stdin emit
 *                        signals: "invoke ID KEY" ActionInvoked, "closed
 *                        ID REASON" NotificationClosed.
 */
#include "autoconf.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

static void
die(const char *what, int r)
{
	fprintf(stderr, "jp-busprobe: %s: %s\n", what, strerror(-r));
	exit(1);
}

static int
print_changed(sd_bus_message *m)
{
	const char	*k, *v;
	int		 r, first = 1;

	if ((r = sd_bus_message_enter_container(m, 'a', "{ss}")) < 0)
		return r;
	while ((r = sd_bus_message_read(m, "{ss}", &k, &v)) > 0) {
		printf("%s%s:%s", first ? "" : ",", k, v);
		first = 0;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

static int
on_signal(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	const char	*member = sd_bus_message_get_member(m);
	const char	*a, *b, *c, *d, *e, *f, *contents;
	uint32_t	 u1, u2;
	int64_t		 x;
	char		 type;
	int		 r, bv;

	if (strcmp(member, "StateChanged") == 0) {
		if ((r = sd_bus_message_read(m, "ss", &a, &b)) < 0)
			return r;
		printf("StateChanged account=%s accountId=%s changed=", a, b);
		if ((r = print_changed(m)) < 0 ||
		    (r = sd_bus_message_read(m, "ss", &c, &d)) < 0)
			return r;
		printf(" pushState=%s reason=%s\n", c, d);
	} else if (strcmp(member, "MailboxesChanged") == 0) {
		if ((r = sd_bus_message_read(m, "ss", &a, &b)) < 0 ||
		    (r = sd_bus_message_enter_container(m, 'a', "(sssuu)")) < 0)
			return r;
		printf("MailboxesChanged account=%s accountId=%s mailboxes=", a,
		    b);
		for (int first = 1; (r = sd_bus_message_read(m, "(sssuu)", &a,
		    &b, &c, &u1, &u2)) > 0; first = 0)
			printf("%s%s|%s|%s|%u|%u", first ? "" : ";", a, b, c,
			    u1, u2);
		if (r < 0)
			return r;
		printf("\n");
	} else if (strcmp(member, "NewMail") == 0) {
		if ((r = sd_bus_message_read(m, "ss", &a, &b)) < 0 ||
		    (r = sd_bus_message_enter_container(m, 'a',
		    "(ssssssx)")) < 0)
			return r;
		printf("NewMail account=%s accountId=%s emails=", a, b);
		for (int first = 1; (r = sd_bus_message_read(m, "(ssssssx)",
		    &a, &b, &c, &d, &e, &f, &x)) > 0; first = 0)
			printf("%s%s|%s|%s|%s|%s|%s|%s", first ? "" : ";", a, b,
			    c, d, e, f, x > 1000000000 ? "TIME" : "0");
		if (r < 0)
			return r;
		printf("\n");
	} else if (strcmp(member, "ConnectionChanged") == 0) {
		if ((r = sd_bus_message_read(m, "sss", &a, &b, &c)) < 0)
			return r;
		printf("ConnectionChanged account=%s status=%s error=%s\n", a,
		    b, c);
	} else if (strcmp(member, "PropertiesChanged") == 0) {
		if ((r = sd_bus_message_read(m, "s", &a)) < 0 ||
		    (r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
			return r;
		printf("PropertiesChanged %s", a);
		while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
			int first = 1;

			if ((r = sd_bus_message_read(m, "s", &b)) < 0 ||
			    (r = sd_bus_message_peek_type(m, &type,
			    &contents)) < 0)
				return r;
			if (strcmp(contents, "b") == 0) {
				if ((r = sd_bus_message_read(m, "v", "b",
				    &bv)) < 0)
					return r;
				printf(" %s=%s", b, bv ? "true" : "false");
				sd_bus_message_exit_container(m);
				continue;
			}
			if (strcmp(contents, "t") == 0) {
				uint64_t t;

				if ((r = sd_bus_message_read(m, "v", "t",
				    &t)) < 0)
					return r;
				printf(" %s=%llu", b, (unsigned long long)t);
				sd_bus_message_exit_container(m);
				continue;
			}
			if (strcmp(contents, "u") == 0) {
				if ((r = sd_bus_message_read(m, "v", "u",
				    &u1)) < 0)
					return r;
				printf(" %s=%u", b, u1);
				sd_bus_message_exit_container(m);
				continue;
			}
			if ((r = sd_bus_message_enter_container(m, 'v',
			    "as")) < 0 ||
			    (r = sd_bus_message_enter_container(m, 'a',
			    "s")) < 0)
				return r;
			printf(" %s=", b);
			while ((r = sd_bus_message_read(m, "s", &c)) > 0) {
				printf("%s%s", first ? "" : ",", c);
				first = 0;
			}
			sd_bus_message_exit_container(m);
			sd_bus_message_exit_container(m);
			sd_bus_message_exit_container(m);
		}
		printf("\n");
	} else
		/* Any other signal on the path: a test's marker. */
		printf("Signal %s\n", member);
	return 0;
}

static int
read_hints(sd_bus_message *m, char *out, size_t len)
{
	const char	*key, *contents, *s;
	char		 type;
	uint8_t		 y;
	size_t		 off = 0;
	int		 r;

	out[0] = '\0';
	if ((r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		if ((r = sd_bus_message_read(m, "s", &key)) < 0 ||
		    (r = sd_bus_message_peek_type(m, &type, &contents)) < 0 ||
		    (r = sd_bus_message_enter_container(m, 'v', contents)) < 0)
			return r;
		if (strcmp(contents, "s") == 0) {
			sd_bus_message_read(m, "s", &s);
			off += (size_t)snprintf(out + off, len - off, "%s%s=%s",
			    off ? ";" : "", key, s);
		} else if (strcmp(contents, "y") == 0) {
			sd_bus_message_read(m, "y", &y);
			off += (size_t)snprintf(out + off, len - off, "%s%s=%u",
			    off ? ";" : "", key, y);
		} else {
			sd_bus_message_skip(m, contents);
			off += (size_t)snprintf(out + off, len - off,
			    "%s%s=(%s)", off ? ";" : "", key, contents);
		}
		sd_bus_message_exit_container(m);
		sd_bus_message_exit_container(m);
		if (off >= len)
			off = len - 1;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

static int
on_notify(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	static uint32_t	 next_id;
	const char	*app, *icon, *summary, *body, *action;
	uint32_t	 replaces;
	int32_t		 timeout;
	unsigned	 nactions = 0;
	char		 hints[1024], actions[1024] = "";
	size_t		 off = 0;
	int		 r;

	if ((r = sd_bus_message_read(m, "susss", &app, &replaces, &icon,
	    &summary, &body)) < 0 ||
	    (r = sd_bus_message_enter_container(m, 'a', "s")) < 0)
		return r;
	/* Pairs of key and label. */
	while ((r = sd_bus_message_read(m, "s", &action)) > 0) {
		off += (size_t)snprintf(actions + off, sizeof(actions) - off,
		    "%s%s", nactions == 0 ? ":" : nactions % 2 ? "=" : ";",
		    action);
		if (off >= sizeof(actions))
			off = sizeof(actions) - 1;
		nactions++;
	}
	if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0 ||
	    (r = read_hints(m, hints, sizeof(hints))) < 0 ||
	    (r = sd_bus_message_read(m, "i", &timeout)) < 0)
		return r;
	printf("Notify app=%s replaces=%u icon=%s summary=%s body=%s "
	    "actions=%u%s hints=%s timeout=%d\n", app, replaces, icon,
	    summary, body, nactions / 2, actions, hints, timeout);
	/* A replacement keeps its id, as the specification says. */
	return sd_bus_reply_method_return(m, "u", replaces != 0 ? replaces :
	    ++next_id);
}

static int
on_caps(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	sd_bus_message	*reply = NULL;
	const char	*env = getenv("JP_NOTIFYD_CAPS");
	char		*caps, *cap, *save;
	int		 r;

	caps = strdup(env != NULL ? env : "body-markup");
	if (caps == NULL)
		die("strdup", -ENOMEM);
	if ((r = sd_bus_message_new_method_return(m, &reply)) < 0 ||
	    (r = sd_bus_message_open_container(reply, 'a', "s")) < 0)
		goto out;
	for (cap = strtok_r(caps, ",", &save); cap != NULL;
	    cap = strtok_r(NULL, ",", &save))
		if ((r = sd_bus_message_append(reply, "s", cap)) < 0)
			goto out;
	if ((r = sd_bus_message_close_container(reply)) < 0)
		goto out;
	r = sd_bus_send(NULL, reply, NULL);
out:
	free(caps);
	sd_bus_message_unref(reply);
	return r;
}

static int
on_close(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	uint32_t	 id;
	int		 r;

	if ((r = sd_bus_message_read(m, "u", &id)) < 0)
		return r;
	printf("CloseNotification id=%u\n", id);
	if ((r = sd_bus_emit_signal(sd_bus_message_get_bus(m),
	    "/org/freedesktop/Notifications", "org.freedesktop.Notifications",
	    "NotificationClosed", "uu", id, 3u)) < 0)
		return r;
	return sd_bus_reply_method_return(m, "");
}

/* A line of stdin: a signal the test asks for. */
static void
notifyd_command(sd_bus *bus, const char *line)
{
	char		 key[256];
	unsigned	 id, reason;
	int		 r = 0;

	if (sscanf(line, "invoke %u %255s", &id, key) == 2)
		r = sd_bus_emit_signal(bus, "/org/freedesktop/Notifications",
		    "org.freedesktop.Notifications", "ActionInvoked", "us",
		    (uint32_t)id, key);
	else if (sscanf(line, "closed %u %u", &id, &reason) == 2)
		r = sd_bus_emit_signal(bus, "/org/freedesktop/Notifications",
		    "org.freedesktop.Notifications", "NotificationClosed",
		    "uu", (uint32_t)id, (uint32_t)reason);
	else
		fprintf(stderr, "jp-busprobe: unknown command: %s\n", line);
	if (r < 0)
		die("emit", r);
}

static int
on_info(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	return sd_bus_reply_method_return(m, "ssss", "jp-busprobe", "jmap-pushd",
	    "1", "1.2");
}

static const sd_bus_vtable notify_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Notify", "susssasa{sv}i", "u", on_notify, 0),
	SD_BUS_METHOD("GetCapabilities", "", "as", on_caps, 0),
	SD_BUS_METHOD("GetServerInformation", "", "ssss", on_info, 0),
	SD_BUS_METHOD("CloseNotification", "u", "", on_close, 0),
	SD_BUS_SIGNAL("ActionInvoked", "us", 0),
	SD_BUS_SIGNAL("NotificationClosed", "uu", 0),
	SD_BUS_VTABLE_END
};

/* Whatever stdin has now, each whole line a command; 0 at its end. */
static int
notifyd_read(sd_bus *bus)
{
	static char	 buf[4096];
	static size_t	 len;
	char		*nl;
	ssize_t		 n;

	if ((n = read(0, buf + len, sizeof(buf) - 1 - len)) <= 0)
		return n < 0 && errno == EINTR;
	len += (size_t)n;
	buf[len] = '\0';
	while ((nl = strchr(buf, '\n')) != NULL) {
		*nl = '\0';
		notifyd_command(bus, buf);
		len -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, len + 1);
	}
	if (len == sizeof(buf) - 1)
		len = 0;
	return 1;
}

int
main(int argc, char **argv)
{
	sd_bus	*bus = NULL;
	int	 r, stdin_open;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2 || (strcmp(argv[1], "watch") != 0 &&
	    strcmp(argv[1], "notifyd") != 0)) {
		fprintf(stderr, "usage: jp-busprobe watch | notifyd\n");
		return 2;
	}
	if ((r = sd_bus_open_user(&bus)) < 0)
		die("cannot connect to the session bus", r);
	if (strcmp(argv[1], "watch") == 0) {
		if ((r = sd_bus_add_match(bus, NULL, "type='signal',"
		    "path='/org/jmappushd/Pushd1'", on_signal, NULL)) < 0)
			die("AddMatch", r);
	} else {
		if ((r = sd_bus_add_object_vtable(bus, NULL,
		    "/org/freedesktop/Notifications",
		    "org.freedesktop.Notifications", notify_vtable,
		    NULL)) < 0)
			die("vtable", r);
		if ((r = sd_bus_request_name(bus,
		    "org.freedesktop.Notifications", 0)) < 0)
			die("RequestName", r);
	}
	/* watch reads no stdin; notifyd until its end. */
	stdin_open = strcmp(argv[1], "notifyd") == 0;
	printf("ready\n");
	for (;;) {
		struct pollfd	pfd[2];

		if ((r = sd_bus_process(bus, NULL)) < 0)
			die("process", r);
		if (r > 0)
			continue;
		if ((r = sd_bus_flush(bus)) < 0)
			die("flush", r);
		pfd[0].fd = sd_bus_get_fd(bus);
		pfd[0].events = (short)sd_bus_get_events(bus);
		pfd[1].fd = stdin_open ? 0 : -1;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			die("poll", -errno);
		if (stdin_open && (pfd[1].revents & (POLLIN | POLLHUP)) != 0)
			stdin_open = notifyd_read(bus);
	}
}
