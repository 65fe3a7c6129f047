/*
 * Saliency map, crop window search and scene change. See saliency.h.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "saliency.h"

int aip_saliency_init(AIPSaliency *s, int width, int height, int cpu_flags)
{
    const int long_side = width > height ? width : height;
    int cell = (long_side + AIP_SALIENCY_CELLS - 1) / AIP_SALIENCY_CELLS;

    memset(s, 0, sizeof(*s));
    cell = cell < AIP_SALIENCY_MIN_CELL ? AIP_SALIENCY_MIN_CELL : (cell + 7) & ~7;
    if (width < 2 * cell || height < 2 * cell)
        return -EINVAL;
    s->width  = width;
    s->height = height;
    s->cell   = cell;
    s->cols   = (width + cell - 1) / cell;
    s->rows   = (height + cell - 1) / cell;
    aip_skin_tables(&s->skin, &aip_skin_default);
    s->row8  = aip_saliency_row_8_c;
    s->row16 = aip_saliency_row_16_c;
#if AIP_HAVE_X86_SIMD
    if (cpu_flags & AIP_CPU_AVX2)
        s->row8 = aip_saliency_row_8_avx2;
#else
    (void)cpu_flags;
#endif
    s->cells     = calloc((size_t)s->cols * s->rows, sizeof(*s->cells));
    s->prev_mean = calloc((size_t)s->cols * s->rows, sizeof(*s->prev_mean));
    s->map       = calloc((size_t)s->cols * s->rows, sizeof(*s->map));
    s->profile   = calloc((size_t)(s->cols > s->rows ? s->cols : s->rows) + 1, sizeof(*s->profile));
    s->scratch   = calloc((size_t)3 * s->cols * s->rows, sizeof(*s->scratch));
    s->bg_mean   = calloc((size_t)s->cols * s->rows, sizeof(*s->bg_mean));
    if (!s->cells || !s->prev_mean || !s->map || !s->profile || !s->scratch || !s->bg_mean) {
        aip_saliency_uninit(s);
        return -ENOMEM;
    }
    return 0;
}

void aip_saliency_uninit(AIPSaliency *s)
{
    free(s->cells);
    free(s->prev_mean);
    free(s->map);
    free(s->profile);
    free(s->scratch);
    free(s->bg_mean);
    memset(s, 0, sizeof(*s));
}

#define DEFINE_ROW_C(name, pixel)                                                  \
AIP_DECL_SALIENCY_ROW_FN(name, pixel)                                              \
{                                                                                  \
    uint64_t sum = 0, grad = 0, motion = 0;                                        \
    const int xh = x1 < w - 2 ? x1 : w - 2;                                        \
    for (int x = x0; x < x1; x++)                                                  \
        sum += row[x];                                                             \
    for (int x = x0; x < xh; x++)                                                  \
        grad += row[x + 2] > row[x] ? row[x + 2] - row[x] : row[x] - row[x + 2];   \
    if (below)                                                                     \
        for (int x = x0; x < x1; x++)                                              \
            grad += below[x] > row[x] ? below[x] - row[x] : row[x] - below[x];     \
    if (prev)                                                                      \
        for (int x = x0; x < x1; x++)                                              \
            motion += prev[x] > row[x] ? prev[x] - row[x] : row[x] - prev[x];      \
    sums[0] += sum;                                                                \
    sums[1] += grad;                                                               \
    sums[2] += motion;                                                             \
}
DEFINE_ROW_C(aip_saliency_row_8_c, uint8_t)
DEFINE_ROW_C(aip_saliency_row_16_c, uint16_t)

static inline int sample(const AIPSaliencyFrame *f, int p, int x, int y)
{
    const uint8_t *row = f->data[p] + (ptrdiff_t)y * f->linesize[p];
    return f->depth == 8 ? row[x] : ((const uint16_t *)row)[x];
}

/* Full-range levels to limited for the skin test, 8-bit. */
static inline int level8(const AIPSaliencyFrame *f, int v, int chroma)
{
    int v8 = f->depth > 8 ? (v + (1 << (f->depth - 9))) >> (f->depth - 8) : v;
    v8 = v8 > 255 ? 255 : v8;
    if (!f->full_range)
        return v8;
    return chroma ? 16 + (v8 * 224 + 127) / 255 : 16 + (v8 * 219 + 127) / 255;
}

static void one_cell(AIPSaliency *s, const AIPSaliencyFrame *cur, const AIPSaliencyFrame *prev,
                     int cx, int cy)
{
    const int x0 = cx * s->cell, y0 = cy * s->cell;
    const int x1 = x0 + s->cell < s->width ? x0 + s->cell : s->width;
    const int y1 = y0 + s->cell < s->height ? y0 + s->cell : s->height;
    const double to8 = 1.0 / (1 << (cur->depth - 8));
    uint64_t sums[3] = { 0, 0, 0 }, skin = 0;
    uint64_t n = 0, ngrad = 0;
    int nskin = 0;
    AIPSaliencyCell *c = &s->cells[cy * s->cols + cx];

    /* Rows 0, 8, 16, ... of the frame (cells start on such rows). */
    for (int y = y0; y < y1; y += AIP_SALIENCY_ROW_STEP) {
        const uint8_t *row = cur->data[0] + (ptrdiff_t)y * cur->linesize[0];
        const uint8_t *below = y + 2 < s->height ? row + 2 * cur->linesize[0] : NULL;
        const uint8_t *pr = prev ? prev->data[0] + (ptrdiff_t)y * prev->linesize[0] : NULL;
        const int nh = (x1 < s->width - 2 ? x1 : s->width - 2) - x0;
        if (cur->depth == 8)
            s->row8(sums, row, below, pr, x0, x1, s->width);
        else
            s->row16(sums, (const uint16_t *)row, (const uint16_t *)below, (const uint16_t *)pr,
                     x0, x1, s->width);
        n += x1 - x0;
        ngrad += (nh > 0 ? nh : 0) + (below ? x1 - x0 : 0);
    }

    if (!cur->gray && cur->depth == 8 && !cur->full_range) {
        /* The common case without conversions. */
        for (int y = y0; y < y1; y += AIP_SALIENCY_SKIN_STEP) {
            const uint8_t *yr = cur->data[0] + (ptrdiff_t)y * cur->linesize[0];
            const uint8_t *ur = cur->data[1] + (ptrdiff_t)(y >> cur->vsub) * cur->linesize[1];
            const uint8_t *vr = cur->data[2] + (ptrdiff_t)(y >> cur->vsub) * cur->linesize[2];
            for (int x = x0; x < x1; x += AIP_SALIENCY_SKIN_STEP) {
                skin += aip_skin_likelihood8(&s->skin, yr[x], ur[x >> cur->hsub], vr[x >> cur->hsub]);
                nskin++;
            }
        }
    } else if (!cur->gray) {
        for (int y = y0; y < y1; y += AIP_SALIENCY_SKIN_STEP)
            for (int x = x0; x < x1; x += AIP_SALIENCY_SKIN_STEP) {
                const int yl = level8(cur, sample(cur, 0, x, y), 0);
                const int cb = level8(cur, sample(cur, 1, x >> cur->hsub, y >> cur->vsub), 1);
                const int cr = level8(cur, sample(cur, 2, x >> cur->hsub, y >> cur->vsub), 1);
                skin += aip_skin_likelihood8(&s->skin, yl, cb, cr);
                nskin++;
            }
    }

    c->mean     = (float)((double)sums[0] * to8 / n);
    c->contrast = ngrad ? (float)((double)sums[1] * to8 / ngrad) : 0.0f;
    c->motion   = prev ? (float)((double)sums[2] * to8 / n) : 0.0f;
    c->skin     = nskin ? (float)((double)skin / ((double)nskin * AIP_SKIN_ONE)) : 0.0f;
}

void aip_saliency_cells(AIPSaliency *s, const AIPSaliencyFrame *cur,
                        const AIPSaliencyFrame *prev, int row0, int row1)
{
    for (int cy = row0; cy < row1 && cy < s->rows; cy++)
        for (int cx = 0; cx < s->cols; cx++)
            one_cell(s, cur, prev, cx, cy);
}

double aip_saliency_change(const AIPSaliency *s)
{
    const int n = s->cols * s->rows;
    double sum = 0;

    if (!s->have_prev)
        return 0;
    for (int i = 0; i < n; i++)
        sum += fabs((double)s->cells[i].mean - s->prev_mean[i]);
    return sum / n;
}

/* The k-th smallest of v[0 .. n) (v is reordered): quickselect with a
 * median-of-three pivot, deterministic. */
static float select_kth(float *v, int n, int k)
{
    int lo = 0, hi = n - 1;

    while (lo < hi) {
        const int mid = lo + (hi - lo) / 2;
        float a = v[lo], b = v[mid], c = v[hi], pivot, t;
        int i = lo, j = hi;
        pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

/* Each cue relative to the frame: 0 at or below its median, 1 at or above
 * its 98th percentile (eps keeps a flat cue from being stretched). */
static void relative(float *dst, const float *cue, float *tmp, int n, double eps)
{
    double med, top, range;

    memcpy(tmp, cue, n * sizeof(*tmp));
    med = select_kth(tmp, n, n / 2);
    top = select_kth(tmp, n, n - 1 - n / 50);
    range = top - med > eps ? top - med : eps;
    for (int i = 0; i < n; i++) {
        const double r = (cue[i] - med) / range;
        dst[i] = (float)(r < 0 ? 0 : r > 1 ? 1 : r);
    }
}

void aip_saliency_map(AIPSaliency *s, const AIPSaliencyWeights *w, int new_scene)
{
    const int n = s->cols * s->rows;
    float *cue = s->scratch, *rel = s->scratch + n, *tmp = s->scratch + 2 * n;

    /* The background: what the cells have looked like lately. */
    if (new_scene || !s->have_bg)
        for (int i = 0; i < n; i++)
            s->bg_mean[i] = s->cells[i].mean;
    s->have_bg = 1;

    for (int i = 0; i < n; i++)
        s->map[i] = 0;
    for (int k = 0; k < 4; k++) {
        static const double eps[4] = { 0.5, 1.0, 0.05, 0.05 };
        const double weight = k == 0 ? w->motion : k == 1 ? w->contrast : k == 2 ? w->skin : w->face;
        if (weight <= 0)
            continue;
        for (int i = 0; i < n; i++) {
            const AIPSaliencyCell *c = &s->cells[i];
            const float novelty = fabsf(c->mean - s->bg_mean[i]) / AIP_SALIENCY_NOVELTY_SCALE;
            cue[i] = k == 0 ? (c->motion > novelty ? c->motion : novelty)
                   : k == 1 ? c->contrast : k == 2 ? c->skin
                   : (float)(c->skin * c->contrast / (c->contrast + 4.0));
        }
        relative(rel, cue, tmp, n, eps[k]);
        for (int i = 0; i < n; i++) {
            double r = rel[i];
            /* Motion must also be above coding noise in absolute terms. */
            if (k == 0)
                r *= (double)cue[i] * cue[i] / ((double)cue[i] * cue[i] + 4.0);
            s->map[i] += (float)(weight * r);
        }
    }
    for (int i = 0; i < n; i++) {
        s->prev_mean[i] = s->cells[i].mean;
        s->bg_mean[i] += (s->cells[i].mean - s->bg_mean[i]) * (float)AIP_SALIENCY_BG_RATE;
    }
    s->have_prev = 1;
}

/* Mass of the profile over [a, b) of a line of `len` samples cut into cells
 * of `cell` (the last one possibly shorter), uniform within a cell. */
static double mass(const double *cum, int cell, int len, int ncells, double a, double b)
{
    double m[2];
    const double at[2] = { a, b };

    for (int e = 0; e < 2; e++) {
        const double x = at[e] < 0 ? 0 : at[e] > len ? len : at[e];
        int i = (int)(x / cell);
        if (i >= ncells)
            i = ncells - 1;
        {
            const double start = (double)i * cell;
            const double size = (i + 1) * cell < len ? cell : len - start;
            m[e] = cum[i] + (cum[i + 1] - cum[i]) * (x - start) / size;
        }
    }
    return m[1] - m[0];
}

void aip_saliency_window(AIPSaliency *s, int axis, double win, double prev_centre,
                         double stickiness, AIPSaliencyTarget *t)
{
    const int ncells = axis ? s->rows : s->cols;
    const int len = axis ? s->height : s->width;
    double *cum = s->profile;
    double total, best = -1, best_a = 0, step;
    double moment = 0, inside = 0;

    if (win > len)
        win = len;
    /* Cumulative profile along the axis. */
    cum[0] = 0;
    for (int i = 0; i < ncells; i++) {
        double p = 0;
        if (axis)
            for (int x = 0; x < s->cols; x++)
                p += s->map[i * s->cols + x];
        else
            for (int y = 0; y < s->rows; y++)
                p += s->map[y * s->cols + i];
        cum[i + 1] = cum[i] + p;
    }
    total = cum[ncells];
    t->total = total;

    if (!(total > 1e-9)) {
        t->centre = prev_centre;
        t->confidence = 0;
        goto clamp;
    }

    /* Window starts every half cell, and the last one flush with the end. */
    step = s->cell / 2.0;
    for (double a = 0;; a += step) {
        const int last = a >= len - win;
        const double start = last ? len - win : a;
        const double c = start + win / 2;
        const double near = 1 - fabs(c - prev_centre) / (win / 2);
        const double score = mass(cum, s->cell, len, ncells, start, start + win) +
                             (near > 0 ? stickiness * total * near : 0);
        if (score > best) {
            best = score;
            best_a = start;
        }
        if (last)
            break;
    }

    /* Centroid of the saliency inside the best window, cell by cell with
     * partial cells weighted by their overlap. */
    for (int i = 0; i < ncells; i++) {
        const double c0 = (double)i * s->cell;
        const double c1 = (i + 1) * s->cell < len ? (double)(i + 1) * s->cell : len;
        const double o0 = c0 > best_a ? c0 : best_a;
        const double o1 = c1 < best_a + win ? c1 : best_a + win;
        if (o1 > o0) {
            const double m = (cum[i + 1] - cum[i]) * (o1 - o0) / (c1 - c0);
            moment += m * (o0 + o1) / 2;
            inside += m;
        }
    }
    t->centre = inside > 0 ? moment / inside : best_a + win / 2;
    t->confidence = inside / total;

clamp:
    if (t->centre < win / 2)
        t->centre = win / 2;
    if (t->centre > len - win / 2)
        t->centre = len - win / 2;
}
