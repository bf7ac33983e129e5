package io.paretopipe.reports.predict;

import io.paretopipe.reports.ReportInputException;
import io.paretopipe.reports.jmh.JmhMetric;
import io.paretopipe.reports.jmh.JmhResult;
import io.paretopipe.reports.run.CutsTable;
import io.paretopipe.reports.run.Units;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Assembles {@link UnitProfile}s from {@code UnitProfileBenchmark} results and picks the one a
 * stage needs. Stateless.
 *
 * <p>Results are grouped by {@code (model, batch, threads, other params)}; a group may span several
 * files. Each group must hold every unit {@code 0..n-1} and {@code suffix} (and {@code prefix} when
 * the model has one), once each, with a time-per-operation score and the secondary metrics {@code
 * inputBytes} and {@code outputBytes}. Those are JMH {@code EVENTS} counters, whose score JMH sums
 * over iterations, so the per-iteration value is read from their {@code rawData}. The bytes must
 * chain (a unit's {@code outputBytes} is the next unit's {@code inputBytes}). When the run folder
 * has {@code cuts/<model>.json}, its unit count, prefix and bytes must agree with the profile.
 */
public final class UnitProfiles {
  /** Simple class name of the profile benchmark. */
  public static final String BENCHMARK = "UnitProfileBenchmark";

  private static final Set<String> KEY_PARAMS = Set.of("model", "unit", "threads", "batch");

  private UnitProfiles() {}

  /**
   * @param results JMH results of any benchmarks; those of {@link #BENCHMARK} are used
   * @return one profile per {@code (model, batch, threads, variant)}, sorted by them; empty when
   *     there are none
   * @throws ReportInputException naming the file and what is missing or inconsistent
   */
  public static List<UnitProfile> fromResults(List<JmhResult> results) throws ReportInputException {
    SortedMap<String, List<JmhResult>> groups = new TreeMap<>();
    for (JmhResult r : results) {
      if (!BENCHMARK.equals(r.className())) {
        continue;
      }
      for (String required : List.of("model", "unit", "threads", "batch")) {
        if (!r.params().containsKey(required)) {
          throw new ReportInputException(
              r.file(),
              "result #"
                  + r.index()
                  + " ("
                  + r.benchmark()
                  + ") has no param \""
                  + required
                  + "\": "
                  + BENCHMARK
                  + " results need params model, unit, threads, batch");
        }
      }
      positive(r, "threads");
      positive(r, "batch");
      groups
          .computeIfAbsent(
              r.params().get("model")
                  + "\u0000"
                  + positive(r, "batch")
                  + "\u0000"
                  + positive(r, "threads")
                  + "\u0000"
                  + variant(r),
              k -> new ArrayList<>())
          .add(r);
    }
    List<UnitProfile> profiles = new ArrayList<>();
    for (List<JmhResult> group : groups.values()) {
      profiles.add(build(group));
    }
    profiles.sort(
        Comparator.comparing(UnitProfile::model)
            .thenComparingInt(UnitProfile::batch)
            .thenComparingInt(UnitProfile::threads)
            .thenComparing(UnitProfile::variant));
    return List.copyOf(profiles);
  }

  /**
   * Picks the profile a stage uses.
   *
   * @param profiles the candidates (from one source)
   * @param source the file or folder they came from, for messages
   * @param role e.g. {@code head}, for messages
   * @param model the model, or null for "the only one"
   * @param batch the batch, or null for "the only one"
   * @param threads the torch threads, or null for "the only one"
   * @return the one matching profile
   * @throws ReportInputException naming what is available when none or several match
   */
  public static UnitProfile select(
      List<UnitProfile> profiles,
      Path source,
      String role,
      String model,
      Integer batch,
      Integer threads)
      throws ReportInputException {
    if (profiles.isEmpty()) {
      throw new ReportInputException(
          source,
          "no "
              + BENCHMARK
              + " results: the "
              + role
              + " needs unit profiles (java -jar benchmarks.jar "
              + BENCHMARK
              + " -rf json -rff FILE)");
    }
    List<UnitProfile> left = profiles;
    left = narrow(left, source, role, "model", "--model", model, UnitProfile::model);
    left =
        narrow(
            left,
            source,
            role,
            "batch",
            "--batch",
            batch == null ? null : batch.toString(),
            p -> Integer.toString(p.batch()));
    left =
        narrow(
            left,
            source,
            role,
            "threads",
            "--" + role + "-threads or --threads",
            threads == null ? null : threads.toString(),
            p -> Integer.toString(p.threads()));
    if (left.size() > 1) {
      throw new ReportInputException(
          source,
          "several unit profiles match the "
              + role
              + " ("
              + left.stream().map(UnitProfile::variant).collect(Collectors.joining(", "))
              + "): give each device's profile as its own file (--head FILE, --tail FILE)");
    }
    return left.get(0);
  }

  private static List<UnitProfile> narrow(
      List<UnitProfile> profiles,
      Path source,
      String role,
      String what,
      String option,
      String wanted,
      java.util.function.Function<UnitProfile, String> key)
      throws ReportInputException {
    Set<String> available = new TreeSet<>(io.paretopipe.reports.model.SplitOrder.INSTANCE);
    profiles.forEach(p -> available.add(key.apply(p)));
    if (wanted == null) {
      if (available.size() > 1) {
        throw new ReportInputException(
            source,
            "unit profiles for several "
                + what
                + " values ("
                + String.join(", ", available)
                + "): choose the "
                + role
                + "'s with "
                + option);
      }
      return profiles;
    }
    List<UnitProfile> left = profiles.stream().filter(p -> key.apply(p).equals(wanted)).toList();
    if (left.isEmpty()) {
      throw new ReportInputException(
          source,
          "no unit profile with "
              + what
              + " "
              + wanted
              + " for the "
              + role
              + ": the profiles have "
              + what
              + " "
              + String.join(", ", available));
    }
    return left;
  }

  private static UnitProfile build(List<JmhResult> group) throws ReportInputException {
    JmhResult first = group.get(0);
    String model = first.params().get("model");
    int batch = positive(first, "batch");
    int threads = positive(first, "threads");
    String variant = variant(first);
    String what =
        "unit profile of "
            + model
            + " (batch "
            + batch
            + ", threads "
            + threads
            + (variant.isEmpty() ? "" : ", " + variant)
            + ")";
    JmhResult prefix = null;
    JmhResult suffix = null;
    SortedMap<Integer, JmhResult> units = new TreeMap<>();
    for (JmhResult r : group) {
      String unit = r.params().get("unit").trim();
      JmhResult previous;
      switch (unit) {
        case "prefix" -> {
          previous = prefix;
          prefix = r;
        }
        case "suffix" -> {
          previous = suffix;
          suffix = r;
        }
        default -> {
          int u;
          try {
            u = Integer.parseInt(unit);
          } catch (NumberFormatException e) {
            u = -1;
          }
          if (u < 0) {
            throw new ReportInputException(
                r.file(),
                "result #"
                    + r.index()
                    + " ("
                    + r.benchmark()
                    + ") has unit \""
                    + unit
                    + "\": expected a unit index 0..n-1, prefix or suffix");
          }
          previous = units.put(u, r);
        }
      }
      if (previous != null) {
        throw new ReportInputException(
            r.file(),
            what
                + " has unit "
                + unit
                + " twice (result #"
                + r.index()
                + ", and result #"
                + previous.index()
                + " of "
                + previous.file()
                + "): pass each profile once");
      }
    }
    if (units.isEmpty()) {
      throw new ReportInputException(
          first.file(),
          what
              + " has no unit 0..n-1, only "
              + (prefix != null ? "prefix " : "")
              + (suffix != null ? "suffix" : "")
              + ": profile every unit");
    }
    int n = units.lastKey() + 1;
    Optional<CutsTable> table = CutsTable.besides(first.file(), model);
    if (table.isPresent() && table.get().unitCount() >= 0) {
      if (table.get().unitCount() < n) {
        throw new ReportInputException(
            units.get(n - 1).file(),
            what
                + " has unit "
                + (n - 1)
                + " but the cut table"
                + " cuts/"
                + model
                + ".json has units 0.."
                + (table.get().unitCount() - 1)
                + " only");
      }
      n = table.get().unitCount();
    }
    List<Integer> missing = new ArrayList<>();
    for (int u = 0; u < n; u++) {
      if (!units.containsKey(u)) {
        missing.add(u);
      }
    }
    if (!missing.isEmpty() || suffix == null) {
      List<String> lacks = new ArrayList<>(missing.stream().map(String::valueOf).toList());
      if (suffix == null) {
        lacks.add("suffix");
      }
      throw new ReportInputException(
          first.file(),
          what
              + " lacks unit "
              + String.join(", ", lacks)
              + " (found "
              + found(prefix, units, suffix)
              + "; the model has units 0.."
              + (n - 1)
              + (table.isPresent() ? " per its cut table" : "")
              + "): profile every unit, e.g. -p unit=0,1,...,suffix");
    }
    if (table.isPresent() && table.get().hasPrefix() && prefix == null) {
      throw new ReportInputException(
          first.file(),
          what
              + " lacks unit prefix: "
              + model
              + " has a prefix per its cut table; profile it with -p unit=prefix");
    }
    if (table.isPresent() && !table.get().hasPrefix() && prefix != null) {
      throw new ReportInputException(
          prefix.file(),
          what + " has a prefix result but " + model + "'s cut table says the model has none");
    }
    double[] unitMs = new double[n];
    long[] cutBytes = new long[n + 1];
    for (int u = 0; u < n; u++) {
      JmhResult r = units.get(u);
      unitMs[u] = millis(r);
      cutBytes[u] = bytes(r, "inputBytes");
    }
    cutBytes[n] = bytes(suffix, "inputBytes");
    for (int u = 0; u < n; u++) {
      JmhResult r = units.get(u);
      long out = bytes(r, "outputBytes");
      if (out != cutBytes[u + 1]) {
        String next = u + 1 < n ? "unit " + (u + 1) : "suffix";
        throw new ReportInputException(
            r.file(),
            what
                + ": bytes do not chain: unit "
                + u
                + " outputBytes "
                + out
                + " but "
                + next
                + " inputBytes "
                + cutBytes[u + 1]
                + " (results of different models or batches?)");
      }
    }
    double prefixMs = 0;
    if (prefix != null) {
      prefixMs = millis(prefix);
      long out = bytes(prefix, "outputBytes");
      if (out != cutBytes[0]) {
        throw new ReportInputException(
            prefix.file(),
            what
                + ": bytes do not chain: prefix outputBytes "
                + out
                + " but unit 0 inputBytes "
                + cutBytes[0]);
      }
    }
    if (table.isPresent()) {
      for (int k = 0; k <= n; k++) {
        long expected = table.get().bytes(Integer.toString(k), batch);
        if (expected >= 0 && expected != cutBytes[k]) {
          throw new ReportInputException(
              first.file(),
              what
                  + ": bytes at cut "
                  + k
                  + " are "
                  + cutBytes[k]
                  + " but the cut table cuts/"
                  + model
                  + ".json says "
                  + expected
                  + " at batch "
                  + batch);
        }
      }
    }
    return new UnitProfile(
        model,
        batch,
        threads,
        variant,
        first.file().toString(),
        prefixMs,
        prefix != null,
        unitMs,
        millis(suffix),
        cutBytes,
        bytes(suffix, "outputBytes"));
  }

  private static String found(
      JmhResult prefix, SortedMap<Integer, JmhResult> units, JmhResult suffix) {
    List<String> parts = new ArrayList<>();
    if (prefix != null) {
      parts.add("prefix");
    }
    units.keySet().forEach(u -> parts.add(Integer.toString(u)));
    if (suffix != null) {
      parts.add("suffix");
    }
    return parts.isEmpty() ? "nothing" : String.join(", ", parts);
  }

  private static double millis(JmhResult r) throws ReportInputException {
    JmhMetric m = r.primary();
    double factor =
        Units.toMillisFactor(m.unit())
            .orElseThrow(
                () ->
                    new ReportInputException(
                        r.file(),
                        "result #"
                            + r.index()
                            + " ("
                            + r.label()
                            + ") has scoreUnit \""
                            + m.unit()
                            + "\": a unit profile needs a time per operation such as ms/op (JMH -bm avgt)"));
    double ms = m.score() * factor;
    if (!(ms >= 0) || Double.isInfinite(ms)) {
      throw new ReportInputException(
          r.file(),
          "result #"
              + r.index()
              + " ("
              + r.label()
              + ") has score "
              + m.score()
              + ": a unit's compute time must be a finite number >= 0");
    }
    return ms;
  }

  private static long bytes(JmhResult r, String metric) throws ReportInputException {
    JmhMetric m = r.secondary().get(metric);
    String where = "result #" + r.index() + " (" + r.label() + ")";
    if (m == null) {
      throw new ReportInputException(
          r.file(),
          where
              + " has no secondary metric \""
              + metric
              + "\": "
              + BENCHMARK
              + " records inputBytes and outputBytes (rerun with the current benchmarks.jar)");
    }
    List<Double> values = new ArrayList<>();
    m.rawData().forEach(values::addAll);
    if (values.isEmpty()) {
      throw new ReportInputException(
          r.file(),
          where
              + " secondary metric \""
              + metric
              + "\" has no rawData: JMH"
              + " sums an EVENTS counter's score over iterations, so the per-iteration value is needed");
    }
    double v = values.get(0);
    for (double other : values) {
      if (other != v) {
        throw new ReportInputException(
            r.file(),
            where
                + " secondary metric \""
                + metric
                + "\" differs between iterations ("
                + values
                + "): expected the same byte count every iteration");
      }
    }
    if (!(v >= 0) || v != Math.rint(v) || v > Long.MAX_VALUE) {
      throw new ReportInputException(
          r.file(),
          where
              + " secondary metric \""
              + metric
              + "\" is "
              + v
              + ": expected a whole number of bytes >= 0");
    }
    return (long) v;
  }

  private static int positive(JmhResult r, String param) throws ReportInputException {
    String text = r.params().get(param);
    int value;
    try {
      value = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      value = -1;
    }
    if (value < 1) {
      throw new ReportInputException(
          r.file(),
          "result #"
              + r.index()
              + " ("
              + r.benchmark()
              + ") has "
              + param
              + " \""
              + text
              + "\": expected a positive integer");
    }
    return value;
  }

  private static String variant(JmhResult r) {
    StringBuilder s = new StringBuilder();
    for (Map.Entry<String, String> e : r.params().entrySet()) {
      if (!KEY_PARAMS.contains(e.getKey())) {
        s.append(s.length() == 0 ? "" : ";").append(e.getKey()).append('=').append(e.getValue());
      }
    }
    return s.toString();
  }
}
