/*
 * skintexture: organic skin texture (pores, fine variation) where generated
 * skin is waxy-smooth, and only there, anchored to the skin so that it
 * moves with the face instead of boiling.
 *
 * Per frame: an 8-bit analysis of the input (luma pyramid, chroma at the
 * analysis size) gives a soft skin likelihood (aipost/skinmask.h: Y'CbCr model
 * measured from the picture's own neutral point, smoothed along luma
 * edges, then averaged with the two previous frames' likelihoods brought
 * into place by the motion field), and block matching (aipost/motion.h)
 * gives the motion of every node of a grid. Two texture-coordinate maps,
 * one started every `anchor` frames, are carried along by that motion; the
 * procedural texture (aipost/skintex.h) is sampled through them, in the
 * amount that lifts each block's pore-band energy to `strength`, weighted
 * by the likelihood above `threshold`. Samples at or below the threshold
 * keep their value, bit for bit.
 *
 * Determinism: integer arithmetic throughout (the texture tile and tables
 * are made once with basic arithmetic); the output is the same for any
 * thread count and CPU. The state carried from frame to frame (previous
 * analysis, two likelihoods, the two maps) depends on at most the frames
 * since the older map's anchor: a segment that starts at an anchor frame
 * (a multiple of `anchor` in the frame index) gives the whole run's output
 * from the next anchor on. See docs/skintexture.md.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

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

#include "aipost/motion.h"
#include "aipost/pyramid.h"
#include "aipost/skinmask.h"
#include "aipost/skintex.h"

/* The finest texture laid down, pixels (the full width at half maximum of
 * its autocorrelation is about the scale). */
#define MIN_SCALE_PX 1.5

/* Slice jobs a frame's stages are cut into at most. */
#define MAX_JOBS 64

enum Show       { SHOW_NONE, SHOW_MASK, SHOW_LIKELIHOOD, NB_SHOW };
enum FrameIndex { INDEX_PTS, INDEX_COUNT, NB_INDEX };

typedef struct SkinTextureContext {
    const AVClass *class;

    /* options */
    float strength;
    float scale;
    int scale_ref;
    float pores;
    float chroma;
    float threshold;
    int anchor;
    int balance;
    int64_t seed;
    int frame_index;
    int64_t start_number;
    int show;

    /* format */
    int depth, hsub, vsub, nb_planes;
    int planewidth[4], planeheight[4];

    /* analysis: level a = grid_log2 - 2 of the luma pyramid */
    int a_log2, grid_log2;
    int aw, ah;                         /* analysis plane size */
    ptrdiff_t astride;
    AIPPyramid pyr[2];                  /* current and previous luma */
    int cur;
    int have_prev;
    uint8_t *acb, *acr;                 /* analysis chroma */
    uint8_t *like, *like_tmp;           /* this frame's likelihood, smoothing pass */
    uint8_t *open_tmp;                  /* two planes: the opening's passes */
    uint8_t *hist_ls, *hist_w1;         /* the previous likelihood, and the one
                                           before it warped to the previous frame */
    uint8_t *warp1, *warp2, *mask;
    int16_t *field_x, *field_y;         /* motion at the analysis samples */
    uint8_t *hist_ls_max, *hist_w1_max, *warp1_max, *like_max;  /* their rows' maxima */
    int hist;                           /* history frames held, 0..2 */
    uint8_t *mask_row_max;
    AIPSkinMaskModel skin;
    AIPMotion motion;
    AIPMotionVector *vec, *vec_tmp;
    uint8_t *want, *search;

    /* texture */
    AIPSkinTexture tex;
    AIPSkinTexDSP dsp;
    double scale_px;
    int nodes_w, nodes_h;
    uint32_t *map[2], *map_tmp;         /* [0] the older layer, [1] the newer */
    int64_t period;                     /* anchor period of the newer layer */
    int have_layers;
    int32_t *energy_amp, *amp_a, *amp_b, *amp_t;
    uint8_t *cell_active, *coincident;
    uint16_t weight[256];
    uint32_t *band_scratch;             /* per job */
    size_t band_scratch_size;
    uint64_t *cell_band;                /* band sums of the cells */
    uint8_t *node_active;
    uint8_t *row_scratch;
    size_t row_scratch_size;
    int nb_jobs_max;

    int64_t frame_count;
    int warned_index;
} SkinTextureContext;

#define OFFSET(x) offsetof(SkinTextureContext, x)
#define FLAGS (AV_OPT_FLAG_FILTERING_PARAM | AV_OPT_FLAG_VIDEO_PARAM)

static const AVOption skintexture_options[] = {
    { "strength",  "pore-band deviation skin is brought up to, in 8-bit code values (scaled for deeper formats)",
        OFFSET(strength),  AV_OPT_TYPE_FLOAT, { .dbl = 3.0 }, 0.0, 16.0, FLAGS },
    { "scale",     "texture feature (pore) size, in pixels of a scale_ref-line picture",
        OFFSET(scale),     AV_OPT_TYPE_FLOAT, { .dbl = 2.0 }, 0.5, 8.0, FLAGS },
    { "scale_ref", "short side of the picture that scale refers to; the texture scales with resolution (0: scale is in pixels of this input)",
        OFFSET(scale_ref), AV_OPT_TYPE_INT,   { .i64 = 1080 }, 0, 8640, FLAGS },
    { "pores",     "share of pores (sparse dark pits) against fine variation in the texture",
        OFFSET(pores),     AV_OPT_TYPE_FLOAT, { .dbl = 0.5 }, 0.0, 1.0, FLAGS },
    { "chroma",    "slight colour variation (redness), as a fraction of the luma texture",
        OFFSET(chroma),    AV_OPT_TYPE_FLOAT, { .dbl = 0.0 }, 0.0, 1.0, FLAGS },
    { "threshold", "skin likelihood at or below which pixels are left untouched",
        OFFSET(threshold), AV_OPT_TYPE_FLOAT, { .dbl = 0.5 }, 0.0, 0.99, FLAGS },
    { "anchor",    "frames between the starts of texture layers (how long a texture follows motion before it is renewed)",
        OFFSET(anchor),    AV_OPT_TYPE_INT,   { .i64 = 48 }, 2, 100000, FLAGS },
    { "balance",   "measure skin colour from the picture's own neutral point (white balance tolerance)",
        OFFSET(balance),   AV_OPT_TYPE_BOOL,  { .i64 = 1 }, 0, 1, FLAGS },
    { "seed",      "texture seed",
        OFFSET(seed),      AV_OPT_TYPE_INT64, { .i64 = 0 }, 0, UINT32_MAX, FLAGS },
    { "frame_index", "what numbers the frames that place the layers' anchors",
        OFFSET(frame_index), AV_OPT_TYPE_INT, { .i64 = INDEX_PTS }, 0, NB_INDEX - 1, FLAGS, .unit = "frame_index" },
        { "pts",   "the timestamp in frame durations (segments that keep their timestamps agree)", 0, AV_OPT_TYPE_CONST, { .i64 = INDEX_PTS },   0, 0, FLAGS, .unit = "frame_index" },
        { "count", "the count of frames seen",                                                       0, AV_OPT_TYPE_CONST, { .i64 = INDEX_COUNT }, 0, 0, FLAGS, .unit = "frame_index" },
    { "start_number", "added to the frame index: the first frame number of a segment processed apart",
        OFFSET(start_number), AV_OPT_TYPE_INT64, { .i64 = 0 }, INT32_MIN, INT32_MAX, FLAGS },
    { "show",      "output for tuning instead of the textured picture",
        OFFSET(show),      AV_OPT_TYPE_INT,   { .i64 = SHOW_NONE }, 0, NB_SHOW - 1, FLAGS, .unit = "show" },
        { "none",       "the textured picture",                                         0, AV_OPT_TYPE_CONST, { .i64 = SHOW_NONE },       0, 0, FLAGS, .unit = "show" },
        { "mask",       "the weight the texture is applied with (black: untouched)",    0, AV_OPT_TYPE_CONST, { .i64 = SHOW_MASK },       0, 0, FLAGS, .unit = "show" },
        { "likelihood", "the skin likelihood before the threshold",                     0, AV_OPT_TYPE_CONST, { .i64 = SHOW_LIKELIHOOD }, 0, 0, FLAGS, .unit = "show" },
    { NULL }
};

AVFILTER_DEFINE_CLASS(skintexture);

static const enum AVPixelFormat pix_fmts[] = {
    AV_PIX_FMT_YUV420P,   AV_PIX_FMT_YUV422P,   AV_PIX_FMT_YUV444P,
    AV_PIX_FMT_YUVJ420P,  AV_PIX_FMT_YUVJ422P,  AV_PIX_FMT_YUVJ444P,
    AV_PIX_FMT_YUV420P9,  AV_PIX_FMT_YUV422P9,  AV_PIX_FMT_YUV444P9,
    AV_PIX_FMT_YUV420P10, AV_PIX_FMT_YUV422P10, AV_PIX_FMT_YUV444P10,
    AV_PIX_FMT_YUV420P12, AV_PIX_FMT_YUV422P12, AV_PIX_FMT_YUV444P12,
    AV_PIX_FMT_YUV420P14, AV_PIX_FMT_YUV422P14, AV_PIX_FMT_YUV444P14,
    AV_PIX_FMT_YUV420P16, AV_PIX_FMT_YUV422P16, AV_PIX_FMT_YUV444P16,
    AV_PIX_FMT_NONE
};

static void free_buffers(SkinTextureContext *s)
{
    for (int i = 0; i < 2; i++) {
        aip_pyramid_uninit(&s->pyr[i]);
        av_freep(&s->map[i]);
    }
    av_freep(&s->acb);
    av_freep(&s->acr);
    av_freep(&s->like);
    av_freep(&s->like_tmp);
    av_freep(&s->open_tmp);
    av_freep(&s->hist_ls);
    av_freep(&s->hist_w1);
    av_freep(&s->warp1);
    av_freep(&s->warp2);
    av_freep(&s->mask);
    av_freep(&s->field_x);
    av_freep(&s->field_y);
    av_freep(&s->hist_ls_max);
    av_freep(&s->hist_w1_max);
    av_freep(&s->warp1_max);
    av_freep(&s->like_max);
    av_freep(&s->mask_row_max);
    av_freep(&s->vec);
    av_freep(&s->vec_tmp);
    av_freep(&s->want);
    av_freep(&s->search);
    av_freep(&s->map_tmp);
    av_freep(&s->energy_amp);
    av_freep(&s->amp_a);
    av_freep(&s->amp_b);
    av_freep(&s->amp_t);
    av_freep(&s->cell_active);
    av_freep(&s->coincident);
    av_freep(&s->band_scratch);
    av_freep(&s->cell_band);
    av_freep(&s->node_active);
    av_freep(&s->row_scratch);
    aip_motion_uninit(&s->motion);
    aip_skintex_uninit(&s->tex);
}

static int config_input(AVFilterLink *inlink)
{
    AVFilterContext *ctx = inlink->dst;
    SkinTextureContext *s = ctx->priv;
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(inlink->format);
    const int short_side = FFMIN(inlink->w, inlink->h);
    const int cpu = (av_get_cpu_flags() & AV_CPU_FLAG_AVX2) ? AIP_CPU_AVX2 : 0;
    size_t nodes, aplane;
    int ret;

    free_buffers(s);
    if (inlink->w < 16 || inlink->h < 16) {
        av_log(ctx, AV_LOG_ERROR, "The input is %dx%d; skintexture needs at least 16x16.\n",
               inlink->w, inlink->h);
        return AVERROR(EINVAL);
    }

    s->depth     = desc->comp[0].depth;
    s->nb_planes = av_pix_fmt_count_planes(inlink->format);
    s->hsub      = desc->log2_chroma_w;
    s->vsub      = desc->log2_chroma_h;
    s->planewidth[1]  = s->planewidth[2]  = AV_CEIL_RSHIFT(inlink->w, s->hsub);
    s->planewidth[0]  = inlink->w;
    s->planeheight[1] = s->planeheight[2] = AV_CEIL_RSHIFT(inlink->h, s->vsub);
    s->planeheight[0] = inlink->h;

    /* The analysis grid: the smallest power-of-two reduction (at least 2,
     * so subsampled chroma is at analysis size or finer) to 360 lines or
     * fewer; nodes every 4 analysis samples. */
    s->a_log2 = 1;
    while ((short_side >> s->a_log2) > 360 && s->a_log2 < 4)
        s->a_log2++;
    s->grid_log2 = s->a_log2 + 2;
    s->aw = AIP_REDUCED(inlink->w, s->a_log2);
    s->ah = AIP_REDUCED(inlink->h, s->a_log2);

    s->scale_px = s->scale_ref ? s->scale * short_side / s->scale_ref : s->scale;
    if (s->scale_px > AIP_SKINTEX_MAX_SCALE) {
        av_log(ctx, AV_LOG_ERROR, "scale=%g at scale_ref=%d is %.1f pixels on this %dx%d input; "
               "the largest texture feature is %g pixels: lower scale or raise scale_ref.\n",
               s->scale, s->scale_ref, s->scale_px, inlink->w, inlink->h, AIP_SKINTEX_MAX_SCALE);
        return AVERROR(EINVAL);
    }
    /* Finer than this the texture is pixel noise, not pores, and sampling it
     * between pixels (motion) would blur it. */
    s->scale_px = FFMAX(s->scale_px, MIN_SCALE_PX);

    ret = aip_skintex_init(&s->tex, s->seed, s->scale_px, s->pores);
    if (ret < 0)
        return AVERROR(-ret);
    aip_skintex_dsp_init(&s->dsp, cpu);
    aip_skinmask_model_init(&s->skin);

    for (int i = 0; i < 2; i++)
        if ((ret = aip_pyramid_init(&s->pyr[i], inlink->w, inlink->h, s->grid_log2)) < 0)
            return AVERROR(-ret);
    ret = aip_motion_init(&s->motion, inlink->w, inlink->h, s->grid_log2, s->grid_log2, cpu);
    if (ret < 0)
        return AVERROR(-ret);
    s->astride = s->pyr[0].stride[s->a_log2];
    s->nodes_w = s->motion.nodes_w;
    s->nodes_h = s->motion.nodes_h;

    aplane = (size_t)s->astride * s->ah;
    nodes  = (size_t)s->nodes_w * s->nodes_h;
    s->acb      = av_mallocz(aplane);
    s->acr      = av_mallocz(aplane);
    s->like     = av_mallocz(aplane);
    s->like_tmp = av_mallocz(aplane);
    s->open_tmp = av_mallocz(AIP_SKINMASK_OPEN_SCRATCH(s->astride, s->ah, AIP_SKINMASK_OPEN_RADIUS));
    s->field_x  = av_calloc((size_t)s->aw * s->ah, sizeof(*s->field_x));
    s->field_y  = av_calloc((size_t)s->aw * s->ah, sizeof(*s->field_y));
    s->hist_ls_max = av_mallocz(s->ah);
    s->hist_w1_max = av_mallocz(s->ah);
    s->warp1_max   = av_mallocz(s->ah);
    s->like_max    = av_mallocz(s->ah);
    s->hist_ls  = av_mallocz(aplane);
    s->hist_w1  = av_mallocz(aplane);
    s->warp1    = av_mallocz(aplane);
    s->warp2    = av_mallocz(aplane);
    s->mask     = av_mallocz(aplane);
    s->mask_row_max = av_mallocz(s->ah);
    s->vec      = av_calloc(nodes, sizeof(*s->vec));
    s->vec_tmp  = av_calloc(nodes, sizeof(*s->vec_tmp));
    s->want     = av_mallocz(nodes);
    s->search   = av_mallocz(nodes);
    s->map[0]   = av_calloc(nodes, 2 * sizeof(*s->map[0]));
    s->map[1]   = av_calloc(nodes, 2 * sizeof(*s->map[1]));
    s->map_tmp  = av_calloc(nodes, 2 * sizeof(*s->map_tmp));
    s->energy_amp = av_calloc(nodes, sizeof(*s->energy_amp));
    s->amp_a    = av_calloc(nodes, sizeof(*s->amp_a));
    s->amp_b    = av_calloc(nodes, sizeof(*s->amp_b));
    s->amp_t    = av_calloc(nodes, sizeof(*s->amp_t));
    s->cell_active = av_mallocz(nodes);
    s->coincident  = av_mallocz(nodes);
    s->nb_jobs_max = FFMAX(1, FFMIN(FFMIN(s->ah, s->nodes_h - 1), FFMIN(ff_filter_get_nb_threads(ctx), MAX_JOBS)));
    s->band_scratch_size = AIP_SKINTEX_BAND_STRIP_SCRATCH(inlink->w + (1 << s->grid_log2), 1 << s->grid_log2,
                                                          s->tex.band_r2);
    s->band_scratch = av_calloc(s->band_scratch_size * s->nb_jobs_max, sizeof(*s->band_scratch));
    s->cell_band    = av_calloc(nodes, sizeof(*s->cell_band));
    s->node_active  = av_mallocz(nodes);
    if (!s->acb || !s->acr || !s->like || !s->like_tmp || !s->open_tmp ||
        !s->field_x || !s->field_y || !s->hist_ls_max || !s->hist_w1_max || !s->warp1_max || !s->like_max || !s->hist_ls || !s->hist_w1 ||
        !s->warp1 || !s->warp2 || !s->mask || !s->mask_row_max || !s->vec || !s->vec_tmp ||
        !s->want || !s->search || !s->map[0] || !s->map[1] || !s->map_tmp || !s->energy_amp || !s->amp_a ||
        !s->amp_b || !s->amp_t || !s->cell_active || !s->coincident || !s->band_scratch ||
        !s->cell_band || !s->node_active)
        return AVERROR(ENOMEM);

    {
        const AIPSkinTexFrame probe = { .width = inlink->w, .nodes_w = s->nodes_w, .mask_w = s->aw };
        s->row_scratch_size = FFALIGN(aip_skintex_rows_scratch(&probe), 64);
        s->row_scratch = av_malloc(s->row_scratch_size * s->nb_jobs_max);
        if (!s->row_scratch)
            return AVERROR(ENOMEM);
    }

    s->have_prev   = 0;
    s->hist        = 0;
    s->have_layers = 0;
    aip_skintex_weights(s->weight, (int)lrintf(s->threshold * 255));
    av_log(ctx, AV_LOG_VERBOSE, "analysis 1/%d (%dx%d), nodes every %d px (%dx%d), "
           "texture scale %.2f px (band radii %d/%d, gain %.3f)\n",
           1 << s->a_log2, s->aw, s->ah, 1 << s->grid_log2, s->nodes_w, s->nodes_h,
           s->scale_px, s->tex.band_r1, s->tex.band_r2, s->tex.band_gain / 4096.0);
    return 0;
}

static int64_t frame_index(AVFilterContext *ctx, const AVFrame *in)
{
    SkinTextureContext *s = ctx->priv;
    AVFilterLink *inlink = ctx->inputs[0];
    const FilterLink *l = ff_filter_link(inlink);
    int64_t index = s->frame_count;

    if (s->frame_index == INDEX_PTS) {
        if (in->pts != AV_NOPTS_VALUE && l->frame_rate.num > 0 && l->frame_rate.den > 0) {
            index = av_rescale_q_rnd(in->pts, inlink->time_base, av_inv_q(l->frame_rate),
                                     AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX);
        } else if (!s->warned_index) {
            av_log(ctx, AV_LOG_WARNING, "frame_index=pts needs timestamps and a frame rate; "
                   "numbering the frames by count instead.\n");
            s->warned_index = 1;
        }
    }
    return index + s->start_number;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b < 0);
}

/* The per-frame work is a sequence of stages; each is cut into slices of
 * rows that write disjoint outputs, so the result does not depend on the
 * number of jobs. */
enum Stage {
    STAGE_REDUCE,       /* 8-bit luma and analysis chroma */
    STAGE_HALVE,        /* the first pyramid level */
    STAGE_LIKELIHOOD,
    STAGE_SMOOTH_H,
    STAGE_SMOOTH_V,
    STAGE_COARSE,       /* motion: super-nodes */
    STAGE_NODES,        /* motion: nodes */
    STAGE_FIELD,        /* motion at the analysis samples */
    STAGE_WARP,         /* previous likelihoods into place */
    STAGE_CELLS,        /* band sums of the cells */
    STAGE_AMPLITUDES,   /* per node */
};

typedef struct StageData {
    enum Stage stage;
    const AVFrame *in;
    int full, nb, nr;
    int maxd;
    int wb;
    int32_t target;
    int unreliable[MAX_JOBS];
    int searched[MAX_JOBS];
} StageData;

/* Nodes whose cells a likelihood above `thr` reaches (through the bilinear
 * upsampling of analysis samples): marks cells in `cells` (indexed by the
 * node at their top-left corner). */
static void mark_cells(const SkinTextureContext *s, const uint8_t *like, int thr, uint8_t *cells)
{
    const int A = 1 << s->a_log2, g = s->grid_log2;
    const int cw = s->nodes_w - 1, chh = s->nodes_h - 1;

    memset(cells, 0, (size_t)s->nodes_w * s->nodes_h);
    for (int j = 0; j < s->ah; j++) {
        const uint8_t *row = like + (ptrdiff_t)j * s->astride;
        const int y0 = FFMAX(0, j * A - A / 2) >> g;
        const int y1 = FFMIN(chh - 1, (j * A + 3 * A / 2 - 1) >> g);
        for (int i = 0; i < s->aw; i++) {
            if (row[i] <= thr)
                continue;
            {
                const int x0 = FFMAX(0, i * A - A / 2) >> g;
                const int x1 = FFMIN(cw - 1, (i * A + 3 * A / 2 - 1) >> g);
                for (int cy = y0; cy <= y1; cy++)
                    for (int cx = x0; cx <= x1; cx++)
                        cells[cy * s->nodes_w + cx] = 1;
            }
        }
    }
}

/* Nodes at a corner of a marked cell. */
static void cells_to_nodes(const SkinTextureContext *s, const uint8_t *cells, uint8_t *nodes)
{
    const int nw = s->nodes_w;

    memset(nodes, 0, (size_t)nw * s->nodes_h);
    for (int j = 0; j < s->nodes_h - 1; j++)
        for (int i = 0; i < nw - 1; i++)
            if (cells[j * nw + i]) {
                nodes[j * nw + i] = nodes[j * nw + i + 1] = 1;
                nodes[(j + 1) * nw + i] = nodes[(j + 1) * nw + i + 1] = 1;
            }
}

/* Nodes marked, and their 8 neighbours (tmp: a node-sized scratch). */
static void dilate_nodes(const SkinTextureContext *s, uint8_t *nodes, uint8_t *tmp)
{
    const int nw = s->nodes_w, nh = s->nodes_h;

    memcpy(tmp, nodes, (size_t)nw * nh);
    for (int j = 0; j < nh; j++)
        for (int i = 0; i < nw; i++) {
            uint8_t v = 0;
            for (int dj = -1; dj <= 1 && !v; dj++)
                for (int di = -1; di <= 1 && !v; di++) {
                    const int ii = i + di, jj = j + dj;
                    v = ii >= 0 && jj >= 0 && ii < nw && jj < nh && tmp[(size_t)jj * nw + ii];
                }
            nodes[(size_t)j * nw + i] = v;
        }
}

static void row_maxima(const SkinTextureContext *s, const uint8_t *plane, uint8_t *mx,
                       int r0, int r1)
{
    for (int j = r0; j < r1; j++) {
        const uint8_t *row = plane + (ptrdiff_t)j * s->astride;
        uint8_t m = 0;
        for (int i = 0; i < s->aw; i++)
            m = FFMAX(m, row[i]);
        mx[j] = m;
    }
}

/* One node's amplitudes: the band energy of the four cells around it, the
 * amplitude that lifts it to the target, split between the layers. */
static void node_amplitude(SkinTextureContext *s, const StageData *sd, int i, int j)
{
    const int nw = s->nodes_w, g = s->grid_log2, G = 1 << g;
    const size_t n = (size_t)j * nw + i;
    const int wa = 256 - sd->wb;
    int32_t amp = 0;
    int ka = wa, kb = sd->wb;

    if (s->node_active[n]) {
        const int x0 = FFMAX(0, (i << g) - G), x1 = FFMIN(s->planewidth[0], (i << g) + G);
        const int y0 = FFMAX(0, (j << g) - G), y1 = FFMIN(s->planeheight[0], (j << g) + G);
        uint64_t sum = 0;
        for (int cj = FFMAX(0, j - 1); cj <= FFMIN(s->nodes_h - 2, j); cj++)
            for (int ci = FFMAX(0, i - 1); ci <= FFMIN(nw - 2, i); ci++)
                sum += s->cell_band[(size_t)cj * nw + ci];
        if (x1 > x0 && y1 > y0)
            amp = aip_skintex_amplitude(&s->tex, aip_skintex_band_energy(sum, aip_skintex_band_count(x0, y0, x1, y1),
                                                                          s->tex.band_r1, s->tex.band_r2),
                                        sd->target);
        aip_skintex_layer_gains(&s->tex, wa, sd->wb,
                                (int32_t)(s->map[0][2 * n]     - s->map[1][2 * n]),
                                (int32_t)(s->map[0][2 * n + 1] - s->map[1][2 * n + 1]),
                                &ka, &kb);
    }
    s->amp_t[n] = amp;
    s->amp_a[n] = (amp * ka + 128) >> 8;
    s->amp_b[n] = (amp * kb + 128) >> 8;
}

static int stage_slice(AVFilterContext *ctx, void *arg, int jobnr, int nb_jobs)
{
    SkinTextureContext *s = ctx->priv;
    StageData *sd = arg;
    const AIPPyramid *cur = &s->pyr[s->cur], *prev = &s->pyr[!s->cur];
    const int a = s->a_log2;
    const uint8_t *ay = cur->data[a];
#define SLICE(n) const int r0 = (n) * jobnr / nb_jobs, r1 = (n) * (jobnr + 1) / nb_jobs

    switch (sd->stage) {
    case STAGE_REDUCE: {
        const AVFrame *in = sd->in;
        SLICE(s->ah);
        /* luma rows of the analysis rows r0 .. r1 */
        const int y0 = r0 << a, y1 = FFMIN(r1 << a, s->planeheight[0]);
        aip_reduce_to8(cur->data[0], cur->stride[0], in->data[0], in->linesize[0],
                       s->planewidth[0], s->planeheight[0], s->depth, 0, 0, y0, y1);
        aip_reduce_to8(s->acb, s->astride, in->data[1], in->linesize[1], s->planewidth[1],
                       s->planeheight[1], s->depth, a - s->hsub, a - s->vsub, r0, r1);
        aip_reduce_to8(s->acr, s->astride, in->data[2], in->linesize[2], s->planewidth[2],
                       s->planeheight[2], s->depth, a - s->hsub, a - s->vsub, r0, r1);
        break;
    }
    case STAGE_HALVE: {
        SLICE(cur->h[1]);
        aip_halve8_rows(cur->data[1], cur->stride[1], cur->data[0], cur->stride[0],
                        cur->w[0], cur->h[0], r0, r1);
        break;
    }
    case STAGE_LIKELIHOOD: {
        SLICE(s->ah);
        aip_skinmask_likelihood(&s->skin, s->like, s->astride, ay, s->acb, s->acr, s->astride,
                            s->aw, sd->full, sd->nb, sd->nr, r0, r1);
        break;
    }
    case STAGE_SMOOTH_H: {
        SLICE(s->ah);
        aip_skinmask_smooth_h(&s->skin, s->like, s->like_tmp, ay, s->astride, s->aw, r0, r1);
        break;
    }
    case STAGE_SMOOTH_V: {
        SLICE(s->ah);
        aip_skinmask_smooth_v(&s->skin, s->like_tmp, s->like, ay, s->astride, s->aw, s->ah, r0, r1);
        row_maxima(s, s->like_tmp, s->like_max, r0, r1);
        break;
    }
    case STAGE_COARSE: {
        SLICE(s->motion.super_h);
        aip_motion_coarse(&s->motion, cur, prev, s->search, r0, r1);
        break;
    }
    case STAGE_NODES: {
        SLICE(s->nodes_h);
        sd->unreliable[jobnr] = aip_motion_nodes(&s->motion, cur, prev, s->search, s->want, s->vec,
                                                 r0, r1, &sd->searched[jobnr]);
        break;
    }
    case STAGE_FIELD: {
        SLICE(s->ah);
        for (int j = r0; j < r1; j++) {
            int need = 0;
            for (int k = FFMAX(0, j - sd->maxd - 1); k <= FFMIN(s->ah - 1, j + sd->maxd + 1) && !need; k++)
                need = s->hist_ls_max[k] || (s->hist >= 2 && s->hist_w1_max[k]);
            if (need)
                aip_motion_field(&s->motion, s->vec, a, s->field_x, s->field_y, s->aw, s->ah, j, j + 1);
        }
        break;
    }
    case STAGE_WARP: {
        SLICE(s->ah);
        aip_motion_warp8(s->field_x, s->field_y, sd->maxd, s->warp1, s->hist_ls, s->hist_ls_max,
                         s->astride, s->aw, s->ah, r0, r1);
        row_maxima(s, s->warp1, s->warp1_max, r0, r1);
        if (s->hist >= 2)
            aip_motion_warp8(s->field_x, s->field_y, sd->maxd, s->warp2, s->hist_w1, s->hist_w1_max,
                             s->astride, s->aw, s->ah, r0, r1);
        break;
    }
    case STAGE_CELLS: {
        const int nw = s->nodes_w, g = s->grid_log2, G = 1 << g;
        uint32_t *scratch = s->band_scratch + s->band_scratch_size * jobnr;
        SLICE(s->nodes_h - 1);
        for (int j = r0; j < r1; j++) {
            const size_t row = (size_t)j * nw;
            int i0 = nw - 1, i1 = 0;
            for (int i = 0; i < nw - 1; i++) {
                const size_t n = row + i;
                const int used = s->node_active[n] || s->node_active[n + 1] ||
                                 s->node_active[n + nw] || s->node_active[n + nw + 1];
                s->cell_band[n] = 0;
                if (used) {
                    i0 = FFMIN(i0, i);
                    i1 = i + 1;
                }
            }
            /* one strip over the cells from the first used to the last */
            if (i1 > i0 && j * G < s->planeheight[0] && i0 * G < s->planewidth[0])
                aip_skintex_band_sums(cur->data[0], cur->stride[0], s->planewidth[0], s->planeheight[0],
                                      i0 * G, i1 - i0, G, j * G, FFMIN(s->planeheight[0], (j + 1) * G),
                                      s->tex.band_r1, s->tex.band_r2, 2 * sd->target,
                                      s->cell_band + row + i0, scratch);
        }
        break;
    }
    case STAGE_AMPLITUDES: {
        SLICE(s->nodes_h);
        for (int j = r0; j < r1; j++)
            for (int i = 0; i < s->nodes_w; i++)
                node_amplitude(s, sd, i, j);
        break;
    }
    }
#undef SLICE
    return 0;
}

static void run_stage(AVFilterContext *ctx, StageData *sd, enum Stage stage)
{
    SkinTextureContext *s = ctx->priv;

    sd->stage = stage;
    ff_filter_execute(ctx, stage_slice, sd, NULL, FFMIN(s->nb_jobs_max, ff_filter_get_nb_threads(ctx)));
}

/* The 8-bit analysis of the input: luma pyramid, chroma at analysis size,
 * this frame's spatial likelihood (in s->like, row maxima in like_max). */
static void analyse(AVFilterContext *ctx, StageData *sd, const AVFrame *in)
{
    SkinTextureContext *s = ctx->priv;
    AIPPyramid *p = &s->pyr[s->cur];

    sd->in = in;
    sd->full = in->color_range == AVCOL_RANGE_JPEG;
    sd->nb = sd->nr = 0;
    run_stage(ctx, sd, STAGE_REDUCE);
    run_stage(ctx, sd, STAGE_HALVE);
    aip_pyramid_build_from(p, 2);
    if (s->balance)
        aip_skinmask_neutral(&s->skin, p->data[s->a_log2], s->acb, s->acr, s->astride, s->aw, s->ah,
                         sd->full, &sd->nb, &sd->nr);
    av_log(ctx, AV_LOG_DEBUG, "neutral point %d %d\n", sd->nb, sd->nr);
    run_stage(ctx, sd, STAGE_LIKELIHOOD);
    aip_skinmask_open(s->like_tmp, s->like, s->open_tmp, s->astride, s->aw, s->ah, AIP_SKINMASK_OPEN_RADIUS);
    run_stage(ctx, sd, STAGE_SMOOTH_H);
    run_stage(ctx, sd, STAGE_SMOOTH_V);
    FFSWAP(uint8_t *, s->like, s->like_tmp);
}

/* Motion of this frame against the previous one; returns 1 on a cut. */
static int estimate_motion(AVFilterContext *ctx, StageData *sd)
{
    SkinTextureContext *s = ctx->priv;
    const size_t nodes = (size_t)s->nodes_w * s->nodes_h;
    int unreliable = 0, searched = 0;

    if (!s->have_prev) {
        memset(s->vec, 0, sizeof(*s->vec) * nodes);
        return 0;
    }
    /* Motion is searched around this frame's skin only (any likelihood,
     * and one node around it); elsewhere it is zero, which is right for
     * what does not move and does not matter for what is not skin (with
     * threshold >= 0.5 a place without skin now cannot reach the threshold
     * whatever its history: the mask weighs this frame twice). It is
     * refined to full resolution where the likelihood is at least half the
     * threshold. */
    mark_cells(s, s->like, 0, s->cell_active);
    cells_to_nodes(s, s->cell_active, s->search);
    dilate_nodes(s, s->search, s->cell_active);
    mark_cells(s, s->like, (int)lrintf(s->threshold * 255) / 2, s->cell_active);
    cells_to_nodes(s, s->cell_active, s->want);
    run_stage(ctx, sd, STAGE_COARSE);
    memset(sd->unreliable, 0, sizeof(sd->unreliable));
    memset(sd->searched, 0, sizeof(sd->searched));
    run_stage(ctx, sd, STAGE_NODES);
    for (int i = 0; i < MAX_JOBS; i++) {
        unreliable += sd->unreliable[i];
        searched += sd->searched[i];
    }
    if (searched >= 16 && unreliable * 2 > searched) {
        memset(s->vec, 0, sizeof(*s->vec) * nodes);
        return 1;
    }
    aip_motion_fill_unreliable(&s->motion, s->vec, s->vec_tmp, s->want);
    if (av_log_get_level() >= AV_LOG_DEBUG) {
        int64_t sx = 0, sy = 0, n = 0;
        for (size_t i = 0; i < nodes; i++)
            if (s->want[i]) {
                sx += s->vec[i].x;
                sy += s->vec[i].y;
                n++;
            }
        if (n)
            av_log(ctx, AV_LOG_DEBUG, "motion of %"PRId64" refined nodes: mean %.3f %.3f px\n",
                   n, sx / 16.0 / n, sy / 16.0 / n);
    }
    return 0;
}

/* Likelihood averaged with the two previous ones, each brought to where
 * its content is now. */
static void temporal_mask(AVFilterContext *ctx, StageData *sd)
{
    SkinTextureContext *s = ctx->priv;

    if (s->hist >= 1) {
        /* the field is needed only where a warp has something to move */
        const size_t nodes = (size_t)s->nodes_w * s->nodes_h;
        int32_t vmax = 0;
        for (size_t n = 0; n < nodes; n++)
            vmax = FFMAX3(vmax, FFABS(s->vec[n].x), FFABS(s->vec[n].y));
        sd->maxd = ((vmax >> s->a_log2) + AIP_MOTION_ONE - 1) >> AIP_MOTION_FRAC_BITS;
        run_stage(ctx, sd, STAGE_FIELD);
        run_stage(ctx, sd, STAGE_WARP);
    }
    for (int j = 0; j < s->ah; j++) {
        const ptrdiff_t o = (ptrdiff_t)j * s->astride;
        uint8_t mx = 0;
        if (s->hist == 0)
            memcpy(s->mask + o, s->like + o, s->aw);
        for (int i = 0; i < s->aw && s->hist; i++) {
            const int l = s->like[o + i];
            const int m = s->hist == 1 ? (3 * l + s->warp1[o + i] + 2) >> 2 :
                                         (2 * l + s->warp1[o + i] + s->warp2[o + i] + 2) >> 2;
            s->mask[o + i] = (uint8_t)m;
        }
        for (int i = 0; i < s->aw; i++)
            mx = FFMAX(mx, s->mask[o + i]);
        s->mask_row_max[j] = mx;
    }
    /* history for the next frame */
    if (s->hist >= 1) {
        FFSWAP(uint8_t *, s->hist_w1, s->warp1);
        FFSWAP(uint8_t *, s->hist_w1_max, s->warp1_max);
    }
    FFSWAP(uint8_t *, s->hist_ls, s->like);
    FFSWAP(uint8_t *, s->hist_ls_max, s->like_max);
    s->hist = FFMIN(s->hist + 1, 2);
}

/* Advance the two layers' maps to this frame and start a new layer at an
 * anchor; returns the newer layer's weight (Q8). */
static int update_layers(SkinTextureContext *s, int64_t index, int cut)
{
    const int64_t period = floor_div(index, s->anchor);
    const int64_t phase = index - period * s->anchor;
    const int nw = s->nodes_w, nh = s->nodes_h;

    if (s->have_layers && !cut && s->have_prev)
        for (int l = 0; l < 2; l++) {
            aip_skintex_map_advect(s->map_tmp, s->map[l], s->vec, nw, nh, s->grid_log2);
            FFSWAP(uint32_t *, s->map[l], s->map_tmp);
        }
    if (!s->have_layers || cut || period < s->period || period > s->period + 1) {
        /* first frame, a cut, or a jump in the numbering: both layers anew */
        aip_skintex_map_identity(s->map[0], nw, nh, s->grid_log2);
        aip_skintex_map_identity(s->map[1], nw, nh, s->grid_log2);
    } else if (period == s->period + 1) {
        FFSWAP(uint32_t *, s->map[0], s->map[1]);
        aip_skintex_map_identity(s->map[1], nw, nh, s->grid_log2);
    }
    s->period = period;
    s->have_layers = 1;
    return (int)((phase * 256 + s->anchor / 2) / s->anchor);
}

/* Amplitudes per node and layer; returns the number of active nodes. */
static int amplitudes(AVFilterContext *ctx, StageData *sd, int wb)
{
    SkinTextureContext *s = ctx->priv;
    const int nw = s->nodes_w, nh = s->nodes_h;
    int count = 0;

    mark_cells(s, s->mask, (int)lrintf(s->threshold * 255), s->cell_active);
    cells_to_nodes(s, s->cell_active, s->node_active);
    for (size_t n = 0; n < (size_t)nw * nh; n++)
        count += s->node_active[n];
    sd->wb = wb;
    sd->target = (int32_t)lrintf(s->strength * 256);
    if (count) {
        run_stage(ctx, sd, STAGE_CELLS);
        run_stage(ctx, sd, STAGE_AMPLITUDES);
    } else {
        memset(s->amp_a, 0, sizeof(*s->amp_a) * nw * nh);
        memset(s->amp_b, 0, sizeof(*s->amp_b) * nw * nh);
        memset(s->amp_t, 0, sizeof(*s->amp_t) * nw * nh);
    }
    /* cells whose four nodes have the two layers at the same place */
    for (int j = 0; j < nh - 1; j++)
        for (int i = 0; i < nw - 1; i++) {
            int same = 1;
            for (int k = 0; k < 4 && same; k++) {
                const size_t n = (size_t)(j + (k >> 1)) * nw + i + (k & 1);
                same = s->map[0][2 * n] == s->map[1][2 * n] && s->map[0][2 * n + 1] == s->map[1][2 * n + 1];
            }
            s->coincident[(size_t)j * (nw - 1) + i] = same;
        }
    return count;
}

typedef struct ThreadData {
    AIPSkinTexFrame f;
    AVFrame *out;
    int32_t chroma_gain[3];
    int64_t changed[MAX_JOBS];
} ThreadData;

static int texture_slice(AVFilterContext *ctx, void *arg, int jobnr, int nb_jobs)
{
    SkinTextureContext *s = ctx->priv;
    ThreadData *td = arg;
    void *scratch = s->row_scratch + s->row_scratch_size * jobnr;
    int64_t changed = 0;

    for (int p = 0; p < s->nb_planes; p++) {
        const int h = s->planeheight[p];
        const int r0 = h * jobnr / nb_jobs, r1 = h * (jobnr + 1) / nb_jobs;
        if (p > 0 && !td->chroma_gain[p])
            continue;
        changed += aip_skintex_rows(&td->f, td->out->data[p], td->out->linesize[p], s->planewidth[p],
                                    p ? s->hsub : 0, p ? s->vsub : 0, p > 0, td->chroma_gain[p],
                                    r0, r1, scratch);
    }
    td->changed[jobnr] = changed;
    return 0;
}

/* show=mask / likelihood: the weight (or likelihood) as grey. */
static void render_mask(SkinTextureContext *s, const AIPSkinTexFrame *f, AVFrame *out,
                        enum AVColorRange range)
{
    const int full = range == AVCOL_RANGE_JPEG;
    const int black = full ? 0 : 16 << (s->depth - 8), white = full ? (1 << s->depth) - 1 : 235 << (s->depth - 8);
    uint8_t *mrow = s->row_scratch + s->aw * sizeof(int32_t) + 64;
    int32_t *col = (int32_t *)s->row_scratch;

    for (int y = 0; y < s->planeheight[0]; y++) {
        aip_skintex_mask_row(f, mrow, y, 0, s->planewidth[0], -1, col, NULL, NULL);
        for (int x = 0; x < s->planewidth[0]; x++) {
            const int m = s->show == SHOW_MASK ? FFMIN(256, s->weight[mrow[x]]) * 255 / 256 : mrow[x];
            const int v = black + (m * (white - black) + 127) / 255;
            if (s->depth == 8)
                out->data[0][(ptrdiff_t)y * out->linesize[0] + x] = v;
            else
                ((uint16_t *)(out->data[0] + (ptrdiff_t)y * out->linesize[0]))[x] = v;
        }
    }
    for (int p = 1; p < s->nb_planes; p++)
        for (int y = 0; y < s->planeheight[p]; y++) {
            for (int x = 0; x < s->planewidth[p]; x++) {
                const int mid = 1 << (s->depth - 1);
                if (s->depth == 8)
                    out->data[p][(ptrdiff_t)y * out->linesize[p] + x] = mid;
                else
                    ((uint16_t *)(out->data[p] + (ptrdiff_t)y * out->linesize[p]))[x] = mid;
            }
        }
}

static int filter_frame(AVFilterLink *inlink, AVFrame *in)
{
    AVFilterContext *ctx = inlink->dst;
    SkinTextureContext *s = ctx->priv;
    AVFilterLink *outlink = ctx->outputs[0];
    const int64_t index = frame_index(ctx, in);
    ThreadData td = { 0 };
    StageData sd = { 0 };
    AVFrame *out = in;
    int cut, wb, active, nb_jobs;
    int64_t changed = 0;
    char buf[32];

    s->frame_count++;

    analyse(ctx, &sd, in);
    cut = estimate_motion(ctx, &sd);
    if (cut)
        s->hist = 0;
    temporal_mask(ctx, &sd);
    wb = update_layers(s, index, cut);
    active = amplitudes(ctx, &sd, wb);

    td.f = (AIPSkinTexFrame){
        .tex = &s->tex, .dsp = &s->dsp, .width = inlink->w, .height = inlink->h,
        .grid_log2 = s->grid_log2, .nodes_w = s->nodes_w, .nodes_h = s->nodes_h,
        .map_a = s->map[0], .map_b = s->map[1],
        .amp_a = s->amp_a, .amp_b = s->amp_b, .amp_t = s->amp_t,
        .coincident = s->coincident, .single = wb == 0,
        .mask = s->mask, .mask_stride = s->astride, .mask_w = s->aw, .mask_h = s->ah,
        .mask_log2 = s->a_log2, .mask_row_max = s->mask_row_max,
        .threshold = (int)lrintf(s->threshold * 255), .weight = s->weight, .depth = s->depth,
    };

    FFSWAP(AIPPyramid, s->pyr[0], s->pyr[1]);
    s->cur = 0;
    s->have_prev = 1;

    if (ctx->is_disabled && s->show == SHOW_NONE)
        return ff_filter_frame(outlink, in);

    if (!av_frame_is_writable(in) || s->show != SHOW_NONE) {
        out = ff_get_video_buffer(outlink, outlink->w, outlink->h);
        if (!out) {
            av_frame_free(&in);
            return AVERROR(ENOMEM);
        }
        av_frame_copy_props(out, in);
        if (s->show == SHOW_NONE)
            av_frame_copy(out, in);
    }

    if (s->show != SHOW_NONE) {
        render_mask(s, &td.f, out, in->color_range);
    } else if (active && s->strength > 0) {
        td.out = out;
        td.chroma_gain[0] = 256;
        td.chroma_gain[1] = -(int32_t)lrintf(s->chroma * 48);      /* Cb: less blue */
        td.chroma_gain[2] =  (int32_t)lrintf(s->chroma * 96);      /* Cr: more red */
        nb_jobs = FFMIN(s->nb_jobs_max, ff_filter_get_nb_threads(ctx));
        ff_filter_execute(ctx, texture_slice, &td, NULL, nb_jobs);
        for (int i = 0; i < nb_jobs; i++)
            changed += td.changed[i];
    }

    if (out != in)
        av_frame_free(&in);
    snprintf(buf, sizeof(buf), "%.6f", (double)changed / ((double)s->planewidth[0] * s->planeheight[0]));
    av_dict_set(&out->metadata, "lavfi.skintexture.coverage", buf, 0);
    av_dict_set_int(&out->metadata, "lavfi.skintexture.frame_index", index, 0);
    av_dict_set_int(&out->metadata, "lavfi.skintexture.cut", cut, 0);
    return ff_filter_frame(outlink, out);
}

static av_cold void uninit(AVFilterContext *ctx)
{
    free_buffers(ctx->priv);
}

static const AVFilterPad skintexture_inputs[] = {
    {
        .name         = "default",
        .type         = AVMEDIA_TYPE_VIDEO,
        .filter_frame = filter_frame,
        .config_props = config_input,
    },
};

const AIPOST_FILTER ff_vf_skintexture = {
    AIPOST_PUBLIC(name)        = "skintexture",
    AIPOST_PUBLIC(description) = NULL_IF_CONFIG_SMALL("Add organic skin texture where skin is waxy-smooth, anchored to the moving skin."),
    AIPOST_PUBLIC(priv_class)  = &skintexture_class,
    AIPOST_PUBLIC(flags)       = AVFILTER_FLAG_SLICE_THREADS | AVFILTER_FLAG_SUPPORT_TIMELINE_INTERNAL,
    .priv_size       = sizeof(SkinTextureContext),
    .uninit          = uninit,
    FILTER_INPUTS(skintexture_inputs),
    FILTER_OUTPUTS(ff_video_default_filterpad),
    FILTER_PIXFMTS_ARRAY(pix_fmts),
};
