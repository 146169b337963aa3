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
    CHECK(add("2024-02-29", 1, DateUnit::Years) == "2025-02-28");
    CHECK(add("2024-02-29", 4, DateUnit::Years) == "2028-02-29");
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

TEST_CASE("day numbers round-trip across the calendar", "[dates]") {
    for (long long n = -719162; n <= 2932896; n += 997) {  // 0001-01-01 .. 9999-12-31
        Date date = from_day_number(n);
        CHECK(to_day_number(date) == n);
        CHECK(parse_iso_date(format_iso_date(date)) == std::optional<Date>(date));
    }
    CHECK(to_day_number(d("1970-01-01")) == 0);
}
