// RejectedReadings: rows land with source, reason, detail and raw bytes, and the table keeps
// only the newest maxRows.
#include "agent/RejectedReadings.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

using namespace pyvc;
using namespace pyvc::agent;

TEST(RejectedReadings, KeepsTheNewestRowsWithTheirReasons) {
  auto folder = std::filesystem::temp_directory_path() /
                ("pyvc-rejected-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  auto table = RejectedReadings::open(folder / "rejected.db", 5, false);
  ASSERT_TRUE(table) << table.error().message;
  std::vector<std::string> sources{"mqtt", "webhook"};
  for (int round = 0; round < 3; ++round) {
    std::vector<ingest::RejectedReading> rows;
    for (int i = 0; i < 3; ++i)
      rows.push_back({uint32_t(i % 2), ingest::RejectReason::NotFinite,
                      "value " + std::to_string(round * 3 + i), std::string("raw\0bytes", 9)});
    ASSERT_TRUE((*table)->insert(rows, sources, 1000));
  }
  EXPECT_EQ((*table)->count().value(), 5);

  sqlite3 *db = nullptr;
  ASSERT_EQ(sqlite3_open((folder / "rejected.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt *statement = nullptr;
  sqlite3_prepare_v2(db, "SELECT source, reason, detail, length(raw) FROM rejected_readings "
                         "ORDER BY id", -1, &statement, nullptr);
  std::vector<std::string> details;
  while (sqlite3_step(statement) == SQLITE_ROW) {
    EXPECT_STREQ(reinterpret_cast<const char *>(sqlite3_column_text(statement, 1)), "not_finite");
    EXPECT_EQ(sqlite3_column_int(statement, 3), 9);
    details.push_back(reinterpret_cast<const char *>(sqlite3_column_text(statement, 2)));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  EXPECT_EQ(details, (std::vector<std::string>{"value 4", "value 5", "value 6", "value 7",
                                               "value 8"}));
  std::filesystem::remove_all(folder);
}
