# SPDX-License-Identifier: ISC
src_libjmappushd_a_SOURCES += \
	src/state/queuefile.c src/state/queuefile.h \
	src/state/store.c src/state/store.h \
	src/state/statedir.c src/state/statedir.h \
	src/state/storeparse.c src/state/storeparse.h
