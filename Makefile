# Thin wrappers; the scripts do the work.
#   make install [PREFIX=/usr/local] [DESTDIR=] [NETAUDIT_BINARY=path]
PREFIX ?= /usr/local
DESTDIR ?=
NETAUDIT_BINARY ?=
SWIFT_PATH := $(PATH):/opt/swift/usr/bin

.PHONY: build test install check-systemd

build:
	PATH="$(SWIFT_PATH)" swift build -c release --product netaudit

test:
	scripts/test

install:
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" NETAUDIT_BINARY="$(NETAUDIT_BINARY)" scripts/install

check-systemd:
	scripts/check-systemd $(NETAUDIT_BINARY)
