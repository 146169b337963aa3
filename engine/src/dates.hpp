// Calendar dates for waiting periods and ages. Proleptic Gregorian, ISO YYYY-MM-DD only.
// Impossible dates (2026-02-30) are rejected, never wrapped.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "prescreen/date.hpp"

namespace prescreen {

enum class DateUnit { Days, Months, Years };

bool is_leap_year(int year);
int days_in_month(int year, int month);

/// True when text has the shape YYYY-MM-DD (whether or not the day exists).
bool looks_like_iso_date(std::string_view text);

/// Days since 1970-01-01 (negative before).
long long to_day_number(const Date& date);
Date from_day_number(long long days);

/// date + amount units. Months and years are calendar units clamped to the month's last day
/// (2026-08-31 + 6 months = 2027-02-28). nullopt when the result leaves years 1..9999.
std::optional<Date> add_period(const Date& date, long long amount, DateUnit unit);

/// Whole units from `from` to `to` (negative when `to` is earlier). Days are exact; months and
/// years count completed calendar units, so the age on the birthday itself is the new age. A unit
/// completes on `from`'s day of the month, or on the 1st of the next month when the month is too
/// short (born 29 Feb: a year older on 1 Mar in common years; 31 Jan + 1 month completes on 1 Mar).
long long period_between(const Date& from, const Date& to, DateUnit unit);

std::optional<DateUnit> parse_date_unit(std::string_view unit);  // "days" | "months" | "years"

}  // namespace prescreen
