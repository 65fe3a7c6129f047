/*
 * qcdetect: the quality-control checklist of AI video finishing as
 * measurements. Frames pass through unchanged; each gets lavfi.qcdetect.*
 * metadata, detectors turn the measurements into events (start, end,
 * severity), and at the end of the stream a JSON report, a log summary and
 * a pass/fail verdict that can fail the run (fail=1), and a picture report
 * (plot=FILE.png: one strip per detector over time, see aipost/plot.h).
 *
 * The measurements are the kernels of aipost/qc.h, on luma only. Frames are
 * held back LOOKAHEAD frames so that a micro-jump can be told from motion
 * that starts and goes on: a jump comes back, motion does not.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>

#include "libavutil/avstring.h"
#include "libavutil/bprint.h"
#include "libavutil/file_open.h"
#include "libavutil/mem.h"
#include "libavutil/opt.h"
#include "libavutil/pixdesc.h"

#include "aipost_compat.h"
#include "avfilter.h"
#include "filters.h"
#include "formats.h"
#include "video.h"

#include "aipost/plot.h"
#include "aipost/png.h"
#include "aipost/qc.h"

enum Detector {
    DET_FROZEN, DET_FLICKER, DET_MICROJUMP, DET_BANDING, DET_BLACK, DET_WHITE,
    DET_SHIMMER, DET_LOOP, DET_TIMING, DET_COLOUR, NB_DET
};

static const char *const detector_names[NB_DET] = {
    "frozen", "flicker", "microjump", "banding", "black", "white",
    "shimmer", "loop", "timing", "colour",
};

/* A micro-jump at frame k is confirmed by frame k + 2: by then the region
 * has come back (a one- or two-frame jump) or kept changing (motion). */
#define LOOKAHEAD 2

/* Frames whose measurements are kept: the lookahead, the frames before it
 * that the temporal detectors read, and the loop history on top. */
#define NEAR_HISTORY 4

typedef struct FrameRecord {
    int64_t n;
    int64_t pts;
    double time;                /* seconds; frame count / rate without pts */
    AIPQcStats st;
    AIPQcDiff diff;             /* against the previous frame */
    int has_diff;
    double banding;
    AIPQcTemporalHF hf;         /* valid with has_diff */
    double pts_delta;           /* seconds since the previous frame, NAN for the first */
    int colour_change;          /* the tags differ from the first frame's */
    char colour_detail[96];
} FrameRecord;

typedef struct Event {
    int detector;
    int64_t start_frame, end_frame, peak_frame;
    double start, end;          /* seconds */
    double peak;                /* largest score over the event */
    char detail[96];
} Event;

/* The picture report keeps one point per frame until there are
 * PLOT_POINTS, then merges neighbours pairwise (each keeps the larger value)
 * and goes on with two frames a point, then four...: memory stays at
 * PLOT_POINTS points however long the clip, and there are always at least
 * PLOT_POINTS / 2 = AIP_PLOT_AREA_W points, one a column or more. */
#define PLOT_POINTS (2 * AIP_PLOT_AREA_W)

typedef struct QcDetectContext {
    const AVClass *class;

    /* options */
    char *report_path;
    char *plot_path;
    int fail;
    int detectors;
    double frozen_max;
    int frozen_frames;
    double flicker_max;
    double microjump_max;
    double banding_max;
    double black_max, white_max;
    double shimmer_max;
    int shimmer_frames;
    int loop_frames;
    int loop_history;
    double loop_tolerance;
    double timing_tolerance;
    double expect_fps;
    int untagged;
    double cut_mad;

    /* format */
    int depth, full_range_format;
    AIPQcContext qc[3];         /* one per kernel job: each owns its scratch */

    /* measurements of the last nb_records frames, ring-indexed by frame number */
    FrameRecord *records;
    int nb_records;
    int64_t nb_measured, nb_final;
    AVFrame *queue[LOOKAHEAD + 1];
    int nb_queued;
    AVFrame *prev;              /* the last frame measured, for the diffs */

    /* loop state: matching run length per candidate period */
    int *loop_run;
    uint8_t *loop_moved;        /* per period: the picture moved within it */
    int loop_period_open;

    /* detector state */
    double flicker_prev_delta;
    int flicker_valid;
    int frozen_run;
    int shimmer_run[AIP_QC_REGIONS]; /* frames in a row each region shimmered */
    double nominal_dt;          /* seconds per frame the stream claims */
    int colour_set;
    enum AVColorRange first_range;
    enum AVColorPrimaries first_primaries;
    enum AVColorTransferCharacteristic first_trc;
    enum AVColorSpace first_space;

    Event open[NB_DET];
    int is_open[NB_DET];
    Event *events;
    int nb_events, events_size;
    int64_t det_frames[NB_DET]; /* frames flagged per detector */
    double det_max[NB_DET];     /* largest score seen per detector */

    /* picture report: PLOT_POINTS start times and NB_DET values a point */
    FILE *plot_file;            /* opened at init, so a bad path fails before any work */
    double *plot_time;
    float *plot_value;
    int plot_points;
    int64_t plot_point_frames;  /* frames a point stands for: 1, 2, 4... */
    int64_t plot_in_point;      /* frames in the last point so far */
    double last_time;           /* of the last frame finalised */

    int finished, complete;
    int verdict_fail;
} QcDetectContext;

typedef struct MeasureJob {
    const AVFrame *cur, *prev;
    FrameRecord *rec;
    int black, white;
    int ret[3];
} MeasureJob;

#define OFFSET(x) offsetof(QcDetectContext, x)
#define FLAGS (AV_OPT_FLAG_FILTERING_PARAM | AV_OPT_FLAG_VIDEO_PARAM)
#define DFLAG(d) (1 << (d))
#define ALL_DETECTORS (DFLAG(NB_DET) - 1)

static const AVOption qcdetect_options[] = {
    { "report", "write the JSON report (events, per-detector summary, verdict) to this file at the end of the stream",
        OFFSET(report_path), AV_OPT_TYPE_STRING, { .str = NULL }, 0, 0, FLAGS },
    { "plot", "write the picture report (PNG: each detector's measurement, threshold and events over time) to this file at the end of the stream",
        OFFSET(plot_path), AV_OPT_TYPE_STRING, { .str = NULL }, 0, 0, FLAGS },
    { "fail", "fail the run (an error at the end of the stream) when the verdict is fail",
        OFFSET(fail), AV_OPT_TYPE_BOOL, { .i64 = 0 }, 0, 1, FLAGS },
    { "detectors", "detectors that run and count in the verdict",
        OFFSET(detectors), AV_OPT_TYPE_FLAGS, { .i64 = ALL_DETECTORS }, 0, ALL_DETECTORS, FLAGS, .unit = "detectors" },
        { "all",       NULL, 0, AV_OPT_TYPE_CONST, { .i64 = ALL_DETECTORS },         0, 0, FLAGS, .unit = "detectors" },
        { "frozen",    NULL, 0, AV_OPT_TYPE_CONST, { .i64 = DFLAG(DET_FROZEN) },    0, 0, FLAGS, .unit = "detectors" },
        { "flicker",   NULL, 0, AV_OPT_TYPE_CONST, { .i64 = DFLAG(DET_FLICKER) },   0, 0, FLAGS, .unit = "detectors" },
        { "microjump", NULL, 0, AV_OPT_TYPE_CONST, { .i64 = DFLAG(DET_MICROJUMP) }, 0, 0, FLAGS, .unit = "detectors" },
        { "banding",   NULL, 0, AV_OPT_TYPE_CONST, { .i64 = DFLAG(DET_BANDING) },   0, 0, FLAGS, .unit = "detectors" },
        { "black",     NULL, 0, AV_OPT_TYPE_CONST, { .i64 = DFLAG(DET_BLACK) },     0, 0, FLAGS, .unit = "detectors" },
        { "white",     NULL, 0, AV_OPT_TYPE_CONST, { .i64 = DFLAG(DET_WHITE) },     0, 0, FLAGS, .unit = "detectors" },
        { "shimmer",   NULL, 0, AV_OPT_TYPE_CONST, { .i64 = DFLAG(DET_SHIMMER) },   0, 0, FLAGS, .unit = "detectors" },
        { "loop",      NULL, 0, AV_OPT_TYPE_CONST, { .i64 = DFLAG(DET_LOOP) },      0, 0, FLAGS, .unit = "detectors" },
        { "timing",    NULL, 0, AV_OPT_TYPE_CONST, { .i64 = DFLAG(DET_TIMING) },    0, 0, FLAGS, .unit = "detectors" },
        { "colour",    NULL, 0, AV_OPT_TYPE_CONST, { .i64 = DFLAG(DET_COLOUR) },    0, 0, FLAGS, .unit = "detectors" },
    { "frozen", "a frame is frozen when its mean absolute difference from the previous one is at most this (8-bit code values)",
        OFFSET(frozen_max), AV_OPT_TYPE_DOUBLE, { .dbl = 0.1 }, 0.0, 8.0, FLAGS },
    { "frozen_frames", "frozen frames in a row that make a frozen event",
        OFFSET(frozen_frames), AV_OPT_TYPE_INT, { .i64 = 1 }, 1, 10000, FLAGS },
    { "flicker", "flicker: change of the frame-to-frame level shift not explained by motion or cuts, above this (8-bit code values)",
        OFFSET(flicker_max), AV_OPT_TYPE_DOUBLE, { .dbl = 2.0 }, 0.1, 64.0, FLAGS },
    { "microjump", "micro-jump: a region's change over its neighbours', its own before and after, above this ratio",
        OFFSET(microjump_max), AV_OPT_TYPE_DOUBLE, { .dbl = 6.0 }, 1.0, 1000.0, FLAGS },
    { "banding", "banding: fraction of the picture on gradient terraces above this",
        OFFSET(banding_max), AV_OPT_TYPE_DOUBLE, { .dbl = 0.15 }, 0.0, 1.0, FLAGS },
    { "black", "crushed blacks: fraction of the picture at or below black above this",
        OFFSET(black_max), AV_OPT_TYPE_DOUBLE, { .dbl = 0.1 }, 0.0, 1.0, FLAGS },
    { "white", "clipped highlights: fraction of the picture at or above white above this",
        OFFSET(white_max), AV_OPT_TYPE_DOUBLE, { .dbl = 0.05 }, 0.0, 1.0, FLAGS },
    { "shimmer", "shimmer: temporal high-frequency noise in static textured regions above this (8-bit code values, standard deviation)",
        OFFSET(shimmer_max), AV_OPT_TYPE_DOUBLE, { .dbl = 1.5 }, 0.1, 64.0, FLAGS },
    { "shimmer_frames", "shimmer: frames in a row a region must shimmer before it counts",
        OFFSET(shimmer_frames), AV_OPT_TYPE_INT, { .i64 = 12 }, 1, 1000, FLAGS },
    { "loop_frames", "loop: repeated frames in a row that make a loop event",
        OFFSET(loop_frames), AV_OPT_TYPE_INT, { .i64 = 12 }, 2, 1000, FLAGS },
    { "loop_history", "loop: longest period looked for, in frames",
        OFFSET(loop_history), AV_OPT_TYPE_INT, { .i64 = 250 }, 8, 3000, FLAGS },
    { "loop_tolerance", "loop: two frames repeat when no region mean differs by more than this (8-bit code values)",
        OFFSET(loop_tolerance), AV_OPT_TYPE_DOUBLE, { .dbl = 0.5 }, 0.0, 16.0, FLAGS },
    { "timing", "timing: a frame interval off the nominal one by more than this fraction is irregular",
        OFFSET(timing_tolerance), AV_OPT_TYPE_DOUBLE, { .dbl = 0.1 }, 0.001, 1.0, FLAGS },
    { "expect_fps", "timing: the frame rate the stream must have (0: any constant rate)",
        OFFSET(expect_fps), AV_OPT_TYPE_DOUBLE, { .dbl = 0 }, 0, 1000, FLAGS },
    { "untagged", "colour: input without colour primaries, transfer and matrix tags is an event",
        OFFSET(untagged), AV_OPT_TYPE_BOOL, { .i64 = 1 }, 0, 1, FLAGS },
    { "cut", "a frame differing from the previous by more than this (8-bit code values) is a cut: no flicker or micro-jump there",
        OFFSET(cut_mad), AV_OPT_TYPE_DOUBLE, { .dbl = 24.0 }, 1.0, 255.0, FLAGS },
    { NULL }
};

AVFILTER_DEFINE_CLASS(qcdetect);

static const enum AVPixelFormat pix_fmts[] = {
    AV_PIX_FMT_YUV420P,   AV_PIX_FMT_YUV422P,   AV_PIX_FMT_YUV444P,
    AV_PIX_FMT_YUVJ420P,  AV_PIX_FMT_YUVJ422P,  AV_PIX_FMT_YUVJ444P,
    AV_PIX_FMT_YUV420P9,  AV_PIX_FMT_YUV422P9,  AV_PIX_FMT_YUV444P9,
    AV_PIX_FMT_YUV420P10, AV_PIX_FMT_YUV422P10, AV_PIX_FMT_YUV444P10,
    AV_PIX_FMT_YUV420P12, AV_PIX_FMT_YUV422P12, AV_PIX_FMT_YUV444P12,
    AV_PIX_FMT_YUV420P14, AV_PIX_FMT_YUV422P14, AV_PIX_FMT_YUV444P14,
    AV_PIX_FMT_YUV420P16, AV_PIX_FMT_YUV422P16, AV_PIX_FMT_YUV444P16,
    AV_PIX_FMT_GRAY8,     AV_PIX_FMT_GRAY9,     AV_PIX_FMT_GRAY10,
    AV_PIX_FMT_GRAY12,    AV_PIX_FMT_GRAY14,    AV_PIX_FMT_GRAY16,
    AV_PIX_FMT_NONE
};

static FrameRecord *record(QcDetectContext *s, int64_t n)
{
    if (n < 0 || n >= s->nb_measured || n < s->nb_measured - s->nb_records)
        return NULL;
    return &s->records[n % s->nb_records];
}

static double region_distance(const AIPQcStats *a, const AIPQcStats *b)
{
    double d = 0;
    for (int r = 0; r < AIP_QC_REGIONS; r++)
        d = FFMAX(d, fabs(a->region_mean[r] - b->region_mean[r]));
    return d;
}

static int config_input(AVFilterLink *inlink)
{
    AVFilterContext *ctx = inlink->dst;
    QcDetectContext *s = ctx->priv;
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(inlink->format);
    const FilterLink *l = ff_filter_link(inlink);

    s->depth = desc->comp[0].depth;
    s->full_range_format = inlink->format == AV_PIX_FMT_YUVJ420P ||
                           inlink->format == AV_PIX_FMT_YUVJ422P ||
                           inlink->format == AV_PIX_FMT_YUVJ444P;
    if (inlink->w < AIP_QC_MIN_SIZE || inlink->h < AIP_QC_MIN_SIZE) {
        av_log(ctx, AV_LOG_ERROR, "%dx%d is below the smallest picture qcdetect measures (%dx%d).\n",
               inlink->w, inlink->h, AIP_QC_MIN_SIZE, AIP_QC_MIN_SIZE);
        return AVERROR(EINVAL);
    }
    for (int i = 0; i < 3; i++) {
        int ret;
        aip_qc_uninit(&s->qc[i]);
        ret = aip_qc_init(&s->qc[i], inlink->w, inlink->h, s->depth);
        if (ret < 0)
            return AVERROR(-ret);
    }

    /* Events are back-dated to the start of their run: the ring must hold
     * the longest run any detector waits for. */
    s->nb_records = FFMAX(FFMAX(s->loop_history, s->frozen_frames),
                          FFMAX(s->shimmer_frames, s->loop_frames)) + LOOKAHEAD + NEAR_HISTORY + 1;
    av_freep(&s->records);
    av_freep(&s->loop_run);
    s->records  = av_calloc(s->nb_records, sizeof(*s->records));
    s->loop_run = av_calloc(s->loop_history + 1, sizeof(*s->loop_run));
    av_freep(&s->loop_moved);
    s->loop_moved = av_calloc(s->loop_history + 1, 1);
    if (!s->records || !s->loop_run || !s->loop_moved)
        return AVERROR(ENOMEM);
    if (s->plot_path) {
        av_freep(&s->plot_time);
        av_freep(&s->plot_value);
        s->plot_time  = av_calloc(PLOT_POINTS, sizeof(*s->plot_time));
        s->plot_value = av_calloc(PLOT_POINTS * NB_DET, sizeof(*s->plot_value));
        if (!s->plot_time || !s->plot_value)
            return AVERROR(ENOMEM);
        s->plot_points = 0;
        s->plot_point_frames = 1;
        s->plot_in_point = 0;
    }

    s->nominal_dt = l->frame_rate.num > 0 && l->frame_rate.den > 0 ? av_q2d(av_inv_q(l->frame_rate)) : 0;
    return 0;
}

/* ------------------------------------------------------------ measuring */

/* The kernels are independent passes over the frame: one job each (stats
 * and diff share one, as both are cheap), each with its own scratch, so the
 * numbers do not depend on the thread count. */
static int measure_job(AVFilterContext *ctx, void *arg, int jobnr, int nb_jobs)
{
    QcDetectContext *s = ctx->priv;
    MeasureJob *j = arg;
    const AVFrame *cur = j->cur, *prev = j->prev;
    FrameRecord *rec = j->rec;
    int ret = 0;

    switch (jobnr) {
    case 0:
        ret = aip_qc_plane_stats(&s->qc[0], cur->data[0], cur->linesize[0], j->black, j->white, &rec->st);
        if (ret >= 0 && prev)
            ret = aip_qc_frame_diff(&s->qc[0], cur->data[0], cur->linesize[0],
                                    prev->data[0], prev->linesize[0], &rec->diff);
        break;
    case 1: {
        AIPQcBanding b;
        ret = aip_qc_banding(&s->qc[1], cur->data[0], cur->linesize[0],
                             AIP_QC_BAND_MAX_STEP(s->depth), AIP_QC_BAND_MIN_RUN, &b);
        rec->banding = b.score;
        break;
    }
    case 2:
        if (prev)
            ret = aip_qc_temporal_hf(&s->qc[2], cur->data[0], cur->linesize[0],
                                     prev->data[0], prev->linesize[0],
                                     AIP_QC_HF_STATIC_MAX, AIP_QC_HF_TEXTURE_MIN, &rec->hf);
        break;
    }
    j->ret[jobnr] = ret;
    return 0;
}

static const char *tag_name(const char *name)
{
    return name ? name : "unknown";
}

static void check_colour(QcDetectContext *s, const AVFrame *in, FrameRecord *rec)
{
    if (!s->colour_set) {
        s->colour_set       = 1;
        s->first_range      = in->color_range;
        s->first_primaries  = in->color_primaries;
        s->first_trc        = in->color_trc;
        s->first_space      = in->colorspace;
        return;
    }
    if (in->color_range != s->first_range || in->color_primaries != s->first_primaries ||
        in->color_trc != s->first_trc || in->colorspace != s->first_space) {
        const int hdr_now   = in->color_trc == AVCOL_TRC_SMPTE2084 || in->color_trc == AVCOL_TRC_ARIB_STD_B67;
        const int hdr_first = s->first_trc == AVCOL_TRC_SMPTE2084 || s->first_trc == AVCOL_TRC_ARIB_STD_B67;
        rec->colour_change = 1;
        snprintf(rec->colour_detail, sizeof(rec->colour_detail), "%s%s/%s/%s/%s",
                 hdr_now != hdr_first ? "HDR and SDR mixed: " : "tags now ",
                 tag_name(av_color_range_name(in->color_range)),
                 tag_name(av_color_primaries_name(in->color_primaries)),
                 tag_name(av_color_transfer_name(in->color_trc)),
                 tag_name(av_color_space_name(in->colorspace)));
    }
}

static int measure(AVFilterContext *ctx, const AVFrame *in)
{
    QcDetectContext *s = ctx->priv;
    AVFilterLink *inlink = ctx->inputs[0];
    const int64_t n = s->nb_measured;
    FrameRecord *rec = &s->records[n % s->nb_records];
    const FrameRecord *last = record(s, n - 1);
    MeasureJob job = { .cur = in, .rec = rec };
    const int full = s->full_range_format || in->color_range == AVCOL_RANGE_JPEG;

    /* The kernels were set up for the link's geometry and depth; a frame
     * of another size or format would be read out of bounds. */
    if (in->width != inlink->w || in->height != inlink->h || in->format != inlink->format) {
        av_log(ctx, AV_LOG_ERROR, "Frame %"PRId64" is %dx%d %s, the stream began %dx%d %s: "
               "qcdetect measures one geometry per run; put scale/format before it or "
               "check the parts apart.\n", n, in->width, in->height,
               av_get_pix_fmt_name(in->format), inlink->w, inlink->h,
               av_get_pix_fmt_name(inlink->format));
        return AVERROR(EINVAL);
    }

    memset(rec, 0, sizeof(*rec));
    rec->n   = n;
    rec->pts = in->pts;
    if (in->pts != AV_NOPTS_VALUE)
        rec->time = in->pts * av_q2d(inlink->time_base);
    else
        rec->time = last ? last->time + (s->nominal_dt > 0 ? s->nominal_dt : 0) : 0;
    rec->pts_delta = last && in->pts != AV_NOPTS_VALUE && last->pts != AV_NOPTS_VALUE
                   ? rec->time - last->time : NAN;

    /* A size change mid-stream leaves nothing to diff against. */
    if (s->prev && s->prev->width == in->width && s->prev->height == in->height)
        job.prev = s->prev;
    rec->has_diff = !!job.prev;
    aip_qc_range_levels(s->depth, full, &job.black, &job.white);

    ff_filter_execute(ctx, measure_job, &job, NULL, 3);
    for (int i = 0; i < 3; i++)
        if (job.ret[i] < 0)
            return AVERROR(-job.ret[i]);

    check_colour(s, in, rec);
    s->nb_measured++;
    return 0;
}

/* ------------------------------------------------------------ events */

static int add_event(QcDetectContext *s, const Event *e)
{
    if (s->nb_events == s->events_size) {
        int size = FFMAX(16, 2 * s->events_size);
        Event *ev = av_realloc_array(s->events, size, sizeof(*ev));
        if (!ev)
            return AVERROR(ENOMEM);
        s->events = ev;
        s->events_size = size;
    }
    s->events[s->nb_events++] = *e;
    return 0;
}

/* Frame k's verdict from detector d: open, extend or close its event.
 * score is the measurement that crossed the threshold (its peak is kept). */
static int flag(QcDetectContext *s, int d, int on, const FrameRecord *rec, double score,
                const char *detail)
{
    Event *e = &s->open[d];

    if (!(s->detectors & DFLAG(d)))
        return 0;
    if (on) {
        s->det_frames[d]++;
        if (!s->is_open[d]) {
            memset(e, 0, sizeof(*e));
            e->detector    = d;
            e->start_frame = rec->n;
            e->start       = rec->time;
            e->peak        = -DBL_MAX;
            s->is_open[d]  = 1;
        }
        e->end_frame = rec->n;
        e->end       = rec->time;
        if (score > e->peak) {
            e->peak = score;
            e->peak_frame = rec->n;
            if (detail)
                av_strlcpy(e->detail, detail, sizeof(e->detail));
        }
        return 0;
    }
    if (s->is_open[d]) {
        s->is_open[d] = 0;
        return add_event(s, e);
    }
    return 0;
}

static void set_meta(AVFrame *frame, const char *key, double v)
{
    char name[64], value[32];

    snprintf(name, sizeof(name), "lavfi.qcdetect.%s", key);
    snprintf(value, sizeof(value), "%.4f", v);
    av_dict_set(&frame->metadata, name, value, 0);
}

/* Flicker: the level shift of frame k is the median of its regions' mean
 * changes, which motion (a few regions, either way) leaves near zero and a
 * global brightness change moves. The score is how much that shift changes
 * from one frame to the next, so a steady fade (the same shift every
 * frame) scores zero and a brightness step or pulse does not. */
static double flicker_score(QcDetectContext *s, const FrameRecord *rec, const FrameRecord *prev)
{
    double delta[AIP_QC_REGIONS], shift, score;

    if (!prev || !rec->has_diff || rec->diff.mad > s->cut_mad) {
        s->flicker_valid = 0;
        return 0;
    }
    for (int r = 0; r < AIP_QC_REGIONS; r++)
        delta[r] = rec->st.region_mean[r] - prev->st.region_mean[r];
    for (int i = 1; i < AIP_QC_REGIONS; i++) {
        double t = delta[i];
        int j = i;
        for (; j > 0 && delta[j - 1] > t; j--)
            delta[j] = delta[j - 1];
        delta[j] = t;
    }
    shift = 0.5 * (delta[AIP_QC_REGIONS / 2 - 1] + delta[AIP_QC_REGIONS / 2]);
    score = s->flicker_valid ? fabs(shift - s->flicker_prev_delta) : fabs(shift);
    s->flicker_prev_delta = shift;
    s->flicker_valid = 1;
    return score;
}

/* Shimmer: temporal detail in a textured region that does not move. Texture
 * sliding less than a block a frame (a slow pan over foliage) also has
 * temporal detail and little low-pass change, but only for a few frames at
 * a time, as its speed and the texture under it vary; generated shimmer
 * stays. So a region counts once it has shimmered shimmer_frames in a row,
 * and the score is the largest hf among the regions that count. */
static double shimmer_score(QcDetectContext *s, const FrameRecord *rec, int *region)
{
    double score = 0;

    *region = -1;
    for (int r = 0; r < AIP_QC_REGIONS; r++) {
        const int on = rec->has_diff && (rec->hf.counted >> r & 1) &&
                       rec->hf.region_hf[r] > s->shimmer_max;
        s->shimmer_run[r] = on ? s->shimmer_run[r] + 1 : 0;
        if (s->shimmer_run[r] >= s->shimmer_frames && rec->hf.region_hf[r] > score) {
            score = rec->hf.region_hf[r];
            *region = r;
        }
    }
    return score;
}

/* Micro-jump at frame k: a region whose change k-1 -> k stands out from
 * its own change before (k-2 -> k-1) and after (the smaller of k -> k+1 and
 * k+1 -> k+2): a displacement that comes back within one or two frames.
 * Motion that starts and continues has no "after" dip. Each region's spike
 * is taken relative to the median spike of all regions, so a frame that
 * changes more everywhere (a pan advancing by 2 px instead of 1, a flash)
 * is not local. The kernel's neighbour ratio (region_ratio) alone is not
 * enough: on a pan over uneven texture it sits at 5..7 on every frame. */
static double microjump_score(const QcDetectContext *s, int64_t k, int *region)
{
    const FrameRecord *rec = record((QcDetectContext *)s, k);
    const FrameRecord *before = record((QcDetectContext *)s, k - 1);
    const FrameRecord *next = record((QcDetectContext *)s, k + 1);
    const FrameRecord *after = record((QcDetectContext *)s, k + 2);
    double spike[AIP_QC_REGIONS], sorted[AIP_QC_REGIONS], med, best = 0;

    *region = -1;
    if (!rec->has_diff || rec->diff.mad > s->cut_mad || !before || !before->has_diff || !next)
        return 0;
    for (int r = 0; r < AIP_QC_REGIONS; r++) {
        double back = next->diff.region_mad[r];
        if (after)
            back = FFMIN(back, after->diff.region_mad[r]);
        spike[r] = rec->diff.region_mad[r] /
                   FFMAX3(before->diff.region_mad[r], back, AIP_QC_DIFF_FLOOR);
        sorted[r] = spike[r];
    }
    for (int i = 1; i < AIP_QC_REGIONS; i++) {
        double t = sorted[i];
        int j = i;
        for (; j > 0 && sorted[j - 1] > t; j--)
            sorted[j] = sorted[j - 1];
        sorted[j] = t;
    }
    med = FFMAX(sorted[AIP_QC_REGIONS / 2], 1.0);
    for (int r = 0; r < AIP_QC_REGIONS; r++)
        if (spike[r] / med > best) {
            best = spike[r] / med;
            *region = r;
        }
    return best;
}

/* Loop: frame k repeats frame k - P when no region mean differs by more
 * than loop_tolerance; a run of loop_frames such frames for one P is a
 * repeated subsequence. A picture that barely changes repeats itself at
 * every short period, so a match only counts when the picture went
 * somewhere in between: some frame of the period differs from frame k by
 * more than 4 tolerances (and at least one code value). */
static int loop_period(QcDetectContext *s, const FrameRecord *rec)
{
    const double moved = FFMAX(4 * s->loop_tolerance, 1.0);
    int found = 0;

    for (int p = 2; p <= s->loop_history; p++) {
        const FrameRecord *old = record(s, rec->n - p);
        int match = 0;

        if (old && aip_qc_signature_distance(rec->st.signature, old->st.signature) <= 8 &&
            region_distance(&rec->st, &old->st) <= s->loop_tolerance) {
            match = 1;
        }
        s->loop_run[p] = match ? s->loop_run[p] + 1 : 0;
        /* Whether the picture went somewhere is judged once, when the run
         * reaches loop_frames, and kept for the run: a still picture would
         * otherwise cost a scan of every period at every frame. */
        if (s->loop_run[p] == s->loop_frames) {
            double far = 0;
            for (int k = 1; k < p && far <= moved; k++) {
                const FrameRecord *mid = record(s, rec->n - k);
                if (mid)
                    far = FFMAX(far, region_distance(&rec->st, &mid->st));
            }
            s->loop_moved[p] = far > moved;
        }
        if (!found && s->loop_run[p] >= s->loop_frames && s->loop_moved[p])
            found = p;
    }
    return found;
}

static int flag_loop(QcDetectContext *s, const FrameRecord *rec, int period)
{
    char detail[64];
    int ret;

    if (!period) {
        s->loop_period_open = 0;
        return flag(s, DET_LOOP, 0, rec, 0, NULL);
    }
    snprintf(detail, sizeof(detail), "period %d frames", period);
    if (!s->is_open[DET_LOOP] && (s->detectors & DFLAG(DET_LOOP))) {
        /* The run started loop_frames - 1 frames ago: the event starts
         * where the repetition did. */
        const FrameRecord *first = record(s, rec->n - (s->loop_frames - 1));
        if (first && (ret = flag(s, DET_LOOP, 1, first, period, detail)) < 0)
            return ret;
        if (first)
            s->det_frames[DET_LOOP] += s->loop_frames - 2;
    }
    s->loop_period_open = period;
    return flag(s, DET_LOOP, 1, rec, period, detail);
}

static void plot_add(QcDetectContext *s, double time, const float *v)
{
    float *dst;

    if (s->plot_points && s->plot_in_point < s->plot_point_frames) {
        dst = &s->plot_value[(s->plot_points - 1) * NB_DET];
        for (int d = 0; d < NB_DET; d++)
            dst[d] = fmaxf(dst[d], v[d]);   /* fmaxf keeps the number over a NAN */
        s->plot_in_point++;
        return;
    }
    if (s->plot_points == PLOT_POINTS) {
        for (int i = 0; i < PLOT_POINTS / 2; i++) {
            s->plot_time[i] = s->plot_time[2 * i];
            for (int d = 0; d < NB_DET; d++)
                s->plot_value[i * NB_DET + d] = fmaxf(s->plot_value[2 * i * NB_DET + d],
                                                      s->plot_value[(2 * i + 1) * NB_DET + d]);
        }
        s->plot_points = PLOT_POINTS / 2;
        s->plot_point_frames *= 2;
    }
    s->plot_time[s->plot_points] = time;
    memcpy(&s->plot_value[s->plot_points * NB_DET], v, NB_DET * sizeof(*v));
    s->plot_points++;
    s->plot_in_point = 1;
}

/* All detectors on frame k, whose lookahead is measured (or the stream ended). */
static int finalize(AVFilterContext *ctx, AVFrame *frame)
{
    QcDetectContext *s = ctx->priv;
    const int64_t k = s->nb_final++;
    const FrameRecord *rec = record(s, k);
    const FrameRecord *prev = record(s, k - 1);
    double flicker, jump, shimmer, dt_err = 0;
    int frozen, period, timing = 0, shimmer_region, jump_region, colour, ret;
    char detail[96] = "";

    if (!rec)
        return AVERROR_BUG;

    /* frozen */
    frozen = rec->has_diff && rec->diff.mad <= s->frozen_max;
    s->frozen_run = frozen ? s->frozen_run + 1 : 0;
    if (s->frozen_run == s->frozen_frames) {
        /* back-date the event to the first frozen frame of the run */
        const FrameRecord *first = record(s, k - s->frozen_frames + 1);
        if (first && s->frozen_frames > 1 && (ret = flag(s, DET_FROZEN, 1, first, 0, NULL)) < 0)
            return ret;
        if (s->frozen_frames > 1 && (s->detectors & DFLAG(DET_FROZEN)))
            s->det_frames[DET_FROZEN] += s->frozen_frames - 2;
    }
    if ((ret = flag(s, DET_FROZEN, s->frozen_run >= s->frozen_frames, rec, s->frozen_run,
                    "identical or near-identical to the previous frame")) < 0)
        return ret;

    flicker = flicker_score(s, rec, prev);
    if ((ret = flag(s, DET_FLICKER, flicker > s->flicker_max, rec, flicker, NULL)) < 0)
        return ret;

    jump = microjump_score(s, k, &jump_region);
    snprintf(detail, sizeof(detail), "region %d (row %d, column %d)", jump_region,
             jump_region / AIP_QC_GRID, jump_region % AIP_QC_GRID);
    if ((ret = flag(s, DET_MICROJUMP, jump > s->microjump_max, rec, jump, detail)) < 0)
        return ret;

    if ((ret = flag(s, DET_BANDING, rec->banding > s->banding_max, rec, rec->banding, NULL)) < 0 ||
        (ret = flag(s, DET_BLACK, rec->st.black_fraction > s->black_max, rec, rec->st.black_fraction, NULL)) < 0 ||
        (ret = flag(s, DET_WHITE, rec->st.white_fraction > s->white_max, rec, rec->st.white_fraction, NULL)) < 0)
        return ret;

    shimmer = shimmer_score(s, rec, &shimmer_region);
    if (shimmer > 0 && !s->is_open[DET_SHIMMER] && (s->detectors & DFLAG(DET_SHIMMER))) {
        /* back-date the event to where the region started shimmering */
        const FrameRecord *first = record(s, k - s->shimmer_frames + 1);
        if (first && s->shimmer_frames > 1) {
            if ((ret = flag(s, DET_SHIMMER, 1, first, 0, NULL)) < 0)
                return ret;
            s->det_frames[DET_SHIMMER] += s->shimmer_frames - 2;
        }
    }
    snprintf(detail, sizeof(detail), "region %d (row %d, column %d)", shimmer_region,
             shimmer_region / AIP_QC_GRID, shimmer_region % AIP_QC_GRID);
    if ((ret = flag(s, DET_SHIMMER, shimmer > 0, rec, shimmer, detail)) < 0)
        return ret;

    period = (s->detectors & DFLAG(DET_LOOP)) ? loop_period(s, rec) : 0;
    if ((ret = flag_loop(s, rec, period)) < 0)
        return ret;

    /* timing: the interval against the nominal one (the link's rate, or the
     * first interval when the link has none) and against expect_fps */
    if (!isnan(rec->pts_delta)) {
        if (s->nominal_dt <= 0 && rec->pts_delta > 0)
            s->nominal_dt = rec->pts_delta;
        if (rec->pts_delta <= 0) {
            /* ranked above any irregular interval, so the event's detail
             * names the worse fault */
            timing = 1;
            dt_err = 2 + (s->nominal_dt > 0 ? -rec->pts_delta / s->nominal_dt : 0);
            snprintf(detail, sizeof(detail), "non-monotonic timestamps (%+.4f s)", rec->pts_delta);
        } else if (s->nominal_dt > 0 &&
                   fabs(rec->pts_delta / s->nominal_dt - 1) > s->timing_tolerance) {
            timing = 1;
            dt_err = fabs(rec->pts_delta / s->nominal_dt - 1);
            snprintf(detail, sizeof(detail), "irregular interval %.4f s (nominal %.4f s)",
                     rec->pts_delta, s->nominal_dt);
        }
    }
    /* The stream's nominal rate against expect_fps, on every frame (the
     * event spans the stream). Single intervals are not compared: timestamps
     * rounded to a millisecond time base are 39 or 41 ms at 25 fps. */
    if (!timing && s->expect_fps > 0 && s->nominal_dt > 0 &&
        fabs(1 / s->nominal_dt / s->expect_fps - 1) > 0.001) {
        timing = 1;
        dt_err = fabs(1 / s->nominal_dt / s->expect_fps - 1);
        snprintf(detail, sizeof(detail), "%.3f fps, expected %.3f", 1 / s->nominal_dt, s->expect_fps);
    }
    if ((ret = flag(s, DET_TIMING, timing, rec, dt_err, detail)) < 0)
        return ret;

    colour = rec->colour_change;
    if (k == 0 && s->untagged && frame && frame->color_primaries == AVCOL_PRI_UNSPECIFIED &&
        frame->color_trc == AVCOL_TRC_UNSPECIFIED && frame->colorspace == AVCOL_SPC_UNSPECIFIED) {
        colour = 1;
        if ((ret = flag(s, DET_COLOUR, 1, rec, 1, "untagged: no primaries, transfer or matrix")) < 0 ||
            (ret = flag(s, DET_COLOUR, 0, rec, 0, NULL)) < 0)
            return ret;
    } else if ((ret = flag(s, DET_COLOUR, rec->colour_change, rec, 1, rec->colour_detail)) < 0) {
        return ret;
    }

    s->det_max[DET_FLICKER]   = FFMAX(s->det_max[DET_FLICKER], flicker);
    s->det_max[DET_MICROJUMP] = FFMAX(s->det_max[DET_MICROJUMP], jump);
    s->det_max[DET_BANDING]   = FFMAX(s->det_max[DET_BANDING], rec->banding);
    s->det_max[DET_BLACK]     = FFMAX(s->det_max[DET_BLACK], rec->st.black_fraction);
    s->det_max[DET_WHITE]     = FFMAX(s->det_max[DET_WHITE], rec->st.white_fraction);
    s->det_max[DET_SHIMMER]   = FFMAX(s->det_max[DET_SHIMMER], rec->has_diff ? rec->hf.max : 0);
    s->det_max[DET_FROZEN]    = FFMAX(s->det_max[DET_FROZEN], s->frozen_run);
    s->det_max[DET_LOOP]      = FFMAX(s->det_max[DET_LOOP], period);
    s->det_max[DET_TIMING]    = FFMAX(s->det_max[DET_TIMING], dt_err);

    if (s->plot_time) {
        /* what each strip draws: the score its detector thresholds (for
         * frozen the difference that must stay above frozen=, for shimmer
         * the raw temporal HF before shimmer_frames gates it) */
        float v[NB_DET];
        v[DET_FROZEN]    = rec->has_diff ? rec->diff.mad : NAN;
        v[DET_FLICKER]   = flicker;
        v[DET_MICROJUMP] = jump;
        v[DET_BANDING]   = rec->banding;
        v[DET_BLACK]     = rec->st.black_fraction;
        v[DET_WHITE]     = rec->st.white_fraction;
        v[DET_SHIMMER]   = rec->has_diff ? rec->hf.max : NAN;
        v[DET_LOOP]      = period;
        v[DET_TIMING]    = isnan(rec->pts_delta) ? NAN : dt_err;
        v[DET_COLOUR]    = colour;
        plot_add(s, rec->time, v);
    }
    s->last_time = rec->time;

    if (frame) {
        AVBPrint flags;
        set_meta(frame, "mean",       rec->st.mean);
        set_meta(frame, "black_frac", rec->st.black_fraction);
        set_meta(frame, "white_frac", rec->st.white_fraction);
        set_meta(frame, "diff",       rec->has_diff ? rec->diff.mad : 0);
        set_meta(frame, "region_ratio", rec->has_diff ? rec->diff.outlier_ratio : 0);
        set_meta(frame, "microjump",  jump);
        set_meta(frame, "banding",    rec->banding);
        set_meta(frame, "shimmer",    rec->has_diff ? rec->hf.max : 0);
        set_meta(frame, "flicker",    flicker);
        set_meta(frame, "frozen",     s->frozen_run >= s->frozen_frames);
        if (!isnan(rec->pts_delta))
            set_meta(frame, "pts_delta", rec->pts_delta);
        if (s->loop_period_open)
            set_meta(frame, "loop_period", s->loop_period_open);
        /* which detectors flag this frame: one key to filter on */
        av_bprint_init(&flags, 0, AV_BPRINT_SIZE_AUTOMATIC);
        for (int d = 0; d < NB_DET; d++)
            if (s->is_open[d] && s->open[d].end_frame == k)
                av_bprintf(&flags, "%s%s", flags.len ? "," : "", detector_names[d]);
        if (flags.len)
            av_dict_set(&frame->metadata, "lavfi.qcdetect.flags", flags.str, 0);
        av_bprint_finalize(&flags, NULL);
    }
    return 0;
}

/* ------------------------------------------------------------ report */

static const char *severity(const QcDetectContext *s, const Event *e)
{
    double threshold, ratio;

    switch (e->detector) {
    case DET_FLICKER:   threshold = s->flicker_max;   break;
    case DET_MICROJUMP: threshold = s->microjump_max; break;
    case DET_BANDING:   threshold = s->banding_max;   break;
    case DET_BLACK:     threshold = s->black_max;     break;
    case DET_WHITE:     threshold = s->white_max;     break;
    case DET_SHIMMER:   threshold = s->shimmer_max;   break;
    case DET_FROZEN:
        /* a single repeated frame is a stutter, a held picture worse */
        return e->end_frame - e->start_frame + 1 <= 2 ? "minor" :
               e->end_frame - e->start_frame + 1 <= 12 ? "major" : "critical";
    default:
        /* loops, timing and tag faults are faults whatever their size */
        return "major";
    }
    ratio = threshold > 0 ? e->peak / threshold : 4;
    return ratio < 2 ? "minor" : ratio < 4 ? "major" : "critical";
}

static void json_string(AVBPrint *b, const char *str)
{
    av_bprint_chars(b, '"', 1);
    for (; *str; str++) {
        if (*str == '"' || *str == '\\')
            av_bprintf(b, "\\%c", *str);
        else if ((unsigned char)*str < 0x20)
            av_bprintf(b, "\\u%04x", *str);
        else
            av_bprint_chars(b, *str, 1);
    }
    av_bprint_chars(b, '"', 1);
}

static double threshold_of(const QcDetectContext *s, int d)
{
    switch (d) {
    case DET_FROZEN:    return s->frozen_max;
    case DET_FLICKER:   return s->flicker_max;
    case DET_MICROJUMP: return s->microjump_max;
    case DET_BANDING:   return s->banding_max;
    case DET_BLACK:     return s->black_max;
    case DET_WHITE:     return s->white_max;
    case DET_SHIMMER:   return s->shimmer_max;
    case DET_LOOP:      return s->loop_tolerance;
    case DET_TIMING:    return s->timing_tolerance;
    default:            return 0;
    }
}

static int write_report(AVFilterContext *ctx)
{
    QcDetectContext *s = ctx->priv;
    const AVFilterLink *inlink = ctx->inputs[0];
    AVBPrint b;
    FILE *f;
    int ret = 0;

    av_bprint_init(&b, 0, AV_BPRINT_SIZE_UNLIMITED);
    av_bprintf(&b, "{\n  \"filter\": \"qcdetect\",\n  \"version\": 1,\n");
    av_bprintf(&b, "  \"width\": %d,\n  \"height\": %d,\n  \"pix_fmt\": \"%s\",\n",
               inlink->w, inlink->h, av_get_pix_fmt_name(inlink->format));
    av_bprintf(&b, "  \"frames\": %"PRId64",\n", s->nb_final);
    av_bprintf(&b, "  \"measured\": \"luma plane, full resolution, every frame\",\n");
    av_bprintf(&b, "  \"detectors\": {\n");
    for (int d = 0; d < NB_DET; d++) {
        int nb = 0;
        for (int i = 0; i < s->nb_events; i++)
            nb += s->events[i].detector == d;
        av_bprintf(&b, "    \"%s\": { \"enabled\": %s, \"threshold\": %g, \"events\": %d, "
                   "\"frames\": %"PRId64", \"max\": %.4f }%s\n", detector_names[d],
                   s->detectors & DFLAG(d) ? "true" : "false", threshold_of(s, d), nb,
                   s->det_frames[d], s->det_max[d], d < NB_DET - 1 ? "," : "");
    }
    av_bprintf(&b, "  },\n  \"events\": [");
    for (int i = 0; i < s->nb_events; i++) {
        const Event *e = &s->events[i];
        av_bprintf(&b, "%s\n    { \"detector\": \"%s\", \"start\": %.6f, \"end\": %.6f, "
                   "\"start_frame\": %"PRId64", \"end_frame\": %"PRId64", \"peak\": %.4f, "
                   "\"peak_frame\": %"PRId64", \"severity\": \"%s\", \"detail\": ",
                   i ? "," : "", detector_names[e->detector], e->start, e->end,
                   e->start_frame, e->end_frame, e->peak, e->peak_frame, severity(s, e));
        json_string(&b, e->detail);
        av_bprintf(&b, " }");
    }
    /* Events found are a fail however the run ended; no events over part
     * of a stream is not a pass. */
    av_bprintf(&b, "%s],\n  \"complete\": %s,\n  \"verdict\": \"%s\"\n}\n",
               s->nb_events ? "\n  " : "", s->complete ? "true" : "false",
               s->verdict_fail ? "fail" : s->complete ? "pass" : "incomplete");

    if (!av_bprint_is_complete(&b)) {
        av_bprint_finalize(&b, NULL);
        return AVERROR(ENOMEM);
    }
    f = avpriv_fopen_utf8(s->report_path, "w");
    if (!f) {
        ret = AVERROR(errno);
        av_log(ctx, AV_LOG_ERROR, "Cannot write the report to %s: %s\n", s->report_path, av_err2str(ret));
    } else {
        if (fwrite(b.str, 1, b.len, f) != b.len || fclose(f)) {
            ret = AVERROR(EIO);
            av_log(ctx, AV_LOG_ERROR, "Writing the report to %s failed.\n", s->report_path);
        }
    }
    av_bprint_finalize(&b, NULL);
    return ret;
}

static int write_plot(AVFilterContext *ctx)
{
    QcDetectContext *s = ctx->priv;
    const AVFilterLink *inlink = ctx->inputs[0];
    AIPPlotStrip strips[NB_DET] = { 0 };
    AIPPlotSpan *spans;
    AIPPlotReport r = { 0 };
    AIPPlotImage img;
    char title[160], decimated[48] = "";
    uint8_t *png = NULL;
    size_t png_size;
    double dt;
    int ret = 0, nb_spans = 0;

    if (!s->plot_points) {
        av_log(ctx, AV_LOG_WARNING, "No frame measured: no plot written to %s.\n", s->plot_path);
        return 0;
    }
    /* the last frame lasts one frame interval: nominal, else the mean */
    dt = s->nominal_dt > 0 ? s->nominal_dt :
         s->nb_final > 1 && s->last_time > s->plot_time[0] ?
         (s->last_time - s->plot_time[0]) / (s->nb_final - 1) : 1;
    spans = av_calloc(FFMAX(s->nb_events, 1), sizeof(*spans));
    if (!spans)
        return AVERROR(ENOMEM);

    for (int d = 0; d < NB_DET; d++) {
        AIPPlotStrip *st = &strips[r.nb_strips];
        if (!(s->detectors & DFLAG(d)))
            continue;
        st->label        = detector_names[d];
        st->value        = s->plot_value + d;
        st->value_stride = NB_DET;
        /* loop_tolerance and colour have no threshold in the plotted units */
        st->threshold    = d == DET_LOOP || d == DET_COLOUR ? NAN : threshold_of(s, d);
        st->spans        = spans + nb_spans;
        for (int i = 0; i < s->nb_events; i++) {
            const Event *e = &s->events[i];
            const char *sev;
            if (e->detector != d)
                continue;
            sev = severity(s, e);
            spans[nb_spans].start    = e->start;
            spans[nb_spans].end      = e->end + dt;
            spans[nb_spans].severity = !strcmp(sev, "critical") ? AIP_PLOT_SEV_CRITICAL :
                                       !strcmp(sev, "major") ? AIP_PLOT_SEV_MAJOR : AIP_PLOT_SEV_MINOR;
            nb_spans++;
            st->nb_spans++;
        }
        r.nb_strips++;
    }
    if (s->plot_point_frames > 1)
        snprintf(decimated, sizeof(decimated), "  (MAX OF %"PRId64" FRAMES A POINT)", s->plot_point_frames);
    snprintf(title, sizeof(title), "%"PRId64" FRAMES  %.2f S  %dX%d %s  %d EVENT%s%s",
             s->nb_final, s->last_time + dt - s->plot_time[0], inlink->w, inlink->h,
             av_get_pix_fmt_name(inlink->format), s->nb_events, s->nb_events == 1 ? "" : "S", decimated);
    r.title     = title;
    r.fail      = s->verdict_fail;
    r.time      = s->plot_time;
    r.nb_points = s->plot_points;
    r.t0        = s->plot_time[0];
    r.t1        = FFMAX(s->last_time + dt, r.t0 + dt);
    r.strips    = strips;

    if (!r.nb_strips) {
        av_log(ctx, AV_LOG_WARNING, "No detector enabled: no plot written to %s.\n", s->plot_path);
        av_free(spans);
        return 0;
    }
    ret = aip_plot_render(&r, &img);
    if (ret >= 0) {
        ret = aip_png_encode(img.px, img.stride, img.width, img.height, AIP_PNG_PALETTE,
                             &aip_plot_palette[0][0], AIP_PLOT_NB_COLOURS, AIP_PNG_RUNS,
                             &png, &png_size);
        aip_plot_free(&img);
    }
    av_free(spans);
    if (ret < 0) {
        av_log(ctx, AV_LOG_ERROR, "Drawing the plot for %s failed: %s\n", s->plot_path, av_err2str(AVERROR(-ret)));
        return AVERROR(-ret);
    }

    if (fwrite(png, 1, png_size, s->plot_file) != png_size || fflush(s->plot_file)) {
        ret = AVERROR(errno ? errno : EIO);
        av_log(ctx, AV_LOG_ERROR, "Writing the plot to %s failed: %s\n", s->plot_path, av_err2str(ret));
    } else {
        av_log(ctx, AV_LOG_VERBOSE, "plot: %s, %dx%d, %zu bytes, %d points of %"PRId64" frame%s\n",
               s->plot_path, AIP_PLOT_WIDTH, img.height, png_size, s->plot_points,
               s->plot_point_frames, s->plot_point_frames > 1 ? "s" : "");
    }
    free(png);
    return ret;
}

/* Close open events, decide, report, log. Once, at EOF or at uninit when
 * the stream was cut short. Returns the verdict error when fail=1. */
/* complete: the stream reached its end (not a run stopped early or torn
 * down by a graph rebuild), so a clean verdict means "pass". */
static int finish(AVFilterContext *ctx, int complete)
{
    QcDetectContext *s = ctx->priv;
    int ret;

    if (s->finished)
        return 0;
    s->finished = 1;
    s->complete = complete;
    for (int d = 0; d < NB_DET; d++)
        if (s->is_open[d]) {
            s->is_open[d] = 0;
            if ((ret = add_event(s, &s->open[d])) < 0)
                return ret;
        }
    s->verdict_fail = s->nb_events > 0;

    av_log(ctx, AV_LOG_INFO, "%"PRId64" frames, %d events, verdict %s\n",
           s->nb_final, s->nb_events, s->verdict_fail ? "FAIL" :
           complete ? "pass" : "incomplete (stopped before the end of the stream)");
    for (int d = 0; d < NB_DET; d++) {
        int nb = 0;
        for (int i = 0; i < s->nb_events; i++)
            nb += s->events[i].detector == d;
        if (nb)
            av_log(ctx, AV_LOG_INFO, "  %-9s %d event%s, %"PRId64" frames, max %.3f (threshold %g)\n",
                   detector_names[d], nb, nb > 1 ? "s" : "", s->det_frames[d], s->det_max[d],
                   threshold_of(s, d));
    }
    for (int i = 0; i < s->nb_events && i < 20; i++) {
        const Event *e = &s->events[i];
        av_log(ctx, AV_LOG_VERBOSE, "  %s %.3f-%.3f s (frames %"PRId64"-%"PRId64") peak %.3f %s %s\n",
               detector_names[e->detector], e->start, e->end, e->start_frame, e->end_frame,
               e->peak, severity(s, e), e->detail);
    }
    if (s->report_path && (ret = write_report(ctx)) < 0)
        return ret;
    if (s->plot_file && (ret = write_plot(ctx)) < 0)
        return ret;
    if (s->fail && s->verdict_fail) {
        av_log(ctx, AV_LOG_ERROR, "QC failed: %d event%s (first: %s at %.3f s)%s%s.\n",
               s->nb_events, s->nb_events > 1 ? "s" : "", detector_names[s->events[0].detector],
               s->events[0].start, s->report_path ? "; report in " : "",
               s->report_path ? s->report_path : "");
        /* The input is what failed: "Invalid data found when processing
         * input" is the nearest of FFmpeg's codes (farms test the exit). */
        return AVERROR_INVALIDDATA;
    }
    return 0;
}

/* ------------------------------------------------------------ frames */

static int output_oldest(AVFilterContext *ctx)
{
    QcDetectContext *s = ctx->priv;
    AVFrame *frame = s->queue[0];
    int ret;

    memmove(s->queue, s->queue + 1, (s->nb_queued - 1) * sizeof(*s->queue));
    s->nb_queued--;
    if ((ret = finalize(ctx, frame)) < 0) {
        av_frame_free(&frame);
        return ret;
    }
    return ff_filter_frame(ctx->outputs[0], frame);
}

static int filter_frame(AVFilterContext *ctx, AVFrame *in)
{
    QcDetectContext *s = ctx->priv;
    int ret = measure(ctx, in);

    if (ret < 0) {
        av_frame_free(&in);
        return ret;
    }
    av_frame_free(&s->prev);
    s->prev = av_frame_clone(in);
    if (!s->prev) {
        av_frame_free(&in);
        return AVERROR(ENOMEM);
    }
    s->queue[s->nb_queued++] = in;
    if (s->nb_queued > LOOKAHEAD)
        return output_oldest(ctx);
    return 0;
}

static int activate(AVFilterContext *ctx)
{
    QcDetectContext *s = ctx->priv;
    AVFilterLink *inlink = ctx->inputs[0];
    AVFilterLink *outlink = ctx->outputs[0];
    AVFrame *in;
    int64_t pts;
    int ret, status;

    FF_FILTER_FORWARD_STATUS_BACK(outlink, inlink);

    ret = ff_inlink_consume_frame(inlink, &in);
    if (ret < 0)
        return ret;
    if (ret > 0) {
        ret = filter_frame(ctx, in);
        if (ret >= 0)
            ff_filter_set_ready(ctx, 100);
        return ret;
    }

    if (ff_inlink_acknowledge_status(inlink, &status, &pts)) {
        while (s->nb_queued)
            if ((ret = output_oldest(ctx)) < 0)
                return ret;
        ret = finish(ctx, 1);
        ff_outlink_set_status(outlink, ret < 0 ? ret : status, pts);
        return ret;
    }

    FF_FILTER_FORWARD_WANTED(outlink, inlink);
    return FFERROR_NOT_READY;
}

static av_cold int init(AVFilterContext *ctx)
{
    QcDetectContext *s = ctx->priv;

    if (s->plot_path) {
        s->plot_file = avpriv_fopen_utf8(s->plot_path, "wb");
        if (!s->plot_file) {
            int ret = AVERROR(errno);
            av_log(ctx, AV_LOG_ERROR, "Cannot write the plot to %s: %s\n", s->plot_path, av_err2str(ret));
            return ret;
        }
    }
    return 0;
}

static av_cold void uninit(AVFilterContext *ctx)
{
    QcDetectContext *s = ctx->priv;

    /* A run stopped early (-t, -frames) still gets its report, over the
     * frames measured; those held for lookahead are finalised without it. */
    if (s->records && !s->finished && s->nb_measured) {
        while (s->nb_final < s->nb_measured && finalize(ctx, NULL) >= 0)
            ;
        finish(ctx, 0);
    }
    for (int i = 0; i < s->nb_queued; i++)
        av_frame_free(&s->queue[i]);
    av_frame_free(&s->prev);
    for (int i = 0; i < 3; i++)
        aip_qc_uninit(&s->qc[i]);
    av_freep(&s->records);
    av_freep(&s->loop_run);
    av_freep(&s->loop_moved);
    av_freep(&s->events);
    av_freep(&s->plot_time);
    av_freep(&s->plot_value);
    if (s->plot_file)
        fclose(s->plot_file);
    s->plot_file = NULL;
}

static const AVFilterPad qcdetect_inputs[] = {
    {
        .name         = "default",
        .type         = AVMEDIA_TYPE_VIDEO,
        .config_props = config_input,
    },
};

const AIPOST_FILTER ff_vf_qcdetect = {
    AIPOST_PUBLIC(name)        = "qcdetect",
    AIPOST_PUBLIC(description) = NULL_IF_CONFIG_SMALL("Measure AI-video QC defects (flicker, shimmer, loops, micro-jumps, freezes, banding, crushed blacks, clipping, timing, colour tags); report and verdict."),
    AIPOST_PUBLIC(priv_class)  = &qcdetect_class,
    AIPOST_PUBLIC(flags)       = AVFILTER_FLAG_SLICE_THREADS | AVFILTER_FLAG_METADATA_ONLY,
    .priv_size     = sizeof(QcDetectContext),
    .init          = init,
    .activate      = activate,
    .uninit        = uninit,
    FILTER_INPUTS(qcdetect_inputs),
    FILTER_OUTPUTS(ff_video_default_filterpad),
    FILTER_PIXFMTS_ARRAY(pix_fmts),
};
