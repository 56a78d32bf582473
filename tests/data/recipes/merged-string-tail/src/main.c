#include <stdio.h>
/* lld (zig's linker) folds the literal "data" into the tail of DATADIR, "<prefix>/share/data":
   once a client rewrites the prefix, the pointer name() returns reads the padding NULs. */
const char *datadir(void) { return DATADIR; }
const char *name(void) { return "data"; }
int main(void) { printf("%s %s\n", datadir(), name()); return 0; }
