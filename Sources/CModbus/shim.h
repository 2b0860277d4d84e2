// The only C the project sees: libmodbus 3.1 (Debian libmodbus-dev) and the errno helpers it needs.
#ifndef CMODBUS_SHIM_H
#define CMODBUS_SHIM_H
#include <modbus.h>
#include <errno.h>

/// errno, readable from Swift without a macro.
static inline int cmodbus_errno(void) { return errno; }
#endif
