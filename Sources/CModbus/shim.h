// The only C the project sees: libmodbus 3.1 (Debian libmodbus-dev) and the errno helpers it needs.
#ifndef CMODBUS_SHIM_H
#define CMODBUS_SHIM_H
#include <modbus.h>
#include <errno.h>

/// errno, readable from Swift without a macro.
static inline int cmodbus_errno(void) { return errno; }

/// libmodbus's own error numbers; Swift cannot import these macros (they are sums).
static const int cmodbus_EMBBADCRC = EMBBADCRC;
static const int cmodbus_EMBBADDATA = EMBBADDATA;
static const int cmodbus_EMBBADEXC = EMBBADEXC;
static const int cmodbus_EMBUNKEXC = EMBUNKEXC;
static const int cmodbus_EMBMDATA = EMBMDATA;
static const int cmodbus_EMBBADSLAVE = EMBBADSLAVE;
#endif
