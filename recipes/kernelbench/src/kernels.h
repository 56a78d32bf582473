#ifndef KERNELS_H
#define KERNELS_H
#include <stddef.h>

#if defined(_WIN32)
#  ifdef KERNELS_BUILDING
#    define KERNELS_API __declspec(dllexport)
#  else
#    define KERNELS_API __declspec(dllimport)
#  endif
#else
#  define KERNELS_API __attribute__((visibility("default")))
#endif

/* Any alignment works; arrays aligned to 64 bytes (a cache line) run faster at AVX-512 width,
   where a misaligned 64-byte load or store always spans two cache lines. */

#ifdef __cplusplus
extern "C" {
#endif

/* sum(x[i] * y[i]) */
KERNELS_API float kernels_dot(const float *x, const float *y, size_t n);
/* y[i] += a * x[i] */
KERNELS_API void kernels_saxpy(float a, const float *x, float *y, size_t n);
/* c = a * b for n x n row-major matrices */
KERNELS_API void kernels_matmul(const float *a, const float *b, float *c, size_t n);
/* y[i] = p(x[i]) for a fixed degree-15 polynomial (Horner's rule) */
KERNELS_API void kernels_poly(const float *x, float *y, size_t n);
/* The instruction set the library was compiled for and the compiler, e.g.
   "x86-64-v3 (AVX2, FMA) gcc 12.2.0". */
KERNELS_API const char *kernels_build_info(void);

#ifdef __cplusplus
}
#endif

#endif
