"""A Spark application that runs for a while doing nothing, for tests of cancel, timeouts and adoption.

Usage: spark-submit examples/sleep.py [seconds]   (default 60)

Starts a SparkSession, then sleeps in a loop, printing its progress to stdout every
second, stops the session and exits 0.
"""
import sys
import time

from pyspark.sql import SparkSession


def main(argv: list[str]) -> int:
    seconds = float(argv[1]) if len(argv) > 1 else 60.0
    spark = SparkSession.builder.appName("KindlingSleep").getOrCreate()
    try:
        print(f"kindling-sleep: sleeping {seconds:g} s on Spark {spark.version}", flush=True)
        deadline = time.monotonic() + seconds
        slept = 0
        while time.monotonic() < deadline:
            time.sleep(max(0.0, min(1.0, deadline - time.monotonic())))
            slept += 1
            print(f"kindling-sleep: {slept} s", flush=True)
        print("kindling-sleep: done", flush=True)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
