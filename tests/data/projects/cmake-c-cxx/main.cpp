#include "api.h"
#include "cxxjoin.hpp"
#include <cstdio>
#include <vector>

int main()
{
    std::vector<float> x(1000, 1.0f), y(1000, 2.0f);
    plate_saxpy(3.0f, x.data(), y.data(), x.size());
    std::printf("%s sum=%.1f\n", plate_join({"base", "plate", "ok"}, "-").c_str(),
                plate_sum(y.data(), y.size()));
    return 0;
}
