# SPDX-License-Identifier: GPL-2.0
#
# framegate: `make` builds everything, `make check` runs every test in a
# QEMU guest on the pinned kernel, `make demo` shows two sessions live,
# `make bench` prints delivery ratios, `make lint` runs checkpatch + sparse.
# Run scripts/setup once first (it installs what all of this needs).

KVER		?= 6.1.0-56-amd64
KDIR		?= /usr/src/linux-headers-$(KVER)
TOP		:= $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
CACHE		:= $(TOP)/.cache
KSRC		:= $(CACHE)/linux-source
SELFTESTS	:= $(KSRC)/tools/testing/selftests
CHECKPATCH	:= $(KSRC)/scripts/checkpatch.pl
QEMU_RUN	:= $(TOP)/tests/qemu/run

CC		?= gcc
CFLAGS		?= -O2 -g
TEST_CFLAGS	:= $(CFLAGS) -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
		   -I$(TOP)/uapi -I$(TOP)/daemon -isystem $(SELFTESTS) \
		   $(shell pkg-config --cflags libnl-genl-3.0)
TEST_LIBS	:= $(TOP)/daemon/libframegate.a \
		   $(shell pkg-config --libs libnl-genl-3.0)

TEST_SRCS	:= $(wildcard $(TOP)/tests/*_test.c)
TEST_BINS	:= $(patsubst $(TOP)/tests/%.c,$(TOP)/tests/build/%,$(TEST_SRCS))
TEST_UTIL	:= $(TOP)/tests/fgtest.c
TOOL_BINS	:= $(TOP)/tests/build/fgbench $(TOP)/tests/build/fgdemo

KMOD_SRCS	:= $(wildcard $(TOP)/kmod/*.c $(TOP)/kmod/*.h) \
		   $(TOP)/uapi/linux/framegate.h $(TOP)/Kbuild

.PHONY: all module daemon tests check demo bench lint clean

all: module daemon tests

# W=1 must stay silent: any warning fails the build.
module: $(TOP)/framegate.ko
$(TOP)/framegate.ko: $(KMOD_SRCS)
	@$(MAKE) -C $(KDIR) M=$(TOP) W=1 modules 2>&1 | tee $(TOP)/.build.log
	@if grep -E 'warning:|error:' $(TOP)/.build.log; then \
		echo "framegate.ko: the build is not warning-free" >&2; exit 1; fi
	@test -f $@

daemon:
	@$(MAKE) -C $(TOP)/daemon

tests: daemon $(TEST_BINS) $(TOOL_BINS)

$(TOP)/tests/build/%: $(TOP)/tests/%.c $(TEST_UTIL) $(TOP)/tests/fgtest.h \
		$(TOP)/daemon/libframegate.a $(TOP)/uapi/linux/framegate.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(TEST_UTIL) $(TEST_LIBS)

$(TOP)/daemon/libframegate.a: daemon

check: all
	$(TOP)/tests/check

demo: all
	$(QEMU_RUN) --timeout 600 -- $(TOP)/scripts/demo-guest

bench: all
	$(QEMU_RUN) --timeout 1500 -- $(TOP)/scripts/bench-guest

lint:
	perl $(CHECKPATCH) --strict --no-tree --terse -q --show-types \
		-f $(KMOD_SRCS) > $(TOP)/.lint.log || true
	@cat $(TOP)/.lint.log
	@if grep -qvE '^total: 0 errors, 0 warnings, 0 checks' $(TOP)/.lint.log; \
		then echo "checkpatch: findings" >&2; exit 1; fi
	@$(MAKE) -C $(KDIR) M=$(TOP) C=2 CF=-D__CHECK_ENDIAN__ modules \
		2>&1 | tee $(TOP)/.sparse.log
	@if grep -E 'warning:|error:' $(TOP)/.sparse.log; then \
		echo "sparse: findings" >&2; exit 1; fi
	@echo "lint: checkpatch --strict and sparse are clean"

clean:
	@$(MAKE) -C $(KDIR) M=$(TOP) clean
	@$(MAKE) -C $(TOP)/daemon clean
	rm -rf $(TOP)/tests/build $(TOP)/.build.log $(TOP)/.lint.log $(TOP)/.sparse.log
