#include "mathkit.h"
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)(argc - 1) : 0;
    double *x = malloc((n ? n : 1) * sizeof *x);
    if (!x)
        return 1;
    for (size_t i = 0; i < n; ++i)
        x[i] = strtod(argv[i + 1], NULL);
    printf("n=%zu mean=%g stddev=%g\n", n, mathkit_mean(x, n), mathkit_stddev(x, n));
    free(x);
    return 0;
}
