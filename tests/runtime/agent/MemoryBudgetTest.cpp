// MemoryBudget: admission below the limit, overshoot by at most one request, waiting, close.
#include "agent/MemoryBudget.h"

#include <gtest/gtest.h>

#include <thread>

using namespace pyvc::agent;
using namespace std::chrono_literals;

TEST(MemoryBudget, AdmitsWhileBelowTheLimitAndOvershootsByOneRequestAtMost) {
  MemoryBudget budget(100);
  EXPECT_TRUE(budget.acquire(60, 0ms));
  EXPECT_TRUE(budget.acquire(60, 0ms)); // 60 < 100: admitted, now 120
  EXPECT_FALSE(budget.acquire(1, 0ms)); // 120 >= 100: full
  EXPECT_EQ(budget.used(), 120u);
  EXPECT_EQ(budget.peak(), 120u);
  budget.release(60);
  EXPECT_TRUE(budget.acquire(1000, 0ms)); // a request larger than the budget gets in alone
  EXPECT_EQ(budget.used(), 1060u);
}

TEST(MemoryBudget, AWaiterIsAdmittedWhenBytesComeBack) {
  MemoryBudget budget(10);
  ASSERT_TRUE(budget.acquire(10, 0ms));
  std::thread releaser([&] {
    std::this_thread::sleep_for(20ms);
    budget.release(10);
  });
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(budget.acquire(5, 5s));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 15ms);
  releaser.join();
  EXPECT_EQ(budget.used(), 5u);
}

TEST(MemoryBudget, CloseWakesWaitersAndRefusesLaterRequests) {
  MemoryBudget budget(10);
  ASSERT_TRUE(budget.acquire(10, 0ms));
  std::thread closer([&] {
    std::this_thread::sleep_for(20ms);
    budget.close();
  });
  EXPECT_FALSE(budget.acquire(1, 5s));
  closer.join();
  budget.release(10);
  EXPECT_FALSE(budget.acquire(1, 0ms));
}
