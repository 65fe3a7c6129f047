# aipost objects, included from libavfilter/Makefile (see patches/).
# Kernels shared by several filters are listed once per filter; FFmpeg's
# build sorts the object list, so each is compiled and linked once.

AIPOST_GRAIN = aipost/grain.o
ifeq ($(ARCH_X86),yes)
AIPOST_GRAIN += aipost/x86/grain_avx2.o
endif

AIPOST_RESAMPLE = aipost/resample.o
ifeq ($(ARCH_X86),yes)
AIPOST_RESAMPLE += aipost/x86/resample_avx2.o
endif

AIPOST_SALIENCY = aipost/saliency.o aipost/skintone.o
ifeq ($(ARCH_X86),yes)
AIPOST_SALIENCY += aipost/x86/saliency_avx2.o
endif

AIPOST_TONECURVE = aipost/tonecurve.o
ifeq ($(ARCH_X86),yes)
AIPOST_TONECURVE += aipost/x86/tonecurve_avx2.o
endif

OBJS-$(CONFIG_AIGRAIN_FILTER)   += vf_aigrain.o aigrain.o $(AIPOST_GRAIN)
OBJS-$(CONFIG_DUCKFLOOR_FILTER) += af_duckfloor.o aipost/duck.o
OBJS-$(CONFIG_QCDETECT_FILTER)  += vf_qcdetect.o aipost/qc.o aipost/plot.o aipost/png.o
OBJS-$(CONFIG_SOCIALPREP_FILTER) += vf_socialprep.o $(AIPOST_GRAIN) $(AIPOST_RESAMPLE) $(AIPOST_SALIENCY) \
                                    $(AIPOST_TONECURVE) aipost/campath.o

# OpenCL variants (configure dependency "opencl" in parts.list). Each links
# FFmpeg's opencl.o, our aipost_opencl.o and its kernels as C strings.
AIPOST_OPENCL = opencl.o aipost_opencl.o opencl/aipost.o
OBJS-$(CONFIG_AIGRAIN_OPENCL_FILTER) += vf_aigrain_opencl.o aigrain.o $(AIPOST_GRAIN) aipost/grain_cl.o \
                                        $(AIPOST_OPENCL) opencl/aigrain.o opencl/counter_rng_h.o
SKIPHEADERS-$(CONFIG_OPENCL) += aipost_opencl.h

# Kernel sources become C strings, as FFmpeg's own opencl/*.cl do, but by
# our rule, so that it holds whatever a release does with its kernels:
# opencl/NAME.cl -> opencl/NAME.c defining ff_source_NAME_cl, and the pure-C
# kernel headers the kernels share with the CPU filters (aipost/NAME.h ->
# opencl/NAME_h.c, ff_source_NAME_h).
AIPOST_CL_KERNELS = aipost aigrain
AIPOST_CL_HEADERS = counter_rng
AIPOST_SOURCE2C = { echo "/* Generated from $< by aipost.mak */"; \
                    echo "const char *ff_source_$(subst .,_,$(notdir $<)) ="; \
                    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
                    echo ";"; } > $@
$(AIPOST_CL_KERNELS:%=$(SUBDIR)opencl/%.c): TAG = OPENCL
$(AIPOST_CL_KERNELS:%=$(SUBDIR)opencl/%.c): $(SUBDIR)opencl/%.c: $(SRC_PATH)/$(SUBDIR)opencl/%.cl
	$(M)$(AIPOST_SOURCE2C)
$(AIPOST_CL_HEADERS:%=$(SUBDIR)opencl/%_h.c): TAG = OPENCL
$(AIPOST_CL_HEADERS:%=$(SUBDIR)opencl/%_h.c): $(SUBDIR)opencl/%_h.c: $(SRC_PATH)/$(SUBDIR)aipost/%.h
	$(M)$(AIPOST_SOURCE2C)

# Analysis kernels shared by filters that follow content (skintexture,
# socialprep): 8-bit pyramids, block matching, skin likelihood.
AIPOST_MOTION = aipost/pyramid.o aipost/motion.o
ifeq ($(ARCH_X86),yes)
AIPOST_MOTION += aipost/x86/motion_avx2.o
endif

AIPOST_SKINTEX = aipost/skintex.o
ifeq ($(ARCH_X86),yes)
AIPOST_SKINTEX += aipost/x86/skintex_avx2.o
endif

OBJS-$(CONFIG_SKINTEXTURE_FILTER) += vf_skintexture.o aipost/skinmask.o $(AIPOST_SKINTEX) \
                                     $(AIPOST_MOTION) $(AIPOST_GRAIN)

# Libraries our filters link (libplacebo even where FFmpeg's own
# vf_libplacebo is off), written by aipost's configure into the build folder.
-include aipost-config.mak
EXTRALIBS-avfilter += $(AIPOST_EXTRALIBS)
