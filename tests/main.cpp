// SPDX-License-Identifier: MIT
// The doctest main for every unit and integration test.
//
// CTest runs one test case per process (doctest_discover_tests passes its name as a filter).
// A run whose filter matches no test case fails here: doctest itself exits 0 then, so a test
// CTest can no longer find (a name with ';', which CMake splits into two, or a renamed case)
// would pass without running.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

namespace {

unsigned cases_run = 0;

// Only counts the test cases that passed the filters; the console reporter reports as usual.
struct CountCases : doctest::IReporter {
  explicit CountCases(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats& stats) override {
    cases_run = stats.numTestCasesPassingFilters;
  }
  void test_case_start(const doctest::TestCaseData&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};

REGISTER_LISTENER("count_cases", 1, CountCases);

}  // namespace

int main(int argc, char** argv) {
  doctest::Context context{argc, argv};
  const int result = context.run();
  if (context.shouldExit() || result != 0) return result;
  if (cases_run == 0) {
    std::fprintf(stderr, "no test case matches the filters given: nothing was tested\n");
    return 1;
  }
  return result;
}
