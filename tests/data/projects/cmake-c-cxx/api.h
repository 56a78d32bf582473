#pragma once
#include <stddef.h>
#if defined(_WIN32)
#  ifdef PLATE_BUILDING
#    define PLATE_API __declspec(dllexport)
#  else
#    define PLATE_API __declspec(dllimport)
#  endif
#else
#  define PLATE_API __attribute__((visibility("default")))
#endif
#ifdef __cplusplus
extern "C" {
#endif
/* y[i] += a * x[i]; a loop the compiler vectorizes at every CPU level. */
PLATE_API void plate_saxpy(float a, const float *x, float *y, size_t n);
PLATE_API double plate_sum(const float *x, size_t n);
#ifdef __cplusplus
}
#endif
