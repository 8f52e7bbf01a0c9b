// DS_CHECK: aborts on a programmer error (a broken invariant), never on bad input.
#ifndef DATASTORY_BASE_CHECK_H_
#define DATASTORY_BASE_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define DS_CHECK(cond)                                                              \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

#endif  // DATASTORY_BASE_CHECK_H_
