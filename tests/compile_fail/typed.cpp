// SPDX-License-Identifier: MIT
// Programs that must not compile, one per SWOOP_CASE_* definition: tests/CMakeLists.txt builds
// each and expects swoop's own message, not pages of failed constraints.
#include <swoop/swoop.hpp>

struct Undescribed {
  int x = 0;
};

int main() {
  swoop::App app;
#if defined(SWOOP_CASE_result)
  app.get("/")([](swoop::Request&) { return Undescribed{}; });
#elif defined(SWOOP_CASE_task_result)
  app.post("/", [](swoop::Request&) -> swoop::Task<Undescribed> { co_return Undescribed{}; });
#elif defined(SWOOP_CASE_arguments)
  app.get("/")([](int) { return swoop::text("no request"); });
#elif defined(SWOOP_CASE_json_body)
  app.post("/")([](swoop::Request& req) {
    req.json<Undescribed>();
    return swoop::text("read");
  });
#endif
}
