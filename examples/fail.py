"""A Spark application that fails on purpose, for tests of failure handling.

Usage: spark-submit examples/fail.py [exit-code]   (default 3)

Starts a SparkSession, prints one line to stdout and one recognisable line to
stderr, stops the session and exits with the given code.
"""
import sys

from pyspark.sql import SparkSession


def main(argv: list[str]) -> int:
    code = int(argv[1]) if len(argv) > 1 else 3
    spark = SparkSession.builder.appName("KindlingPythonFail").getOrCreate()
    try:
        print(f"kindling-fail: running on Spark {spark.version}", flush=True)
        print(f"kindling-fail: failing on purpose with exit code {code}",
              file=sys.stderr, flush=True)
    finally:
        spark.stop()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
