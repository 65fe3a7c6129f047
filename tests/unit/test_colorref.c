/*
 * Unit tests of the float64 colour reference (tests/common/colorref.h) that
 * rec709norm's accuracy tests measure against: each function against the
 * values its standard publishes, and every transfer and quantisation
 * against its own inverse. A wrong reference would pass a wrong filter, so
 * the figures here come from the standards' documents, not from the code.
 */

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../common/unit.h"
#include "../common/colorref.h"

#define SWEEP 10000

START_TEST(pq_known_values_and_round_trip)
{
    double worst = 0;

    /* ST 2084: E' = 0.5 is 92.2457 cd/m², 1.0 the 10000 cd/m² peak, 0 black. */
    ck_assert_msg(fabs(colorref_pq_eotf(0.5) - 92.2457) < 1e-3, "%.6f", colorref_pq_eotf(0.5));
    ck_assert_msg(fabs(colorref_pq_eotf(1.0) - 10000) < 1e-9, "%.12f", colorref_pq_eotf(1.0));
    ck_assert(colorref_pq_eotf(0) == 0);
    /* BT.2408 Table 1: 100 cd/m² at 51 % and 203 cd/m² at 58 % PQ. */
    ck_assert(fabs(colorref_pq_inv_eotf(100) - 0.5081) < 1e-4);
    ck_assert(fabs(colorref_pq_inv_eotf(COLORREF_BT2408_REF_WHITE) - 0.5807) < 1e-4);
    /* Signal -> light -> signal. Below c1^m2 (7.3e-7) every E' is black, so
     * the sweep starts at its first step. */
    for (int i = 1; i <= SWEEP; i++) {
        double e = (double)i / SWEEP;
        worst = fmax(worst, fabs(colorref_pq_inv_eotf(colorref_pq_eotf(e)) - e));
    }
    ck_assert_msg(worst < 1e-12, "PQ signal round trip %g", worst);
    /* Light -> signal -> light, relative, 0.001 .. 10000 cd/m². */
    worst = 0;
    for (int i = 0; i <= SWEEP; i++) {
        double l = pow(10, -3 + 7.0 * i / SWEEP);
        worst = fmax(worst, fabs(colorref_pq_eotf(colorref_pq_inv_eotf(l)) / l - 1));
    }
    ck_assert_msg(worst < 1e-11, "PQ light round trip %g", worst);
}
END_TEST

START_TEST(hlg_known_values_and_round_trip)
{
    double worst = 0;

    /* BT.2100 Table 5: the square-root piece ends at exactly 0.5 at 1/12,
     * where the log piece (which a, b, c were chosen for) meets it, and the
     * log piece reaches 1.0 at E = 1 (to the 8 digits of a). */
    ck_assert(colorref_hlg_oetf(1.0 / 12) == 0.5);
    ck_assert(fabs(COLORREF_HLG_A * log(12 * (1.0 / 12) - COLORREF_HLG_B) + COLORREF_HLG_C - 0.5) < 1e-12);
    ck_assert_msg(fabs(colorref_hlg_oetf(1) - 1) < 1e-7, "%.12f", colorref_hlg_oetf(1));
    ck_assert(fabs(COLORREF_HLG_B - 0.28466892) < 1e-8);
    ck_assert(fabs(COLORREF_HLG_C - 0.55991073) < 1e-8);
    for (int i = 0; i <= SWEEP; i++) {
        double e = (double)i / SWEEP;
        worst = fmax(worst, fabs(colorref_hlg_inv_oetf(colorref_hlg_oetf(e)) - e));
        worst = fmax(worst, fabs(colorref_hlg_oetf(colorref_hlg_inv_oetf(e)) - e));
    }
    ck_assert_msg(worst < 1e-12, "HLG OETF round trip %g", worst);

    /* System gamma: 1.2 at 1000 cd/m², 1.2 + 0.42 log10(2) at 2000. */
    ck_assert(fabs(colorref_hlg_gamma(1000) - 1.2) < 1e-15);
    ck_assert(fabs(colorref_hlg_gamma(2000) - 1.32644) < 1e-5);
    {
        /* BT.2408 Table 1: HDR reference white (203 cd/m²) is 75 % HLG on a
         * 1000 cd/m² display; the OOTF of a grey is Lw * E^1.2; peak to Lw. */
        const double v75[3] = { 0.75, 0.75, 0.75 }, one[3] = { 1, 1, 1 };
        double fd[3], back[3];
        colorref_hlg_eotf(v75, fd, 1000);
        ck_assert_msg(fabs(fd[1] / COLORREF_BT2408_REF_WHITE - 1) < 0.005, "75%% HLG = %.3f cd/m²", fd[1]);
        /* Peak: 1000 up to the 8 digits of a (OETF(1) = 1 - 5e-9). */
        colorref_hlg_eotf(one, fd, 1000);
        ck_assert_msg(fabs(fd[0] - 1000) < 1e-4, "%.9f", fd[0]);
        /* OOTF / inverse OOTF / EOTF round trips on colours, at three peaks. */
        worst = 0;
        for (int p = 0; p < 3; p++) {
            const double lw[3] = { 400, 1000, 2000 };
            for (int i = 0; i < 1000; i++) {
                double v[3] = { (rnd() % 1000 + 1) / 1000.0, (rnd() % 1001) / 1000.0,
                                (rnd() % 1001) / 1000.0 };
                colorref_hlg_eotf(v, fd, lw[p]);
                colorref_hlg_inv_eotf(fd, back, lw[p]);
                for (int c = 0; c < 3; c++)
                    worst = fmax(worst, fabs(back[c] - v[c]));
            }
        }
        ck_assert_msg(worst < 1e-12, "HLG EOTF round trip %g", worst);
    }
}
END_TEST

START_TEST(sdr_transfers_and_round_trips)
{
    double worst = 0;

    /* BT.1886 with Lb = 0 is exactly Lw V^2.4; with a black it spans Lb..Lw. */
    for (int i = 0; i <= 100; i++) {
        double v = i / 100.0;
        ck_assert(fabs(colorref_bt1886_eotf(v, 100, 0) - 100 * pow(v, 2.4)) < 1e-12);
    }
    ck_assert(fabs(colorref_bt1886_eotf(0, 100, 0.1) - 0.1) < 1e-12);
    ck_assert(fabs(colorref_bt1886_eotf(1, 100, 0.1) - 100) < 1e-12);
    /* BT.709 OETF: 4.5 L below 0.018; the power piece gives 1 at L = 1. */
    ck_assert(fabs(colorref_bt709_oetf(0.01) - 0.045) < 1e-15);
    ck_assert(fabs(colorref_bt709_oetf(1) - 1) < 1e-15);
    ck_assert(fabs(colorref_bt709_oetf(0.018) - 0.0813) < 1e-4);
    /* sRGB: the two pieces meet at 0.04045 / 0.0031308 (to the constants'
     * precision) and white is 1. */
    ck_assert(fabs(0.04045 / 12.92 - pow((0.04045 + 0.055) / 1.055, 2.4)) < 1e-7);
    ck_assert(fabs(colorref_srgb_eotf(1) - 1) < 1e-15);
    ck_assert(fabs(colorref_srgb_eotf(0.5) - 0.214041) < 1e-6);

    /* Every transfer both ways over the whole range; BT.709's the way it is
     * invertible (light -> signal -> light, see its comment). */
    for (int i = 0; i <= SWEEP; i++) {
        double x = (double)i / SWEEP;
        worst = fmax(worst, fabs(colorref_bt1886_inv_eotf(colorref_bt1886_eotf(x, 100, 0), 100, 0) - x));
        worst = fmax(worst, fabs(colorref_bt1886_inv_eotf(colorref_bt1886_eotf(x, 250, 0.05), 250, 0.05) - x));
        worst = fmax(worst, fabs(colorref_bt1886_eotf(colorref_bt1886_inv_eotf(x * 100, 100, 0), 100, 0) / 100 - x));
        worst = fmax(worst, fabs(colorref_bt709_inv_oetf(colorref_bt709_oetf(x)) - x));
        worst = fmax(worst, fabs(colorref_srgb_inv_eotf(colorref_srgb_eotf(x)) - x));
        worst = fmax(worst, fabs(colorref_srgb_eotf(colorref_srgb_inv_eotf(x)) - x));
        worst = fmax(worst, fabs(colorref_gamma22_inv_eotf(colorref_gamma22_eotf(x)) - x));
        worst = fmax(worst, fabs(colorref_gamma22_eotf(colorref_gamma22_inv_eotf(x)) - x));
    }
    ck_assert_msg(worst < 1e-12, "SDR transfer round trip %g", worst);
}
END_TEST

static void check_row(const double got[3], const double want[3], double tol, const char *what)
{
    for (int i = 0; i < 3; i++)
        ck_assert_msg(fabs(got[i] - want[i]) < tol, "%s[%d]: %.6f vs %.6f", what, i, got[i], want[i]);
}

START_TEST(matrices_from_primaries)
{
    /* Luminance rows as the standards publish them: BT.709 item 3.2,
     * BT.2020 Table 4, and Display P3's (derived in SMPTE EG 432-1). */
    static const double y709[3] = { 0.2126, 0.7152, 0.0722 };
    static const double y2020[3] = { 0.2627, 0.6780, 0.0593 };
    static const double yp3[3] = { 0.2290, 0.6917, 0.0793 };
    /* The matrix BT.2087-0 publishes for linear BT.709 -> BT.2020. */
    static const double bt2087[3][3] = {
        { 0.6274, 0.3293, 0.0433 }, { 0.0691, 0.9195, 0.0114 }, { 0.0164, 0.0880, 0.8956 },
    };
    const ColorrefPrimaries *all[] = { &colorref_bt709, &colorref_bt601_525, &colorref_bt601_625,
                                       &colorref_p3_d65, &colorref_bt2020 };
    double m[3][3], inv[3][3], id[3][3];

    colorref_rgb_to_xyz(&colorref_bt709, m);
    check_row(m[1], y709, 1e-4, "BT.709 Y");
    colorref_rgb_to_xyz(&colorref_bt2020, m);
    check_row(m[1], y2020, 1e-4, "BT.2020 Y");
    colorref_rgb_to_xyz(&colorref_p3_d65, m);
    check_row(m[1], yp3, 1e-4, "P3 Y");
    colorref_rgb_to_rgb(&colorref_bt709, &colorref_bt2020, m);
    for (int r = 0; r < 3; r++)
        check_row(m[r], bt2087[r], 1e-4, "BT.2087");

    for (size_t s = 0; s < sizeof(all) / sizeof(all[0]); s++) {
        const double white[3] = { 1, 1, 1 };
        const double d65[3] = { COLORREF_D65_X / COLORREF_D65_Y, 1,
                                (1 - COLORREF_D65_X - COLORREF_D65_Y) / COLORREF_D65_Y };
        double xyz[3];
        /* RGB white is D65 with Y = 1, and each primary lands on its xy. */
        colorref_rgb_to_xyz(all[s], m);
        colorref_mat3_apply(m, white, xyz);
        check_row(xyz, d65, 1e-14, "white");
        ck_assert(fabs(m[0][0] / (m[0][0] + m[1][0] + m[2][0]) - all[s]->rx) < 1e-14);
        ck_assert(fabs(m[1][1] / (m[0][1] + m[1][1] + m[2][1]) - all[s]->gy) < 1e-14);
        ck_assert(fabs(m[2][2] / (m[0][2] + m[1][2] + m[2][2]) - (1 - all[s]->bx - all[s]->by)) < 1e-14);
        /* The inverse is an inverse. */
        colorref_mat3_inverse(m, inv);
        colorref_mat3_mul(inv, m, id);
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
                ck_assert(fabs(id[r][c] - (r == c)) < 1e-14);
        /* To every other space and back is the identity; white stays white. */
        for (size_t t = 0; t < sizeof(all) / sizeof(all[0]); t++) {
            double a[3][3], b[3][3], w[3];
            colorref_rgb_to_rgb(all[s], all[t], a);
            colorref_rgb_to_rgb(all[t], all[s], b);
            colorref_mat3_mul(b, a, id);
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++)
                    ck_assert(fabs(id[r][c] - (r == c)) < 1e-13);
            colorref_mat3_apply(a, white, w);
            check_row(w, white, 1e-14, "white to white");
        }
    }
}
END_TEST

START_TEST(ycbcr_quantisation)
{
    const double white[3] = { 1, 1, 1 }, black[3] = { 0, 0, 0 }, red[3] = { 1, 0, 0 };
    double ycc[3], code[3], back[3];

    for (int m = COLORREF_MATRIX_BT601; m <= COLORREF_MATRIX_BT2020_NCL; m++) {
        /* Limited range (BT.709 item 3.4): white 235/128/128, black 16/128/128
         * at 8 bits, times 4 at 10 bits; full range white 255 / 1023. */
        colorref_rgb_to_ycbcr(m, white, ycc);
        colorref_ycbcr_quantise(ycc, code, 8, 0);
        check_row(code, (const double[3]){ 235, 128, 128 }, 1e-12, "8-bit white");
        colorref_ycbcr_quantise(ycc, code, 10, 0);
        check_row(code, (const double[3]){ 940, 512, 512 }, 1e-12, "10-bit white");
        colorref_ycbcr_quantise(ycc, code, 8, 1);
        check_row(code, (const double[3]){ 255, 128, 128 }, 1e-12, "8-bit full white");
        colorref_ycbcr_quantise(ycc, code, 10, 1);
        check_row(code, (const double[3]){ 1023, 512, 512 }, 1e-12, "10-bit full white");
        colorref_rgb_to_ycbcr(m, black, ycc);
        colorref_ycbcr_quantise(ycc, code, 8, 0);
        check_row(code, (const double[3]){ 16, 128, 128 }, 1e-12, "8-bit black");
        colorref_ycbcr_quantise(ycc, code, 10, 0);
        check_row(code, (const double[3]){ 64, 512, 512 }, 1e-12, "10-bit black");
        /* Primaries reach the chroma extremes: Cr of red is +0.5 -> 240. */
        colorref_rgb_to_ycbcr(m, red, ycc);
        ck_assert(fabs(ycc[2] - 0.5) < 1e-15);
        colorref_ycbcr_quantise(ycc, code, 8, 0);
        ck_assert(fabs(code[2] - 240) < 1e-12);
    }
    /* BT.709 100 % red, 8-bit limited: the 63/102/240 of colour-bar tables. */
    colorref_rgb_to_ycbcr(COLORREF_MATRIX_BT709, red, ycc);
    colorref_ycbcr_quantise(ycc, code, 8, 0);
    ck_assert(colorref_quantise_round(code[0], 8) == 63);
    ck_assert(colorref_quantise_round(code[1], 8) == 102);
    ck_assert(colorref_quantise_round(code[2], 8) == 240);

    /* Every code at 8 and 10 bits, a stride at 12..16, both ranges: code ->
     * Y'CbCr -> code is the same code (exact up to float rounding and
     * rounding back to it). */
    for (int bits = 8; bits <= 16; bits++) {
        const long n = 1L << bits, step = bits <= 10 ? 1 : n / 997;
        for (int full = 0; full <= 1; full++)
            for (long c = 0; c < n; c += step) {
                double in[3] = { (double)c, (double)c, (double)(n - 1 - c) };
                colorref_ycbcr_dequantise(in, ycc, bits, full);
                colorref_ycbcr_quantise(ycc, code, bits, full);
                for (int i = 0; i < 3; i++) {
                    ck_assert_msg(fabs(code[i] - in[i]) < 1e-9, "%d bits full=%d code %ld: %.12f",
                                  bits, full, c, code[i]);
                    ck_assert(colorref_quantise_round(code[i], bits) == (long)in[i]);
                }
            }
    }
    /* R'G'B' -> Y'CbCr -> R'G'B' for each matrix. */
    for (int m = COLORREF_MATRIX_BT601; m <= COLORREF_MATRIX_BT2020_NCL; m++)
        for (int i = 0; i < 1000; i++) {
            double rgb[3] = { (rnd() % 4097) / 4096.0, (rnd() % 4097) / 4096.0, (rnd() % 4097) / 4096.0 };
            colorref_rgb_to_ycbcr(m, rgb, ycc);
            colorref_ycbcr_to_rgb(m, ycc, back);
            check_row(back, rgb, 1e-14, "RGB round trip");
        }
    /* Rounding clips to the code range. */
    ck_assert(colorref_quantise_round(-3.2, 10) == 0 && colorref_quantise_round(1030, 10) == 1023);
    ck_assert(colorref_quantise_round(2.5, 8) == 3);
}
END_TEST

START_TEST(bt2390_eetf)
{
    /* Source peak -> target peak, in cd/m²: the usual HDR10 masters onto SDR
     * and onto a 1000-nit screen. */
    static const double cases[][2] = { { 1000, 100 }, { 4000, 100 }, { 10000, 1000 }, { 1000, 600 } };

    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        const double src = cases[k][0], dst = cases[k][1];
        /* PQ's black is E' = c1^m2 (7.3e-7), not 0: the EETF normalises from it. */
        const double pb = colorref_pq_inv_eotf(0), pw = colorref_pq_inv_eotf(src);
        const double ks = 1.5 * (colorref_pq_inv_eotf(dst) - pb) / (pw - pb) - 0.5;
        double prev = -1;

        ck_assert(fabs(colorref_bt2390_eetf_nits(0, 0, src, 0, dst)) < 1e-12);
        ck_assert_msg(fabs(colorref_bt2390_eetf_nits(src, 0, src, 0, dst) / dst - 1) < 1e-12,
                      "%g -> %g: peak to %.9f", src, dst, colorref_bt2390_eetf_nits(src, 0, src, 0, dst));
        for (int i = 0; i <= SWEEP; i++) {
            const double e = pb + (pw - pb) * i / SWEEP, out = colorref_bt2390_eetf(e, 0, src, 0, dst);
            ck_assert(isfinite(out));
            ck_assert_msg(out >= prev, "%g -> %g not monotonic at %g", src, dst, e);
            ck_assert(out <= colorref_pq_inv_eotf(dst) + 1e-15);
            /* Identity below the knee start KS (normalised by the source peak). */
            if ((e - pb) / (pw - pb) < ks)
                ck_assert_msg(fabs(out - e) < 1e-15, "%g -> %g: %g moved below the knee", src, dst, e);
            else
                ck_assert(out <= e + 1e-15);
            prev = out;
        }
        /* Slope 1 into the spline at KS: no kink (finite differences). */
        {
            const double h = 1e-6, at = pb + ks * (pw - pb);
            const double d = (colorref_bt2390_eetf(at + h, 0, src, 0, dst) - colorref_bt2390_eetf(at, 0, src, 0, dst)) / h;
            ck_assert_msg(fabs(d - 1) < 1e-4, "%g -> %g: slope %g at the knee", src, dst, d);
        }
    }
    /* A target black: source black lands on it; the lift minLum (1 - E2)^4
     * also raises the peak: 100.69 cd/m² for 1000 -> 0.1..100 (BT.2390's
     * own price for lifting the blacks). */
    ck_assert(fabs(colorref_bt2390_eetf_nits(0, 0, 1000, 0.1, 100) - 0.1) < 1e-9);
    {
        const double peak = colorref_bt2390_eetf_nits(1000, 0, 1000, 0.1, 100);
        ck_assert_msg(peak > 100 && peak < 101, "%.4f", peak);
    }
    /* Where BT.2408 HDR reference white goes under a 1000 -> 100 EETF, for
     * the filter's documentation (not a standard's figure). */
    printf("colorref: BT.2390 1000->100 cd/m² maps 203 cd/m² to %.3f cd/m²\n",
           colorref_bt2390_eetf_nits(COLORREF_BT2408_REF_WHITE, 0, 1000, 0, 100));
}
END_TEST

START_TEST(ictcp_and_delta_e_itp)
{
    double itp[3], a[3], b[3];

    /* Greys: Ct = Cp = 0 and I = the PQ signal of their luminance. */
    for (int i = 1; i <= 100; i++) {
        const double l = 100.0 * i, g[3] = { l, l, l };
        colorref_ictcp(g, itp);
        ck_assert(fabs(itp[0] - colorref_pq_inv_eotf(l)) < 1e-12);
        ck_assert(fabs(itp[1]) < 1e-12 && fabs(itp[2]) < 1e-12);
    }
    /* Identical colours: 0; and ΔE is symmetric. */
    {
        const double c1[3] = { 30, 60, 9 }, c2[3] = { 31, 59, 10 };
        ck_assert(colorref_delta_e_itp_rgb2020(c1, c1) == 0);
        ck_assert(colorref_delta_e_itp_rgb2020(c1, c2) == colorref_delta_e_itp_rgb2020(c2, c1));
    }
    /* One 10-bit PQ code of grey near 100 cd/m²: ΔI = 1/876 (limited) or
     * 1/1023 (full), so ΔE = 720/876 = 0.822 and 720/1023 = 0.704, about the
     * visibility threshold BT.2124 places near 1. */
    for (int full = 0; full <= 1; full++) {
        const double scale = full ? 1023 : 876, off = full ? 0 : 64;
        const double c = round(off + scale * colorref_pq_inv_eotf(100));
        const double l1 = colorref_pq_eotf((c - off) / scale), l2 = colorref_pq_eotf((c + 1 - off) / scale);
        double de;
        for (int i = 0; i < 3; i++) {
            a[i] = l1;
            b[i] = l2;
        }
        de = colorref_delta_e_itp_rgb2020(a, b);
        printf("colorref: 10-bit %s PQ grey code %.0f (%.2f cd/m²) +1: ΔE-ITP %.4f\n",
               full ? "full" : "limited", c, l1, de);
        ck_assert_msg(fabs(de - 720 / scale) < 1e-9, "%.6f", de);
    }
    /* The SDR measure the accuracy tests use: one 8-bit code of BT.709 grey
     * at mid level (19 cd/m²) is 1.16, so 8-bit output has to be on the
     * reference's code nearly everywhere to meet a mean of 0.5; black vs
     * white is large. */
    {
        const double g1[3] = { 128 / 255.0, 128 / 255.0, 128 / 255.0 };
        const double g2[3] = { 129 / 255.0, 129 / 255.0, 129 / 255.0 };
        const double k[3] = { 0, 0, 0 }, w[3] = { 1, 1, 1 };
        const double de = colorref_delta_e_itp_bt709(g1, g2);
        printf("colorref: 8-bit BT.709 grey 128 -> 129 at 100 cd/m²: ΔE-ITP %.4f\n", de);
        ck_assert_msg(de > 1.1 && de < 1.2, "%.4f", de);
        ck_assert(colorref_delta_e_itp_bt709(k, w) > 100);
    }
}
END_TEST

START_TEST(convert_sdr_pipeline)
{
    double worst = 0, out[3], lin[3];

    /* BT.709 in is BT.709 out: the identity (up to float rounding). */
    for (int r = 0; r <= 16; r++)
        for (int g = 0; g <= 16; g++)
            for (int b = 0; b <= 16; b++) {
                const double in[3] = { r / 16.0, g / 16.0, b / 16.0 };
                colorref_convert(COLORREF_SPACE_BT709, in, out, NULL);
                for (int i = 0; i < 3; i++)
                    worst = fmax(worst, fabs(out[i] - in[i]));
            }
    ck_assert_msg(worst < 1e-12, "BT.709 identity off by %g", worst);
    /* and in codes: every 10-bit limited grey stays on its code, and so does
     * a colour near it (from Y' = 0.16 on, where its R'G'B' is in range). */
    for (int c = 64; c <= 940; c++) {
        const int tint = c >= 200 && c <= 800;
        const double in[3] = { c, 512 + tint * ((c % 7) - 3), 512 - tint * ((c % 5) - 2) };
        double code[3];
        colorref_convert_ycbcr(COLORREF_SPACE_BT709, in, 10, 0, code, 10, 0);
        for (int i = 0; i < 3; i++)
            ck_assert_msg(fabs(code[i] - in[i]) < 1e-9, "code %d: %.12f", c, code[i]);
    }

    for (int s = 0; s < COLORREF_SPACE_NB; s++) {
        const ColorrefSpaceDesc *d = colorref_space(s);
        /* Every space has D65 white: white stays white, black black, and a
         * grey stays grey with the luminance its EOTF gives. */
        for (int i = 0; i <= 20; i++) {
            const double v = i / 20.0, in[3] = { v, v, v };
            const double want = colorref_bt1886_inv_eotf(colorref_sdr_eotf(d->transfer, v), 1, 0);
            colorref_convert(s, in, out, NULL);
            for (int c = 0; c < 3; c++)
                ck_assert_msg(fabs(out[c] - want) < 1e-12, "%s grey %g: %.15f vs %.15f",
                              d->name, v, out[c], want);
        }
        /* Output is in [0,1] whatever the input's gamut. */
        for (int i = 0; i < 1000; i++) {
            const double in[3] = { (rnd() % 256) / 255.0, (rnd() % 256) / 255.0, (rnd() % 256) / 255.0 };
            colorref_convert(s, in, out, lin);
            for (int c = 0; c < 3; c++)
                ck_assert(out[c] >= 0 && out[c] <= 1 && isfinite(lin[c]));
        }
    }
    /* Wider gamuts' pure green lies outside BT.709 (a negative red and
     * blue) and is clipped; BT.709's inside BT.2020 is recovered. */
    {
        const double green[3] = { 0, 1, 0 };
        double m[3][3], g709in2020[3], g2020[3];
        colorref_convert(COLORREF_SPACE_P3_D65, green, out, lin);
        ck_assert(lin[0] < -0.2 && lin[2] < -0.01 && out[0] == 0 && out[2] == 0);
        colorref_convert(COLORREF_SPACE_BT2020_SDR, green, out, lin);
        ck_assert(lin[0] < -0.5 && out[0] == 0 && out[1] == 1);
        /* BT.709 green expressed in BT.2020 and brought back: itself, in
         * linear light (its zeros come back as 1e-17, which the encoding's
         * 1/2.4 power would make 1e-7). */
        colorref_rgb_to_rgb(&colorref_bt709, &colorref_bt2020, m);
        colorref_mat3_apply(m, green, g709in2020);
        for (int i = 0; i < 3; i++)
            g2020[i] = colorref_bt1886_inv_eotf(g709in2020[i], 1, 0);
        colorref_convert(COLORREF_SPACE_BT2020_SDR, g2020, out, lin);
        check_row(lin, green, 1e-12, "BT.709 green via BT.2020");
    }
    /* sRGB and gamma 2.2 differ from BT.709 only in the transfer: 50 % sRGB
     * is 21.4 % light, which BT.1886 encodes as 0.5264. */
    {
        const double half[3] = { 0.5, 0.5, 0.5 };
        colorref_convert(COLORREF_SPACE_SRGB, half, out, NULL);
        ck_assert_msg(fabs(out[0] - pow(0.214041, 1 / 2.4)) < 1e-5, "%.6f", out[0]);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("colorref");
    TCase *tc = tcase_create("reference");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, pq_known_values_and_round_trip);
    tcase_add_test(tc, hlg_known_values_and_round_trip);
    tcase_add_test(tc, sdr_transfers_and_round_trips);
    tcase_add_test(tc, matrices_from_primaries);
    tcase_add_test(tc, ycbcr_quantisation);
    tcase_add_test(tc, bt2390_eetf);
    tcase_add_test(tc, ictcp_and_delta_e_itp);
    tcase_add_test(tc, convert_sdr_pipeline);
    suite_add_tcase(s, tc);

    return unit_run(s);
}
