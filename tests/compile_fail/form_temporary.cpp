// SPDX-License-Identifier: MIT
// parse_form views into the body: a temporary std::string would dangle after the statement.
#include <swoop/swoop.hpp>

std::string body() { return "a=1&b=x+y"; }

int main() {
#if defined(SWOOP_WRONG)
  auto form = swoop::parse_form("application/x-www-form-urlencoded", body());
#else
  std::string kept = body();
  auto form = swoop::parse_form("application/x-www-form-urlencoded", kept);
#endif
  return form.get("b") == "x y" ? 0 : 1;
}
