"""Reads wrk --latency output on stdin; prints "requests/s p50_ms p99_ms non_2xx socket_errors"."""
import re
import sys

text = sys.stdin.read()


def ms(label):
    m = re.search(r"^\s+" + label + r"\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    return float(m.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3}[m.group(2)]


rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
print(f"{rps:.0f} {ms('50%'):.3f} {ms('99%'):.3f} {int(bad.group(1)) if bad else 0} "
      f"{sum(map(int, errors.groups())) if errors else 0}")
