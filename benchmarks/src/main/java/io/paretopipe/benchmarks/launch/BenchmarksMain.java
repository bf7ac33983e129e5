package io.paretopipe.benchmarks.launch;

import io.paretopipe.benchmarks.PartitionBenchmark;
import io.paretopipe.models.ModelBlueprint;
import io.paretopipe.models.ModelCatalog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Main-Class of {@code benchmarks.jar}: JMH's own {@code org.openjdk.jmh.Main}, with one rule added
 * for a command line that names no benchmark.
 *
 * <p>JMH applies {@code -p NAME=VALUES} to the benchmarks that have a param {@code NAME} and
 * silently runs every other benchmark with its defaults, so {@code java -jar benchmarks.jar -p
 * split=3} would also run the model-forward and transport benchmarks. Here, when no benchmark
 * regexp is given and some {@code -p} names are given, only the benchmarks that have every one of
 * those params run ({@code -p split=3} selects {@code PartitionBenchmark}). With a regexp, or when
 * no benchmark has all the names, the arguments go to JMH unchanged. Every other option means what
 * JMH says ({@code -h}).
 *
 * <p>A {@code split} outside a model's range fails here, before any fork starts, with the valid
 * range: "split 25 is out of range for mobilenetv2: valid splits are 0..19".
 */
public final class BenchmarksMain {

  private BenchmarksMain() {}

  public static void main(String[] args) throws Exception {
    List<String> effective;
    try {
      effective = effectiveArgs(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    }
    org.openjdk.jmh.Main.main(effective.toArray(new String[0]));
  }

  /**
   * The arguments JMH gets: {@code args}, plus a regexp selecting the benchmarks that have every
   * given param when {@code args} has {@code -p} but no regexp.
   *
   * @throws IllegalArgumentException for a split out of range of a model
   */
  public static List<String> effectiveArgs(String... args) {
    List<String> result = new ArrayList<>(Arrays.asList(args));
    CommandLineOptions options;
    try {
      options = new CommandLineOptions(args);
    } catch (CommandLineOptionException e) {
      return result; // JMH prints the problem and the usage
    }
    Collection<BenchmarkListEntry> all =
        BenchmarkList.defaultList()
            .getAll(
                OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT),
                List.of());
    Set<String> given = new TreeSet<>();
    for (BenchmarkListEntry entry : all) {
      for (String key : paramsOf(entry).keySet()) {
        if (options.getParameter(key).hasValue()) {
          given.add(key);
        }
      }
    }
    List<String> selected = new ArrayList<>();
    if (options.getIncludes().isEmpty() && !given.isEmpty()) {
      for (BenchmarkListEntry entry : all) {
        if (paramsOf(entry).keySet().containsAll(given)) {
          selected.add(entry.getUsername());
        }
      }
      if (!selected.isEmpty() && selected.size() < all.size()) {
        StringBuilder regexp = new StringBuilder("^(");
        for (String name : new TreeSet<>(selected)) {
          regexp.append(regexp.length() > 2 ? "|" : "").append(Pattern.quote(name));
        }
        result.add(regexp.append(")$").toString());
      }
    }
    boolean partition =
        options.getIncludes().isEmpty()
            ? selected.isEmpty()
                || selected.stream().anyMatch(n -> n.startsWith(PartitionBenchmark.class.getName()))
            : options.getIncludes().stream()
                .anyMatch(
                    r ->
                        Pattern.compile(r)
                                .matcher(PartitionBenchmark.class.getName() + ".latency")
                                .find()
                            || Pattern.compile(r)
                                .matcher(PartitionBenchmark.class.getName() + ".throughput")
                                .find());
    if (partition && options.getParameter("split").hasValue()) {
      Collection<String> models = options.getParameter("model").orElse(List.of("mobilenetv2"));
      for (String model : models) {
        ModelBlueprint blueprint = ModelCatalog.blueprint(model);
        for (String split : options.getParameter("split").get()) {
          blueprint.partition(split);
        }
      }
    }
    return result;
  }

  private static Map<String, String[]> paramsOf(BenchmarkListEntry entry) {
    return entry.getParams().orElse(Map.of());
  }
}
