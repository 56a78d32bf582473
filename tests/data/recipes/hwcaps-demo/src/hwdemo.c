#define _GNU_SOURCE
#include <dlfcn.h>
#include "hwdemo.h"

void hwdemo_axpy(float *restrict y, const float *restrict x, float a, int n) {
    for (int i = 0; i < n; i++) y[i] += a * x[i];
}

int hwdemo_level(void) {
#if defined(__AVX512F__)
    return 4;
#elif defined(__AVX2__)
    return 3;
#else
    return 1;
#endif
}

const char *hwdemo_library(void) {
    Dl_info info;
    if (!dladdr((void *)hwdemo_level, &info) || !info.dli_fname) return "?";
    return info.dli_fname;
}
