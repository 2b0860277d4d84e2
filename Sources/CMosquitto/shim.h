// libmosquitto 2.0 (Debian libmosquitto-dev): the MQTT client library, nothing added.
#ifndef CMOSQUITTO_SHIM_H
#define CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#endif
