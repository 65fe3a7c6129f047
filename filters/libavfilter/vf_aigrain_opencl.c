/*
 * aigrain_opencl: aigrain on FFmpeg's OpenCL frames, for transcode farms
 * that keep frames on the GPU (hwupload, scale_opencl, tonemap_opencl...).
 *
 * The options, grain templates, blend tables, frame keys and plate input
 * are aigrain's own (aigrain.h): templates are made once per stream on the
 * CPU and uploaded; per frame the device draws the block offsets from the
 * same counter-based hash (aipost/counter_rng.h compiled as OpenCL C) and
 * cuts, cross-fades and blends the grain per pixel in the integer
 * arithmetic of the C reference, so the output is bit-identical to aigrain
 * on the CPU (opencl/aigrain.cl; tests/graph/test_aigrain_opencl.sh).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include "aipost_opencl.h"

#include "libavutil/common.h"
#include "libavutil/mem.h"
#include "libavutil/opt.h"
#include "libavutil/pixdesc.h"

#include "aigrain.h"
#include "aipost/grain_cl.h"
#include "aipost_compat.h"
#include "avfilter.h"
#include "filters.h"
#include "formats.h"
#include "opencl.h"
#include "video.h"

#define TEMPLATE_STRIDE AIP_GRAIN_CL_TEMPLATE_STRIDE
#define FIELD_STRIDE    AIP_GRAIN_CL_FIELD_STRIDE
#define SCALING_STRIDE  AIP_GRAIN_CL_SCALING_STRIDE

typedef struct AIGrainOpenCLContext {
    OpenCLFilterContext ocf;            /* first: FFmpeg's helpers take priv as it */
    AIGrainCommon g;                    /* options, fields, tables, plate: aigrain's */

    AIPOpenCLLayout layout;
    cl_command_queue queue;
    cl_kernel kernel_offsets;
    cl_kernel kernel_plane;
    cl_mem templates;                   /* per field, TEMPLATE_STRIDE shorts */
    cl_mem fields;                      /* per field, FIELD_STRIDE ints */
    cl_mem offsets;                     /* per field and key, one per block */
    cl_mem scaling;                     /* per plane, SCALING_STRIDE ints */
    int field_offsets[4][2];            /* where each field's offsets start */
    int32_t *scaling_host;              /* staging of the scaling buffer */
} AIGrainOpenCLContext;

static void release_device(AVFilterContext *avctx)
{
    AIGrainOpenCLContext *s = avctx->priv;
    cl_int cle;

    CL_RELEASE_KERNEL(s->kernel_offsets);
    CL_RELEASE_KERNEL(s->kernel_plane);
    CL_RELEASE_MEMORY(s->templates);
    CL_RELEASE_MEMORY(s->fields);
    CL_RELEASE_MEMORY(s->offsets);
    CL_RELEASE_MEMORY(s->scaling);
    CL_RELEASE_QUEUE(s->queue);
    s->kernel_offsets = s->kernel_plane = NULL;
    s->templates = s->fields = s->offsets = s->scaling = NULL;
    s->queue = NULL;
    if (s->ocf.program) {
        clReleaseProgram(s->ocf.program);
        s->ocf.program = NULL;
    }
    av_freep(&s->scaling_host);
}

static int build_program(AVFilterContext *avctx)
{
    AIGrainOpenCLContext *s = avctx->priv;
    const char *sources[] = { ff_source_counter_rng_h, ff_source_aigrain_cl };
    const int plate_shift = ff_aigrain_plate_shift(&s->g);
    const int len = aip_grain_cl_defines(NULL, 0, plate_shift);
    char *defines = av_malloc(len + 1);
    int err;

    if (!defines)
        return AVERROR(ENOMEM);
    aip_grain_cl_defines(defines, len + 1, plate_shift);
    err = ff_aipost_opencl_load_program(avctx, &s->layout, defines,
                                        sources, FF_ARRAY_ELEMS(sources));
    av_free(defines);
    return err;
}

/* Program, queue, kernels and the per-stream buffers: the templates and
 * fade weights of every field, made by ff_aigrain_config() on the CPU. */
static int init_device(AVFilterContext *avctx)
{
    AIGrainOpenCLContext *s = avctx->priv;
    const AIGrainCommon *g = &s->g;
    cl_context context = s->ocf.hwctx->context;
    const int nb_fields = FFMAX(g->nb_fields, 1);   /* buffers are never empty */
    int16_t *templates = NULL;
    int32_t *fields = NULL;
    int nb_offsets = 0, err;
    cl_int cle;

    release_device(avctx);
    err = build_program(avctx);
    if (err < 0)
        return err;

    s->queue = clCreateCommandQueue(context, s->ocf.hwctx->device_id, 0, &cle);
    CL_FAIL_ON_ERROR(AVERROR(EIO), "Failed to create OpenCL command queue: %d.\n", cle);
    s->kernel_offsets = clCreateKernel(s->ocf.program, "aigrain_offsets", &cle);
    CL_FAIL_ON_ERROR(AVERROR(EIO), "Failed to create kernel aigrain_offsets: %d.\n", cle);
    s->kernel_plane = clCreateKernel(s->ocf.program, "aigrain_plane", &cle);
    CL_FAIL_ON_ERROR(AVERROR(EIO), "Failed to create kernel aigrain_plane: %d.\n", cle);

    templates = av_calloc(nb_fields, TEMPLATE_STRIDE * sizeof(*templates));
    fields    = av_calloc(nb_fields, FIELD_STRIDE * sizeof(*fields));
    s->scaling_host = av_calloc(g->nb_planes, SCALING_STRIDE * sizeof(*s->scaling_host));
    if (!templates || !fields || !s->scaling_host) {
        err = AVERROR(ENOMEM);
        goto fail;
    }
    for (int i = 0; i < g->nb_fields; i++) {
        const int n = g->blocks_w[i] * g->blocks_h[i];
        memcpy(templates + (size_t)i * TEMPLATE_STRIDE, g->field[i].template,
               TEMPLATE_STRIDE * sizeof(*templates));
        s->field_offsets[i][0] = nb_offsets;
        s->field_offsets[i][1] = nb_offsets + n;
        aip_grain_cl_field(fields + i * FIELD_STRIDE, &g->field[i], g->blocks_w[i],
                           s->field_offsets[i][0], s->field_offsets[i][1]);
        nb_offsets += 2 * n;
    }

    s->templates = clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                                  (size_t)nb_fields * TEMPLATE_STRIDE * sizeof(*templates), templates, &cle);
    CL_FAIL_ON_ERROR(AVERROR(EIO), "Failed to create the template buffer: %d.\n", cle);
    s->fields = clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                               (size_t)nb_fields * FIELD_STRIDE * sizeof(*fields), fields, &cle);
    CL_FAIL_ON_ERROR(AVERROR(EIO), "Failed to create the field buffer: %d.\n", cle);
    s->offsets = clCreateBuffer(context, CL_MEM_READ_WRITE,
                                (size_t)FFMAX(nb_offsets, 1) * sizeof(cl_uint), NULL, &cle);
    CL_FAIL_ON_ERROR(AVERROR(EIO), "Failed to create the offset buffer: %d.\n", cle);
    s->scaling = clCreateBuffer(context, CL_MEM_READ_ONLY,
                                (size_t)g->nb_planes * SCALING_STRIDE * sizeof(*s->scaling_host), NULL, &cle);
    CL_FAIL_ON_ERROR(AVERROR(EIO), "Failed to create the scaling buffer: %d.\n", cle);

    av_free(templates);
    av_free(fields);
    return 0;

fail:
    av_free(templates);
    av_free(fields);
    release_device(avctx);
    return err;
}

static int config_input(AVFilterLink *inlink)
{
    AVFilterContext *avctx = inlink->dst;
    AIGrainOpenCLContext *s = avctx->priv;
    enum AVPixelFormat sw_format;
    int err;

    err = ff_aipost_opencl_config_input(inlink, "aigrain");
    if (err < 0)
        return err;
    sw_format = ff_aipost_opencl_sw_format(inlink);
    err = ff_aipost_opencl_layout(avctx, sw_format, &s->layout);
    if (err < 0)
        return err;
    err = ff_aigrain_config(avctx, &s->g, sw_format, inlink->w, inlink->h);
    if (err < 0)
        return err;
    return init_device(avctx);
}

static int config_plate(AVFilterLink *link)
{
    AVFilterContext *avctx = link->dst;
    AVFilterLink *mainlink = avctx->inputs[0];
    int ret = ff_aipost_opencl_config_side_input(link, "plate");

    if (ret < 0)
        return ret;
    if (link->w != mainlink->w || link->h != mainlink->h)
        av_log(avctx, AV_LOG_VERBOSE, "plate %dx%d tiled over %dx%d\n",
               link->w, link->h, mainlink->w, mainlink->h);
    return 0;
}

static int config_output(AVFilterLink *outlink)
{
    AVFilterContext *avctx = outlink->src;
    int err;

    if (outlink->format != AV_PIX_FMT_OPENCL) {
        const AIGrainOpenCLContext *s = avctx->priv;
        av_log(avctx, AV_LOG_ERROR, "aigrain_opencl puts out OpenCL frames, and what follows "
               "it takes software frames: download them first, with hwdownload,format=%s "
               "after aigrain_opencl.\n", av_get_pix_fmt_name(s->layout.sw_format));
        return AVERROR(EINVAL);
    }
    err = ff_opencl_filter_config_output(outlink);
    return err < 0 ? err : ff_aigrain_config_output(outlink);
}

static int upload_scaling(AVFilterContext *avctx)
{
    AIGrainOpenCLContext *s = avctx->priv;
    const AIGrainCommon *g = &s->g;
    const size_t size = (size_t)g->nb_planes * SCALING_STRIDE * sizeof(*s->scaling_host);
    cl_int cle;
    int err = 0;

    for (int p = 0; p < g->nb_planes; p++)
        aip_grain_cl_scaling(s->scaling_host + p * SCALING_STRIDE, &g->scaling[p], g->plane_active[p]);
    CL_BLOCKING_WRITE_BUFFER(s->queue, s->scaling, size, s->scaling_host, NULL);
fail:
    return err;
}

/* Block offsets of every field the frame reads, for its keys. */
static int enqueue_offsets(AVFilterContext *avctx, const AIGrainKeys *keys)
{
    AIGrainOpenCLContext *s = avctx->priv;
    const AIGrainCommon *g = &s->g;
    cl_int cle;
    int err = 0;

    for (int i = 0; i < g->nb_fields; i++) {
        const cl_uint range = aip_grain_offset_range(&g->field[i]);
        const cl_ulong seed = g->field[i].seed;
        const cl_int bw = g->blocks_w[i], bh = g->blocks_h[i];
        size_t work[2] = { bw, bh };

        if (!ff_aigrain_field_used(g, i))
            continue;
        for (int k = 0; k < 1 + !!keys->weight_b; k++) {
            const cl_int base = s->field_offsets[i][k];
            const cl_ulong key = k ? keys->key_b : keys->key_a;
            CL_ENQUEUE_KERNEL_WITH_ARGS(s->queue, s->kernel_offsets, work, NULL, NULL,
                                        { sizeof(cl_mem),   &s->offsets },
                                        { sizeof(cl_int),   &base },
                                        { sizeof(cl_ulong), &seed },
                                        { sizeof(cl_ulong), &key },
                                        { sizeof(cl_uint),  &range },
                                        { sizeof(cl_int),   &bw },
                                        { sizeof(cl_int),   &bh });
        }
    }
fail:
    return err;
}

/* Image i of in into out unchanged: planes without grain, disabled frames
 * (which cannot pass as they are: they belong to the input's frame pool). */
static int copy_image(AVFilterContext *avctx, AVFrame *out, const AVFrame *in, int i)
{
    AIGrainOpenCLContext *s = avctx->priv;
    const AIPOpenCLImage *img = &s->layout.image[i];
    const size_t origin[3] = { 0, 0, 0 };
    const size_t region[3] = { s->g.planewidth[img->first], s->g.planeheight[img->first], 1 };
    cl_int cle;
    int err = 0;

    cle = clEnqueueCopyImage(s->queue, (cl_mem)in->data[i], (cl_mem)out->data[i],
                             origin, origin, region, 0, NULL, NULL);
    CL_FAIL_ON_ERROR(AVERROR(EIO), "Failed to copy image %d: %d.\n", i, cle);
fail:
    return err;
}

static int enqueue_image(AVFilterContext *avctx, AVFrame *out, const AVFrame *in,
                         const AVFrame *plate, const AIGrainKeys *keys, int i)
{
    AIGrainOpenCLContext *s = avctx->priv;
    const AIGrainCommon *g = &s->g;
    const AIPOpenCLImage *img = &s->layout.image[i];
    cl_mem dst = (cl_mem)out->data[i], src = (cl_mem)in->data[i], luma = (cl_mem)in->data[0];
    cl_mem plate_img = plate ? (cl_mem)plate->data[i] : src;
    const cl_int first = img->first, channels = img->channels;
    const cl_int width = g->planewidth[first], height = g->planeheight[first];
    const cl_int shift_x = img->shift_x, shift_y = img->shift_y;
    const cl_int is_rgb = g->is_rgb, chroma_q = g->chroma_q;
    const cl_int weight_a = keys->weight_a, weight_b = keys->weight_b;
    const cl_int use_plate = !!plate;
    const cl_int plate_w = plate ? AV_CEIL_RSHIFT(plate->width, img->shift_x)  : 1;
    const cl_int plate_h = plate ? AV_CEIL_RSHIFT(plate->height, img->shift_y) : 1;
    size_t work[2];
    cl_int cle;
    int err = 0, active = 0;

    for (int c = 0; c < channels; c++)
        active |= g->plane_active[first + c];
    if (!active)
        return copy_image(avctx, out, in, i);

    ff_aipost_opencl_work_size(work, width, height);
    CL_ENQUEUE_KERNEL_WITH_ARGS(s->queue, s->kernel_plane, work, NULL, NULL,
                                { sizeof(cl_mem), &dst },
                                { sizeof(cl_mem), &src },
                                { sizeof(cl_mem), &luma },
                                { sizeof(cl_mem), &plate_img },
                                { sizeof(cl_mem), &s->templates },
                                { sizeof(cl_mem), &s->offsets },
                                { sizeof(cl_mem), &s->fields },
                                { sizeof(cl_mem), &s->scaling },
                                { sizeof(cl_int), &first },
                                { sizeof(cl_int), &channels },
                                { sizeof(cl_int), &width },
                                { sizeof(cl_int), &height },
                                { sizeof(cl_int), &shift_x },
                                { sizeof(cl_int), &shift_y },
                                { sizeof(cl_int), &is_rgb },
                                { sizeof(cl_int), &chroma_q },
                                { sizeof(cl_int), &weight_a },
                                { sizeof(cl_int), &weight_b },
                                { sizeof(cl_int), &use_plate },
                                { sizeof(cl_int), &plate_w },
                                { sizeof(cl_int), &plate_h });
fail:
    return err;
}

static int filter_frame(AVFilterContext *avctx, AVFrame *in, const AVFrame *plate)
{
    AIGrainOpenCLContext *s = avctx->priv;
    AIGrainCommon *g = &s->g;
    AVFilterLink *outlink = avctx->outputs[0];
    AVFrame *out = NULL;
    AIGrainKeys keys;
    int err, stale;
    cl_int cle;

    ff_aigrain_frame_keys(avctx, g, in, &keys);

    if (!in->hw_frames_ctx || (plate && !plate->hw_frames_ctx)) {
        err = AVERROR(EINVAL);
        goto fail;
    }
    out = ff_get_video_buffer(outlink, outlink->w, outlink->h);
    if (!out) {
        err = AVERROR(ENOMEM);
        goto fail;
    }

    if (avctx->is_disabled) {
        for (int i = 0; i < s->layout.nb_images; i++)
            if ((err = copy_image(avctx, out, in, i)) < 0)
                goto fail;
    } else {
        stale = g->lut_range != in->color_range;
        ff_aigrain_update_scaling(g, in->color_range);
        if (stale && (err = upload_scaling(avctx)) < 0)
            goto fail;
        if (!plate && (err = enqueue_offsets(avctx, &keys)) < 0)
            goto fail;
        for (int i = 0; i < s->layout.nb_images; i++)
            if ((err = enqueue_image(avctx, out, in, plate, &keys, i)) < 0)
                goto fail;
    }

    /* The next filter may use another queue. */
    cle = clFinish(s->queue);
    CL_FAIL_ON_ERROR(AVERROR(EIO), "Failed to finish the OpenCL command queue: %d.\n", cle);

    err = av_frame_copy_props(out, in);
    if (err < 0)
        goto fail;
    av_frame_free(&in);
    if (!avctx->is_disabled)
        av_dict_set_int(&out->metadata, "lavfi.aigrain.frame_index", keys.index, 0);
    return ff_filter_frame(outlink, out);

fail:
    if (s->queue)
        clFinish(s->queue);
    av_frame_free(&in);
    av_frame_free(&out);
    return err;
}

static int activate(AVFilterContext *avctx)
{
    AIGrainOpenCLContext *s = avctx->priv;

    return ff_aigrain_activate(avctx, &s->g, filter_frame);
}

static av_cold int init(AVFilterContext *avctx)
{
    AIGrainOpenCLContext *s = avctx->priv;
    int err = ff_opencl_filter_init(avctx);

    return err < 0 ? err : ff_aigrain_init(avctx, &s->g, config_input, config_plate);
}

static av_cold void uninit(AVFilterContext *avctx)
{
    AIGrainOpenCLContext *s = avctx->priv;

    if (s->queue)
        clFinish(s->queue);
    release_device(avctx);
    ff_aigrain_uninit(&s->g);
    ff_opencl_filter_uninit(avctx);
}

static int process_command(AVFilterContext *avctx, const char *cmd, const char *args,
                           char *res, int res_len, int flags)
{
    AIGrainOpenCLContext *s = avctx->priv;

    return ff_aigrain_process_command(avctx, &s->g, cmd, args, res, res_len, flags);
}

#define OFFSET(x) offsetof(AIGrainOpenCLContext, g.x)
#define FLAGS  (AV_OPT_FLAG_FILTERING_PARAM | AV_OPT_FLAG_VIDEO_PARAM)
#define RFLAGS (FLAGS | AV_OPT_FLAG_RUNTIME_PARAM)

static const AVOption aigrain_opencl_options[] = {
    AIGRAIN_OPTIONS(OFFSET, FLAGS, RFLAGS),
    { NULL }
};

AVFILTER_DEFINE_CLASS(aigrain_opencl);

/* OpenCL frames. The software formats are there only so that a link of
 * software frames reaches config_input / config_output, which say what to
 * add (hwupload before, hwdownload after), instead of failing to negotiate;
 * inputs and output negotiate apart for the same reason. */
static const enum AVPixelFormat pix_fmts[] = {
    AV_PIX_FMT_OPENCL,
    AV_PIX_FMT_YUV420P,   AV_PIX_FMT_YUV422P,   AV_PIX_FMT_YUV444P,
    AV_PIX_FMT_YUVJ420P,  AV_PIX_FMT_YUVJ422P,  AV_PIX_FMT_YUVJ444P,
    AV_PIX_FMT_YUV420P9,  AV_PIX_FMT_YUV422P9,  AV_PIX_FMT_YUV444P9,
    AV_PIX_FMT_YUV420P10, AV_PIX_FMT_YUV422P10, AV_PIX_FMT_YUV444P10,
    AV_PIX_FMT_YUV420P12, AV_PIX_FMT_YUV422P12, AV_PIX_FMT_YUV444P12,
    AV_PIX_FMT_YUV420P14, AV_PIX_FMT_YUV422P14, AV_PIX_FMT_YUV444P14,
    AV_PIX_FMT_YUV420P16, AV_PIX_FMT_YUV422P16, AV_PIX_FMT_YUV444P16,
    AV_PIX_FMT_NV12,      AV_PIX_FMT_P010,      AV_PIX_FMT_P016,
    AV_PIX_FMT_GBRP,      AV_PIX_FMT_GBRP9,     AV_PIX_FMT_GBRP10,
    AV_PIX_FMT_GBRP12,    AV_PIX_FMT_GBRP14,    AV_PIX_FMT_GBRP16,
    AV_PIX_FMT_GRAY8,     AV_PIX_FMT_GRAY9,     AV_PIX_FMT_GRAY10,
    AV_PIX_FMT_GRAY12,    AV_PIX_FMT_GRAY14,    AV_PIX_FMT_GRAY16,
    AV_PIX_FMT_NONE
};

static int query_formats(const AVFilterContext *avctx,
                         AVFilterFormatsConfig **cfg_in, AVFilterFormatsConfig **cfg_out)
{
    int ret;

    for (unsigned i = 0; i < avctx->nb_inputs; i++)
        if ((ret = ff_formats_ref(ff_make_format_list(pix_fmts), &cfg_in[i]->formats)) < 0)
            return ret;
    return ff_formats_ref(ff_make_format_list(pix_fmts), &cfg_out[0]->formats);
}

static const AVFilterPad aigrain_opencl_outputs[] = {
    {
        .name         = "default",
        .type         = AVMEDIA_TYPE_VIDEO,
        .config_props = config_output,
    },
};

const AIPOST_FILTER ff_vf_aigrain_opencl = {
    AIPOST_PUBLIC(name)        = "aigrain_opencl",
    AIPOST_PUBLIC(description) = NULL_IF_CONFIG_SMALL("Add deterministic film grain (aigrain) to OpenCL frames."),
    AIPOST_PUBLIC(priv_class)  = &aigrain_opencl_class,
    AIPOST_PUBLIC(flags)       = AVFILTER_FLAG_DYNAMIC_INPUTS |
                                 AVFILTER_FLAG_SUPPORT_TIMELINE_INTERNAL,
    .priv_size       = sizeof(AIGrainOpenCLContext),
    .init            = init,
    .uninit          = uninit,
    .activate        = activate,
    .process_command = process_command,
    FILTER_OUTPUTS(aigrain_opencl_outputs),
    FILTER_QUERY_FUNC2(query_formats),
    .flags_internal  = FF_FILTER_FLAG_HWFRAME_AWARE,
};
