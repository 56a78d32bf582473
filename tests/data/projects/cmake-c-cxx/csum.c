#include "api.h"

void plate_saxpy(float a, const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        y[i] = a * x[i] + y[i];
}

double plate_sum(const float *x, size_t n)
{
    double total = 0.0;
    for (size_t i = 0; i < n; ++i)
        total += x[i];
    return total;
}
