# ducker: `make demo` sets everything up and runs a container; `make test`
# sets everything up and runs the tests. Both must work on a fresh Debian
# machine as root.
SHELL := /bin/sh
NODE_BIN := node_modules/.bin
CFLAGS := -static -O2 -std=gnu11 -Wall -Wextra -Werror
DEB_PKGS := iptables iproute2 util-linux gcc libc6-dev busybox-static cgroup-tools curl file procps psmisc libcap2-bin attr
# the tests also need bats, and podman (with runc) for save/load interoperability
TEST_PKGS := bats podman runc bc jq
TS_SRC := $(shell find src test/unit -name '*.ts' 2>/dev/null)

.PHONY: all deps test-deps build image demo test unit bats bench clean docs

all: build image

deps:
	@$(MAKE) --no-print-directory install-pkgs PKGS="$(DEB_PKGS)"

test-deps:
	@$(MAKE) --no-print-directory install-pkgs PKGS="$(DEB_PKGS) $(TEST_PKGS)"

install-pkgs:
	@missing=$$(for p in $(PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

dist/ducker-init: helpers/ducker-init.c
	@mkdir -p dist
	gcc $(CFLAGS) -o $@ $<

dist/.tsc-stamp: node_modules/.package-lock.json $(TS_SRC) tsconfig.json
	$(NODE_BIN)/tsc -p tsconfig.json
	@touch $@

# The CLI runs from one esbuild bundle (fast start); tsc's output is for
# type-checking and the unit tests.
dist/ducker.mjs: dist/.tsc-stamp scripts/bundle.mjs
	node scripts/bundle.mjs

build: node_modules/.package-lock.json dist/ducker-init dist/.tsc-stamp dist/ducker.mjs

image:
	@sh scripts/prepare-image.sh

demo: deps build image
	./ducker --explain run --rm --name demo-$$$$ alpine sh -c 'cat /etc/os-release; echo; echo "hostname: $$(hostname)"; echo; ps'

unit: build
	node --test dist/test/unit/

bats: build image
	bats --print-output-on-failure test/bats

test: test-deps build image unit bats

bench: deps build image
	node bench/run.mjs

# README "How it works", from a real `ducker --explain run -d -p 20080:80 ...`
docs: build image
	sh scripts/docs.sh

clean:
	rm -rf dist
