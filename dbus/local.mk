# SPDX-License-Identifier: ISC
# The system bus policy for org.jmappushd.Pushd1 (dbus = system), with the
# group of --with-dbus-group substituted at make time.
dbuspolicydir = $(datadir)/dbus-1/system.d
dbuspolicy_DATA = dbus/org.jmappushd.Pushd1.conf
CLEANFILES += dbus/org.jmappushd.Pushd1.conf
EXTRA_DIST += dbus/org.jmappushd.Pushd1.conf.in

dbus/org.jmappushd.Pushd1.conf: dbus/org.jmappushd.Pushd1.conf.in Makefile
	$(AM_V_GEN)$(MKDIR_P) dbus && \
	sed -e 's|@DBUS_GROUP[@]|$(DBUS_GROUP)|g' \
	    $(srcdir)/dbus/org.jmappushd.Pushd1.conf.in >$@.tmp && mv $@.tmp $@
