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

#include "aipost/grain.h"

enum BlendMode     { BLEND_OVERLAY, BLEND_ADD, NB_BLEND };
enum TemporalMode  { TEMPORAL_DYNAMIC, TEMPORAL_STATIC, TEMPORAL_CORRELATED, NB_TEMPORAL };
enum FrameIndex    { INDEX_PTS, INDEX_COUNT, NB_INDEX };

/* Grain rows a slice job needs at once: the grain, cross-fade scratch, the
 * second key of correlated grain, the own component of an RGB plane. */
#define SCRATCH_ROWS 4

typedef struct AIGrainContext {
    const AVClass *class;

    /* options */
    float strength;
    float size;
    int size_ref;
    float chroma;
    float shadows, midtones, highlights;
    int blend;
    float opacity;
    int temporal;
    int coherence;
    int64_t seed;
    int frame_index;
    int64_t start_number;
    int plate;
    int plate_frames;

    /* format */
    int depth, nb_planes, is_rgb;
    int hsub, vsub;                     /* log2 chroma subsampling */
    int planewidth[4], planeheight[4];

    /* synthesis: YUV 0 luma, 1..2 chroma; RGB 0 shared, 1..3 per plane */
    AIPGrainPlane field[4];
    int nb_fields;
    double size_px;                     /* effective grain size, luma samples */
    int blocks_w[4], blocks_h[4];       /* grain blocks covering each field */
    uint32_t *offsets[4][2];            /* per field, for keys a and b */
    AIPGrainDSP dsp;

    /* blend tables, rebuilt when the frames' colour range changes */
    AIPGrainScaling scaling[4];
    int plane_active[4];
    int lut_range;                      /* AVColorRange built for, -1 stale */

    int16_t *scratch;                   /* SCRATCH_ROWS rows per job */
    int scratch_stride;
    int nb_jobs_max;

    int64_t frame_count;
    int warned_index;

    /* plate */
    AVFrame *pending_plate;
    AVFrame **plate_cache;
    int nb_plate_cache;
    int plate_cache_full;
    int plate_eof;
    int64_t plate_loop_pos;
} AIGrainContext;

typedef struct ThreadData {
    const AVFrame *in;
    AVFrame *out;                       /* may be in itself */
    const AVFrame *plate;
    uint64_t key_a, key_b;              /* grain keys; b only for correlated */
    int weight_a, weight_b;
} ThreadData;

#define OFFSET(x) offsetof(AIGrainContext, x)
#define FLAGS  (AV_OPT_FLAG_FILTERING_PARAM | AV_OPT_FLAG_VIDEO_PARAM)
#define RFLAGS (FLAGS | AV_OPT_FLAG_RUNTIME_PARAM)

static const AVOption aigrain_options[] = {
    { "strength",   "grain standard deviation at mid-grey, in 8-bit code values (scaled for deeper formats)",
        OFFSET(strength),   AV_OPT_TYPE_FLOAT, { .dbl = 4.0 }, 0.0, 32.0, RFLAGS },
    { "size",       "grain size: width of the grain's autocorrelation at half maximum, in pixels of a size_ref-line picture",
        OFFSET(size),       AV_OPT_TYPE_FLOAT, { .dbl = 1.5 }, 0.25, 8.0, FLAGS },
    { "size_ref",   "short side of the picture that size refers to; the grain scales with resolution (0: size is in pixels of this input)",
        OFFSET(size_ref),   AV_OPT_TYPE_INT,   { .i64 = 1080 }, 0, 8640, FLAGS },
    { "chroma",     "colour grain, as a fraction of the luma grain",
        OFFSET(chroma),     AV_OPT_TYPE_FLOAT, { .dbl = 0.3 }, 0.0, 1.0, RFLAGS },
    { "shadows",    "grain multiplier in the shadows (luma curve point at black)",
        OFFSET(shadows),    AV_OPT_TYPE_FLOAT, { .dbl = 1.0 }, 0.0, 4.0, RFLAGS },
    { "midtones",   "grain multiplier in the midtones (luma curve point at mid-grey)",
        OFFSET(midtones),   AV_OPT_TYPE_FLOAT, { .dbl = 1.0 }, 0.0, 4.0, RFLAGS },
    { "highlights", "grain multiplier in the highlights (luma curve point at white)",
        OFFSET(highlights), AV_OPT_TYPE_FLOAT, { .dbl = 1.0 }, 0.0, 4.0, RFLAGS },
    { "blend",      "how grain meets the picture",
        OFFSET(blend),      AV_OPT_TYPE_INT,   { .i64 = BLEND_OVERLAY }, 0, NB_BLEND - 1, FLAGS, .unit = "blend" },
        { "overlay", "overlay layer: most grain in the midtones, none at black and white", 0, AV_OPT_TYPE_CONST, { .i64 = BLEND_OVERLAY }, 0, 0, FLAGS, .unit = "blend" },
        { "add",     "added evenly at every brightness (then shaped by the curve only)",  0, AV_OPT_TYPE_CONST, { .i64 = BLEND_ADD },     0, 0, FLAGS, .unit = "blend" },
    { "opacity",    "opacity of the plate layer (plate=1)",
        OFFSET(opacity),    AV_OPT_TYPE_FLOAT, { .dbl = 0.3 }, 0.0, 1.0, RFLAGS },
    { "temporal",   "how grain changes from frame to frame",
        OFFSET(temporal),   AV_OPT_TYPE_INT,   { .i64 = TEMPORAL_DYNAMIC }, 0, NB_TEMPORAL - 1, FLAGS, .unit = "temporal" },
        { "dynamic",    "new grain every frame, as film",                         0, AV_OPT_TYPE_CONST, { .i64 = TEMPORAL_DYNAMIC },    0, 0, FLAGS, .unit = "temporal" },
        { "static",     "the same grain on every frame (a textured screen)",      0, AV_OPT_TYPE_CONST, { .i64 = TEMPORAL_STATIC },     0, 0, FLAGS, .unit = "temporal" },
        { "correlated", "grain that drifts smoothly over `coherence` frames",     0, AV_OPT_TYPE_CONST, { .i64 = TEMPORAL_CORRELATED }, 0, 0, FLAGS, .unit = "temporal" },
    { "coherence",  "frames over which correlated grain changes completely",
        OFFSET(coherence),  AV_OPT_TYPE_INT,   { .i64 = 6 }, 2, 240, FLAGS },
    { "seed",       "grain seed",
        OFFSET(seed),       AV_OPT_TYPE_INT64, { .i64 = 0 }, 0, UINT32_MAX, FLAGS },
    { "frame_index", "what numbers the frames that key the grain",
        OFFSET(frame_index), AV_OPT_TYPE_INT,  { .i64 = INDEX_PTS }, 0, NB_INDEX - 1, FLAGS, .unit = "frame_index" },
        { "pts",   "the timestamp in frame durations (segments that keep their timestamps agree)", 0, AV_OPT_TYPE_CONST, { .i64 = INDEX_PTS },   0, 0, FLAGS, .unit = "frame_index" },
        { "count", "the count of frames seen",                                                       0, AV_OPT_TYPE_CONST, { .i64 = INDEX_COUNT }, 0, 0, FLAGS, .unit = "frame_index" },
    { "start_number", "added to the frame index: the first frame number of a segment processed apart",
        OFFSET(start_number), AV_OPT_TYPE_INT64, { .i64 = 0 }, INT32_MIN, INT32_MAX, FLAGS },
    { "plate",      "take the grain from a second input (a grain plate around mid-grey) instead of synthesising it",
        OFFSET(plate),      AV_OPT_TYPE_BOOL,  { .i64 = 0 }, 0, 1, FLAGS },
    { "plate_frames", "plate frames kept in memory to loop a plate shorter than the main input",
        OFFSET(plate_frames), AV_OPT_TYPE_INT, { .i64 = 48 }, 1, 10000, FLAGS },
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

static int is_full_range(const AIGrainContext *s, enum AVColorRange range)
{
    return s->is_rgb || range == AVCOL_RANGE_JPEG;
}

/* Plate samples enter the blend as their deviation from mid-grey shifted up
 * to 12 bits, where synthesised grain lives (Q9, +-8 sigma), so that 8-bit
 * tables stay in the 16-bit kernel's range. */
static int plate_shift(const AIGrainContext *s)
{
    return FFMAX(0, 12 - s->depth);
}

/* (Re)build the blend tables for frames of the given colour range. */
static void build_scaling(AIGrainContext *s, enum AVColorRange range)
{
    const int max = (1 << s->depth) - 1;
    const int full = is_full_range(s, range);
    /* The driver of every plane's grain is luma (YUV, gray) or the plane
     * itself (RGB), so black and white are luma's. */
    const int black = full ? 0   : 16  << (s->depth - 8);
    const int white = full ? max : 235 << (s->depth - 8);
    const AIPGrainCurve curve = { s->shadows, s->midtones, s->highlights };
    const double curve_max = FFMAX3(s->shadows, s->midtones, s->highlights);
    const enum AIPGrainShape shape = s->blend == BLEND_ADD ? AIP_GRAIN_SHAPE_ADD
                                                            : AIP_GRAIN_SHAPE_OVERLAY;

    for (int p = 0; p < s->nb_planes; p++) {
        const int is_chroma = !s->is_rgb && p > 0;
        /* Output code values per grain unit: the plate's deviation from
         * mid-grey is in code values << plate_shift; synthesised grain is Q9. */
        const double gain = s->plate ? s->opacity / (1 << plate_shift(s))
                          : s->strength * (1 << (s->depth - 8)) / AIP_GRAIN_UNIT *
                            (is_chroma ? s->chroma : 1.0);
        s->plane_active[p] = gain * curve_max > 0;
        aip_grain_scaling_init(&s->scaling[p], s->depth, black, white, shape, &curve, gain);
    }
    s->lut_range = range;
}

static int config_input(AVFilterLink *inlink)
{
    AVFilterContext *ctx = inlink->dst;
    AIGrainContext *s = ctx->priv;
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(inlink->format);
    const int short_side = FFMIN(inlink->w, inlink->h);
    int ret;

    s->depth     = desc->comp[0].depth;
    s->nb_planes = av_pix_fmt_count_planes(inlink->format);
    s->is_rgb    = !!(desc->flags & AV_PIX_FMT_FLAG_RGB);
    s->hsub      = desc->log2_chroma_w;
    s->vsub      = desc->log2_chroma_h;
    s->planewidth[1]  = s->planewidth[2]  = AV_CEIL_RSHIFT(inlink->w, s->hsub);
    s->planewidth[0]  = s->planewidth[3]  = inlink->w;
    s->planeheight[1] = s->planeheight[2] = AV_CEIL_RSHIFT(inlink->h, s->vsub);
    s->planeheight[0] = s->planeheight[3] = inlink->h;

    aip_grain_dsp_init(&s->dsp, (av_get_cpu_flags() & AV_CPU_FLAG_AVX2) ? AIP_CPU_AVX2 : 0);

    for (int i = 0; i < s->nb_fields; i++)
        aip_grain_plane_uninit(&s->field[i]);
    s->nb_fields = 0;

    if (!s->plate) {
        s->size_px = s->size_ref ? s->size * short_side / s->size_ref : s->size;
        if (s->size_px > AIP_GRAIN_MAX_SIZE) {
            av_log(ctx, AV_LOG_ERROR, "size=%g at size_ref=%d is %.1f pixels on this %dx%d input; "
                   "the largest grain is %g pixels: lower size or raise size_ref.\n",
                   s->size, s->size_ref, s->size_px, inlink->w, inlink->h, AIP_GRAIN_MAX_SIZE);
            return AVERROR(EINVAL);
        }
        /* Grain far below a pixel is white noise; the template needs a
         * positive width. */
        s->size_px = FFMAX(s->size_px, 0.25);

        s->nb_fields = s->is_rgb ? 4 : s->nb_planes;
        for (int i = 0; i < s->nb_fields; i++) {
            /* Subsampled chroma carries grain of the same size on the
             * picture, so fewer of its samples. */
            const int subsampled = !s->is_rgb && i > 0;
            const double sx = s->size_px / (subsampled ? 1 << s->hsub : 1);
            const double sy = s->size_px / (subsampled ? 1 << s->vsub : 1);
            ret = aip_grain_plane_init(&s->field[i], s->seed, i, FFMAX(sx, 0.25), FFMAX(sy, 0.25));
            if (ret < 0)
                return AVERROR(-ret);
        }
        for (int i = 0; i < s->nb_fields; i++) {
            const int p = s->is_rgb ? 0 : i;
            s->blocks_w[i] = AIP_GRAIN_BLOCKS(s->planewidth[p]);
            s->blocks_h[i] = AIP_GRAIN_BLOCKS(s->planeheight[p]);
            for (int k = 0; k < 2; k++) {
                av_freep(&s->offsets[i][k]);
                s->offsets[i][k] = av_malloc_array(s->blocks_w[i] * s->blocks_h[i], sizeof(**s->offsets));
                if (!s->offsets[i][k])
                    return AVERROR(ENOMEM);
            }
        }
        av_log(ctx, AV_LOG_VERBOSE, "grain size %.2f px, block overlap %d\n",
               s->size_px, s->field[0].overlap);
    }

    s->nb_jobs_max = FFMAX(1, FFMIN(s->planeheight[1], ff_filter_get_nb_threads(ctx)));
    s->scratch_stride = FFALIGN(inlink->w + AIP_GRAIN_BLOCK + AIP_GRAIN_MAX_OVERLAP, 32);
    av_freep(&s->scratch);
    s->scratch = av_calloc((size_t)s->nb_jobs_max * SCRATCH_ROWS, s->scratch_stride * sizeof(*s->scratch));
    if (!s->scratch)
        return AVERROR(ENOMEM);

    s->lut_range = -1;
    return 0;
}

/* The grain of one synthesised field for row y: correlated temporal grain
 * cross-fades the fields of two keys with variance-preserving weights. */
static void field_row(const AIGrainContext *s, const ThreadData *td, int field,
                      int16_t *dst, int16_t *tmp, int16_t *second, int y, int w)
{
    aip_grain_row(&s->dsp, &s->field[field], s->offsets[field][0], s->blocks_w[field], dst, tmp, y, w);
    if (td->weight_b) {
        aip_grain_row(&s->dsp, &s->field[field], s->offsets[field][1], s->blocks_w[field], second, tmp, y, w);
        s->dsp.mix_rows(dst, dst, second, td->weight_a, td->weight_b, w);
    }
}

/* The plate's deviation from mid-grey for row y of plane p, tiled when the
 * plate is smaller than the picture. */
static void plate_row(const AIGrainContext *s, const AVFrame *plate, int p,
                      int16_t *dst, int y, int w)
{
    /* The plate shares the main input's format (negotiated in common). */
    const int pw = p == 1 || p == 2 ? AV_CEIL_RSHIFT(plate->width,  s->hsub) : plate->width;
    const int ph = p == 1 || p == 2 ? AV_CEIL_RSHIFT(plate->height, s->vsub) : plate->height;
    const int half = 1 << (s->depth - 1), shift = plate_shift(s);
    const uint8_t *row = plate->data[p] + (ptrdiff_t)(y % ph) * plate->linesize[p];

    for (int x0 = 0; x0 < w; x0 += pw) {
        const int n = FFMIN(pw, w - x0);
        if (s->depth == 8)
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
    const AVFrame *in = td->in;
    AVFrame *out = td->out;
    const int w = s->planewidth[p];
    const int stride = s->scratch_stride;
    int16_t *grain = scratch, *tmp = scratch + stride;
    int16_t *second = scratch + 2 * stride, *own = scratch + 3 * stride;
    const int chroma_q = lrintf(s->chroma * (1 << AIP_GRAIN_WEIGHT_SHIFT));
    const int from_luma = !s->is_rgb && p > 0;
    const int step = from_luma ? 1 << s->hsub : 1;
    const int lo = 0, hi = (1 << s->depth) - 1;

    for (int y = y0; y < y1; y++) {
        const uint8_t *src = in->data[p] + (ptrdiff_t)y * in->linesize[p];
        uint8_t *dst = out->data[p] + (ptrdiff_t)y * out->linesize[p];
        const uint8_t *driver = from_luma ? in->data[0] + (ptrdiff_t)(y << s->vsub) * in->linesize[0]
                                          : src;

        if (td->plate) {
            plate_row(s, td->plate, p, grain, y, w);
        } else if (s->is_rgb) {
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

        if (s->depth == 8)
            s->dsp.blend8(dst, src, grain, &s->scaling[p], driver, step, lo, hi, w);
        else
            s->dsp.blend16((uint16_t *)dst, (const uint16_t *)src, grain, &s->scaling[p],
                           (const uint16_t *)driver, step, lo, hi, w);
    }
}

static int grain_slice(AVFilterContext *ctx, void *arg, int jobnr, int nb_jobs)
{
    const AIGrainContext *s = ctx->priv;
    const ThreadData *td = arg;
    int16_t *scratch = s->scratch + (size_t)jobnr * SCRATCH_ROWS * s->scratch_stride;
    /* Slices are cut on chroma rows so that a job owns the luma rows its
     * chroma is driven by. Working in place, chroma goes first, while that
     * luma is untouched, so the result does not depend on how rows are
     * shared out. */
    const int ch = s->planeheight[1];
    const int cy0 = ch * jobnr / nb_jobs, cy1 = ch * (jobnr + 1) / nb_jobs;
    const int y0 = cy0 << s->vsub;
    const int y1 = FFMIN(cy1 << s->vsub, s->planeheight[0]);

    for (int p = s->nb_planes - 1; p >= 0; p--) {
        const int subsampled = p > 0 && !s->is_rgb;
        const int r0 = subsampled ? cy0 : y0, r1 = subsampled ? cy1 : y1;

        if (s->plane_active[p]) {
            grain_plane_rows(s, td, scratch, p, r0, r1);
        } else if (td->out != td->in) {
            const int bytes = s->depth > 8 ? 2 : 1;
            av_image_copy_plane(td->out->data[p] + (ptrdiff_t)r0 * td->out->linesize[p], td->out->linesize[p],
                                td->in->data[p]  + (ptrdiff_t)r0 * td->in->linesize[p],  td->in->linesize[p],
                                s->planewidth[p] * bytes, r1 - r0);
        }
    }
    return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b < 0);
}

static int64_t frame_index(AVFilterContext *ctx, const AVFrame *in)
{
    AIGrainContext *s = ctx->priv;
    AVFilterLink *inlink = ctx->inputs[0];
    const FilterLink *l = ff_filter_link(inlink);
    int64_t index = s->frame_count;

    if (s->frame_index == INDEX_PTS) {
        if (in->pts != AV_NOPTS_VALUE && l->frame_rate.num > 0 && l->frame_rate.den > 0) {
            index = av_rescale_q_rnd(in->pts, inlink->time_base, av_inv_q(l->frame_rate),
                                     AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX);
        } else if (!s->warned_index) {
            av_log(ctx, AV_LOG_WARNING, "frame_index=pts needs timestamps and a frame rate; "
                   "keying the grain by frame count instead.\n");
            s->warned_index = 1;
        }
    }
    return index + s->start_number;
}

static int filter_frame(AVFilterContext *ctx, AVFrame *in, const AVFrame *plate)
{
    AIGrainContext *s = ctx->priv;
    AVFilterLink *outlink = ctx->outputs[0];
    ThreadData td = { .in = in, .out = in, .plate = plate };
    const int64_t index = frame_index(ctx, in);

    s->frame_count++;
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

    if (s->lut_range != in->color_range)
        build_scaling(s, in->color_range);

    switch (s->temporal) {
    case TEMPORAL_STATIC:
        td.key_a = 0;
        break;
    case TEMPORAL_DYNAMIC:
        td.key_a = index;
        break;
    case TEMPORAL_CORRELATED: {
        const int64_t period = floor_div(index, s->coherence);
        const int64_t phase = index - period * s->coherence;
        td.key_a = period;
        td.key_b = period + 1;
        aip_grain_fade_weights((double)phase / s->coherence, &td.weight_a, &td.weight_b);
        break;
    }
    }

    /* Where each block takes its grain from: once per frame, for the fields
     * the active planes use. */
    if (!plate)
        for (int i = 0; i < s->nb_fields; i++) {
            const int used = s->is_rgb ? (i == 0 || s->chroma > 0) : s->plane_active[i];
            if (!used)
                continue;
            aip_grain_offsets(&s->field[i], s->offsets[i][0], td.key_a, s->blocks_w[i], s->blocks_h[i]);
            if (td.weight_b)
                aip_grain_offsets(&s->field[i], s->offsets[i][1], td.key_b, s->blocks_w[i], s->blocks_h[i]);
        }

    ff_filter_execute(ctx, grain_slice, &td, NULL,
                      FFMIN(s->nb_jobs_max, ff_filter_get_nb_threads(ctx)));

    if (td.out != in)
        av_frame_free(&in);
    av_dict_set_int(&td.out->metadata, "lavfi.aigrain.frame_index", index, 0);
    return ff_filter_frame(outlink, td.out);
}

/* Next plate frame for the next main frame: live frames while the plate
 * lasts (keeping the first plate_frames for looping), then the kept ones
 * in a loop. Returns 1 with *out set, 0 when it must wait, or an error. */
static int next_plate(AVFilterContext *ctx, AVFrame **out)
{
    AIGrainContext *s = ctx->priv;
    AVFilterLink *platelink = ctx->inputs[1];
    AVFrame *frame;
    int64_t pts;
    int ret, status;

    if (!s->plate_eof) {
        ret = ff_inlink_consume_frame(platelink, &frame);
        if (ret < 0)
            return ret;
        if (ret > 0) {
            if (s->nb_plate_cache < s->plate_frames) {
                AVFrame *kept = av_frame_clone(frame);
                if (!kept) {
                    av_frame_free(&frame);
                    return AVERROR(ENOMEM);
                }
                s->plate_cache[s->nb_plate_cache++] = kept;
            } else {
                s->plate_cache_full = 1;
            }
            *out = frame;
            return 1;
        }
        if (!ff_inlink_acknowledge_status(platelink, &status, &pts))
            return 0;
        s->plate_eof = 1;
    }

    if (!s->nb_plate_cache) {
        av_log(ctx, AV_LOG_ERROR, "The plate input ended without a frame.\n");
        return AVERROR(EINVAL);
    }
    if (s->plate_cache_full) {
        av_log(ctx, AV_LOG_ERROR, "The plate ended before the main input and is longer than "
               "plate_frames=%d, so it cannot be looped from memory: raise plate_frames, "
               "or loop the plate at its source (-stream_loop -1 -i plate).\n", s->plate_frames);
        return AVERROR(EINVAL);
    }
    *out = av_frame_clone(s->plate_cache[s->plate_loop_pos++ % s->nb_plate_cache]);
    return *out ? 1 : AVERROR(ENOMEM);
}

static int activate(AVFilterContext *ctx)
{
    AIGrainContext *s = ctx->priv;
    AVFilterLink *inlink = ctx->inputs[0];
    AVFilterLink *outlink = ctx->outputs[0];
    AVFrame *in;
    int64_t pts;
    int ret, status;

    FF_FILTER_FORWARD_STATUS_BACK_ALL(outlink, ctx);

    if (s->plate && !s->pending_plate) {
        ret = next_plate(ctx, &s->pending_plate);
        if (ret < 0)
            return ret;
    }

    if (!s->plate || s->pending_plate) {
        ret = ff_inlink_consume_frame(inlink, &in);
        if (ret < 0)
            return ret;
        if (ret > 0) {
            ret = filter_frame(ctx, in, s->pending_plate);
            av_frame_free(&s->pending_plate);
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
        if (s->plate && !s->pending_plate && !s->plate_eof)
            ff_inlink_request_frame(ctx->inputs[1]);
        else
            ff_inlink_request_frame(inlink);
        return 0;
    }
    return FFERROR_NOT_READY;
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
    AVFilterPad pad = {
        .name         = "default",
        .type         = AVMEDIA_TYPE_VIDEO,
        .config_props = config_input,
    };
    int ret;

    if ((ret = ff_append_inpad(ctx, &pad)) < 0)
        return ret;

    if (s->plate) {
        pad.name         = "plate";
        pad.config_props = plate_config;
        if ((ret = ff_append_inpad(ctx, &pad)) < 0)
            return ret;
        s->plate_cache = av_calloc(s->plate_frames, sizeof(*s->plate_cache));
        if (!s->plate_cache)
            return AVERROR(ENOMEM);
    }
    return 0;
}

static av_cold void uninit(AVFilterContext *ctx)
{
    AIGrainContext *s = ctx->priv;

    for (int i = 0; i < s->nb_fields; i++)
        aip_grain_plane_uninit(&s->field[i]);
    for (int i = 0; i < 4; i++) {
        av_freep(&s->offsets[i][0]);
        av_freep(&s->offsets[i][1]);
    }
    av_freep(&s->scratch);
    av_frame_free(&s->pending_plate);
    for (int i = 0; i < s->nb_plate_cache; i++)
        av_frame_free(&s->plate_cache[i]);
    av_freep(&s->plate_cache);
}

static int process_command(AVFilterContext *ctx, const char *cmd, const char *args,
                           char *res, int res_len, int flags)
{
    AIGrainContext *s = ctx->priv;
    int ret = ff_filter_process_command(ctx, cmd, args, res, res_len, flags);

    if (ret >= 0)
        s->lut_range = -1;
    return ret;
}

/* The main input's geometry and timing, whatever the plate's. */
static int config_output(AVFilterLink *outlink)
{
    AVFilterLink *inlink = outlink->src->inputs[0];

    outlink->w = inlink->w;
    outlink->h = inlink->h;
    outlink->sample_aspect_ratio = inlink->sample_aspect_ratio;
    outlink->time_base = inlink->time_base;
    ff_filter_link(outlink)->frame_rate = ff_filter_link(inlink)->frame_rate;
    return 0;
}

static const AVFilterPad aigrain_outputs[] = {
    {
        .name         = "default",
        .type         = AVMEDIA_TYPE_VIDEO,
        .config_props = config_output,
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
