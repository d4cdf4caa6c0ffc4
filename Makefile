# Thin wrappers; the scripts do the work.
#   make install [PREFIX=/usr/local] [DESTDIR=] [NETAUDIT_BINARY=path]
#   make deb [DEB_OUTPUT=dist]        # netaudit_VERSION_amd64.deb (scripts/package-deb)
PREFIX ?= /usr/local
DESTDIR ?=
NETAUDIT_BINARY ?=
DEB_OUTPUT ?= dist
SWIFT_PATH := $(PATH):/opt/swift/usr/bin

.PHONY: build test install check-systemd deb check-deb

# --static-swift-stdlib: the build scripts/install, scripts/demo and scripts/package-deb
# make (the flag is in every compile command: builds with and without it do not share).
build:
	PATH="$(SWIFT_PATH)" swift build -c release --product netaudit --static-swift-stdlib

test:
	scripts/test

install:
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" NETAUDIT_BINARY="$(NETAUDIT_BINARY)" scripts/install

check-systemd:
	scripts/check-systemd $(NETAUDIT_BINARY)

deb:
	scripts/package-deb --output "$(DEB_OUTPUT)"

# Installs the package in an overlay root and purges it again (root).
check-deb: deb
	scripts/check-deb "$(DEB_OUTPUT)"/netaudit_*_amd64.deb
