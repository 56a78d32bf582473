#ifndef GREET_H
#define GREET_H
#include <stddef.h>

#if defined(_WIN32)
#  ifdef GREET_BUILDING
#    define GREET_API __declspec(dllexport)
#  else
#    define GREET_API __declspec(dllimport)
#  endif
#else
#  define GREET_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Write "Hello, <name>!" into buf (at most size bytes); returns the length it needed. */
GREET_API size_t greet_format(char *buf, size_t size, const char *name);
/* The library version, e.g. "1.4.2". */
GREET_API const char *greet_version(void);

#ifdef __cplusplus
}
#endif

#endif
