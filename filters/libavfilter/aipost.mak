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

OBJS-$(CONFIG_AIGRAIN_FILTER)   += vf_aigrain.o $(AIPOST_GRAIN)
OBJS-$(CONFIG_DUCKFLOOR_FILTER) += af_duckfloor.o aipost/duck.o
OBJS-$(CONFIG_QCDETECT_FILTER)  += vf_qcdetect.o aipost/qc.o aipost/plot.o aipost/png.o
OBJS-$(CONFIG_SOCIALPREP_FILTER) += vf_socialprep.o $(AIPOST_GRAIN) $(AIPOST_RESAMPLE) $(AIPOST_SALIENCY) \
                                    $(AIPOST_TONECURVE) aipost/campath.o

# Libraries our filters link (libplacebo even where FFmpeg's own
# vf_libplacebo is off), written by aipost's configure into the build folder.
-include aipost-config.mak
EXTRALIBS-avfilter += $(AIPOST_EXTRALIBS)
