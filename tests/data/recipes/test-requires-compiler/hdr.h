#define HDR_ANSWER 42
