package io.kindling.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Estimates Pi with Spark: the smallest real JVM Spark job.
 *
 * <p>Usage: {@code spark-submit --class io.kindling.examples.JavaPi <jar> [partitions]}.
 * Prints exactly one line {@code Pi is roughly <value>} to stdout.
 */
public final class JavaPi {

    private static final int SAMPLES_PER_PARTITION = 100_000;

    private JavaPi() {
    }

    public static void main(String[] args) {
        int partitions = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int n = SAMPLES_PER_PARTITION * partitions;
        List<Integer> samples = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            samples.add(i);
        }
        SparkConf conf = new SparkConf().setAppName("KindlingJavaPi");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            int count = sc.parallelize(samples, partitions)
                    .map(i -> {
                        double x = ThreadLocalRandom.current().nextDouble() * 2 - 1;
                        double y = ThreadLocalRandom.current().nextDouble() * 2 - 1;
                        return x * x + y * y <= 1 ? 1 : 0;
                    })
                    .reduce(Integer::sum);
            System.out.println("Pi is roughly " + 4.0 * count / n);
        }
    }
}
