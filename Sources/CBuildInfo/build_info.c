#include "build_info.h"

#ifndef PLC_GIT_COMMIT
#define PLC_GIT_COMMIT "unknown"
#endif

#ifndef PLC_BUILD_EPOCH
#define PLC_BUILD_EPOCH 0
#endif

const char *plc_build_commit(void) { return PLC_GIT_COMMIT; }

long long plc_build_epoch(void) { return PLC_BUILD_EPOCH; }

/* __DATE__ ("Dec  4 2026") and __TIME__ ("21:47:07") of this file's compilation, as UTC seconds:
   a plain `swift build` has no commit date, but it has a build date (clang takes it from
   SOURCE_DATE_EPOCH when that is set, for reproducible builds). */
long long plc_compile_epoch(void) {
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const char *date = __DATE__, *time = __TIME__;
    int month = 0;
    while (month < 12 && !(months[month * 3] == date[0] && months[month * 3 + 1] == date[1] && months[month * 3 + 2] == date[2])) month++;
    if (month == 12) return 0;
    int day = (date[4] == ' ' ? 0 : date[4] - '0') * 10 + (date[5] - '0');
    int year = (date[7] - '0') * 1000 + (date[8] - '0') * 100 + (date[9] - '0') * 10 + (date[10] - '0');
    int hour = (time[0] - '0') * 10 + (time[1] - '0');
    int minute = (time[3] - '0') * 10 + (time[4] - '0');
    int second = (time[6] - '0') * 10 + (time[7] - '0');
    /* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
    int y = year - (month < 2);
    int era = y / 400;
    int yoe = y - era * 400;
    int mp = (month + 9) % 12;
    int doy = (153 * mp + 2) / 5 + day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long long days = (long long)era * 146097 + doe - 719468;
    return days * 86400 + hour * 3600 + minute * 60 + second;
}
