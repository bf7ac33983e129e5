package io.paretopipe.reports.server;

import io.paretopipe.format.HlogFileName;
import io.paretopipe.format.Phase;
import io.paretopipe.format.RunFolder;
import io.paretopipe.reports.ReportInputException;
import io.paretopipe.reports.hdr.HlogData;
import io.paretopipe.reports.hdr.HlogReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The measured spread of each compute stage's service time, per transport and split, from the
 * per-request phase histograms (hlogs) of a closed-loop {@code PartitionBenchmark} run: the squared
 * coefficient of variation {@code cs^2 = variance / mean^2} of the head's work ({@code head_compute
 * + encode}, their variances added: the hlogs hold each phase's distribution, not their pairing)
 * and of the tail's ({@code tail_compute}). The throughput benchmark's hlogs are used (requests
 * {@code depth} in flight, so every stage works back to back as in front of a queue), the latency
 * benchmark's where a split has none; every pass and every link the run measured the split over is
 * merged. Only two-stage splits: {@code tail_compute} of a longer pipeline sums several stages. The
 * link's serialisation is not measured here, so a link has no spread. Immutable.
 */
public final class ServiceTimeSpread {

  /** No spread recorded: every prediction is M/D/1. */
  public static final ServiceTimeSpread NONE = new ServiceTimeSpread("", Map.of());

  /**
   * One stage's service time as measured.
   *
   * @param meanMs its mean per request
   * @param varianceMs2 its variance, ms squared
   * @param requests the requests measured
   * @param benchmark {@code throughput} or {@code latency}: which hlogs
   */
  public record Stage(double meanMs, double varianceMs2, long requests, String benchmark) {

    /**
     * @return {@code variance / mean^2}
     */
    public double cv2() {
      return varianceMs2 / (meanMs * meanMs);
    }
  }

  private final String source;
  private final Map<String, Stage> stages;

  private ServiceTimeSpread(String source, Map<String, Stage> stages) {
    this.source = source;
    this.stages = Map.copyOf(stages);
  }

  /**
   * @return where the spread was read from ({@code ""} for {@link #NONE})
   */
  public String source() {
    return source;
  }

  /**
   * @param transport e.g. {@code nio}
   * @param split a two-stage split, e.g. {@code 10}
   * @param stage {@code head} or {@code tail}
   * @return its measured service time, or null when the run did not record it
   */
  public Stage stage(String transport, String split, String stage) {
    return stages.get(key(transport, split, stage));
  }

  /**
   * @return {@link Stage#cv2()} of {@link #stage}, NaN when not recorded
   */
  public double cv2(String transport, String split, String stage) {
    Stage s = stage(transport, split, stage);
    return s == null ? Double.NaN : s.cv2();
  }

  private static String key(String transport, String split, String stage) {
    return transport + " " + split + " " + stage;
  }

  /**
   * Reads the hlogs of a run folder ({@code RUN/hlog/} and one folder below it), or of the run
   * folder of a JMH JSON file ({@code RUN/jmh/FILE}).
   *
   * @param run a run folder or a JMH JSON file in one
   * @param model only this model's hlogs
   * @param batch only this batch's
   * @return the spread; {@link #NONE}'s lookups when the run has no phase hlogs
   * @throws ReportInputException when an hlog cannot be read
   */
  public static ServiceTimeSpread read(Path run, String model, int batch)
      throws ReportInputException {
    Path dir = hlogFolder(run);
    if (dir == null) {
      return new ServiceTimeSpread(run.toString(), Map.of());
    }
    List<Path> files = HlogReader.list(dir);
    Map<String, Map<String, List<HlogData>>> byBenchmark = new TreeMap<>();
    HlogReader reader = new HlogReader();
    for (Path file : files) {
      String name = file.getFileName().toString();
      String benchmark;
      if (name.startsWith("PartitionBenchmark.throughput__")) {
        benchmark = "throughput";
      } else if (name.startsWith("PartitionBenchmark.latency__")) {
        benchmark = "latency";
      } else {
        continue;
      }
      SortedMap<String, String> params;
      try {
        params = HlogFileName.params(name);
      } catch (IllegalArgumentException e) {
        continue;
      }
      String split = params.getOrDefault("split", "");
      if (!model.equals(params.get("model"))
          || !Integer.toString(batch).equals(params.get("batch"))
          || split.isEmpty()
          || split.contains(":")) {
        continue;
      }
      byBenchmark
          .computeIfAbsent(params.getOrDefault("transport", "") + " " + split, k -> new TreeMap<>())
          .computeIfAbsent(benchmark, k -> new ArrayList<>())
          .add(reader.read(file));
    }
    Map<String, Stage> stages = new TreeMap<>();
    for (Map.Entry<String, Map<String, List<HlogData>>> e : byBenchmark.entrySet()) {
      String benchmark = e.getValue().containsKey("throughput") ? "throughput" : "latency";
      HlogData merged = HlogData.merge(e.getValue().get(benchmark));
      Stage head = stage(merged, benchmark, Phase.HEAD_COMPUTE, Phase.ENCODE);
      Stage tail = stage(merged, benchmark, Phase.TAIL_COMPUTE);
      if (head != null) {
        stages.put(e.getKey() + " head", head);
      }
      if (tail != null) {
        stages.put(e.getKey() + " tail", tail);
      }
    }
    return new ServiceTimeSpread(run.toString(), stages);
  }

  /**
   * {@code RUN/hlog} of a run folder, of the folder above a folder of JSON files ({@code RUN/jmh}),
   * or of the run folder of a JSON file in {@code RUN/jmh}; null when there is none.
   */
  private static Path hlogFolder(Path run) {
    Path start = Files.isRegularFile(run) ? run.toAbsolutePath().getParent() : run;
    if (start == null || !Files.isDirectory(start)) {
      return null;
    }
    if (Files.isDirectory(start.resolve(RunFolder.HLOG))) {
      return start.resolve(RunFolder.HLOG);
    }
    Path parent = start.toAbsolutePath().getParent();
    return parent != null && Files.isDirectory(parent.resolve(RunFolder.HLOG))
        ? parent.resolve(RunFolder.HLOG)
        : null;
  }

  /** The sum of {@code phases}' means and variances; null when the first was not recorded. */
  private static Stage stage(HlogData log, String benchmark, Phase... phases) {
    double mean = 0;
    double variance = 0;
    long requests = -1;
    for (Phase phase : phases) {
      Histogram h = log.histogramsByTag().get(phase.tag());
      if (h == null || h.getTotalCount() == 0) {
        if (requests < 0) {
          return null;
        }
        continue;
      }
      double sd = h.getStdDeviation() / 1e6;
      mean += h.getMean() / 1e6;
      variance += sd * sd;
      requests = requests < 0 ? h.getTotalCount() : Math.min(requests, h.getTotalCount());
    }
    return mean > 0 ? new Stage(mean, variance, requests, benchmark) : null;
  }
}
