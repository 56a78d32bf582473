#include <sstream>
#include <stdexcept>
#include <string>

// Exceptions stay inside the library: each C++ library carries zig's libc++ itself.
static int checked(int n) {
  if (n < 0) throw std::invalid_argument("negative");
  return n;
}

std::string where_message(int n) {
  std::ostringstream out;
  try {
    out << "where " << checked(n);
  } catch (const std::invalid_argument &e) {
    out << "where (caught " << e.what() << ")";
  }
  return out.str();
}
