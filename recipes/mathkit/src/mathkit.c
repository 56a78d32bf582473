#include "mathkit.h"
#include <math.h>

double mathkit_mean(const double *x, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; ++i)
        sum += x[i];
    return n ? sum / (double)n : 0.0;
}

double mathkit_stddev(const double *x, size_t n)
{
    if (n < 2)
        return 0.0;
    double mean = mathkit_mean(x, n), acc = 0.0;
    for (size_t i = 0; i < n; ++i)
        acc += (x[i] - mean) * (x[i] - mean);
    return sqrt(acc / (double)(n - 1));
}

double mathkit_dot(const double *x, const double *y, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; ++i)
        sum += x[i] * y[i];
    return sum;
}
