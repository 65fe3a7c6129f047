/*
 * duckfloor: duck a music bed under dialogue without exposing the
 * dialogue's noise floor.
 *
 * Generated and cloned voices carry hiss and artefacts that the music masks;
 * duck the music too far, or bring it back too late, and the floor shows.
 * So the duck is as deep as `depth` (deeper, to `maxdepth`, where the bed
 * would crowd quiet speech: `sbr`) but never so deep that the bed falls less
 * than `margin` dB above the dialogue stem's noise floor, which is tracked
 * continuously in the pauses. A speech detector on the dialogue (speech-band
 * evidence with hold, not a peak follower) decides when; `lookahead` has the
 * duck in place before the first syllable. The output keeps the music's
 * timeline sample for sample (the look-ahead is internal: the dialogue is
 * read ahead, the music is not shifted).
 *
 * The kernels are in aipost/duck.c; this file buffers, schedules and
 * reports.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <float.h>

#include "libavutil/audio_fifo.h"
#include "libavutil/avassert.h"
#include "libavutil/channel_layout.h"
#include "libavutil/internal.h"
#include "libavutil/mathematics.h"
#include "libavutil/mem.h"
#include "libavutil/opt.h"

#include "aipost_compat.h"
#include "audio.h"
#include "avfilter.h"
#include "filters.h"
#include "formats.h"

#include "aipost/duck.h"

enum OutputMode { OUTPUT_MUSIC, OUTPUT_MIX, NB_OUTPUT };

/* Longest output frame; inputs' frames are usually far shorter. */
#define MAX_OUT_SAMPLES 8192
/* Below this gain (dB) the music counts as ducked in the summary. */
#define DUCKED_DB (-0.5)

/* An analysed block waiting for the music to reach it. */
typedef struct PendingDecision {
    int64_t effect;             /* music sample from which it applies */
    AIPDuckDecision dec;
} PendingDecision;

typedef struct DuckFloorContext {
    const AVClass *class;

    /* options */
    double depth, maxdepth, margin, sbr;
    double attack, release, hold, lookahead;
    double threshold, band_ratio, floor_window;
    int output;

    int rate, nb_music, nb_dialogue, block, lookahead_samples;
    AIPDuckAnalyser an;
    AIPDuckRamp ramp;
    AIPDuckDecision applied;    /* the decision the ramp now follows */

    AVAudioFifo *music_fifo;    /* music from music_pos on */
    AVAudioFifo *dialogue_fifo; /* dialogue from the next block to analyse */
    AVAudioFifo *mix_fifo;      /* dialogue from music_pos on (output=mix) */
    float **music_block, **dialogue_block;  /* one zero-padded block each */
    float *gain;                /* per-sample gains of an output frame */
    float mix_matrix[AIP_DUCK_MAX_CHANNELS][2];

    PendingDecision *pending;
    int nb_pending_max, pending_head, nb_pending;

    int64_t music_pos;          /* next music sample to output */
    int64_t next_block;         /* next dialogue block to analyse */
    int64_t music_in, dialogue_in;   /* samples received */
    int music_eof, dialogue_eof;
    int64_t first_pts;          /* of the first input frame, in 1/rate */
    int have_pts;

    /* summary */
    float summary_gain;
    double summary_db;
    int64_t ducked_samples, total_samples;
    double ducked_db_sum;
    double floor_sum, floor_min, floor_max;
    int64_t floor_counted, speech_blocks;
} DuckFloorContext;

#define OFFSET(x) offsetof(DuckFloorContext, x)
#define FLAGS  (AV_OPT_FLAG_FILTERING_PARAM | AV_OPT_FLAG_AUDIO_PARAM)
#define RFLAGS (FLAGS | AV_OPT_FLAG_RUNTIME_PARAM)

static const AVOption duckfloor_options[] = {
    { "depth",        "duck under speech (dB)",
        OFFSET(depth),        AV_OPT_TYPE_DOUBLE, { .dbl = 12 },   0, 60, RFLAGS },
    { "maxdepth",     "deepest duck, reached only to keep sbr (dB, >= depth)",
        OFFSET(maxdepth),     AV_OPT_TYPE_DOUBLE, { .dbl = 24 },   0, 60, RFLAGS },
    { "margin",       "the bed stays at least this far above the dialogue's noise floor (dB)",
        OFFSET(margin),       AV_OPT_TYPE_DOUBLE, { .dbl = 6 },    0, 40, RFLAGS },
    { "sbr",          "speech-to-bed ratio to keep where maxdepth allows (dB, short-term loudness)",
        OFFSET(sbr),          AV_OPT_TYPE_DOUBLE, { .dbl = 8 },    0, 40, RFLAGS },
    { "attack",       "time a duck takes to reach its depth (ms)",
        OFFSET(attack),       AV_OPT_TYPE_DOUBLE, { .dbl = 40 },   1, 1000, FLAGS },
    { "release",      "time the music takes to come back to unity (ms)",
        OFFSET(release),      AV_OPT_TYPE_DOUBLE, { .dbl = 500 },  10, 5000, FLAGS },
    { "hold",         "keep the duck through pauses shorter than this (ms)",
        OFFSET(hold),         AV_OPT_TYPE_DOUBLE, { .dbl = 300 },  0, 5000, FLAGS },
    { "lookahead",    "read the dialogue this far ahead, so the duck is in place at the first syllable (ms)",
        OFFSET(lookahead),    AV_OPT_TYPE_DOUBLE, { .dbl = 60 },   0, 500, FLAGS },
    { "threshold",    "speech band above its own floor to count as speech (dB)",
        OFFSET(threshold),    AV_OPT_TYPE_DOUBLE, { .dbl = 10 },   3, 40, RFLAGS },
    { "band_ratio",   "share of the dialogue's power the speech band must carry",
        OFFSET(band_ratio),   AV_OPT_TYPE_DOUBLE, { .dbl = 0.3 },  0, 1, RFLAGS },
    { "floor_window", "noise-floor tracking window (s)",
        OFFSET(floor_window), AV_OPT_TYPE_DOUBLE, { .dbl = 5 },    1, 30, FLAGS },
    { "output",       "what goes out",
        OFFSET(output),       AV_OPT_TYPE_INT,    { .i64 = OUTPUT_MUSIC }, 0, NB_OUTPUT - 1, FLAGS, .unit = "output" },
        { "music", "the ducked music, in the music's layout",             0, AV_OPT_TYPE_CONST, { .i64 = OUTPUT_MUSIC }, 0, 0, FLAGS, .unit = "output" },
        { "mix",   "the ducked music with the dialogue mixed in at unity", 0, AV_OPT_TYPE_CONST, { .i64 = OUTPUT_MIX },   0, 0, FLAGS, .unit = "output" },
    { NULL }
};

AVFILTER_DEFINE_CLASS(duckfloor);

static void fill_params(const DuckFloorContext *s, AIPDuckParams *p)
{
    p->depth          = s->depth;
    p->maxdepth       = s->maxdepth;
    p->margin         = s->margin;
    p->sbr            = s->sbr;
    p->threshold      = s->threshold;
    p->band_ratio     = s->band_ratio;
    p->hold_ms        = s->hold;
    p->floor_window_s = s->floor_window;
}

static int check_options(AVFilterContext *ctx)
{
    DuckFloorContext *s = ctx->priv;

    if (s->maxdepth < s->depth) {
        av_log(ctx, AV_LOG_ERROR, "maxdepth=%g is shallower than depth=%g: "
               "maxdepth must be in [depth, 60], here [%g, 60].\n",
               s->maxdepth, s->depth, s->depth);
        return AVERROR(EINVAL);
    }
    return 0;
}

static av_cold int init(AVFilterContext *ctx)
{
    DuckFloorContext *s = ctx->priv;

    s->floor_min = DBL_MAX;
    s->summary_gain = 1.0f;
    s->floor_max = -DBL_MAX;
    return check_options(ctx);
}

static int query_formats(const AVFilterContext *ctx,
                         AVFilterFormatsConfig **cfg_in,
                         AVFilterFormatsConfig **cfg_out)
{
    static const enum AVSampleFormat sample_fmts[] = { AV_SAMPLE_FMT_FLTP, AV_SAMPLE_FMT_NONE };
    static const AVChannelLayout dialogue_layouts[] = {
        AV_CHANNEL_LAYOUT_MONO, AV_CHANNEL_LAYOUT_STEREO, { 0 },
    };
    AVFilterChannelLayouts *layouts;
    int ret;

    /* The dialogue has its own rate list, so a mismatch is reported by
     * config_output instead of being resampled behind the user's back; the
     * music and the output share theirs. A dialogue of more channels is
     * downmixed to stereo by the usual conversion. */
    if ((ret = ff_formats_ref(ff_all_samplerates(), &cfg_in[1]->samplerates)) < 0)
        return ret;
    if ((ret = ff_channel_layouts_ref(ff_make_channel_layout_list(dialogue_layouts),
                                      &cfg_in[1]->channel_layouts)) < 0)
        return ret;
    layouts = ff_all_channel_counts();
    if ((ret = ff_channel_layouts_ref(layouts, &cfg_in[0]->channel_layouts)) < 0 ||
        (ret = ff_channel_layouts_ref(layouts, &cfg_out[0]->channel_layouts)) < 0)
        return ret;
    return ff_set_common_formats_from_list2(ctx, cfg_in, cfg_out, sample_fmts);
}

/* BS.1770 channel weights: surrounds count 1.41, LFE not at all. */
static double channel_weight(enum AVChannel ch)
{
    switch (ch) {
    case AV_CHAN_LOW_FREQUENCY:
    case AV_CHAN_LOW_FREQUENCY_2:
        return 0.0;
    case AV_CHAN_SIDE_LEFT:
    case AV_CHAN_SIDE_RIGHT:
    case AV_CHAN_BACK_LEFT:
    case AV_CHAN_BACK_RIGHT:
    case AV_CHAN_BACK_CENTER:
    case AV_CHAN_SURROUND_DIRECT_LEFT:
    case AV_CHAN_SURROUND_DIRECT_RIGHT:
        return 1.41;
    default:
        return 1.0;
    }
}

/* Where the dialogue goes in output=mix: a mono voice to the centre, or to
 * left and right at -3 dB (a constant-power centre) when the bed has none;
 * a stereo voice to left and right; a mono bed takes the voice's downmix. */
static void build_mix_matrix(DuckFloorContext *s, const AVChannelLayout *music)
{
    int fl = av_channel_layout_index_from_channel(music, AV_CHAN_FRONT_LEFT);
    int fr = av_channel_layout_index_from_channel(music, AV_CHAN_FRONT_RIGHT);
    int fc = av_channel_layout_index_from_channel(music, AV_CHAN_FRONT_CENTER);

    memset(s->mix_matrix, 0, sizeof(s->mix_matrix));
    if (fl < 0 || fr < 0) {
        /* unknown order or no front pair: the first two channels are L, R */
        fl = s->nb_music > 1 ? 0 : -1;
        fr = s->nb_music > 1 ? 1 : -1;
    }
    if (s->nb_music == 1) {
        for (int d = 0; d < s->nb_dialogue; d++)
            s->mix_matrix[0][d] = 1.0f / s->nb_dialogue;
    } else if (s->nb_dialogue == 2) {
        s->mix_matrix[fl][0] = 1.0f;
        s->mix_matrix[fr][1] = 1.0f;
    } else if (fc >= 0) {
        s->mix_matrix[fc][0] = 1.0f;
    } else {
        s->mix_matrix[fl][0] = s->mix_matrix[fr][0] = (float)M_SQRT1_2;
    }
}

static float **alloc_planes(int nb, int n)
{
    float **p = av_calloc(nb, sizeof(*p));

    if (!p)
        return NULL;
    for (int i = 0; i < nb; i++)
        if (!(p[i] = av_calloc(n, sizeof(**p)))) {
            while (i--)
                av_freep(&p[i]);
            av_freep(&p);
            return NULL;
        }
    return p;
}

static void free_planes(float ***p, int nb)
{
    if (*p)
        for (int i = 0; i < nb; i++)
            av_freep(&(*p)[i]);
    av_freep(p);
}

static int config_output(AVFilterLink *outlink)
{
    AVFilterContext *ctx = outlink->src;
    DuckFloorContext *s = ctx->priv;
    AVFilterLink *music = ctx->inputs[0], *dialogue = ctx->inputs[1];
    double weight[AIP_DUCK_MAX_CHANNELS];
    AIPDuckParams par;
    int ret;

    if (music->sample_rate != dialogue->sample_rate) {
        av_log(ctx, AV_LOG_ERROR, "The music is at %d Hz and the dialogue at %d Hz; "
               "duckfloor needs one rate. Resample one of them first, e.g. "
               "[dialogue]aresample=%d[d].\n",
               music->sample_rate, dialogue->sample_rate, music->sample_rate);
        return AVERROR(EINVAL);
    }
    s->rate        = music->sample_rate;
    s->nb_music    = music->ch_layout.nb_channels;
    s->nb_dialogue = dialogue->ch_layout.nb_channels;
    if (s->nb_music > AIP_DUCK_MAX_CHANNELS) {
        av_log(ctx, AV_LOG_ERROR, "The music has %d channels; duckfloor takes at most %d.\n",
               s->nb_music, AIP_DUCK_MAX_CHANNELS);
        return AVERROR(EINVAL);
    }
    if (s->rate < 8000) {
        av_log(ctx, AV_LOG_ERROR, "A sample rate of %d Hz is below the 8000 Hz speech "
               "analysis needs; resample to 8000 Hz or more.\n", s->rate);
        return AVERROR(EINVAL);
    }

    for (int c = 0; c < s->nb_music; c++)
        weight[c] = channel_weight(av_channel_layout_channel_from_index(&music->ch_layout, c));
    fill_params(s, &par);
    ret = aip_duck_analyser_init(&s->an, &par, s->rate, s->nb_music, weight, s->nb_dialogue);
    if (ret < 0)
        return ret == -ENOMEM ? AVERROR(ENOMEM) : AVERROR(EINVAL);
    s->block = s->an.block;
    s->lookahead_samples = (int)lrint(s->lookahead * s->rate / 1000.0);
    /* 5 s of release at 768 kHz is past INT_MAX samples: clamp. */
    aip_duck_ramp_init(&s->ramp, (int)FFMIN(llrint(s->attack * s->rate / 1000.0), INT_MAX),
                       (int)FFMIN(llrint(s->release * s->rate / 1000.0), INT_MAX));
    s->applied = s->an.last;
    build_mix_matrix(s, &music->ch_layout);

    s->music_fifo    = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, s->nb_music, 4096);
    s->dialogue_fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, s->nb_dialogue, 4096);
    s->music_block    = alloc_planes(s->nb_music, s->block);
    s->dialogue_block = alloc_planes(s->nb_dialogue, s->block);
    s->gain = av_calloc(MAX_OUT_SAMPLES, sizeof(*s->gain));
    /* Blocks analysed ahead of the music: the look-ahead's worth, and what
     * one large music frame lets the analysis run ahead by. */
    s->nb_pending_max = s->lookahead_samples / s->block + MAX_OUT_SAMPLES / s->block + 4;
    s->pending = av_calloc(s->nb_pending_max, sizeof(*s->pending));
    if (!s->music_fifo || !s->dialogue_fifo || !s->music_block || !s->dialogue_block ||
        !s->gain || !s->pending)
        return AVERROR(ENOMEM);
    if (s->output == OUTPUT_MIX &&
        !(s->mix_fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, s->nb_dialogue, 4096)))
        return AVERROR(ENOMEM);

    outlink->time_base = (AVRational){ 1, s->rate };
    av_log(ctx, AV_LOG_VERBOSE, "%d Hz, music %d ch, dialogue %d ch, blocks of %d, "
           "look-ahead %d samples\n", s->rate, s->nb_music, s->nb_dialogue, s->block,
           s->lookahead_samples);
    return 0;
}

static int write_fifo(AVAudioFifo *f, const AVFrame *in)
{
    int ret = av_audio_fifo_write(f, (void **)in->extended_data, in->nb_samples);
    return ret < 0 ? ret : 0;
}

static int take_inputs(AVFilterContext *ctx)
{
    DuckFloorContext *s = ctx->priv;
    AVFrame *in;
    int ret;

    for (int i = 0; i < 2; i++) {
        ret = ff_inlink_consume_frame(ctx->inputs[i], &in);
        if (ret < 0)
            return ret;
        if (!ret)
            continue;
        if (!s->have_pts && (i == 0 || !s->music_in)) {
            s->first_pts = in->pts == AV_NOPTS_VALUE ? 0 :
                           av_rescale_q(in->pts, ctx->inputs[i]->time_base,
                                        (AVRational){ 1, s->rate });
            s->have_pts = i == 0;
        }
        if (i == 0) {
            ret = write_fifo(s->music_fifo, in);
            s->music_in += in->nb_samples;
        } else {
            ret = write_fifo(s->dialogue_fifo, in);
            if (ret >= 0 && s->mix_fifo)
                ret = write_fifo(s->mix_fifo, in);
            s->dialogue_in += in->nb_samples;
        }
        av_frame_free(&in);
        if (ret < 0)
            return ret;
        ff_filter_set_ready(ctx, 10);
    }
    return 0;
}

/* Last sample (exclusive) the output will have, or -1 while unknown. */
static int64_t output_end(const DuckFloorContext *s)
{
    if (s->output == OUTPUT_MIX)
        return s->music_eof && s->dialogue_eof ? FFMAX(s->music_in, s->dialogue_in) : -1;
    return s->music_eof ? s->music_in : -1;
}

/* Analyse the blocks whose data is complete, queueing their decisions. */
static int analyse_ready_blocks(DuckFloorContext *s)
{
    const int B = s->block;

    while (s->nb_pending < s->nb_pending_max) {
        int64_t start = s->next_block * B, end = output_end(s);
        int64_t music_avail = s->music_pos + av_audio_fifo_size(s->music_fifo);
        int have_dialogue = av_audio_fifo_size(s->dialogue_fifo);
        const float *const *music = (const float *const *)s->music_block;
        const float *const *dialogue = (const float *const *)s->dialogue_block;
        PendingDecision *p;

        /* Blocks that cannot reach the output are not needed. */
        if (end >= 0 && start + B - s->lookahead_samples >= end)
            break;
        if (music_avail < start + B && !s->music_eof)
            break;
        if (have_dialogue < B && !s->dialogue_eof)
            break;

        if (music_avail > start) {
            int n = (int)FFMIN(B, music_avail - start);
            /* output_ready() keeps the block's music in the FIFO */
            av_assert1(start >= s->music_pos);
            n = av_audio_fifo_peek_at(s->music_fifo, (void **)s->music_block, n,
                                      (int)(start - s->music_pos));
            if (n < 0)
                return n;
            for (int c = 0; c < s->nb_music; c++)
                memset(s->music_block[c] + n, 0, (B - n) * sizeof(float));
        } else {
            music = NULL;
        }
        if (have_dialogue) {
            int n = av_audio_fifo_read(s->dialogue_fifo, (void **)s->dialogue_block,
                                       FFMIN(B, have_dialogue));
            for (int c = 0; c < s->nb_dialogue; c++)
                memset(s->dialogue_block[c] + n, 0, (B - n) * sizeof(float));
        } else {
            dialogue = NULL;
        }

        p = &s->pending[(s->pending_head + s->nb_pending) % s->nb_pending_max];
        p->dec = *aip_duck_analyse(&s->an, music, dialogue, B);
        /* It applies once the music reaches the block's end minus the
         * look-ahead: the dialogue has been read that far ahead. */
        p->effect = start + B - s->lookahead_samples;
        s->nb_pending++;
        s->next_block++;

        if (dialogue) {
            s->speech_blocks += p->dec.speech;
            if (p->dec.floor_db > AIP_DUCK_SILENCE_DB) {
                s->floor_sum += p->dec.floor_db;
                s->floor_counted++;
                s->floor_min  = FFMIN(s->floor_min, p->dec.floor_db);
                s->floor_max  = FFMAX(s->floor_max, p->dec.floor_db);
            }
        }
    }
    return 0;
}

static void apply_due_decisions(DuckFloorContext *s, int64_t pos)
{
    while (s->nb_pending && s->pending[s->pending_head].effect <= pos) {
        s->applied = s->pending[s->pending_head].dec;
        aip_duck_ramp_retarget(&s->ramp, s->applied.target_db);
        s->pending_head = (s->pending_head + 1) % s->nb_pending_max;
        s->nb_pending--;
    }
}

static void set_meta(AVFrame *out, const char *key, double v, const char *fmt)
{
    char buf[64], name[64];

    snprintf(name, sizeof(name), "lavfi.duckfloor.%s", key);
    snprintf(buf, sizeof(buf), fmt, v);
    av_dict_set(&out->metadata, name, buf, 0);
}

/* Output what the analysis has decided: up to the first sample whose
 * decision is not known yet. */
static int output_ready(AVFilterContext *ctx)
{
    DuckFloorContext *s = ctx->priv;
    AVFilterLink *outlink = ctx->outputs[0];
    int64_t end = output_end(s), limit, decided;
    AVFrame *out;
    int n, ret, done = 0;

    /* First sample whose decision is still to come. */
    decided = s->next_block * s->block + s->block - s->lookahead_samples;
    limit = s->music_eof ? (end >= 0 ? end : s->music_in) : s->music_pos + av_audio_fifo_size(s->music_fifo);
    if (s->output == OUTPUT_MIX) {
        int64_t dlg = s->dialogue_eof ? INT64_MAX : s->dialogue_in;
        if (s->music_eof && end < 0)
            limit = INT64_MAX;  /* silence after the music while the dialogue goes on */
        limit = FFMIN(limit, dlg);
    }
    if (end >= 0)
        limit = FFMIN(limit, end);
    limit = FFMIN(limit, decided);
    /* With a look-ahead under one block, the music of the next block to
     * analyse would otherwise be output (and leave the FIFO) before the
     * analysis reads it. */
    if (end < 0 || decided < end)
        limit = FFMIN(limit, s->next_block * s->block);
    n = (int)FFMIN(limit - s->music_pos, MAX_OUT_SAMPLES);
    if (n <= 0)
        return 0;

    out = ff_get_audio_buffer(outlink, n);
    if (!out)
        return AVERROR(ENOMEM);
    out->pts = s->first_pts + s->music_pos;

    {
        int got = av_audio_fifo_read(s->music_fifo, (void **)out->extended_data, n);
        if (got < 0) {
            av_frame_free(&out);
            return got;
        }
        for (int c = 0; c < s->nb_music; c++)
            memset((float *)out->extended_data[c] + got, 0, (n - got) * sizeof(float));
    }

    /* Gains, switching decisions at their sample. */
    apply_due_decisions(s, s->music_pos);
    set_meta(out, "speech",         s->applied.speech, "%.0f");
    set_meta(out, "noise_floor_db", s->applied.floor_db, "%.2f");
    set_meta(out, "music_lufs",     s->applied.music_db, "%.2f");
    set_meta(out, "speech_lufs",    s->applied.speech_db, "%.2f");
    while (done < n) {
        int64_t next = s->nb_pending ? s->pending[s->pending_head].effect : INT64_MAX;
        int len = (int)FFMIN(n - done, next - (s->music_pos + done));

        aip_duck_ramp_run(&s->ramp, s->gain + done, len);
        done += len;
        apply_due_decisions(s, s->music_pos + done);
    }
    set_meta(out, "gain_db", 20.0 * log10(FFMAX(s->gain[0], 1e-10f)), "%.2f");

    for (int c = 0; c < s->nb_music; c++)
        aip_duck_apply_gain((float *)out->extended_data[c], (const float *)out->extended_data[c],
                            s->gain, n);

    if (s->mix_fifo) {
        float *d[2] = { s->dialogue_block[0], s->nb_dialogue > 1 ? s->dialogue_block[1] : NULL };
        int left = n, at = 0;
        /* The dialogue block buffers are free between analyses: reuse them. */
        while (left > 0) {
            int chunk = FFMIN(left, s->block);
            int got = av_audio_fifo_read(s->mix_fifo, (void **)d, chunk);
            if (got < 0) {
                av_frame_free(&out);
                return got;
            }
            for (int c = 0; c < s->nb_music; c++)
                for (int k = 0; k < s->nb_dialogue; k++) {
                    float w = s->mix_matrix[c][k];
                    float *o = (float *)out->extended_data[c] + at;
                    if (w == 0.0f)
                        continue;
                    for (int i = 0; i < got; i++)
                        o[i] += w * d[k][i];
                }
            left -= chunk;
            at += chunk;
        }
    }

    /* Summary: gains hold still between ramps, so their dB is reused. */
    for (int i = 0; i < n; i++) {
        if (s->gain[i] != s->summary_gain) {
            s->summary_gain = s->gain[i];
            s->summary_db   = 20.0 * log10(FFMAX(s->gain[i], 1e-10f));
        }
        if (s->summary_db < DUCKED_DB) {
            s->ducked_samples++;
            s->ducked_db_sum += s->summary_db;
        }
    }
    s->total_samples += n;
    s->music_pos += n;
    ret = ff_filter_frame(outlink, out);
    return ret < 0 ? ret : 1;
}

static int activate(AVFilterContext *ctx)
{
    DuckFloorContext *s = ctx->priv;
    AVFilterLink *outlink = ctx->outputs[0];
    int64_t pts, end;
    int ret, status;

    FF_FILTER_FORWARD_STATUS_BACK_ALL(outlink, ctx);

    if ((ret = take_inputs(ctx)) < 0)
        return ret;
    if (!s->music_eof && ff_inlink_acknowledge_status(ctx->inputs[0], &status, &pts))
        s->music_eof = 1;
    if (!s->dialogue_eof && ff_inlink_acknowledge_status(ctx->inputs[1], &status, &pts))
        s->dialogue_eof = 1;

    if ((ret = analyse_ready_blocks(s)) < 0)
        return ret;
    ret = output_ready(ctx);
    if (ret < 0)
        return ret;
    if (ret > 0 || ff_inlink_queued_frames(ctx->inputs[0]) ||
        ff_inlink_queued_frames(ctx->inputs[1])) {
        ff_filter_set_ready(ctx, 10);
        return 0;
    }

    end = output_end(s);
    if (end >= 0 && s->music_pos >= end) {
        ff_outlink_set_status(outlink, AVERROR_EOF, s->first_pts + end);
        return 0;
    }

    if (ff_outlink_frame_wanted(outlink)) {
        const int B = s->block;
        int64_t need_music = s->next_block * B + B;    /* for the next analysis */
        /* Ask for whichever input holds the next step up. */
        if (!s->dialogue_eof && av_audio_fifo_size(s->dialogue_fifo) < B)
            ff_inlink_request_frame(ctx->inputs[1]);
        if (!s->music_eof && (s->music_pos + av_audio_fifo_size(s->music_fifo) < need_music ||
                              !av_audio_fifo_size(s->music_fifo)))
            ff_inlink_request_frame(ctx->inputs[0]);
        return 0;
    }
    return FFERROR_NOT_READY;
}

static int process_command(AVFilterContext *ctx, const char *cmd, const char *args,
                           char *res, int res_len, int flags)
{
    DuckFloorContext *s = ctx->priv;
    double old_depth = s->depth, old_maxdepth = s->maxdepth;
    int ret = ff_filter_process_command(ctx, cmd, args, res, res_len, flags);

    if (ret < 0)
        return ret;
    if ((ret = check_options(ctx)) < 0) {
        s->depth = old_depth;
        s->maxdepth = old_maxdepth;
        return ret;
    }
    fill_params(s, &s->an.par);
    return 0;
}

static av_cold void uninit(AVFilterContext *ctx)
{
    DuckFloorContext *s = ctx->priv;

    if (s->total_samples && s->rate) {
        double total = (double)s->total_samples / s->rate;
        double ducked = (double)s->ducked_samples / s->rate;
        av_log(ctx, AV_LOG_INFO, "ducked %.2f s of %.2f s (%.1f%%), mean depth %.2f dB; "
               "speech %.2f s", ducked, total, 100.0 * ducked / total,
               s->ducked_samples ? s->ducked_db_sum / s->ducked_samples : 0.0,
               s->speech_blocks * AIP_DUCK_BLOCK_MS / 1000.0);
        if (s->floor_max > -DBL_MAX)
            av_log(ctx, AV_LOG_INFO, "; dialogue floor mean %.1f, min %.1f, max %.1f LUFS\n",
                   s->floor_sum / s->floor_counted, s->floor_min, s->floor_max);
        else
            av_log(ctx, AV_LOG_INFO, "; dialogue floor: digital silence\n");
    }
    aip_duck_analyser_uninit(&s->an);
    av_audio_fifo_free(s->music_fifo);
    av_audio_fifo_free(s->dialogue_fifo);
    av_audio_fifo_free(s->mix_fifo);
    free_planes(&s->music_block, s->nb_music);
    free_planes(&s->dialogue_block, s->nb_dialogue);
    av_freep(&s->gain);
    av_freep(&s->pending);
}

static const AVFilterPad duckfloor_inputs[] = {
    { .name = "music",    .type = AVMEDIA_TYPE_AUDIO },
    { .name = "dialogue", .type = AVMEDIA_TYPE_AUDIO },
};

static const AVFilterPad duckfloor_outputs[] = {
    {
        .name         = "default",
        .type         = AVMEDIA_TYPE_AUDIO,
        .config_props = config_output,
    },
};

const AIPOST_FILTER ff_af_duckfloor = {
    AIPOST_PUBLIC(name)        = "duckfloor",
    AIPOST_PUBLIC(description) = NULL_IF_CONFIG_SMALL("Duck music under dialogue, never exposing the dialogue's noise floor."),
    AIPOST_PUBLIC(priv_class)  = &duckfloor_class,
    .priv_size       = sizeof(DuckFloorContext),
    .init            = init,
    .uninit          = uninit,
    .activate        = activate,
    .process_command = process_command,
    FILTER_INPUTS(duckfloor_inputs),
    FILTER_OUTPUTS(duckfloor_outputs),
    FILTER_QUERY_FUNC2(query_formats),
};
