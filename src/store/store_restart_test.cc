// The PostgreSQL server restarts while a store is in use: every connection of the pool dies at
// once, the server is away for a second or two, and operations wait for it (reconnecting with
// back-off) instead of failing. Runs alone (RUN_SERIAL): the restart would break other tests.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/store.h"
#include "store/testing/scratch_postgres.h"
#include "store/testing/write_log.h"

namespace datastory::store {
namespace {

TEST(PostgresRestartTest, ThePoolReconnectsAfterTheServerRestarts) {
  auto db = testing::ScratchPostgres::Create("ds_restart");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  FakeClock clock(1795608000000);
  TierTable tiers;
  auto opened = OpenStore((*db)->url() + "?reconnect_ms=30000", clock, tiers);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto store = std::move(opened).value();
  ASSERT_TRUE(store->Migrate().ok());
  const int64_t user_id = store->CreateUser({"restart@example.com", "h", Tier::kFree})->id;

  testing::WriteLog log;
  std::atomic<bool> writing = true;
  std::thread writer([&] {
    for (int i = 0; writing; ++i) {
      log.Record(store->CreateStory(testing::SmallStory(user_id, "story " + std::to_string(i))));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const size_t before_restart = log.acknowledged_count();
  ASSERT_TRUE(testing::RestartPostgres().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  writing = false;
  writer.join();

  EXPECT_GT(before_restart, 0u);
  EXPECT_GT(log.acknowledged().size(), before_restart) << "no write succeeded after the restart";
  // Refused, at most: one write per connection open when the server went down (the pool keeps
  // 2). A backend that stops sends "terminating connection" (57P01) and the write is retried,
  // but when the client's next write reaches the closing socket first, the reset loses that
  // message, and nobody can tell whether the write ran.
  EXPECT_LE(log.refused().size(), 2u) << (log.refused().empty() ? "" : log.refused().front());
  for (int64_t id : log.acknowledged()) {
    ASSERT_TRUE(store->GetStory(id).ok()) << "acknowledged story " << id << " is gone";
  }
  std::printf("%zu writes acknowledged (%zu before the restart), %zu refused\n",
              log.acknowledged().size(), before_restart, log.refused().size());
  for (const std::string& f : log.refused()) std::printf("refused: %s\n", f.c_str());
}

}  // namespace
}  // namespace datastory::store
