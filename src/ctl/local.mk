# SPDX-License-Identifier: ISC
# jmap-pushctl: the command-line client of the daemon's control socket.  It
# reads the configuration (for the socket's path) and talks JSON, so it
# links those modules and json-c and inih only: no event loop, transport,
# sd-bus or OpenSSL (tests/ctl/link.sh checks).
bin_PROGRAMS += src/jmap-pushctl
src_jmap_pushctl_SOURCES = src/ctl/pushctl.c src/ctl/ctlconn.c \
	src/ctl/ctlconn.h src/ctl/watch.c src/ctl/watch.h \
	src/ctl/mailbar.c src/ctl/mailbar.h \
	src/config/config.c src/config/configobj.c src/config/keys.c \
	src/config/keysout.c \
	src/config/keysremote.c src/config/values.c \
	src/config/mailmatch.c \
	src/util/json.c src/util/log.c src/util/strv.c src/util/utf8.c \
	src/util/xmalloc.c src/util/namemap.c
src_jmap_pushctl_LDADD = $(JSONC_LIBS) $(INIH_LIBS)
dist_man1_MANS = man/jmap-pushctl.1
TESTS += tests/ctl/link.sh
EXTRA_DIST += tests/ctl/link.sh
