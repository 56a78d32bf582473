#include "greetpp.hpp"
#include <greet.h>
#include <atomic>
#include <vector>

namespace greetpp {
static std::atomic<unsigned long> greetings{0};

std::string greet(const std::string &name)
{
    std::size_t needed = greet_format(nullptr, 0, name.c_str());
    std::vector<char> buf(needed + 1);
    greet_format(buf.data(), buf.size(), name.c_str());
    ++greetings;
    return std::string(buf.data(), needed);
}

unsigned long count() { return greetings.load(); }
}
