/* kernelbench: times each kernel of libkernels and says which library file it ran.

   kernelbench [--quick]    prints one line per kernel: name, microseconds per call, checksum */
#if !defined(_WIN32)
#  define _GNU_SOURCE
#  include <dlfcn.h>
#  include <time.h>
#else
#  include <windows.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

static double now(void) {
#if defined(_WIN32)
    LARGE_INTEGER count, freq;
    QueryPerformanceCounter(&count);
    QueryPerformanceFrequency(&freq);
    return (double)count.QuadPart / (double)freq.QuadPart;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
#endif
}

static const char *library_path(void) {
#if defined(_WIN32)
    static char path[MAX_PATH];
    HMODULE module = NULL;
    GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                           GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                       (LPCSTR)(void *)kernels_dot, &module);
    return GetModuleFileNameA(module, path, sizeof path) ? path : "?";
#else
    Dl_info info;
    return dladdr((void *)kernels_dot, &info) && info.dli_fname ? info.dli_fname : "?";
#endif
}

/* Cache-line (64-byte) aligned: malloc's 16-byte alignment puts every 64-byte AVX-512 load and
   store of these unit-stride loops across two cache lines, which made the x86-64-v4 matmul
   slower than the SSE2 one. */
static float *aligned_floats(size_t n) {
#if defined(_WIN32)
    return _aligned_malloc(n * sizeof(float), 64);
#else
    void *p = NULL;
    return posix_memalign(&p, 64, n * sizeof(float)) == 0 ? p : NULL;
#endif
}

static float *filled(size_t n, float scale) {
    float *p = aligned_floats(n);
    if (!p) {
        fprintf(stderr, "kernelbench: out of memory\n");
        exit(2);
    }
    for (size_t i = 0; i < n; i++) p[i] = scale * (float)((i * 7919u) % 1000u) / 1000.0f;
    return p;
}

enum { DOT, SAXPY, MATMUL, POLY, NKERNELS };
static const char *NAMES[NKERNELS] = {"dot", "saxpy", "matmul", "poly"};

struct data {
    size_t n_small, n_large, n_mat;
    float *x, *y, *big_x, *big_y, *a, *b, *c, *out;
};

static float run(int kernel, struct data *d) {
    switch (kernel) {
    case DOT: return kernels_dot(d->x, d->y, d->n_small);
    case SAXPY: kernels_saxpy(1e-6f, d->big_x, d->big_y, d->n_large); return d->big_y[1];
    case MATMUL: kernels_matmul(d->a, d->b, d->c, d->n_mat); return d->c[d->n_mat + 1];
    default: kernels_poly(d->x, d->out, d->n_small); return d->out[7];
    }
}

/* Best of `rounds` timings of `calls` calls, in microseconds per call. */
static double time_kernel(int kernel, struct data *d, int calls, int rounds, float *check) {
    double best = 1e30;
    for (int r = 0; r < rounds; r++) {
        double start = now();
        for (int i = 0; i < calls; i++) *check += run(kernel, d);
        double per_call = (now() - start) / calls * 1e6;
        if (per_call < best) best = per_call;
    }
    return best;
}

int main(int argc, char **argv) {
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    struct data d = {4096, (size_t)1 << 23, 192, 0};
    d.x = filled(d.n_small, 1.0f);
    d.y = filled(d.n_small, 0.5f);
    d.out = filled(d.n_small, 0.0f);
    d.big_x = filled(d.n_large, 1.0f);
    d.big_y = filled(d.n_large, 0.25f);
    d.a = filled(d.n_mat * d.n_mat, 1.0f);
    d.b = filled(d.n_mat * d.n_mat, 0.5f);
    d.c = filled(d.n_mat * d.n_mat, 0.0f);
    /* calls per round: each round takes roughly 10-50 ms on a recent x86-64 core */
    const int calls[NKERNELS] = {20000, 8, 20, 4000};
    int rounds = quick ? 1 : 5;
    printf("library %s\n", library_path());
    printf("build %s\n", kernels_build_info());
    for (int k = 0; k < NKERNELS; k++) {
        float check = 0.0f;
        int n = quick ? (calls[k] + 99) / 100 : calls[k];
        double us = time_kernel(k, &d, n, rounds, &check);
        printf("kernel %-6s %12.3f us/call  checksum %g\n", NAMES[k], us, (double)check);
    }
    return 0;
}
