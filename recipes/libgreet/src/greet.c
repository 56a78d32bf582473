#include "greet.h"
#include <stdio.h>

size_t greet_format(char *buf, size_t size, const char *name)
{
    int n = snprintf(buf, size, "Hello, %s!", name ? name : "world");
    return n < 0 ? 0 : (size_t)n;
}

const char *greet_version(void)
{
    return "1.4.2";
}
