// Calendar arithmetic for waiting periods and ages.
#include <catch2/catch.hpp>

#include "dates.hpp"

using namespace prescreen;

namespace {
Date d(const char* text) { return *parse_iso_date(text); }
std::string add(const char* date, long long n, DateUnit unit) { return format_iso_date(*add_period(d(date), n, unit)); }
}  // namespace

TEST_CASE("ISO dates are strict: impossible dates are rejected, not wrapped", "[dates]") {
    CHECK(parse_iso_date("2026-11-25"));
    CHECK(parse_iso_date("2024-02-29"));
    CHECK_FALSE(parse_iso_date("2026-02-29"));
    CHECK_FALSE(parse_iso_date("2026-02-30"));
    CHECK_FALSE(parse_iso_date("2026-13-01"));
    CHECK_FALSE(parse_iso_date("2026-00-10"));
    CHECK_FALSE(parse_iso_date("2026-04-31"));
    CHECK_FALSE(parse_iso_date("0000-01-01"));
    CHECK_FALSE(parse_iso_date("2026-1-01"));
    CHECK_FALSE(parse_iso_date("2026-11-25T00:00"));
    CHECK_FALSE(parse_iso_date("26-11-2025"));
    CHECK_FALSE(parse_iso_date(""));
    CHECK(parse_iso_date("1900-02-28"));
    CHECK_FALSE(parse_iso_date("1900-02-29"));  // not a leap year
    CHECK(parse_iso_date("2000-02-29"));        // a leap year
}

TEST_CASE("adding days, months and years", "[dates]") {
    CHECK(add("2026-11-25", 5, DateUnit::Days) == "2026-11-30");
    CHECK(add("2026-12-30", 5, DateUnit::Days) == "2027-01-04");
    CHECK(add("2024-02-28", 1, DateUnit::Days) == "2024-02-29");
    CHECK(add("2026-11-25", -30, DateUnit::Days) == "2026-10-26");
    CHECK(add("2026-08-31", 6, DateUnit::Months) == "2027-02-28");  // clamped to month end
    CHECK(add("2027-08-31", 6, DateUnit::Months) == "2028-02-29");  // leap year
    CHECK(add("2026-05-31", 6, DateUnit::Months) == "2026-11-30");
    CHECK(add("2026-01-31", 1, DateUnit::Months) == "2026-02-28");
    CHECK(add("2026-03-31", -1, DateUnit::Months) == "2026-02-28");
    CHECK(add("2026-11-25", 12, DateUnit::Months) == "2027-11-25");
    // Years are anniversaries, as ages: 29 Feb + 1 year is 1 March in a common year.
    CHECK(add("2024-02-29", 1, DateUnit::Years) == "2025-03-01");
    CHECK(add("2024-02-29", 4, DateUnit::Years) == "2028-02-29");
    CHECK(add("2024-02-29", -1, DateUnit::Years) == "2023-03-01");
    CHECK(add("2024-02-29", 12, DateUnit::Months) == "2025-02-28");  // months stay clamped (waiting periods)
    CHECK_FALSE(add_period(d("9999-12-31"), 1, DateUnit::Days));
    CHECK_FALSE(add_period(d("0001-01-01"), -1, DateUnit::Months));
    CHECK_FALSE(add_period(d("2026-01-01"), 1LL << 40, DateUnit::Days));
}

TEST_CASE("whole periods between dates; age is completed years", "[dates]") {
    CHECK(period_between(d("2026-11-25"), d("2026-11-30"), DateUnit::Days) == 5);
    CHECK(period_between(d("2026-11-30"), d("2026-11-25"), DateUnit::Days) == -5);
    CHECK(period_between(d("2008-11-25"), d("2026-11-25"), DateUnit::Years) == 18);  // 18 on the birthday
    CHECK(period_between(d("2008-11-26"), d("2026-11-25"), DateUnit::Years) == 17);
    CHECK(period_between(d("2008-02-29"), d("2026-02-28"), DateUnit::Years) == 17);  // 18 on 1 March
    CHECK(period_between(d("2008-02-29"), d("2026-03-01"), DateUnit::Years) == 18);
    CHECK(period_between(d("2008-02-29"), d("2028-02-29"), DateUnit::Years) == 20);
    CHECK(period_between(d("2026-08-31"), d("2027-02-28"), DateUnit::Months) == 5);
    CHECK(period_between(d("2026-08-31"), d("2027-03-01"), DateUnit::Months) == 6);
    CHECK(period_between(d("2026-01-31"), d("2026-02-28"), DateUnit::Months) == 0);
    CHECK(period_between(d("2026-01-31"), d("2026-03-31"), DateUnit::Months) == 2);
    CHECK(period_between(d("2026-01-15"), d("2026-02-14"), DateUnit::Months) == 0);
    CHECK(period_between(d("2026-01-15"), d("2026-02-15"), DateUnit::Months) == 1);
    CHECK(period_between(d("2026-03-31"), d("2026-01-31"), DateUnit::Months) == -2);
}

TEST_CASE("29 February births: one anniversary rule for the age and the date it is reached", "[dates]") {
    // Born in a leap year, the birthday in a common year is 1 March; in a leap year, 29 February.
    CHECK(format_iso_date(*anniversary(d("2008-02-29"), 18, DateUnit::Years)) == "2026-03-01");  // 2026: common
    CHECK(format_iso_date(*anniversary(d("2008-02-29"), 20, DateUnit::Years)) == "2028-02-29");  // 2028: leap
    CHECK(format_iso_date(*anniversary(d("2000-02-29"), 100, DateUnit::Years)) == "2100-03-01");  // 2100: not leap
    CHECK(format_iso_date(*anniversary(d("2026-01-31"), 1, DateUnit::Months)) == "2026-03-01");
    CHECK(format_iso_date(*anniversary(d("2026-01-15"), 1, DateUnit::Months)) == "2026-02-15");
    CHECK_FALSE(anniversary(d("9990-02-28"), 10, DateUnit::Years));
    // The age on the anniversary is the new age, the day before it is one less: for every day of
    // two leap cycles of births and every age up to 22 (the pack's min_age range).
    for (long long n = to_day_number(d("2000-01-01")); n <= to_day_number(d("2008-12-31")); ++n) {
        const Date birth = from_day_number(n);
        for (int age = 1; age <= 22; ++age) {
            const Date reached = *anniversary(birth, age, DateUnit::Years);
            INFO(format_iso_date(birth) << " + " << age << " years = " << format_iso_date(reached));
            REQUIRE(period_between(birth, reached, DateUnit::Years) == age);
            REQUIRE(period_between(birth, from_day_number(to_day_number(reached) - 1), DateUnit::Years) == age - 1);
            REQUIRE(*add_period(birth, age, DateUnit::Years) == reached);
        }
    }
}

TEST_CASE("day numbers round-trip across the calendar", "[dates]") {
    for (long long n = -719162; n <= 2932896; n += 997) {  // 0001-01-01 .. 9999-12-31
        Date date = from_day_number(n);
        CHECK(to_day_number(date) == n);
        CHECK(parse_iso_date(format_iso_date(date)) == std::optional<Date>(date));
    }
    CHECK(to_day_number(d("1970-01-01")) == 0);
}

TEST_CASE("dates are written as YYYY-MM-DD, zero-padded, past year 9999 as printf writes them", "[dates]") {
    CHECK(format_iso_date({1, 1, 1}) == "0001-01-01");
    CHECK(format_iso_date({999, 12, 31}) == "0999-12-31");
    CHECK(format_iso_date({2026, 11, 5}) == "2026-11-05");
    CHECK(format_iso_date({9999, 12, 31}) == "9999-12-31");
    CHECK(format_iso_date({10000, 1, 1}) == "10000-01-01");
    CHECK_FALSE(add_period(d("9999-12-31"), 1, DateUnit::Days));  // the engine makes no such date
}
