package io.paretopipe.harness.driver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * What one open-loop run released, dropped and measured. Latencies are on the head's clock: {@code
 * fromIntended} from each request's intended release to its decoded result (what a client arriving
 * on schedule sees), {@code fromSend} from its actual send (what a closed-loop tool would report);
 * both hold completed requests only. The raw log keeps every scheduled request, so percentiles and
 * SLO counts are computed exactly from it, with dropped requests counted as infinitely late.
 *
 * @param schedule what was offered
 * @param maxOutstanding the bound beyond which releases were dropped
 * @param lastIntendedNanos intended offset of the last scheduled request
 * @param spanNanos the stretch of schedule the run covered: every arrival due before it was
 *     scheduled (the requested duration, or longer when a minimum query count extended the run)
 * @param released requests sent
 * @param dropped requests not sent because {@code maxOutstanding} were unanswered
 * @param maxReleaseLagNanos the largest delay of a release behind its intended time (the head or
 *     the driving thread could not keep up when this approaches the gap between arrivals)
 * @param raw every scheduled request, in release order
 * @param stop why and when the probe stopped before its planned end ({@link FailFast}), null when
 *     it ran to the end; a stopped result holds what was measured until then
 */
public record OpenLoopResult(
    ArrivalSchedule schedule,
    int maxOutstanding,
    long lastIntendedNanos,
    long spanNanos,
    long released,
    long dropped,
    long maxReleaseLagNanos,
    Histogram fromIntended,
    Histogram fromSend,
    List<RawQuery> raw,
    Stop stop) {

  /**
   * A probe stopped early because it could no longer pass ({@link FailFast#certain}).
   *
   * @param rule the SLO the probe was stopped under and its planned request count
   * @param plannedSpanNanos the span the full probe would have covered ({@link #spanNanos()} of it)
   * @param stoppedAtNanos when the driver stopped releasing, since the schedule's start
   * @param overBound requests certainly over the bound at the stop: dropped, completed over it, or
   *     unanswered for longer than it; a lower bound of the full probe's count
   * @param overBoundNotDropped those of them that were released
   */
  public record Stop(
      FailFast rule,
      long plannedSpanNanos,
      long stoppedAtNanos,
      long overBound,
      long overBoundNotDropped) {}

  /** Whether the probe stopped before its planned end; its percentiles are then partial. */
  public boolean stoppedEarly() {
    return stop != null;
  }

  /**
   * One scheduled request; offsets in nanoseconds since the schedule's start, {@code -1} for what
   * never happened (a dropped request was neither released nor completed).
   */
  public record RawQuery(long id, long intendedNanos, long releasedNanos, long completedNanos) {
    public boolean dropped() {
      return releasedNanos < 0;
    }

    /** From the intended release to the result; {@link Long#MAX_VALUE} if it never completed. */
    public long latencyNanos() {
      return completedNanos < 0 ? Long.MAX_VALUE : completedNanos - intendedNanos;
    }
  }

  public OpenLoopResult {
    raw = List.copyOf(raw);
  }

  /** Requests the schedule released or dropped. */
  public long scheduled() {
    return released + dropped;
  }

  /** Requests whose result came back. */
  public long completed() {
    return fromIntended.getTotalCount();
  }

  /**
   * The {@code percentile}-th latency from the intended times over every scheduled request, a
   * dropped or unanswered one counting as infinitely late: {@link Long#MAX_VALUE} when the
   * percentile falls among those. Nearest rank on the exact raw values; 0 for an empty run.
   */
  public long percentileNanosCountingDrops(double percentile) {
    long[] sorted = raw.stream().mapToLong(RawQuery::latencyNanos).sorted().toArray();
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[(int) percentileRank(percentile, sorted.length) - 1];
  }

  /**
   * The 1-based rank of the {@code percentile} among {@code count} sorted values, the nearest-rank
   * rule: {@code ceil(percentile / 100 x count)}, kept within {@code 1..count}; {@code count >= 1}.
   */
  static long percentileRank(double percentile, long count) {
    return Math.max(1, Math.min(count, (long) Math.ceil(percentile / 100 * count)));
  }

  /** Scheduled requests later than {@code boundNanos} from their intended time, drops included. */
  public long overBound(long boundNanos) {
    return raw.stream().filter(q -> q.latencyNanos() > boundNanos).count();
  }

  /** Completed requests per second of the schedule's span. */
  public double completedPerSecond() {
    return spanNanos <= 0 ? 0 : completed() / (spanNanos / 1e9);
  }

  /**
   * Writes the raw log as CSV: {@code id,intended_ns,released_ns,completed_ns,latency_ns} with
   * {@code -1} for what never happened; offsets since the schedule's start.
   */
  public void writeRawLog(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    try (PrintWriter out =
        new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), false)) {
      out.println("id,intended_ns,released_ns,completed_ns,latency_ns");
      for (RawQuery q : raw) {
        long latency = q.completedNanos() < 0 ? -1 : q.latencyNanos();
        out.println(
            q.id()
                + ","
                + q.intendedNanos()
                + ","
                + q.releasedNanos()
                + ","
                + q.completedNanos()
                + ","
                + latency);
      }
      if (out.checkError()) {
        throw new IOException("writing " + file + " failed");
      }
    }
  }

  /** The figures as JSON (milliseconds; {@code null} for a percentile that falls among drops). */
  public ObjectNode toJson() {
    ObjectNode root = new ObjectMapper().createObjectNode();
    root.put("arrival", schedule.process().label());
    root.put("rate_per_s", schedule.ratePerSecond());
    root.put("seed", schedule.seed());
    root.put("max_outstanding", maxOutstanding);
    root.put("schedule_s", spanNanos / 1e9);
    root.put("scheduled", scheduled());
    root.put("released", released);
    root.put("dropped", dropped);
    root.put("completed", completed());
    root.put("completed_per_s", completedPerSecond());
    root.put("max_release_lag_ms", maxReleaseLagNanos / 1e6);
    putStop(root);
    ObjectNode intended = root.putObject("latency_from_intended_ms");
    for (double p : new double[] {50, 90, 99, 99.9}) {
      long v = percentileNanosCountingDrops(p);
      String key = "p" + (p == Math.rint(p) ? Long.toString((long) p) : "999");
      if (v == Long.MAX_VALUE) {
        intended.putNull(key);
      } else {
        intended.put(key, v / 1e6);
      }
    }
    intended.put("max_completed", fromIntended.getMaxValue() / 1e6);
    ObjectNode send = root.putObject("latency_from_send_ms");
    send.put("p50", fromSend.getValueAtPercentile(50) / 1e6);
    send.put("p99", fromSend.getValueAtPercentile(99) / 1e6);
    return root;
  }

  /**
   * {@code stopped_early}, {@code stopped_at_s} (null when it ran to the end), {@code
   * percentiles_partial} (the percentiles are over what was measured until the stop) and {@code
   * planned_queries} (null when it ran to the end).
   */
  void putStop(ObjectNode n) {
    n.put("stopped_early", stop != null);
    if (stop == null) {
      n.putNull("stopped_at_s");
      n.putNull("planned_queries");
    } else {
      n.put("stopped_at_s", stop.stoppedAtNanos() / 1e9);
      n.put("planned_queries", stop.rule().plannedQueries());
    }
    n.put("percentiles_partial", stop != null);
  }

  /**
   * {@code stopped early at 73 s: 9 of 662 already over the bound (the probe cannot pass)}, empty
   * when it ran to the end.
   */
  public String stopText() {
    if (stop == null) {
      return "";
    }
    double s = stop.stoppedAtNanos() / 1e9;
    return String.format(
        Locale.ROOT,
        "stopped early at %s s: %d of %d already over the bound (the probe cannot pass)",
        String.format(Locale.ROOT, s < 10 ? "%.1f" : "%.0f", s),
        stop.overBound(),
        stop.rule().plannedQueries());
  }

  /** One line: rate, counts and percentiles. */
  public String toText() {
    return String.format(
            Locale.ROOT,
            "%s %.2f/s over %.1f s: %d scheduled, %d released, %d dropped, %d completed;"
                + " from intended p50 %s p99 %s ms (from send p99 %.2f ms); max release lag %.2f ms",
            schedule.process().label(),
            schedule.ratePerSecond(),
            spanNanos / 1e9,
            scheduled(),
            released,
            dropped,
            completed(),
            ms(percentileNanosCountingDrops(50)),
            ms(percentileNanosCountingDrops(99)),
            fromSend.getValueAtPercentile(99) / 1e6,
            maxReleaseLagNanos / 1e6)
        + (stop == null ? "" : "; " + stopText() + ", percentiles partial");
  }

  static String ms(long nanos) {
    return nanos == Long.MAX_VALUE ? "inf" : String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }

  @Override
  public String toString() {
    return toText() + " " + Arrays.toString(new long[] {released, dropped});
  }
}
