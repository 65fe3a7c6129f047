/*
 * qcdetect's picture report: see plot.h.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

/* Light shades for events so that the measurement line stays visible over
 * them; severity reads as yellow, orange, red. */
const uint8_t aip_plot_palette[AIP_PLOT_NB_COLOURS][3] = {
    [AIP_PLOT_BG]        = { 255, 255, 255 },
    [AIP_PLOT_TEXT]      = {  32,  32,  32 },
    [AIP_PLOT_STRIP]     = { 244, 244, 244 },
    [AIP_PLOT_GRID]      = { 222, 222, 222 },
    [AIP_PLOT_AXIS]      = { 140, 140, 140 },
    [AIP_PLOT_LINE]      = {  30,  80, 200 },
    [AIP_PLOT_THRESHOLD] = {  96,  96,  96 },
    [AIP_PLOT_MINOR]     = { 255, 226, 120 },
    [AIP_PLOT_MAJOR]     = { 255, 170,  80 },
    [AIP_PLOT_CRITICAL]  = { 255, 110, 110 },
    [AIP_PLOT_PASS]      = {  20, 140,  60 },
    [AIP_PLOT_FAIL]      = { 200,  30,  30 },
};

/* 5 x 7 glyphs from ' ' to '_': one byte a row, bit 4 the leftmost column.
 * Characters left out (all rows 0 but the space) are drawn as '?'. */
static const uint8_t font[64][7] = {
    [' ' - 32] = { 0 },
    ['%' - 32] = { 0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03 },
    ['(' - 32] = { 0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02 },
    [')' - 32] = { 0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08 },
    ['+' - 32] = { 0x00, 0x04, 0x04, 0x1f, 0x04, 0x04, 0x00 },
    [',' - 32] = { 0x00, 0x00, 0x00, 0x00, 0x0c, 0x04, 0x08 },
    ['-' - 32] = { 0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00 },
    ['.' - 32] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c },
    ['/' - 32] = { 0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x10 },
    ['0' - 32] = { 0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e },
    ['1' - 32] = { 0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e },
    ['2' - 32] = { 0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f },
    ['3' - 32] = { 0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e },
    ['4' - 32] = { 0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02 },
    ['5' - 32] = { 0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e },
    ['6' - 32] = { 0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e },
    ['7' - 32] = { 0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 },
    ['8' - 32] = { 0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e },
    ['9' - 32] = { 0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c },
    [':' - 32] = { 0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00 },
    ['<' - 32] = { 0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02 },
    ['=' - 32] = { 0x00, 0x00, 0x1f, 0x00, 0x1f, 0x00, 0x00 },
    ['>' - 32] = { 0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08 },
    ['?' - 32] = { 0x0e, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04 },
    ['A' - 32] = { 0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11 },
    ['B' - 32] = { 0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e },
    ['C' - 32] = { 0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e },
    ['D' - 32] = { 0x1e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1e },
    ['E' - 32] = { 0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f },
    ['F' - 32] = { 0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10 },
    ['G' - 32] = { 0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f },
    ['H' - 32] = { 0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11 },
    ['I' - 32] = { 0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e },
    ['J' - 32] = { 0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c },
    ['K' - 32] = { 0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11 },
    ['L' - 32] = { 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f },
    ['M' - 32] = { 0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11 },
    ['N' - 32] = { 0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11 },
    ['O' - 32] = { 0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e },
    ['P' - 32] = { 0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10 },
    ['Q' - 32] = { 0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d },
    ['R' - 32] = { 0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11 },
    ['S' - 32] = { 0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e },
    ['T' - 32] = { 0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04 },
    ['U' - 32] = { 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e },
    ['V' - 32] = { 0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04 },
    ['W' - 32] = { 0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a },
    ['X' - 32] = { 0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11 },
    ['Y' - 32] = { 0x11, 0x11, 0x0a, 0x04, 0x04, 0x04, 0x04 },
    ['Z' - 32] = { 0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f },
    ['_' - 32] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f },
};

#define CELL_W 6
#define CELL_H 9

static const uint8_t *glyph(char ch)
{
    int c = (unsigned char)ch;
    const uint8_t *g;

    if (c >= 'a' && c <= 'z')
        c -= 'a' - 'A';
    if (c < 32 || c > 95)
        return font['?' - 32];
    g = font[c - 32];
    if (c != ' ' && !(g[0] | g[1] | g[2] | g[3] | g[4] | g[5] | g[6]))
        return font['?' - 32];
    return g;
}

void aip_plot_fill(AIPPlotImage *img, int x, int y, int w, int h, int colour)
{
    const int x1 = x + w < img->width ? x + w : img->width;
    const int y1 = y + h < img->height ? y + h : img->height;

    if (x < 0)
        x = 0;
    if (y < 0)
        y = 0;
    for (int j = y; j < y1; j++)
        for (int i = x; i < x1; i++)
            img->px[j * img->stride + i] = (uint8_t)colour;
}

int aip_plot_text_width(const char *s, int scale)
{
    return (int)strlen(s) * CELL_W * scale;
}

int aip_plot_text(AIPPlotImage *img, int x, int y, const char *s, int colour, int scale)
{
    const int x_start = x;

    for (; *s; s++, x += CELL_W * scale) {
        const uint8_t *g = glyph(*s);
        for (int row = 0; row < 7; row++)
            for (int col = 0; col < 5; col++)
                if (g[row] >> (4 - col) & 1)
                    aip_plot_fill(img, x + col * scale, y + row * scale, scale, scale, colour);
    }
    return x - x_start;
}

int aip_plot_x(double t, double t0, double t1)
{
    double x = floor((t - t0) / (t1 - t0) * AIP_PLOT_AREA_W);

    if (!(x >= 0))              /* also NAN */
        x = 0;
    if (x > AIP_PLOT_AREA_W - 1)
        x = AIP_PLOT_AREA_W - 1;
    return AIP_PLOT_X0 + (int)x;
}

/* The value at the top edge of a strip. Around the threshold, so that a
 * reader sees at once how far above it a peak went: twice the threshold,
 * or the peak when higher, but not above six times the threshold (higher
 * peaks are cut at the top edge; their event is shaded critical anyway). */
static double strip_top(double threshold, double peak)
{
    if (threshold > 0) {
        double top = 2 * threshold;
        if (peak > top)
            top = peak < 6 * threshold ? peak : 6 * threshold;
        return top;
    }
    return peak > 0 ? peak : 1;
}

/* Print a value in at most a few characters: 0.15, 7.6, 250. */
static void format_value(char *buf, size_t size, double v)
{
    snprintf(buf, size, "%.3g", v);
}

static void draw_strip(AIPPlotImage *img, const AIPPlotReport *r, const AIPPlotStrip *st,
                       int top, float *column)
{
    const int bottom = top + AIP_PLOT_STRIP_H - 1;
    const int inner_h = AIP_PLOT_STRIP_H - 4;
    double peak = 0, ymax;
    char text[40], num[16];
    int prev_y = -1;

    aip_plot_fill(img, AIP_PLOT_X0, top, AIP_PLOT_AREA_W, AIP_PLOT_STRIP_H, AIP_PLOT_STRIP);

    for (int i = 0; i < st->nb_spans; i++) {
        const AIPPlotSpan *sp = &st->spans[i];
        const int x0 = aip_plot_x(sp->start, r->t0, r->t1);
        const int x1 = sp->end > sp->start ? aip_plot_x(sp->end, r->t0, r->t1) : x0 + 1;
        const int colour = sp->severity == AIP_PLOT_SEV_CRITICAL ? AIP_PLOT_CRITICAL :
                           sp->severity == AIP_PLOT_SEV_MAJOR ? AIP_PLOT_MAJOR : AIP_PLOT_MINOR;
        /* an event ending at t1 reaches the last column */
        const int w = sp->end >= r->t1 ? AIP_PLOT_X0 + AIP_PLOT_AREA_W - x0 : x1 - x0;
        aip_plot_fill(img, x0, top, w > 1 ? w : 1, AIP_PLOT_STRIP_H, colour);
    }

    /* Each column holds the largest value of the points it covers, so a
     * one-frame spike is never lost when frames outnumber columns. */
    for (int x = 0; x < AIP_PLOT_AREA_W; x++)
        column[x] = NAN;
    for (int i = 0; i < r->nb_points; i++) {
        const float v = st->value[(size_t)i * st->value_stride];
        const double end = i + 1 < r->nb_points ? r->time[i + 1] : r->t1;
        int x0, x1;
        if (isnan(v))
            continue;
        x0 = aip_plot_x(r->time[i], r->t0, r->t1) - AIP_PLOT_X0;
        x1 = end > r->time[i] ? aip_plot_x(end, r->t0, r->t1) - AIP_PLOT_X0 : x0 + 1;
        if (end >= r->t1)
            x1 = AIP_PLOT_AREA_W;
        if (x1 <= x0)
            x1 = x0 + 1;
        for (int x = x0; x < x1 && x < AIP_PLOT_AREA_W; x++)
            column[x] = isnan(column[x]) || v > column[x] ? v : column[x];
        if (v > peak)
            peak = v;
    }
    ymax = strip_top(st->threshold, peak);

    if (st->threshold > 0 && st->threshold <= ymax) {
        const int y = bottom - 2 - (int)lround(st->threshold / ymax * inner_h);
        for (int x = 0; x < AIP_PLOT_AREA_W; x++)
            if (x % 8 < 5)
                img->px[y * img->stride + AIP_PLOT_X0 + x] = AIP_PLOT_THRESHOLD;
    }

    /* A step line: each column at its value, joined vertically to the
     * column before. */
    for (int x = 0; x < AIP_PLOT_AREA_W; x++) {
        double v = column[x];
        int y;
        if (isnan(v)) {
            prev_y = -1;
            continue;
        }
        if (v < 0)
            v = 0;
        if (v > ymax)
            v = ymax;
        y = bottom - 2 - (int)lround(v / ymax * inner_h);
        if (prev_y < 0)
            prev_y = y;
        aip_plot_fill(img, AIP_PLOT_X0 + x, y < prev_y ? y : prev_y, 1,
                      abs(y - prev_y) + 1, AIP_PLOT_LINE);
        prev_y = y;
    }

    aip_plot_text(img, 8, top + 4, st->label, AIP_PLOT_TEXT, 2);
    format_value(num, sizeof(num), ymax);
    snprintf(text, sizeof(text), "TOP %s", num);
    aip_plot_text(img, 8, top + 24, text, AIP_PLOT_AXIS, 1);
    if (st->threshold > 0) {
        format_value(num, sizeof(num), st->threshold);
        snprintf(text, sizeof(text), "LIMIT %s", num);
        aip_plot_text(img, 8, top + 34, text, AIP_PLOT_AXIS, 1);
    }
}

/* Second ticks: the smallest step that leaves at most 16 labels. */
static double tick_step(double duration)
{
    static const double steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600 };
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
        if (duration / steps[i] <= 16)
            return steps[i];
    return ceil(duration / 16 / 3600) * 3600;
}

static void draw_axis(AIPPlotImage *img, const AIPPlotReport *r, int top)
{
    const double step = tick_step(r->t1 - r->t0);
    const int minutes = r->t1 >= 60;
    const int strips_top = AIP_PLOT_TITLE_H;
    const int strips_bottom = top - (AIP_PLOT_STRIP_PITCH - AIP_PLOT_STRIP_H);

    aip_plot_fill(img, AIP_PLOT_X0, top + 2, AIP_PLOT_AREA_W, 1, AIP_PLOT_AXIS);
    aip_plot_text(img, 8, top + 8, minutes ? "TIME (M:SS)" : "TIME (S)", AIP_PLOT_AXIS, 1);
    for (double t = ceil(r->t0 / step - 1e-9) * step; t < r->t1; t += step) {
        const int x = aip_plot_x(t, r->t0, r->t1);
        char label[24];
        long s = lround(t);
        int w;
        if (minutes)
            snprintf(label, sizeof(label), "%ld:%02ld", s / 60, s % 60);
        else
            snprintf(label, sizeof(label), "%ld", s);
        w = aip_plot_text_width(label, 1);
        aip_plot_fill(img, x, top + 2, 1, 5, AIP_PLOT_AXIS);
        aip_plot_text(img, x - w / 2 < AIP_PLOT_X0 ? AIP_PLOT_X0 : x - w / 2, top + 10, label, AIP_PLOT_TEXT, 1);
        /* faint second lines through the strips, over background only so
         * that shading stays one colour where the tests look for it */
        for (int y = strips_top; y < strips_bottom; y++)
            if (img->px[y * img->stride + x] == AIP_PLOT_STRIP)
                img->px[y * img->stride + x] = AIP_PLOT_GRID;
    }
}

static void draw_title(AIPPlotImage *img, const AIPPlotReport *r)
{
    static const struct { const char *name; int colour; } legend[] = {
        { "MINOR", AIP_PLOT_MINOR }, { "MAJOR", AIP_PLOT_MAJOR }, { "CRITICAL", AIP_PLOT_CRITICAL },
    };
    const char *verdict = r->fail ? "FAIL" : "PASS";
    const int box_w = aip_plot_text_width(verdict, 2) + 12;
    int x = AIP_PLOT_WIDTH - 8;

    aip_plot_fill(img, 8, 6, box_w, 24, r->fail ? AIP_PLOT_FAIL : AIP_PLOT_PASS);
    aip_plot_text(img, 14, 11, verdict, AIP_PLOT_BG, 2);
    aip_plot_text(img, 8 + box_w + 12, 11, r->title ? r->title : "", AIP_PLOT_TEXT, 2);

    /* legend, right-aligned: shade swatches, then the threshold dash */
    for (int i = 2; i >= 0; i--) {
        x -= aip_plot_text_width(legend[i].name, 1);
        aip_plot_text(img, x, 15, legend[i].name, AIP_PLOT_TEXT, 1);
        x -= 14;
        aip_plot_fill(img, x, 13, 10, 11, legend[i].colour);
        x -= 8;
    }
    x -= aip_plot_text_width("LIMIT", 1);
    aip_plot_text(img, x, 15, "LIMIT", AIP_PLOT_TEXT, 1);
    x -= 14;
    aip_plot_fill(img, x, 18, 5, 1, AIP_PLOT_THRESHOLD);
    aip_plot_fill(img, x + 8, 18, 2, 1, AIP_PLOT_THRESHOLD);
}

int aip_plot_render(const AIPPlotReport *r, AIPPlotImage *img)
{
    float *column;

    memset(img, 0, sizeof(*img));
    if (r->nb_strips < 1 || r->nb_strips > AIP_PLOT_MAX_STRIPS || !(r->t1 > r->t0) ||
        r->nb_points < 0 || (r->nb_points && !r->time))
        return -EINVAL;
    img->width = AIP_PLOT_WIDTH;
    img->height = AIP_PLOT_TITLE_H + r->nb_strips * AIP_PLOT_STRIP_PITCH + AIP_PLOT_AXIS_H;
    img->stride = img->width;
    img->px = malloc((size_t)img->stride * img->height);
    column = malloc(AIP_PLOT_AREA_W * sizeof(*column));
    if (!img->px || !column) {
        free(column);
        aip_plot_free(img);
        return -ENOMEM;
    }
    memset(img->px, AIP_PLOT_BG, (size_t)img->stride * img->height);

    draw_title(img, r);
    for (int k = 0; k < r->nb_strips; k++)
        draw_strip(img, r, &r->strips[k], AIP_PLOT_TITLE_H + k * AIP_PLOT_STRIP_PITCH, column);
    draw_axis(img, r, AIP_PLOT_TITLE_H + r->nb_strips * AIP_PLOT_STRIP_PITCH);
    free(column);
    return 0;
}

void aip_plot_free(AIPPlotImage *img)
{
    free(img->px);
    img->px = NULL;
}
