#include <stdio.h>
/* DATADIR is "<host prefix>/share/prefix-datadir", compiled in: a client rewrites it in this
   binary at install time, so the program finds its data wherever it is installed. */
int main(void) {
    const char *path = DATADIR "/message.txt";
    char line[256];
    FILE *file = fopen(path, "r");
    if (file == NULL) { perror(path); return 1; }
    while (fgets(line, sizeof line, file) != NULL) fputs(line, stdout);
    fclose(file);
    return 0;
}
