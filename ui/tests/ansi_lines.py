"""A tiny driver for the browser test: prints lines with ANSI colours (as many loggers do) to stdout,
then exits. Run by spark-submit like any Python application; it needs no SparkSession."""
import sys

COLOURS = {"INFO": "32", "WARN": "33", "ERROR": "1;31"}

for i in range(1, 301):
    level = "ERROR" if i % 50 == 0 else "WARN" if i % 10 == 0 else "INFO"
    print(f"\x1b[90m2026-01-01T00:00:{i % 60:02d}Z\x1b[0m \x1b[{COLOURS[level]}m{level:5}\x1b[0m line {i:03d} of the colour test")
print("\x1b[38;5;208m256-colour orange\x1b[0m and \x1b[38;2;10;200;250m24-bit blue\x1b[0m")
sys.stdout.flush()
