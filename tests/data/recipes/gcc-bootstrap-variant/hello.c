#include <stdio.h>
int main(void) { puts("bootstrapped"); return 0; }
