package io.paretopipe.benchmarks.sweep;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Warms a point up until its one-at-a-time rate has settled: readings (each the rate of a block of
 * requests sent one at a time) are taken until two consecutive ones agree within {@code tolerance}
 * of the earlier, at most {@code maxReadings}. The last reading is the point's closed-loop rate. A
 * head that is still compiling, still growing its allocator's arena or paging its weights in gives
 * readings that keep moving, and a peak search started on it measures a different pipeline from the
 * one the next search meets. Worked numbers: readings 22.2, 11.8, 11.5/s settle at the third (|11.5
 * - 11.8| / 11.8 = 2.5% <= 10%), rate 11.5/s; readings that alternate 10, 20, 10, ... never settle,
 * and {@link Result#settled()} is false after {@code maxReadings}.
 */
final class ClosedLoopWarmup {

  /** Takes one reading: requests per second of one block sent one at a time. */
  @FunctionalInterface
  interface Reading {
    double take() throws IOException;
  }

  /**
   * @param ratePerSecond the last reading
   * @param settled whether the last two readings agreed within the tolerance
   * @param readings every reading, in order
   */
  record Result(double ratePerSecond, boolean settled, List<Double> readings) {
    Result {
      readings = List.copyOf(readings);
    }
  }

  private ClosedLoopWarmup() {}

  /**
   * @param tolerance relative agreement of two consecutive readings, > 0 (0.1: within 10%)
   * @param maxReadings readings at most, >= 2
   */
  static Result settle(Reading reading, double tolerance, int maxReadings) throws IOException {
    if (!(tolerance > 0)) {
      throw new IllegalArgumentException("tolerance: " + tolerance + " (expected: > 0, e.g. 0.1)");
    }
    if (maxReadings < 2) {
      throw new IllegalArgumentException("maxReadings: " + maxReadings + " (expected: >= 2)");
    }
    List<Double> readings = new ArrayList<>();
    readings.add(reading.take());
    while (readings.size() < maxReadings) {
      double previous = readings.get(readings.size() - 1);
      double now = reading.take();
      readings.add(now);
      if (Math.abs(now - previous) <= tolerance * previous) {
        return new Result(now, true, readings);
      }
    }
    return new Result(readings.get(readings.size() - 1), false, readings);
  }
}
