# aipost: FFmpeg with the aipost filters compiled in.
#
#   make            build FFmpeg + aipost into build/bin, build/lib
#   make check      unit tests (Check) and filtergraph tests on the built ffmpeg
#   make bench      side-by-side benchmarks against stock FFmpeg chains
#   make demo       the sample pipeline on bundled media
#   make install    copy build/{bin,lib,include} to $(PREFIX)
#   make check SANITIZE=address,undefined
#                   the same tests on a sanitised build (build/san/)

TOP   := $(CURDIR)
BUILD := $(TOP)/build

.DEFAULT_GOAL := all

# 'make check' on a fresh clone configures with defaults first.
config.mk:
	./configure

-include config.mk

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SANITIZE ?=

TREE := $(BUILD)/ffmpeg-$(FFMPEG_SERIES)/tree
ifeq ($(SANITIZE),)
OBJ   := $(BUILD)/ffmpeg-$(FFMPEG_SERIES)/obj
STAGE := $(BUILD)
SAN_FLAGS :=
else
OBJ   := $(BUILD)/ffmpeg-$(FFMPEG_SERIES)/obj-san
STAGE := $(BUILD)/san
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

FFCC := $(if $(filter yes,$(CCACHE)),ccache $(CC),$(CC))
# Hits across checkouts in other folders (CI clones anew).
export CCACHE_BASEDIR := $(TOP)
export CCACHE_NOHASHDIR := 1

# Executables find their libraries in ../lib wherever the tree is installed.
# The escaping survives FFmpeg's configure (one eval) and make (one $).
RPATH_FLAGS := -Wl,--disable-new-dtags -Wl,-rpath,\\\$$\$$ORIGIN/../lib

PATCHES := $(wildcard patches/ffmpeg-$(FFMPEG_SERIES)/*.patch)

.PHONY: all ffmpeg check unit graph bench demo install clean distclean patches-check

all: ffmpeg

$(TREE)/.prepared: $(PATCHES) config.mk tools/prepare-tree.sh
	tools/prepare-tree.sh "$(FFMPEG_SRC)" $(FFMPEG_SERIES) $(TREE)
	touch $@

$(OBJ)/ffbuild/config.mak: $(TREE)/.prepared config.mk
	mkdir -p $(OBJ)
	cd $(OBJ) && $(TREE)/configure --prefix=$(STAGE) $(FFMPEG_FLAGS) \
	    --cc="$(FFCC)" \
	    --extra-cflags="$(EXTRA_CFLAGS) $(AIPOST_CFLAGS) $(SAN_FLAGS)" \
	    --extra-ldflags="$(EXTRA_LDFLAGS) $(SAN_FLAGS)" \
	    --extra-ldexeflags='$(RPATH_FLAGS)' \
	    $(if $(SAN_FLAGS),--disable-stripping) > configure.log 2>&1 || \
	    { tail -30 $(OBJ)/configure.log; exit 1; }
	echo "AIPOST_EXTRALIBS = $(AIPOST_EXTRALIBS)" > $(OBJ)/aipost-config.mak
	echo "AIPOST_AVFORMAT_EXTRALIBS = $(AIPOST_AVFORMAT_EXTRALIBS)" >> $(OBJ)/aipost-config.mak

ffmpeg: $(OBJ)/ffbuild/config.mak
	tools/prepare-tree.sh --link $(TREE)
	$(MAKE) -C $(OBJ) -j$(JOBS) V=$(V)
	$(MAKE) -C $(OBJ) install V=$(V) >/dev/null
	@echo "built: $(STAGE)/bin/ffmpeg (FFmpeg $(FFMPEG_SERIES) with aipost)"

# ------------------------------------------------------------------ tests
TEST_CFLAGS := -std=c17 -O2 -g -Wall -Wextra $(SAN_FLAGS) -Ifilters/libavfilter -Ifilters/libavformat
TEST_BIN := $(BUILD)/tests$(if $(SANITIZE),-san)
# Every kernel (templates are included by their kernel, not compiled alone);
# unit tests link them all, without FFmpeg.
# The provider protocols' kernels (filters/libavformat/aipost) use jansson.
KERNEL_SRC := $(filter-out %_tmpl.c,$(wildcard filters/libavfilter/aipost/*.c filters/libavfilter/aipost/x86/*.c \
                                               filters/libavformat/aipost/*.c))
KERNEL_DEPS := $(KERNEL_SRC) $(wildcard filters/libavfilter/aipost/*.h filters/libavfilter/aipost/*_tmpl.c \
                                        filters/libavformat/aipost/*.h)
KERNEL_LIBS := $(AIPOST_AVFORMAT_EXTRALIBS) -lm

$(TEST_BIN)/unit/%: tests/unit/%.c $(KERNEL_DEPS) $(wildcard tests/common/*.h)
	mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(KERNEL_SRC) $$(pkg-config --cflags --libs check) $(KERNEL_LIBS) $(UNIT_LIBS)

# The OpenCL kernels' unit test reads the .cl sources and needs a device
# (PoCL in CI); built only with OpenCL.
$(TEST_BIN)/unit/test_grain_opencl: UNIT_LIBS = -DAIP_CL_SOURCE_DIR='"$(TOP)/filters/libavfilter"' -lOpenCL
$(TEST_BIN)/unit/test_grain_opencl: $(wildcard filters/libavfilter/opencl/*.cl)

# Tools link the kernels too (levelplot meters with the K-weighting).
$(TEST_BIN)/tools/%: tests/tools/%.c $(KERNEL_DEPS) $(wildcard tests/common/*.h)
	mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(KERNEL_SRC) $(KERNEL_LIBS)

UNIT_TESTS := $(patsubst tests/unit/%.c,$(TEST_BIN)/unit/%,$(wildcard tests/unit/test_*.c))
ifneq ($(ENABLE_OPENCL),yes)
UNIT_TESTS := $(filter-out %/test_grain_opencl,$(UNIT_TESTS))
endif
TOOLS := $(patsubst tests/tools/%.c,$(TEST_BIN)/tools/%,$(wildcard tests/tools/*.c))

check: ffmpeg $(UNIT_TESTS) $(TOOLS)
	AIPOST_BIN=$(STAGE)/bin AIPOST_TOOLS=$(TEST_BIN)/tools AIPOST_UNIT=$(TEST_BIN)/unit \
	AIPOST_SANITIZE=$(SANITIZE) tests/run.sh

unit: $(UNIT_TESTS)
	AIPOST_UNIT=$(TEST_BIN)/unit tests/run.sh unit

patches-check:
	tools/genpatches.sh --check "$(FFMPEG_SRC)" $(FFMPEG_SERIES)

bench: ffmpeg $(TOOLS)
	AIPOST_BIN=$(STAGE)/bin AIPOST_TOOLS=$(TEST_BIN)/tools bench/run.sh

demo: ffmpeg $(TOOLS)
	AIPOST_BIN=$(STAGE)/bin AIPOST_TOOLS=$(TEST_BIN)/tools samples/pipeline.sh

install: ffmpeg
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include
	cp -P $(STAGE)/bin/ffmpeg $(STAGE)/bin/ffprobe $(DESTDIR)$(PREFIX)/bin/
	cp -P $(STAGE)/lib/*.so* $(DESTDIR)$(PREFIX)/lib/
	cp -R $(STAGE)/include/. $(DESTDIR)$(PREFIX)/include/
	mkdir -p $(DESTDIR)$(PREFIX)/lib/pkgconfig
	for pc in $(STAGE)/lib/pkgconfig/*.pc; do \
	    sed 's|^prefix=.*|prefix=$(PREFIX)|; s|$(STAGE)|$(PREFIX)|g' $$pc > $(DESTDIR)$(PREFIX)/lib/pkgconfig/$$(basename $$pc); \
	done
	@echo "installed FFmpeg $(FFMPEG_SERIES) with aipost in $(DESTDIR)$(PREFIX)"

clean:
	rm -rf $(BUILD)/ffmpeg-*/obj $(BUILD)/ffmpeg-*/obj-san $(BUILD)/tests $(BUILD)/tests-san \
	       $(BUILD)/bin $(BUILD)/lib $(BUILD)/include $(BUILD)/share $(BUILD)/san $(BUILD)/out

distclean: clean
	rm -rf $(BUILD) config.mk
