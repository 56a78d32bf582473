#ifndef HWDEMO_H
#define HWDEMO_H
/* y[i] += a * x[i] for i < n: the loop the compiler vectorizes for the build's x86-64 level. */
void hwdemo_axpy(float *y, const float *x, float a, int n);
/* The x86-64 level this copy of the library was compiled for (1, 3 or 4). */
int hwdemo_level(void);
/* The file the dynamic loader loaded this library from. */
const char *hwdemo_library(void);
#endif
