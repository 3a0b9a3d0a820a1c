# SPDX-License-Identifier: GPL-2.0-only
#
#   make               build kmod/minivirt.ko for the running kernel (or KDIR=...)
#   make check         every test: unit tests, module builds (W=1, sparse) for
#                      Debian 6.1 and 6.12, emulated SVM and VMX hosts
#   make sanitizer-kernel  build Linux 6.1 with KASAN, KFENCE, lockdep, UBSAN and
#                      kmemleak in build/sanitizer-kernel (once; check-full's
#                      svm:6.1-sanitizer cell boots it)
#   make demo          boot the emulated SVM host and show minivirt at work
#   make install       install the module for KDIR's kernel (then depmod)
#   make dkms-install  register with dkms: rebuilt for every kernel installed
#   make deps          install the Debian packages the tests need (root)
#
# check and demo install what they need first (apt-get, Debian 12).

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
BUILD := $(CURDIR)/build

all: module

module:
	@test -d "$(KDIR)" || { \
		echo "No kernel headers in $(KDIR): install linux-headers-$(KVER)," \
		     "or name a kernel build tree with KDIR=..."; exit 1; }
	$(MAKE) -C "$(KDIR)" M=$(CURDIR) modules

install: module
	$(MAKE) -C "$(KDIR)" M=$(CURDIR) modules_install
	depmod -a $(KVER)

dkms-install:
	rm -rf /usr/src/minivirt-$(VERSION)
	mkdir -p /usr/src/minivirt-$(VERSION)
	cp -r dkms.conf Kbuild kmod uapi /usr/src/minivirt-$(VERSION)/
	dkms install -m minivirt -v $(VERSION)

deps:
	tools/install-deps.sh

check: deps
	tools/check.sh $(CELLS)

# make check plus the qemu suite in the vmx cells, SLUB debugging there too,
# and the soak's 10^4 cycles (Bochs: hours, not CI's).
check-full: deps
	tools/check.sh --full $(CELLS)

demo: deps
	tools/demo.sh

bench: deps
	tools/bench.sh

selftests:
	$(MAKE) -C selftests O=$(BUILD)/selftests

sanitizer-kernel: deps
	tools/testhost/sanitizer-kernel.sh $(BUILD)/sanitizer-kernel

clean:
	-test -d "$(KDIR)" && $(MAKE) -C "$(KDIR)" M=$(CURDIR) clean
	$(MAKE) -C tests clean
	$(MAKE) -C tools/testhost clean
	rm -rf $(BUILD)

.PHONY: all module install dkms-install deps check check-full demo bench selftests \
	sanitizer-kernel clean
