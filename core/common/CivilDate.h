#pragma once
// Calendar dates of Unix times in UTC (proleptic Gregorian, H. Hinnant's algorithms): no gmtime,
// so no locale, time-zone or thread issues. Used for ISO dates and per-month counts.

#include <cstdint>

namespace recscope {

struct CivilDate {
    int64_t year = 1970;
    int month = 1;  // 1..12
    int day = 1;    // 1..31
};

CivilDate civilDate(int64_t unixSeconds);
// The first second (UTC) of a date.
int64_t unixSeconds(const CivilDate& date);

}  // namespace recscope
