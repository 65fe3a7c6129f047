/*
 * The one place where aipost absorbs differences between FFmpeg releases.
 *
 * FFmpeg 7.1 (libavfilter 10) defines filters as `const AVFilter ff_x = {
 * .name = ... }`; 8.0 and later (libavfilter 11) wrap the public part in
 * FFFilter: `const FFFilter ff_x = { .p.name = ... }`. Everything else our
 * glue uses (filters.h, formats.h, FILTER_QUERY_FUNC2, FilterLink) is the
 * same in both.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AVFILTER_AIPOST_COMPAT_H
#define AVFILTER_AIPOST_COMPAT_H

#include "version_major.h"

#if LIBAVFILTER_VERSION_MAJOR >= 11
#define AIPOST_FILTER       FFFilter
#define AIPOST_PUBLIC(f)    .p.f
#else
#define AIPOST_FILTER       AVFilter
#define AIPOST_PUBLIC(f)    .f
#endif

#endif /* AVFILTER_AIPOST_COMPAT_H */
