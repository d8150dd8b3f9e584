"""Estimate Pi with Spark: the smallest real PySpark job.

Usage: spark-submit examples/pi.py [partitions]

Prints exactly one line "Pi is roughly <value>" to stdout.
"""
import sys
from operator import add
from random import random

from pyspark.sql import SparkSession

SAMPLES_PER_PARTITION = 100_000


def inside(_: int) -> int:
    x = random() * 2 - 1
    y = random() * 2 - 1
    return 1 if x * x + y * y <= 1 else 0


def main(argv: list[str]) -> int:
    partitions = int(argv[1]) if len(argv) > 1 else 2
    n = SAMPLES_PER_PARTITION * partitions
    spark = SparkSession.builder.appName("KindlingPythonPi").getOrCreate()
    try:
        count = (
            spark.sparkContext.parallelize(range(1, n + 1), partitions)
            .map(inside)
            .reduce(add)
        )
        print(f"Pi is roughly {4.0 * count / n}", flush=True)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
