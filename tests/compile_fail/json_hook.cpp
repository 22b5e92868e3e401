// SPDX-License-Identifier: MIT
// A to_json hook must take the value by const reference: one that does not is not a hook.
#include <swoop/swoop.hpp>

namespace shop {
struct Point {
  int x = 0;
  int y = 0;
};
#if defined(SWOOP_WRONG)
void to_json(swoop::JsonWriter& w, Point& p) {
#else
void to_json(swoop::JsonWriter& w, const Point& p) {
#endif
  w.begin_object();
  w.member("x", p.x);
  w.member("y", p.y);
  w.end_object();
}
}  // namespace shop

int main() { return swoop::to_json(shop::Point{1, 2}) == R"({"x":1,"y":2})" ? 0 : 1; }
