// A helper process for PostgresClockTest. Run under libfaketime with a clock a day off, it
// writes through a Store (a user, a job it claims, a session) and prints, one per line, its own
// clock and the times the Store gave those objects, so the test can see whose clock they came
// from. Usage: store_clock_probe POSTGRES_URL
#include <cstdio>

#include "base/clock.h"
#include "store/store.h"

int main(int argc, char** argv) {
  using namespace datastory::store;
  if (argc != 2) {
    std::fprintf(stderr, "usage: store_clock_probe POSTGRES_URL\n");
    return 2;
  }
  auto store = OpenStore(argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  auto user = (*store)->CreateUser({"probe@example.com", "h", Tier::kFree});
  if (!user.ok()) return 1;
  auto job = (*store)->EnqueueJob({user->id, "{}", 3});
  if (!job.ok()) return 1;
  auto claimed = (*store)->ClaimJob("probe", 60000);
  auto session = (*store)->CreateSession({user->id, std::string(64, 'p'), false, "", ""});
  if (!claimed.ok() || !session.ok()) return 1;
  std::printf("own %lld\n", static_cast<long long>(datastory::SystemClock().NowMillis()));
  std::printf("user %lld\n", static_cast<long long>(user->created_at));
  std::printf("job %lld\n", static_cast<long long>(job->created_at));
  std::printf("lease %lld\n", static_cast<long long>(claimed->lease_expires_at - 60000));
  std::printf("session %lld\n", static_cast<long long>(session->created_at));
  std::printf("month %s\n", job->quota_month.c_str());
  return 0;
}
