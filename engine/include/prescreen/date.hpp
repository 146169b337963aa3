// Calendar dates at the API boundary: `today`, deferral dates, dates of birth. Proleptic Gregorian,
// ISO YYYY-MM-DD only; impossible dates (2026-02-30) are rejected, never wrapped.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace prescreen {

struct Date {
    int year = 1970;
    int month = 1;  // 1..12
    int day = 1;    // 1..days_in_month

    friend bool operator==(const Date& a, const Date& b) { return a.year == b.year && a.month == b.month && a.day == b.day; }
    friend bool operator!=(const Date& a, const Date& b) { return !(a == b); }
    friend bool operator<(const Date& a, const Date& b) {
        if (a.year != b.year) return a.year < b.year;
        if (a.month != b.month) return a.month < b.month;
        return a.day < b.day;
    }
    friend bool operator<=(const Date& a, const Date& b) { return !(b < a); }
};

/// Strict ISO calendar date "YYYY-MM-DD" (years 0001..9999). nullopt for anything else.
std::optional<Date> parse_iso_date(std::string_view text);
/// "YYYY-MM-DD".
std::string format_iso_date(const Date& date);
/// Days since 1970-01-01 (negative before it): the day number of numpy and Arrow date columns.
long long days_since_1970(const Date& date);

}  // namespace prescreen
