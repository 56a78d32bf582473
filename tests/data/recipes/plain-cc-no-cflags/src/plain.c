#include <assert.h>
#include <stdio.h>
#include <string.h>

/* "plaincc" alone and DATA_DIR ending in ".../plaincc": a linker that merges string
   literals would point the short one into the tail of the prefix string. */
static const char *name(void) { return "plaincc"; }

int main(void) {
  const char *dir = DATA_DIR;
  assert(strlen(dir) > 0); /* __FILE__ in the assertion message */
  char path[4096];
  snprintf(path, sizeof path, "%s/data", dir);
  FILE *f = fopen(path, "r");
  if (!f) { fprintf(stderr, "%s: cannot open %s\n", name(), path); return 1; }
  fclose(f);
  printf("%s: %s\n", name(), path);
  return 0;
}
