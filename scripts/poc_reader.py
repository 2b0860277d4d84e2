#!/usr/bin/env python3
"""A PoC-style Python reader of the RX380, for CPU comparisons with `plc run` (scripts/bench-cycle).

It does what the first Python logger did, the straightforward way: every second one FC04 read of
registers 4000-4045 through pymodbus, decode the values, print them every 2 minutes and append a
CSV row every 5 minutes. Usage: poc_reader.py HOST PORT [SLAVE]
"""
import csv
import struct
import sys
import time
from datetime import datetime

from pymodbus.client import ModbusTcpClient

host, port = sys.argv[1], int(sys.argv[2])
slave = int(sys.argv[3]) if len(sys.argv) > 3 else 1
client = ModbusTcpClient(host, port=port, timeout=0.5)
client.connect()
last_show = last_log = 0.0
while True:
    start = time.time()
    try:
        reply = client.read_input_registers(4000, count=46, device_id=slave)
        regs = reply.registers if not reply.isError() else None
    except Exception:  # a PoC logs and goes on
        regs = None
    if regs:
        u32 = lambda i: struct.unpack(">I", struct.pack(">HH", regs[i], regs[i + 1]))[0]
        s32 = lambda i: struct.unpack(">i", struct.pack(">HH", regs[i], regs[i + 1]))[0]
        values = {
            "voltage_l1": u32(6) * 0.1, "current_l1": u32(12) * 0.001,
            "total_real_power": s32(18), "frequency": u32(34) * 0.01, "total_real_energy": u32(44),
        }
        if start - last_show >= 120:
            print(datetime.now(), values, flush=True)
            last_show = start
        if start - last_log >= 300:
            with open("/tmp/poc_reader.csv", "a", newline="") as f:
                csv.writer(f).writerow([datetime.now().isoformat()] + list(values.values()))
            last_log = start
    time.sleep(max(0.0, 1.0 - (time.time() - start)))
