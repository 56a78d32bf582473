int abibreak_keep(void) { return 1; }
#ifndef DROP_OLD
int abibreak_old(void) { return 2; } /* 1.1 drops this without changing the SONAME */
#endif
