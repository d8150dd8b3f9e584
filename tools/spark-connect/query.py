"""A stock PySpark Spark Connect client: connects to the URL given and prints `result <sum of 0..999>`.

On a failure it prints `error <reason>` and exits 2. A client trusts the gateway's CA through
GRPC_DEFAULT_SSL_ROOTS_FILE_PATH (the sessions tests set it to Kindling's ca.pem).
"""
import sys

from pyspark.sql import SparkSession


def main(url: str) -> int:
    try:
        spark = SparkSession.builder.remote(url).getOrCreate()
        total = spark.range(1000).selectExpr("sum(id)").collect()[0][0]
    except Exception as e:  # the test reads the reason
        print("error", type(e).__name__, str(e).replace("\n", " ")[:2000], flush=True)
        return 2
    print("result", total, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
