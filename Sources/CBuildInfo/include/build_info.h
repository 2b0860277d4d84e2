#ifndef PLC_BUILD_INFO_H
#define PLC_BUILD_INFO_H

/// The git commit this binary was built from: set by scripts/release with
/// -Xcc -DPLC_GIT_COMMIT='"<hash>"', "unknown" in a plain `swift build`.
const char *plc_build_commit(void);

#endif
