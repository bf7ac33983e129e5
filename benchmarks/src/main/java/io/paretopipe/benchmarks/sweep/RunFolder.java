package io.paretopipe.benchmarks.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paretopipe.benchmarks.PartitionBenchmark;
import io.paretopipe.benchmarks.PartitionConfig;
import io.paretopipe.benchmarks.SharedTail;
import io.paretopipe.benchmarks.sweep.SweepPlan.Group;
import io.paretopipe.format.HlogFileName;
import io.paretopipe.models.ModelCatalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The layout of one sweep's run folder (the input contract of docs/REPORTS.md) and what {@code
 * --resume} finds in it:
 *
 * <pre>
 * runs/2026-12-05T09-03-28Z/
 *   run-metadata.json                              machine, setting, budget, passes, why each point stopped
 *   jmh/pass-001-mobilenetv2__nio__none.json       JMH JSON of one pass of one group (both methods, its splits)
 *   jmh/unit-profile-mobilenetv2.json              UnitProfileBenchmark
 *   hlog/pass-001/PartitionBenchmark.latency__...hlog   one per method, point and pass
 *   cuts/mobilenetv2.json                          the cut table
 *   passes/pass-001-mobilenetv2__nio__none.log     JMH's own output of that call
 *   passes/after-pass-002/frontier.json            the report the decision after pass 2 read
 *   report/                                        the final report
 * </pre>
 *
 * Nothing half-written carries a result's name: a pass's JSON is written by JMH to a hidden {@code
 * .NAME.tmp} and moved into place when the call has ended; a pass's hlogs are kept only when their
 * result is in that JSON ({@link #prune}). Not thread-safe.
 */
final class RunFolder {

  private static final DateTimeFormatter FOLDER_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss'Z'").withZone(ZoneOffset.UTC);

  /** The sweep's own sub-folder: JMH's output per pass and the reports decisions read. */
  static final String PASSES = "passes";

  private static final Pattern PASS_RESULT = Pattern.compile("pass-(\\d{3,})-(.+)\\.json");
  private static final Pattern PASS_HLOG_DIR = Pattern.compile("pass-(\\d{3,})");

  private final Path root;

  private RunFolder(Path root) {
    this.root = root;
  }

  /** A new folder {@code parent/<UTC timestamp of start>} with its subfolders. */
  static RunFolder create(Path parent, Instant start) throws IOException {
    RunFolder f =
        new RunFolder(parent.resolve(FOLDER_TIME.format(start.truncatedTo(ChronoUnit.SECONDS))));
    f.createSubfolders();
    return f;
  }

  /**
   * The folder of an interrupted sweep.
   *
   * @throws IllegalArgumentException when {@code dir} is not a sweep's run folder
   */
  static RunFolder existing(Path dir) throws IOException {
    if (!Files.isDirectory(dir.resolve(io.paretopipe.format.RunFolder.JMH))) {
      throw new IllegalArgumentException(
          "--resume " + dir + ": no sweep run folder there (it has no jmh/)");
    }
    RunFolder f = new RunFolder(dir);
    f.createSubfolders();
    return f;
  }

  private void createSubfolders() throws IOException {
    for (String sub :
        List.of(
            io.paretopipe.format.RunFolder.JMH,
            io.paretopipe.format.RunFolder.HLOG,
            io.paretopipe.format.RunFolder.CUTS,
            PASSES)) {
      Files.createDirectories(root.resolve(sub));
    }
  }

  Path root() {
    return root;
  }

  Path metadataFile() {
    return root.resolve(io.paretopipe.format.RunFolder.METADATA_FILE);
  }

  Path jmh() {
    return root.resolve(io.paretopipe.format.RunFolder.JMH);
  }

  /** {@code jmh/pass-003-<group>.json}. */
  Path passResult(int pass, Group group) {
    return jmh().resolve(String.format(Locale.ROOT, "pass-%03d-%s.json", pass, group.fileStem()));
  }

  /** {@code hlog/pass-003/}, absolute (forks get it as a system property). */
  Path passHlogDir(int pass) {
    return root.resolve(io.paretopipe.format.RunFolder.HLOG)
        .resolve(String.format(Locale.ROOT, "pass-%03d", pass))
        .toAbsolutePath();
  }

  /** {@code passes/pass-003-<group>.log}: JMH's own output of that call. */
  Path passLog(int pass, Group group) {
    return root.resolve(PASSES)
        .resolve(String.format(Locale.ROOT, "pass-%03d-%s.log", pass, group.fileStem()));
  }

  /**
   * {@code passes/warmup-<group>/}: the group's warm-up before its first pass (JMH's JSON and
   * output, the hlogs), kept as a record and read by nothing.
   */
  Path warmupDir(Group group) {
    return root.resolve(PASSES).resolve("warmup-" + group.fileStem());
  }

  /** {@code passes/after-pass-003/}: the report the decision after that pass read. */
  Path decisionReport(int pass) {
    return root.resolve(PASSES).resolve(String.format(Locale.ROOT, "after-pass-%03d", pass));
  }

  /** {@code jmh/unit-profile-<model>.json}. */
  Path unitProfile(String model) {
    return jmh().resolve(io.paretopipe.format.RunFolder.unitProfileFileName(model));
  }

  Path report() {
    return root.resolve(io.paretopipe.format.RunFolder.REPORT);
  }

  /**
   * Writes {@code cuts/<model>.json} for each model (bytes and MACs per split at {@code batch}).
   */
  void writeCutTables(List<String> models, int batch) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    for (String model : models) {
      String json =
          mapper
                  .writerWithDefaultPrettyPrinter()
                  .writeValueAsString(ModelCatalog.blueprint(model).cutTable(batch).toJson())
              + System.lineSeparator();
      Path file =
          root.resolve(io.paretopipe.format.RunFolder.CUTS)
              .resolve(io.paretopipe.format.RunFolder.cutTableFileName(model));
      Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
      Files.writeString(tmp, json, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /** A JMH run whose result goes to the given file. */
  interface ResultWriter<T> {
    T run(Path resultFile) throws Exception;
  }

  /**
   * Runs {@code run} with a hidden {@code .NAME.tmp} beside {@code result} as its result file and
   * moves that into place when {@code keep} accepts the value; the temporary file never outlives
   * the call.
   */
  static <T> T atomically(Path result, ResultWriter<T> run, java.util.function.Predicate<T> keep)
      throws Exception {
    Path tmp = result.resolveSibling("." + result.getFileName() + ".tmp");
    try {
      T value = run.run(tmp);
      if (keep.test(value) && Files.isRegularFile(tmp)) {
        Files.move(
            tmp, result, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
      return value;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * For {@code --resume}: removes what an interrupted call left (hidden {@code .*.tmp} files, hlogs
   * of passes whose JSON never landed) and returns the passes each group has complete.
   *
   * @throws IllegalArgumentException if {@code jmh/} holds a file that is no pass of {@code plan}
   *     (another sweep's options, or a run folder of an older format)
   */
  Map<Group, TreeSet<Integer>> completedPasses(SweepPlan plan) throws IOException {
    Map<String, Group> byStem = new HashMap<>();
    for (Group g : plan.groups()) {
      byStem.put(g.fileStem(), g);
    }
    Map<Group, TreeSet<Integer>> done = new HashMap<>();
    for (Group g : plan.groups()) {
      done.put(g, new TreeSet<>());
    }
    for (Path f : list(jmh())) {
      String name = f.getFileName().toString();
      Matcher m = PASS_RESULT.matcher(name);
      if (name.startsWith(".") && name.endsWith(".tmp")) {
        Files.deleteIfExists(f);
      } else if (name.startsWith(io.paretopipe.format.RunFolder.UNIT_PROFILE_PREFIX)) {
        continue;
      } else if (m.matches() && byStem.containsKey(m.group(2))) {
        done.get(byStem.get(m.group(2))).add(Integer.parseInt(m.group(1)));
      } else {
        throw new IllegalArgumentException(
            "--resume: "
                + f
                + " is not a pass of this sweep: give the same models, transports, links,"
                + " splits and setting as the interrupted run");
      }
    }
    for (Path dir : list(root.resolve(io.paretopipe.format.RunFolder.HLOG))) {
      Matcher m = PASS_HLOG_DIR.matcher(dir.getFileName().toString());
      if (!m.matches() || !Files.isDirectory(dir)) {
        continue;
      }
      int pass = Integer.parseInt(m.group(1));
      for (Group g : plan.groups()) {
        prune(pass, g, done.get(g).contains(pass) ? resultKeys(passResult(pass, g)) : Set.of());
      }
      for (Path f : list(dir)) {
        String name = f.getFileName().toString();
        if (name.startsWith(".") && name.endsWith(".tmp")) {
          Files.deleteIfExists(f);
        }
      }
    }
    return done;
  }

  /**
   * Deletes the hlogs of {@code group} in {@code hlog/pass-NNN/} whose (method, split) is not in
   * {@code keep}: a failed trial's partial log, or one of a call whose JSON never landed, must not
   * be pooled with the point's other passes.
   *
   * @param keep {@code "latency 3"}, {@code "throughput 3:9"}, ... ({@link #resultKeys})
   */
  void prune(int pass, Group group, Set<String> keep) throws IOException {
    Path dir = passHlogDir(pass);
    if (!Files.isDirectory(dir)) {
      return;
    }
    for (Path f : list(dir)) {
      Map<String, String> params = hlogParams(f.getFileName().toString());
      if (params == null
          || !group.model().equals(params.get("model"))
          || !group
              .transport()
              .equals(
                  SharedTail.key(
                      params.get("transport"),
                      params.getOrDefault(
                          PartitionBenchmark.GRPC_TUNING_PARAM,
                          PartitionConfig.DEFAULT_GRPC_TUNING)))
          || !group.link().equals(params.get("link"))) {
        continue;
      }
      if (!keep.contains(params.get("#method") + " " + params.get("split"))) {
        Files.deleteIfExists(f);
      }
    }
  }

  /** {@code "latency 3"}, {@code "throughput 3"}, ... of every result in a pass's JMH JSON. */
  static Set<String> resultKeys(Path json) throws IOException {
    Set<String> keys = new HashSet<>();
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    for (JsonNode r : root) {
      String benchmark = r.path("benchmark").asText();
      keys.add(
          benchmark.substring(benchmark.lastIndexOf('.') + 1)
              + " "
              + r.path("params").path("split").asText());
    }
    return keys;
  }

  /**
   * The params of an hlog file name ({@code Class.method__k=v__k=v.hlog}) plus {@code #method};
   * null for another file.
   */
  static Map<String, String> hlogParams(String fileName) {
    if (!fileName.endsWith(HlogFileName.EXTENSION)) {
      return null;
    }
    Map<String, String> params;
    try {
      params = new TreeMap<>(HlogFileName.params(fileName));
    } catch (IllegalArgumentException e) {
      return null;
    }
    int end = fileName.indexOf("__");
    String head =
        fileName.substring(0, end < 0 ? fileName.length() - HlogFileName.EXTENSION.length() : end);
    params.put("#method", head.substring(head.lastIndexOf('.') + 1));
    return params;
  }

  private static List<Path> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return new ArrayList<>(files.sorted().toList());
    }
  }
}
