#pragma once
#include <string>

namespace greetpp {
// "Hello, <name>!" through libgreet.
std::string greet(const std::string &name);
// How many greetings this process has produced.
unsigned long count();
}
