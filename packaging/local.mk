# SPDX-License-Identifier: ISC
# Packages.  make install puts the example configuration where the Debian
# and RPM packages have it; "make deb" builds the Debian package from a
# release tarball, so that it also proves the tarball complete.
doc_DATA = README.md
exampledir = $(docdir)/examples
example_DATA = etc/jmap-pushd.conf.example

DEBIAN_FILES = \
	packaging/debian/changelog \
	packaging/debian/control \
	packaging/debian/jmap-pushd.postinst \
	packaging/debian/copyright \
	packaging/debian/rules \
	packaging/debian/source/format
EXTRA_DIST += $(DEBIAN_FILES) packaging/rpm/jmap-pushd.spec packaging/test-deb.sh

# dpkg-buildpackage wants debian/ at the top of the source tree and writes
# the packages next to it: unpack the tarball in deb-build/, copy
# packaging/debian there, build, and bring the .deb files back here.
# DEB_BUILD_OPTIONS=nocheck skips make check inside the package build.
deb: dist-gzip
	rm -rf deb-build
	$(MKDIR_P) deb-build
	tar -C deb-build -xzf $(distdir).tar.gz
	cp -R deb-build/$(distdir)/packaging/debian deb-build/$(distdir)/debian
	cd deb-build/$(distdir) && dpkg-buildpackage -us -uc -b
	@if command -v lintian >/dev/null; then \
		echo "lintian deb-build/*.changes"; \
		lintian --fail-on error deb-build/*.changes || exit 1; \
	else \
		echo "lintian is not installed: packages not checked"; \
	fi
	mv deb-build/*.deb .
	rm -rf deb-build
.PHONY: deb

# Installs the .deb built by make deb on this machine, checks it, removes it.
deb-test:
	$(SHELL) $(srcdir)/packaging/test-deb.sh
.PHONY: deb-test
CLEANFILES += jmap-pushd_*.deb jmap-pushd-dbgsym_*.deb
