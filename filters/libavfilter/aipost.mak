# aipost objects, included from libavfilter/Makefile (see patches/).
# Kernels shared by several filters are listed once per filter; FFmpeg's
# build sorts the object list, so each is compiled and linked once.

AIPOST_GRAIN = aipost/grain.o
ifeq ($(ARCH_X86),yes)
AIPOST_GRAIN += aipost/x86/grain_avx2.o
endif

OBJS-$(CONFIG_AIGRAIN_FILTER)   += vf_aigrain.o $(AIPOST_GRAIN)
OBJS-$(CONFIG_DUCKFLOOR_FILTER) += af_duckfloor.o aipost/duck.o
OBJS-$(CONFIG_QCDETECT_FILTER)  += vf_qcdetect.o aipost/qc.o aipost/plot.o aipost/png.o

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
