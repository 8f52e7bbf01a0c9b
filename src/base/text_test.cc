#include "base/text.h"

#include <gtest/gtest.h>

namespace datastory {
namespace {

using Words = std::vector<std::string>;

TEST(SplitWordsTest, SplitsAtSeparatorsAndCamelCaseTurns) {
  EXPECT_EQ(SplitWords("unit_price", "_"), (Words{"unit", "price"}));
  EXPECT_EQ(SplitWords("unitPrice", "_"), (Words{"unit", "Price"}));
  EXPECT_EQ(SplitWords("US_GDP per capita", "_ "), (Words{"US", "GDP", "per", "capita"}));
  EXPECT_EQ(SplitWords("__a--b__", "_-"), (Words{"a", "b"}));          // no empty words
  EXPECT_EQ(SplitWords("pm2.5 (µg)", " "), (Words{"pm2.5", "(µg)"}));  // the rest kept
  EXPECT_TRUE(SplitWords("", " ").empty());
  EXPECT_TRUE(SplitWords("___", "_").empty());
}

TEST(NameWordsTest, LowerCaseWordsOfLettersAndDigits) {
  EXPECT_EQ(NameWords("Unit_Price"), (Words{"unit", "price"}));
  EXPECT_EQ(NameWords("isCanceled"), (Words{"is", "canceled"}));
  EXPECT_EQ(NameWords("default.payment.next.month"),
            (Words{"default", "payment", "next", "month"}));
}

TEST(NameHasWordTest, WordStartsOrLongWordEnds) {
  EXPECT_TRUE(NameHasWord(NameWords("Temperature_C"), {"temp"}));
  EXPECT_TRUE(NameHasWord(NameWords("totalrevenue"), {"revenue"}));  // six letters or more
  EXPECT_FALSE(NameHasWord(NameWords("discount"), {"count"}));       // never inside
  EXPECT_FALSE(NameHasWord(NameWords("population"), {"lat"}));
  EXPECT_FALSE(NameHasWord(NameWords("x"), {}));
}

}  // namespace
}  // namespace datastory
