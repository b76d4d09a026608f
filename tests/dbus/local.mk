# SPDX-License-Identifier: ISC
# The D-Bus peer of the integration tests: signal watcher and fake
# notification server.
check_PROGRAMS += tests/dbus/jp-busprobe
tests_dbus_jp_busprobe_SOURCES = tests/dbus/busprobe.c
tests_dbus_jp_busprobe_LDADD = $(DEP_LIBS)
EXTRA_DIST += tests/dbus/private-bus.conf.in
