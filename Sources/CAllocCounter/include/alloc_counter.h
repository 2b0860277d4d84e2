// Counts heap allocations of the whole process while enabled, for `plc bench`.
#ifndef ALLOC_COUNTER_H
#define ALLOC_COUNTER_H
#include <stdint.h>

/// Starts counting from zero.
void alloc_counter_start(void);
/// Stops counting and returns the number of allocations since the start.
uint64_t alloc_counter_stop(void);
#endif
