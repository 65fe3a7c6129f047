/*
 * CPU features the aipost kernels dispatch on. Callers detect them (FFmpeg's
 * av_get_cpu_flags() in the filters, the compiler's builtins in unit tests)
 * and pass them to each kernel family's init function.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AIPOST_CPU_H
#define AIPOST_CPU_H

/* x86 SIMD kernels are written with intrinsics and per-function target
 * attributes, so they build with any GCC or clang without special flags and
 * run only where the dispatcher saw the feature. */
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define AIP_HAVE_X86_SIMD 1
#else
#define AIP_HAVE_X86_SIMD 0
#endif

#define AIP_CPU_AVX2 (1 << 0)

#endif /* AIPOST_CPU_H */
