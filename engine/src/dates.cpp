#include "dates.hpp"

#include <cstdio>

namespace prescreen {

bool is_leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && is_leap_year(year)) return 29;
    return days[month - 1];
}

bool looks_like_iso_date(std::string_view t) {
    if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
    for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (t[i] < '0' || t[i] > '9') return false;
    return true;
}

std::optional<Date> parse_iso_date(std::string_view t) {
    if (!looks_like_iso_date(t)) return std::nullopt;
    auto num = [&](int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; ++i) v = v * 10 + (t[i] - '0');
        return v;
    };
    Date d{num(0, 4), num(5, 2), num(8, 2)};
    if (d.year < 1 || d.month < 1 || d.month > 12 || d.day < 1 || d.day > days_in_month(d.year, d.month))
        return std::nullopt;
    return d;
}

std::string format_iso_date(const Date& d) {
    char buf[32];
    if (d.year < 0 || d.year > 9999 || d.month < 0 || d.month > 99 || d.day < 0 || d.day > 99) {
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
        return buf;
    }
    // Every result writes its dates: digits by hand, not snprintf (a tenth of a WebAssembly
    // screening's writing went to printf's machinery).
    auto two = [](char* at, int v) {
        at[0] = static_cast<char>('0' + v / 10);
        at[1] = static_cast<char>('0' + v % 10);
    };
    two(buf, d.year / 100);
    two(buf + 2, d.year % 100);
    buf[4] = '-';
    two(buf + 5, d.month);
    buf[7] = '-';
    two(buf + 8, d.day);
    return std::string(buf, 10);
}

// Howard Hinnant's days_from_civil / civil_from_days.
long long to_day_number(const Date& date) {
    long long y = date.year - (date.month <= 2 ? 1 : 0);
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const long long yoe = y - era * 400;
    const long long mp = (date.month + 9) % 12;
    const long long doy = (153 * mp + 2) / 5 + date.day - 1;
    const long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

Date from_day_number(long long z) {
    z += 719468;
    const long long era = (z >= 0 ? z : z - 146096) / 146097;
    const long long doe = z - era * 146097;
    const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const long long mp = (5 * doy + 2) / 153;
    const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    const long long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    return Date{static_cast<int>(year), month, day};
}

long long days_since_1970(const Date& date) { return to_day_number(date); }

namespace {

// date + months, clamped to the month's last day (31 Aug + 6 months = 28 Feb): waiting periods.
std::optional<Date> add_months_clamped(const Date& date, long long months) {
    constexpr long long max_span = 10000LL * 12;  // anything larger leaves the calendar anyway
    if (months > max_span || months < -max_span) return std::nullopt;
    const long long index = static_cast<long long>(date.year) * 12 + (date.month - 1) + months;
    const long long year = index >= 0 ? index / 12 : (index - 11) / 12;
    Date out;
    out.year = static_cast<int>(year);
    out.month = static_cast<int>(index - year * 12) + 1;
    if (out.year < 1 || out.year > 9999) return std::nullopt;
    const int last = days_in_month(out.year, out.month);
    out.day = date.day > last ? last : date.day;
    return out;
}

}  // namespace

std::optional<Date> anniversary(const Date& from, long long count, DateUnit unit) {
    if (unit == DateUnit::Days) return add_period(from, count, unit);
    constexpr long long max_years = 10000;
    if (unit == DateUnit::Years && (count > max_years || count < -max_years)) return std::nullopt;
    const auto same_day = add_months_clamped(from, unit == DateUnit::Years ? count * 12 : count);
    if (!same_day || same_day->day == from.day) return same_day;
    // The month is too short for from's day: the unit completes when that month is over.
    auto next = add_months_clamped(Date{same_day->year, same_day->month, 1}, 1);
    return next;
}

std::optional<Date> add_period(const Date& date, long long amount, DateUnit unit) {
    constexpr long long max_days = 10000LL * 12 * 31;  // anything larger leaves the calendar anyway
    if (amount > max_days || amount < -max_days) return std::nullopt;
    if (unit == DateUnit::Months) return add_months_clamped(date, amount);
    // Years are anniversaries, the same computation as an age: born 29 Feb 2008 + 18 years is
    // 1 Mar 2026, the day period_between first counts 18 years.
    if (unit == DateUnit::Years) return anniversary(date, amount, unit);
    const Date out = from_day_number(to_day_number(date) + amount);
    if (out.year < 1 || out.year > 9999) return std::nullopt;
    return out;
}

long long period_between(const Date& from, const Date& to, DateUnit unit) {
    if (unit == DateUnit::Days) return to_day_number(to) - to_day_number(from);
    if (to < from) return -period_between(to, from, unit);
    // Whole units are counted by the one anniversary rule above: the candidate count from the
    // calendar fields, one fewer when its anniversary is still after `to`.
    const long long months = (static_cast<long long>(to.year) - from.year) * 12 + (to.month - from.month);
    long long count = unit == DateUnit::Months ? months : months / 12;
    if (count > 0) {
        const auto reached = anniversary(from, count, unit);
        if (!reached || to < *reached) --count;
    }
    return count;
}

std::optional<DateUnit> parse_date_unit(std::string_view unit) {
    if (unit == "days" || unit == "day") return DateUnit::Days;
    if (unit == "months" || unit == "month") return DateUnit::Months;
    if (unit == "years" || unit == "year") return DateUnit::Years;
    return std::nullopt;
}

}  // namespace prescreen
