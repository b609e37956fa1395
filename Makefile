# SPDX-License-Identifier: GPL-2.0
#
# framegate: `make` builds everything, `make check` runs every test in a
# QEMU guest on the pinned kernel (`make check-rt`, `make check-debug`: on its
# PREEMPT_RT build, on a KASAN + lockdep + kmemleak build of its source),
# `make demo` shows two sessions live,
# `make bench` prints delivery ratios, `make lint` runs checkpatch + sparse,
# `make unit` and `make fuzz` test libframegate's parsers on the host,
# `make check-fault` runs the fault suites and `make fuzz-kernel` the kernel
# fuzzer in a guest (tests/fault-guest).
# scripts/setup (what all of this needs) runs first by itself when it has
# not run on this machine.

TOP		:= $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
include $(TOP)/scripts/kernel-versions
KDIR		?= /usr/src/linux-headers-$(KVER)
CACHE		:= $(TOP)/.cache

# A fresh machine (or a changed scripts/setup): run it before anything
# else, since the pkg-config calls below need what it installs. Its last
# step writes the stamp of its own version. Not for `make clean`.
SETUP_STAMP	:= $(CACHE)/.setup-$(shell sha256sum <$(TOP)/scripts/setup | cut -c1-16)
ifeq ($(filter-out clean,$(or $(MAKECMDGOALS),all)),)
else ifeq ($(wildcard $(SETUP_STAMP)),)
$(info make: scripts/setup has not run here, or has changed since: running it)
$(shell $(TOP)/scripts/setup >&2)
ifneq ($(.SHELLSTATUS),0)
$(error scripts/setup failed)
endif
endif
KSRC		:= $(CACHE)/linux-source
SELFTESTS	:= $(KSRC)/tools/testing/selftests
CHECKPATCH	:= $(KSRC)/scripts/checkpatch.pl
QEMU_RUN	:= $(TOP)/tests/qemu/run

CC		?= gcc
# libframegate (daemon/lib), which the tests, tools and programs link.
LIBFG		:= $(TOP)/daemon/lib/libframegate.a
FGD_DIR		:= $(TOP)/daemon/framegated
CFLAGS		?= -O2 -g
TEST_CFLAGS	:= $(CFLAGS) -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
		   -I$(TOP) -I$(TOP)/uapi -I$(TOP)/daemon/lib -isystem $(SELFTESTS) \
		   $(shell pkg-config --cflags libnl-genl-3.0 libbpf liburing)
# The cell tests use the loader (enforce.h: libbpf) and io_uring (liburing).
TEST_LIBS	:= $(LIBFG) \
		   $(shell pkg-config --libs libnl-genl-3.0 libbpf liburing)

TEST_SRCS	:= $(wildcard $(TOP)/tests/*_test.c)
TEST_BINS	:= $(patsubst $(TOP)/tests/%.c,$(TOP)/tests/build/%,$(TEST_SRCS))
TEST_UTIL	:= $(TOP)/tests/fgtest.c
TOOL_BINS	:= $(TOP)/tests/build/fgbench $(TOP)/tests/build/fgsessions \
		   $(TOP)/tests/build/fgjpegloop
# The fault suites and the kernel fuzzer (tests/fault-guest), apart from
# the suites tests/run-guest runs.
FAULT_SRCS	:= $(wildcard $(TOP)/tests/fault/*.c)
FAULT_BINS	:= $(patsubst $(TOP)/tests/%.c,$(TOP)/tests/build/%,$(FAULT_SRCS))

KMOD_SRCS	:= $(wildcard $(TOP)/kmod/*.c $(TOP)/kmod/*.h) \
		   $(TOP)/uapi/linux/framegate.h $(TOP)/Kbuild

.PHONY: all module daemon tests check check-rt check-debug check-fault \
	fuzz-kernel demo bench lint clean FORCE

all: module daemon tests

# W=1 must stay silent: any warning fails the build. The kfuncs need module
# BTF, which Debian's headers cannot give (no vmlinux): scripts/module-btf
# adds it on every `make`, so a framegate.ko relinked by any other kbuild
# run (make lint) gets it too. Without BTF the build fails.
VMLINUX		:= $(CACHE)/kernel/boot/vmlinux-$(KVER)
RESOLVE_BTFIDS	:= $(CACHE)/resolve_btfids/resolve_btfids

# $(call kbuild,KDIR,DIR): framegate.ko in DIR against KDIR, W=1, log in
# DIR/.build.log; a warning fails.
define kbuild
	+@$(MAKE) -C $(1) M=$(2) W=1 modules 2>&1 | tee $(2)/.build.log
	@if grep -E 'warning:|error:' $(2)/.build.log; then \
		echo "$(2)/framegate.ko: the build is not warning-free" >&2; exit 1; fi
	@test -f $(2)/framegate.ko
endef

module: $(TOP)/framegate.ko $(RESOLVE_BTFIDS)
	@$(TOP)/scripts/module-btf $< $(VMLINUX) $(RESOLVE_BTFIDS)
$(TOP)/framegate.ko: $(KMOD_SRCS)
	$(call kbuild,$(KDIR),$(TOP))

# The module for the other kernel flavours: the same sources (KMOD_SRCS,
# mtimes kept), copied into .cache/build/FLAVOUR/ and built there against
# that kernel's tree, W=1 and BTF as above. kbuild runs every time and finds
# out itself what is out of date: a changed source, or another KDIR (its
# command lines change). The
# debug kernel's tree has vmlinux and resolve_btfids, so kbuild adds the BTF
# itself and module-btf only checks it.
KDIR_rt		:= /usr/src/linux-headers-$(KVER_RT)
BTF_BASE_rt	:= $(CACHE)/kernel-rt/boot/vmlinux-$(KVER_RT)
DEBUG_KERNEL	 = $(shell $(TOP)/scripts/debug-kernel --dir)
KDIR_debug	 = $(DEBUG_KERNEL)/src
BTF_BASE_debug	 = $(DEBUG_KERNEL)/src/vmlinux

$(CACHE)/build/%/framegate.ko: FORCE $(RESOLVE_BTFIDS)
	@mkdir -p $(@D)
	@cd $(TOP) && cp -a --parents $(KMOD_SRCS:$(TOP)/%=%) $(@D)/
	$(call kbuild,$(KDIR_$*),$(@D))
	@$(TOP)/scripts/module-btf $@ $(BTF_BASE_$*) $(RESOLVE_BTFIDS)

# Built (25 to 55 minutes) the first time, then taken from its cache.
$(CACHE)/build/debug/framegate.ko: debug-kernel
.PHONY: debug-kernel
debug-kernel:
	@$(TOP)/scripts/debug-kernel >/dev/null

# resolve_btfids from linux-source-6.1 (tools/bpf), extracted by setup.
$(RESOLVE_BTFIDS):
	@mkdir -p $(dir $@)
	$(MAKE) -C $(KSRC)/tools/bpf/resolve_btfids OUTPUT=$(dir $@) >/dev/null

daemon: $(LIBFG)

# The sub-make decides whether the library is out of date; make looks at
# its time again after the recipe, so the tests relink only when it changed
# (and never against the one from before a parallel sub-make ran).
$(LIBFG): FORCE
	@$(MAKE) -C $(TOP)/daemon

tests: daemon $(TEST_BINS) $(TOOL_BINS) $(FAULT_BINS) \
	$(TOP)/tests/build/framegated-hooks/framegated

# framegated with its test hooks (-T, FRAMEGATED_TEST_HOOKS), from the same
# sources, for tests/framegated-faults.sh; the release binary has none.
$(TOP)/tests/build/framegated-hooks/framegated: FORCE $(LIBFG)
	@$(MAKE) --no-print-directory -C $(FGD_DIR) HOOKS=1 O=$(dir $@)

# The encoder bound of scripts/bench-daemon-guest: the worker's encoder,
# and its sealer and the verifier's opener (daemon/lib/sealed.c).
$(TOP)/tests/build/fgjpegloop: $(TOP)/tests/fgjpegloop.c \
		$(FGD_DIR)/encode.c $(FGD_DIR)/encode.h \
		$(TOP)/daemon/lib/sealed.c $(TOP)/daemon/lib/sealed.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
		-I$(FGD_DIR) -I$(TOP)/daemon/lib -o $@ $< $(FGD_DIR)/encode.c \
		$(TOP)/daemon/lib/sealed.c -lturbojpeg -lcrypto

$(TOP)/tests/build/%: $(TOP)/tests/%.c $(TEST_UTIL) $(TOP)/tests/fgtest.h \
		$(LIBFG) $(TOP)/uapi/linux/framegate.h \
		$(TOP)/daemon/lib/enforce.h $(TOP)/bpf/cell.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(TEST_UTIL) $(TEST_LIBS)

# Host tests of libframegate's parsers, no kernel and no VM: `make unit` runs
# tests/unit under ASan+UBSan, `make fuzz` each tests/fuzz target for
# FUZZ_SECONDS. Each writes "PASSED FAILED" to a summary for tests/check.
FUZZ_SECONDS	?= 20
FUZZ_CC		?= clang
UNIT_DIR	:= $(TOP)/tests/build/unit
FUZZ_DIR	:= $(TOP)/tests/build/fuzz
UNIT_CFLAGS	:= -O1 -g -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
		   -I$(TOP)/uapi -I$(TOP)/daemon/lib -I$(TOP)/tests/unit \
		   $(shell pkg-config --cflags libnl-genl-3.0)
UNIT_SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
UNIT_LIBS	:= $(shell pkg-config --libs libnl-genl-3.0)
UNIT_LIBFG	:= $(TOP)/daemon/lib/libframegate.c \
		   $(TOP)/daemon/lib/libframegate.h \
		   $(TOP)/daemon/lib/libframegate-internal.h \
		   $(TOP)/uapi/linux/framegate.h
UNIT_KMSG	:= $(TOP)/tests/unit/kmsg.c $(TOP)/tests/unit/kmsg.h
UNIT_BINS	:= $(patsubst $(TOP)/tests/unit/%.c,$(UNIT_DIR)/%, \
		   $(wildcard $(TOP)/tests/unit/*_test.c))
FUZZ_BINS	:= $(patsubst $(TOP)/tests/fuzz/%.c,$(FUZZ_DIR)/%, \
		   $(wildcard $(TOP)/tests/fuzz/fuzz_*.c))

.PHONY: unit fuzz

unit: $(UNIT_BINS)
	@$(TOP)/tests/unit/run $(UNIT_DIR)/summary $(UNIT_BINS)

$(UNIT_BINS): $(UNIT_DIR)/%: $(TOP)/tests/unit/%.c $(UNIT_KMSG) $(UNIT_LIBFG)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) $(UNIT_SAN) -isystem $(SELFTESTS) -o $@ $< \
		$(TOP)/tests/unit/kmsg.c $(TOP)/daemon/lib/libframegate.c $(UNIT_LIBS)

fuzz: $(FUZZ_BINS) $(FUZZ_DIR)/seeds/.stamp
	@$(TOP)/tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_DIR) $(FUZZ_BINS)

$(FUZZ_BINS): $(FUZZ_DIR)/%: $(TOP)/tests/fuzz/%.c $(UNIT_LIBFG) \
		$(wildcard $(TOP)/tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(UNIT_CFLAGS) $(UNIT_SAN) -fsanitize=fuzzer -o $@ $< \
		$(TOP)/daemon/lib/libframegate.c $(UNIT_LIBS)

# framegated's configuration (daemon/framegated/config.c, libinih):
# config_test links the parser and runs framegated -n, built with the
# sanitizers into $(UNIT_DIR)/framegated (not over the daemon's own build),
# with fake_v4l2.so preloaded for cameras the host lacks; fuzz_config links
# the parser, its seeds come from the shipped example (mkconfigseeds);
# log_test links log.c; encode_test links encode.c (TurboJPEG) and decodes
# with djpeg; uplink_test links uplink.c (libcurl) and PUTs to an nginx it
# starts on 127.0.0.1.
LIB_SEALED	:= $(TOP)/daemon/lib/sealed.c $(TOP)/daemon/lib/sealed.h
FGD_SRCS	:= $(FGD_DIR)/config.c $(FGD_DIR)/config.h $(LIB_SEALED)
FGD_LIBS	:= $(FGD_DIR)/config.c $(shell pkg-config --libs inih) \
		   $(TOP)/daemon/lib/sealed.c $(shell pkg-config --libs libcrypto)
FAKE_V4L2	:= $(TOP)/tests/unit/fake_v4l2.c $(TOP)/tests/unit/fake_v4l2.h

unit: $(UNIT_DIR)/framegated/framegated $(UNIT_DIR)/fake_v4l2.so
$(UNIT_DIR)/framegated/framegated: FORCE
	@$(MAKE) --no-print-directory -C $(FGD_DIR) SAN=1 O=$(dir $@)
$(UNIT_DIR)/fake_v4l2.so: $(TOP)/tests/unit/fake_v4l2_preload.c $(FAKE_V4L2)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -shared -fPIC -o $@ $< $(TOP)/tests/unit/fake_v4l2.c -ldl
$(UNIT_DIR)/config_test: UNIT_CFLAGS += -I$(FGD_DIR)
$(UNIT_DIR)/config_test: UNIT_LIBS += $(TOP)/tests/unit/fake_v4l2.c $(FGD_LIBS)
$(UNIT_DIR)/config_test: $(FGD_SRCS) $(FAKE_V4L2)
$(UNIT_DIR)/log_test: UNIT_CFLAGS += -I$(FGD_DIR)
$(UNIT_DIR)/log_test: UNIT_LIBS += $(FGD_DIR)/log.c
$(UNIT_DIR)/log_test: $(FGD_DIR)/log.c $(FGD_DIR)/log.h
$(UNIT_DIR)/encode_test: UNIT_CFLAGS += -I$(FGD_DIR)
$(UNIT_DIR)/encode_test: UNIT_LIBS += $(FGD_DIR)/encode.c \
	$(shell pkg-config --libs libturbojpeg)
$(UNIT_DIR)/encode_test: $(FGD_DIR)/encode.c $(FGD_DIR)/encode.h
$(UNIT_DIR)/uplink_test: UNIT_CFLAGS += -I$(FGD_DIR)
$(UNIT_DIR)/uplink_test: UNIT_LIBS += $(FGD_DIR)/uplink.c \
	$(shell pkg-config --libs libcurl)
$(UNIT_DIR)/uplink_test: $(FGD_DIR)/uplink.c $(FGD_DIR)/uplink.h

# Sealed frames: sealed_test links the library's sealed.c (libcrypto) and
# runs tests/sealed/sealed.py, Python's own implementation of the format;
# fuzz_sealed drives the opener's parser and checks.
$(UNIT_DIR)/sealed_test $(FUZZ_DIR)/fuzz_sealed: UNIT_LIBS += \
	$(TOP)/daemon/lib/sealed.c $(shell pkg-config --libs libcrypto)
$(UNIT_DIR)/sealed_test $(FUZZ_DIR)/fuzz_sealed: $(LIB_SEALED)
$(UNIT_DIR)/sealed_test: $(TOP)/tests/sealed/vectors.txt \
	$(TOP)/tests/sealed/sealed.py

# The parent<->worker messages: proc_test links proc.c, fuzz_proc drives
# its checks (proc_check() and the worker's and parent's order checks).
FGD_PROC	:= $(FGD_DIR)/proc.c $(FGD_DIR)/proc.h
$(UNIT_DIR)/proc_test $(FUZZ_DIR)/fuzz_proc: UNIT_CFLAGS += -I$(FGD_DIR)
$(UNIT_DIR)/proc_test $(FUZZ_DIR)/fuzz_proc: UNIT_LIBS += $(FGD_DIR)/proc.c
$(UNIT_DIR)/proc_test $(FUZZ_DIR)/fuzz_proc: $(FGD_PROC)

# The control socket: control_test links its messages (control.c) and the
# daemon's end (control_server.c, which logs), fuzz_control drives
# control_check() and the client's reader.
FGD_CONTROL	:= $(FGD_DIR)/control.c $(FGD_DIR)/control.h
$(UNIT_DIR)/control_test $(FUZZ_DIR)/fuzz_control: UNIT_CFLAGS += -I$(FGD_DIR)
$(UNIT_DIR)/control_test $(FUZZ_DIR)/fuzz_control: UNIT_LIBS += $(FGD_DIR)/control.c
$(UNIT_DIR)/control_test $(FUZZ_DIR)/fuzz_control: $(FGD_CONTROL)
$(UNIT_DIR)/control_test: UNIT_LIBS += $(FGD_DIR)/control_server.c \
	$(FGD_DIR)/log.c
$(UNIT_DIR)/control_test: $(FGD_DIR)/control_server.c $(FGD_DIR)/parent.h \
	$(FGD_DIR)/log.c

# The worker's sandbox: sandbox_test (ASan, like every unit test) runs
# sandbox_helper, which links sandbox.c without sanitizers, whose runtimes
# make syscalls the seccomp filter kills.
FGD_SANDBOX	:= $(FGD_DIR)/sandbox.c $(FGD_DIR)/sandbox.h $(FGD_DIR)/log.c \
		   $(FGD_DIR)/log.h
unit: $(UNIT_DIR)/sandbox_helper
$(UNIT_DIR)/sandbox_test: $(UNIT_DIR)/sandbox_helper
$(UNIT_DIR)/sandbox_helper: $(TOP)/tests/unit/sandbox_helper.c $(FGD_SANDBOX)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -I$(FGD_DIR) -o $@ $< $(FGD_DIR)/sandbox.c \
		$(FGD_DIR)/log.c $(shell pkg-config --libs libseccomp)

fuzz: $(FUZZ_DIR)/seeds/fuzz_config/.stamp
$(FUZZ_DIR)/fuzz_config: UNIT_CFLAGS += -I$(FGD_DIR)
$(FUZZ_DIR)/fuzz_config: UNIT_LIBS += $(FGD_LIBS)
$(FUZZ_DIR)/fuzz_config: $(FGD_SRCS)
# fuzz_sealed: the unchanged object of its odd mode, and each test vector
# (tests/sealed/vectors.txt) as a raw object.
fuzz: $(FUZZ_DIR)/seeds/fuzz_sealed/.stamp
$(FUZZ_DIR)/seeds/fuzz_sealed/.stamp: $(FUZZ_DIR)/seeds/.stamp \
		$(TOP)/tests/sealed/vectors.txt
	@mkdir -p $(dir $@)
	printf '\001' >$(dir $@)unchanged
	n=0; sed -n 's/^object = //p' $(TOP)/tests/sealed/vectors.txt | \
		tr a-f A-F | while read -r hex; do n=$$((n + 1)); \
			{ printf '\000'; echo "$$hex" | basenc -d --base16; } \
				>$(dir $@)vector$$n || exit 1; done
	@touch $@

# After the netlink seeds: their rule starts by emptying seeds/.
$(FUZZ_DIR)/seeds/fuzz_config/.stamp: $(FUZZ_DIR)/seeds/.stamp \
		$(TOP)/tests/fuzz/mkconfigseeds $(FGD_DIR)/framegated.conf
	$(TOP)/tests/fuzz/mkconfigseeds $(FGD_DIR)/framegated.conf $(dir $@)
	@touch $@

# Seeds: every message kmod/netlink.c sends, as tests/unit/kmsg.c builds it.
$(FUZZ_DIR)/seeds/.stamp: $(FUZZ_DIR)/mkcorpus
	rm -rf $(FUZZ_DIR)/seeds && mkdir -p $(FUZZ_DIR)/seeds/fuzz_netlink
	$(FUZZ_DIR)/mkcorpus $(FUZZ_DIR)/seeds/fuzz_netlink
	@touch $@

$(FUZZ_DIR)/mkcorpus: $(TOP)/tests/fuzz/mkcorpus.c \
		$(TOP)/tests/fuzz/fuzz_netlink.h $(UNIT_KMSG) $(UNIT_LIBFG)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(TOP)/tests/unit/kmsg.c

# unit and fuzz first: a failure there stops make before any VM boots.
check: all unit fuzz
	FG_HOST_SUMMARIES="$(UNIT_DIR)/summary $(FUZZ_DIR)/summary" \
		$(TOP)/tests/check

# The guest suite on another kernel, with that kernel's framegate.ko; the
# host tests (unit, fuzz) do not depend on the kernel and run in check only.
check-rt check-debug: check-%: daemon tests $(CACHE)/build/%/framegate.ko
	FG_MODULE=$(CACHE)/build/$*/framegate.ko $(TOP)/tests/check --flavour $*

# The fault suites (tests/fault-guest) and the kernel fuzzer, each in a
# guest of its own, on FAULT_FLAVOUR's kernel (default debug: fault
# injection needs it, the alloc suite skips without it, and the fuzzer is
# worth most under KASAN and lockdep) with that kernel's framegate.ko.
# FAULT_QEMU_ARGS go to tests/qemu/run as well.
FAULT_FLAVOUR	?= debug
FAULT_MODULE	 = $(if $(filter release,$(FAULT_FLAVOUR)),$(TOP)/framegate.ko,$(CACHE)/build/$(FAULT_FLAVOUR)/framegate.ko)
FAULT_QEMU_ARGS	?=
FAULT_SUITES	?=
FUZZ_MINUTES	?= 2
FUZZ_SEED	?=
check-fault: all $(FAULT_MODULE)
	$(QEMU_RUN) --flavour $(FAULT_FLAVOUR) $(FAULT_QEMU_ARGS) --timeout 2400 \
		--out $(CACHE)/out-fault -- env FG_MODULE=$(FAULT_MODULE) \
		$(TOP)/tests/fault-guest $(FAULT_SUITES); \
	$(TOP)/tests/guest-totals $$? $(CACHE)/out-fault

fuzz-kernel: all $(FAULT_MODULE)
	$(QEMU_RUN) --flavour $(FAULT_FLAVOUR) $(FAULT_QEMU_ARGS) \
		--timeout $$(( $(FUZZ_MINUTES) * 60 + 600 )) \
		--out $(CACHE)/out-fuzz -- env FG_MODULE=$(FAULT_MODULE) \
		FUZZ_MINUTES=$(FUZZ_MINUTES) FUZZ_SEED=$(FUZZ_SEED) \
		$(TOP)/tests/fault-guest fuzz; \
	$(TOP)/tests/guest-totals $$? $(CACHE)/out-fuzz

demo: all
	$(QEMU_RUN) --timeout 600 -- $(TOP)/scripts/demo-guest

# Three guests. Wall clock: 2 vCPUs, everything. Instruction clock: QEMU's
# icount makes each guest instruction take 1 ns of guest time (1 vCPU:
# icount hangs bringing up a second one on QEMU 7.2), so the enforcement
# ratios, and framegated's worker against TurboJPEG alone
# (scripts/bench-daemon-guest), count instructions, free of the host's
# noise.
BENCH_OUT	?= $(CACHE)/bench
bench: all
	$(QEMU_RUN) --timeout 2400 --out $(BENCH_OUT)/wall -- \
		$(TOP)/scripts/bench-guest
	$(QEMU_RUN) --timeout 2400 --out $(BENCH_OUT)/icount --icount 0 \
		--smp 1 -- $(TOP)/scripts/bench-guest -E -r 5
	$(QEMU_RUN) --timeout 2400 --out $(BENCH_OUT)/daemon --icount 0 \
		--smp 1 -- $(TOP)/scripts/bench-daemon-guest

# The unit, as installed but with the binary of this tree (systemd-analyze
# verify checks that the commands exist; any warning, an unknown key say,
# is a finding).
UNIT_CHECK_DIR	:= $(CACHE)/unit-check

lint: $(LIBFG)
	@rm -rf $(UNIT_CHECK_DIR) && mkdir -p $(UNIT_CHECK_DIR)
	sed 's|/usr/sbin/framegated|$(TOP)/daemon/framegated/framegated|' \
		$(TOP)/daemon/framegated/framegated.service \
		> $(UNIT_CHECK_DIR)/framegated.service
	@out=$$(systemd-analyze verify --man=no \
		$(UNIT_CHECK_DIR)/framegated.service 2>&1); echo "$$out"; \
		[ -z "$$out" ] || { echo "framegated.service: findings" >&2; exit 1; }
	mandoc -T lint -W warning $(TOP)/daemon/framegated/framegated.8 \
		$(TOP)/daemon/framegated/framegated.conf.5 \
		$(TOP)/daemon/framegate-open/framegate-open.1
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

# Not kbuild's clean (make M=$(TOP) clean): that deletes every *.ko below
# $(TOP), the modules of the test kernels in .cache/ too.
KMOD_OUTPUTS	:= framegate.ko framegate.o framegate.mod framegate.mod.c \
		   framegate.mod.o Module.symvers modules.order
clean:
	cd $(TOP) && rm -f $(KMOD_OUTPUTS) .*.cmd kmod/*.o kmod/.*.cmd
	@$(MAKE) -C $(TOP)/daemon clean
	@$(MAKE) -C $(TOP)/daemon/framegated clean
	rm -rf $(TOP)/tests/build $(TOP)/.build.log $(TOP)/.lint.log $(TOP)/.sparse.log \
		$(CACHE)/build
