/*
 * What every Check unit test shares: the run of a suite, CPU feature
 * detection, a reproducible random stream and the hash that pins a C
 * reference's output.
 */

#ifndef AIPOST_TEST_UNIT_H
#define AIPOST_TEST_UNIT_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "aipost/counter_rng.h"
#include "aipost/cpu.h"

#define FNV1A_INIT UINT64_C(0xcbf29ce484222325)

/* fnv1a over bytes, continuing from h (FNV1A_INIT to start). */
static inline uint64_t fnv1a(const void *data, size_t n, uint64_t h)
{
    const uint8_t *b = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * UINT64_C(0x100000001b3);
    return h;
}

/* Random values for randomised cases: the same on every run. */
static uint64_t unit_rng_state = 1;
static inline uint32_t rnd(void)
{
    return (uint32_t)(aip_mix64(unit_rng_state++) >> 32);
}

static inline int have_avx2(void)
{
#if AIP_HAVE_X86_SIMD
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
#else
    return 0;
#endif
}

/* Run a suite; the exit status of the test program. */
static inline int unit_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* AIPOST_TEST_UNIT_H */
