#include "greetpp.hpp"
#include <iostream>

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i)
        std::cout << greetpp::greet(argv[i]) << "\n";
    std::cout << greetpp::count() << " greeting(s)\n";
    return 0;
}
