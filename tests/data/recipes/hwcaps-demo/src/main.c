#include <stdio.h>
#include "hwdemo.h"

int main(void) {
    float y[1024], x[1024];
    for (int i = 0; i < 1024; i++) { y[i] = (float)i; x[i] = 1.0f; }
    hwdemo_axpy(y, x, 2.0f, 1024);
    for (int i = 0; i < 1024; i++) {
        if (y[i] != (float)i + 2.0f) { fprintf(stderr, "wrong result at %d\n", i); return 1; }
    }
    printf("level %d %s\n", hwdemo_level(), hwdemo_library());
    return 0;
}
