// libsodium (Debian libsodium-dev): Argon2id password hashing (crypto_pwhash_str), random bytes
// and constant-time comparison, for the users file and the dashboard's sessions.
#ifndef CSODIUM_SHIM_H
#define CSODIUM_SHIM_H
#include <sodium.h>
#endif
