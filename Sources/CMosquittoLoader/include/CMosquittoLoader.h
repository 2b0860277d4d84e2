// libmosquitto's API (Debian libmosquitto-dev's header) with the library loaded on first use:
// a program that does not publish over MQTT never maps libmosquitto, libssl and libcrypto.
#ifndef CMOSQUITTOLOADER_H
#define CMOSQUITTOLOADER_H
#include <mosquitto.h>

/// Loads libmosquitto.so.1 once (thread-safe). NULL when it is loaded, else why not (dlerror's text).
const char *plc_mosquitto_load(void);
#endif
