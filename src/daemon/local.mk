# SPDX-License-Identifier: ISC
src_libjmappushd_a_SOURCES += \
	src/daemon/daemon.c src/daemon/daemon.h \
	src/daemon/wakeup.c src/daemon/wakeup.h
