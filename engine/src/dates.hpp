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

/// The day `count` whole units after `from` are complete: `from`'s day of the month `count` months
/// or years on, or the 1st of the next month when that month is too short (born 29 Feb: a year
/// older on 1 Mar in common years; 31 Jan + 1 month completes on 1 Mar). The one rule for ages and
/// anniversaries: period_between counts these, add_period's years are these. nullopt outside 1..9999.
std::optional<Date> anniversary(const Date& from, long long count, DateUnit unit);

/// date + amount units. Days are exact. Months are calendar months clamped to the month's last day,
/// the waiting-period rule (2026-08-31 + 6 months = 2027-02-28). Years are anniversaries, as ages
/// (2024-02-29 + 1 year = 2025-03-01): someone born on D is N years old on D + N years.
/// nullopt when the result leaves years 1..9999.
std::optional<Date> add_period(const Date& date, long long amount, DateUnit unit);

/// Whole units from `from` to `to` (negative when `to` is earlier). Days are exact; months and
/// years count completed units (anniversary() <= to), so the age on the birthday itself is the new age.
long long period_between(const Date& from, const Date& to, DateUnit unit);

std::optional<DateUnit> parse_date_unit(std::string_view unit);  // "days" | "months" | "years"

}  // namespace prescreen
