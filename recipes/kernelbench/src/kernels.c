/* Numeric kernels written so that a compiler vectorizes them at the width the target allows:
   restrict-qualified pointers, unit strides, no early exits, and the one reduction (dot) made
   reorderable with an OpenMP SIMD reduction (-fopenmp-simd; no OpenMP runtime is needed). */
#include "kernels.h"

#define STR2(x) #x
#define STR(x) STR2(x)

float kernels_dot(const float *restrict x, const float *restrict y, size_t n) {
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (size_t i = 0; i < n; i++) sum += x[i] * y[i];
    return sum;
}

void kernels_saxpy(float a, const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] += a * x[i];
}

void kernels_matmul(const float *restrict a, const float *restrict b, float *restrict c,
                    size_t n) {
    for (size_t i = 0; i < n * n; i++) c[i] = 0.0f;
    /* i-k-j order: the inner loop runs along rows of b and c (unit stride). */
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < n; k++) {
            const float aik = a[i * n + k];
            for (size_t j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
        }
}

static const float COEFFS[16] = {
    1.0f, -0.5f, 0.25f, -0.125f, 0.0625f, -0.03125f, 0.015625f, -0.0078125f,
    0.00390625f, -0.001953125f, 0.0009765625f, -0.00048828125f, 0.000244140625f,
    -0.0001220703125f, 0.00006103515625f, -0.000030517578125f,
};

void kernels_poly(const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float acc = COEFFS[15];
        for (int k = 14; k >= 0; k--) acc = acc * x[i] + COEFFS[k];
        y[i] = acc;
    }
}

#if defined(__AVX512F__)
#  define KERNELS_ISA "x86-64-v4 (AVX-512)"
#elif defined(__AVX2__)
#  define KERNELS_ISA "x86-64-v3 (AVX2, FMA)"
#elif defined(__SSE4_2__)
#  define KERNELS_ISA "x86-64-v2 (SSE4.2)"
#elif defined(__x86_64__)
#  define KERNELS_ISA "x86-64 (SSE2)"
#elif defined(__aarch64__)
#  define KERNELS_ISA "aarch64 (NEON)"
#else
#  define KERNELS_ISA "generic"
#endif

#if defined(__clang__)
#  define KERNELS_CC "clang " __clang_version__
#elif defined(__GNUC__)
#  define KERNELS_CC "gcc " STR(__GNUC__) "." STR(__GNUC_MINOR__) "." STR(__GNUC_PATCHLEVEL__)
#else
#  define KERNELS_CC "unknown compiler"
#endif

const char *kernels_build_info(void) { return KERNELS_ISA " " KERNELS_CC; }
