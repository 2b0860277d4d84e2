#!/usr/bin/env python3
"""Scrapes a running `plc run`'s /metrics twice with prometheus_client's own parser and checks it.

Usage: metrics_check.py PORT LOCATION QUANTITY... ; prints one line per check, exits 1 on the first failure.
"""
import sys
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        assert r.status == 200, r.status
        ctype = r.headers["Content-Type"]
        assert ctype.startswith("text/plain; version=0.0.4"), ctype
        text = r.read().decode()
    families = {f.name: f for f in text_string_to_metric_families(text)}
    return families


def value(families, family, name, **labels):
    for s in families[family].samples:
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    raise AssertionError(f"no sample {name} {labels}")


def main():
    port, location, quantities = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    first = scrape(port)
    time.sleep(2.5)
    second = scrape(port)
    kinds = {"plc_value": "gauge", "plc_scan_duration_seconds": "summary", "plc_scan_overruns_total": "counter",
             "plc_modbus_requests_total": "counter", "plc_modbus_errors_total": "counter",
             "plc_http_requests_total": "counter", "plc_modbus_reply_seconds": "summary"}
    for name, kind in kinds.items():
        # prometheus_client names a counter family without its _total suffix.
        family = name[:-6] if kind == "counter" else name
        assert family in second, f"missing family {name}"
        assert second[family].type == kind, f"{name} is {second[family].type}, not {kind}"
        assert second[family].documentation, f"{name} has no HELP"
        print(f"ok family {name} {kind}")
    for q in quantities:
        v = value(second, "plc_value", "plc_value", location=location, quantity=q)
        labels = next(s.labels for s in second["plc_value"].samples if s.labels.get("quantity") == q)
        assert set(labels) >= {"site", "location", "quantity"}, labels
        print(f"ok value {location} {q} {v}")
    for family, name, labels in [("plc_scan_duration_seconds", "plc_scan_duration_seconds_count", {}),
                                 ("plc_modbus_requests", "plc_modbus_requests_total", {"bus": "meter", "slave": "1"}),
                                 ("plc_http_requests", "plc_http_requests_total", {})]:
        a, b = value(first, family, name, **labels), value(second, family, name, **labels)
        assert b > a, f"{name} did not grow: {a} -> {b}"
        print(f"ok grows {name} {a} -> {b}")
    print("PASS")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one line for the Swift test to show
        print(f"FAIL {type(e).__name__}: {e}")
        sys.exit(1)
