src_libjmappushd_a_SOURCES += \
	src/daemon/daemon.c src/daemon/daemon.h
