/*
 * qcdetect's picture report: one horizontal strip per detector with its
 * per-frame measurement over time, its threshold and its events, drawn into
 * a palette image that png.h writes. Pure C without FFmpeg (a rasteriser and
 * a built-in 5 x 7 bitmap font), so the unit tests drive it alone.
 *
 * Geometry (pixels; the graph tests compute positions from it):
 *
 *   width  AIP_PLOT_WIDTH
 *   height AIP_PLOT_TITLE_H + nb_strips * AIP_PLOT_STRIP_PITCH + AIP_PLOT_AXIS_H
 *   title  rows [0, AIP_PLOT_TITLE_H): verdict box, title text, legend
 *   strip  k (0-based) covers rows [top, top + AIP_PLOT_STRIP_H) with
 *          top = AIP_PLOT_TITLE_H + k * AIP_PLOT_STRIP_PITCH; its label is
 *          left of AIP_PLOT_X0, its data in columns
 *          [AIP_PLOT_X0, AIP_PLOT_X0 + AIP_PLOT_AREA_W)
 *   axis   the last AIP_PLOT_AXIS_H rows: ticks and labels in seconds
 *
 * Time t maps to column aip_plot_x(t) = AIP_PLOT_X0 +
 * floor((t - t0) / (t1 - t0) * AIP_PLOT_AREA_W), clamped into the area; a
 * span [start, end) covers columns aip_plot_x(start) .. aip_plot_x(end) - 1
 * (at least one).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AIPOST_PLOT_H
#define AIPOST_PLOT_H

#include <stddef.h>
#include <stdint.h>

#define AIP_PLOT_WIDTH       1024
#define AIP_PLOT_X0          128
#define AIP_PLOT_AREA_W      880
#define AIP_PLOT_TITLE_H     36
#define AIP_PLOT_STRIP_H     44
#define AIP_PLOT_STRIP_PITCH 50
#define AIP_PLOT_AXIS_H      30
#define AIP_PLOT_MAX_STRIPS  32

/* Palette indices; aip_plot_palette holds their RGB. */
enum AIPPlotColour {
    AIP_PLOT_BG,                /* page */
    AIP_PLOT_TEXT,
    AIP_PLOT_STRIP,             /* strip background */
    AIP_PLOT_GRID,              /* second lines through the strips */
    AIP_PLOT_AXIS,
    AIP_PLOT_LINE,              /* the measurement */
    AIP_PLOT_THRESHOLD,         /* dashed */
    AIP_PLOT_MINOR,             /* event shading by severity */
    AIP_PLOT_MAJOR,
    AIP_PLOT_CRITICAL,
    AIP_PLOT_PASS,              /* verdict box */
    AIP_PLOT_FAIL,
    AIP_PLOT_NB_COLOURS
};

extern const uint8_t aip_plot_palette[AIP_PLOT_NB_COLOURS][3];

enum AIPPlotSeverity { AIP_PLOT_SEV_MINOR, AIP_PLOT_SEV_MAJOR, AIP_PLOT_SEV_CRITICAL };

typedef struct AIPPlotSpan {
    double start, end;          /* seconds, end exclusive */
    enum AIPPlotSeverity severity;
} AIPPlotSpan;

typedef struct AIPPlotStrip {
    const char *label;          /* drawn in capitals */
    const float *value;         /* value[i * value_stride] for point i; NAN: none */
    int value_stride;
    double threshold;           /* dashed line; NAN or <= 0: none */
    const AIPPlotSpan *spans;
    int nb_spans;
} AIPPlotStrip;

typedef struct AIPPlotReport {
    const char *title;          /* after the verdict box, drawn in capitals */
    int fail;                   /* verdict: FAIL (1) or PASS (0) */
    /* Point i holds from time[i] until time[i + 1], the last until t1;
     * times ascend. A point may stand for several frames (their maximum). */
    const double *time;
    int nb_points;
    double t0, t1;              /* the time axis; t1 > t0 */
    const AIPPlotStrip *strips;
    int nb_strips;              /* 1..AIP_PLOT_MAX_STRIPS */
} AIPPlotReport;

typedef struct AIPPlotImage {
    uint8_t *px;                /* palette indices, stride bytes a row */
    ptrdiff_t stride;
    int width, height;
} AIPPlotImage;

/** @return 0, -EINVAL (no strip, too many, t1 <= t0), -ENOMEM */
int  aip_plot_render(const AIPPlotReport *r, AIPPlotImage *img);
void aip_plot_free(AIPPlotImage *img);

/* The column of time t on an axis [t0, t1). */
int aip_plot_x(double t, double t0, double t1);

/* Text in the built-in font: capitals, digits, space and . , : - / ( ) % +
 * = _ < > ? (lower case is drawn as capitals, anything else as ?). Each
 * character is a 5 x 7 glyph in a 6 x 9 cell, times scale; (x, y) is the
 * top left; clipped to the image. Returns the width drawn. */
int aip_plot_text(AIPPlotImage *img, int x, int y, const char *s, int colour, int scale);
int aip_plot_text_width(const char *s, int scale);

void aip_plot_fill(AIPPlotImage *img, int x, int y, int w, int h, int colour);

#endif /* AIPOST_PLOT_H */
