#!/usr/bin/env python3
"""Samples a process's resident set size until it exits: rss.py PID OUT [INTERVAL_SECONDS]

Appends "UNIX_TIME_US VmRSS_KB VmHWM_KB" to OUT every INTERVAL (default 0.1 s), from /proc/PID/status.
VmHWM is the kernel's own high-water mark, so no peak between two samples is missed overall.
"""
import sys
import time


def read(pid):
    rss = hwm = 0
    with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    return rss, hwm


def main():
    pid, out = sys.argv[1], sys.argv[2]
    interval = float(sys.argv[3]) if len(sys.argv) > 3 else 0.1
    with open(out, "a", encoding="ascii") as file:
        while True:
            try:
                rss, hwm = read(pid)
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                return
            if rss == 0 and hwm == 0:  # a zombie: the server has exited
                return
            file.write(f"{time.time_ns() // 1000} {rss} {hwm}\n")
            file.flush()
            time.sleep(interval)


if __name__ == "__main__":
    main()
