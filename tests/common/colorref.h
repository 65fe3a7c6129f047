/*
 * A float64 reference of the colour standards' formulas, for the accuracy
 * tests of rec709norm (issue 3) and the tools that make their expectations.
 * Written from the published standards (cited at each function), not from
 * any implementation, so that the filter (which takes its math from
 * libplacebo) is checked against something independent of it.
 *
 * Conventions:
 * - Non-linear signals (E', V) are normalised to [0,1].
 * - "Relative" linear light is 1.0 at the display's (or scene's) white;
 *   "absolute" is cd/m². PQ and ICtCp are absolute (ST 2084 is).
 * - Matrices are double[3][3], applied to column vectors (RGB or XYZ);
 *   their parameters are not const because C before C23 does not convert
 *   double (*)[3] to const double (*)[3] without a cast.
 * - Every space here has the D65 white point (BT.709, SMPTE 170M,
 *   EBU/BT.470 BG, Display P3, BT.2020), so converting between them needs
 *   no chromatic adaptation; colorref_rgb_to_rgb() does none.
 *
 * C17, static inline, <math.h> only: no FFmpeg headers.
 */

#ifndef AIPOST_TEST_COLORREF_H
#define AIPOST_TEST_COLORREF_H

#include <math.h>

/* ------------------------------------------------------------ transfers */

/*
 * ITU-R BT.1886 Annex 1, the reference EOTF of flat-panel displays:
 *   L = a * max(V + b, 0)^2.4,
 *   a = (Lw^(1/2.4) - Lb^(1/2.4))^2.4,
 *   b = Lb^(1/2.4) / (Lw^(1/2.4) - Lb^(1/2.4)),
 * L in cd/m², Lw / Lb the screen's white / black luminance. With Lb = 0 it is
 * the pure power L = Lw * V^2.4 that "Rec.709 gamma 2.4" means.
 */
#define COLORREF_BT1886_GAMMA 2.4

static inline double colorref_bt1886_eotf(double v, double lw, double lb)
{
    const double g = 1 / COLORREF_BT1886_GAMMA;
    const double d = pow(lw, g) - pow(lb, g);
    const double a = pow(d, COLORREF_BT1886_GAMMA), b = pow(lb, g) / d;
    return a * pow(fmax(v + b, 0), COLORREF_BT1886_GAMMA);
}

/* Inverse of the above: V = (L / a)^(1/2.4) - b; L below Lb gives V < 0. */
static inline double colorref_bt1886_inv_eotf(double l, double lw, double lb)
{
    const double g = 1 / COLORREF_BT1886_GAMMA;
    const double d = pow(lw, g) - pow(lb, g);
    const double a = pow(d, COLORREF_BT1886_GAMMA), b = pow(lb, g) / d;
    return pow(fmax(l, 0) / a, g) - b;
}

/*
 * ITU-R BT.709-6 Part 1, item 1.2, the camera OETF (scene light L in [0,1]):
 *   V = 4.500 L               for 0 <= L < 0.018
 *   V = 1.099 L^0.45 - 0.099  for 0.018 <= L <= 1
 * With the published rounded constants the two pieces miss each other by
 * 0.0003 at L = 0.018 (4.5 * 0.018 = 0.081, the power piece gives 0.0813),
 * so V in [0.081, 0.0813) is never produced; the inverse below splits at
 * V = 0.081 and is exact for every V the OETF makes.
 */
static inline double colorref_bt709_oetf(double l)
{
    return l < 0.018 ? 4.5 * l : 1.099 * pow(l, 0.45) - 0.099;
}

static inline double colorref_bt709_inv_oetf(double v)
{
    return v < 4.5 * 0.018 ? v / 4.5 : pow((v + 0.099) / 1.099, 1 / 0.45);
}

/*
 * IEC 61966-2-1:1999 (sRGB), the transformation between R'G'B' and linear RGB:
 *   L = V / 12.92                   for V <= 0.04045
 *   L = ((V + 0.055) / 1.055)^2.4   otherwise
 *   V = 12.92 L                     for L <= 0.0031308
 *   V = 1.055 L^(1/2.4) - 0.055     otherwise
 */
static inline double colorref_srgb_eotf(double v)
{
    return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static inline double colorref_srgb_inv_eotf(double l)
{
    return l <= 0.0031308 ? 12.92 * l : 1.055 * pow(l, 1 / 2.4) - 0.055;
}

/* A pure power 2.2 (FFmpeg's "gamma22", BT.470 System M): L = V^2.2. */
static inline double colorref_gamma22_eotf(double v)
{
    return pow(fmax(v, 0), 2.2);
}

static inline double colorref_gamma22_inv_eotf(double l)
{
    return pow(fmax(l, 0), 1 / 2.2);
}

/*
 * SMPTE ST 2084:2014 (and ITU-R BT.2100-2 Table 4), the PQ EOTF:
 *   F = 10000 * (max(E'^(1/m2) - c1, 0) / (c2 - c3 E'^(1/m2)))^(1/m1) cd/m²
 * with the exact rational constants the standard gives.
 */
#define COLORREF_PQ_M1 (2610.0 / 16384)
#define COLORREF_PQ_M2 (2523.0 / 4096 * 128)
#define COLORREF_PQ_C1 (3424.0 / 4096)
#define COLORREF_PQ_C2 (2413.0 / 4096 * 32)
#define COLORREF_PQ_C3 (2392.0 / 4096 * 32)
#define COLORREF_PQ_PEAK 10000.0

static inline double colorref_pq_eotf(double e)
{
    const double p = pow(fmax(e, 0), 1 / COLORREF_PQ_M2);
    const double y = pow(fmax(p - COLORREF_PQ_C1, 0) / (COLORREF_PQ_C2 - COLORREF_PQ_C3 * p),
                         1 / COLORREF_PQ_M1);
    return COLORREF_PQ_PEAK * y;
}

/* ST 2084's inverse EOTF (BT.2100 Table 4): E' = ((c1 + c2 Y^m1) / (1 + c3 Y^m1))^m2, Y = F/10000. */
static inline double colorref_pq_inv_eotf(double f)
{
    const double ym = pow(fmax(f, 0) / COLORREF_PQ_PEAK, COLORREF_PQ_M1);
    return pow((COLORREF_PQ_C1 + COLORREF_PQ_C2 * ym) / (1 + COLORREF_PQ_C3 * ym), COLORREF_PQ_M2);
}

/*
 * ARIB STD-B67 / ITU-R BT.2100-2 Table 5, the HLG OETF (scene light E in
 * [0,1]):
 *   E' = sqrt(3 E)                for 0 <= E <= 1/12
 *   E' = a ln(12 E - b) + c       for 1/12 < E <= 1
 * a = 0.17883277, b = 1 - 4a, c = 0.5 - a ln(4a) (BT.2100 gives b and c
 * rounded to 0.28466892 and 0.55991073; we compute them, which is what the
 * rounding came from).
 */
#define COLORREF_HLG_A 0.17883277
#define COLORREF_HLG_B (1 - 4 * COLORREF_HLG_A)
#define COLORREF_HLG_C (0.5 - COLORREF_HLG_A * log(4 * COLORREF_HLG_A))

static inline double colorref_hlg_oetf(double e)
{
    return e <= 1.0 / 12 ? sqrt(3 * fmax(e, 0))
                         : COLORREF_HLG_A * log(12 * e - COLORREF_HLG_B) + COLORREF_HLG_C;
}

/* BT.2100 Table 5, OETF^-1: E = E'^2 / 3 for E' <= 1/2, else (exp((E'-c)/a) + b) / 12. */
static inline double colorref_hlg_inv_oetf(double v)
{
    return v <= 0.5 ? v * v / 3
                    : (exp((v - COLORREF_HLG_C) / COLORREF_HLG_A) + COLORREF_HLG_B) / 12;
}

/*
 * BT.2100-2 Table 5, the HLG system gamma: 1.2 at a nominal peak of
 * 1000 cd/m², and gamma = 1.2 + 0.42 log10(Lw / 1000) for other peaks (the
 * table's note gives it for 400..2000 cd/m²; we do not clamp, BT.2390
 * gives an extended formula beyond that range, not used here).
 */
static inline double colorref_hlg_gamma(double lw)
{
    return 1.2 + 0.42 * log10(lw / 1000);
}

/* BT.2100 Table 5 / BT.2020: the luminance of BT.2020 linear RGB. */
static inline double colorref_bt2020_luminance(const double rgb[3])
{
    return 0.2627 * rgb[0] + 0.6780 * rgb[1] + 0.0593 * rgb[2];
}

/*
 * BT.2100-2 Table 5, the HLG OOTF: F_D = alpha * Y_S^(gamma-1) * E per
 * component, Y_S the scene luminance of E (BT.2020 weights), alpha = Lw
 * (the display's nominal peak, cd/m²), black Lb = 0 (the black lift of
 * BT.2100-2's beta is left out: the tests use Lb = 0). Scene E in [0,1] in,
 * display light in cd/m² out.
 */
static inline void colorref_hlg_ootf(const double e[3], double fd[3], double lw)
{
    const double gamma = colorref_hlg_gamma(lw);
    const double ys = colorref_bt2020_luminance(e);
    const double k = ys > 0 ? lw * pow(ys, gamma - 1) : 0;
    for (int i = 0; i < 3; i++)
        fd[i] = k * e[i];
}

/* Inverse OOTF: Y_D = Lw Y_S^gamma, so E = F_D / Lw * (Y_D / Lw)^((1-gamma)/gamma). */
static inline void colorref_hlg_inv_ootf(const double fd[3], double e[3], double lw)
{
    const double gamma = colorref_hlg_gamma(lw);
    const double yd = colorref_bt2020_luminance(fd);
    const double k = yd > 0 ? pow(yd / lw, (1 - gamma) / gamma) / lw : 0;
    for (int i = 0; i < 3; i++)
        e[i] = k * fd[i];
}

/* The HLG EOTF with Lb = 0 (BT.2100 Table 5): OOTF[OETF^-1[E']], cd/m². */
static inline void colorref_hlg_eotf(const double v[3], double fd[3], double lw)
{
    const double e[3] = { colorref_hlg_inv_oetf(v[0]), colorref_hlg_inv_oetf(v[1]),
                          colorref_hlg_inv_oetf(v[2]) };
    colorref_hlg_ootf(e, fd, lw);
}

static inline void colorref_hlg_inv_eotf(const double fd[3], double v[3], double lw)
{
    double e[3];
    colorref_hlg_inv_ootf(fd, e, lw);
    for (int i = 0; i < 3; i++)
        v[i] = colorref_hlg_oetf(e[i]);
}

/* -------------------------------------------------------------- matrices */

typedef struct ColorrefPrimaries {
    double rx, ry, gx, gy, bx, by;  /* CIE 1931 xy of the primaries */
    double wx, wy;                  /* and of the white point */
} ColorrefPrimaries;

#define COLORREF_D65_X 0.3127
#define COLORREF_D65_Y 0.3290

/* ITU-R BT.709-6 Part 1, items 1.3 and 1.4. */
static const ColorrefPrimaries colorref_bt709 = {
    0.640, 0.330, 0.300, 0.600, 0.150, 0.060, COLORREF_D65_X, COLORREF_D65_Y };
/* SMPTE ST 170M:2004 section 7 (BT.601 525-line; the "SMPTE C" primaries). */
static const ColorrefPrimaries colorref_bt601_525 = {
    0.630, 0.340, 0.310, 0.595, 0.155, 0.070, COLORREF_D65_X, COLORREF_D65_Y };
/* ITU-R BT.601-7 625-line / BT.470-6 System B, G / EBU Tech 3213. */
static const ColorrefPrimaries colorref_bt601_625 = {
    0.640, 0.330, 0.290, 0.600, 0.150, 0.060, COLORREF_D65_X, COLORREF_D65_Y };
/* Display P3: the DCI-P3 primaries of SMPTE RP 431-2 with the D65 white of
 * SMPTE EG 432-1 (FFmpeg's smpte432). */
static const ColorrefPrimaries colorref_p3_d65 = {
    0.680, 0.320, 0.265, 0.690, 0.150, 0.060, COLORREF_D65_X, COLORREF_D65_Y };
/* ITU-R BT.2020-2 Table 3 (also BT.2100). */
static const ColorrefPrimaries colorref_bt2020 = {
    0.708, 0.292, 0.170, 0.797, 0.131, 0.046, COLORREF_D65_X, COLORREF_D65_Y };

static inline double colorref_det3(double m[3][3])
{
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
           m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

/* inv = m^-1 by the adjugate (fine for the well-conditioned 3x3 here). */
static inline void colorref_mat3_inverse(double m[3][3], double inv[3][3])
{
    const double d = colorref_det3(m);
    double t[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            /* cofactor of m[j][i], transposed in place */
            const int r0 = (j + 1) % 3, r1 = (j + 2) % 3, c0 = (i + 1) % 3, c1 = (i + 2) % 3;
            t[i][j] = (m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0]) / d;
        }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            inv[i][j] = t[i][j];
}

/* out = a * b (out may alias neither). */
static inline void colorref_mat3_mul(double a[3][3], double b[3][3], double out[3][3])
{
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            out[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
}

/* out = m * v (out may alias v). */
static inline void colorref_mat3_apply(double m[3][3], const double v[3], double out[3])
{
    const double x = v[0], y = v[1], z = v[2];
    for (int i = 0; i < 3; i++)
        out[i] = m[i][0] * x + m[i][1] * y + m[i][2] * z;
}

/*
 * The RGB -> CIE XYZ matrix of a set of primaries (SMPTE RP 177-1993, the
 * normalised primary matrix): the columns are the primaries' XYZ (x/y, 1, (1-x-y)/y)
 * scaled so that RGB = (1,1,1) gives the white point's XYZ with Y = 1.
 * Its middle row is the luminance weights of the space.
 */
static inline void colorref_rgb_to_xyz(const ColorrefPrimaries *p, double m[3][3])
{
    const double xy[3][2] = { { p->rx, p->ry }, { p->gx, p->gy }, { p->bx, p->by } };
    const double w[3] = { p->wx / p->wy, 1, (1 - p->wx - p->wy) / p->wy };
    double prim[3][3], inv[3][3], s[3];

    for (int c = 0; c < 3; c++) {
        prim[0][c] = xy[c][0] / xy[c][1];
        prim[1][c] = 1;
        prim[2][c] = (1 - xy[c][0] - xy[c][1]) / xy[c][1];
    }
    colorref_mat3_inverse(prim, inv);
    colorref_mat3_apply(inv, w, s);
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++)
            m[r][c] = prim[r][c] * s[c];
}

static inline void colorref_xyz_to_rgb(const ColorrefPrimaries *p, double m[3][3])
{
    double f[3][3];
    colorref_rgb_to_xyz(p, f);
    colorref_mat3_inverse(f, m);
}

/*
 * Linear RGB of src -> linear RGB of dst through XYZ (same white: no
 * adaptation). Between identical primaries it is the exact identity, not
 * XYZ and back: that leaves off-diagonal residues near 1e-17, which a 1/2.4
 * power at black turns into 1e-7 of signal, and BT.709 -> BT.709 must be
 * the identity to the last bit.
 */
static inline void colorref_rgb_to_rgb(const ColorrefPrimaries *src, const ColorrefPrimaries *dst,
                                       double m[3][3])
{
    double a[3][3], b[3][3];
    if (src->rx == dst->rx && src->ry == dst->ry && src->gx == dst->gx && src->gy == dst->gy &&
        src->bx == dst->bx && src->by == dst->by && src->wx == dst->wx && src->wy == dst->wy) {
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                m[i][j] = i == j;
        return;
    }
    colorref_rgb_to_xyz(src, a);
    colorref_xyz_to_rgb(dst, b);
    colorref_mat3_mul(b, a, m);
}

/* ---------------------------------------------------------------- YCbCr */

typedef enum ColorrefMatrix {
    COLORREF_MATRIX_BT601,      /* BT.601-7 item 2.5.1 (also SMPTE 170M, BT.470 BG) */
    COLORREF_MATRIX_BT709,      /* BT.709-6 Part 1 item 3.2 */
    COLORREF_MATRIX_BT2020_NCL, /* BT.2020-2 Table 4 / BT.2100 Table 6, non-constant luminance */
} ColorrefMatrix;

/* Kr, Kb of each matrix as the standards publish them (not derived). */
static inline void colorref_matrix_k(ColorrefMatrix m, double *kr, double *kb)
{
    switch (m) {
    case COLORREF_MATRIX_BT601:      *kr = 0.299;  *kb = 0.114;  break;
    case COLORREF_MATRIX_BT709:      *kr = 0.2126; *kb = 0.0722; break;
    case COLORREF_MATRIX_BT2020_NCL: *kr = 0.2627; *kb = 0.0593; break;
    default:                         *kr = *kb = 0;              break;
    }
}

/*
 * E'Y = Kr R' + (1 - Kr - Kb) G' + Kb B',
 * E'Cb = (B' - E'Y) / (2 (1 - Kb)),  E'Cr = (R' - E'Y) / (2 (1 - Kr))
 * (BT.709-6 items 3.2-3.3, BT.2020 Table 4): Y' in [0,1], Cb/Cr in [-0.5,0.5].
 */
static inline void colorref_rgb_to_ycbcr(ColorrefMatrix m, const double rgb[3], double ycc[3])
{
    double kr, kb, y;
    colorref_matrix_k(m, &kr, &kb);
    y = kr * rgb[0] + (1 - kr - kb) * rgb[1] + kb * rgb[2];
    ycc[1] = (rgb[2] - y) / (2 * (1 - kb));
    ycc[2] = (rgb[0] - y) / (2 * (1 - kr));
    ycc[0] = y;
}

static inline void colorref_ycbcr_to_rgb(ColorrefMatrix m, const double ycc[3], double rgb[3])
{
    double kr, kb;
    const double y = ycc[0], cb = ycc[1], cr = ycc[2];
    colorref_matrix_k(m, &kr, &kb);
    rgb[0] = y + 2 * (1 - kr) * cr;
    rgb[2] = y + 2 * (1 - kb) * cb;
    rgb[1] = (y - kr * rgb[0] - kb * rgb[2]) / (1 - kr - kb);
}

/*
 * Quantisation to n-bit codes, 8 <= n <= 16, unrounded (the caller rounds
 * or compares; colorref_quantise_round() rounds as the standards do):
 *   limited ("narrow", BT.709-6 item 3.4, BT.2100-2 Table 9):
 *     DY = (219 Y' + 16) 2^(n-8),  DC = (224 C + 128) 2^(n-8)
 *   full (BT.2100-2 Table 9):
 *     DY = (2^n - 1) Y',           DC = (2^n - 1) C + 2^(n-1)
 */
static inline void colorref_ycbcr_quantise(const double ycc[3], double code[3], int bits, int full)
{
    if (full) {
        const double s = ldexp(1, bits) - 1, mid = ldexp(1, bits - 1);
        code[0] = s * ycc[0];
        code[1] = s * ycc[1] + mid;
        code[2] = s * ycc[2] + mid;
    } else {
        const double s = ldexp(1, bits - 8);
        code[0] = (219 * ycc[0] + 16) * s;
        code[1] = (224 * ycc[1] + 128) * s;
        code[2] = (224 * ycc[2] + 128) * s;
    }
}

static inline void colorref_ycbcr_dequantise(const double code[3], double ycc[3], int bits, int full)
{
    if (full) {
        const double s = ldexp(1, bits) - 1, mid = ldexp(1, bits - 1);
        ycc[0] = code[0] / s;
        ycc[1] = (code[1] - mid) / s;
        ycc[2] = (code[2] - mid) / s;
    } else {
        const double s = ldexp(1, bits - 8);
        ycc[0] = (code[0] / s - 16) / 219;
        ycc[1] = (code[1] / s - 128) / 224;
        ycc[2] = (code[2] / s - 128) / 224;
    }
}

/* The standards' Round(): to nearest, halves away from zero, clipped to the code range. */
static inline long colorref_quantise_round(double code, int bits)
{
    const double r = round(code), top = ldexp(1, bits) - 1;
    return (long)(r < 0 ? 0 : r > top ? top : r);
}

/* ------------------------------------------------------- BT.2390 EETF */

/* ITU-R BT.2408 Table 1: HDR reference white, cd/m² (58 % PQ, 75 % HLG). */
#define COLORREF_BT2408_REF_WHITE 203.0

/*
 * ITU-R BT.2390 section 5.4, the reference EETF for PQ, on a PQ signal
 * e (a component, or the I of ICtCp, or max(R,G,B): the report allows
 * each; that choice is the filter's) mastered on a display of black src_lb
 * / peak src_lw, shown on a display of black dst_lb / peak dst_lw, all in
 * cd/m²:
 *   E1 = (e - PQ(src_lb)) / (PQ(src_lw) - PQ(src_lb))           normalise
 *   minLum, maxLum = the target's black and peak normalised the same way
 *   KS = 1.5 maxLum - 0.5                                        knee start
 *   E2 = E1 below KS, else the Hermite spline
 *        P(E1) = (2T^3 - 3T^2 + 1) KS + (T^3 - 2T^2 + T)(1 - KS)
 *                + (-2T^3 + 3T^2) maxLum,  T = (E1 - KS) / (1 - KS)
 *   E3 = E2 + minLum (1 - E2)^4                                  black lift
 *   out = E3 (PQ(src_lw) - PQ(src_lb)) + PQ(src_lb)              denormalise
 * The spline starts at the knee with slope 1 and ends at maxLum with slope
 * 0, so the curve is monotonic and continuous, the identity below the knee
 * (when dst_lb = 0) and maps the source peak onto the target peak.
 * Input above the source peak is held at the peak (BT.2390 assumes none);
 * a KS below 0 (target under about a third of the source in PQ) is outside
 * what the report defines and is clamped to 0 here.
 */
static inline double colorref_bt2390_eetf(double e, double src_lb, double src_lw,
                                          double dst_lb, double dst_lw)
{
    const double pb = colorref_pq_inv_eotf(src_lb), pw = colorref_pq_inv_eotf(src_lw);
    const double min_lum = (colorref_pq_inv_eotf(dst_lb) - pb) / (pw - pb);
    const double max_lum = (colorref_pq_inv_eotf(dst_lw) - pb) / (pw - pb);
    const double ks = fmax(1.5 * max_lum - 0.5, 0);
    double e1 = (e - pb) / (pw - pb), e2;

    e1 = fmin(fmax(e1, 0), 1);
    if (e1 < ks) {
        e2 = e1;
    } else {
        const double t = (e1 - ks) / (1 - ks), t2 = t * t, t3 = t2 * t;
        e2 = (2 * t3 - 3 * t2 + 1) * ks + (t3 - 2 * t2 + t) * (1 - ks) +
             (-2 * t3 + 3 * t2) * max_lum;
    }
    e2 += min_lum * pow(1 - e2, 4);
    return e2 * (pw - pb) + pb;
}

/* The same EETF on luminance: cd/m² in, cd/m² out. */
static inline double colorref_bt2390_eetf_nits(double l, double src_lb, double src_lw,
                                               double dst_lb, double dst_lw)
{
    return colorref_pq_eotf(colorref_bt2390_eetf(colorref_pq_inv_eotf(l), src_lb, src_lw,
                                                 dst_lb, dst_lw));
}

/* ------------------------------------------------------ ICtCp, ΔE-ITP */

/*
 * ITU-R BT.2100-2 Table 6 (ICtCp), from linear BT.2020 RGB in absolute
 * cd/m² (PQ's 10000 cd/m² scale):
 *   LMS = [1688 2146 262; 683 2951 462; 99 309 3688] / 4096 * RGB
 *   L'M'S' = PQ^-1(LMS)
 *   I  = 0.5 L' + 0.5 M'
 *   Ct = ( 6610 L' - 13613 M' + 7003 S') / 4096
 *   Cp = (17933 L' - 17390 M' -  543 S') / 4096
 * Each LMS row sums to 4096, so a grey (R=G=B) has I = PQ^-1(its luminance)
 * and Ct = Cp = 0.
 */
static inline void colorref_ictcp(const double rgb2020_nits[3], double itp[3])
{
    static double lms_m[3][3] = {  /* not const: see "Matrices are" above */
        { 1688 / 4096.0, 2146 / 4096.0, 262 / 4096.0 },
        { 683 / 4096.0, 2951 / 4096.0, 462 / 4096.0 },
        { 99 / 4096.0, 309 / 4096.0, 3688 / 4096.0 },
    };
    double lms[3];
    colorref_mat3_apply(lms_m, rgb2020_nits, lms);
    for (int i = 0; i < 3; i++)
        lms[i] = colorref_pq_inv_eotf(lms[i]);
    itp[0] = 0.5 * lms[0] + 0.5 * lms[1];
    itp[1] = (6610 * lms[0] - 13613 * lms[1] + 7003 * lms[2]) / 4096;
    itp[2] = (17933 * lms[0] - 17390 * lms[1] - 543 * lms[2]) / 4096;
}

/*
 * ITU-R BT.2124-0: with T = 0.5 Ct and P = Cp,
 *   ΔE_ITP = 720 sqrt((I1-I2)^2 + (T1-T2)^2 + (P1-P2)^2);
 * 1 is about one just-noticeable difference.
 */
static inline double colorref_delta_e_itp(const double itp1[3], const double itp2[3])
{
    const double di = itp1[0] - itp2[0], dt = 0.5 * (itp1[1] - itp2[1]), dp = itp1[2] - itp2[2];
    return 720 * sqrt(di * di + dt * dt + dp * dp);
}

/* ΔE-ITP of two colours given as linear BT.2020 RGB in cd/m². */
static inline double colorref_delta_e_itp_rgb2020(const double a[3], const double b[3])
{
    double ia[3], ib[3];
    colorref_ictcp(a, ia);
    colorref_ictcp(b, ib);
    return colorref_delta_e_itp(ia, ib);
}

/* ----------------------------------------------- SDR -> BT.709 pipeline */

typedef enum ColorrefTransfer {
    COLORREF_TRC_BT1886,    /* BT.1886, Lb = 0: V^2.4 (what "bt709" means on a display) */
    COLORREF_TRC_SRGB,      /* IEC 61966-2-1 piecewise */
    COLORREF_TRC_GAMMA22,   /* pure power 2.2 */
} ColorrefTransfer;

/* The SDR input spaces of rec709norm (issue 3). */
typedef enum ColorrefSpace {
    COLORREF_SPACE_BT709,       /* BT.709 primaries, BT.1886 gamma 2.4, BT.709 matrix */
    COLORREF_SPACE_BT601_525,   /* SMPTE 170M primaries, BT.1886, BT.601 matrix */
    COLORREF_SPACE_BT601_625,   /* EBU / BT.470 BG primaries, BT.1886, BT.601 matrix */
    COLORREF_SPACE_SRGB,        /* BT.709 primaries, sRGB EOTF, BT.709 matrix */
    COLORREF_SPACE_GAMMA22,     /* BT.709 primaries, gamma 2.2, BT.709 matrix */
    COLORREF_SPACE_P3_D65,      /* Display P3 primaries, sRGB EOTF, BT.709 matrix */
    COLORREF_SPACE_BT2020_SDR,  /* BT.2020 primaries, BT.1886, BT.2020 NCL matrix */
    COLORREF_SPACE_NB,
} ColorrefSpace;

typedef struct ColorrefSpaceDesc {
    const char *name;
    const ColorrefPrimaries *primaries;
    ColorrefTransfer transfer;
    ColorrefMatrix matrix;
} ColorrefSpaceDesc;

/*
 * What each input space means to the reference. Transfers are display
 * EOTFs (the practitioners' rule: decode what the display would show):
 * BT.601 and BT.2020 SDR signals are shown through BT.1886 like BT.709
 * (BT.1886 covers them all). Display P3 is Apple's: sRGB's EOTF; its YCbCr
 * matrix, when it has one, is BT.709's in practice (a P3 clip tagged
 * otherwise is the caller's to describe with its own ColorrefSpaceDesc).
 */
static inline const ColorrefSpaceDesc *colorref_space(ColorrefSpace s)
{
    static const ColorrefSpaceDesc spaces[COLORREF_SPACE_NB] = {
        [COLORREF_SPACE_BT709]      = { "bt709", &colorref_bt709, COLORREF_TRC_BT1886, COLORREF_MATRIX_BT709 },
        [COLORREF_SPACE_BT601_525]  = { "bt601_525", &colorref_bt601_525, COLORREF_TRC_BT1886, COLORREF_MATRIX_BT601 },
        [COLORREF_SPACE_BT601_625]  = { "bt601_625", &colorref_bt601_625, COLORREF_TRC_BT1886, COLORREF_MATRIX_BT601 },
        [COLORREF_SPACE_SRGB]       = { "srgb", &colorref_bt709, COLORREF_TRC_SRGB, COLORREF_MATRIX_BT709 },
        [COLORREF_SPACE_GAMMA22]    = { "gamma22", &colorref_bt709, COLORREF_TRC_GAMMA22, COLORREF_MATRIX_BT709 },
        [COLORREF_SPACE_P3_D65]     = { "p3_d65", &colorref_p3_d65, COLORREF_TRC_SRGB, COLORREF_MATRIX_BT709 },
        [COLORREF_SPACE_BT2020_SDR] = { "bt2020_sdr", &colorref_bt2020, COLORREF_TRC_BT1886, COLORREF_MATRIX_BT2020_NCL },
    };
    return (unsigned)s < COLORREF_SPACE_NB ? &spaces[s] : 0;
}

/* Relative display light (1 = white) of a non-linear value. */
static inline double colorref_sdr_eotf(ColorrefTransfer t, double v)
{
    switch (t) {
    case COLORREF_TRC_SRGB:    return colorref_srgb_eotf(v);
    case COLORREF_TRC_GAMMA22: return colorref_gamma22_eotf(v);
    default:                   return colorref_bt1886_eotf(v, 1, 0);
    }
}

static inline double colorref_sdr_inv_eotf(ColorrefTransfer t, double l)
{
    switch (t) {
    case COLORREF_TRC_SRGB:    return colorref_srgb_inv_eotf(l);
    case COLORREF_TRC_GAMMA22: return colorref_gamma22_inv_eotf(l);
    default:                   return colorref_bt1886_inv_eotf(l, 1, 0);
    }
}

/* The output of every conversion: BT.709 / BT.1886 with Lb = 0, Lw = 100. */
#define COLORREF_SDR_WHITE 100.0

/*
 * colorref_convert(): non-linear R'G'B' of an input space (in [0,1]) to
 * BT.709 R'G'B' for a BT.1886 display (gamma 2.4, Lb = 0, Lw = 100):
 *   1. linearise with the input's EOTF (relative, 1 = its white),
 *   2. input RGB -> XYZ -> BT.709 RGB (matrices from primaries; all D65),
 *   3. clip each component to [0,1],
 *   4. encode with the inverse BT.1886 EOTF.
 * Step 3 is a hard clip on purpose: gamut mapping (perceptual by default)
 * is the filter's business; the reference clips and the accuracy tests
 * compare in-gamut colours (or measure with the clip in mind). Optionally
 * returns the unclipped linear BT.709 RGB in lin709 (NULL to skip), so a
 * test can tell an out-of-gamut colour.
 */
static inline void colorref_convert(ColorrefSpace space, const double in[3], double out[3],
                                    double lin709[3])
{
    const ColorrefSpaceDesc *d = colorref_space(space);
    double m[3][3], lin[3];

    for (int i = 0; i < 3; i++)
        lin[i] = colorref_sdr_eotf(d->transfer, in[i]);
    colorref_rgb_to_rgb(d->primaries, &colorref_bt709, m);
    colorref_mat3_apply(m, lin, lin);
    if (lin709)
        for (int i = 0; i < 3; i++)
            lin709[i] = lin[i];
    for (int i = 0; i < 3; i++)
        out[i] = colorref_bt1886_inv_eotf(fmin(fmax(lin[i], 0), 1), 1, 0);
}

/*
 * The same from n-bit Y'CbCr codes of the input (its own matrix, limited or
 * full range) to unrounded n-bit BT.709 Y'CbCr codes (out_bits, out_full):
 * what the filter's output is compared with.
 */
static inline void colorref_convert_ycbcr(ColorrefSpace space, const double code_in[3], int bits,
                                          int full, double code_out[3], int out_bits, int out_full)
{
    const ColorrefSpaceDesc *d = colorref_space(space);
    double ycc[3], rgb[3];

    colorref_ycbcr_dequantise(code_in, ycc, bits, full);
    colorref_ycbcr_to_rgb(d->matrix, ycc, rgb);
    colorref_convert(space, rgb, rgb, 0);
    colorref_rgb_to_ycbcr(COLORREF_MATRIX_BT709, rgb, ycc);
    colorref_ycbcr_quantise(ycc, code_out, out_bits, out_full);
}

/*
 * ΔE-ITP between two BT.709 / BT.1886 (Lb = 0, Lw = 100) R'G'B' colours,
 * as the accuracy tests measure the filter's output against the reference:
 * both decoded to display light, taken to BT.2020 in cd/m², ICtCp.
 */
static inline double colorref_delta_e_itp_bt709(const double rgb_a[3], const double rgb_b[3])
{
    double m[3][3], a[3], b[3];

    colorref_rgb_to_rgb(&colorref_bt709, &colorref_bt2020, m);
    for (int i = 0; i < 3; i++) {
        a[i] = colorref_bt1886_eotf(rgb_a[i], COLORREF_SDR_WHITE, 0);
        b[i] = colorref_bt1886_eotf(rgb_b[i], COLORREF_SDR_WHITE, 0);
    }
    colorref_mat3_apply(m, a, a);
    colorref_mat3_apply(m, b, b);
    return colorref_delta_e_itp_rgb2020(a, b);
}

#endif /* AIPOST_TEST_COLORREF_H */
