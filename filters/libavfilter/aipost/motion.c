/*
 * Block-matching motion estimation (C reference).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "motion.h"

static inline int clip_int(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static inline int abs_int(int v) { return v < 0 ? -v : v; }

/* a / b rounded half away from zero, b > 0. */
static inline int round_div(int64_t a, int64_t b)
{
    return (int)(a >= 0 ? (a + b / 2) / b : -((-a + b / 2) / b));
}

AIP_DECL_MOTION_SAD_FN(aip_motion_sad_c)
{
    uint32_t sum = 0;
    for (int y = 0; y < h; y++) {
        const uint8_t *ra = a + (ptrdiff_t)y * a_stride, *rb = b + (ptrdiff_t)y * b_stride;
        for (int x = 0; x < w; x++)
            sum += (uint32_t)abs_int(ra[x] - rb[x]);
    }
    return sum;
}

void aip_motion_dsp_init(AIPMotionDSP *dsp, int cpu_flags)
{
    dsp->sad = aip_motion_sad_c;
#if AIP_HAVE_X86_SIMD
    if (!(cpu_flags & AIP_CPU_AVX2))
        return;
    dsp->sad = aip_motion_sad_avx2;
#else
    (void)cpu_flags;
#endif
}

int aip_motion_init(AIPMotion *m, int width, int height, int grid_log2, int levels,
                    int cpu_flags)
{
    memset(m, 0, sizeof(*m));
    if (width < 1 || height < 1 || grid_log2 < 2 || grid_log2 > 6 ||
        levels < grid_log2 - 1 || levels > AIP_PYRAMID_MAX_LEVELS)
        return -EINVAL;
    m->width        = width;
    m->height       = height;
    m->grid_log2    = grid_log2;
    m->nodes_w      = ((width  - 1) >> grid_log2) + 2;
    m->nodes_h      = ((height - 1) >> grid_log2) + 2;
    m->base_level   = grid_log2 - 2;
    m->coarse_level = levels > m->base_level + 1 ? m->base_level + 1 : m->base_level;
    m->super_w      = (m->nodes_w + 3) >> 2;
    m->super_h      = (m->nodes_h + 3) >> 2;
    m->super_vec    = calloc((size_t)m->super_w * m->super_h * 2, sizeof(*m->super_vec));
    if (!m->super_vec)
        return -ENOMEM;
    aip_motion_dsp_init(&m->dsp, cpu_flags);
    return 0;
}

void aip_motion_uninit(AIPMotion *m)
{
    free(m->super_vec);
    m->super_vec = NULL;
}

/* A block of one level: where it starts in the current frame and its size. */
typedef struct Block {
    const uint8_t *cur, *prev;
    ptrdiff_t stride;
    int x, y, w, h;             /* in the current frame */
    int lw, lh;                 /* the level's size */
    uint32_t bias;              /* what a non-zero candidate must beat zero by */
} Block;

/* Block of size `size` centred on full-resolution position (px, py). */
static void block_at(Block *b, const AIPPyramid *cur, const AIPPyramid *prev, int level,
                     int px, int py, int size)
{
    b->lw     = cur->w[level];
    b->lh     = cur->h[level];
    b->stride = cur->stride[level];
    b->cur    = cur->data[level];
    b->prev   = prev->data[level];
    b->w      = size < b->lw ? size : b->lw;
    b->h      = size < b->lh ? size : b->lh;
    b->x      = clip_int((px >> level) - size / 2, 0, b->lw - b->w);
    b->y      = clip_int((py >> level) - size / 2, 0, b->lh - b->h);
    b->bias   = (uint32_t)(b->w * b->h) * AIP_MOTION_ZERO_BIAS / 16;
}

/* SAD of the block against the previous frame at displacement d (the
 * content came from x - dx). Where that falls partly outside the frame
 * (content entering at an edge), the SAD of the part inside both, scaled
 * to the whole block, if that part is at least half the block in each
 * direction; UINT32_MAX otherwise. */
static uint32_t sad_at(const AIPMotionDSP *dsp, const Block *b, int dx, int dy)
{
    const int rx = b->x - dx, ry = b->y - dy;
    /* the block's columns and rows whose source is inside */
    const int c0 = rx < 0 ? -rx : 0, r0 = ry < 0 ? -ry : 0;
    const int c1 = rx + b->w > b->lw ? b->lw - rx : b->w, r1 = ry + b->h > b->lh ? b->lh - ry : b->h;
    uint64_t sad;

    if (2 * (c1 - c0) < b->w || 2 * (r1 - r0) < b->h)
        return UINT32_MAX;
    sad = dsp->sad(b->cur + (ptrdiff_t)(b->y + r0) * b->stride + b->x + c0, b->stride,
                   b->prev + (ptrdiff_t)(ry + r0) * b->stride + rx + c0, b->stride, c1 - c0, r1 - r0);
    if (c1 - c0 < b->w || r1 - r0 < b->h)
        sad = (sad * (uint64_t)(b->w * b->h) + (uint64_t)((c1 - c0) * (r1 - r0)) / 2) /
              (uint64_t)((c1 - c0) * (r1 - r0));
    return sad > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)sad;
}

/* Cost that ranks candidates: SAD, plus the zero bias for non-zero ones,
 * saturating. */
static uint32_t cost_of(const Block *b, uint32_t sad, int dx, int dy)
{
    if (sad == UINT32_MAX || (!dx && !dy))
        return sad;
    return sad > UINT32_MAX - b->bias ? UINT32_MAX : sad + b->bias;
}

typedef struct Best {
    int dx, dy;
    uint32_t cost, sad;
} Best;

static void try_candidate(const AIPMotionDSP *dsp, const Block *b, Best *best, int dx, int dy)
{
    const uint32_t sad = sad_at(dsp, b, dx, dy);
    const uint32_t cost = cost_of(b, sad, dx, dy);

    if (cost < best->cost) {
        best->dx   = dx;
        best->dy   = dy;
        best->cost = cost;
        best->sad  = sad;
    }
}

/* SADs of candidates already tried for one block, around where the search
 * of a level started (a refinement that moves looks at some again). */
#define MEMO 7
typedef struct Memo {
    int cx, cy;                 /* centre of the window */
    uint32_t sad[MEMO][MEMO];
    uint8_t known[MEMO][MEMO];
} Memo;

static uint32_t memo_sad(const AIPMotionDSP *dsp, const Block *b, Memo *mm, int dx, int dy)
{
    const int i = dx - mm->cx + MEMO / 2, j = dy - mm->cy + MEMO / 2;

    if (i < 0 || j < 0 || i >= MEMO || j >= MEMO)
        return sad_at(dsp, b, dx, dy);
    if (!mm->known[j][i]) {
        mm->sad[j][i] = sad_at(dsp, b, dx, dy);
        mm->known[j][i] = 1;
    }
    return mm->sad[j][i];
}

/* +-1 around the best until the centre wins (at most `rounds` moves).
 * When it does, sad3 (if given) holds the SADs of the 3 x 3 around it
 * ([1][1] the centre) and 1 is returned; 0 when the rounds ran out. */
static int refine(const AIPMotionDSP *dsp, const Block *b, Best *best, int rounds,
                  uint32_t sad3[3][3])
{
    Memo mm;

    mm.cx = best->dx;
    mm.cy = best->dy;
    memset(mm.known, 0, sizeof(mm.known));
    mm.sad[MEMO / 2][MEMO / 2] = best->sad;
    mm.known[MEMO / 2][MEMO / 2] = 1;
    for (int r = 0; r < rounds; r++) {
        const int cx = best->dx, cy = best->dy;
        uint32_t ring[3][3];
        ring[1][1] = best->sad;
        for (int j = -1; j <= 1; j++)
            for (int i = -1; i <= 1; i++)
                if (i || j) {
                    const uint32_t sad = memo_sad(dsp, b, &mm, cx + i, cy + j);
                    const uint32_t cost = cost_of(b, sad, cx + i, cy + j);
                    ring[j + 1][i + 1] = sad;
                    if (cost < best->cost) {
                        best->dx   = cx + i;
                        best->dy   = cy + j;
                        best->cost = cost;
                        best->sad  = sad;
                    }
                }
        if (best->dx == cx && best->dy == cy) {
            if (sad3)
                memcpy(sad3, ring, sizeof(ring));
            return 1;
        }
    }
    return 0;
}

/* Whether a node in the range of nodes taking candidates from super-node
 * (si, sj) is searched: nodes i with (i - 2) >> 2 in {si - 1, si}. */
static int super_needed(const AIPMotion *m, const uint8_t *search, int si, int sj)
{
    const int i0 = 4 * si - 2 < 0 ? 0 : 4 * si - 2, j0 = 4 * sj - 2 < 0 ? 0 : 4 * sj - 2;
    int i1 = 4 * si + 5 < m->nodes_w - 1 ? 4 * si + 5 : m->nodes_w - 1;
    int j1 = 4 * sj + 5 < m->nodes_h - 1 ? 4 * sj + 5 : m->nodes_h - 1;

    if (!search)
        return 1;
    /* the last super-node also serves the nodes past it (clamped) */
    if (si == m->super_w - 1)
        i1 = m->nodes_w - 1;
    if (sj == m->super_h - 1)
        j1 = m->nodes_h - 1;
    for (int j = j0; j <= j1; j++)
        for (int i = i0; i <= i1; i++)
            if (search[(size_t)j * m->nodes_w + i])
                return 1;
    return 0;
}

void aip_motion_coarse(AIPMotion *m, const AIPPyramid *cur, const AIPPyramid *prev,
                       const uint8_t *search, int r0, int r1)
{
    const int c = m->coarse_level;

    for (int sj = r0; sj < r1; sj++)
        for (int si = 0; si < m->super_w; si++) {
            const int px = (4 * si + 2) << m->grid_log2, py = (4 * sj + 2) << m->grid_log2;
            Block b;
            Best best = { 0, 0, UINT32_MAX, UINT32_MAX };
            int32_t *v = m->super_vec + 2 * ((size_t)sj * m->super_w + si);

            if (!super_needed(m, search, si, sj)) {
                v[0] = v[1] = 0;
                continue;
            }
            block_at(&b, cur, prev, c, px, py, 8);
            try_candidate(&m->dsp, &b, &best, 0, 0);
            for (int dy = -AIP_MOTION_RANGE; dy <= AIP_MOTION_RANGE; dy++)
                for (int dx = -AIP_MOTION_RANGE; dx <= AIP_MOTION_RANGE; dx++)
                    if (dx || dy)
                        try_candidate(&m->dsp, &b, &best, dx, dy);
            if (best.cost == UINT32_MAX)
                best.dx = best.dy = 0;
            v[0] = best.dx;
            v[1] = best.dy;
        }
}

/* Sub-pixel offset (Q4, within +-1/2) from SADs at -1, 0, +1: equiangular
 * fit. 0 when a side is outside or the minimum is flat. */
static int vfit(uint32_t sm, uint32_t s0, uint32_t sp)
{
    const uint32_t hi = sm > sp ? sm : sp;

    if (sm == UINT32_MAX || sp == UINT32_MAX || hi <= s0)
        return 0;
    return clip_int(round_div(((int64_t)sm - sp) * AIP_MOTION_ONE, 2 * (int64_t)(hi - s0)),
                    -AIP_MOTION_ONE / 2, AIP_MOTION_ONE / 2);
}

int aip_motion_nodes(const AIPMotion *m, const AIPPyramid *cur, const AIPPyramid *prev,
                     const uint8_t *search, const uint8_t *want, AIPMotionVector *vec,
                     int r0, int r1, int *searched)
{
    const int base = m->base_level, g = m->grid_log2;
    const int up = m->coarse_level - base;      /* coarse to base: x2 or x1 */
    int unreliable = 0;

    for (int j = r0; j < r1; j++) {
        int left_dx = 0, left_dy = 0;
        for (int i = 0; i < m->nodes_w; i++) {
            const int px = i << g, py = j << g;
            const size_t n = (size_t)j * m->nodes_w + i;
            AIPMotionVector *out = vec + n;
            /* the super-nodes around: their centres at nodes 4 s + 2 */
            const int si0 = clip_int((i - 2) >> 2, 0, m->super_w - 1);
            const int sj0 = clip_int((j - 2) >> 2, 0, m->super_h - 1);
            const int si1 = si0 + 1 < m->super_w ? si0 + 1 : si0;
            const int sj1 = sj0 + 1 < m->super_h ? sj0 + 1 : sj0;
            const int sis[2] = { si0, si1 }, sjs[2] = { sj0, sj1 };
            Best best = { 0, 0, UINT32_MAX, UINT32_MAX };
            Block b;
            int fx = 0, fy = 0, level = base, settled = 0;
            uint32_t sad3[3][3];

            if (search && !search[n]) {
                *out = (AIPMotionVector){ 0, 0, 0, 1, 0 };
                left_dx = left_dy = 0;
                continue;
            }
            if (searched)
                (*searched)++;

            block_at(&b, cur, prev, base, px, py, 8);
            try_candidate(&m->dsp, &b, &best, 0, 0);
            for (int k = 0; k < 4; k++) {
                const int32_t *sv = m->super_vec + 2 * ((size_t)sjs[k >> 1] * m->super_w + sis[k & 1]);
                try_candidate(&m->dsp, &b, &best, sv[0] * (1 << up), sv[1] * (1 << up));
            }
            if (i > 0) {
                /* the base-level vector of the node to the left (same row,
                 * so the same slice: no dependence on how rows are shared) */
                try_candidate(&m->dsp, &b, &best, left_dx, left_dy);
            }
            refine(&m->dsp, &b, &best, 2, NULL);
            left_dx = best.dx;
            left_dy = best.dy;
            if (best.cost == UINT32_MAX)
                best = (Best){ 0, 0, 0, 0 };
            out->cost = (uint16_t)clip_int((int)(((uint64_t)best.sad * 16) / (uint64_t)(b.w * b.h)), 0, 65535);
            if (out->cost > AIP_MOTION_UNRELIABLE)
                unreliable++;

            if (!want || want[n]) {
                for (level = base - 1; level >= 0; level--) {
                    const int size = 8 << (base - level);
                    const int dx = 2 * best.dx, dy = 2 * best.dy;
                    uint32_t s0;
                    block_at(&b, cur, prev, level, px, py, size);
                    s0 = sad_at(&m->dsp, &b, dx, dy);
                    best.dx   = dx;
                    best.dy   = dy;
                    best.sad  = s0;
                    best.cost = cost_of(&b, s0, dx, dy);
                    if (best.dx || best.dy)     /* zero stays a candidate at every level */
                        try_candidate(&m->dsp, &b, &best, 0, 0);
                    settled = refine(&m->dsp, &b, &best, level ? 1 : 3, level ? NULL : sad3);
                    if (best.cost == UINT32_MAX) {
                        best = (Best){ 0, 0, 0, 0 };
                        break;
                    }
                }
                if (level < 0) {
                    /* b is the full-resolution block */
                    if (!settled) {
                        sad3[1][0] = sad_at(&m->dsp, &b, best.dx - 1, best.dy);
                        sad3[1][2] = sad_at(&m->dsp, &b, best.dx + 1, best.dy);
                        sad3[0][1] = sad_at(&m->dsp, &b, best.dx, best.dy - 1);
                        sad3[2][1] = sad_at(&m->dsp, &b, best.dx, best.dy + 1);
                    }
                    fx = vfit(sad3[1][0], best.sad, sad3[1][2]);
                    fy = vfit(sad3[0][1], best.sad, sad3[2][1]);
                    if (!best.dx && !best.dy && abs_int(fx) <= AIP_MOTION_ONE / 8 &&
                        abs_int(fy) <= AIP_MOTION_ONE / 8)
                        fx = fy = 0;
                    out->cost = (uint16_t)clip_int((int)(((uint64_t)best.sad * 16) / (uint64_t)(b.w * b.h)), 0, 65535);
                }
                out->refined = 1;
                level = 0;
            } else {
                out->refined = 0;
            }
            out->x = best.dx * (1 << (AIP_MOTION_FRAC_BITS + level)) + fx;
            out->y = best.dy * (1 << (AIP_MOTION_FRAC_BITS + level)) + fy;
            out->reliable = out->cost <= AIP_MOTION_UNRELIABLE;
        }
    }
    return unreliable;
}

static int median_of(int32_t *v, int n)
{
    /* insertion sort of at most 8 values */
    for (int i = 1; i < n; i++) {
        const int32_t x = v[i];
        int k = i - 1;
        while (k >= 0 && v[k] > x) {
            v[k + 1] = v[k];
            k--;
        }
        v[k + 1] = x;
    }
    return v[(n - 1) / 2];
}

void aip_motion_fill_unreliable(const AIPMotion *m, AIPMotionVector *vec,
                                AIPMotionVector *tmp, const uint8_t *want)
{
    const int nw = m->nodes_w, nh = m->nodes_h;

    memcpy(tmp, vec, sizeof(*vec) * nw * nh);
    for (int j = 0; j < nh; j++)
        for (int i = 0; i < nw; i++) {
            const size_t n = (size_t)j * nw + i;
            int32_t xs[8], ys[8];
            int k = 0;

            if (tmp[n].reliable || (want && !want[n]))
                continue;
            for (int dj = -1; dj <= 1; dj++)
                for (int di = -1; di <= 1; di++) {
                    const int ii = i + di, jj = j + dj;
                    if ((!di && !dj) || ii < 0 || jj < 0 || ii >= nw || jj >= nh)
                        continue;
                    if (!tmp[(size_t)jj * nw + ii].reliable)
                        continue;
                    xs[k] = tmp[(size_t)jj * nw + ii].x;
                    ys[k] = tmp[(size_t)jj * nw + ii].y;
                    k++;
                }
            if (k) {
                vec[n].x = median_of(xs, k);
                vec[n].y = median_of(ys, k);
            }
        }
}

void aip_motion_at(const AIPMotion *m, const AIPMotionVector *vec,
                   int32_t x, int32_t y, int32_t *vx, int32_t *vy)
{
    const int sh = m->grid_log2 + AIP_MOTION_FRAC_BITS;
    const int32_t one = 1 << sh;
    const int32_t xmax = (m->nodes_w - 1) * one, ymax = (m->nodes_h - 1) * one;
    int i, j;
    int64_t fx, fy, ax, ay;
    const AIPMotionVector *v00;

    x = clip_int(x, 0, xmax);
    y = clip_int(y, 0, ymax);
    i = clip_int(x >> sh, 0, m->nodes_w - 2);
    j = clip_int(y >> sh, 0, m->nodes_h - 2);
    fx = x - ((int64_t)i << sh);
    fy = y - ((int64_t)j << sh);
    v00 = vec + (size_t)j * m->nodes_w + i;
    ax = (v00[0].x * (one - fx) + v00[1].x * fx) * (one - fy) +
         (v00[m->nodes_w].x * (one - fx) + v00[m->nodes_w + 1].x * fx) * fy;
    ay = (v00[0].y * (one - fx) + v00[1].y * fx) * (one - fy) +
         (v00[m->nodes_w].y * (one - fx) + v00[m->nodes_w + 1].y * fx) * fy;
    *vx = (int32_t)((ax + ((int64_t)1 << (2 * sh - 1))) >> (2 * sh));
    *vy = (int32_t)((ay + ((int64_t)1 << (2 * sh - 1))) >> (2 * sh));
}

int aip_motion_field(const AIPMotion *m, const AIPMotionVector *vec, int level,
                     int16_t *dx, int16_t *dy, int w, int h, int r0, int r1)
{
    /* aip_motion_at at each sample's centre, computed as (one - fx) C[i] +
     * fx C[i + 1] with C the column sums of the node rows above and below:
     * the same integers, without the per-sample clamps and products */
    const int F = AIP_MOTION_FRAC_BITS, one16 = 1 << F;
    const int sh = m->grid_log2 + F;
    const int64_t one = (int64_t)1 << sh, round = (int64_t)1 << (2 * sh - 1);
    const int32_t centre = (one16 << level) / 2;
    const int32_t xmax = (m->nodes_w - 1) * (int32_t)one, ymax = (m->nodes_h - 1) * (int32_t)one;
    int64_t cx[2 * 130], cy[2 * 130];
    int64_t *colx = m->nodes_w <= 2 * 130 ? cx : NULL, *coly = cy;
    int maxd = 0;

    (void)h;
    if (!colx) {
        /* wider than any supported picture's grid: the plain way */
        for (int j = r0; j < r1; j++)
            for (int i = 0; i < w; i++) {
                int32_t vx, vy;
                aip_motion_at(m, vec, (i << (level + F)) + centre, (j << (level + F)) + centre, &vx, &vy);
                vx = clip_int(vx >> level, INT16_MIN, INT16_MAX);
                vy = clip_int(vy >> level, INT16_MIN, INT16_MAX);
                dx[(size_t)j * w + i] = (int16_t)vx;
                dy[(size_t)j * w + i] = (int16_t)vy;
                maxd = clip_int((abs_int(vx) + one16 - 1) >> F, maxd, INT16_MAX);
                maxd = clip_int((abs_int(vy) + one16 - 1) >> F, maxd, INT16_MAX);
            }
        return maxd;
    }
    for (int j = r0; j < r1; j++) {
        const int32_t y = clip_int((j << (level + F)) + centre, 0, ymax);
        const int nj = clip_int(y >> sh, 0, m->nodes_h - 2);
        const int64_t fy = y - ((int64_t)nj << sh);
        const AIPMotionVector *top = vec + (size_t)nj * m->nodes_w, *bot = top + m->nodes_w;
        for (int n = 0; n < m->nodes_w; n++) {
            colx[n] = top[n].x * (one - fy) + bot[n].x * fy;
            coly[n] = top[n].y * (one - fy) + bot[n].y * fy;
        }
        for (int i = 0; i < w; i++) {
            const int32_t x = clip_int((i << (level + F)) + centre, 0, xmax);
            const int ni = clip_int(x >> sh, 0, m->nodes_w - 2);
            const int64_t fx = x - ((int64_t)ni << sh);
            int32_t vx = (int32_t)((colx[ni] * (one - fx) + colx[ni + 1] * fx + round) >> (2 * sh));
            int32_t vy = (int32_t)((coly[ni] * (one - fx) + coly[ni + 1] * fx + round) >> (2 * sh));
            vx = clip_int(vx >> level, INT16_MIN, INT16_MAX);
            vy = clip_int(vy >> level, INT16_MIN, INT16_MAX);
            dx[(size_t)j * w + i] = (int16_t)vx;
            dy[(size_t)j * w + i] = (int16_t)vy;
            maxd = clip_int((abs_int(vx) + one16 - 1) >> F, maxd, INT16_MAX);
            maxd = clip_int((abs_int(vy) + one16 - 1) >> F, maxd, INT16_MAX);
        }
    }
    return maxd;
}

void aip_motion_warp8(const int16_t *dx, const int16_t *dy, int max_d,
                      uint8_t *dst, const uint8_t *src, const uint8_t *row_max,
                      ptrdiff_t stride, int w, int h, int r0, int r1)
{
    const int F = AIP_MOTION_FRAC_BITS, one = 1 << F;

    for (int j = r0; j < r1; j++) {
        uint8_t *out = dst + (ptrdiff_t)j * stride;
        int any = 0;
        for (int k = j - max_d - 1; k <= j + max_d + 1 && !any; k++)
            any = row_max[clip_int(k, 0, h - 1)] != 0;
        if (!any) {
            memset(out, 0, w);
            continue;
        }
        for (int i = 0; i < w; i++) {
            const int sx = clip_int((i << F) - dx[(size_t)j * w + i], 0, (w - 1) << F);
            const int sy = clip_int((j << F) - dy[(size_t)j * w + i], 0, (h - 1) << F);
            const int ix = sx >> F, iy = sy >> F, fx = sx & (one - 1), fy = sy & (one - 1);
            const int ix1 = ix + 1 < w ? ix + 1 : ix, iy1 = iy + 1 < h ? iy + 1 : iy;
            const uint8_t *s0 = src + (ptrdiff_t)iy * stride, *s1 = src + (ptrdiff_t)iy1 * stride;
            const int a = s0[ix] * (one - fx) + s0[ix1] * fx;
            const int b = s1[ix] * (one - fx) + s1[ix1] * fx;
            out[i] = (uint8_t)((a * (one - fy) + b * fy + (1 << (2 * F - 1))) >> (2 * F));
        }
    }
}
