#include <stdio.h>
#include <hdr.h>
int main(void) { printf("answer %d\n", HDR_ANSWER); return 0; }
