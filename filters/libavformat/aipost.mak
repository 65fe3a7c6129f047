# aipost objects, included from libavformat/Makefile (see patches/).
# The provider protocols share one engine; FFmpeg's build sorts the object
# list, so the shared objects are compiled and linked once.

AIPOST_PROVIDER = aipost_provider.o aipost/provjson.o aipost/httpmsg.o

OBJS-$(CONFIG_RUNWAY_PROTOCOL)     += aipost_runway.o $(AIPOST_PROVIDER)
OBJS-$(CONFIG_LUMA_PROTOCOL)       += aipost_luma.o $(AIPOST_PROVIDER)
OBJS-$(CONFIG_KLING_PROTOCOL)      += aipost_kling.o $(AIPOST_PROVIDER)
OBJS-$(CONFIG_VEO_PROTOCOL)        += aipost_veo.o $(AIPOST_PROVIDER)
OBJS-$(CONFIG_SORA_PROTOCOL)       += aipost_sora.o $(AIPOST_PROVIDER)
OBJS-$(CONFIG_HAILUO_PROTOCOL)     += aipost_hailuo.o $(AIPOST_PROVIDER)
OBJS-$(CONFIG_ELEVENLABS_PROTOCOL) += aipost_elevenlabs.o $(AIPOST_PROVIDER)

# JSON through jansson, written by aipost's configure into the build folder.
-include aipost-config.mak
EXTRALIBS-avformat += $(AIPOST_AVFORMAT_EXTRALIBS)
