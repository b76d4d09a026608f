# SPDX-License-Identifier: ISC
src_libjmappushd_a_SOURCES += \
	src/util/log.c src/util/log.h \
	src/util/xmalloc.c src/util/xmalloc.h \
	src/util/proc.c src/util/proc.h \
	src/util/strv.c src/util/strv.h \
	src/util/busconn.c src/util/busconn.h \
	src/util/json.c src/util/json.h \
	src/util/utf8.c src/util/utf8.h \
	src/util/timeutil.c src/util/timeutil.h \
	src/util/xevent.c src/util/xevent.h \
	src/util/secret.c src/util/secret.h \
	src/util/memtrim.c src/util/memtrim.h \
	src/util/namemap.c src/util/namemap.h \
	src/util/rlimit.c src/util/rlimit.h
