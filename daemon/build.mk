# SPDX-License-Identifier: MIT
#
# What every Makefile under daemon/ shares: the compiler flags, the
# libraries libframegate needs, SAN=1 (AddressSanitizer and UBSan) and the
# rebuild when any of CC, CFLAGS, LDFLAGS or SAN changes (.flags). The
# including Makefile sets d, its own directory, first, and defines all.

daemon	:= $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
top	:= $(abspath $(daemon)/..)
lib	:= $(daemon)/lib

CFLAGS	?= -O2 -g
NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0)
NL_LIBS	:= $(shell pkg-config --libs libnl-genl-3.0)
BPF_CFLAGS := $(shell pkg-config --cflags libbpf)
BPF_LIBS := $(shell pkg-config --libs libbpf)
SEALED_LIBS := $(shell pkg-config --libs libcrypto)

FG_CFLAGS := -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
	     -I$(top)/uapi -I$(top)/bpf -I$(lib) $(NL_CFLAGS) $(BPF_CFLAGS)
ifeq ($(SAN),1)
FG_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
endif

ifeq ($(filter clean,$(MAKECMDGOALS)),)
ifeq ($(NL_LIBS),)
$(error libnl-genl-3.0 not found; apt-get install libnl-genl-3-dev)
endif
ifeq ($(BPF_LIBS),)
$(error libbpf not found; apt-get install libbpf-dev)
endif
ifeq ($(SEALED_LIBS),)
$(error libcrypto not found; apt-get install libssl-dev)
endif
endif

COMPILE	= $(CC) $(CPPFLAGS) $(CFLAGS) $(FG_CFLAGS)
LINK	= $(CC) $(CFLAGS) $(FG_CFLAGS) $(LDFLAGS)

# The library, its public headers, and what a program links with it.
LIBFG	:= $(lib)/libframegate.a
LIBFG_HEADERS := $(lib)/libframegate.h $(lib)/enforce.h $(lib)/sealed.h \
		 $(top)/uapi/linux/framegate.h $(top)/bpf/cell.h
LIBFG_LIBS := $(BPF_LIBS) $(NL_LIBS)

.DEFAULT_GOAL := all

$(d)/.flags: FORCE
	@echo '$(COMPILE) $(LINK)' | cmp -s - $@ || echo '$(COMPILE) $(LINK)' > $@

$(d)/%.o: $(d)/%.c $(LIBFG_HEADERS) $(d)/.flags
	$(COMPILE) -c -o $@ $<

.PHONY: FORCE
