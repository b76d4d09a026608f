# SPDX-License-Identifier: ISC
# systemd units: the per-user service and its control socket, and the
# hardened system-wide service.  --with-systemd{system,user}unitdir=no skips
# installing them; they are generated all the same for the tests.
SYSTEMD_UNITS = systemd/jmap-pushd.service systemd/jmap-pushd-system.service
if HAVE_SYSTEMD_USER
systemduserunit_DATA = systemd/jmap-pushd.service systemd/jmap-pushd.socket
AM_DISTCHECK_CONFIGURE_FLAGS += \
	--with-systemduserunitdir=$$dc_install_base/$(systemduserunitdir)
else
AM_DISTCHECK_CONFIGURE_FLAGS += --with-systemduserunitdir=no
endif
if HAVE_SYSTEMD_SYSTEM
systemdsystemunit_DATA = systemd/jmap-pushd-system.service
AM_DISTCHECK_CONFIGURE_FLAGS += \
	--with-systemdsystemunitdir=$$dc_install_base/$(systemdsystemunitdir)
else
AM_DISTCHECK_CONFIGURE_FLAGS += --with-systemdsystemunitdir=no
endif
check_DATA = $(SYSTEMD_UNITS)
CLEANFILES += $(SYSTEMD_UNITS)
EXTRA_DIST += systemd/jmap-pushd.service.in systemd/jmap-pushd-system.service.in \
	systemd/jmap-pushd.socket

# Paths are substituted at make time, so that make bindir=... works.
edit_unit = sed -e 's|@bindir[@]|$(bindir)|g'
systemd/jmap-pushd.service: systemd/jmap-pushd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	$(edit_unit) $(srcdir)/systemd/jmap-pushd.service.in >$@.tmp && mv $@.tmp $@
systemd/jmap-pushd-system.service: systemd/jmap-pushd-system.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	$(edit_unit) $(srcdir)/systemd/jmap-pushd-system.service.in >$@.tmp && mv $@.tmp $@

check_PROGRAMS += tests/systemd/notify-listen
tests_systemd_notify_listen_SOURCES = tests/systemd/notify-listen.c
tests_systemd_notify_listen_LDADD =
SYSTEMD_TESTS = tests/systemd/units.sh tests/systemd/notify.sh
TESTS += $(SYSTEMD_TESTS)
EXTRA_DIST += $(SYSTEMD_TESTS)
