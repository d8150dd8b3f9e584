"""Print numbered lines to stdout and stderr, interleaved: the log-durability test job.

Usage: spark-submit examples/numbered_lines.py [lines] [seconds]

Starts a SparkSession (so the attempt has an event log), then prints `lines` (default 20,000)
lines to stdout and as many to stderr, alternating, spread over about `seconds` (default 20).
Every line is `<stream> <number, 6 digits> <epoch milliseconds when printed>`, e.g.
`stdout 000001 1763700000000`, and is flushed at once, so a reader can check that every line
arrives exactly once, in order, and how long it took.
"""
import sys
import time

from pyspark.sql import SparkSession

BATCH = 50


def main(argv: list[str]) -> int:
    lines = int(argv[1]) if len(argv) > 1 else 20_000
    seconds = float(argv[2]) if len(argv) > 2 else 20.0
    spark = SparkSession.builder.appName("KindlingNumberedLines").getOrCreate()
    try:
        # a little real work, so the event log has a job in it
        spark.sparkContext.parallelize(range(100), 2).count()
        pause = seconds / max(1, lines / BATCH)
        started = time.monotonic()
        for i in range(1, lines + 1):
            now = int(time.time() * 1000)
            print(f"stdout {i:06d} {now}", file=sys.stdout, flush=True)
            print(f"stderr {i:06d} {now}", file=sys.stderr, flush=True)
            if i % BATCH == 0:
                # keep to the schedule: sleep only as far as we are ahead of it
                ahead = started + (i / BATCH) * pause - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
