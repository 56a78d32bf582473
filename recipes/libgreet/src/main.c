#include "greet.h"
#include <stdio.h>

int main(int argc, char **argv)
{
    char line[256];
    greet_format(line, sizeof line, argc > 1 ? argv[1] : NULL);
    printf("%s (libgreet %s)\n", line, greet_version());
    return 0;
}
