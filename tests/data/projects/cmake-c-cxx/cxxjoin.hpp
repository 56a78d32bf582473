#pragma once
#include <string>
#include <vector>
#include "api.h"
PLATE_API std::string plate_join(const std::vector<std::string> &parts, const std::string &sep);
