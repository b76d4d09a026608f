src_libjmappushd_a_SOURCES += \
	src/output/hook.c src/output/hook.h
