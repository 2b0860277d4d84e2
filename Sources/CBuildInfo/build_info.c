#include "build_info.h"

#ifndef PLC_GIT_COMMIT
#define PLC_GIT_COMMIT "unknown"
#endif

#ifndef PLC_BUILD_EPOCH
#define PLC_BUILD_EPOCH 0
#endif

const char *plc_build_commit(void) { return PLC_GIT_COMMIT; }

long long plc_build_epoch(void) { return PLC_BUILD_EPOCH; }
