#include "cxxjoin.hpp"
#include <sstream>

std::string plate_join(const std::vector<std::string> &parts, const std::string &sep)
{
    std::ostringstream out;
    for (std::size_t i = 0; i < parts.size(); ++i)
        out << (i ? sep : "") << parts[i];
    return out.str();
}
