void scale(float *restrict a, const float *restrict b, int n) {
    for (int i = 0; i < n; i++) a[i] += b[i] * 2.0f;
}
int main(void) { float a[64] = {0}, b[64] = {0}; scale(a, b, 64); return (int)a[0]; }
