#include "build_info.h"

#ifndef PLC_GIT_COMMIT
#define PLC_GIT_COMMIT "unknown"
#endif

const char *plc_build_commit(void) { return PLC_GIT_COMMIT; }
