# jmap-pushctl: the command-line client of the daemon's control socket.
bin_PROGRAMS += src/jmap-pushctl
src_jmap_pushctl_SOURCES = src/ctl/pushctl.c
dist_man1_MANS = man/jmap-pushctl.1
