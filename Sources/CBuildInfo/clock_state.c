#include <sys/timex.h>
#include "clock_state.h"

int plc_clock_synchronised(void) {
    struct timex t = {0};
    int state = adjtimex(&t);
    return state >= 0 && state != TIME_ERROR && (t.status & STA_UNSYNC) == 0;
}
