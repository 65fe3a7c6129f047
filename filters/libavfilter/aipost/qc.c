/*
 * Per-frame measurement kernels of qcdetect: see qc.h.
 *
 * Rows are first widened to int32 in scratch, so every kernel has one body
 * for every depth and its inner loops are plain loops over int32 the
 * compiler can vectorise; widening a row that is about to be read anyway
 * costs little next to the pass itself.
 *
 * Cost at 1920x1080 (a throwaway timing program, best of 20, on the 2-core
 * Xeon while an FFmpeg build ran, so noisy), all four kernels together:
 * 5.2-8.7 ns/sample (11-18 ms a frame) at -O3, as FFmpeg builds; about
 * 12 ns/sample at the unit tests' -O2, which leaves more loops scalar.
 * signalstats took 24.5 ms a frame on the same machine at the same time.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qc.h"

/* Scratch: SCRATCH_ROWS rows of width int32 (widened samples, differences
 * and the per-column run state of the banding kernel), then one int32 per
 * 8-sample block column. */
#define SCRATCH_ROWS 8
#define BLOCK_LOG2   3
#define BLOCK        (1 << BLOCK_LOG2)

int aip_qc_init(AIPQcContext *c, int width, int height, int depth)
{
    memset(c, 0, sizeof(*c));
    if (width < AIP_QC_MIN_SIZE || height < AIP_QC_MIN_SIZE || depth < 8 || depth > 16)
        return -EINVAL;
    c->width  = width;
    c->height = height;
    c->depth  = depth;
    c->to8bit = 1.0 / (1 << (depth - 8));
    for (int i = 0; i <= AIP_QC_GRID; i++) {
        c->x0[i] = (int)((int64_t)i * width / AIP_QC_GRID);
        c->y0[i] = (int)((int64_t)i * height / AIP_QC_GRID);
    }
    c->scratch = malloc(((size_t)SCRATCH_ROWS * width + width / BLOCK + 1) * sizeof(*c->scratch));
    return c->scratch ? 0 : -ENOMEM;
}

void aip_qc_uninit(AIPQcContext *c)
{
    free(c->scratch);
    c->scratch = NULL;
}

void aip_qc_range_levels(int depth, int full_range, int *black, int *white)
{
    if (full_range) {
        *black = 0;
        *white = (1 << depth) - 1;
    } else {
        *black = 16 << (depth - 8);
        *white = 235 << (depth - 8);
    }
}

static int valid(const AIPQcContext *c, const void *data)
{
    return c && c->scratch && data;
}

static void load_row(const AIPQcContext *c, int32_t *restrict dst, const void *data,
                     ptrdiff_t stride, int y)
{
    const uint8_t *row = (const uint8_t *)data + y * stride;
    const int w = c->width; /* local: dst must not be thought to alias it */

    if (c->depth == 8) {
        for (int x = 0; x < w; x++)
            dst[x] = row[x];
    } else {
        const uint16_t *row16 = (const uint16_t *)row;
        for (int x = 0; x < w; x++)
            dst[x] = row16[x];
    }
}

/* Median of n <= 64 doubles (the upper one for even n); v is reordered. */
static double median(double *v, int n)
{
    /* insertion sort: n is at most 64 and this runs once per frame */
    for (int i = 1; i < n; i++) {
        double t = v[i];
        int j = i;
        for (; j > 0 && v[j - 1] > t; j--)
            v[j] = v[j - 1];
        v[j] = t;
    }
    return v[n / 2];
}

/* ------------------------------------------------------------ stats */

int aip_qc_plane_stats(const AIPQcContext *c, const void *data, ptrdiff_t stride,
                       int black, int white, AIPQcStats *st)
{
    uint64_t region_sum[AIP_QC_REGIONS] = { 0 };
    uint64_t nb_black = 0, nb_white = 0, total = 0;
    int32_t *row = c ? c->scratch : NULL;
    double sorted[AIP_QC_REGIONS], med;

    if (!valid(c, data))
        return -EINVAL;
    memset(st, 0, sizeof(*st));
    for (int ry = 0; ry < AIP_QC_GRID; ry++) {
        for (int y = c->y0[ry]; y < c->y0[ry + 1]; y++) {
            load_row(c, row, data, stride, y);
            for (int rx = 0; rx < AIP_QC_GRID; rx++) {
                uint64_t sum = 0;
                int nb = 0, nw = 0;
                for (int x = c->x0[rx]; x < c->x0[rx + 1]; x++) {
                    sum += row[x];
                    nb  += row[x] <= black;
                    nw  += row[x] >= white;
                }
                region_sum[ry * AIP_QC_GRID + rx] += sum;
                nb_black += nb;
                nb_white += nw;
            }
        }
    }
    for (int ry = 0; ry < AIP_QC_GRID; ry++) {
        for (int rx = 0; rx < AIP_QC_GRID; rx++) {
            int r = ry * AIP_QC_GRID + rx;
            uint64_t n = (uint64_t)(c->x0[rx + 1] - c->x0[rx]) * (c->y0[ry + 1] - c->y0[ry]);
            total += region_sum[r];
            st->region_mean[r] = (double)region_sum[r] / n * c->to8bit;
            sorted[r] = st->region_mean[r];
        }
    }
    st->mean = (double)total / ((double)c->width * c->height) * c->to8bit;
    st->black_count = nb_black;
    st->white_count = nb_white;
    st->black_fraction = (double)nb_black / ((double)c->width * c->height);
    st->white_fraction = (double)nb_white / ((double)c->width * c->height);

    med = median(sorted, AIP_QC_REGIONS);
    for (int r = 0; r < AIP_QC_REGIONS; r++)
        st->signature |= (uint64_t)(st->region_mean[r] > med) << r;
    return 0;
}

int aip_qc_signature_distance(uint64_t a, uint64_t b)
{
    uint64_t x = a ^ b;
    int n = 0;

    /* Kernighan's loop: portable, and 64 iterations at most once per lookup */
    for (; x; x &= x - 1)
        n++;
    return n;
}

/* ------------------------------------------------------------ frame difference */

int aip_qc_frame_diff(const AIPQcContext *c, const void *a, ptrdiff_t a_stride,
                      const void *b, ptrdiff_t b_stride, AIPQcDiff *d)
{
    uint64_t region_sad[AIP_QC_REGIONS] = { 0 };
    int32_t *ra = c ? c->scratch : NULL, *rb = c ? c->scratch + c->width : NULL;
    int max_abs = 0;

    if (!valid(c, a) || !b)
        return -EINVAL;
    memset(d, 0, sizeof(*d));
    for (int ry = 0; ry < AIP_QC_GRID; ry++) {
        for (int y = c->y0[ry]; y < c->y0[ry + 1]; y++) {
            load_row(c, ra, a, a_stride, y);
            load_row(c, rb, b, b_stride, y);
            for (int rx = 0; rx < AIP_QC_GRID; rx++) {
                uint64_t sad = 0;
                int32_t m = 0;
                for (int x = c->x0[rx]; x < c->x0[rx + 1]; x++) {
                    int32_t v = abs(ra[x] - rb[x]);
                    sad += v;
                    m = v > m ? v : m;
                }
                region_sad[ry * AIP_QC_GRID + rx] += sad;
                max_abs = m > max_abs ? m : max_abs;
            }
        }
    }

    d->max_abs = max_abs;
    d->region_max_index = 0;
    for (int ry = 0; ry < AIP_QC_GRID; ry++) {
        for (int rx = 0; rx < AIP_QC_GRID; rx++) {
            int r = ry * AIP_QC_GRID + rx;
            uint64_t n = (uint64_t)(c->x0[rx + 1] - c->x0[rx]) * (c->y0[ry + 1] - c->y0[ry]);
            d->sad += region_sad[r];
            d->region_mad[r] = (double)region_sad[r] / n * c->to8bit;
            if (d->region_mad[r] > d->region_max) {
                d->region_max = d->region_mad[r];
                d->region_max_index = r;
            }
        }
    }
    d->mad = (double)d->sad / ((double)c->width * c->height) * c->to8bit;

    d->outlier_ratio = 0;
    d->outlier_region = 0;
    for (int ry = 0; ry < AIP_QC_GRID; ry++) {
        for (int rx = 0; rx < AIP_QC_GRID; rx++) {
            double nbr[8], ref, ratio;
            int n = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int ny = ry + dy, nx = rx + dx;
                    if ((dx || dy) && ny >= 0 && ny < AIP_QC_GRID && nx >= 0 && nx < AIP_QC_GRID)
                        nbr[n++] = d->region_mad[ny * AIP_QC_GRID + nx];
                }
            /* the lower median: with half the neighbours disturbed too (a
             * defect across a region boundary) the reference stays low */
            ref = median(nbr, n);
            if (n % 2 == 0)
                ref = nbr[n / 2 - 1];
            ref = ref > AIP_QC_DIFF_FLOOR ? ref : AIP_QC_DIFF_FLOOR;
            ratio = d->region_mad[ry * AIP_QC_GRID + rx] / ref;
            if (ratio > d->outlier_ratio) {
                d->outlier_ratio = ratio;
                d->outlier_region = ry * AIP_QC_GRID + rx;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------ banding */

/*
 * Run state of one scan line (a row, or a column followed down the rows):
 * the value of the current run, where it started, and the step that
 * entered it when that step was small (0 when it was large, or at the
 * start). At position i with value v, s = v - prev; a change ends the run
 * [start, i), which was a terrace when it is at least min_run long and
 * both s and the entering step are small and go the same way.
 *
 * Keeping the run's start rather than a running length leaves no
 * dependency from one sample to the next except through a change, and
 * every condition is a select, not a branch: on noisy pictures every
 * sample is a change and a branch there would be mispredicted half the
 * time. The column form runs the same arithmetic on a whole row of
 * columns at once, which the compiler vectorises.
 */
static inline int small_step(int32_t s, int32_t max_step)
{
    /* 1 <= |s| <= max_step, in one unsigned compare for the range */
    return (s != 0) & ((uint32_t)(s + max_step) <= (uint32_t)(2 * max_step));
}

static inline int same_way(int32_t s, int32_t enter)
{
    return (enter != 0) & ((s ^ enter) >= 0);
}

/*
 * Terrace samples along one row; *edges counts the steps that end one.
 *
 * Followed sample by sample a row is a chain of dependent selects (each
 * sample's state needs the previous one), which measured twice the cost of
 * all columns together. So the row is screened first, in a loop without
 * dependencies that vectorises: a terrace can only end at a small step
 * whose left neighbour equals the samples min_run and about min_run / 2
 * before it. Only there is the run followed back to its start and its
 * entering step read. Runs are disjoint, so the walks add up to at most
 * the row's width, and on noise or texture almost nothing passes the
 * screen.
 */
static uint64_t band_row(const int32_t *restrict row, uint8_t *restrict cand, int w,
                         int32_t max_step, int32_t min_run, uint64_t *edges)
{
    const int half = (min_run - 1) / 2 + 1;
    uint64_t px = 0, e = 0;

    if (w <= min_run)
        return 0;
    for (int x = min_run; x < w; x++) {
        int32_t v = row[x - 1];
        cand[x] = small_step(row[x] - v, max_step) & (v == row[x - min_run]) & (v == row[x - half]);
    }
    for (int x = min_run; x < w; x++) {
        int32_t v, s, start;

        if (!cand[x])
            continue;
        v = row[x - 1];
        s = row[x] - v;
        for (start = x - 1; start > 0 && row[start - 1] == v; start--)
            ;
        if (x - start >= min_run && start > 0) {
            int32_t enter = v - row[start - 1];
            if (small_step(enter, max_step) && same_way(s, enter)) {
                px += x - start;
                e++;
            }
        }
    }
    *edges += e;
    return px;
}

/* The same for every column, one row further down (row index y). */
static uint64_t band_columns(const int32_t *restrict row, int32_t *restrict prev,
                             int32_t *restrict start, int32_t *restrict enter,
                             int w, int32_t y, int32_t max_step, int32_t min_run,
                             uint64_t *edges)
{
    uint32_t px = 0, e = 0; /* a row adds at most w * height: see the caller */

    for (int x = 0; x < w; x++) {
        int32_t v = row[x], s = v - prev[x], en = enter[x], st = start[x];
        /* all-ones masks instead of selects: GCC vectorises these */
        int32_t changed = -(s != 0), small = -small_step(s, max_step);
        int32_t len = y - st;
        int32_t terrace = small & -(len >= min_run) & -same_way(s, en);

        px      += len & terrace;
        e       += terrace & 1;
        enter[x] = (s & small) | (en & ~changed);
        start[x] = (y & changed) | (st & ~changed);
        prev[x]  = v;
    }
    *edges += e;
    return px;
}

int aip_qc_banding(const AIPQcContext *c, const void *data, ptrdiff_t stride,
                   int max_step, int min_run, AIPQcBanding *b)
{
    int w;
    int32_t *row, *col_prev, *col_start, *col_enter;
    uint64_t row_px = 0, col_px = 0, edges = 0;

    if (!valid(c, data) || max_step < 1 || max_step >= (1 << 16) || min_run < 1)
        return -EINVAL;
    /* band_columns sums up to w run lengths of up to height in 32 bits */
    if ((uint64_t)c->width * c->height > UINT32_MAX)
        return -EINVAL;
    memset(b, 0, sizeof(*b));
    w = c->width;
    row       = c->scratch;
    col_prev  = row + w;
    col_start = row + 2 * w;
    col_enter = row + 3 * w;

    load_row(c, row, data, stride, 0);
    for (int x = 0; x < w; x++) {
        col_prev[x]  = row[x];
        col_start[x] = 0;
        col_enter[x] = 0;
    }
    for (int y = 0; y < c->height; y++) {
        if (y) {
            load_row(c, row, data, stride, y);
            col_px += band_columns(row, col_prev, col_start, col_enter, w, y,
                                   max_step, min_run, &edges);
        }
        row_px += band_row(row, (uint8_t *)(row + 4 * w), w, max_step, min_run, &edges);
    }
    b->edges = edges;
    b->row_fraction = (double)row_px / ((double)w * c->height);
    b->col_fraction = (double)col_px / ((double)w * c->height);
    b->score = b->row_fraction > b->col_fraction ? b->row_fraction : b->col_fraction;
    return 0;
}

/* ------------------------------------------------------------ temporal HF */

int aip_qc_temporal_hf(const AIPQcContext *c, const void *cur, ptrdiff_t cur_stride,
                       const void *prev, ptrdiff_t prev_stride,
                       double static_max, double texture_min, AIPQcTemporalHF *t)
{
    const int w = c ? c->width : 0, h = c ? c->height : 0;
    /* three rows of d and of cur, rolling; a row for prev; block sums */
    int32_t *drow[3], *crow[3], *prow, *block;
    uint64_t hf_sum[AIP_QC_REGIONS] = { 0 }, tex_sum[AIP_QC_REGIONS] = { 0 };
    uint64_t lap_count[AIP_QC_REGIONS] = { 0 };
    uint64_t motion_sum[AIP_QC_REGIONS] = { 0 }; /* |block sum|, native */
    uint64_t motion_blocks[AIP_QC_REGIONS] = { 0 };
    /* region column of each block column, by the block's first sample */
    int block_rx[(1 << 16) / BLOCK + 1];
    const int nb_bx = (w + BLOCK - 1) / BLOCK;
    /* |L| <= 8 (2^depth - 1): up to 12 bits its square fits int32, and
     * `chunk` squares fit a uint32 sum; 0 selects 64-bit sums */
    const int64_t lap_max = 8 * (int64_t)((1 << (c ? c->depth : 8)) - 1);
    const int chunk = lap_max * lap_max <= INT32_MAX ? (int)(UINT32_MAX / (lap_max * lap_max)) : 0;
    double sum = 0;

    if (!valid(c, cur) || !prev || w > (1 << 16))
        return -EINVAL;
    for (int i = 0; i < 3; i++) {
        drow[i] = c->scratch + i * w;
        crow[i] = c->scratch + (3 + i) * w;
    }
    prow  = c->scratch + 6 * w;
    block = c->scratch + SCRATCH_ROWS * w;
    memset(t, 0, sizeof(*t));
    memset(block, 0, nb_bx * sizeof(*block));
    for (int bx = 0, rx = 0; bx < nb_bx; bx++) {
        while (bx * BLOCK >= c->x0[rx + 1])
            rx++;
        block_rx[bx] = rx;
    }

    for (int y = 0; y < h; y++) {
        int32_t *d = drow[y % 3], *cr = crow[y % 3];

        load_row(c, cr, cur, cur_stride, y);
        load_row(c, prow, prev, prev_stride, y);
        for (int x = 0; x < w; x++)
            d[x] = cr[x] - prow[x];

        /* low pass: sums of d over 8 x 8 blocks, flushed every 8 rows */
        for (int x = 0; x < w; x++)
            block[x >> BLOCK_LOG2] += d[x];
        if ((y & (BLOCK - 1)) == BLOCK - 1 || y == h - 1) {
            int by0 = y & ~(BLOCK - 1), bry = 0;
            while (by0 >= c->y0[bry + 1])
                bry++;
            for (int bx = 0; bx < nb_bx; bx++) {
                int r = bry * AIP_QC_GRID + block_rx[bx];
                /* partial blocks at the right and bottom edges are scaled
                 * to a full block's sum so their mean weighs the same */
                int bw = (bx + 1) * BLOCK <= w ? BLOCK : w - bx * BLOCK;
                int bh = y - by0 + 1;
                int64_t s = block[bx];
                s = s < 0 ? -s : s;
                motion_sum[r] += (uint64_t)(s * (BLOCK * BLOCK) / (bw * bh));
                motion_blocks[r]++;
                block[bx] = 0;
            }
        }

        /* high pass of the previous row, now that its neighbours are here */
        if (y >= 2) {
            const int32_t *du = drow[(y - 2) % 3], *dm = drow[(y - 1) % 3], *dd = d;
            const int32_t *cu = crow[(y - 2) % 3], *cm = crow[(y - 1) % 3], *cd = cr;
            int ly = y - 1, lry = 0;
            while (ly >= c->y0[lry + 1])
                lry++;
            for (int rx = 0; rx < AIP_QC_GRID; rx++) {
                int x0 = c->x0[rx] > 1 ? c->x0[rx] : 1;
                int x1 = c->x0[rx + 1] < w - 1 ? c->x0[rx + 1] : w - 1;
                int r = lry * AIP_QC_GRID + rx;
                int64_t hs = 0, ts = 0;
                if (chunk) {
                    /* squares in 32 bits, summed over chunks that cannot
                     * overflow: these loops vectorise, 64-bit ones do not */
                    for (int xc = x0; xc < x1; xc += chunk) {
                        int xe = xc + chunk < x1 ? xc + chunk : x1;
                        uint32_t hc = 0, tc = 0;
                        for (int x = xc; x < xe; x++) {
                            int32_t ld = 4 * dm[x] - dm[x - 1] - dm[x + 1] - du[x] - dd[x];
                            int32_t lc = 4 * cm[x] - cm[x - 1] - cm[x + 1] - cu[x] - cd[x];
                            hc += (uint32_t)(ld * ld);
                            tc += (uint32_t)(lc * lc);
                        }
                        hs += hc;
                        ts += tc;
                    }
                } else {
                    /* squares of Laplacians reach 2.7e11 at 16 bits */
                    for (int x = x0; x < x1; x++) {
                        int64_t ld = 4 * dm[x] - dm[x - 1] - dm[x + 1] - du[x] - dd[x];
                        int64_t lc = 4 * cm[x] - cm[x - 1] - cm[x + 1] - cu[x] - cd[x];
                        hs += ld * ld;
                        ts += lc * lc;
                    }
                }
                hf_sum[r]  += hs;
                tex_sum[r] += ts;
                if (x1 > x0)
                    lap_count[r] += x1 - x0;
            }
        }
    }

    t->max_region = -1;
    for (int r = 0; r < AIP_QC_REGIONS; r++) {
        double n = lap_count[r] ? (double)lap_count[r] : 1;
        t->region_hf[r]      = sqrt(hf_sum[r] / n / 20.0) * c->to8bit;
        t->region_texture[r] = sqrt(tex_sum[r] / n / 20.0) * c->to8bit;
        t->region_motion[r]  = motion_blocks[r]
            ? (double)motion_sum[r] / motion_blocks[r] / (BLOCK * BLOCK) * c->to8bit : 0;
        if (t->region_motion[r] <= static_max && t->region_texture[r] >= texture_min) {
            t->counted |= UINT64_C(1) << r;
            t->nb_counted++;
            sum += t->region_hf[r];
            if (t->region_hf[r] > t->max) {
                t->max = t->region_hf[r];
                t->max_region = r;
            }
        }
    }
    t->mean = t->nb_counted ? sum / t->nb_counted : 0;
    if (t->nb_counted && t->max_region < 0)
        t->max_region = 0; /* every counted region had hf 0 */
    return 0;
}
