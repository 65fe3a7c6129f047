/*
 * socialprep: clips that survive TikTok / Reels / Shorts recompression.
 *
 * One filter does what a social export needs: the platform's frame
 * (1080x1920 9:16 by default) reframed from any input aspect (a smart crop
 * that follows motion, detail, skin and faces along a smoothed camera path;
 * the whole frame over a blurred copy of itself; a centre crop; or bars),
 * a constant frame rate with regular timestamps whatever the input's
 * timing, and a picture prepared for the platform's encoder: no pure black
 * (a soft floor with a knee), a little midtone separation, neon-like
 * saturation trimmed, and light grain of at least 2 px, which encoders keep
 * as texture instead of flattening gradients into bands.
 *
 * Output is yuv420p (or yuv420p10), BT.709, limited range, square pixels;
 * the encoder settings that suit the preset are logged when the graph is
 * configured (samples/socialexport.sh uses them).
 *
 * Kernels (pure C, unit-tested, AVX2 beside C where it pays):
 *   aipost/resample  sub-pixel crop and scale (why not libswscale: a crop
 *                    window that pans by fractions of a pixel per frame,
 *                    and tone, trim and range folded into the same pass)
 *   aipost/tonecurve black floor, S-curve and saturation trim tables
 *   aipost/saliency  motion / contrast / skin / face-proxy map, best window
 *   aipost/skintone  skin-tone likelihood
 *   aipost/campath   the camera path (dead zone, speed and acceleration
 *                    limits, lookahead, resets at cuts)
 *   aipost/grain     aigrain's grain synthesis and blend, reused as is
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <float.h>
#include <math.h>

#include "libavutil/avassert.h"
#include "libavutil/avstring.h"
#include "libavutil/bprint.h"
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

#include "aipost/campath.h"
#include "aipost/grain.h"
#include "aipost/resample.h"
#include "aipost/saliency.h"
#include "aipost/tonecurve.h"

enum Reframe { REFRAME_SMART, REFRAME_FIT, REFRAME_CENTER, REFRAME_PAD, NB_REFRAME };

/* Limited range at the resampler's 14-bit scale. */
#define BLACK14  (16 << 6)
#define WHITE14  (235 << 6)
#define CHROMA14 (1 << 13)

/* Slices per thread: threads take them as they come, so one that the
 * system holds up leaves less to wait for (the output is the same for any
 * split). */
#define JOBS_PER_THREAD 4

/* The background of reframe=fit is made at 1/FIT_SMALL of the output. */
#define FIT_SMALL 8

typedef struct Preset {
    const char *name;
    const char *platform;
    int w, h;
    int fps;
    /* picture defaults: floor (8-bit code values above black), contrast,
     * saturation trim strength, grain sigma (8-bit code values) */
    float floor, contrast, sattrim, grain;
    int kbps;               /* video bitrate to upload at */
    const char *guidance;   /* what the platform says, for the log */
} Preset;

static const Preset presets[] = {
    { "tiktok",    "TikTok",          1080, 1920, 30, 4, 0.12f, 0.6f, 3.0f, 12000,
      "no published bitrate; re-encodes uploads hard" },
    { "reels",     "Instagram Reels", 1080, 1920, 30, 4, 0.10f, 0.5f, 3.0f, 12000,
      "no published bitrate; re-encodes uploads hard" },
    { "shorts",    "YouTube Shorts",  1080, 1920, 30, 3, 0.08f, 0.4f, 2.5f, 12000,
      "YouTube recommends 8 Mb/s for 1080p SDR at 24-30 fps" },
    { "feed45",    "Instagram feed 4:5", 1080, 1350, 30, 4, 0.10f, 0.5f, 3.0f, 10000,
      "no published bitrate" },
    { "square",    "square feed",     1080, 1080, 30, 4, 0.10f, 0.5f, 3.0f, 8000,
      "no published bitrate" },
    { "landscape", "YouTube 16:9",    1920, 1080, 24, 3, 0.08f, 0.4f, 2.5f, 12000,
      "YouTube recommends 8 Mb/s for 1080p SDR at 24-30 fps" },
    { "custom",    "custom",          0, 0, 0, 0, 0, 0, 0, 12000,
      "set the size and rate yourself" },
};

/* One input frame with what was learnt from it. */
typedef struct InFrame {
    AVFrame *frame;
    int64_t r;              /* its time in output frame periods, rounded */
    double time;            /* seconds */
    double interval;        /* seconds since the previous input frame, -1 for the first */
    int irregular;
    int cut;                /* a new scene starts here */
    double change;          /* scene change measure */
    double target, confidence;
    int shown;              /* output frames it has filled */
    int analysed;
} InFrame;

/* One output frame waiting in the lookahead queue. */
typedef struct Slot {
    AVFrame *frame;
    int64_t n;              /* output frame number = pts */
    double target, confidence, change;
    int cut;
    int dup;                /* repeats of its input frame before this one */
    int64_t dropped;        /* input frames dropped just before this one */
    double src_time, src_interval;
    int irregular;
} Slot;

typedef struct Job Job;

typedef struct SocialPrepContext {
    const AVClass *class;

    /* options */
    char *preset_name;
    int w, h;
    AVRational fps;
    int reframe;
    int lookahead;
    float deadzone, maxpan, scenecut;
    float wmotion, wcontrast, wskin, wface;
    float floor, knee, contrast, sattrim, satknee;
    float grain, grain_size, grain_chroma;
    int64_t seed;
    int depth;
    float fit_blur, fit_dim;
    uint8_t pad_rgba[4];

    const Preset *preset;
    /* resolved */
    int out_w, out_h;
    AVRational out_fps;
    double p_floor, p_knee, p_contrast, p_sattrim, p_grain;

    /* input */
    int in_w, in_h, in_depth, in_hsub, in_vsub, in_gray;
    int in_cw, in_ch;                   /* chroma plane size */
    double sar;                         /* input pixel aspect */
    AVRational in_tb;
    double nominal;                     /* expected input interval, s; 0 unknown */

    /* geometry */
    int axis;                           /* free axis of the crop: 0 x, 1 y, -1 none */
    double crop_w, crop_h;              /* source luma samples */
    int fg_x, fg_y, fg_w, fg_h;         /* fit/pad: the picture within the output */
    int small_w, small_h;               /* fit: background at 1/FIT_SMALL */
    int16_t *small[3];
    ptrdiff_t small_stride[3];
    int16_t pad14[3];                   /* pad colour at the 14-bit scale, after the curves */

    /* curves, rebuilt when the input's range changes */
    uint16_t luma_lut[1 << AIP_TONE_LUT_BITS];
    int luma_shift;
    uint16_t sat_lut[AIP_SAT_LUT_SIZE];
    int lut_range;
    int floor_out[2];                   /* lowest luma code at the output depth, 14-bit */
    AIPToneCurve curve;

    /* resampling: [0] luma, [1] chroma; main picture, fit background
     * (small -> output) and the small background itself (frame -> small) */
    AIPResampleDSP rdsp;
    AIPToneDSP tdsp;
    AIPResampleFilter fx[2], fy[2], bx[2], by[2], sx[2], sy[2];

    /* grain */
    AIPGrainDSP gdsp;
    AIPGrainPlane field[3];
    AIPGrainScaling gscale[3];
    uint32_t *offsets[3];
    int blocks_w[3], blocks_h[3];
    int grain_on[3];

    Job *jobs;
    int nb_jobs_max;

    /* analysis */
    AIPSaliency sal;
    int sal_ready;
    AVFrame *prev_in;
    double prev_target;
    AIPCamPath cam;
    double last_pos;

    /* timing */
    InFrame cur, next;
    int64_t next_n;                     /* next output frame number */
    int started;
    int eof;
    int64_t eof_n;
    int64_t drops_pending;
    int64_t last_pts;
    int warned_pts, warned_primaries;

    /* lookahead queue */
    int la;                             /* frames ahead in use */
    Slot *q;
    int q_cap, q_len, q_head;
    double *la_targets, *la_weights;

    /* stream summary */
    int64_t nb_in, nb_out, nb_dup, nb_drop, nb_irregular, nb_cuts, nb_overlapped;
    double min_interval, max_interval;
} SocialPrepContext;

/* Where a resampler takes its source rows from. */
typedef struct Fetch {
    const SocialPrepContext *s;
    const AVFrame *in;
    int chroma;
    int small;              /* from the fit background */
} Fetch;

struct Job {
    AIPResampler main[2], bg[2], sm[2];
    Fetch fmain[2], fsmall[2];
    int16_t *rows;          /* luma, Cb, Cr; background luma, Cb, Cr */
    ptrdiff_t row_stride;
    int16_t *grain;         /* grain and its scratch */
    ptrdiff_t grain_stride;
};

#define OFFSET(x) offsetof(SocialPrepContext, x)
#define FLAGS (AV_OPT_FLAG_FILTERING_PARAM | AV_OPT_FLAG_VIDEO_PARAM)

static const AVOption socialprep_options[] = {
    { "preset", "platform: tiktok, reels, shorts, feed45, square, landscape, custom (sets size, rate and picture defaults)",
        OFFSET(preset_name), AV_OPT_TYPE_STRING, { .str = "tiktok" }, 0, 0, FLAGS },
    { "w", "output width (-1: the preset's; custom: the input's)",
        OFFSET(w), AV_OPT_TYPE_INT, { .i64 = -1 }, -1, 8192, FLAGS },
    { "h", "output height (-1: the preset's; custom: the input's)",
        OFFSET(h), AV_OPT_TYPE_INT, { .i64 = -1 }, -1, 8192, FLAGS },
    { "fps", "output frame rate (0: the preset's; custom: the input's)",
        OFFSET(fps), AV_OPT_TYPE_RATIONAL, { .dbl = 0 }, 0, 240, FLAGS },
    { "reframe", "how the input's aspect becomes the output's",
        OFFSET(reframe), AV_OPT_TYPE_INT, { .i64 = REFRAME_SMART }, 0, NB_REFRAME - 1, FLAGS, .unit = "reframe" },
        { "smart",  "crop following what matters, along a smoothed camera path", 0, AV_OPT_TYPE_CONST, { .i64 = REFRAME_SMART },  0, 0, FLAGS, .unit = "reframe" },
        { "fit",    "the whole frame over a blurred, dimmed copy of itself",     0, AV_OPT_TYPE_CONST, { .i64 = REFRAME_FIT },    0, 0, FLAGS, .unit = "reframe" },
        { "center", "centre crop",                                               0, AV_OPT_TYPE_CONST, { .i64 = REFRAME_CENTER }, 0, 0, FLAGS, .unit = "reframe" },
        { "pad",    "the whole frame over pad_color",                            0, AV_OPT_TYPE_CONST, { .i64 = REFRAME_PAD },    0, 0, FLAGS, .unit = "reframe" },
    { "lookahead", "frames the smart camera looks ahead (and output is delayed by)",
        OFFSET(lookahead), AV_OPT_TYPE_INT, { .i64 = 30 }, 0, 300, FLAGS },
    { "deadzone", "smart: the subject may move this far from the crop's centre (fraction of the crop) before the camera pans",
        OFFSET(deadzone), AV_OPT_TYPE_FLOAT, { .dbl = 0.15 }, 0.0, 0.5, FLAGS },
    { "maxpan", "smart: fastest pan, in crop widths (heights) per second",
        OFFSET(maxpan), AV_OPT_TYPE_FLOAT, { .dbl = 1.0 }, 0.05, 10.0, FLAGS },
    { "scenecut", "smart: mean luma change (8-bit code values) that starts a new scene; 0: never",
        OFFSET(scenecut), AV_OPT_TYPE_FLOAT, { .dbl = 20.0 }, 0.0, 255.0, FLAGS },
    { "wmotion",   "saliency weight of motion",     OFFSET(wmotion),   AV_OPT_TYPE_FLOAT, { .dbl = 2.0 }, 0.0, 10.0, FLAGS },
    { "wcontrast", "saliency weight of detail",     OFFSET(wcontrast), AV_OPT_TYPE_FLOAT, { .dbl = 0.3 }, 0.0, 10.0, FLAGS },
    { "wskin",     "saliency weight of skin tones", OFFSET(wskin),     AV_OPT_TYPE_FLOAT, { .dbl = 0.2 }, 0.0, 10.0, FLAGS },
    { "wface",     "saliency weight of the face proxy (skin with detail)", OFFSET(wface), AV_OPT_TYPE_FLOAT, { .dbl = 0.6 }, 0.0, 10.0, FLAGS },
    { "floor", "black floor: lowest luma, 8-bit code values above black (-1: the preset's; 0: off)",
        OFFSET(floor), AV_OPT_TYPE_FLOAT, { .dbl = -1 }, -1, 32, FLAGS },
    { "knee", "where the floor's curve meets the picture, 8-bit code values above black (-1: 4 x floor; at least 2 x floor)",
        OFFSET(knee), AV_OPT_TYPE_FLOAT, { .dbl = -1 }, -1, 128, FLAGS },
    { "contrast", "midtone separation: S-curve strength about mid-grey (-1: the preset's; 0: off)",
        OFFSET(contrast), AV_OPT_TYPE_FLOAT, { .dbl = -1 }, -1, 0.5, FLAGS },
    { "sattrim", "saturation trim strength for neon-like colours (-1: the preset's; 0: off)",
        OFFSET(sattrim), AV_OPT_TYPE_FLOAT, { .dbl = -1 }, -1, 4, FLAGS },
    { "satknee", "saturation (fraction of the largest) above which the trim acts",
        OFFSET(satknee), AV_OPT_TYPE_FLOAT, { .dbl = 0.6 }, 0.1, 1.0, FLAGS },
    { "grain", "grain standard deviation, 8-bit code values (-1: the preset's; 0: off)",
        OFFSET(grain), AV_OPT_TYPE_FLOAT, { .dbl = -1 }, -1, 16, FLAGS },
    { "grain_size", "grain size at the output, pixels (finer grain does not survive platform encoders)",
        OFFSET(grain_size), AV_OPT_TYPE_FLOAT, { .dbl = 2.5 }, 2.0, 8.0, FLAGS },
    { "grain_chroma", "colour grain, as a fraction of the luma grain",
        OFFSET(grain_chroma), AV_OPT_TYPE_FLOAT, { .dbl = 0 }, 0.0, 1.0, FLAGS },
    { "seed", "grain seed",
        OFFSET(seed), AV_OPT_TYPE_INT64, { .i64 = 0 }, 0, UINT32_MAX, FLAGS },
    { "depth", "output bit depth: 8 (yuv420p) or 10 (yuv420p10)",
        OFFSET(depth), AV_OPT_TYPE_INT, { .i64 = 8 }, 8, 10, FLAGS },
    { "fit_blur", "fit: background blur radius, fraction of the output width",
        OFFSET(fit_blur), AV_OPT_TYPE_FLOAT, { .dbl = 0.08 }, 0.0, 0.25, FLAGS },
    { "fit_dim", "fit: background brightness and saturation factor",
        OFFSET(fit_dim), AV_OPT_TYPE_FLOAT, { .dbl = 0.55 }, 0.0, 1.0, FLAGS },
    { "pad_color", "pad: colour of the bars (lifted by the floor like the picture)",
        OFFSET(pad_rgba), AV_OPT_TYPE_COLOR, { .str = "black" }, .flags = FLAGS },
    { NULL }
};

AVFILTER_DEFINE_CLASS(socialprep);

static const enum AVPixelFormat in_fmts[] = {
    AV_PIX_FMT_YUV420P,   AV_PIX_FMT_YUV422P,   AV_PIX_FMT_YUV444P,
    AV_PIX_FMT_YUVJ420P,  AV_PIX_FMT_YUVJ422P,  AV_PIX_FMT_YUVJ444P,
    AV_PIX_FMT_YUV420P10, AV_PIX_FMT_YUV422P10, AV_PIX_FMT_YUV444P10,
    AV_PIX_FMT_YUV420P12, AV_PIX_FMT_YUV422P12, AV_PIX_FMT_YUV444P12,
    AV_PIX_FMT_YUV420P16, AV_PIX_FMT_YUV422P16, AV_PIX_FMT_YUV444P16,
    AV_PIX_FMT_GRAY8,     AV_PIX_FMT_GRAY10,    AV_PIX_FMT_GRAY12,
    AV_PIX_FMT_GRAY16,
    AV_PIX_FMT_NONE
};

static int query_formats(const AVFilterContext *ctx, AVFilterFormatsConfig **cfg_in,
                         AVFilterFormatsConfig **cfg_out)
{
    const SocialPrepContext *s = ctx->priv;
    static const int in_spaces[]  = { AVCOL_SPC_BT709, AVCOL_SPC_UNSPECIFIED, -1 };
    static const int out_spaces[] = { AVCOL_SPC_BT709, -1 };
    static const int out_ranges[] = { AVCOL_RANGE_MPEG, -1 };
    const enum AVPixelFormat out_fmts[] = {
        s->depth == 10 ? AV_PIX_FMT_YUV420P10 : AV_PIX_FMT_YUV420P, AV_PIX_FMT_NONE
    };
    int ret;

    /* BT.709 or untagged (taken as BT.709) comes in as it is; another
     * matrix is converted by the scaler lavfi inserts, before us. */
    if ((ret = ff_formats_ref(ff_make_format_list((const int *)in_fmts), &cfg_in[0]->formats)) < 0 ||
        (ret = ff_formats_ref(ff_make_format_list(in_spaces), &cfg_in[0]->color_spaces)) < 0 ||
        (ret = ff_formats_ref(ff_all_color_ranges(), &cfg_in[0]->color_ranges)) < 0 ||
        (ret = ff_formats_ref(ff_make_format_list((const int *)out_fmts), &cfg_out[0]->formats)) < 0 ||
        (ret = ff_formats_ref(ff_make_format_list(out_spaces), &cfg_out[0]->color_spaces)) < 0 ||
        (ret = ff_formats_ref(ff_make_format_list(out_ranges), &cfg_out[0]->color_ranges)) < 0)
        return ret;
    return 0;
}

static av_cold int init(AVFilterContext *ctx)
{
    SocialPrepContext *s = ctx->priv;

    for (int i = 0; i < FF_ARRAY_ELEMS(presets); i++)
        if (!av_strcasecmp(s->preset_name, presets[i].name))
            s->preset = &presets[i];
    if (!s->preset) {
        AVBPrint names;
        av_bprint_init(&names, 0, AV_BPRINT_SIZE_AUTOMATIC);
        for (int i = 0; i < FF_ARRAY_ELEMS(presets); i++)
            av_bprintf(&names, "%s%s", i ? ", " : "", presets[i].name);
        av_log(ctx, AV_LOG_ERROR, "Unknown preset '%s' (option 'preset'); the presets are: %s.\n",
               s->preset_name, names.str);
        av_bprint_finalize(&names, NULL);
        return AVERROR(EINVAL);
    }
    if (s->depth != 8 && s->depth != 10) {
        av_log(ctx, AV_LOG_ERROR, "Value %d for parameter 'depth' is not 8 or 10.\n", s->depth);
        return AVERROR(EINVAL);
    }
    if ((s->w > 0 && (s->w & 1)) || (s->h > 0 && (s->h & 1)) || !s->w || !s->h) {
        av_log(ctx, AV_LOG_ERROR, "Output size %dx%d (options 'w', 'h'): 4:2:0 output needs an even "
               "width and height of at least 2 (or -1 for the preset's).\n", s->w, s->h);
        return AVERROR(EINVAL);
    }

    s->p_floor    = s->floor    >= 0 ? s->floor    : s->preset->floor;
    s->p_contrast = s->contrast >= 0 ? s->contrast : s->preset->contrast;
    s->p_sattrim  = s->sattrim  >= 0 ? s->sattrim  : s->preset->sattrim;
    s->p_grain    = s->grain    >= 0 ? s->grain    : s->preset->grain;
    s->p_knee     = s->knee     >= 0 ? s->knee     : 4 * s->p_floor;
    if (s->p_knee < 2 * s->p_floor)
        s->p_knee = 2 * s->p_floor;
    s->lut_range = -1;
    s->prev_target = -1;
    return 0;
}

static void log_encoder(AVFilterContext *ctx)
{
    const SocialPrepContext *s = ctx->priv;
    const Preset *p = s->preset;
    const double fps = av_q2d(s->out_fps);
    const int gop = (int)lrint(2 * fps), kmin = (int)lrint(fps);
    const int64_t mbps = (int64_t)((s->out_w + 15) / 16) * ((s->out_h + 15) / 16) * (int64_t)ceil(fps);
    const char *level = mbps <= 245760 ? "4.1" : mbps <= 522240 ? "4.2" : mbps <= 983040 ? "5.1" : "5.2";
    const int kbps = p->kbps, maxrate = p->kbps * 4 / 3, bufsize = p->kbps * 2;
    const char *tags = "-colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv";

    if (s->depth == 8)
        av_log(ctx, AV_LOG_INFO, "encoder settings for %s: -c:v libx264 -preset slow -profile:v high "
               "-level:v %s -pix_fmt yuv420p -b:v %dk -maxrate %dk -bufsize %dk -g %d -keyint_min %d "
               "-bf 2 %s -movflags +faststart -c:a aac -b:a 256k -ar 48000 -ac 2\n",
               p->platform, level, kbps, maxrate, bufsize, gop, kmin, tags);
    else
        av_log(ctx, AV_LOG_INFO, "encoder settings for %s: -c:v libx265 -preset slow -profile:v main10 "
               "-pix_fmt yuv420p10le -tag:v hvc1 -b:v %dk -maxrate %dk -bufsize %dk "
               "-x265-params keyint=%d:min-keyint=%d %s -movflags +faststart -c:a aac -b:a 256k "
               "-ar 48000 -ac 2\n", p->platform, kbps, maxrate, bufsize, gop, kmin, tags);
    av_log(ctx, AV_LOG_INFO, "%s: %dx%d at %d/%d fps; %s; this uploads above it (%d kb/s) so the "
           "platform's own encode starts from a clean picture.\n", p->platform, s->out_w, s->out_h,
           s->out_fps.num, s->out_fps.den, p->guidance, kbps);
}

/* ------------------------------------------------------------------ curves */

static void build_curves(SocialPrepContext *s, enum AVColorRange range)
{
    const int full = range == AVCOL_RANGE_JPEG;
    const int d = s->in_depth;
    const int black = full ? 0 : 16 << (d - 8);
    const int white = full ? (1 << d) - 1 : 235 << (d - 8);
    const AIPSatTrim trim = { s->satknee, s->p_sattrim };
    double y, cb, cr;

    s->curve.contrast = s->p_contrast;
    s->curve.floor    = s->p_floor / 219.0;
    s->curve.knee     = s->p_knee / 219.0;
    s->luma_shift = aip_tone_luma_lut(s->luma_lut, d, black, white, &s->curve);
    aip_sat_gain_lut(s->sat_lut, full ? 127.5 * 64 : 112 * 64, &trim);

    /* The pad colour in BT.709, through the same curves. */
    {
        const double r = s->pad_rgba[0] / 255.0, g = s->pad_rgba[1] / 255.0, b = s->pad_rgba[2] / 255.0;
        y  = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        cb = (b - y) / 1.8556;
        cr = (r - y) / 1.5748;
        s->pad14[0] = (int16_t)lrint(BLACK14 + aip_tone_eval(&s->curve, y) * (WHITE14 - BLACK14));
        s->pad14[1] = (int16_t)lrint(CHROMA14 + cb * 2 * (112 << 6));
        s->pad14[2] = (int16_t)lrint(CHROMA14 + cr * 2 * (112 << 6));
    }
    s->lut_range = range;
}

/* ------------------------------------------------------------------ rows */

static void fetch_rows(void *opaque, int16_t *const *dst, int row, int x0, int x1)
{
    const Fetch *f = opaque;
    const SocialPrepContext *s = f->s;

    if (f->small) {
        for (int p = 0; p < (f->chroma ? 2 : 1); p++) {
            const int plane = f->chroma ? 1 + p : 0;
            memcpy(dst[p] + x0, s->small[plane] + row * s->small_stride[plane] + x0,
                   (x1 - x0) * sizeof(int16_t));
        }
        return;
    }
    if (!f->chroma) {
        const int bytes = s->in_depth > 8 ? 2 : 1;
        s->tdsp.luma_row(dst[0] + x0, f->in->data[0] + (ptrdiff_t)row * f->in->linesize[0] + x0 * bytes,
                          s->in_depth, s->luma_lut, s->luma_shift, x1 - x0);
    } else if (s->in_gray) {
        for (int x = x0; x < x1; x++)
            dst[0][x] = dst[1][x] = CHROMA14;
    } else {
        const int bytes = s->in_depth > 8 ? 2 : 1;
        s->tdsp.chroma_row(dst[0] + x0, dst[1] + x0,
                           f->in->data[1] + (ptrdiff_t)row * f->in->linesize[1] + x0 * bytes,
                           f->in->data[2] + (ptrdiff_t)row * f->in->linesize[2] + x0 * bytes,
                           s->in_depth, s->sat_lut, x1 - x0);
    }
}

/*
 * Filters mapping an output rectangle of `ow` x `oh` luma samples onto the
 * source rectangle (x, y, w, h) in source luma samples: luma, and the 4:2:0
 * output's chroma (sited left and between rows, as MPEG-2) onto the
 * input's chroma grid (sited alike).
 */
static int map_rect(const SocialPrepContext *s, AIPResampleFilter *fx, AIPResampleFilter *fy,
                    int ow, int oh, double x, double y, double w, double h,
                    int src_w, int src_h, int src_cw, int src_ch, int hsub, int vsub)
{
    const double stx = w / ow, sty = h / oh;
    const double ch = (double)(1 << hsub), cv = (double)(1 << vsub);
    int ret;

    if ((ret = aip_resample_filter_init(&fx[0], ow, x + 0.5 * stx - 0.5, stx, src_w)) < 0 ||
        (ret = aip_resample_filter_init(&fy[0], oh, y + 0.5 * sty - 0.5, sty, src_h)) < 0)
        return ret;
    /* Output chroma sample i sits on output luma x = 2i, row j between
     * luma rows 2j and 2j + 1; input chroma k on luma k * 2^hsub, rows
     * centred on their 2^vsub luma rows. */
    if ((ret = aip_resample_filter_init(&fx[1], ow / 2, (x + 0.5 * stx - 0.5) / ch,
                                        2 * stx / ch, src_cw)) < 0 ||
        (ret = aip_resample_filter_init(&fy[1], oh / 2, (y + sty - 0.5 - (cv - 1) / 2) / cv,
                                        2 * sty / cv, src_ch)) < 0)
        return ret;
    (void)s;
    return 0;
}

typedef struct RenderData {
    const AVFrame *in;
    AVFrame *out;
    int pass;               /* 0: the fit background's small picture, 1: output */
    /* job 0 of the output pass may measure the next input frame's saliency
     * cells meanwhile (analysis_cur, against analysis_prev or nothing) */
    int analyse;
    AIPSaliencyFrame analysis_cur, analysis_prev;
    int analysis_have_prev;
} RenderData;

static int job_setup(SocialPrepContext *s, Job *j, const AVFrame *in, int pass)
{
    int ret;

    for (int c = 0; c < 2; c++) {
        j->fmain[c]  = (Fetch){ .s = s, .in = in, .chroma = c };
        j->fsmall[c] = (Fetch){ .s = s, .in = in, .chroma = c, .small = 1 };
        if (pass == 0) {
            ret = aip_resampler_init(&j->sm[c], &s->rdsp, &s->sx[c], &s->sy[c], 1 + c,
                                     fetch_rows, &j->fmain[c]);
        } else {
            ret = aip_resampler_init(&j->main[c], &s->rdsp, &s->fx[c], &s->fy[c], 1 + c,
                                     fetch_rows, &j->fmain[c]);
            if (ret >= 0 && s->reframe == REFRAME_FIT)
                ret = aip_resampler_init(&j->bg[c], &s->rdsp, &s->bx[c], &s->by[c], 1 + c,
                                         fetch_rows, &j->fsmall[c]);
        }
        if (ret < 0)
            return AVERROR(-ret);
    }
    return 0;
}

/* The fit background at 1/FIT_SMALL: rows of the small picture. */
static int small_slice(AVFilterContext *ctx, void *arg, int jobnr, int nb_jobs)
{
    SocialPrepContext *s = ctx->priv;
    const RenderData *td = arg;
    Job *j = &s->jobs[jobnr];
    const int ch = s->small_h / 2;
    const int cy0 = ch * jobnr / nb_jobs, cy1 = ch * (jobnr + 1) / nb_jobs;
    const int ret = job_setup(s, j, td->in, 0);

    if (ret < 0)
        return ret;
    for (int y = 2 * cy0; y < 2 * cy1; y++) {
        int16_t *dst[1] = { s->small[0] + y * s->small_stride[0] };
        aip_resampler_row(&j->sm[0], dst, y);
    }
    for (int y = cy0; y < cy1; y++) {
        int16_t *dst[2] = { s->small[1] + y * s->small_stride[1], s->small[2] + y * s->small_stride[2] };
        aip_resampler_row(&j->sm[1], dst, y);
    }
    return 0;
}

/* Output row y of a plane kind (0 luma, 1 chroma pair) at the 14-bit scale. */
static void picture_row(SocialPrepContext *s, Job *j, int16_t *const *dst, int c, int y)
{
    const int ow = c ? s->out_w / 2 : s->out_w;
    const int fx = c ? s->fg_x / 2 : s->fg_x, fy = c ? s->fg_y / 2 : s->fg_y;
    const int fw = c ? s->fg_w / 2 : s->fg_w, fh = c ? s->fg_h / 2 : s->fg_h;
    const int np = c ? 2 : 1;

    if (s->reframe == REFRAME_SMART || s->reframe == REFRAME_CENTER) {
        aip_resampler_row(&j->main[c], dst, y);
        return;
    }
    if (y < fy || y >= fy + fh || fw < ow) {
        if (s->reframe == REFRAME_FIT) {
            aip_resampler_row(&j->bg[c], dst, y);
        } else {
            for (int p = 0; p < np; p++)
                for (int x = 0; x < ow; x++)
                    dst[p][x] = s->pad14[c + p];
        }
    }
    if (y >= fy && y < fy + fh) {
        int16_t *seg[2] = { dst[0] + fx, c ? dst[1] + fx : NULL };
        aip_resampler_row(&j->main[c], seg, y - fy);
    }
}

static int render_rows(AVFilterContext *ctx, const RenderData *td, int jobnr, int nb_jobs)
{
    SocialPrepContext *s = ctx->priv;
    AVFrame *out = td->out;
    Job *j = &s->jobs[jobnr];
    const int ch = s->out_h / 2;
    const int cy0 = ch * jobnr / nb_jobs, cy1 = ch * (jobnr + 1) / nb_jobs;
    const int shift = AIP_RESAMPLE_BITS - s->depth, up = s->depth - 8;
    /* Luma from the floor to white; chroma is not clipped to its nominal
     * range (its excursions are legal codes), only to the code range. */
    const int white = 235 << up, cmin = 0, cmax = (1 << s->depth) - 1, lo = s->floor_out[0];
    int16_t *rl = j->rows, *ru = j->rows + j->row_stride, *rv = j->rows + 2 * j->row_stride;
    int16_t *grain = j->grain, *gtmp = j->grain + j->grain_stride;
    const int crop = s->reframe == REFRAME_SMART || s->reframe == REFRAME_CENTER;
    int ret = job_setup(s, j, td->in, 1);

    if (ret < 0)
        return ret;

    for (int y = 2 * cy0; y < 2 * cy1; y++) {
        uint8_t *dst = out->data[0] + (ptrdiff_t)y * out->linesize[0];
        if (crop) {
            /* Vertical pass straight into the frame. */
            const int16_t *taps[AIP_RESAMPLE_MAX_PLANES][AIP_RESAMPLE_MAX_TAPS];
            const AIPResampleFilter *fy = &s->fy[0];
            aip_resampler_rows(&j->main[0], taps, y);
            if (s->depth == 8)
                s->rdsp.vpack8(dst, taps[0], fy->coef + (size_t)y * fy->taps, fy->taps,
                               shift, lo, white, s->out_w);
            else
                s->rdsp.vpack16((uint16_t *)dst, taps[0], fy->coef + (size_t)y * fy->taps, fy->taps,
                                shift, lo, white, s->out_w);
        } else {
            int16_t *rows[1] = { rl };
            picture_row(s, j, rows, 0, y);
            if (s->depth == 8)
                s->rdsp.pack8(dst, rl, shift, lo, white, s->out_w);
            else
                s->rdsp.pack16((uint16_t *)dst, rl, shift, lo, white, s->out_w);
        }
        if (s->grain_on[0]) {
            aip_grain_row(&s->gdsp, &s->field[0], s->offsets[0], s->blocks_w[0], grain, gtmp, y, s->out_w);
            if (s->depth == 8)
                s->gdsp.blend8(dst, dst, grain, &s->gscale[0], dst, 1, lo, white, s->out_w);
            else
                s->gdsp.blend16((uint16_t *)dst, (uint16_t *)dst, grain, &s->gscale[0],
                                (uint16_t *)dst, 1, lo, white, s->out_w);
        }
    }

    for (int y = cy0; y < cy1; y++) {
        int16_t *rows[2] = { ru, rv };
        picture_row(s, j, rows, 1, y);
        for (int p = 1; p <= 2; p++) {
            uint8_t *dst = out->data[p] + (ptrdiff_t)y * out->linesize[p];
            const int16_t *src = rows[p - 1];
            const int cw = s->out_w / 2;
            if (s->depth == 8)
                s->rdsp.pack8(dst, src, shift, cmin, cmax, cw);
            else
                s->rdsp.pack16((uint16_t *)dst, src, shift, cmin, cmax, cw);
            if (s->grain_on[p]) {
                aip_grain_row(&s->gdsp, &s->field[p], s->offsets[p], s->blocks_w[p], grain, gtmp, y, cw);
                if (s->depth == 8)
                    s->gdsp.blend8(dst, dst, grain, &s->gscale[p], dst, 1, cmin, cmax, cw);
                else
                    s->gdsp.blend16((uint16_t *)dst, (uint16_t *)dst, grain, &s->gscale[p],
                                    (uint16_t *)dst, 1, cmin, cmax, cw);
            }
        }
    }
    return 0;
}

static int render_slice(AVFilterContext *ctx, void *arg, int jobnr, int nb_jobs)
{
    SocialPrepContext *s = ctx->priv;
    const RenderData *td = arg;

    if (!td->analyse)
        return render_rows(ctx, td, jobnr, nb_jobs);
    /* Job 0: the next frame's saliency, beside the slices of this one. */
    if (!jobnr) {
        aip_saliency_cells(&s->sal, &td->analysis_cur,
                           td->analysis_have_prev ? &td->analysis_prev : NULL, 0, s->sal.rows);
        return 0;
    }
    return render_rows(ctx, td, jobnr - 1, nb_jobs - 1);
}

/* Blur and dim the small fit background (small, one thread). */
static void finish_small(SocialPrepContext *s)
{
    const int radius = (int)lrint(s->fit_blur * s->out_w / FIT_SMALL);
    const int16_t floor14 = (int16_t)(s->floor_out[1]);
    int16_t *tmp = s->small[0] + s->small_h * s->small_stride[0];

    for (int p = 0; p < 3; p++) {
        const int w = p ? s->small_w / 2 : s->small_w, h = p ? s->small_h / 2 : s->small_h;
        const int r = p ? (radius + 1) / 2 : radius;
        const int zero = p ? CHROMA14 : floor14;
        const int dim = (int)lrint(s->fit_dim * 256);
        aip_box_blur(s->small[p], s->small_stride[p], w, h, r, 3, tmp);
        for (int y = 0; y < h; y++) {
            int16_t *row = s->small[p] + y * s->small_stride[p];
            for (int x = 0; x < w; x++) {
                const int v = row[x] - zero;
                row[x] = (int16_t)(zero + (v * dim + (v < 0 ? -128 : 128)) / 256);
            }
        }
    }
}

static void saliency_frame(const SocialPrepContext *s, const AVFrame *f, AIPSaliencyFrame *sf);

/* The output frame of `in` with the crop at (crop_x, crop_y); with `next`,
 * that input frame's saliency cells are measured meanwhile. */
static int render(AVFilterContext *ctx, const AVFrame *in, AVFrame *out, double crop_x, double crop_y,
                  int64_t n, const AVFrame *next)
{
    SocialPrepContext *s = ctx->priv;
    const int nb_jobs = FFMAX(1, FFMIN(s->nb_jobs_max, JOBS_PER_THREAD * ff_filter_get_nb_threads(ctx)));
    RenderData td = { .in = in, .out = out };
    int ret;

    if (s->reframe == REFRAME_SMART || s->reframe == REFRAME_CENTER) {
        ret = map_rect(s, s->fx, s->fy, s->out_w, s->out_h, crop_x, crop_y, s->crop_w, s->crop_h,
                       s->in_w, s->in_h, s->in_cw, s->in_ch, s->in_hsub, s->in_vsub);
    } else {
        ret = map_rect(s, s->fx, s->fy, s->fg_w, s->fg_h, 0, 0, s->in_w, s->in_h,
                       s->in_w, s->in_h, s->in_cw, s->in_ch, s->in_hsub, s->in_vsub);
    }
    if (ret < 0)
        return AVERROR(-ret);

    if (s->reframe == REFRAME_FIT) {
        td.pass = 0;
        ff_filter_execute(ctx, small_slice, &td, NULL, FFMIN(nb_jobs, s->small_h / 2));
        finish_small(s);
    }

    for (int p = 0; p < 3; p++)
        if (s->grain_on[p])
            aip_grain_offsets(&s->field[p], s->offsets[p], n, s->blocks_w[p], s->blocks_h[p]);

    td.pass = 1;
    if (next) {
        td.analyse = 1;
        saliency_frame(s, next, &td.analysis_cur);
        if ((td.analysis_have_prev = !!s->prev_in))
            saliency_frame(s, s->prev_in, &td.analysis_prev);
    }
    return ff_filter_execute(ctx, render_slice, &td, NULL, nb_jobs + td.analyse);
}

/* ------------------------------------------------------------------ config */

static int cpu_flags(void)
{
    return (av_get_cpu_flags() & AV_CPU_FLAG_AVX2) ? AIP_CPU_AVX2 : 0;
}

static void free_jobs(SocialPrepContext *s)
{
    if (!s->jobs)
        return;
    for (int i = 0; i < s->nb_jobs_max; i++) {
        Job *j = &s->jobs[i];
        for (int c = 0; c < 2; c++) {
            aip_resampler_uninit(&j->main[c]);
            aip_resampler_uninit(&j->bg[c]);
            aip_resampler_uninit(&j->sm[c]);
        }
        av_freep(&j->rows);
        av_freep(&j->grain);
    }
    av_freep(&s->jobs);
}

static int config_input(AVFilterLink *inlink)
{
    AVFilterContext *ctx = inlink->dst;
    SocialPrepContext *s = ctx->priv;
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(inlink->format);

    s->in_w = inlink->w;
    s->in_h = inlink->h;
    s->in_depth = desc->comp[0].depth;
    s->in_gray = desc->nb_components == 1;
    s->in_hsub = s->in_gray ? 1 : desc->log2_chroma_w;
    s->in_vsub = s->in_gray ? 1 : desc->log2_chroma_h;
    s->in_cw = AV_CEIL_RSHIFT(s->in_w, s->in_hsub);
    s->in_ch = AV_CEIL_RSHIFT(s->in_h, s->in_vsub);
    s->sar = inlink->sample_aspect_ratio.num > 0 && inlink->sample_aspect_ratio.den > 0
           ? av_q2d(inlink->sample_aspect_ratio) : 1.0;
    s->in_tb = inlink->time_base;
    if (s->in_w < 16 || s->in_h < 16) {
        av_log(ctx, AV_LOG_ERROR, "Input %dx%d is too small (at least 16x16).\n", s->in_w, s->in_h);
        return AVERROR(EINVAL);
    }
    return 0;
}

static int config_output(AVFilterLink *outlink)
{
    AVFilterContext *ctx = outlink->src;
    SocialPrepContext *s = ctx->priv;
    AVFilterLink *inlink = ctx->inputs[0];
    const FilterLink *il = ff_filter_link(inlink);
    FilterLink *ol = ff_filter_link(outlink);
    const Preset *p = s->preset;
    double in_aspect, out_aspect;
    int ret;

    /* Size and rate: option, else preset, else (custom) the input's. */
    s->out_w = s->w > 0 ? s->w : p->w ? p->w : s->in_w & ~1;
    s->out_h = s->h > 0 ? s->h : p->h ? p->h : s->in_h & ~1;
    if (s->fps.num > 0 && s->fps.den > 0)
        s->out_fps = s->fps;
    else if (p->fps)
        s->out_fps = (AVRational){ p->fps, 1 };
    else if (il->frame_rate.num > 0 && il->frame_rate.den > 0)
        s->out_fps = il->frame_rate;
    else {
        av_log(ctx, AV_LOG_ERROR, "The input has no constant frame rate to keep: set 'fps'.\n");
        return AVERROR(EINVAL);
    }
    av_reduce(&s->out_fps.num, &s->out_fps.den, s->out_fps.num, s->out_fps.den, INT_MAX);
    s->nominal = il->frame_rate.num > 0 && il->frame_rate.den > 0 ? av_q2d(av_inv_q(il->frame_rate)) : 0;

    /* Geometry, in display terms (the input's pixel aspect applied). */
    in_aspect  = s->in_w * s->sar / s->in_h;
    out_aspect = (double)s->out_w / s->out_h;
    if (fabs(in_aspect - out_aspect) < 1e-6 * out_aspect) {
        s->axis = -1;
        s->crop_w = s->in_w;
        s->crop_h = s->in_h;
    } else if (in_aspect > out_aspect) {
        s->axis = 0;
        s->crop_h = s->in_h;
        s->crop_w = s->in_h * out_aspect / s->sar;
    } else {
        s->axis = 1;
        s->crop_w = s->in_w;
        s->crop_h = s->in_w * s->sar / out_aspect;
    }
    if (in_aspect > out_aspect) {
        s->fg_w = s->out_w;
        s->fg_h = FFMIN(s->out_h, 2 * (int)lrint(s->out_w / in_aspect / 2));
    } else {
        s->fg_h = s->out_h;
        s->fg_w = FFMIN(s->out_w, 2 * (int)lrint(s->out_h * in_aspect / 2));
    }
    s->fg_w = FFMAX(2, s->fg_w);
    s->fg_h = FFMAX(2, s->fg_h);
    s->fg_x = (s->out_w - s->fg_w) / 4 * 2;
    s->fg_y = (s->out_h - s->fg_h) / 4 * 2;

    {
        const double step_crop = FFMAX(s->crop_w / s->out_w, s->crop_h / s->out_h);
        const double step_fit  = FFMAX((double)s->in_w / s->fg_w, (double)s->in_h / s->fg_h);
        const double step = s->reframe == REFRAME_FIT || s->reframe == REFRAME_PAD ? step_fit : step_crop;
        if (2 * step > AIP_RESAMPLE_MAX_STEP) {
            av_log(ctx, AV_LOG_ERROR, "Shrinking %dx%d to %dx%d is more than %gx: scale the input "
                   "down first.\n", s->in_w, s->in_h, s->out_w, s->out_h, AIP_RESAMPLE_MAX_STEP / 2);
            return AVERROR(EINVAL);
        }
    }

    aip_resample_dsp_init(&s->rdsp, cpu_flags());
    aip_tone_dsp_init(&s->tdsp, cpu_flags());
    aip_grain_dsp_init(&s->gdsp, cpu_flags());

    /* The floor at the output depth (no sample below it) and at 14 bits. */
    s->floor_out[0] = (int)ceil((16 + s->p_floor) * (1 << (s->depth - 8)) - 1e-9);
    s->floor_out[1] = (int)lrint(BLACK14 + s->p_floor / 219.0 * (WHITE14 - BLACK14));

    /* Grain: aigrain's kernel, sized in output pixels. */
    for (int i = 0; i < 3; i++)
        aip_grain_plane_uninit(&s->field[i]);
    {
        const int up = s->depth - 8;
        const AIPGrainCurve luma_curve = { 0.8, 1.0, 0.5 }, flat = { 1, 1, 1 };
        const double gain = s->p_grain * (1 << up) / AIP_GRAIN_UNIT;
        for (int i = 0; i < 3; i++) {
            const int pw = i ? s->out_w / 2 : s->out_w, ph = i ? s->out_h / 2 : s->out_h;
            const double size = i ? s->grain_size / 2 : s->grain_size;
            const double g = i ? gain * s->grain_chroma : gain;
            s->grain_on[i] = g > 0;
            if ((ret = aip_grain_plane_init(&s->field[i], s->seed, i, size, size)) < 0)
                return AVERROR(-ret);
            aip_grain_scaling_init(&s->gscale[i], s->depth, 16 << up, 235 << up, AIP_GRAIN_SHAPE_ADD,
                                   i ? &flat : &luma_curve, g);
            s->blocks_w[i] = AIP_GRAIN_BLOCKS(pw);
            s->blocks_h[i] = AIP_GRAIN_BLOCKS(ph);
            av_freep(&s->offsets[i]);
            s->offsets[i] = av_malloc_array((size_t)s->blocks_w[i] * s->blocks_h[i], sizeof(**s->offsets));
            if (!s->offsets[i])
                return AVERROR(ENOMEM);
        }
    }

    /* Fit background at 1/FIT_SMALL, made from the centre crop. */
    for (int i = 0; i < 3; i++)
        av_freep(&s->small[i]);
    if (s->reframe == REFRAME_FIT) {
        s->small_w = FFMAX(4, (s->out_w / FIT_SMALL + 1) & ~1);
        s->small_h = FFMAX(4, (s->out_h / FIT_SMALL + 1) & ~1);
        for (int i = 0; i < 3; i++) {
            const int w = i ? s->small_w / 2 : s->small_w, h = i ? s->small_h / 2 : s->small_h;
            s->small_stride[i] = FFALIGN(w + 32, 16);
            /* plane 0 has room for the blur's line after it */
            s->small[i] = av_calloc((size_t)(h + (i ? 0 : 1)) * s->small_stride[i] +
                                    (i ? 0 : FFMAX(s->small_w, s->small_h) + 32), sizeof(int16_t));
            if (!s->small[i])
                return AVERROR(ENOMEM);
        }
        if ((ret = map_rect(s, s->sx, s->sy, s->small_w, s->small_h,
                            (s->in_w - s->crop_w) / 2, (s->in_h - s->crop_h) / 2, s->crop_w, s->crop_h,
                            s->in_w, s->in_h, s->in_cw, s->in_ch, s->in_hsub, s->in_vsub)) < 0 ||
            (ret = map_rect(s, s->bx, s->by, s->out_w, s->out_h, 0, 0, s->small_w, s->small_h,
                            s->small_w, s->small_h, s->small_w / 2, s->small_h / 2, 1, 1)) < 0) {
            if (ret == -EINVAL)
                av_log(ctx, AV_LOG_ERROR, "The input is too large for reframe=fit's background: "
                       "scale it down first.\n");
            return AVERROR(-ret);
        }
    }

    /* Jobs: one per thread, each with its rings and rows. */
    free_jobs(s);
    s->nb_jobs_max = FFMAX(1, FFMIN(s->out_h / 32, JOBS_PER_THREAD * ff_filter_get_nb_threads(ctx)));
    s->jobs = av_calloc(s->nb_jobs_max, sizeof(*s->jobs));
    if (!s->jobs)
        return AVERROR(ENOMEM);
    for (int i = 0; i < s->nb_jobs_max; i++) {
        Job *j = &s->jobs[i];
        j->row_stride = FFALIGN(s->out_w + 64, 32);
        j->rows = av_calloc(3 * j->row_stride, sizeof(*j->rows));
        j->grain_stride = FFALIGN(s->out_w + AIP_GRAIN_BLOCK + AIP_GRAIN_MAX_OVERLAP, 32);
        j->grain = av_calloc(2 * j->grain_stride, sizeof(*j->grain));
        if (!j->rows || !j->grain)
            return AVERROR(ENOMEM);
    }

    /* Smart reframing: analysis and camera. */
    aip_saliency_uninit(&s->sal);
    s->sal_ready = 0;
    if (s->reframe == REFRAME_SMART && s->axis >= 0) {
        const double win = s->axis ? s->crop_h : s->crop_w;
        const double len = s->axis ? s->in_h : s->in_w;
        const double fps = av_q2d(s->out_fps);
        const double speed = s->maxpan * win / fps;
        const AIPCamPathParams cp = {
            .win = win, .len = len, .deadzone = s->deadzone * win,
            .max_speed = speed, .max_accel = speed / FFMAX(1.0, 0.5 * fps),
        };
        if ((ret = aip_saliency_init(&s->sal, s->in_w, s->in_h, cpu_flags())) < 0)
            return AVERROR(-ret);
        s->sal_ready = 1;
        aip_campath_init(&s->cam, &cp);
        av_log(ctx, AV_LOG_VERBOSE, "smart crop %.1fx%.1f along %s; pan at most %.3f px/frame, "
               "acceleration %.3f px/frame^2\n", s->crop_w, s->crop_h, s->axis ? "y" : "x",
               cp.max_speed, cp.max_accel);
    } else if (s->reframe == REFRAME_SMART) {
        av_log(ctx, AV_LOG_VERBOSE, "input already has the output's aspect: no reframing\n");
    }

    av_freep(&s->q);
    av_freep(&s->la_targets);
    av_freep(&s->la_weights);
    /* Only the smart camera looks ahead; the other modes emit at once. */
    s->la = s->sal_ready ? s->lookahead : 0;
    s->q_cap = s->la + 1;
    s->q = av_calloc(s->q_cap, sizeof(*s->q));
    s->la_targets = av_calloc(s->q_cap, sizeof(*s->la_targets));
    s->la_weights = av_calloc(s->q_cap, sizeof(*s->la_weights));
    if (!s->q || !s->la_targets || !s->la_weights)
        return AVERROR(ENOMEM);

    outlink->w = s->out_w;
    outlink->h = s->out_h;
    outlink->sample_aspect_ratio = (AVRational){ 1, 1 };
    outlink->time_base = av_inv_q(s->out_fps);
    ol->frame_rate = s->out_fps;

    log_encoder(ctx);
    av_log(ctx, AV_LOG_VERBOSE, "%dx%d -> %dx%d, reframe %d, floor %.2f knee %.2f contrast %.3f "
           "sattrim %.2f grain %.2f size %.2f\n", s->in_w, s->in_h, s->out_w, s->out_h, s->reframe,
           s->p_floor, s->p_knee, s->p_contrast, s->p_sattrim, s->p_grain, s->grain_size);
    return 0;
}

/* ------------------------------------------------------------------ analysis */

static void saliency_frame(const SocialPrepContext *s, const AVFrame *f, AIPSaliencyFrame *sf)
{
    for (int p = 0; p < 3; p++) {
        sf->data[p] = f->data[p];
        sf->linesize[p] = f->linesize[p];
    }
    sf->depth = s->in_depth;
    sf->hsub = s->in_hsub;
    sf->vsub = s->in_vsub;
    sf->full_range = f->color_range == AVCOL_RANGE_JPEG;
    sf->gray = s->in_gray;
}

/* What the frame's saliency cells (measured already) say: scene change,
 * map, target. Frames pass here once each, in order. */
static void analyse_finish(AVFilterContext *ctx, InFrame *in)
{
    SocialPrepContext *s = ctx->priv;
    const double win = s->axis ? s->crop_h : s->crop_w;
    const double len = s->axis ? s->in_h : s->in_w;
    const AIPSaliencyWeights w = { s->wmotion, s->wcontrast, s->wskin, s->wface };
    AIPSaliencyTarget t;
    int cut;

    in->change = aip_saliency_change(&s->sal);
    cut = !s->prev_in || (s->scenecut > 0 && in->change >= s->scenecut);
    s->nb_cuts += cut && s->prev_in;
    /* a cut on a dropped frame before this one is kept */
    in->cut |= cut;
    aip_saliency_map(&s->sal, &w, cut);
    aip_saliency_window(&s->sal, s->axis, win, s->prev_target >= 0 && !cut ? s->prev_target : len / 2,
                        0.05, &t);
    in->target = t.centre;
    in->confidence = t.confidence;
    in->analysed = 1;
    s->prev_target = t.centre;
    av_frame_free(&s->prev_in);
    s->prev_in = av_frame_clone(in->frame);
}

/* The whole analysis of one frame here (when it could not be overlapped
 * with rendering). */
static void analyse(AVFilterContext *ctx, InFrame *in)
{
    SocialPrepContext *s = ctx->priv;
    AIPSaliencyFrame cur, prev;

    saliency_frame(s, in->frame, &cur);
    if (s->prev_in)
        saliency_frame(s, s->prev_in, &prev);
    aip_saliency_cells(&s->sal, &cur, s->prev_in ? &prev : NULL, 0, s->sal.rows);
    analyse_finish(ctx, in);
}

/* ------------------------------------------------------------------ timing */

static int take_input(AVFilterContext *ctx, AVFrame *frame)
{
    SocialPrepContext *s = ctx->priv;
    AVFilterLink *outlink = ctx->outputs[0];
    InFrame *in = s->cur.frame ? &s->next : &s->cur;
    int64_t pts = frame->pts;

    if (frame->color_trc == AVCOL_TRC_SMPTE2084 || frame->color_trc == AVCOL_TRC_ARIB_STD_B67) {
        av_log(ctx, AV_LOG_ERROR, "HDR input (%s): tone-map it to SDR BT.709 first (rec709norm, "
               "or zscale + tonemap).\n", av_color_transfer_name(frame->color_trc));
        av_frame_free(&frame);
        return AVERROR(EINVAL);
    }
    if (!s->warned_primaries && frame->color_primaries != AVCOL_PRI_UNSPECIFIED &&
        frame->color_primaries != AVCOL_PRI_BT709) {
        av_log(ctx, AV_LOG_WARNING, "Input primaries are %s: colours are not converted, the output "
               "is tagged BT.709. Convert first (rec709norm, colorspace or zscale) to keep them.\n",
               av_color_primaries_name(frame->color_primaries));
        s->warned_primaries = 1;
    }

    if (pts == AV_NOPTS_VALUE) {
        if (!s->warned_pts)
            av_log(ctx, AV_LOG_WARNING, "Input frames without timestamps: timed by the nominal rate.\n");
        s->warned_pts = 1;
        pts = s->nb_in ? s->last_pts + FFMAX(1, av_rescale_q(1, av_inv_q(s->out_fps), s->in_tb)) : 0;
    }
    memset(in, 0, sizeof(*in));
    in->frame = frame;
    in->time = pts * av_q2d(s->in_tb);
    in->r = av_rescale_q_rnd(pts, s->in_tb, outlink->time_base, AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX);
    in->interval = s->nb_in ? (pts - s->last_pts) * av_q2d(s->in_tb) : -1;
    if (s->nb_in) {
        const double nominal = s->nominal > 0 ? s->nominal : s->nb_in == 1 ? in->interval : s->nominal;
        if (s->nb_in == 1 && s->nominal <= 0 && in->interval > 0)
            s->nominal = in->interval;
        in->irregular = in->interval <= 0 || (nominal > 0 && fabs(in->interval - nominal) > 0.1 * nominal);
        s->nb_irregular += in->irregular;
        s->min_interval = s->nb_in == 1 ? in->interval : FFMIN(s->min_interval, in->interval);
        s->max_interval = s->nb_in == 1 ? in->interval : FFMAX(s->max_interval, in->interval);
    }
    s->last_pts = pts;
    s->nb_in++;

    /* Smart reframing analyses the frame later: alongside the rendering of
     * an earlier one when it can, else before its first output. */
    if (!s->sal_ready) {
        in->target = s->axis == 1 ? s->in_h / 2.0 : s->in_w / 2.0;
        in->cut = s->nb_in == 1;
        in->analysed = 1;
    }

    if (!s->started) {
        s->started = 1;
        s->next_n = in->r;
    }
    return 0;
}

/* Queue output frames from the current input frame while its time lasts. */
static int fill_queue(AVFilterContext *ctx)
{
    SocialPrepContext *s = ctx->priv;

    while (s->cur.frame) {
        const int have_end = s->next.frame || s->eof;
        const int64_t end = s->next.frame ? s->next.r : s->eof_n;

        if (!have_end)
            return 0;
        if (s->next_n < end) {
            Slot *sl;
            if (s->q_len >= s->q_cap)
                return 0;
            /* Its analysis is needed now (when it could not run beside the
             * rendering of an earlier frame). */
            if (!s->cur.analysed)
                analyse(ctx, &s->cur);
            sl = &s->q[(s->q_head + s->q_len) % s->q_cap];
            sl->frame = av_frame_clone(s->cur.frame);
            if (!sl->frame)
                return AVERROR(ENOMEM);
            sl->n = s->next_n++;
            sl->target = s->cur.target;
            sl->confidence = s->cur.confidence;
            sl->change = s->cur.change;
            sl->cut = s->cur.cut && !s->cur.shown;
            sl->dup = s->cur.shown;
            sl->dropped = s->cur.shown ? 0 : s->drops_pending;
            sl->src_time = s->cur.time;
            sl->src_interval = s->cur.interval;
            sl->irregular = s->cur.irregular;
            if (!s->cur.shown)
                s->drops_pending = 0;
            s->nb_dup += s->cur.shown > 0;
            s->cur.shown++;
            s->q_len++;
            continue;
        }
        /* Its time is over. A frame never shown is dropped; a scene cut on
         * it passes to the next frame. Analysed or not, it must be, in
         * order: motion and the background are measured frame to frame. */
        if (!s->cur.analysed)
            analyse(ctx, &s->cur);
        if (!s->cur.shown) {
            s->drops_pending++;
            s->nb_drop++;
            if (s->cur.cut && s->next.frame)
                s->next.cut = 1;
        }
        av_frame_free(&s->cur.frame);
        s->cur = s->next;
        memset(&s->next, 0, sizeof(s->next));
    }
    return 0;
}

static void set_meta(AVFrame *f, const char *key, const char *fmt, double v)
{
    char name[64], value[64];
    snprintf(name, sizeof(name), "lavfi.socialprep.%s", key);
    snprintf(value, sizeof(value), fmt, v);
    av_dict_set(&f->metadata, name, value, 0);
}

static int emit(AVFilterContext *ctx)
{
    SocialPrepContext *s = ctx->priv;
    AVFilterLink *outlink = ctx->outputs[0];
    Slot *sl = &s->q[s->q_head];
    AVFrame *in = sl->frame, *out;
    double pos, crop_x = (s->in_w - s->crop_w) / 2, crop_y = (s->in_h - s->crop_h) / 2;
    const double centre = s->axis == 1 ? s->in_h / 2.0 : s->in_w / 2.0;
    double pan = 0;
    int ret;

    if (s->sal_ready) {
        int n = 0;
        for (int j = 0; j < s->q_len; j++) {
            const Slot *o = &s->q[(s->q_head + j) % s->q_cap];
            if (j > 0 && o->cut)
                break;
            s->la_targets[n] = o->target;
            s->la_weights[n] = o->confidence;
            n++;
        }
        pos = aip_campath_step(&s->cam, s->la_targets, s->la_weights, n, sl->cut);
        pan = sl->cut ? 0 : pos - s->last_pos;
        s->last_pos = pos;
        if (s->axis == 0)
            crop_x = pos - s->crop_w / 2;
        else
            crop_y = pos - s->crop_h / 2;
    } else {
        pos = centre;
    }

    if (s->lut_range != in->color_range)
        build_curves(s, in->color_range);

    out = ff_get_video_buffer(outlink, s->out_w, s->out_h);
    if (!out)
        return AVERROR(ENOMEM);
    if ((ret = av_frame_copy_props(out, in)) < 0) {
        av_frame_free(&out);
        return ret;
    }
    {
        /* The first input frame not analysed yet has its cells measured
         * while this one renders (frames are analysed in order). */
        InFrame *pending = !s->sal_ready ? NULL
                         : s->cur.frame && !s->cur.analysed ? &s->cur
                         : s->cur.frame && s->next.frame && !s->next.analysed ? &s->next : NULL;
        ret = render(ctx, in, out, crop_x, crop_y, sl->n, pending ? pending->frame : NULL);
        if (ret < 0) {
            av_frame_free(&out);
            return ret;
        }
        if (pending) {
            analyse_finish(ctx, pending);
            s->nb_overlapped++;
        }
    }

    out->pts = sl->n;
    out->duration = 1;
    out->sample_aspect_ratio = (AVRational){ 1, 1 };
    out->color_primaries = AVCOL_PRI_BT709;
    out->color_trc = AVCOL_TRC_BT709;
    out->colorspace = AVCOL_SPC_BT709;
    out->color_range = AVCOL_RANGE_MPEG;
    out->chroma_location = AVCHROMA_LOC_LEFT;
    av_frame_remove_side_data(out, AV_FRAME_DATA_MASTERING_DISPLAY_METADATA);
    av_frame_remove_side_data(out, AV_FRAME_DATA_CONTENT_LIGHT_LEVEL);

    if (s->reframe == REFRAME_FIT || s->reframe == REFRAME_PAD) {
        set_meta(out, "crop_x", "%.2f", 0);
        set_meta(out, "crop_y", "%.2f", 0);
        set_meta(out, "crop_w", "%.2f", s->in_w);
        set_meta(out, "crop_h", "%.2f", s->in_h);
    } else {
        set_meta(out, "crop_x", "%.2f", crop_x);
        set_meta(out, "crop_y", "%.2f", crop_y);
        set_meta(out, "crop_w", "%.2f", s->crop_w);
        set_meta(out, "crop_h", "%.2f", s->crop_h);
    }
    if (s->sal_ready) {
        set_meta(out, "target", "%.1f", sl->target);
        set_meta(out, "confidence", "%.3f", sl->confidence);
        set_meta(out, "pan", "%.3f", pan);
        set_meta(out, "scene_change", "%.2f", sl->change);
    }
    set_meta(out, "scene_cut", "%.0f", sl->cut);
    set_meta(out, "src_pts_time", "%.6f", sl->src_time);
    set_meta(out, "src_interval", "%.6f", sl->src_interval);
    set_meta(out, "irregular", "%.0f", sl->irregular);
    set_meta(out, "dup", "%.0f", sl->dup);
    set_meta(out, "dropped", "%.0f", (double)sl->dropped);

    av_frame_free(&sl->frame);
    s->q_head = (s->q_head + 1) % s->q_cap;
    s->q_len--;
    s->nb_out++;
    return ff_filter_frame(outlink, out);
}

static int activate(AVFilterContext *ctx)
{
    SocialPrepContext *s = ctx->priv;
    AVFilterLink *inlink = ctx->inputs[0];
    AVFilterLink *outlink = ctx->outputs[0];
    AVFrame *frame;
    int64_t pts;
    int ret, status;

    FF_FILTER_FORWARD_STATUS_BACK(outlink, inlink);

    if ((ret = fill_queue(ctx)) < 0)
        return ret;

    /* An output frame once the lookahead is full, or while draining. */
    if (s->q_len > s->la || (s->eof && !s->cur.frame && s->q_len)) {
        /* Take in the next frame first if it is there, so that its analysis
         * runs beside this rendering. */
        if (s->sal_ready && !s->eof && !s->next.frame && s->cur.frame) {
            ret = ff_inlink_consume_frame(inlink, &frame);
            if (ret < 0)
                return ret;
            if (ret > 0 && (ret = take_input(ctx, frame)) < 0)
                return ret;
        }
        ret = emit(ctx);
        if (ret >= 0)
            ff_filter_set_ready(ctx, 100);
        return ret;
    }
    if (s->eof) {
        if (!s->cur.frame && !s->q_len) {
            ff_outlink_set_status(outlink, AVERROR_EOF, s->next_n);
            return 0;
        }
        ff_filter_set_ready(ctx, 100);
        return 0;
    }

    if (!s->next.frame) {
        ret = ff_inlink_consume_frame(inlink, &frame);
        if (ret < 0)
            return ret;
        if (ret > 0) {
            if ((ret = take_input(ctx, frame)) < 0)
                return ret;
            ff_filter_set_ready(ctx, 100);
            return 0;
        }
        if (ff_inlink_acknowledge_status(inlink, &status, &pts)) {
            s->eof = 1;
            if (pts == AV_NOPTS_VALUE || !s->started)
                s->eof_n = s->next_n + (s->cur.frame && !s->cur.shown);
            else
                s->eof_n = av_rescale_q_rnd(pts, inlink->time_base, outlink->time_base,
                                            AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX);
            /* A last frame that would not be shown at all still is, once. */
            if (s->cur.frame && !s->cur.shown && s->eof_n <= s->next_n)
                s->eof_n = s->next_n + 1;
            ff_filter_set_ready(ctx, 100);
            return 0;
        }
        FF_FILTER_FORWARD_WANTED(outlink, inlink);
    }
    return FFERROR_NOT_READY;
}

static av_cold void uninit(AVFilterContext *ctx)
{
    SocialPrepContext *s = ctx->priv;

    if (s->nb_in)
        av_log(ctx, AV_LOG_VERBOSE, "input %"PRId64" frames (%"PRId64" irregular intervals, "
               "%.2f..%.2f ms), output %"PRId64" frames at %d/%d fps: %"PRId64" repeated, "
               "%"PRId64" dropped; %"PRId64" scene cuts; %"PRId64" frames analysed while "
               "another rendered\n", s->nb_in, s->nb_irregular,
               s->min_interval * 1000, s->max_interval * 1000, s->nb_out, s->out_fps.num,
               s->out_fps.den, s->nb_dup, s->nb_drop, s->nb_cuts, s->nb_overlapped);

    av_frame_free(&s->cur.frame);
    av_frame_free(&s->next.frame);
    av_frame_free(&s->prev_in);
    if (s->q)
        for (int i = 0; i < s->q_len; i++)
            av_frame_free(&s->q[(s->q_head + i) % s->q_cap].frame);
    av_freep(&s->q);
    av_freep(&s->la_targets);
    av_freep(&s->la_weights);
    free_jobs(s);
    for (int c = 0; c < 2; c++) {
        aip_resample_filter_uninit(&s->fx[c]);
        aip_resample_filter_uninit(&s->fy[c]);
        aip_resample_filter_uninit(&s->bx[c]);
        aip_resample_filter_uninit(&s->by[c]);
        aip_resample_filter_uninit(&s->sx[c]);
        aip_resample_filter_uninit(&s->sy[c]);
    }
    for (int i = 0; i < 3; i++) {
        aip_grain_plane_uninit(&s->field[i]);
        av_freep(&s->offsets[i]);
        av_freep(&s->small[i]);
    }
    aip_saliency_uninit(&s->sal);
}

static const AVFilterPad socialprep_inputs[] = {
    {
        .name         = "default",
        .type         = AVMEDIA_TYPE_VIDEO,
        .config_props = config_input,
    },
};

static const AVFilterPad socialprep_outputs[] = {
    {
        .name         = "default",
        .type         = AVMEDIA_TYPE_VIDEO,
        .config_props = config_output,
    },
};

const AIPOST_FILTER ff_vf_socialprep = {
    AIPOST_PUBLIC(name)        = "socialprep",
    AIPOST_PUBLIC(description) = NULL_IF_CONFIG_SMALL("Prepare clips for TikTok / Reels / Shorts: reframe (smart crop, fit, centre, pad), constant frame rate, black floor, midtone contrast, saturation trim, grain; BT.709 yuv420p."),
    AIPOST_PUBLIC(priv_class)  = &socialprep_class,
    AIPOST_PUBLIC(flags)       = AVFILTER_FLAG_SLICE_THREADS,
    .priv_size       = sizeof(SocialPrepContext),
    .init            = init,
    .uninit          = uninit,
    .activate        = activate,
    FILTER_INPUTS(socialprep_inputs),
    FILTER_OUTPUTS(socialprep_outputs),
    FILTER_QUERY_FUNC2(query_formats),
};
