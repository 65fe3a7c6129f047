/*
 * What aigrain and aigrain_opencl share (see aigrain.h).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <math.h>

#include "libavutil/avassert.h"
#include "libavutil/common.h"
#include "libavutil/mathematics.h"
#include "libavutil/mem.h"
#include "libavutil/pixdesc.h"

#include "aigrain.h"
#include "filters.h"
#include "video.h"

int ff_aigrain_plate_shift(const AIGrainCommon *g)
{
    /* Plate samples enter the blend as their deviation from mid-grey
     * shifted up to 12 bits, where synthesised grain lives (Q9, +-8 sigma),
     * so that 8-bit tables stay in the 16-bit kernel's range. */
    return FFMAX(0, 12 - g->depth);
}

static int is_full_range(const AIGrainCommon *g, enum AVColorRange range)
{
    return g->is_rgb || range == AVCOL_RANGE_JPEG;
}

/* (Re)build the blend tables for frames of the given colour range. */
static void build_scaling(AIGrainCommon *g, enum AVColorRange range)
{
    const int max = (1 << g->depth) - 1;
    const int full = is_full_range(g, range);
    /* The driver of every plane's grain is luma (YUV, gray) or the plane
     * itself (RGB), so black and white are luma's. */
    const int black = full ? 0   : 16  << (g->depth - 8);
    const int white = full ? max : 235 << (g->depth - 8);
    const AIPGrainCurve curve = { g->shadows, g->midtones, g->highlights };
    const double curve_max = FFMAX3(g->shadows, g->midtones, g->highlights);
    const enum AIPGrainShape shape = g->blend == AIGRAIN_BLEND_ADD ? AIP_GRAIN_SHAPE_ADD
                                                                    : AIP_GRAIN_SHAPE_OVERLAY;

    for (int p = 0; p < g->nb_planes; p++) {
        const int is_chroma = !g->is_rgb && p > 0;
        /* Output code values per grain unit: the plate's deviation from
         * mid-grey is in code values << plate_shift; synthesised grain is Q9. */
        const double gain = g->plate ? g->opacity / (1 << ff_aigrain_plate_shift(g))
                          : g->strength * (1 << (g->depth - 8)) / AIP_GRAIN_UNIT *
                            (is_chroma ? g->chroma : 1.0);
        g->plane_active[p] = gain * curve_max > 0;
        aip_grain_scaling_init(&g->scaling[p], g->depth, black, white, shape, &curve, gain);
    }
    g->chroma_q  = lrintf(g->chroma * (1 << AIP_GRAIN_WEIGHT_SHIFT));
    g->lut_range = range;
}

void ff_aigrain_update_scaling(AIGrainCommon *g, enum AVColorRange range)
{
    if (g->lut_range != range)
        build_scaling(g, range);
}

int ff_aigrain_config(AVFilterContext *ctx, AIGrainCommon *g,
                      enum AVPixelFormat sw_format, int w, int h)
{
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(sw_format);
    const int short_side = FFMIN(w, h);
    int ret;

    g->depth     = desc->comp[0].depth;
    /* Components, not memory planes: the same for every planar format,
     * and three for hardware frames that interleave Cb and Cr. */
    g->nb_planes = desc->nb_components;
    g->is_rgb    = !!(desc->flags & AV_PIX_FMT_FLAG_RGB);
    g->hsub      = desc->log2_chroma_w;
    g->vsub      = desc->log2_chroma_h;
    g->planewidth[1]  = g->planewidth[2]  = AV_CEIL_RSHIFT(w, g->hsub);
    g->planewidth[0]  = g->planewidth[3]  = w;
    g->planeheight[1] = g->planeheight[2] = AV_CEIL_RSHIFT(h, g->vsub);
    g->planeheight[0] = g->planeheight[3] = h;

    for (int i = 0; i < g->nb_fields; i++)
        aip_grain_plane_uninit(&g->field[i]);
    g->nb_fields = 0;
    g->lut_range = -1;

    if (g->plate)
        return 0;

    g->size_px = g->size_ref ? g->size * short_side / g->size_ref : g->size;
    if (g->size_px > AIP_GRAIN_MAX_SIZE) {
        av_log(ctx, AV_LOG_ERROR, "size=%g at size_ref=%d is %.1f pixels on this %dx%d input; "
               "the largest grain is %g pixels: lower size or raise size_ref.\n",
               g->size, g->size_ref, g->size_px, w, h, AIP_GRAIN_MAX_SIZE);
        return AVERROR(EINVAL);
    }
    /* Grain far below a pixel is white noise; the template needs a
     * positive width. */
    g->size_px = FFMAX(g->size_px, 0.25);

    g->nb_fields = g->is_rgb ? 4 : g->nb_planes;
    for (int i = 0; i < g->nb_fields; i++) {
        /* Subsampled chroma carries grain of the same size on the
         * picture, so fewer of its samples. */
        const int subsampled = !g->is_rgb && i > 0;
        const double sx = g->size_px / (subsampled ? 1 << g->hsub : 1);
        const double sy = g->size_px / (subsampled ? 1 << g->vsub : 1);
        const int p = g->is_rgb ? 0 : i;
        ret = aip_grain_plane_init(&g->field[i], g->seed, i, FFMAX(sx, 0.25), FFMAX(sy, 0.25));
        if (ret < 0) {
            g->nb_fields = i;
            return AVERROR(-ret);
        }
        g->blocks_w[i] = AIP_GRAIN_BLOCKS(g->planewidth[p]);
        g->blocks_h[i] = AIP_GRAIN_BLOCKS(g->planeheight[p]);
    }
    av_log(ctx, AV_LOG_VERBOSE, "grain size %.2f px, block overlap %d\n",
           g->size_px, g->field[0].overlap);
    return 0;
}

int ff_aigrain_field_used(const AIGrainCommon *g, int i)
{
    return g->is_rgb ? (i == 0 || g->chroma > 0) : g->plane_active[i];
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b < 0);
}

static int64_t frame_index(AVFilterContext *ctx, AIGrainCommon *g, const AVFrame *in)
{
    AVFilterLink *inlink = ctx->inputs[0];
    const FilterLink *l = ff_filter_link(inlink);
    int64_t index = g->frame_count;

    if (g->frame_index == AIGRAIN_INDEX_PTS) {
        if (in->pts != AV_NOPTS_VALUE && l->frame_rate.num > 0 && l->frame_rate.den > 0) {
            index = av_rescale_q_rnd(in->pts, inlink->time_base, av_inv_q(l->frame_rate),
                                     AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX);
        } else if (!g->warned_index) {
            av_log(ctx, AV_LOG_WARNING, "frame_index=pts needs timestamps and a frame rate; "
                   "keying the grain by frame count instead.\n");
            g->warned_index = 1;
        }
    }
    return index + g->start_number;
}

void ff_aigrain_frame_keys(AVFilterContext *ctx, AIGrainCommon *g,
                           const AVFrame *in, AIGrainKeys *k)
{
    const int64_t index = frame_index(ctx, g, in);

    memset(k, 0, sizeof(*k));
    k->index = index;
    g->frame_count++;

    switch (g->temporal) {
    case AIGRAIN_TEMPORAL_STATIC:
        k->key_a = 0;
        break;
    case AIGRAIN_TEMPORAL_DYNAMIC:
        k->key_a = index;
        break;
    case AIGRAIN_TEMPORAL_CORRELATED: {
        const int64_t period = floor_div(index, g->coherence);
        const int64_t phase = index - period * g->coherence;
        k->key_a = period;
        k->key_b = period + 1;
        aip_grain_fade_weights((double)phase / g->coherence, &k->weight_a, &k->weight_b);
        break;
    }
    }
}

/* Next plate frame for the next main frame: live frames while the plate
 * lasts (keeping the first plate_frames for looping), then the kept ones
 * in a loop. Returns 1 with *out set, 0 when it must wait, or an error. */
static int next_plate(AVFilterContext *ctx, AIGrainCommon *g, AVFrame **out)
{
    AVFilterLink *platelink = ctx->inputs[1];
    AVFrame *frame;
    int64_t pts;
    int ret, status;

    if (!g->plate_eof) {
        ret = ff_inlink_consume_frame(platelink, &frame);
        if (ret < 0)
            return ret;
        if (ret > 0) {
            if (g->nb_plate_cache < g->plate_frames) {
                AVFrame *kept = av_frame_clone(frame);
                if (!kept) {
                    av_frame_free(&frame);
                    return AVERROR(ENOMEM);
                }
                g->plate_cache[g->nb_plate_cache++] = kept;
            } else {
                g->plate_cache_full = 1;
            }
            *out = frame;
            return 1;
        }
        if (!ff_inlink_acknowledge_status(platelink, &status, &pts))
            return 0;
        g->plate_eof = 1;
    }

    if (!g->nb_plate_cache) {
        av_log(ctx, AV_LOG_ERROR, "The plate input ended without a frame.\n");
        return AVERROR(EINVAL);
    }
    if (g->plate_cache_full) {
        av_log(ctx, AV_LOG_ERROR, "The plate ended before the main input and is longer than "
               "plate_frames=%d, so it cannot be looped from memory: raise plate_frames, "
               "or loop the plate at its source (-stream_loop -1 -i plate).\n", g->plate_frames);
        return AVERROR(EINVAL);
    }
    *out = av_frame_clone(g->plate_cache[g->plate_loop_pos++ % g->nb_plate_cache]);
    return *out ? 1 : AVERROR(ENOMEM);
}

int ff_aigrain_activate(AVFilterContext *ctx, AIGrainCommon *g,
                        int (*filter_frame)(AVFilterContext *ctx, AVFrame *in,
                                            const AVFrame *plate))
{
    AVFilterLink *inlink = ctx->inputs[0];
    AVFilterLink *outlink = ctx->outputs[0];
    AVFrame *in;
    int64_t pts;
    int ret, status;

    FF_FILTER_FORWARD_STATUS_BACK_ALL(outlink, ctx);

    if (g->plate && !g->pending_plate) {
        ret = next_plate(ctx, g, &g->pending_plate);
        if (ret < 0)
            return ret;
    }

    if (!g->plate || g->pending_plate) {
        ret = ff_inlink_consume_frame(inlink, &in);
        if (ret < 0)
            return ret;
        if (ret > 0) {
            ret = filter_frame(ctx, in, g->pending_plate);
            av_frame_free(&g->pending_plate);
            if (ret >= 0)
                ff_filter_set_ready(ctx, 100);
            return ret;
        }
    }

    if (ff_inlink_acknowledge_status(inlink, &status, &pts)) {
        ff_outlink_set_status(outlink, status, pts);
        return 0;
    }

    if (ff_outlink_frame_wanted(outlink)) {
        if (g->plate && !g->pending_plate && !g->plate_eof)
            ff_inlink_request_frame(ctx->inputs[1]);
        else
            ff_inlink_request_frame(inlink);
        return 0;
    }
    return FFERROR_NOT_READY;
}

int ff_aigrain_init(AVFilterContext *ctx, AIGrainCommon *g,
                    int (*config_main)(AVFilterLink *),
                    int (*config_plate)(AVFilterLink *))
{
    AVFilterPad pad = {
        .name         = "default",
        .type         = AVMEDIA_TYPE_VIDEO,
        .config_props = config_main,
    };
    int ret;

    if ((ret = ff_append_inpad(ctx, &pad)) < 0)
        return ret;

    if (g->plate) {
        pad.name         = "plate";
        pad.config_props = config_plate;
        if ((ret = ff_append_inpad(ctx, &pad)) < 0)
            return ret;
        g->plate_cache = av_calloc(g->plate_frames, sizeof(*g->plate_cache));
        if (!g->plate_cache)
            return AVERROR(ENOMEM);
    }
    return 0;
}

void ff_aigrain_uninit(AIGrainCommon *g)
{
    for (int i = 0; i < g->nb_fields; i++)
        aip_grain_plane_uninit(&g->field[i]);
    g->nb_fields = 0;
    av_frame_free(&g->pending_plate);
    for (int i = 0; i < g->nb_plate_cache; i++)
        av_frame_free(&g->plate_cache[i]);
    g->nb_plate_cache = 0;
    av_freep(&g->plate_cache);
}

int ff_aigrain_process_command(AVFilterContext *ctx, AIGrainCommon *g, const char *cmd,
                               const char *args, char *res, int res_len, int flags)
{
    int ret = ff_filter_process_command(ctx, cmd, args, res, res_len, flags);

    if (ret >= 0)
        g->lut_range = -1;
    return ret;
}

int ff_aigrain_config_output(AVFilterLink *outlink)
{
    AVFilterLink *inlink = outlink->src->inputs[0];

    outlink->w = inlink->w;
    outlink->h = inlink->h;
    outlink->sample_aspect_ratio = inlink->sample_aspect_ratio;
    outlink->time_base = inlink->time_base;
    ff_filter_link(outlink)->frame_rate = ff_filter_link(inlink)->frame_rate;
    return 0;
}
