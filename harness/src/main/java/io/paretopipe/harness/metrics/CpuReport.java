package io.paretopipe.harness.metrics;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * CPU time per stage over one measured window, and per image.
 *
 * <p>JSON ({@link #writeTo(ObjectNode)}, part of {@code run --json}, docs/CLI.md):
 *
 * <pre>
 * "cpu_ms_per_image": {"head": 3.1, "stage1": 41.7, "total": 44.8},
 * "cpu": {"images": 400, "wall_s": 5.2, "clock_ticks_per_s": 100,
 *         "process_total_ms_per_image": 44.9,
 *         "stages": {"head": {"pid": 123, "threads": "process", "user_ms_per_image": 2.9,
 *                             "system_ms_per_image": 0.2},
 *                    "stage1": {..., "cgroup": {"usage_ms_per_image": 41.0, "nr_periods": 52,
 *                                               "nr_throttled": 50, "throttled_ms": 3900.0}}}}
 * </pre>
 *
 * A stage that cannot be measured from here has {@code null} in {@code cpu_ms_per_image} and an
 * {@code unavailable} reason under {@code cpu.stages}; {@code total} is then {@code null} too. A
 * figure is never 0 for "unknown".
 *
 * @param stages one per stage, in pipeline order
 * @param images images completed in the window
 * @param wallSeconds the window's length on this process's monotonic clock
 * @param processTotalMillis CPU milliseconds of the distinct processes the stages run in, read from
 *     their process lines (null when a stage is unavailable)
 * @param clockTicksPerSecond the resolution of every figure (USER_HZ)
 */
public record CpuReport(
    List<StageCpu> stages,
    long images,
    double wallSeconds,
    Double processTotalMillis,
    long clockTicksPerSecond) {

  public CpuReport {
    stages = List.copyOf(stages);
  }

  /** Sum of the stages' CPU milliseconds, or null if any stage is unavailable. */
  public Double totalMillis() {
    double sum = 0;
    for (StageCpu s : stages) {
      if (!s.available()) {
        return null;
      }
      sum += s.totalMillis();
    }
    return sum;
  }

  /** CPU milliseconds per image of stage {@code index} (0 = head), or null when unavailable. */
  public Double msPerImage(int index) {
    Double ms = stages.get(index).totalMillis();
    return ms == null ? null : ms / images;
  }

  /** Sum over stages per image, or null if any stage is unavailable. */
  public Double totalMsPerImage() {
    Double ms = totalMillis();
    return ms == null ? null : ms / images;
  }

  /** Adds {@code cpu_ms_per_image} and {@code cpu} to {@code root}. */
  public void writeTo(ObjectNode root) {
    ObjectNode perImage = root.putObject("cpu_ms_per_image");
    for (int i = 0; i < stages.size(); i++) {
      putOrNull(perImage, stages.get(i).subject().stage(), msPerImage(i));
    }
    putOrNull(perImage, "total", totalMsPerImage());
    ObjectNode cpu = root.putObject("cpu");
    cpu.put("images", images);
    cpu.put("wall_s", wallSeconds);
    cpu.put("clock_ticks_per_s", clockTicksPerSecond);
    putOrNull(
        cpu,
        "process_total_ms_per_image",
        processTotalMillis == null ? null : processTotalMillis / images);
    ObjectNode byStage = cpu.putObject("stages");
    for (StageCpu s : stages) {
      ObjectNode n = byStage.putObject(s.subject().stage());
      if (!s.available()) {
        n.put("unavailable", s.subject().unavailableReason());
        continue;
      }
      n.put("pid", s.subject().pid());
      n.put(
          "threads",
          switch (s.subject().scope()) {
            case PROCESS -> "process";
            case STAGE_THREADS -> s.threads() + " " + CpuSubject.STAGE_THREAD_PREFIX + "* threads";
            case OTHER_THREADS ->
                s.threads() + " threads not named " + CpuSubject.STAGE_THREAD_PREFIX + "*";
          });
      n.put("user_ms_per_image", s.userMillis() / images);
      n.put("system_ms_per_image", s.systemMillis() / images);
      if (s.cgroup() != null) {
        ObjectNode g = n.putObject("cgroup");
        g.put("directory", s.subject().cgroup().toString());
        s.cgroup().usageMicros().ifPresent(u -> g.put("usage_ms_per_image", u / 1000.0 / images));
        s.cgroup().periods().ifPresent(p -> g.put("nr_periods", p));
        s.cgroup().throttledPeriods().ifPresent(p -> g.put("nr_throttled", p));
        s.cgroup().throttledMicros().ifPresent(t -> g.put("throttled_ms", t / 1000.0));
      }
    }
  }

  /** The human-readable line of {@code run}. */
  public String toText() {
    StringBuilder b = new StringBuilder("cpu ms per image  ");
    for (int i = 0; i < stages.size(); i++) {
      StageCpu s = stages.get(i);
      b.append(' ').append(s.subject().stage()).append(' ');
      if (s.available()) {
        b.append(
            String.format(
                java.util.Locale.ROOT,
                "%.2f (user %.2f sys %.2f)",
                msPerImage(i),
                s.userMillis() / images,
                s.systemMillis() / images));
      } else {
        b.append("unavailable");
      }
    }
    Double total = totalMsPerImage();
    b.append("  total ")
        .append(
            total == null ? "unavailable" : String.format(java.util.Locale.ROOT, "%.2f", total));
    b.append(System.lineSeparator());
    for (StageCpu s : stages) {
      if (!s.available()) {
        b.append("  ")
            .append(s.subject().stage())
            .append(": ")
            .append(s.subject().unavailableReason())
            .append(System.lineSeparator());
      }
    }
    return b.toString();
  }

  private static void putOrNull(ObjectNode node, String key, Double value) {
    if (value == null) {
      node.putNull(key);
    } else {
      node.put(key, value);
    }
  }
}
