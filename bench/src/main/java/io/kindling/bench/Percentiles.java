package io.kindling.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Nearest-rank percentiles of a set of samples, in milliseconds. */
final class Percentiles {
    private Percentiles() {
    }

    static Map<String, Double> of(List<Double> samples) {
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("count", (double) sorted.size());
        if (sorted.isEmpty()) {
            return out;
        }
        for (double p : new double[] {50, 90, 95, 99}) {
            int rank = (int) Math.ceil(p / 100.0 * sorted.size());
            out.put("p" + (int) p, round(sorted.get(Math.max(0, rank - 1))));
        }
        out.put("max", round(sorted.get(sorted.size() - 1)));
        out.put("mean", round(sorted.stream().mapToDouble(Double::doubleValue).average().orElse(0)));
        return out;
    }

    /** The median (the mean of the two middle samples of an even count), unrounded; NaN when empty. */
    static double median(List<Double> samples) {
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int n = sorted.size();
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** {@code v} to one decimal: the precision of every figure in the benchmarks' JSON. */
    static double round(double v) {
        return Math.round(v * 10.0) / 10.0;
    }
}
