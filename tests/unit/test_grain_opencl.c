/*
 * Unit tests of the OpenCL grain kernels (filters/libavfilter/opencl/
 * aigrain.cl), without FFmpeg, on the first OpenCL device (PoCL in CI):
 * built from the same sources and defines as aigrain_opencl
 * (aipost/grain_cl.h), run on images of every layout the filter reads, and
 * compared bit for bit with the C reference of aipost/grain.c.
 *
 * The two-channel layout of NV12 and P010 (Cb and Cr interleaved) is run
 * here on four-channel images, since PoCL has no two-channel ones and
 * FFmpeg cannot upload NV12/P010 there: the kernel reads and writes the
 * first two channels of a pixel alike in both, so this is the one place
 * where a CPU-only CI checks that path.
 *
 * Built only when aipost is configured with OpenCL (see the Makefile).
 */

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/unit.h"
#include "aipost/counter_rng.h"
#include "aipost/grain.h"
#include "aipost/grain_cl.h"

#ifndef AIP_CL_SOURCE_DIR
#error AIP_CL_SOURCE_DIR must name filters/libavfilter
#endif

#define T AIP_GRAIN_TEMPLATE_SIZE
#define WSHIFT AIP_GRAIN_WEIGHT_SHIFT

static cl_device_id device;
static cl_context context;
static cl_command_queue queue;

static char *read_source(const char *rel)
{
    char path[1024];
    FILE *f;
    char *buf;
    long n;

    snprintf(path, sizeof(path), "%s/%s", AIP_CL_SOURCE_DIR, rel);
    f = fopen(path, "rb");
    ck_assert_msg(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc(n + 1);
    ck_assert(buf && fread(buf, 1, n, f) == (size_t)n);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static void setup(void)
{
    cl_platform_id platform;
    cl_uint n = 0;
    cl_int err;

    ck_assert_msg(clGetPlatformIDs(1, &platform, &n) == CL_SUCCESS && n > 0,
                  "no OpenCL platform: install an OpenCL driver (pocl-opencl-icd for the CPU)");
    ck_assert_msg(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, &n) == CL_SUCCESS && n > 0,
                  "no OpenCL device");
    context = clCreateContext(NULL, 1, &device, NULL, NULL, &err);
    ck_assert_int_eq(err, CL_SUCCESS);
    queue = clCreateCommandQueue(context, device, 0, &err);
    ck_assert_int_eq(err, CL_SUCCESS);
}

static void teardown(void)
{
    clReleaseCommandQueue(queue);
    clReleaseContext(context);
}

/* The program as aigrain_opencl builds it (aipost_opencl.c's prelude,
 * grain_cl.h's defines, then the sources in the filter's order). */
static cl_program build(int unorm_max, int sample_shift, int depth, int plate_shift)
{
    char prelude[256], defines[4096];
    const char *src[5];
    cl_program prog;
    cl_int err;

    snprintf(prelude, sizeof(prelude),
             "#define AIP_UNORM_MAX %d.0f\n#define AIP_SAMPLE_SHIFT %d\n#define AIP_DEPTH %d\n",
             unorm_max, sample_shift, depth);
    ck_assert((size_t)aip_grain_cl_defines(defines, sizeof(defines), plate_shift) < sizeof(defines));
    src[0] = prelude;
    src[1] = defines;
    src[2] = read_source("opencl/aipost.cl");
    src[3] = read_source("aipost/counter_rng.h");
    src[4] = read_source("opencl/aigrain.cl");
    prog = clCreateProgramWithSource(context, 5, src, NULL, &err);
    ck_assert_int_eq(err, CL_SUCCESS);
    err = clBuildProgram(prog, 1, &device, NULL, NULL, NULL);
    if (err != CL_SUCCESS) {
        char log[16384] = "";
        clGetProgramBuildInfo(prog, device, CL_PROGRAM_BUILD_LOG, sizeof(log) - 1, log, NULL);
        ck_abort_msg("build failed (%d): %s", err, log);
    }
    for (int i = 2; i < 5; i++)
        free((void *)src[i]);
    return prog;
}

static cl_mem buffer(size_t size, void *host)
{
    cl_int err;
    cl_mem m = clCreateBuffer(context, CL_MEM_READ_WRITE | (host ? CL_MEM_COPY_HOST_PTR : 0),
                              size, host, &err);
    ck_assert_int_eq(err, CL_SUCCESS);
    return m;
}

/* An image of w x h pixels of `channels` (1: CL_R, 4: CL_RGBA) normalised
 * 8- or 16-bit channels from host data (uint8_t or uint16_t). */
static cl_mem image(int w, int h, int channels, int bits, void *host)
{
    const cl_image_format fmt = {
        channels == 1 ? CL_R : CL_RGBA,
        bits == 8 ? CL_UNORM_INT8 : CL_UNORM_INT16,
    };
    cl_image_desc desc = { 0 };
    cl_int err;
    cl_mem m;

    desc.image_type   = CL_MEM_OBJECT_IMAGE2D;
    desc.image_width  = w;
    desc.image_height = h;
    m = clCreateImage(context, CL_MEM_READ_WRITE | (host ? CL_MEM_COPY_HOST_PTR : 0),
                      &fmt, &desc, host, &err);
    ck_assert_msg(err == CL_SUCCESS, "clCreateImage %dx%d, %d channels of %d bits: %d",
                  w, h, channels, bits, err);
    return m;
}

static void read_image(cl_mem img, int w, int h, void *dst)
{
    const size_t origin[3] = { 0, 0, 0 }, region[3] = { w, h, 1 };
    ck_assert_int_eq(clEnqueueReadImage(queue, img, CL_TRUE, origin, region, 0, 0, dst, 0, NULL, NULL),
                     CL_SUCCESS);
}

#define ARG(k, i, v) ck_assert_int_eq(clSetKernelArg(k, i, sizeof(v), &(v)), CL_SUCCESS)

/* The per-frame offsets on the device, as aigrain_opencl draws them. */
static void device_offsets(cl_program prog, cl_mem offsets, int base, const AIPGrainPlane *p,
                           uint64_t key, int bw, int bh)
{
    cl_int err;
    cl_kernel k = clCreateKernel(prog, "aigrain_offsets", &err);
    const cl_int cbase = base, cbw = bw, cbh = bh;
    const cl_ulong seed = p->seed, ckey = key;
    const cl_uint range = aip_grain_offset_range(p);
    const size_t work[2] = { bw, bh };

    ck_assert_int_eq(err, CL_SUCCESS);
    ARG(k, 0, offsets); ARG(k, 1, cbase); ARG(k, 2, seed); ARG(k, 3, ckey);
    ARG(k, 4, range);   ARG(k, 5, cbw);   ARG(k, 6, cbh);
    ck_assert_int_eq(clEnqueueNDRangeKernel(queue, k, 2, NULL, work, NULL, 0, NULL, NULL), CL_SUCCESS);
    clReleaseKernel(k);
}

START_TEST(test_offsets_bitexact)
{
    const uint64_t keys[] = { 0, 1, 7, 123456789, (uint64_t)-1, (uint64_t)-3000, UINT64_C(1) << 40 };
    cl_program prog = build(255, 0, 8, 4);

    for (int f = 0; f < 4; f++) {
        AIPGrainPlane p;
        const int bw = 1 + rnd() % 70, bh = 1 + rnd() % 40;
        uint32_t *ref = malloc(sizeof(*ref) * bw * bh), *got = malloc(sizeof(*got) * bw * bh);
        cl_mem offsets = buffer(sizeof(*got) * (bw * bh + 5), NULL);

        ck_assert_int_eq(aip_grain_plane_init(&p, rnd(), f, 0.5 + f * 3.0, 1.0 + f), 0);
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            aip_grain_offsets(&p, ref, keys[k], bw, bh);
            device_offsets(prog, offsets, 5, &p, keys[k], bw, bh);
            ck_assert_int_eq(clEnqueueReadBuffer(queue, offsets, CL_TRUE, 5 * sizeof(*got),
                                                 sizeof(*got) * bw * bh, got, 0, NULL, NULL), CL_SUCCESS);
            for (int i = 0; i < bw * bh; i++)
                ck_assert_msg(got[i] == ref[i], "field %d key %llu block %d: %08x, C %08x",
                              f, (unsigned long long)keys[k], i, got[i], ref[i]);
        }
        clReleaseMemObject(offsets);
        aip_grain_plane_uninit(&p);
        free(ref);
        free(got);
    }
    clReleaseProgram(prog);
}
END_TEST

/*
 * One frame of a YUV 4:2:0 picture w x h (w, h even) of the given depth and
 * sample shift, luma in a one-channel image, Cb and Cr in the first two
 * channels of a second image (the NV12/P010 layout), or (planar) three
 * one-channel images; synthesised grain (correlated when weight_b) or a
 * plate of pw x ph. Every plane is compared with the C reference.
 */
typedef struct Case {
    int w, h, depth, shift, interleaved;
    int weight_a, weight_b;
    int plate, pw, ph;
    double strength, chroma;
    AIPGrainCurve curve;
    enum AIPGrainShape shape;
} Case;

static int unorm_max(const Case *c) { return c->depth + c->shift > 8 ? 65535 : 255; }

/* stored code value of sample v */
static unsigned store(const Case *c, int v) { return (unsigned)v << c->shift; }

static void run_case(const Case *c)
{
    const int bits = unorm_max(c) == 255 ? 8 : 16;
    const int cw = c->w / 2, ch = c->h / 2, max = (1 << c->depth) - 1;
    const int plate_shift = c->depth < 12 ? 12 - c->depth : 0;
    /* without a plate, a small one the kernel is given but does not read */
    const int cpw = c->plate ? c->pw : 2, cph = c->plate ? c->ph : 2;
    const int pw[3] = { cpw, cpw / 2, cpw / 2 }, ph[3] = { cph, cph / 2, cph / 2 };
    const int planew[3] = { c->w, cw, cw }, planeh[3] = { c->h, ch, ch };
    const uint64_t key_a = rnd(), key_b = key_a + 1;
    cl_program prog = build(unorm_max(c), c->shift, c->depth, plate_shift);
    AIPGrainDSP dsp;
    AIPGrainPlane field[3];
    AIPGrainScaling sc[3];
    int blocks_w[3], blocks_h[3], base[3][2], nb_offsets = 0;
    int16_t *templates = calloc(3, AIP_GRAIN_CL_TEMPLATE_STRIDE * sizeof(int16_t));
    int32_t fields[3 * AIP_GRAIN_CL_FIELD_STRIDE], *scaling = calloc(3, AIP_GRAIN_CL_SCALING_STRIDE * sizeof(int32_t));
    uint16_t *sample[3], *psample[3], *ref[3];
    cl_mem offsets, templ_buf, field_buf, scaling_buf, src_img[3], dst_img[3], plate_img[3];
    int nb_images = c->interleaved ? 2 : 3;
    cl_int err;
    cl_kernel k = NULL;

    aip_grain_dsp_init(&dsp, 0);
    for (int p = 0; p < 3; p++) {
        const double gain = c->plate ? 0.6 / (1 << plate_shift)
                          : c->strength * (1 << (c->depth - 8)) / AIP_GRAIN_UNIT * (p ? c->chroma : 1.0);
        const double size = p ? 0.75 : 1.5;
        ck_assert_int_eq(aip_grain_plane_init(&field[p], rnd(), p, size, size), 0);
        blocks_w[p] = AIP_GRAIN_BLOCKS(planew[p]);
        blocks_h[p] = AIP_GRAIN_BLOCKS(planeh[p]);
        base[p][0] = nb_offsets;
        base[p][1] = nb_offsets + blocks_w[p] * blocks_h[p];
        nb_offsets += 2 * blocks_w[p] * blocks_h[p];
        memcpy(templates + (size_t)p * AIP_GRAIN_CL_TEMPLATE_STRIDE, field[p].template,
               AIP_GRAIN_CL_TEMPLATE_STRIDE * sizeof(int16_t));
        aip_grain_cl_field(fields + p * AIP_GRAIN_CL_FIELD_STRIDE, &field[p], blocks_w[p], base[p][0], base[p][1]);
        aip_grain_scaling_init(&sc[p], c->depth, 16 << (c->depth - 8), 235 << (c->depth - 8),
                               c->shape, &c->curve, gain);
        aip_grain_cl_scaling(scaling + p * AIP_GRAIN_CL_SCALING_STRIDE, &sc[p], 1);

        /* a ramp with noise over the whole range, and the plate: noise
         * around mid-grey */
        sample[p]  = malloc(sizeof(uint16_t) * planew[p] * planeh[p]);
        ref[p]     = malloc(sizeof(uint16_t) * planew[p] * planeh[p]);
        psample[p] = malloc(sizeof(uint16_t) * pw[p] * ph[p]);
        for (int i = 0; i < planew[p] * planeh[p]; i++) {
            const int ramp = (int)((int64_t)(i % planew[p]) * max / planew[p]);
            const int v = ramp + (int)(rnd() % 64) - 32;
            sample[p][i] = v < 0 ? 0 : v > max ? max : v;
        }
        for (int i = 0; i < pw[p] * ph[p]; i++)
            psample[p][i] = (1 << (c->depth - 1)) + (int)(rnd() % 81) - 40;
    }

    /* the C reference: vf_aigrain's rows, chroma driven by luma */
    for (int p = 0; p < 3; p++) {
        uint32_t *offs[2];
        int16_t *grain = malloc(sizeof(int16_t) * (planew[p] + 64)), *tmp = malloc(sizeof(int16_t) * (planew[p] + 64));
        int16_t *second = malloc(sizeof(int16_t) * (planew[p] + 64));
        for (int kk = 0; kk < 2; kk++) {
            offs[kk] = malloc(sizeof(uint32_t) * blocks_w[p] * blocks_h[p]);
            aip_grain_offsets(&field[p], offs[kk], kk ? key_b : key_a, blocks_w[p], blocks_h[p]);
        }
        for (int y = 0; y < planeh[p]; y++) {
            const uint16_t *src = sample[p] + y * planew[p];
            const uint16_t *driver = p ? sample[0] + (y * 2) * c->w : src;
            if (c->plate) {
                for (int x = 0; x < planew[p]; x++)
                    grain[x] = (psample[p][(y % ph[p]) * pw[p] + x % pw[p]] - (1 << (c->depth - 1))) * (1 << plate_shift);
            } else {
                aip_grain_row(&dsp, &field[p], offs[0], blocks_w[p], grain, tmp, y, planew[p]);
                if (c->weight_b) {
                    aip_grain_row(&dsp, &field[p], offs[1], blocks_w[p], second, tmp, y, planew[p]);
                    dsp.mix_rows(grain, grain, second, c->weight_a, c->weight_b, planew[p]);
                }
            }
            dsp.blend16(ref[p] + y * planew[p], src, grain, &sc[p], driver, p ? 2 : 1, 0, max, planew[p]);
        }
        free(offs[0]); free(offs[1]); free(grain); free(tmp); free(second);
    }

    /* the device */
    offsets     = buffer(sizeof(uint32_t) * nb_offsets, NULL);
    templ_buf   = buffer(3 * AIP_GRAIN_CL_TEMPLATE_STRIDE * sizeof(int16_t), templates);
    field_buf   = buffer(sizeof(fields), fields);
    scaling_buf = buffer(3 * AIP_GRAIN_CL_SCALING_STRIDE * sizeof(int32_t), scaling);
    if (!c->plate)
        for (int p = 0; p < 3; p++) {
            device_offsets(prog, offsets, base[p][0], &field[p], key_a, blocks_w[p], blocks_h[p]);
            device_offsets(prog, offsets, base[p][1], &field[p], key_b, blocks_w[p], blocks_h[p]);
        }
    for (int i = 0; i < nb_images; i++) {
        const int chans = c->interleaved && i == 1 ? 4 : 1;
        const int iw = planew[i], ih = planeh[i], ipw = pw[i], iph = ph[i];
        void *host = malloc((size_t)iw * ih * chans * 2), *phost = malloc((size_t)ipw * iph * chans * 2);
        for (int n = 0; n < iw * ih; n++)
            for (int ch2 = 0; ch2 < chans; ch2++) {
                const unsigned v = ch2 < 2 && (chans > 1 || !ch2) ? store(c, sample[i + ch2][n]) : 0;
                if (bits == 8) ((uint8_t *)host)[n * chans + ch2] = v; else ((uint16_t *)host)[n * chans + ch2] = v;
            }
        for (int n = 0; n < ipw * iph; n++)
            for (int ch2 = 0; ch2 < chans; ch2++) {
                const unsigned v = ch2 < 2 && (chans > 1 || !ch2) ? store(c, psample[i + ch2][n]) : 0;
                if (bits == 8) ((uint8_t *)phost)[n * chans + ch2] = v; else ((uint16_t *)phost)[n * chans + ch2] = v;
            }
        src_img[i]   = image(iw, ih, chans, bits, host);
        dst_img[i]   = image(iw, ih, chans, bits, NULL);
        plate_img[i] = image(ipw, iph, chans, bits, phost);
        free(host);
        free(phost);
    }

    k = clCreateKernel(prog, "aigrain_plane", &err);
    ck_assert_int_eq(err, CL_SUCCESS);
    for (int i = 0; i < nb_images; i++) {
        const cl_int first = i, channels = c->interleaved && i == 1 ? 2 : 1;
        const cl_int width = planew[i], height = planeh[i], shx = i ? 1 : 0, shy = i ? 1 : 0;
        const cl_int is_rgb = 0, chroma_q = 0, wa = c->weight_a, wb = c->weight_b;
        const cl_int use_plate = c->plate, plate_w = pw[i], plate_h = ph[i];
        const size_t work[2] = { (width + 15) & ~15, (height + 15) & ~15 };
        ARG(k, 0, dst_img[i]); ARG(k, 1, src_img[i]); ARG(k, 2, src_img[0]); ARG(k, 3, plate_img[i]);
        ARG(k, 4, templ_buf);  ARG(k, 5, offsets);    ARG(k, 6, field_buf);  ARG(k, 7, scaling_buf);
        ARG(k, 8, first);      ARG(k, 9, channels);   ARG(k, 10, width);     ARG(k, 11, height);
        ARG(k, 12, shx);       ARG(k, 13, shy);       ARG(k, 14, is_rgb);    ARG(k, 15, chroma_q);
        ARG(k, 16, wa);        ARG(k, 17, wb);        ARG(k, 18, use_plate); ARG(k, 19, plate_w);
        ARG(k, 20, plate_h);
        ck_assert_int_eq(clEnqueueNDRangeKernel(queue, k, 2, NULL, work, NULL, 0, NULL, NULL), CL_SUCCESS);
    }
    ck_assert_int_eq(clFinish(queue), CL_SUCCESS);

    for (int i = 0; i < nb_images; i++) {
        const int chans = c->interleaved && i == 1 ? 4 : 1;
        const int iw = planew[i], ih = planeh[i];
        void *got = malloc((size_t)iw * ih * chans * 2);
        read_image(dst_img[i], iw, ih, got);
        for (int n = 0; n < iw * ih; n++)
            for (int ch2 = 0; ch2 < (chans > 1 ? 2 : 1); ch2++) {
                const unsigned v = bits == 8 ? ((uint8_t *)got)[n * chans + ch2] : ((uint16_t *)got)[n * chans + ch2];
                const unsigned want = store(c, ref[i + ch2][n]);
                ck_assert_msg(v == want, "%dx%d depth %d%s%s: plane %d at (%d, %d): %u, C %u",
                              c->w, c->h, c->depth, c->interleaved ? " interleaved" : "",
                              c->plate ? " plate" : "", i + ch2, n % iw, n / iw, v, want);
            }
        free(got);
        clReleaseMemObject(src_img[i]);
        clReleaseMemObject(dst_img[i]);
        clReleaseMemObject(plate_img[i]);
    }

    clReleaseKernel(k);
    clReleaseMemObject(offsets);
    clReleaseMemObject(templ_buf);
    clReleaseMemObject(field_buf);
    clReleaseMemObject(scaling_buf);
    clReleaseProgram(prog);
    for (int p = 0; p < 3; p++) {
        aip_grain_plane_uninit(&field[p]);
        free(sample[p]);
        free(psample[p]);
        free(ref[p]);
    }
    free(templates);
    free(scaling);
}

static const AIPGrainCurve flat = { 1, 1, 1 }, bent = { 2, 0.5, 1.5 };

/* NV12 (8 bit) and P010 (10 bits in the high bits of 16) */
START_TEST(test_interleaved_chroma_bitexact)
{
    const Case cases[] = {
        { 66, 38, 8, 0, 1, 128, 0, 0, 0, 0, 8, 0.8, flat, AIP_GRAIN_SHAPE_OVERLAY },
        { 98, 70, 10, 6, 1, 128, 0, 0, 0, 0, 6, 1.0, flat, AIP_GRAIN_SHAPE_OVERLAY },
        { 98, 70, 10, 6, 1, 91, 91, 0, 0, 0, 12, 0.5, bent, AIP_GRAIN_SHAPE_ADD },
        { 130, 34, 12, 4, 1, 110, 64, 0, 0, 0, 20, 0.3, bent, AIP_GRAIN_SHAPE_OVERLAY },
        { 98, 70, 16, 0, 1, 128, 0, 0, 0, 0, 4, 0.7, flat, AIP_GRAIN_SHAPE_OVERLAY },
        { 98, 70, 10, 6, 1, 128, 0, 1, 40, 26, 0, 0, flat, AIP_GRAIN_SHAPE_OVERLAY },
        { 66, 38, 8, 0, 1, 128, 0, 1, 18, 10, 0, 0, flat, AIP_GRAIN_SHAPE_OVERLAY },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_case(&cases[i]);
}
END_TEST

/* The planar layout, as the graph test runs it through FFmpeg, here also
 * at 10 bits in the high bits of 16 (P010's samples, planar). */
START_TEST(test_planar_bitexact)
{
    const Case cases[] = {
        { 66, 38, 8, 0, 0, 128, 0, 0, 0, 0, 8, 0.8, flat, AIP_GRAIN_SHAPE_OVERLAY },
        { 98, 70, 10, 6, 0, 91, 91, 0, 0, 0, 12, 0.5, bent, AIP_GRAIN_SHAPE_ADD },
        { 98, 70, 16, 0, 0, 128, 0, 1, 40, 26, 0, 0, flat, AIP_GRAIN_SHAPE_OVERLAY },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_case(&cases[i]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("grain_opencl");
    TCase *tc = tcase_create("kernels");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_offsets_bitexact);
    tcase_add_test(tc, test_interleaved_chroma_bitexact);
    tcase_add_test(tc, test_planar_bitexact);
    suite_add_tcase(s, tc);

    return unit_run(s);
}
