/*
 * Counter-based random numbers for aipost.
 *
 * Every random value in the suite is a pure function of a key (seed, frame
 * index, plane, position...). There is no generator state to carry from one
 * frame or slice to the next, so output does not depend on thread count,
 * SIMD level or where a clip was cut into segments.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AIPOST_COUNTER_RNG_H
#define AIPOST_COUNTER_RNG_H

/* Also compiled as OpenCL C (the _opencl filters' kernels), where the
 * fixed-width types come from opencl/aipost.cl. */
#ifndef __OPENCL_VERSION__
#include <stdint.h>
#endif

/* The splitmix64 finaliser: a bijective 64-bit mix with full avalanche. */
static inline uint64_t aip_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

/*
 * Hash a key made of up to four words. Each word is folded in through the
 * mixer with a distinct odd multiplier, so (a, b) and (b, a) differ.
 */
static inline uint64_t aip_hash4(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    uint64_t h = aip_mix64(a + UINT64_C(0x9e3779b97f4a7c15));
    h = aip_mix64(h ^ (b * UINT64_C(0xd6e8feb86659fd93)));
    h = aip_mix64(h ^ (c * UINT64_C(0xa0761d6478bd642f)));
    h = aip_mix64(h ^ (d * UINT64_C(0xe7037ed1a0b428db)));
    return h;
}

/* Uniform integer in [0, n) from 32 random bits, without division bias
 * worth measuring (n is small compared with 2^32). */
static inline uint32_t aip_bounded(uint32_t r, uint32_t n)
{
    return (uint32_t)(((uint64_t)r * n) >> 32);
}

/*
 * Approximately Gaussian integer from 64 random bits: the sum of four
 * 16-bit uniforms (Irwin-Hall), centred. Mean 0, standard deviation
 * 65536 * sqrt(4 / 12) ~= 37837.6. Integer only, so identical everywhere.
 */
#define AIP_GAUSS4_SIGMA 37837.6
static inline int32_t aip_gauss4(uint64_t r)
{
    const int32_t s = (int32_t)(r & 0xffff) + (int32_t)((r >> 16) & 0xffff) +
                      (int32_t)((r >> 32) & 0xffff) + (int32_t)(r >> 48);
    return s - 2 * 65535;
}

#endif /* AIPOST_COUNTER_RNG_H */
