#!/usr/bin/env python3
"""A Modbus TCP or RTU server from pymodbus: the foreign peer the runtime's tests talk to.

It serves a register image (JSON: {"address": value, ...}, 16-bit words) on FC03 and FC04 (shared
registers), answers exception 02 outside it (pymodbus does that for undefined addresses), and logs
every request on stdout as

    REQ <function> <address> <count> <start_ns> <end_ns>

with monotonic times around the request's handling, so a test can count requests per poll and
check that two requests never overlap. It prints "READY <port or device>" once serving.

Commands on stdin: "hold MS" (each request takes MS ms before the reply), "exception N" (answer
every request with exception N), "silent" (take every request and send no reply at all, as a meter
that lost power or its address; requests are still logged), "normal", "set ADDRESS VALUE".

With --devices FILE (JSON: {"slave": {"address": value, ...}, ...}) it serves several slaves on one
port or line, each with its own image; request lines then end with the slave address
(REQ <function> <address> <count> <start_ns> <end_ns> <slave>), and "hold MS SLAVE",
"exception N SLAVE" and "normal SLAVE" apply to one slave.
"""
import argparse
import asyncio
import json
import sys
import time

from pymodbus import FramerType
from pymodbus.constants import ExcCodes
from pymodbus.server import StartAsyncSerialServer, StartAsyncTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

state = {"hold_ms": 0, "exception": None, "silent": False}
image: dict[int, int] = {}


async def action(function_code, start_address, address, count, current_registers, set_values):
    start = time.monotonic_ns()
    if set_values is not None and function_code in (6, 16):
        # A write: the image follows it, so later reads return what was written.
        for offset, value in enumerate(set_values):
            image[address + offset] = int(value) & 0xFFFF
    for a in range(address, address + count):
        if a in image:
            current_registers[a - start_address] = image[a]
    if state["hold_ms"]:
        await asyncio.sleep(state["hold_ms"] / 1000)
    end = time.monotonic_ns()
    print(f"REQ {function_code} {address} {count} {start} {end}", flush=True)
    if state["exception"] is not None:
        return ExcCodes(state["exception"])
    return None


def blocks(words: dict[int, int]) -> list[SimData]:
    """Contiguous runs of the image as SimData blocks; gaps stay undefined (exception 02)."""
    result, run = [], []
    for address in sorted(words):
        if run and address != run[-1] + 1:
            result.append(SimData(run[0], values=[words[a] for a in run], datatype=DataType.REGISTERS))
            run = []
        run.append(address)
    if run:
        result.append(SimData(run[0], values=[words[a] for a in run], datatype=DataType.REGISTERS))
    return result


device_state: dict[int, dict] = {}
device_images: dict[int, dict[int, int]] = {}


def device_action(slave: int):
    """The action of one slave of a --devices bus: its own image, faults and log lines."""
    async def act(function_code, start_address, address, count, current_registers, set_values):
        start = time.monotonic_ns()
        words = device_images[slave]
        for a in range(address, address + count):
            if a in words:
                current_registers[a - start_address] = words[a]
        st = device_state[slave]
        if st["hold_ms"]:
            await asyncio.sleep(st["hold_ms"] / 1000)
        end = time.monotonic_ns()
        print(f"REQ {function_code} {address} {count} {start} {end} {slave}", flush=True)
        if st["exception"] is not None:
            return ExcCodes(st["exception"])
        return None
    return act


def apply_device_command(words: list[str]) -> bool:
    """hold MS SLAVE / exception N SLAVE / normal SLAVE; False when not a per-slave command."""
    if words[0] in ("hold", "exception") and len(words) == 3 and int(words[2]) in device_state:
        device_state[int(words[2])]["hold_ms" if words[0] == "hold" else "exception"] = int(words[1])
        return True
    if words[0] == "normal" and len(words) == 2 and int(words[1]) in device_state:
        device_state[int(words[1])].update(hold_ms=0, exception=None)
        return True
    return False


def trace_packet(sending: bool, packet: bytes) -> bytes:
    """Drops every reply frame while "silent": nothing goes on the line."""
    return b"" if sending and state["silent"] else packet


async def commands():
    loop = asyncio.get_running_loop()
    while line := (await loop.run_in_executor(None, sys.stdin.readline)):
        words = line.split()
        if not words:
            continue
        if apply_device_command(words):
            pass
        elif words[0] == "hold":
            state["hold_ms"] = int(words[1])
        elif words[0] == "exception":
            state["exception"] = int(words[1])
        elif words[0] == "silent":
            state["silent"] = True
        elif words[0] == "normal":
            state.update(hold_ms=0, exception=None, silent=False)
        elif words[0] == "set":
            image[int(words[1])] = int(words[2]) & 0xFFFF
        print(f"OK {line.strip()}", flush=True)


async def main():
    parser = argparse.ArgumentParser()
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--tcp", type=int, help="TCP port on 127.0.0.1")
    where.add_argument("--rtu", help="serial device")
    parser.add_argument("--slave", type=int, default=1)
    parser.add_argument("--baud", type=int, default=19200)
    parser.add_argument("--parity", default="N")
    images = parser.add_mutually_exclusive_group(required=True)
    images.add_argument("--image", help="JSON file {address: word}")
    images.add_argument("--devices", help="JSON file {slave: {address: word}}: several slaves on one bus")
    args = parser.parse_args()
    if args.devices:
        with open(args.devices) as f:
            for slave, words in json.load(f).items():
                device_images[int(slave)] = {int(k): int(v) & 0xFFFF for k, v in words.items()}
                device_state[int(slave)] = {"hold_ms": 0, "exception": None}
        device = [SimDevice(id=slave, simdata=blocks(words), action=device_action(slave))
                  for slave, words in sorted(device_images.items())]
    else:
        with open(args.image) as f:
            image.update({int(k): int(v) & 0xFFFF for k, v in json.load(f).items()})
        device = SimDevice(id=args.slave, simdata=blocks(image), action=action)
    commands_task = asyncio.create_task(commands())  # noqa: F841 (kept alive while serving)
    if args.tcp is not None:
        print(f"READY {args.tcp}", flush=True)
        await StartAsyncTcpServer(context=device, address=("127.0.0.1", args.tcp), trace_packet=trace_packet)
    else:
        print(f"READY {args.rtu}", flush=True)
        await StartAsyncSerialServer(context=device, framer=FramerType.RTU, port=args.rtu, baudrate=args.baud,
                                     parity=args.parity, bytesize=8, stopbits=1, trace_packet=trace_packet)


if __name__ == "__main__":
    asyncio.run(main())
