/* Loops the compiler vectorizes with the widest registers the CPU level allows. */
void k_saxpy(int n, float a, const float *restrict x, float *restrict y) {
  for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i];
}

double k_dot(int n, const double *restrict x, const double *restrict y) {
  double sum = 0;
  for (int i = 0; i < n; i++) sum += x[i] * y[i];
  return sum;
}
