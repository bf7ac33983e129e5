package io.paretopipe.benchmarks.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.format.RunFolder;
import io.paretopipe.models.Engines;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes {@code run-metadata.json}: what a run ran on and with, so results can be compared later.
 */
final class RunMetadata {

  private RunMetadata() {}

  /** The machine, JVM, engine, allocator and source facts; the caller adds the sweep's own. */
  static ObjectNode collect(Instant start) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("format", RunFolder.METADATA_FORMAT);
    root.put("version", RunFolder.METADATA_VERSION);
    root.put("start_time", start.toString());
    ObjectNode machine = root.putObject("machine");
    machine.put("hostname", hostname());
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    machine.put("arch", System.getProperty("os.arch"));
    machine.put("cpus", Runtime.getRuntime().availableProcessors());
    machine.put("cpu_model", procField("/proc/cpuinfo", "model name"));
    machine.put("memory", procField("/proc/meminfo", "MemTotal"));
    machine.put("cpu_quota", cpuQuota());
    ObjectNode jvm = root.putObject("jvm");
    jvm.put("version", System.getProperty("java.version"));
    jvm.put("vendor", System.getProperty("java.vendor"));
    jvm.put("vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
    jvm.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
    root.put("engine", Engines.versions());
    ObjectNode allocator = root.putObject("allocator");
    Engines.allocatorSettings().forEach(allocator::put);
    allocator.put("tuned", Engines.allocatorTuned());
    root.put("git_commit", gitCommit());
    return root;
  }

  /**
   * The sweep's own keys: {@code sweep} (setting, budget, warm-up and measurement per pass, plan,
   * the stage servers' dispatch and JVM options), {@code threads}, {@code cpus}, {@code devices},
   * {@code tail_cpu_quota_percent}, {@code stage_servers}. {@link SweepRecord#writeInto} adds the
   * passes and the points' status to {@code sweep}.
   *
   * @param servers started: {@code sweep.stage_jvm_options} is what each of them runs with
   * @param cpus the resolved head and tail CPU lists ("" = unpinned)
   */
  static void recordSweep(
      ObjectNode metadata,
      SweepOptions o,
      SweepSetting s,
      SweepPlan plan,
      SharedStageServers servers,
      String[] cpus,
      Integer tailCpuQuotaPercent) {
    ObjectNode sweep = metadata.putObject("sweep");
    sweep.put("setting", s.name());
    sweep.put("energy", o.energy());
    sweep.put("stage_dispatch", o.stageDispatch());
    sweep.put("grpc_tuning", o.grpcTuning());
    servers.jvmOptionsInto(sweep.putObject("stage_jvm_options"));
    sweep.put("forks", s.forks());
    if (s.budget() == null) {
      sweep.putNull("budget_seconds");
    } else {
      sweep.put("budget_seconds", s.budget().toSeconds());
    }
    sweep.put("adaptive", s.adaptive());
    sweep.put("max_passes", s.maxPasses());
    sweep.put("first_decision_pass", s.firstDecisionPass());
    sweep.put("warmup_requests", s.warmupRequests());
    Duration groupWarmup = o.groupWarmup();
    if (!groupWarmup.isZero()) {
      sweep.put("group_warmup_seconds", groupWarmup.toMillis() / 1000.0);
    }
    sweep.put(
        "warmup", SweepSetting.describe(s.warmupRequests(), s.warmupIterations(), s.warmupTime()));
    sweep.put(
        "measurement",
        SweepSetting.describe(0, s.measurementIterations(), s.measurementTime()) + " per pass");
    sweep.put("models", String.join(",", o.models));
    sweep.put("transports", String.join(",", o.transports));
    sweep.put("links", String.join(",", o.links));
    sweep.put("splits", o.splits);
    sweep.put("points", plan.size());
    sweep.put("batch", o.batch);
    sweep.put("depth", o.depth);
    ObjectNode threads = metadata.putObject("threads");
    threads.put("head", o.placement.headThreads());
    threads.put("tail", o.placement.tailThreads());
    ObjectNode placement = metadata.putObject("cpus");
    placement.put("head", cpus[0].isEmpty() ? "unpinned" : cpus[0]);
    placement.put("tail", cpus[1].isEmpty() ? "unpinned" : cpus[1]);
    ObjectNode devices = metadata.putObject("devices");
    devices.put("head", o.placement.headDevice());
    devices.put("tail", o.placement.tailDevice());
    if (tailCpuQuotaPercent == null) {
      metadata.putNull("tail_cpu_quota_percent");
    } else {
      metadata.put("tail_cpu_quota_percent", tailCpuQuotaPercent);
    }
    servers.describeInto(metadata.putObject("stage_servers"));
  }

  static void write(Path file, ObjectNode metadata) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(
        tmp,
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(metadata)
            + System.lineSeparator(),
        StandardCharsets.UTF_8);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /**
   * The CPU limit of the cgroup this JVM runs in, for the history's host fingerprint: {@code none},
   * or e.g. {@code 50000/100000 us} (quota per period); {@code unknown} when it cannot be read.
   * cgroup v2 ({@code cpu.max}) or v1 ({@code cpu.cfs_quota_us}, {@code cpu.cfs_period_us}).
   */
  static String cpuQuota() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
        String[] f = line.split(":", 3);
        if (f.length < 3) {
          continue;
        }
        if (f[0].equals("0") && f[1].isEmpty()) {
          Path max = Path.of("/sys/fs/cgroup" + f[2], "cpu.max");
          if (Files.isRegularFile(max)) {
            String[] v = Files.readString(max).trim().split("\\s+");
            return v[0].equals("max") ? "none" : v[0] + "/" + v[1] + " us";
          }
        } else if (java.util.Arrays.asList(f[1].split(",")).contains("cpu")) {
          Path dir = Path.of("/sys/fs/cgroup/" + f[1] + f[2]);
          if (!Files.isDirectory(dir)) {
            dir = Path.of("/sys/fs/cgroup/cpu" + f[2]);
          }
          Path quota = dir.resolve("cpu.cfs_quota_us");
          if (Files.isRegularFile(quota)) {
            long q = Long.parseLong(Files.readString(quota).trim());
            long period = Long.parseLong(Files.readString(dir.resolve("cpu.cfs_period_us")).trim());
            return q < 0 ? "none" : q + "/" + period + " us";
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
    return "none";
  }

  private static String procField(String file, String key) {
    try {
      for (String line : Files.readAllLines(Path.of(file))) {
        if (line.startsWith(key)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      return "unknown";
    }
    return "unknown";
  }

  /**
   * {@code git rev-parse HEAD} of the working directory, {@code -dirty} if it has changes;
   * "unknown" without git.
   */
  static String gitCommit() {
    String head = git("rev-parse", "HEAD");
    if (head.isEmpty()) {
      return "unknown";
    }
    return git("status", "--porcelain", "--untracked-files=no").isEmpty() ? head : head + "-dirty";
  }

  private static String git(String... args) {
    try {
      Process p =
          new ProcessBuilder(concat("git", args))
              .redirectErrorStream(false)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "";
      }
      return p.exitValue() == 0 ? out : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static List<String> concat(String first, String... rest) {
    java.util.ArrayList<String> l = new java.util.ArrayList<>();
    l.add(first);
    l.addAll(List.of(rest));
    return l;
  }
}
