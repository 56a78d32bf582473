#ifndef MATHKIT_H
#define MATHKIT_H
#include <stddef.h>

#if defined(_WIN32)
#  ifdef MATHKIT_BUILDING
#    define MATHKIT_API __declspec(dllexport)
#  else
#    define MATHKIT_API __declspec(dllimport)
#  endif
#else
#  define MATHKIT_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

MATHKIT_API double mathkit_mean(const double *x, size_t n);
/* Sample standard deviation (n - 1 in the denominator); 0 for fewer than two values. */
MATHKIT_API double mathkit_stddev(const double *x, size_t n);
MATHKIT_API double mathkit_dot(const double *x, const double *y, size_t n);

#ifdef __cplusplus
}
#endif

#endif
