#include <iostream>
#include <stdexcept>
#include <string>

std::string where_message(int n);

int main() {
  try {
    throw std::runtime_error(where_message(-1));
  } catch (const std::runtime_error &e) {
    std::cout << where_message(1) << ", " << e.what() << "\n";
  }
  return 0;
}
