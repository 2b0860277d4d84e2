#!/usr/bin/env python3
"""The RX380 read the way the original Python logger did, for CPU comparisons with `plc run`
(scripts/measure-cycle-cost).

Over a serial line (Modbus RTU, 19200 8E1, slave 1) with minimalmodbus: one request per value, the
24 values the field loggers read (meters/rx380.yaml, source "field": energies, powers, power
factor, frequency, currents, voltages, and the max/min line voltages), FC04, every POLL seconds.
It decodes the values, prints them every 2 minutes and appends a CSV row every 5 minutes, the
straightforward way.
Usage: poc_reader_rtu.py DEVICE [POLL_SECONDS] [CSV_FILE]   (SIGUSR1 prints the polls so far)
"""
import csv
import signal
import sys
import time
from datetime import datetime

import minimalmodbus

device = sys.argv[1]
poll = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
csv_file = sys.argv[3] if len(sys.argv) > 3 else "poc_reader.csv"

meter = minimalmodbus.Instrument(device, 1)
meter.serial.baudrate = 19200
meter.serial.bytesize = 8
meter.serial.stopbits = 1
try:
    meter.serial.parity = minimalmodbus.serial.PARITY_EVEN
except Exception:  # a pty has no parity bit (Linux refuses PARENB there); the bytes pass the same
    meter.serial.parity = minimalmodbus.serial.PARITY_NONE
meter.serial.timeout = 0.5

# (name, address, registers, signed, factor)
VALUES = [
    ("total_real_energy", 4002, 2, False, 1), ("apparent_energy", 4006, 2, False, 1),
    ("reactive_energy", 4010, 2, False, 1), ("total_real_power", 4012, 2, True, 1),
    ("total_apparent_power", 4014, 2, False, 1), ("total_reactive_power", 4016, 2, True, 1),
    ("total_power_factor", 4018, 1, True, 0.001), ("frequency", 4019, 1, False, 0.01),
    ("current_l1", 4020, 2, False, 0.001), ("current_l2", 4022, 2, False, 0.001),
    ("current_l3", 4024, 2, False, 0.001), ("current_n", 4026, 2, False, 0.001),
    ("voltage_l12", 4028, 2, False, 0.1), ("voltage_l23", 4030, 2, False, 0.1),
    ("voltage_l31", 4032, 2, False, 0.1), ("voltage_l1", 4034, 2, False, 0.1),
    ("voltage_l2", 4036, 2, False, 0.1), ("voltage_l3", 4038, 2, False, 0.1),
    ("max_voltage_l12", 4124, 2, False, 0.1), ("max_voltage_l23", 4128, 2, False, 0.1),
    ("max_voltage_l31", 4132, 2, False, 0.1), ("min_voltage_l12", 4212, 2, False, 0.1),
    ("min_voltage_l23", 4216, 2, False, 0.1), ("min_voltage_l31", 4220, 2, False, 0.1),
]

last_show = last_log = 0.0
polls = failures = 0
# SIGUSR1: say how far it got (scripts/measure-cycle-cost reads its poll rate this way).
signal.signal(signal.SIGUSR1, lambda *_: print(f"polls {polls} failed-reads {failures}", flush=True))
while True:
    start = time.time()
    values = {}
    for name, address, registers, signed, factor in VALUES:
        try:
            if registers == 2:
                raw = meter.read_long(address, functioncode=4, signed=signed)
            else:
                raw = meter.read_register(address, functioncode=4, signed=signed)
            values[name] = raw * factor
        except Exception:  # a PoC logs and goes on
            values[name] = None
            failures += 1
    polls += 1
    if start - last_show >= 120:
        print(datetime.now(), f"poll {polls}, {failures} failed reads", values, flush=True)
        last_show = start
    if start - last_log >= 300:
        with open(csv_file, "a", newline="") as f:
            csv.writer(f).writerow([datetime.now().isoformat()] + list(values.values()))
        last_log = start
    time.sleep(max(0.0, poll - (time.time() - start)))
