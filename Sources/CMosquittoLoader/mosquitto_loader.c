// The mosquitto_* functions PLCMqtt calls, each forwarding to libmosquitto.so.1 opened with dlopen on
// first use. Hidden: the executable does not export them, so libmosquitto's own calls stay its own.
// Without the library a call does nothing and returns an error (MOSQ_ERR_NOT_SUPPORTED, NULL, or
// the reason as text); PLCMqtt asks plc_mosquitto_load() first and reports the reason.
#include "CMosquittoLoader.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#define LOADER_FUNCTIONS(X) \
    X(int, mosquitto_lib_init, (void), (), MOSQ_ERR_NOT_SUPPORTED) \
    X(struct mosquitto *, mosquitto_new, (const char *id, bool clean_session, void *obj), (id, clean_session, obj), NULL) \
    X(int, mosquitto_connect, (struct mosquitto *mosq, const char *host, int port, int keepalive), (mosq, host, port, keepalive), \
      MOSQ_ERR_NOT_SUPPORTED) \
    X(int, mosquitto_disconnect, (struct mosquitto *mosq), (mosq), MOSQ_ERR_NOT_SUPPORTED) \
    X(int, mosquitto_int_option, (struct mosquitto *mosq, enum mosq_opt_t option, int value), (mosq, option, value), \
      MOSQ_ERR_NOT_SUPPORTED) \
    X(int, mosquitto_loop_forever, (struct mosquitto *mosq, int timeout, int max_packets), (mosq, timeout, max_packets), \
      MOSQ_ERR_NOT_SUPPORTED) \
    X(int, mosquitto_publish, (struct mosquitto *mosq, int *mid, const char *topic, int payloadlen, const void *payload, int qos, \
      bool retain), (mosq, mid, topic, payloadlen, payload, qos, retain), MOSQ_ERR_NOT_SUPPORTED) \
    X(int, mosquitto_reconnect_delay_set, (struct mosquitto *mosq, unsigned int delay, unsigned int delay_max, bool exponential), \
      (mosq, delay, delay_max, exponential), MOSQ_ERR_NOT_SUPPORTED) \
    X(int, mosquitto_threaded_set, (struct mosquitto *mosq, bool threaded), (mosq, threaded), MOSQ_ERR_NOT_SUPPORTED) \
    X(int, mosquitto_tls_set, (struct mosquitto *mosq, const char *cafile, const char *capath, const char *certfile, \
      const char *keyfile, int (*pw_callback)(char *buf, int size, int rwflag, void *userdata)), \
      (mosq, cafile, capath, certfile, keyfile, pw_callback), MOSQ_ERR_NOT_SUPPORTED) \
    X(int, mosquitto_username_pw_set, (struct mosquitto *mosq, const char *username, const char *password), \
      (mosq, username, password), MOSQ_ERR_NOT_SUPPORTED) \
    X(int, mosquitto_will_set, (struct mosquitto *mosq, const char *topic, int payloadlen, const void *payload, int qos, bool retain), \
      (mosq, topic, payloadlen, payload, qos, retain), MOSQ_ERR_NOT_SUPPORTED) \
    X(const char *, mosquitto_strerror, (int mosq_errno), (mosq_errno), problem) \
    X(const char *, mosquitto_connack_string, (int connack_code), (connack_code), problem) \
    X(const char *, mosquitto_reason_string, (int reason_code), (reason_code), problem)

#define LOADER_VOID_FUNCTIONS(V) \
    V(mosquitto_destroy, (struct mosquitto *mosq), (mosq)) \
    V(mosquitto_connect_callback_set, (struct mosquitto *mosq, void (*cb)(struct mosquitto *, void *, int)), (mosq, cb)) \
    V(mosquitto_disconnect_callback_set, (struct mosquitto *mosq, void (*cb)(struct mosquitto *, void *, int)), (mosq, cb)) \
    V(mosquitto_publish_callback_set, (struct mosquitto *mosq, void (*cb)(struct mosquitto *, void *, int)), (mosq, cb))

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char problem[512];

#define LOADER_POINTER(ret, name, params, args, fallback) static ret (*loaded_##name) params;
#define LOADER_VOID_POINTER(name, params, args) static void (*loaded_##name) params;
LOADER_FUNCTIONS(LOADER_POINTER)
LOADER_VOID_FUNCTIONS(LOADER_VOID_POINTER)

static void load(void) {
    void *library = dlopen("libmosquitto.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(problem, sizeof problem, "cannot load libmosquitto.so.1 (Debian package libmosquitto1): %s", dlerror());
        return;
    }
#define LOADER_RESOLVE(name) \
    if (!(*(void **)&loaded_##name = dlsym(library, #name))) { \
        snprintf(problem, sizeof problem, "libmosquitto.so.1 has no %s", #name); \
        return; \
    }
#define LOADER_RESOLVE_RETURNING(ret, name, params, args, fallback) LOADER_RESOLVE(name)
#define LOADER_RESOLVE_VOID(name, params, args) LOADER_RESOLVE(name)
    LOADER_FUNCTIONS(LOADER_RESOLVE_RETURNING)
    LOADER_VOID_FUNCTIONS(LOADER_RESOLVE_VOID)
}

const char *plc_mosquitto_load(void) {
    pthread_once(&once, load);
    return problem[0] ? problem : NULL;
}

#define LOADER_FORWARD(ret, name, params, args, fallback) \
    __attribute__((visibility("hidden"))) ret name params { \
        if (plc_mosquitto_load()) return fallback; \
        return loaded_##name args; \
    }
#define LOADER_FORWARD_VOID(name, params, args) \
    __attribute__((visibility("hidden"))) void name params { \
        if (!plc_mosquitto_load()) loaded_##name args; \
    }
LOADER_FUNCTIONS(LOADER_FORWARD)
LOADER_VOID_FUNCTIONS(LOADER_FORWARD_VOID)
