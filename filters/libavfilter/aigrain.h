/*
 * What aigrain and aigrain_opencl share: the options, the per-stream
 * grain fields, the blend tables, the per-frame keys and the plate input.
 * Each filter only runs the grain over the pixels, on the CPU
 * (vf_aigrain.c) or on an OpenCL device (vf_aigrain_opencl.c), so both give
 * the same output for the same input and options.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AVFILTER_AIGRAIN_H
#define AVFILTER_AIGRAIN_H

#include <stdint.h>

#include "libavutil/frame.h"
#include "libavutil/opt.h"
#include "libavutil/pixfmt.h"

#include "avfilter.h"

#include "aipost/grain.h"

enum AIGrainBlend    { AIGRAIN_BLEND_OVERLAY, AIGRAIN_BLEND_ADD, AIGRAIN_NB_BLEND };
enum AIGrainTemporal { AIGRAIN_TEMPORAL_DYNAMIC, AIGRAIN_TEMPORAL_STATIC,
                       AIGRAIN_TEMPORAL_CORRELATED, AIGRAIN_NB_TEMPORAL };
enum AIGrainIndex    { AIGRAIN_INDEX_PTS, AIGRAIN_INDEX_COUNT, AIGRAIN_NB_INDEX };

typedef struct AIGrainCommon {
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

    /* format: planes are colour components (Y, Cb, Cr / G, B, R / Y), also
     * where a hardware frame interleaves Cb and Cr in one image */
    int depth, nb_planes, is_rgb;
    int hsub, vsub;                     /* log2 chroma subsampling */
    int planewidth[4], planeheight[4];

    /* synthesis: YUV 0 luma, 1..2 chroma; RGB 0 shared, 1..3 per plane */
    AIPGrainPlane field[4];
    int nb_fields;
    double size_px;                     /* effective grain size, luma samples */
    int blocks_w[4], blocks_h[4];       /* grain blocks covering each field */

    /* blend tables, rebuilt when the frames' colour range changes */
    AIPGrainScaling scaling[4];
    int plane_active[4];
    int lut_range;                      /* AVColorRange built for, -1 stale */
    int chroma_q;                       /* chroma in Q7: RGB colour part */

    int64_t frame_count;
    int warned_index;

    /* plate */
    AVFrame *pending_plate;
    AVFrame **plate_cache;
    int nb_plate_cache;
    int plate_cache_full;
    int plate_eof;
    int64_t plate_loop_pos;
} AIGrainCommon;

/* How one frame's grain is keyed. */
typedef struct AIGrainKeys {
    int64_t index;                      /* frame index (metadata) */
    uint64_t key_a, key_b;              /* grain keys; b only for correlated */
    int weight_a, weight_b;             /* Q7 cross-fade; weight_b 0: a alone */
} AIGrainKeys;

/*
 * The option table of both filters, for a context whose AIGrainCommon is
 * reached by OFF(field) (offsetof(Context, common.field)); the caller closes
 * the table with { NULL }.
 */
#define AIGRAIN_OPTIONS(OFF, FLAGS, RFLAGS)                                                            \
    { "strength",   "grain standard deviation at mid-grey, in 8-bit code values (scaled for deeper formats)", \
        OFF(strength),   AV_OPT_TYPE_FLOAT, { .dbl = 4.0 }, 0.0, 32.0, RFLAGS },                      \
    { "size",       "grain size: width of the grain's autocorrelation at half maximum, in pixels of a size_ref-line picture", \
        OFF(size),       AV_OPT_TYPE_FLOAT, { .dbl = 1.5 }, 0.25, 8.0, FLAGS },                        \
    { "size_ref",   "short side of the picture that size refers to; the grain scales with resolution (0: size is in pixels of this input)", \
        OFF(size_ref),   AV_OPT_TYPE_INT,   { .i64 = 1080 }, 0, 8640, FLAGS },                         \
    { "chroma",     "colour grain, as a fraction of the luma grain",                                   \
        OFF(chroma),     AV_OPT_TYPE_FLOAT, { .dbl = 0.3 }, 0.0, 1.0, RFLAGS },                        \
    { "shadows",    "grain multiplier in the shadows (luma curve point at black)",                      \
        OFF(shadows),    AV_OPT_TYPE_FLOAT, { .dbl = 1.0 }, 0.0, 4.0, RFLAGS },                        \
    { "midtones",   "grain multiplier in the midtones (luma curve point at mid-grey)",                  \
        OFF(midtones),   AV_OPT_TYPE_FLOAT, { .dbl = 1.0 }, 0.0, 4.0, RFLAGS },                        \
    { "highlights", "grain multiplier in the highlights (luma curve point at white)",                   \
        OFF(highlights), AV_OPT_TYPE_FLOAT, { .dbl = 1.0 }, 0.0, 4.0, RFLAGS },                        \
    { "blend",      "how grain meets the picture",                                                     \
        OFF(blend),      AV_OPT_TYPE_INT,   { .i64 = AIGRAIN_BLEND_OVERLAY }, 0, AIGRAIN_NB_BLEND - 1, FLAGS, .unit = "blend" }, \
        { "overlay", "overlay layer: most grain in the midtones, none at black and white", 0, AV_OPT_TYPE_CONST, { .i64 = AIGRAIN_BLEND_OVERLAY }, 0, 0, FLAGS, .unit = "blend" }, \
        { "add",     "added evenly at every brightness (then shaped by the curve only)",  0, AV_OPT_TYPE_CONST, { .i64 = AIGRAIN_BLEND_ADD },     0, 0, FLAGS, .unit = "blend" }, \
    { "opacity",    "opacity of the plate layer (plate=1)",                                            \
        OFF(opacity),    AV_OPT_TYPE_FLOAT, { .dbl = 0.3 }, 0.0, 1.0, RFLAGS },                        \
    { "temporal",   "how grain changes from frame to frame",                                           \
        OFF(temporal),   AV_OPT_TYPE_INT,   { .i64 = AIGRAIN_TEMPORAL_DYNAMIC }, 0, AIGRAIN_NB_TEMPORAL - 1, FLAGS, .unit = "temporal" }, \
        { "dynamic",    "new grain every frame, as film",                     0, AV_OPT_TYPE_CONST, { .i64 = AIGRAIN_TEMPORAL_DYNAMIC },    0, 0, FLAGS, .unit = "temporal" }, \
        { "static",     "the same grain on every frame (a textured screen)",  0, AV_OPT_TYPE_CONST, { .i64 = AIGRAIN_TEMPORAL_STATIC },     0, 0, FLAGS, .unit = "temporal" }, \
        { "correlated", "grain that drifts smoothly over `coherence` frames", 0, AV_OPT_TYPE_CONST, { .i64 = AIGRAIN_TEMPORAL_CORRELATED }, 0, 0, FLAGS, .unit = "temporal" }, \
    { "coherence",  "frames over which correlated grain changes completely",                           \
        OFF(coherence),  AV_OPT_TYPE_INT,   { .i64 = 6 }, 2, 240, FLAGS },                             \
    { "seed",       "grain seed",                                                                      \
        OFF(seed),       AV_OPT_TYPE_INT64, { .i64 = 0 }, 0, UINT32_MAX, FLAGS },                      \
    { "frame_index", "what numbers the frames that key the grain",                                     \
        OFF(frame_index), AV_OPT_TYPE_INT,  { .i64 = AIGRAIN_INDEX_PTS }, 0, AIGRAIN_NB_INDEX - 1, FLAGS, .unit = "frame_index" }, \
        { "pts",   "the timestamp in frame durations (segments that keep their timestamps agree)", 0, AV_OPT_TYPE_CONST, { .i64 = AIGRAIN_INDEX_PTS },   0, 0, FLAGS, .unit = "frame_index" }, \
        { "count", "the count of frames seen",                                                       0, AV_OPT_TYPE_CONST, { .i64 = AIGRAIN_INDEX_COUNT }, 0, 0, FLAGS, .unit = "frame_index" }, \
    { "start_number", "added to the frame index: the first frame number of a segment processed apart", \
        OFF(start_number), AV_OPT_TYPE_INT64, { .i64 = 0 }, INT32_MIN, INT32_MAX, FLAGS },            \
    { "plate",      "take the grain from a second input (a grain plate around mid-grey) instead of synthesising it", \
        OFF(plate),      AV_OPT_TYPE_BOOL,  { .i64 = 0 }, 0, 1, FLAGS },                               \
    { "plate_frames", "plate frames kept in memory to loop a plate shorter than the main input",       \
        OFF(plate_frames), AV_OPT_TYPE_INT, { .i64 = 48 }, 1, 10000, FLAGS }

/**
 * Add the input pads ("default", and "plate" when plate=1) with the given
 * config_props callbacks; set up the plate cache.
 */
int ff_aigrain_init(AVFilterContext *ctx, AIGrainCommon *g,
                    int (*config_main)(AVFilterLink *),
                    int (*config_plate)(AVFilterLink *));
void ff_aigrain_uninit(AIGrainCommon *g);

/**
 * Set up the format and, for synthesised grain, the grain fields for
 * pictures of format sw_format (the software layout, also of hardware
 * frames) and size w x h. Fails with a message when the grain would be too
 * large for the picture.
 */
int ff_aigrain_config(AVFilterContext *ctx, AIGrainCommon *g,
                      enum AVPixelFormat sw_format, int w, int h);

/* Plate samples enter the blend as their deviation from mid-grey, shifted
 * left by this. */
int ff_aigrain_plate_shift(const AIGrainCommon *g);

/* Whether grain field i is read this frame (its offsets must be made). */
int ff_aigrain_field_used(const AIGrainCommon *g, int i);

/**
 * Per frame, in this order: the keys of frame in (counts the frame), then
 * the blend tables for its colour range when they are stale.
 */
void ff_aigrain_frame_keys(AVFilterContext *ctx, AIGrainCommon *g,
                           const AVFrame *in, AIGrainKeys *k);
void ff_aigrain_update_scaling(AIGrainCommon *g, enum AVColorRange range);

/**
 * The activate callback of both filters: pairs each main frame with a plate
 * frame when plate=1 (looping a short plate from memory) and passes them to
 * filter_frame, which owns in; the plate frame is freed after the call.
 */
int ff_aigrain_activate(AVFilterContext *ctx, AIGrainCommon *g,
                        int (*filter_frame)(AVFilterContext *ctx, AVFrame *in,
                                            const AVFrame *plate));

/* Output geometry and timing of the main input, whatever the plate's. */
int ff_aigrain_config_output(AVFilterLink *outlink);

/* Marks the tables stale after a runtime option change (sendcmd). */
int ff_aigrain_process_command(AVFilterContext *ctx, AIGrainCommon *g, const char *cmd,
                               const char *args, char *res, int res_len, int flags);

#endif /* AVFILTER_AIGRAIN_H */
