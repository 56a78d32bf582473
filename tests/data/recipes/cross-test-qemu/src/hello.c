#include <stdio.h>

#if defined(__aarch64__)
#define PLATFORM "linux-aarch64"
#else
#define PLATFORM "linux-64"
#endif

int main(void) {
    puts("hello from " PLATFORM);
    return 0;
}
