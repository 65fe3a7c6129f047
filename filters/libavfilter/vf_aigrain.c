/*
 * aigrain: a film-grain layer that makes clips from different generators
 * read as one film, and gives encoders texture to keep instead of banding.
 *
 * Synthesised grain (AV1 film-grain class: correlated Gaussian template,
 * per-frame block offsets, seamless cross-fades) or a scanned grain plate on
 * a second input, blended as an overlay layer (the practitioners' overlay at
 * 30 % opacity) or added. Every random value is a pure function of (seed,
 * frame index, plane, position): output is bit-identical for any thread
 * count, C or SIMD, and for segments processed apart and joined.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include "libavutil/avassert.h"
#include "libavutil/cpu.h"
#include "libavutil/imgutils.h"
#include "libavutil/mathematics.h"
#include "libavutil/mem.h"
#include "libavutil/opt.h"
#include "libavutil/pixdesc.h"

#include "aipost_compat.h"
#include "avfilter.h"
#include "filters.h"
#include "formats.h"
#include "video.h"

#include "aigrain.h"
#include "aipost/grain.h"

/* Grain rows a slice job needs at once: the grain, cross-fade scratch, the
 * second key of correlated grain, the own component of an RGB plane. */
#define SCRATCH_ROWS 4

typedef struct AIGrainContext {
    const AVClass *class;
    AIGrainCommon g;                    /* options, fields, tables, plate */

    uint32_t *offsets[4][2];            /* per field, for keys a and b */
    AIPGrainDSP dsp;

    int16_t *scratch;                   /* SCRATCH_ROWS rows per job */
    int scratch_stride;
    int nb_jobs_max;
} AIGrainContext;

typedef struct ThreadData {
    const AVFrame *in;
    AVFrame *out;                       /* may be in itself */
    const AVFrame *plate;
    AIGrainKeys keys;
} ThreadData;

#define OFFSET(x) offsetof(AIGrainContext, g.x)
#define FLAGS  (AV_OPT_FLAG_FILTERING_PARAM | AV_OPT_FLAG_VIDEO_PARAM)
#define RFLAGS (FLAGS | AV_OPT_FLAG_RUNTIME_PARAM)

static const AVOption aigrain_options[] = {
    AIGRAIN_OPTIONS(OFFSET, FLAGS, RFLAGS),
    { NULL }
};

AVFILTER_DEFINE_CLASS(aigrain);

static const enum AVPixelFormat pix_fmts[] = {
    AV_PIX_FMT_YUV420P,   AV_PIX_FMT_YUV422P,   AV_PIX_FMT_YUV444P,
    AV_PIX_FMT_YUVJ420P,  AV_PIX_FMT_YUVJ422P,  AV_PIX_FMT_YUVJ444P,
    AV_PIX_FMT_YUV420P9,  AV_PIX_FMT_YUV422P9,  AV_PIX_FMT_YUV444P9,
    AV_PIX_FMT_YUV420P10, AV_PIX_FMT_YUV422P10, AV_PIX_FMT_YUV444P10,
    AV_PIX_FMT_YUV420P12, AV_PIX_FMT_YUV422P12, AV_PIX_FMT_YUV444P12,
    AV_PIX_FMT_YUV420P14, AV_PIX_FMT_YUV422P14, AV_PIX_FMT_YUV444P14,
    AV_PIX_FMT_YUV420P16, AV_PIX_FMT_YUV422P16, AV_PIX_FMT_YUV444P16,
    AV_PIX_FMT_GBRP,      AV_PIX_FMT_GBRP9,     AV_PIX_FMT_GBRP10,
    AV_PIX_FMT_GBRP12,    AV_PIX_FMT_GBRP14,    AV_PIX_FMT_GBRP16,
    AV_PIX_FMT_GRAY8,     AV_PIX_FMT_GRAY9,     AV_PIX_FMT_GRAY10,
    AV_PIX_FMT_GRAY12,    AV_PIX_FMT_GRAY14,    AV_PIX_FMT_GRAY16,
    AV_PIX_FMT_NONE
};

static int config_input(AVFilterLink *inlink)
{
    AVFilterContext *ctx = inlink->dst;
    AIGrainContext *s = ctx->priv;
    const AIGrainCommon *g = &s->g;
    int ret;

    aip_grain_dsp_init(&s->dsp, (av_get_cpu_flags() & AV_CPU_FLAG_AVX2) ? AIP_CPU_AVX2 : 0);

    ret = ff_aigrain_config(ctx, &s->g, inlink->format, inlink->w, inlink->h);
    if (ret < 0)
        return ret;

    for (int i = 0; i < g->nb_fields; i++)
        for (int k = 0; k < 2; k++) {
            av_freep(&s->offsets[i][k]);
            s->offsets[i][k] = av_malloc_array(g->blocks_w[i] * g->blocks_h[i], sizeof(**s->offsets));
            if (!s->offsets[i][k])
                return AVERROR(ENOMEM);
        }

    s->nb_jobs_max = FFMAX(1, FFMIN(g->planeheight[1], ff_filter_get_nb_threads(ctx)));
    s->scratch_stride = FFALIGN(inlink->w + AIP_GRAIN_BLOCK + AIP_GRAIN_MAX_OVERLAP, 32);
    av_freep(&s->scratch);
    s->scratch = av_calloc((size_t)s->nb_jobs_max * SCRATCH_ROWS, s->scratch_stride * sizeof(*s->scratch));
    if (!s->scratch)
        return AVERROR(ENOMEM);
    return 0;
}

/* The grain of one synthesised field for row y: correlated temporal grain
 * cross-fades the fields of two keys with variance-preserving weights. */
static void field_row(const AIGrainContext *s, const ThreadData *td, int field,
                      int16_t *dst, int16_t *tmp, int16_t *second, int y, int w)
{
    aip_grain_row(&s->dsp, &s->g.field[field], s->offsets[field][0], s->g.blocks_w[field], dst, tmp, y, w);
    if (td->keys.weight_b) {
        aip_grain_row(&s->dsp, &s->g.field[field], s->offsets[field][1], s->g.blocks_w[field], second, tmp, y, w);
        s->dsp.mix_rows(dst, dst, second, td->keys.weight_a, td->keys.weight_b, w);
    }
}

/* The plate's deviation from mid-grey for row y of plane p, tiled when the
 * plate is smaller than the picture. */
static void plate_row(const AIGrainCommon *g, const AVFrame *plate, int p,
                      int16_t *dst, int y, int w)
{
    /* The plate shares the main input's format (negotiated in common). */
    const int pw = p == 1 || p == 2 ? AV_CEIL_RSHIFT(plate->width,  g->hsub) : plate->width;
    const int ph = p == 1 || p == 2 ? AV_CEIL_RSHIFT(plate->height, g->vsub) : plate->height;
    const int half = 1 << (g->depth - 1), shift = ff_aigrain_plate_shift(g);
    const uint8_t *row = plate->data[p] + (ptrdiff_t)(y % ph) * plate->linesize[p];

    for (int x0 = 0; x0 < w; x0 += pw) {
        const int n = FFMIN(pw, w - x0);
        if (g->depth == 8)
            for (int x = 0; x < n; x++)
                dst[x0 + x] = (row[x] - half) * (1 << shift);
        else
            for (int x = 0; x < n; x++)
                dst[x0 + x] = (((const uint16_t *)row)[x] - half) * (1 << shift);
    }
}

static void grain_plane_rows(const AIGrainContext *s, const ThreadData *td,
                             int16_t *scratch, int p, int y0, int y1)
{
    const AIGrainCommon *g = &s->g;
    const AVFrame *in = td->in;
    AVFrame *out = td->out;
    const int w = g->planewidth[p];
    const int stride = s->scratch_stride;
    int16_t *grain = scratch, *tmp = scratch + stride;
    int16_t *second = scratch + 2 * stride, *own = scratch + 3 * stride;
    const int chroma_q = g->chroma_q;
    const int from_luma = !g->is_rgb && p > 0;
    const int step = from_luma ? 1 << g->hsub : 1;
    const int lo = 0, hi = (1 << g->depth) - 1;

    for (int y = y0; y < y1; y++) {
        const uint8_t *src = in->data[p] + (ptrdiff_t)y * in->linesize[p];
        uint8_t *dst = out->data[p] + (ptrdiff_t)y * out->linesize[p];
        const uint8_t *driver = from_luma ? in->data[0] + (ptrdiff_t)(y << g->vsub) * in->linesize[0]
                                          : src;

        if (td->plate) {
            plate_row(g, td->plate, p, grain, y, w);
        } else if (g->is_rgb) {
            /* One grain shared by R, G and B reads as luma grain; each
             * plane's own field adds the colour part. */
            field_row(s, td, 0, grain, tmp, second, y, w);
            if (chroma_q) {
                field_row(s, td, p + 1, own, tmp, second, y, w);
                s->dsp.mix_rows(grain, grain, own, 1 << AIP_GRAIN_WEIGHT_SHIFT, chroma_q, w);
            }
        } else {
            field_row(s, td, p, grain, tmp, second, y, w);
        }

        if (g->depth == 8)
            s->dsp.blend8(dst, src, grain, &g->scaling[p], driver, step, lo, hi, w);
        else
            s->dsp.blend16((uint16_t *)dst, (const uint16_t *)src, grain, &g->scaling[p],
                           (const uint16_t *)driver, step, lo, hi, w);
    }
}

static int grain_slice(AVFilterContext *ctx, void *arg, int jobnr, int nb_jobs)
{
    const AIGrainContext *s = ctx->priv;
    const ThreadData *td = arg;
    const AIGrainCommon *g = &s->g;
    int16_t *scratch = s->scratch + (size_t)jobnr * SCRATCH_ROWS * s->scratch_stride;
    /* Slices are cut on chroma rows so that a job owns the luma rows its
     * chroma is driven by. Working in place, chroma goes first, while that
     * luma is untouched, so the result does not depend on how rows are
     * shared out. */
    const int ch = g->planeheight[1];
    const int cy0 = ch * jobnr / nb_jobs, cy1 = ch * (jobnr + 1) / nb_jobs;
    const int y0 = cy0 << g->vsub;
    const int y1 = FFMIN(cy1 << g->vsub, g->planeheight[0]);

    for (int p = g->nb_planes - 1; p >= 0; p--) {
        const int subsampled = p > 0 && !g->is_rgb;
        const int r0 = subsampled ? cy0 : y0, r1 = subsampled ? cy1 : y1;

        if (g->plane_active[p]) {
            grain_plane_rows(s, td, scratch, p, r0, r1);
        } else if (td->out != td->in) {
            const int bytes = g->depth > 8 ? 2 : 1;
            av_image_copy_plane(td->out->data[p] + (ptrdiff_t)r0 * td->out->linesize[p], td->out->linesize[p],
                                td->in->data[p]  + (ptrdiff_t)r0 * td->in->linesize[p],  td->in->linesize[p],
                                g->planewidth[p] * bytes, r1 - r0);
        }
    }
    return 0;
}


static int filter_frame(AVFilterContext *ctx, AVFrame *in, const AVFrame *plate)
{
    AIGrainContext *s = ctx->priv;
    AIGrainCommon *g = &s->g;
    AVFilterLink *outlink = ctx->outputs[0];
    ThreadData td = { .in = in, .out = in, .plate = plate };

    ff_aigrain_frame_keys(ctx, g, in, &td.keys);
    if (ctx->is_disabled)
        return ff_filter_frame(outlink, in);

    /* Grain in place when we own the frame; otherwise blend from the input
     * into a new frame, which costs no more than the copy would. */
    if (!av_frame_is_writable(in)) {
        td.out = ff_get_video_buffer(outlink, outlink->w, outlink->h);
        if (!td.out) {
            av_frame_free(&in);
            return AVERROR(ENOMEM);
        }
        av_frame_copy_props(td.out, in);
    }

    ff_aigrain_update_scaling(g, in->color_range);

    /* Where each block takes its grain from: once per frame, for the fields
     * the active planes use. */
    if (!plate)
        for (int i = 0; i < g->nb_fields; i++) {
            if (!ff_aigrain_field_used(g, i))
                continue;
            aip_grain_offsets(&g->field[i], s->offsets[i][0], td.keys.key_a, g->blocks_w[i], g->blocks_h[i]);
            if (td.keys.weight_b)
                aip_grain_offsets(&g->field[i], s->offsets[i][1], td.keys.key_b, g->blocks_w[i], g->blocks_h[i]);
        }

    ff_filter_execute(ctx, grain_slice, &td, NULL,
                      FFMIN(s->nb_jobs_max, ff_filter_get_nb_threads(ctx)));

    if (td.out != in)
        av_frame_free(&in);
    av_dict_set_int(&td.out->metadata, "lavfi.aigrain.frame_index", td.keys.index, 0);
    return ff_filter_frame(outlink, td.out);
}

static int activate(AVFilterContext *ctx)
{
    AIGrainContext *s = ctx->priv;

    return ff_aigrain_activate(ctx, &s->g, filter_frame);
}

static int plate_config(AVFilterLink *link)
{
    AVFilterContext *ctx = link->dst;
    AVFilterLink *mainlink = ctx->inputs[0];

    /* Formats are negotiated in common, so only the size can differ. */
    if (link->w != mainlink->w || link->h != mainlink->h)
        av_log(ctx, AV_LOG_VERBOSE, "plate %dx%d tiled over %dx%d\n",
               link->w, link->h, mainlink->w, mainlink->h);
    return 0;
}

static av_cold int init(AVFilterContext *ctx)
{
    AIGrainContext *s = ctx->priv;

    return ff_aigrain_init(ctx, &s->g, config_input, plate_config);
}

static av_cold void uninit(AVFilterContext *ctx)
{
    AIGrainContext *s = ctx->priv;

    ff_aigrain_uninit(&s->g);
    for (int i = 0; i < 4; i++) {
        av_freep(&s->offsets[i][0]);
        av_freep(&s->offsets[i][1]);
    }
    av_freep(&s->scratch);
}

static int process_command(AVFilterContext *ctx, const char *cmd, const char *args,
                           char *res, int res_len, int flags)
{
    AIGrainContext *s = ctx->priv;

    return ff_aigrain_process_command(ctx, &s->g, cmd, args, res, res_len, flags);
}

static const AVFilterPad aigrain_outputs[] = {
    {
        .name         = "default",
        .type         = AVMEDIA_TYPE_VIDEO,
        .config_props = ff_aigrain_config_output,
    },
};

const AIPOST_FILTER ff_vf_aigrain = {
    AIPOST_PUBLIC(name)        = "aigrain",
    AIPOST_PUBLIC(description) = NULL_IF_CONFIG_SMALL("Add deterministic film grain, synthesised or from a plate, blended as an overlay layer."),
    AIPOST_PUBLIC(priv_class)  = &aigrain_class,
    AIPOST_PUBLIC(flags)       = AVFILTER_FLAG_DYNAMIC_INPUTS |
                                 AVFILTER_FLAG_SLICE_THREADS |
                                 AVFILTER_FLAG_SUPPORT_TIMELINE_INTERNAL,
    .priv_size       = sizeof(AIGrainContext),
    .init            = init,
    .uninit          = uninit,
    .activate        = activate,
    .process_command = process_command,
    FILTER_OUTPUTS(aigrain_outputs),
    FILTER_PIXFMTS_ARRAY(pix_fmts),
};
