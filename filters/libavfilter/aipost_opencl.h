/*
 * What the aipost _opencl filters share, on top of FFmpeg's opencl.h: the
 * kernel sources, the way a software format lies in the images of an
 * OpenCL frame, input checks that say what to do, and the program build
 * with the common prelude (opencl/aipost.cl).
 *
 * An _opencl variant of a CPU filter keeps the CPU filter's options and
 * per-stream state in a shared glue unit (aigrain.h for aigrain), so both
 * read the same options and keys; its kernels redo the C reference's
 * integer arithmetic per pixel and are tested bit-exact against it.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AVFILTER_AIPOST_OPENCL_H
#define AVFILTER_AIPOST_OPENCL_H

/* The kernels and host code are OpenCL 1.2, as FFmpeg's opencl.h. */
#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif

#include "libavutil/bprint.h"
#include "libavutil/pixfmt.h"

#include "avfilter.h"
#include "opencl.h"

/* Kernel sources as C strings, made at build time by aipost.mak from
 * opencl/NAME.cl (ff_source_NAME_cl) and from the pure-C kernel headers
 * the kernels share with the CPU filters (ff_source_NAME_h). */
extern const char *ff_source_aipost_cl;
extern const char *ff_source_aigrain_cl;
extern const char *ff_source_counter_rng_h;

/* One image of an OpenCL frame. */
typedef struct AIPOpenCLImage {
    int first;                  /* plane of the CPU filter its channel 0 is */
    int channels;               /* 1, or 2 where Cb and Cr are interleaved */
    int shift_x, shift_y;       /* log2 subsampling against the luma image */
} AIPOpenCLImage;

/* How the samples of a software format lie in an OpenCL frame's images. */
typedef struct AIPOpenCLLayout {
    enum AVPixelFormat sw_format;
    int nb_images;
    AIPOpenCLImage image[4];
    int depth;                  /* bits of a sample */
    int sample_shift;           /* stored code value >> this = sample (P010: 6) */
    int unorm_max;              /* 255 or 65535: the images' normalisation */
} AIPOpenCLLayout;

/* Software formats with a layout: 8-bit and 16-bit planar YUV, GBR and
 * gray, and NV12/P010-style interleaved chroma (8, 10, 12, 16 bit): what
 * FFmpeg's OpenCL hwcontext can carry (samples in the high bits of 8- or
 * 16-bit channels; no yuv420p10, whose samples are in the low bits; the
 * interleaved ones where the device has two-channel images, not PoCL).
 * Full range is a frame's colour_range, as for the CPU filters (yuvj*
 * formats arrive as yuv* with range=pc). Terminated by AV_PIX_FMT_NONE. */
extern const enum AVPixelFormat ff_aipost_opencl_sw_formats[];

/**
 * Layout of sw_format; fails, naming the formats that work, for one
 * outside ff_aipost_opencl_sw_formats.
 */
int ff_aipost_opencl_layout(AVFilterContext *avctx, enum AVPixelFormat sw_format,
                            AIPOpenCLLayout *layout);

/**
 * config_props of the main input: refuses, saying what to do, an input
 * that is not OpenCL frames (software frames: -init_hw_device opencl and
 * hwupload; frames of another device: hwmap), then takes the device as
 * FFmpeg's ff_opencl_filter_config_input does. cpu_filter names the
 * filter that does the same on software frames.
 */
int ff_aipost_opencl_config_input(AVFilterLink *inlink, const char *cpu_filter);

/**
 * config_props of a second input (e.g. a plate): OpenCL frames on the main
 * input's device, in the main input's software format. Returns the
 * software format or a negative error.
 */
int ff_aipost_opencl_config_side_input(AVFilterLink *link, const char *what);

/* Software format of the OpenCL frames on a configured link. */
enum AVPixelFormat ff_aipost_opencl_sw_format(AVFilterLink *link);

/**
 * Build the filter's program: the layout's defines, the filter's own
 * defines (may be NULL), opencl/aipost.cl, then the given sources in order.
 */
int ff_aipost_opencl_load_program(AVFilterContext *avctx, const AIPOpenCLLayout *layout,
                                  const char *defines, const char **sources, int nb_sources);

/**
 * Global work size for an image of w x h: rounded up to the 16 x 16 work
 * groups the kernels are written for (they skip work items outside).
 */
void ff_aipost_opencl_work_size(size_t work[2], int w, int h);

#endif /* AVFILTER_AIPOST_OPENCL_H */
