/*
 * Unit tests of the qcdetect measurement kernels (filters/libavfilter/
 * aipost/qc.*), without FFmpeg, on synthetic planes at 8 and 10 bits: each
 * kernel finds an injected defect and stays quiet on clean input.
 *   - stats: black / white areas and region means exact on constructed
 *     planes; the signature is stable under noise and tells pictures apart;
 *   - frame diff: 0 on identical frames, the noise level on a noisy copy,
 *     one region shifted by 4 samples stands out against its neighbours,
 *     also under a global pan with camera noise;
 *   - banding: a quantised gradient scores high, the same gradient with
 *     fine noise, natural texture, flat planes and single edges score ~0;
 *   - temporal HF: independent noise in one region of a static texture is
 *     found in that region; a globally panned texture is motion, not shimmer;
 *   - every kernel reads the same in 8-bit units at 9, 12 and 16 bits.
 * Bounds are the values measured when the test was written (QC_VERBOSE=1
 * prints them), with the margin stated at each assertion.
 */

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/unit.h"
#include "aipost/counter_rng.h"
#include "aipost/qc.h"

enum { W = 640, H = 360, PAD = 48 };

static int verbose(void)
{
    const char *v = getenv("QC_VERBOSE");
    return v && *v && *v != '0';
}

/* A plane with a stride wider than its rows, so strides are exercised. */
typedef struct Plane {
    uint8_t *data;
    ptrdiff_t stride;
    int w, h, depth;
} Plane;

static Plane plane_alloc(int w, int h, int depth)
{
    Plane p = { .w = w, .h = h, .depth = depth };
    int bps = depth > 8 ? 2 : 1;

    p.stride = (ptrdiff_t)(w + PAD) * bps;
    p.data = calloc((size_t)p.stride * h, 1);
    ck_assert_ptr_nonnull(p.data);
    return p;
}

static void plane_free(Plane *p)
{
    free(p->data);
    p->data = NULL;
}

static int clampv(const Plane *p, int v)
{
    int hi = (1 << p->depth) - 1;
    return v < 0 ? 0 : v > hi ? hi : v;
}

static void put(Plane *p, int x, int y, int v)
{
    v = clampv(p, v);
    if (p->depth > 8)
        ((uint16_t *)(p->data + y * p->stride))[x] = (uint16_t)v;
    else
        p->data[y * p->stride + x] = (uint8_t)v;
}

static int get(const Plane *p, int x, int y)
{
    if (p->depth > 8)
        return ((const uint16_t *)(p->data + y * p->stride))[x];
    return p->data[y * p->stride + x];
}

static void copy(Plane *dst, const Plane *src)
{
    for (int y = 0; y < src->h; y++)
        for (int x = 0; x < src->w; x++)
            put(dst, x, y, get(src, x, y));
}

/* Gaussian noise of deviation sigma (in code values), keyed. */
static double gauss(uint64_t key, int x, int y, double sigma)
{
    return aip_gauss4(aip_hash4(key, (uint64_t)x, (uint64_t)y, 0x51)) / AIP_GAUSS4_SIGMA * sigma;
}

/*
 * A natural-looking texture: white noise blurred by two passes of a
 * 5 x 5 box, scaled to deviation sigma around mid; defined on a canvas
 * larger than the planes so that shifted views of it exist.
 */
enum { CANVAS_PAD = 32, CW = W + 2 * CANVAS_PAD, CH = H + 2 * CANVAS_PAD };

static double *texture_canvas(uint64_t key, double sigma)
{
    double *a = malloc(sizeof(double) * CW * CH), *b = malloc(sizeof(double) * CW * CH);
    double sum2 = 0;

    for (int y = 0; y < CH; y++)
        for (int x = 0; x < CW; x++)
            a[y * CW + x] = gauss(key, x, y, 1.0);
    for (int pass = 0; pass < 2; pass++) {
        for (int y = 0; y < CH; y++)
            for (int x = 0; x < CW; x++) {
                double s = 0;
                for (int k = -2; k <= 2; k++)
                    s += a[y * CW + (x + k + CW) % CW];
                b[y * CW + x] = s / 5;
            }
        for (int y = 0; y < CH; y++)
            for (int x = 0; x < CW; x++) {
                double s = 0;
                for (int k = -2; k <= 2; k++)
                    s += b[((y + k + CH) % CH) * CW + x];
                a[y * CW + x] = s / 5;
            }
    }
    for (int i = 0; i < CW * CH; i++)
        sum2 += a[i] * a[i];
    for (int i = 0; i < CW * CH; i++)
        a[i] *= sigma / sqrt(sum2 / (CW * CH));
    free(b);
    return a;
}

/* The texture seen through a plane at offset (dx, dy), around `mid`. */
static void render_texture(Plane *p, const double *canvas, int dx, int dy, double mid)
{
    for (int y = 0; y < p->h; y++)
        for (int x = 0; x < p->w; x++)
            put(p, x, y, (int)lrint(mid + canvas[(y + CANVAS_PAD + dy) * CW + x + CANVAS_PAD + dx]));
}

static void init_ctx(AIPQcContext *c, const Plane *p)
{
    ck_assert_int_eq(aip_qc_init(c, p->w, p->h, p->depth), 0);
}

/* ------------------------------------------------------------ stats */

START_TEST(stats_black_white_exact)
{
    for (int depth = 8; depth <= 10; depth += 2) {
        for (int full = 0; full <= 1; full++) {
            Plane p = plane_alloc(W, H, depth);
            AIPQcContext c;
            AIPQcStats st;
            int black, white, nb = 0, nw = 0;

            aip_qc_range_levels(depth, full, &black, &white);
            ck_assert_int_eq(black, full ? 0 : 16 << (depth - 8));
            ck_assert_int_eq(white, full ? (1 << depth) - 1 : 235 << (depth - 8));
            /* Mid-grey, with a pattern of samples just inside, at and past
             * black and white; only "at or beyond" counts. */
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++) {
                    int k = (int)(aip_mix64((uint64_t)y * W + x) % 13), v = 1 << (depth - 1);
                    switch (k) {
                    case 0: v = black;     nb++; break;
                    case 1: v = black - 1; nb += !full; break;      /* full: clamps to 0 */
                    case 2: v = black + 1; break;
                    case 3: v = white;     nw++; break;
                    case 4: v = white + 1; nw++; break;              /* full: clamps to white */
                    case 5: v = white - 1; break;
                    }
                    if (full && k == 1)
                        nb++;                                        /* clamped to 0 = black */
                    put(&p, x, y, v);
                }
            init_ctx(&c, &p);
            ck_assert_int_eq(aip_qc_plane_stats(&c, p.data, p.stride, black, white, &st), 0);
            ck_assert_uint_eq(st.black_count, (uint64_t)nb);
            ck_assert_uint_eq(st.white_count, (uint64_t)nw);
            ck_assert(st.black_fraction == (double)nb / (W * H));
            ck_assert(st.white_fraction == (double)nw / (W * H));
            aip_qc_uninit(&c);
            plane_free(&p);
        }
    }
}
END_TEST

START_TEST(stats_region_means_and_signature)
{
    for (int depth = 8; depth <= 10; depth += 2) {
        Plane p = plane_alloc(W, H, depth), q = plane_alloc(W, H, depth);
        AIPQcContext c;
        AIPQcStats st, sn, so;
        double *canvas = texture_canvas(7, 40.0 * (1 << (depth - 8)));
        double expect = 0;
        int dist_noise, dist_other;

        init_ctx(&c, &p);
        /* Region r flat at 8-bit level 20 + 3 r: means exact, and the
         * signature sets the 31 regions above the median (the 33rd value). */
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                int r = (y * AIP_QC_GRID / H) * AIP_QC_GRID + x * AIP_QC_GRID / W;
                put(&p, x, y, (20 + 3 * r) << (depth - 8));
            }
        ck_assert_int_eq(aip_qc_plane_stats(&c, p.data, p.stride, 0, (1 << depth) - 1, &st), 0);
        for (int r = 0; r < AIP_QC_REGIONS; r++) {
            ck_assert_msg(st.region_mean[r] == 20 + 3 * r, "region %d: %f", r, st.region_mean[r]);
            expect += (20.0 + 3 * r) / AIP_QC_REGIONS; /* W, H divide by 8: equal areas */
        }
        ck_assert_msg(fabs(st.mean - expect) < 1e-9, "mean %f vs %f", st.mean, expect);
        ck_assert_uint_eq(st.signature, ~UINT64_C(0) << 33);

        /* A textured picture, a copy with independent noise of 2 8-bit code
         * values, and another texture. */
        render_texture(&p, canvas, 0, 0, 128 << (depth - 8));
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                put(&q, x, y, get(&p, x, y) + (int)lrint(gauss(11, x, y, 2.0 * (1 << (depth - 8)))));
        aip_qc_plane_stats(&c, p.data, p.stride, 0, 255, &st);
        aip_qc_plane_stats(&c, q.data, q.stride, 0, 255, &sn);
        free(canvas);
        canvas = texture_canvas(8, 40.0 * (1 << (depth - 8)));
        render_texture(&q, canvas, 0, 0, 128 << (depth - 8));
        aip_qc_plane_stats(&c, q.data, q.stride, 0, 255, &so);
        dist_noise = aip_qc_signature_distance(st.signature, sn.signature);
        dist_other = aip_qc_signature_distance(st.signature, so.signature);
        if (verbose())
            fprintf(stderr, "signature %d bit: %d set, noise distance %d, other picture %d\n",
                    depth, aip_qc_signature_distance(st.signature, 0), dist_noise, dist_other);
        /* 31 bits set: the regions strictly above the upper median of 64
         * distinct means. Measured noise distance 0, other texture 30
         * (8 and 10 bits); bounds allow a few bits either way. */
        ck_assert_int_eq(aip_qc_signature_distance(st.signature, 0), 31);
        ck_assert_msg(dist_noise <= 4, "noise moved %d bits", dist_noise);
        ck_assert_msg(dist_other >= 20, "other picture only %d bits away", dist_other);
        free(canvas);
        aip_qc_uninit(&c);
        plane_free(&p);
        plane_free(&q);
    }
}
END_TEST

/* ------------------------------------------------------------ frame diff */

START_TEST(diff_identical_and_one_code_noise)
{
    for (int depth = 8; depth <= 10; depth += 2) {
        Plane a = plane_alloc(W, H, depth), b = plane_alloc(W, H, depth);
        double *canvas = texture_canvas(3, 30.0 * (1 << (depth - 8)));
        AIPQcContext c;
        AIPQcDiff d;
        uint64_t changed = 0;

        render_texture(&a, canvas, 0, 0, 128 << (depth - 8));
        copy(&b, &a);
        init_ctx(&c, &a);
        ck_assert_int_eq(aip_qc_frame_diff(&c, a.data, a.stride, b.data, b.stride, &d), 0);
        ck_assert_uint_eq(d.sad, 0);
        ck_assert_int_eq(d.max_abs, 0);
        ck_assert(d.mad == 0 && d.region_max == 0);

        /* +-1 code value (at the plane's depth) on random samples */
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                int k = (int)(aip_hash4(5, x, y, 0) % 3) - 1;
                put(&b, x, y, get(&a, x, y) + k);
                changed += get(&b, x, y) != get(&a, x, y);
            }
        aip_qc_frame_diff(&c, a.data, a.stride, b.data, b.stride, &d);
        if (verbose())
            fprintf(stderr, "1-code noise %d bit: mad %.4f max_abs %d outlier %.2f\n",
                    depth, d.mad, d.max_abs, d.outlier_ratio);
        ck_assert_uint_eq(d.sad, changed);
        ck_assert_int_eq(d.max_abs, 1);
        ck_assert(fabs(d.mad - (double)changed / (W * H) / (1 << (depth - 8))) < 1e-12);
        /* Uniform noise: no region stands out (measured 1.05 at 8 bits,
         * under the floor at 10); well below the shift test's figures. */
        ck_assert_msg(d.outlier_ratio < 1.5, "outlier %.2f", d.outlier_ratio);
        free(canvas);
        aip_qc_uninit(&c);
        plane_free(&a);
        plane_free(&b);
    }
}
END_TEST

/* Region (rx, ry) of `p` replaced by the texture shifted by (sx, 0). */
static void shift_region(Plane *p, const double *canvas, int dx, int rx, int ry, int sx, double mid)
{
    for (int y = ry * H / AIP_QC_GRID; y < (ry + 1) * H / AIP_QC_GRID; y++)
        for (int x = rx * W / AIP_QC_GRID; x < (rx + 1) * W / AIP_QC_GRID; x++)
            put(p, x, y, (int)lrint(mid + canvas[(y + CANVAS_PAD) * CW + x + CANVAS_PAD + dx + sx]));
}

START_TEST(diff_region_shift_stands_out)
{
    for (int depth = 8; depth <= 10; depth += 2) {
        const double mid = 128 << (depth - 8), one = 1 << (depth - 8);
        Plane a = plane_alloc(W, H, depth), b = plane_alloc(W, H, depth);
        double *canvas = texture_canvas(4, 30.0 * one);
        AIPQcContext c;
        AIPQcDiff d, pan;

        init_ctx(&c, &a);
        /* Otherwise identical frames: the region is the only change. */
        render_texture(&a, canvas, 0, 0, mid);
        copy(&b, &a);
        shift_region(&b, canvas, 0, 5, 3, 4, mid);
        aip_qc_frame_diff(&c, a.data, a.stride, b.data, b.stride, &d);
        if (verbose())
            fprintf(stderr, "shift %d bit, static: region %d mad %.2f, outlier %.1f at %d\n",
                    depth, d.region_max_index, d.region_max, d.outlier_ratio, d.outlier_region);
        ck_assert_int_eq(d.region_max_index, 3 * AIP_QC_GRID + 5);
        ck_assert_int_eq(d.outlier_region, 3 * AIP_QC_GRID + 5);
        /* Measured 100 (a mad of 25 over the 0.25 floor): bound 40 */
        ck_assert_msg(d.outlier_ratio > 40, "outlier %.1f", d.outlier_ratio);

        /* A global 1-sample pan with camera noise (sigma 1 code at 8
         * bits) in both frames; the region moves 4 more. Compared with the
         * same pair without the jump. */
        for (int f = 0; f < 2; f++) {
            Plane *p = f ? &b : &a;
            render_texture(p, canvas, f, 0, mid);
            if (f)
                shift_region(p, canvas, f, 5, 3, 4, mid);
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    put(p, x, y, get(p, x, y) + (int)lrint(gauss(20 + f, x, y, one)));
        }
        aip_qc_frame_diff(&c, a.data, a.stride, b.data, b.stride, &d);
        render_texture(&b, canvas, 1, 0, mid);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                put(&b, x, y, get(&b, x, y) + (int)lrint(gauss(21, x, y, one)));
        aip_qc_frame_diff(&c, a.data, a.stride, b.data, b.stride, &pan);
        if (verbose())
            fprintf(stderr, "shift %d bit, panning: outlier %.2f at %d (plain pan %.2f), mad %.2f\n",
                    depth, d.outlier_ratio, d.outlier_region, pan.outlier_ratio, pan.mad);
        ck_assert_int_eq(d.outlier_region, 3 * AIP_QC_GRID + 5);
        /* Measured: jump 3.5, plain pan 1.21 (both depths); bounds 2.5
         * and 1.6 */
        ck_assert_msg(d.outlier_ratio > 2.5, "outlier %.2f", d.outlier_ratio);
        ck_assert_msg(pan.outlier_ratio < 1.6, "pan outlier %.2f", pan.outlier_ratio);
        free(canvas);
        aip_qc_uninit(&c);
        plane_free(&a);
        plane_free(&b);
    }
}
END_TEST

/* ------------------------------------------------------------ banding */

static AIPQcBanding banding(const Plane *p, int max_step)
{
    AIPQcContext c;
    AIPQcBanding b;

    init_ctx(&c, p);
    ck_assert_int_eq(aip_qc_banding(&c, p->data, p->stride, max_step, AIP_QC_BAND_MIN_RUN, &b), 0);
    aip_qc_uninit(&c);
    return b;
}

START_TEST(banding_quantised_vs_dithered_10bit)
{
    Plane smooth = plane_alloc(W, H, 10), quant = plane_alloc(W, H, 10);
    AIPQcBanding bs, bq;

    /* A diagonal 10-bit gradient over most of the range, fine noise
     * (sigma 1 code), and the same quantised to 32 levels (steps of 32). */
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double g = 100 + 800.0 * (x + 0.5 * y) / (W + 0.5 * H);
            int v = (int)lrint(g + gauss(9, x, y, 1.0));
            put(&smooth, x, y, v);
            put(&quant, x, y, (v / 32) * 32 + 16);
        }
    bs = banding(&smooth, AIP_QC_BAND_MAX_STEP(10));
    bq = banding(&quant, AIP_QC_BAND_MAX_STEP(10));
    if (verbose())
        fprintf(stderr, "banding 10 bit: dithered %.4f (%.4f/%.4f), quantised %.3f (%.3f/%.3f) %llu edges\n",
                bs.score, bs.row_fraction, bs.col_fraction, bq.score, bq.row_fraction,
                bq.col_fraction, (unsigned long long)bq.edges);
    /* Measured 0.0001 and 0.933 (rows; 0.796 along columns); bounds 0.01
     * and 0.5 */
    ck_assert_msg(bs.score < 0.01, "dithered gradient %.4f", bs.score);
    ck_assert_msg(bq.score > 0.5, "quantised gradient %.4f", bq.score);
    plane_free(&smooth);
    plane_free(&quant);
}
END_TEST

START_TEST(banding_8bit_one_code_steps)
{
    Plane ramp = plane_alloc(W, H, 8), dith = plane_alloc(W, H, 8);
    AIPQcBanding br, bd, br1;

    /* A shallow 8-bit ramp (sky): 16 to 48 across the width, one code
     * value every 20 samples: the banding CAMBI is about. */
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double g = 16 + 32.0 * x / W;
            put(&ramp, x, y, (int)floor(g));
            put(&dith, x, y, (int)floor(g + gauss(10, x, y, 0.7)));
        }
    br  = banding(&ramp, AIP_QC_BAND_MAX_STEP(8));
    br1 = banding(&ramp, 1);
    bd  = banding(&dith, AIP_QC_BAND_MAX_STEP(8));
    if (verbose())
        fprintf(stderr, "banding 8 bit: ramp %.3f (max_step 1: %.3f), dithered %.4f\n",
                br.score, br1.score, bd.score);
    /* Every terrace but the first and last: 30/32 of the samples, exact
     * to a terrace. */
    ck_assert_msg(br.score > 0.9 && br.row_fraction == br1.row_fraction, "ramp %.4f", br.score);
    ck_assert(br.col_fraction == 0);
    /* measured 0.0075 (a weak dither leaves a few runs of 8); bound 0.03,
     * still 30 times below the ramp */
    ck_assert_msg(bd.score < 0.03, "dithered %.4f", bd.score);
    plane_free(&ramp);
    plane_free(&dith);
}
END_TEST

START_TEST(banding_silent_on_texture_flat_and_edges)
{
    for (int depth = 8; depth <= 10; depth += 2) {
        Plane p = plane_alloc(W, H, depth);
        double *canvas = texture_canvas(12, 20.0 * (1 << (depth - 8)));
        AIPQcBanding b;

        render_texture(&p, canvas, 0, 0, 128 << (depth - 8));
        b = banding(&p, AIP_QC_BAND_MAX_STEP(depth));
        if (verbose())
            fprintf(stderr, "banding %d bit texture %.4f\n", depth, b.score);
        /* measured 0.0000 at both depths; bound 0.01 */
        ck_assert_msg(b.score < 0.01, "texture %.4f", b.score);

        /* flat, then flat with a low-contrast edge and a thin stripe:
         * no staircase, no terrace */
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                int v = 100 + (x >= W / 2) * 3 - (y >= 100 && y < 110) * 2;
                put(&p, x, y, v << (depth - 8));
            }
        b = banding(&p, AIP_QC_BAND_MAX_STEP(depth));
        ck_assert_msg(b.score == 0 && b.edges == 0, "edges %.4f", b.score);
        free(canvas);
        plane_free(&p);
    }
}
END_TEST

/* ------------------------------------------------------------ temporal HF */

START_TEST(temporal_hf_shimmer_vs_pan)
{
    for (int depth = 8; depth <= 10; depth += 2) {
        const double mid = 128 << (depth - 8), one = 1 << (depth - 8);
        const int rx = 2, ry = 5, target = ry * AIP_QC_GRID + rx;
        Plane prev = plane_alloc(W, H, depth), cur = plane_alloc(W, H, depth);
        double *canvas = texture_canvas(13, 40.0 * one);
        AIPQcContext c;
        AIPQcTemporalHF clean, shim, pan;
        double other_max = 0;

        init_ctx(&c, &cur);
        /* Static texture, camera noise sigma 0.5 (8-bit codes) per frame. */
        for (int f = 0; f < 2; f++) {
            Plane *p = f ? &cur : &prev;
            render_texture(p, canvas, 0, 0, mid);
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    put(p, x, y, get(p, x, y) + (int)lrint(gauss(30 + f, x, y, 0.5 * one)));
        }
        ck_assert_int_eq(aip_qc_temporal_hf(&c, cur.data, cur.stride, prev.data, prev.stride,
                                            AIP_QC_HF_STATIC_MAX, AIP_QC_HF_TEXTURE_MIN, &clean), 0);
        /* Shimmer: independent noise of sigma 3 in one region of both frames */
        for (int f = 0; f < 2; f++) {
            Plane *p = f ? &cur : &prev;
            for (int y = ry * H / AIP_QC_GRID; y < (ry + 1) * H / AIP_QC_GRID; y++)
                for (int x = rx * W / AIP_QC_GRID; x < (rx + 1) * W / AIP_QC_GRID; x++)
                    put(p, x, y, get(p, x, y) + (int)lrint(gauss(40 + f, x, y, 3.0 * one)));
        }
        aip_qc_temporal_hf(&c, cur.data, cur.stride, prev.data, prev.stride,
                           AIP_QC_HF_STATIC_MAX, AIP_QC_HF_TEXTURE_MIN, &shim);
        for (int r = 0; r < AIP_QC_REGIONS; r++)
            if (r != target && (shim.counted >> r & 1))
                other_max = fmax(other_max, shim.region_hf[r]);
        /* Global pan by 2 samples a frame, the same camera noise */
        for (int f = 0; f < 2; f++) {
            Plane *p = f ? &cur : &prev;
            render_texture(p, canvas, 2 * f, f, mid);
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    put(p, x, y, get(p, x, y) + (int)lrint(gauss(30 + f, x, y, 0.5 * one)));
        }
        aip_qc_temporal_hf(&c, cur.data, cur.stride, prev.data, prev.stride,
                           AIP_QC_HF_STATIC_MAX, AIP_QC_HF_TEXTURE_MIN, &pan);
        if (verbose()) {
            fprintf(stderr, "temporal HF %d bit: clean max %.3f mean %.3f (%d regions, texture %.2f, motion %.3f)\n",
                    depth, clean.max, clean.mean, clean.nb_counted, clean.region_texture[0],
                    clean.region_motion[0]);
            fprintf(stderr, "  shimmer: max %.3f at %d (motion %.3f), others <= %.3f, %d regions\n",
                    shim.max, shim.max_region, shim.region_motion[target], other_max, shim.nb_counted);
            fprintf(stderr, "  pan: max %.3f, %d regions counted, motion %.3f, hf %.3f\n",
                    pan.max, pan.nb_counted, pan.region_motion[0], pan.region_hf[0]);
        }
        /* clean: every region textured (texture measured 3.6) and static
         * (motion 0.08-0.10); hf is the camera noise of the two frames plus
         * their rounding, sqrt(2 (0.25 + 1/12)) = 0.82 at 8 bits: measured
         * 0.84 at 8 bits, 0.74 at 10; bound 1 */
        ck_assert_int_eq(clean.nb_counted, AIP_QC_REGIONS);
        ck_assert_msg(clean.max < 1.0, "clean max %.3f", clean.max);
        /* shimmer: found in its region, at about 3 sqrt(2) = 4.2 (measured
         * 4.33-4.38, its motion 0.41, under the static bound); the others
         * stay at the camera noise */
        ck_assert_int_eq(shim.max_region, target);
        ck_assert_msg(shim.max > 3.5 && other_max < 1.0, "shimmer %.3f, others %.3f",
                      shim.max, other_max);
        /* pan: motion, not shimmer: measured motion 10.3 in every region,
         * none counted (their hf, 4.9, would read as shimmer); the bound
         * allows what counts to show no more than the clean picture */
        ck_assert_msg(pan.nb_counted == 0 || pan.max < 1.0, "pan: %d regions, max %.3f",
                      pan.nb_counted, pan.max);
        free(canvas);
        aip_qc_uninit(&c);
        plane_free(&prev);
        plane_free(&cur);
    }
}
END_TEST

/* ------------------------------------------------------------ depths */

/*
 * The same picture at 8 bits and shifted up to 9, 12 and 16 bits reads the
 * same in 8-bit code values: every kernel's path for its depth (16-bit
 * loads, the chunked 32-bit and the 64-bit Laplacian sums) agrees with the
 * 8-bit one. Equal up to the last bits of a double (1e-9 relative).
 */
START_TEST(same_readings_at_every_depth)
{
    static const int depths[] = { 9, 12, 16 };
    Plane a8 = plane_alloc(W, H, 8), b8 = plane_alloc(W, H, 8);
    double *canvas = texture_canvas(21, 30.0);
    AIPQcContext c8;
    AIPQcStats s8;
    AIPQcDiff d8;
    AIPQcBanding g8;
    AIPQcTemporalHF t8;

    /* texture with a shifted region and a noisy region, over a quantised
     * ramp on the left so banding has something to find */
    render_texture(&a8, canvas, 0, 0, 128);
    render_texture(&b8, canvas, 0, 0, 128);
    shift_region(&b8, canvas, 0, 6, 1, 3, 128);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            if (x < W / 4) {
                put(&a8, x, y, 40 + x / 20);
                put(&b8, x, y, 40 + x / 20);
            }
            if (y >= H / 2 && x >= W / 2)
                put(&b8, x, y, get(&b8, x, y) + (int)lrint(gauss(50, x, y, 3.0)));
        }
    init_ctx(&c8, &a8);
    aip_qc_plane_stats(&c8, a8.data, a8.stride, 16, 235, &s8);
    aip_qc_frame_diff(&c8, a8.data, a8.stride, b8.data, b8.stride, &d8);
    aip_qc_banding(&c8, a8.data, a8.stride, AIP_QC_BAND_MAX_STEP(8), AIP_QC_BAND_MIN_RUN, &g8);
    aip_qc_temporal_hf(&c8, b8.data, b8.stride, a8.data, a8.stride, 1.0, 2.0, &t8);
    ck_assert(g8.score > 0.1 && t8.max > 1.0 && d8.outlier_ratio > 2);

    for (int i = 0; i < 3; i++) {
        const int depth = depths[i], sh = depth - 8;
        Plane a = plane_alloc(W, H, depth), b = plane_alloc(W, H, depth);
        AIPQcContext c;
        AIPQcStats st;
        AIPQcDiff d;
        AIPQcBanding g;
        AIPQcTemporalHF t;

        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                put(&a, x, y, get(&a8, x, y) << sh);
                put(&b, x, y, get(&b8, x, y) << sh);
            }
        init_ctx(&c, &a);
        aip_qc_plane_stats(&c, a.data, a.stride, 16 << sh, 235 << sh, &st);
        aip_qc_frame_diff(&c, a.data, a.stride, b.data, b.stride, &d);
        aip_qc_banding(&c, a.data, a.stride, AIP_QC_BAND_MAX_STEP(depth), AIP_QC_BAND_MIN_RUN, &g);
        aip_qc_temporal_hf(&c, b.data, b.stride, a.data, a.stride, 1.0, 2.0, &t);
#define SAME(x, y) ck_assert_msg(fabs((x) - (y)) <= 1e-9 * fabs(y), "%d bit: %s %.12g vs %.12g", \
                                 depth, #x, (double)(x), (double)(y))
        SAME(st.mean, s8.mean);
        ck_assert(st.black_count == s8.black_count && st.white_count == s8.white_count);
        ck_assert_uint_eq(st.signature, s8.signature);
        SAME(d.mad, d8.mad);
        SAME(d.outlier_ratio, d8.outlier_ratio);
        ck_assert_uint_eq(d.sad, d8.sad << sh);
        ck_assert(g.row_fraction == g8.row_fraction && g.col_fraction == g8.col_fraction);
        for (int r = 0; r < AIP_QC_REGIONS; r++) {
            SAME(t.region_hf[r], t8.region_hf[r]);
            SAME(t.region_texture[r], t8.region_texture[r]);
            SAME(t.region_motion[r], t8.region_motion[r]);
        }
        ck_assert_uint_eq(t.counted, t8.counted);
#undef SAME
        aip_qc_uninit(&c);
        plane_free(&a);
        plane_free(&b);
    }
    free(canvas);
    aip_qc_uninit(&c8);
    plane_free(&a8);
    plane_free(&b8);
}
END_TEST

/* Sizes that the grid and the 8 x 8 blocks do not divide, down to the
 * smallest accepted: identical frames read no change, a flat plane its
 * level, and nothing is read out of bounds (run under ASan). */
START_TEST(odd_sizes)
{
    static const int sizes[][2] = { { 8, 8 }, { 9, 13 }, { 37, 11 }, { 1921, 17 }, { 17, 1083 } };

    for (int i = 0; i < 5; i++) {
        for (int depth = 8; depth <= 10; depth += 2) {
            Plane p = plane_alloc(sizes[i][0], sizes[i][1], depth);
            AIPQcContext c;
            AIPQcStats st;
            AIPQcDiff d;
            AIPQcBanding g;
            AIPQcTemporalHF t;

            for (int y = 0; y < p.h; y++)
                for (int x = 0; x < p.w; x++)
                    put(&p, x, y, 77 << (depth - 8));
            init_ctx(&c, &p);
            ck_assert_int_eq(aip_qc_plane_stats(&c, p.data, p.stride, 16, 235, &st), 0);
            ck_assert(st.mean == 77 && st.region_mean[AIP_QC_REGIONS - 1] == 77 && st.signature == 0);
            for (int y = 0; y < p.h; y++)
                for (int x = 0; x < p.w; x++)
                    put(&p, x, y, (int)(aip_hash4(depth, x, y, i) % (1u << depth)));
            ck_assert_int_eq(aip_qc_frame_diff(&c, p.data, p.stride, p.data, p.stride, &d), 0);
            ck_assert(d.sad == 0 && d.outlier_ratio == 0);
            ck_assert_int_eq(aip_qc_banding(&c, p.data, p.stride, 1, 1, &g), 0);
            ck_assert(g.score >= 0 && g.score <= 1);
            ck_assert_int_eq(aip_qc_temporal_hf(&c, p.data, p.stride, p.data, p.stride, 1, 0, &t), 0);
            ck_assert(t.max == 0 && t.region_motion[0] == 0);
            aip_qc_uninit(&c);
            plane_free(&p);
        }
    }
}
END_TEST

START_TEST(rejects_bad_arguments)
{
    AIPQcContext c;

    ck_assert_int_lt(aip_qc_init(&c, 7, 100, 8), 0);
    ck_assert_int_lt(aip_qc_init(&c, 100, 100, 7), 0);
    ck_assert_int_lt(aip_qc_init(&c, 100, 100, 17), 0);
    aip_qc_uninit(&c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("qc");
    TCase *tc = tcase_create("kernels");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, stats_black_white_exact);
    tcase_add_test(tc, stats_region_means_and_signature);
    tcase_add_test(tc, diff_identical_and_one_code_noise);
    tcase_add_test(tc, diff_region_shift_stands_out);
    tcase_add_test(tc, banding_quantised_vs_dithered_10bit);
    tcase_add_test(tc, banding_8bit_one_code_steps);
    tcase_add_test(tc, banding_silent_on_texture_flat_and_edges);
    tcase_add_test(tc, temporal_hf_shimmer_vs_pan);
    tcase_add_test(tc, same_readings_at_every_depth);
    tcase_add_test(tc, odd_sizes);
    tcase_add_test(tc, rejects_bad_arguments);
    suite_add_tcase(s, tc);

    return unit_run(s);
}
