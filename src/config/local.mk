src_libjmappushd_a_SOURCES += \
	src/config/config.c src/config/config.h
