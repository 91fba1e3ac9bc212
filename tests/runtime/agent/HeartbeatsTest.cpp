// Heartbeats: a thread that stops beating is reported once it is older than the limit, the
// oldest first; a beat clears it; references stay valid as more are added.
#include "agent/Heartbeats.h"

#include <gtest/gtest.h>

#include <thread>

using namespace pyvc::agent;
using namespace std::chrono_literals;

TEST(Heartbeats, NothingIsStalledWhileEveryThreadBeats) {
  Heartbeats beats;
  beats.add("commit");
  beats.add("worker 0");
  EXPECT_EQ(beats.stalled(1s), std::nullopt);
}

TEST(Heartbeats, ReferencesStayValidAsMoreAreAdded) {
  Heartbeats beats;
  Heartbeat &commit = beats.add("commit");
  for (int i = 0; i < 1000; ++i)
    beats.add("worker " + std::to_string(i));
  EXPECT_EQ(commit.name(), "commit");
  std::this_thread::sleep_for(20ms);
  EXPECT_TRUE(beats.stalled(5ms));
  EXPECT_EQ(beats.stalled(10s), std::nullopt);
}

TEST(Heartbeats, ReportsTheOldest) {
  Heartbeats beats;
  Heartbeat &first = beats.add("first");
  std::this_thread::sleep_for(20ms);
  Heartbeat &second = beats.add("second");
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(beats.stalled(5ms), "first");
  first.beat();
  EXPECT_EQ(beats.stalled(5ms), "second");
  second.beat();
  EXPECT_EQ(beats.stalled(5ms), std::nullopt);
}
