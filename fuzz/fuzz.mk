# SPDX-License-Identifier: MIT
# Builds the fuzz targets (docs/FUZZING.md) from the library's sources, for
# fuzz/run and tests/fuzz/test_fuzz_regressions.sh:
#
#   make -f fuzz/fuzz.mk OUT=DIR [MODE=fuzz|replay] [SANITIZE=...] [TARGET...]
#
# MODE=fuzz (default): clang, libFuzzer, AddressSanitizer and UBSan.
# MODE=replay: the same harnesses with fuzz/replay_main.c instead of
#   libFuzzer, built with $(CC) (any C compiler) and $(SANITIZE) (default
#   AddressSanitizer and UBSan; SANITIZE= for none).
# Every target is DIR/<target>; objects go to DIR/obj. strict-<target>
# builds DIR/strict/<target> with -DFUZZ_STRICT=1: known bugs not tolerated
# (fuzz/fuzz.h, KNOWN_BUG).

SRC := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
OUT ?= $(SRC)/build/fuzz
MODE ?= fuzz
OBJ := $(OUT)/obj

TARGETS := fuzz_frame fuzz_value fuzz_hub fuzz_app fuzz_json
# The library, with fuzz/fake_clock.c for its clock.c.
LIB_SOURCES := $(filter-out %/clock.c,$(wildcard $(SRC)/cnanostate/lib/*.c))
# The CLI's JSON mapping, for fuzz_json only.
CLI_SOURCES := $(SRC)/cnanostate/cli/json_value.c $(SRC)/cnanostate/cli/base64.c

PKGS := msgpack nanomsg jansson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS)) -lm

SANITIZE ?= -fsanitize=address,undefined -fno-sanitize-recover=undefined
ifeq ($(MODE),fuzz)
ifeq ($(origin CC),default)
CC := clang
endif
COMPILE_SAN := $(SANITIZE) -fsanitize=fuzzer-no-link
LINK_SAN := $(SANITIZE) -fsanitize=fuzzer
DRIVER :=
else
COMPILE_SAN := $(SANITIZE)
LINK_SAN := $(SANITIZE)
DRIVER := $(OBJ)/replay_main.o
endif

CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Wno-unused-parameter \
    $(COMPILE_SAN) -I$(SRC)/cnanostate/include -I$(SRC)/cnanostate/lib -I$(SRC)/cnanostate/cli \
    -I$(SRC)/fuzz $(PKG_CFLAGS) -MMD -MP

obj_of = $(patsubst %.c,$(OBJ)/$(1)/%.o,$(notdir $(2)))
LIB_OBJECTS := $(call obj_of,lib,$(LIB_SOURCES)) $(OBJ)/fuzz/fake_clock.o
CLI_OBJECTS := $(call obj_of,cli,$(CLI_SOURCES))

.PHONY: all
all: $(TARGETS)

.PHONY: $(TARGETS) $(TARGETS:%=strict-%)
$(TARGETS): %: $(OUT)/%
$(TARGETS:%=strict-%): strict-%: $(OUT)/strict/%

$(OUT)/fuzz_json $(OUT)/strict/fuzz_json: $(CLI_OBJECTS)

$(OUT)/strict/%: $(OBJ)/fuzz-strict/%.o $(LIB_OBJECTS) $(DRIVER)
	@mkdir -p $(dir $@)
	$(CC) $(LINK_SAN) -o $@ $(filter %.o,$^) $(PKG_LIBS)

$(OUT)/%: $(OBJ)/fuzz/%.o $(LIB_OBJECTS) $(DRIVER)
	$(CC) $(LINK_SAN) -o $@ $(filter %.o,$^) $(PKG_LIBS)

$(OBJ)/lib/%.o: $(SRC)/cnanostate/lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(OBJ)/cli/%.o: $(SRC)/cnanostate/cli/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(OBJ)/fuzz/%.o: $(SRC)/fuzz/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(OBJ)/fuzz-strict/%.o: $(SRC)/fuzz/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DFUZZ_STRICT=1 -c -o $@ $<

$(OBJ)/replay_main.o: $(SRC)/fuzz/replay_main.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# Objects are shared by the targets: keep them between builds.
.SECONDARY:

-include $(wildcard $(OBJ)/*/*.d)
