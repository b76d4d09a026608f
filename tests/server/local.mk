# SPDX-License-Identifier: ISC
# The project's own JMAP test server (libwebsockets server role), used by the
# integration tests and `make demo`.
check_PROGRAMS += tests/server/jmap-testserver
tests_server_jmap_testserver_SOURCES = \
	tests/server/testserver.h \
	tests/server/main.c \
	tests/server/http.c \
	tests/server/control.c \
	tests/server/fault.c \
	tests/server/ws.c \
	tests/server/api.c \
	tests/server/eventsource.c \
	tests/server/endless.c \
	tests/server/mail.h \
	tests/server/mail.c \
	tests/server/mbox.c \
	tests/server/email.c \
	tests/server/mailctl.c \
	tests/server/state.c \
	tests/server/burst.c \
	tests/server/scale.c
tests_server_jmap_testserver_LDADD = src/libjmappushd.a $(DEP_LIBS)
EXTRA_DIST += tests/server/README.md
