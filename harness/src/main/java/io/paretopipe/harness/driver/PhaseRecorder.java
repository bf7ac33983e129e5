package io.paretopipe.harness.driver;

import io.paretopipe.format.HlogFileName;
import io.paretopipe.format.Phase;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * HdrHistograms of every {@link Phase}, in nanoseconds, from 1 us to 1 h at 3 significant digits
 * (so a 142 ms forward is resolved to 0.1 ms and nothing up to an hour is clipped).
 *
 * <p>Recording is organised in intervals (a JMH iteration, say): {@link #endInterval()} closes the
 * current one. {@link #total(Phase)} covers every interval. Thread-safe; recording is cheap (tens
 * of ns) and done by the driver's receiving thread.
 *
 * <p>Coordinated omission: in latency mode one request is in flight and the next starts only when
 * the previous one is back, so no request that "should have" been sent is missing; in throughput
 * mode the recorded end-to-end times include the wait in the in-flight window, which is the latency
 * a pipelined client actually sees.
 */
public final class PhaseRecorder {

  private static final long LOWEST_NANOS = 1_000;
  private static final long HIGHEST_NANOS = TimeUnit.HOURS.toNanos(1);
  private static final int DIGITS = 3;

  private final Map<Phase, Histogram> current = new EnumMap<>(Phase.class);
  private final Map<Phase, Histogram> total = new EnumMap<>(Phase.class);
  private final Histogram overhead = newHistogram();
  private final List<Interval> intervals = new ArrayList<>();
  private long intervalStartMillis = System.currentTimeMillis();
  private long count;

  private record Interval(long startMillis, long endMillis, Map<Phase, Histogram> histograms) {}

  public PhaseRecorder() {
    for (Phase p : Phase.values()) {
      current.put(p, newHistogram());
      total.put(p, newHistogram());
    }
  }

  private static Histogram newHistogram() {
    return new Histogram(LOWEST_NANOS, HIGHEST_NANOS, DIGITS);
  }

  /** A histogram with this recorder's range and precision (1 us to 1 h, 3 digits). */
  static Histogram newLatencyHistogram() {
    return newHistogram();
  }

  /** Records {@code nanos} into {@code h}, clamped into the recorder's range. */
  static void recordClamped(Histogram h, long nanos) {
    h.recordValue(Math.min(HIGHEST_NANOS, Math.max(LOWEST_NANOS, nanos)));
  }

  /** Records one request. */
  public synchronized void record(RequestTiming timing) {
    for (Phase p : Phase.values()) {
      long v = Math.min(HIGHEST_NANOS, Math.max(LOWEST_NANOS, timing.nanos(p)));
      current.get(p).recordValue(v);
      total.get(p).recordValue(v);
    }
    recordClamped(overhead, timing.overheadNanos());
    count++;
  }

  /** Requests recorded so far. */
  public synchronized long count() {
    return count;
  }

  /** Closes the current interval (if it recorded anything) and starts a new one. */
  public synchronized void endInterval() {
    long now = System.currentTimeMillis();
    if (current.get(Phase.E2E).getTotalCount() > 0) {
      Map<Phase, Histogram> copy = new EnumMap<>(Phase.class);
      for (Phase p : Phase.values()) {
        copy.put(p, current.get(p).copy());
        current.get(p).reset();
      }
      intervals.add(new Interval(intervalStartMillis, now, copy));
    }
    intervalStartMillis = now;
  }

  /** Forgets everything recorded (after a warm-up, say). */
  public synchronized void reset() {
    for (Phase p : Phase.values()) {
      current.get(p).reset();
      total.get(p).reset();
    }
    overhead.reset();
    intervals.clear();
    count = 0;
    intervalStartMillis = System.currentTimeMillis();
  }

  /** A copy of the histogram of {@code phase} over everything recorded. */
  public synchronized Histogram total(Phase phase) {
    return total.get(phase).copy();
  }

  /**
   * A copy of the histogram of every recorded request's {@link RequestTiming#overheadNanos()}
   * (nanoseconds, clamped to 1 us .. 1 h). Not written to the hlog, which holds phases only.
   */
  public synchronized Histogram overhead() {
    return overhead.copy();
  }

  /**
   * Writes every closed interval (closing the current one first) as an HdrHistogram log, one tagged
   * histogram per phase per interval, after comment lines {@code #paretopipe.KEY=VALUE}. Written to
   * a temporary file and moved into place, so a reader never sees half a log.
   */
  public void writeLog(Path file, Map<String, String> comments) throws IOException {
    endInterval();
    List<Interval> snapshot;
    synchronized (this) {
      snapshot = List.copyOf(intervals);
    }
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".hlog-", ".tmp");
    try {
      try (PrintStream out = new PrintStream(Files.newOutputStream(tmp), false, "UTF-8")) {
        HistogramLogWriter writer = new HistogramLogWriter(out);
        long base = snapshot.isEmpty() ? System.currentTimeMillis() : snapshot.get(0).startMillis();
        writer.outputLogFormatVersion();
        writer.outputStartTime(base);
        writer.setBaseTime(base);
        for (Map.Entry<String, String> c : comments.entrySet()) {
          writer.outputComment(HlogFileName.COMMENT_PREFIX + c.getKey() + "=" + c.getValue());
        }
        writer.outputComment("paretopipe.unit=nanoseconds");
        writer.outputLegend();
        for (Interval interval : snapshot) {
          for (Phase p : Phase.values()) {
            Histogram h = interval.histograms().get(p);
            h.setStartTimeStamp(interval.startMillis());
            h.setEndTimeStamp(interval.endMillis());
            h.setTag(p.tag());
            writer.outputIntervalHistogram(h);
          }
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
