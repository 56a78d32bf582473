#include <stdio.h>
/* BUILD_DIR is the work directory: compiling it in leaks the build machine's path. */
int main(void) { puts(BUILD_DIR "/data"); return 0; }
