src_libjmappushd_a_SOURCES += \
	src/util/log.c src/util/log.h \
	src/util/xmalloc.c src/util/xmalloc.h
src_libjmappushd_a_SOURCES += \
	src/util/proc.c src/util/proc.h
