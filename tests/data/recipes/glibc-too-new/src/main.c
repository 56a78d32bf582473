#include <stdio.h>
#include <stdlib.h>
/* reallocarray is GLIBC_2.26; gcc on a glibc >= 2.34 machine also pulls __libc_start_main@GLIBC_2.34 */
int main(void) { void *p = reallocarray(NULL, 4, 8); printf("%p\n", p); free(p); return 0; }
