#ifndef PLC_BUILD_INFO_H
#define PLC_BUILD_INFO_H

/// The git commit this binary was built from: set by scripts/release with
/// -Xcc -DPLC_GIT_COMMIT='"<hash>"', "unknown" in a plain `swift build`.
const char *plc_build_commit(void);

/// The commit's date in seconds since 1970-01-01 UTC: set by scripts/release with
/// -Xcc -DPLC_BUILD_EPOCH=<seconds> (`git log -1 --format=%ct`), 0 in a plain `swift build`.
long long plc_build_epoch(void);

/// When this binary's build info was compiled (its __DATE__ and __TIME__, taken as UTC), in
/// seconds since 1970-01-01: the build date of any build, stamped or not.
long long plc_compile_epoch(void);

#include "clock_state.h"

#endif
