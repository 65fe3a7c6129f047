/*
 * What the aipost _opencl filters share (see aipost_opencl.h).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include "aipost_opencl.h"

#include "libavutil/bprint.h"
#include "libavutil/hwcontext.h"
#include "libavutil/mem.h"
#include "libavutil/pixdesc.h"

#include "filters.h"

const enum AVPixelFormat ff_aipost_opencl_sw_formats[] = {
    AV_PIX_FMT_YUV420P,   AV_PIX_FMT_YUV422P,   AV_PIX_FMT_YUV444P,
    AV_PIX_FMT_YUV420P16, AV_PIX_FMT_YUV422P16, AV_PIX_FMT_YUV444P16,
    AV_PIX_FMT_NV12,      AV_PIX_FMT_NV16,      AV_PIX_FMT_NV24,
    AV_PIX_FMT_P010,      AV_PIX_FMT_P210,      AV_PIX_FMT_P410,
    AV_PIX_FMT_P012,      AV_PIX_FMT_P212,      AV_PIX_FMT_P412,
    AV_PIX_FMT_P016,      AV_PIX_FMT_P216,      AV_PIX_FMT_P416,
    AV_PIX_FMT_GBRP,      AV_PIX_FMT_GBRP16,
    AV_PIX_FMT_GRAY8,     AV_PIX_FMT_GRAY16,
    AV_PIX_FMT_NONE
};

static void list_formats(AVBPrint *bp)
{
    for (int i = 0; ff_aipost_opencl_sw_formats[i] != AV_PIX_FMT_NONE; i++)
        av_bprintf(bp, "%s%s", i ? " " : "", av_get_pix_fmt_name(ff_aipost_opencl_sw_formats[i]));
}

int ff_aipost_opencl_layout(AVFilterContext *avctx, enum AVPixelFormat sw_format,
                            AIPOpenCLLayout *layout)
{
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(sw_format);
    int listed = 0, first = 0;

    for (int i = 0; ff_aipost_opencl_sw_formats[i] != AV_PIX_FMT_NONE; i++)
        listed |= ff_aipost_opencl_sw_formats[i] == sw_format;
    if (!listed || !desc) {
        AVBPrint bp;
        av_bprint_init(&bp, 0, AV_BPRINT_SIZE_AUTOMATIC);
        list_formats(&bp);
        av_log(avctx, AV_LOG_ERROR, "%s does not work on OpenCL frames of %s; it works on %s. "
               "Convert before uploading, e.g. format=yuv420p,hwupload (or p010 for 10 bits).\n",
               avctx->filter->name, desc ? desc->name : "this format", bp.str);
        av_bprint_finalize(&bp, NULL);
        return AVERROR(ENOSYS);
    }

    memset(layout, 0, sizeof(*layout));
    layout->sw_format    = sw_format;
    layout->nb_images    = av_pix_fmt_count_planes(sw_format);
    layout->depth        = desc->comp[0].depth;
    layout->sample_shift = desc->comp[0].shift;
    layout->unorm_max    = desc->comp[0].depth + desc->comp[0].shift > 8 ? 65535 : 255;
    for (int i = 0; i < layout->nb_images; i++) {
        AIPOpenCLImage *img = &layout->image[i];
        for (int c = 0; c < desc->nb_components; c++)
            img->channels += desc->comp[c].plane == i;
        img->first = first;
        first += img->channels;
        /* chroma images of YUV; GBR planes are all full size */
        if (i > 0 && !(desc->flags & AV_PIX_FMT_FLAG_RGB)) {
            img->shift_x = desc->log2_chroma_w;
            img->shift_y = desc->log2_chroma_h;
        }
    }
    return 0;
}

int ff_aipost_opencl_config_input(AVFilterLink *inlink, const char *cpu_filter)
{
    FilterLink *l = ff_filter_link(inlink);
    AVFilterContext *avctx = inlink->dst;
    const char *name = avctx->filter->name;

    if (!l->hw_frames_ctx) {
        const char *fmt = av_get_pix_fmt_name(inlink->format);
        av_log(avctx, AV_LOG_ERROR, "%s works on OpenCL frames, and this input is software "
               "frames (%s). Upload them to an OpenCL device first, e.g. "
               "ffmpeg -init_hw_device opencl=gpu -filter_hw_device gpu -i IN "
               "-vf \"hwupload,%s,hwdownload,format=%s\" OUT (ffmpeg -v verbose -init_hw_device "
               "opencl lists the devices); or use %s, which runs on the CPU.\n",
               name, fmt ? fmt : "?", name, fmt ? fmt : "yuv420p", cpu_filter);
        return AVERROR(EINVAL);
    } else {
        const AVHWFramesContext *frames = (const AVHWFramesContext *)l->hw_frames_ctx->data;
        if (frames->format != AV_PIX_FMT_OPENCL) {
            av_log(avctx, AV_LOG_ERROR, "%s works on OpenCL frames, and this input is %s "
                   "frames: map them to OpenCL first (hwmap=derive_device=opencl), or download "
                   "and upload them (hwdownload,format=...,hwupload with -filter_hw_device on "
                   "an OpenCL device).\n", name, av_get_pix_fmt_name(frames->format));
            return AVERROR(EINVAL);
        }
    }
    return ff_opencl_filter_config_input(inlink);
}

enum AVPixelFormat ff_aipost_opencl_sw_format(AVFilterLink *link)
{
    FilterLink *l = ff_filter_link(link);
    const AVHWFramesContext *frames;

    if (!l->hw_frames_ctx)
        return AV_PIX_FMT_NONE;
    frames = (const AVHWFramesContext *)l->hw_frames_ctx->data;
    return frames->format == AV_PIX_FMT_OPENCL ? frames->sw_format : AV_PIX_FMT_NONE;
}

int ff_aipost_opencl_config_side_input(AVFilterLink *link, const char *what)
{
    AVFilterContext *avctx = link->dst;
    OpenCLFilterContext *ocf = avctx->priv;
    FilterLink *l = ff_filter_link(link);
    const enum AVPixelFormat main_fmt = ff_aipost_opencl_sw_format(avctx->inputs[0]);
    const enum AVPixelFormat fmt = ff_aipost_opencl_sw_format(link);
    const AVHWFramesContext *frames;

    if (fmt == AV_PIX_FMT_NONE) {
        av_log(avctx, AV_LOG_ERROR, "The %s input of %s must be OpenCL frames too: "
               "hwupload it (or hwmap it) as the main input.\n", what, avctx->filter->name);
        return AVERROR(EINVAL);
    }
    frames = (const AVHWFramesContext *)l->hw_frames_ctx->data;
    if (!ocf->device_ref || frames->device_ref->data != ocf->device_ref->data) {
        av_log(avctx, AV_LOG_ERROR, "The %s input of %s is on another OpenCL device than "
               "the main input: upload both with the same -filter_hw_device.\n",
               what, avctx->filter->name);
        return AVERROR(EINVAL);
    }
    if (fmt != main_fmt) {
        av_log(avctx, AV_LOG_ERROR, "The %s input of %s is %s and the main input %s: "
               "convert it before uploading (format=%s,hwupload).\n", what, avctx->filter->name,
               av_get_pix_fmt_name(fmt), av_get_pix_fmt_name(main_fmt), av_get_pix_fmt_name(main_fmt));
        return AVERROR(EINVAL);
    }
    return fmt;
}

int ff_aipost_opencl_load_program(AVFilterContext *avctx, const AIPOpenCLLayout *layout,
                                  const char *defines, const char **sources, int nb_sources)
{
    const char *all[8];
    AVBPrint prelude;
    int ret, n = 0;

    if (nb_sources > FF_ARRAY_ELEMS(all) - 3)
        return AVERROR(EINVAL);

    av_bprint_init(&prelude, 0, AV_BPRINT_SIZE_UNLIMITED);
    av_bprintf(&prelude, "#define AIP_UNORM_MAX %d.0f\n#define AIP_SAMPLE_SHIFT %d\n#define AIP_DEPTH %d\n",
               layout->unorm_max, layout->sample_shift, layout->depth);
    if (!av_bprint_is_complete(&prelude)) {
        av_bprint_finalize(&prelude, NULL);
        return AVERROR(ENOMEM);
    }
    all[n++] = prelude.str;
    if (defines)
        all[n++] = defines;
    all[n++] = ff_source_aipost_cl;
    for (int i = 0; i < nb_sources; i++)
        all[n++] = sources[i];

    ret = ff_opencl_filter_load_program(avctx, all, n);
    av_bprint_finalize(&prelude, NULL);
    return ret;
}

void ff_aipost_opencl_work_size(size_t work[2], int w, int h)
{
    work[0] = FFALIGN(w, 16);
    work[1] = FFALIGN(h, 16);
}
