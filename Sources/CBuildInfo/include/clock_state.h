#ifndef PLC_CLOCK_STATE_H
#define PLC_CLOCK_STATE_H

/// 1 when the kernel says the wall clock is synchronised (adjtimex: no STA_UNSYNC, no TIME_ERROR),
/// as NTP, chrony or systemd-timesyncd leave it; 0 otherwise.
int plc_clock_synchronised(void);

#endif
