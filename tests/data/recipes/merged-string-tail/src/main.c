#include <stdio.h>
/* Both literals in a mergeable string section (SHF_MERGE|SHF_STRINGS), as a compiler without
   the base plate's guard puts them (the wrappers' -fwritable-strings cannot reach hand-written
   sections): lld (zig's linker) folds "data" into the tail of DATADIR, "<prefix>/share/data",
   and once a client rewrites the prefix the pointer name() returns reads the padding NULs. */
extern const char cfl_datadir[], cfl_name[];
__asm__(".section .rodata.cfl.str1.1,\"aMS\",@progbits,1\n"
        "cfl_datadir: .asciz \"" DATADIR "\"\n"
        "cfl_name: .asciz \"data\"\n"
        ".previous\n");
const char *datadir(void) { return cfl_datadir; }
const char *name(void) { return cfl_name; }
int main(void) { printf("%s %s\n", datadir(), name()); return 0; }
