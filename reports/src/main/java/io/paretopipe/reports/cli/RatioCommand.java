package io.paretopipe.reports.cli;

import io.paretopipe.reports.ReportInputException;
import io.paretopipe.reports.jmh.JmhJsonReader;
import io.paretopipe.reports.jmh.JmhMetric;
import io.paretopipe.reports.jmh.JmhResult;
import io.paretopipe.reports.render.Numbers;
import io.paretopipe.reports.stats.RoundRatios;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ratio --of K=V --to K=V ROUND...}: the ratio of two benchmarks measured side by side in
 * several rounds, per remaining parameter set, with the 95% interval over the rounds and, with
 * {@code --at-most}, a verdict that says whether the rounds support the claim.
 */
@Command(
    name = "ratio",
    mixinStandardHelpOptions = true,
    description = {
      "The ratio of two benchmarks measured in the same rounds, e.g. nio / echo of TransportBenchmark: per"
          + " round the score of the results matching --of divided by that of the results matching --to, for"
          + " each set of the other params (bytes, ...); then over the rounds the median and the geometric mean"
          + " with its 95%% t interval (unknown with one round). Each ROUND is a JMH JSON file, several joined by"
          + " commas (A.json,B.json) or a folder of them (its *.json pooled as one round); run the rounds"
          + " interleaved, one machine window each.",
      "With --at-most X: per set 'holds' (interval at or below X), 'fails' (interval above X) or"
          + " 'undecided'; exit 0 if all hold, 1 if any fails, 4 if none fails but some are undecided."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success (with --at-most: every ratio holds)",
      "1:with --at-most: some ratio fails",
      "2:bad usage or bad input",
      "3:internal error",
      "4:with --at-most: none fails, but the rounds cannot decide some"
    })
final class RatioCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(
      arity = "1..*",
      paramLabel = "ROUND",
      description =
          "One round each: a JMH JSON file, several joined by commas (A.json,B.json), or a folder"
              + " whose *.json files form the round.")
  List<Path> rounds = new ArrayList<>();

  @Option(
      names = "--of",
      required = true,
      paramLabel = "K=V[,K=V...]",
      description = "The numerator: results whose params have these values, e.g. transport=nio.")
  String of;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "K=V[,K=V...]",
      description = "The denominator, e.g. transport=echo.")
  String to;

  @Option(
      names = "--metric",
      paramLabel = "NAME",
      description =
          "A secondary metric to divide instead of the primary score, e.g. hop or hop.p50 of"
              + " HopBenchmark.")
  String metric;

  @Option(
      names = "--at-most",
      paramLabel = "X",
      description = "The largest ratio a claim allows, e.g. 1.15: adds a verdict per set.")
  Double atMost;

  @Override
  public Integer call() throws ReportInputException {
    Map<String, String> numerator = selector("--of", of);
    Map<String, String> denominator = selector("--to", to);
    if (numerator.equals(denominator)) {
      throw new ParameterException(
          spec.commandLine(), "--of and --to select the same results: " + of);
    }
    if (atMost != null && !(atMost > 0 && Double.isFinite(atMost))) {
      throw new ParameterException(
          spec.commandLine(), "--at-most: " + atMost + " (expected: a positive number)");
    }
    Set<String> selectorKeys = new TreeSet<>(numerator.keySet());
    selectorKeys.addAll(denominator.keySet());
    JmhJsonReader reader = new JmhJsonReader();
    List<Map<String, Pair>> perRound = new ArrayList<>();
    for (Path round : rounds) {
      perRound.add(pairs(round, load(reader, round), numerator, denominator, selectorKeys));
    }
    Set<String> groups = perRound.get(0).keySet();
    for (int i = 1; i < perRound.size(); i++) {
      if (!perRound.get(i).keySet().equals(groups)) {
        Set<String> missing = new TreeSet<>(groups);
        missing.removeAll(perRound.get(i).keySet());
        Set<String> extra = new TreeSet<>(perRound.get(i).keySet());
        extra.removeAll(groups);
        throw new ReportInputException(
            rounds.get(i),
            "this round's pairs differ from the first round's ("
                + rounds.get(0)
                + "): "
                + (missing.isEmpty() ? "" : "missing " + missing + " ")
                + (extra.isEmpty() ? "" : "extra " + extra)
                + "; every round must measure the same benchmarks");
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    Pair first = perRound.get(0).values().iterator().next();
    Map<String, String> labels = labels(perRound.get(0), selectorKeys);
    out.println(
        "ratio "
            + of
            + " / "
            + to
            + ", "
            + first.numerator.simpleName()
            + " ("
            + first.numerator.mode()
            + ", "
            + (metric == null ? "primary score" : "metric " + metric)
            + ", "
            + first.numeratorMetric().unit()
            + "), "
            + rounds.size()
            + (rounds.size() == 1 ? " round" : " rounds")
            + "; interval: "
            + Math.round(RoundRatios.LEVEL * 100)
            + "% t over the rounds' log ratios"
            + fixedParams(perRound.get(0), selectorKeys));
    out.println();
    out.println(
        "| set | rounds | per round | median | geometric mean [95%]"
            + (atMost == null
                ? " |"
                : " | rounds <= " + Numbers.format(atMost) + " | verdict (<= " + atMost + ") |"));
    out.println("|---|---:|---|---:|---|" + (atMost == null ? "" : "---:|---|"));
    boolean anyFails = false;
    boolean anyUndecided = false;
    for (String group : groups) {
      double[] ratios = new double[perRound.size()];
      for (int i = 0; i < ratios.length; i++) {
        ratios[i] = perRound.get(i).get(group).ratio();
      }
      RoundRatios r = RoundRatios.of(ratios);
      StringBuilder row = new StringBuilder("| ").append(labels.get(group)).append(" | ");
      row.append(r.rounds()).append(" | ");
      row.append(
          Arrays.stream(r.ratios())
              .mapToObj(x -> Numbers.fixed(x, 3))
              .collect(Collectors.joining(", ")));
      row.append(" | ").append(Numbers.fixed(r.median(), 3)).append(" | ");
      row.append(Numbers.fixed(r.geometricMean(), 3));
      row.append(
          r.rounds() < 2
              ? " [unknown: one round]"
              : " [" + Numbers.fixed(r.low(), 3) + ", " + Numbers.fixed(r.high(), 3) + "]");
      row.append(" |");
      if (atMost != null) {
        RoundRatios.Verdict v = r.against(atMost);
        anyFails |= v == RoundRatios.Verdict.FAILS;
        anyUndecided |= v == RoundRatios.Verdict.UNDECIDED;
        row.append(" ")
            .append(r.roundsAtMost(atMost))
            .append(" of ")
            .append(r.rounds())
            .append(" | ")
            .append(v.text())
            .append(" |");
      }
      out.println(row);
    }
    out.println();
    out.println("| set | round | file | " + of + " | " + to + " | ratio |");
    out.println("|---|---:|---|---:|---:|---:|");
    for (String group : groups) {
      for (int i = 0; i < perRound.size(); i++) {
        Pair p = perRound.get(i).get(group);
        out.println(
            "| "
                + labels.get(group)
                + " | "
                + (i + 1)
                + " | "
                + rounds.get(i)
                + " | "
                + scoreText(p.numeratorMetric())
                + " | "
                + scoreText(p.denominatorMetric())
                + " | "
                + Numbers.fixed(p.ratio(), 3)
                + " |");
      }
    }
    if (anyFails) {
      return ExitCodes.REGRESSION;
    }
    return anyUndecided ? ExitCodes.TOO_LITTLE_COMPARED : ExitCodes.OK;
  }

  /** The params of the sets' results other than the selectors', each with its values. */
  private static SortedMap<String, Set<String>> restValues(
      Map<String, Pair> pairs, Set<String> selectorKeys) {
    return valuesByParam(pairs.values().stream().map(p -> p.numerator).toList(), selectorKeys);
  }

  /** Each param of {@code results} but {@code excluded}, with the values it takes, sorted. */
  private static SortedMap<String, Set<String>> valuesByParam(
      List<JmhResult> results, Set<String> excluded) {
    SortedMap<String, Set<String>> values = new TreeMap<>();
    for (JmhResult r : results) {
      r.params()
          .forEach(
              (k, v) -> {
                if (!excluded.contains(k)) {
                  values.computeIfAbsent(k, x -> new TreeSet<>()).add(v);
                }
              });
    }
    return values;
  }

  /**
   * Each set's label: its benchmark if the sets hold several, and the params whose values differ
   * between the sets, e.g. {@code bytes=4096}.
   */
  private static Map<String, String> labels(Map<String, Pair> pairs, Set<String> selectorKeys) {
    SortedMap<String, Set<String>> values = restValues(pairs, selectorKeys);
    boolean severalBenchmarks =
        pairs.values().stream()
                .map(p -> p.numerator.simpleName() + p.numerator.mode())
                .distinct()
                .count()
            > 1;
    Map<String, String> labels = new LinkedHashMap<>();
    for (Map.Entry<String, Pair> e : pairs.entrySet()) {
      JmhResult r = e.getValue().numerator;
      List<String> parts = new ArrayList<>();
      if (severalBenchmarks) {
        parts.add(r.simpleName() + (r.mode().equals("avgt") ? "" : " " + r.mode()));
      }
      values.forEach(
          (k, v) -> {
            if (v.size() > 1) {
              parts.add(k + "=" + r.params().getOrDefault(k, "-"));
            }
          });
      labels.put(e.getKey(), parts.isEmpty() ? r.simpleName() : String.join(", ", parts));
    }
    return labels;
  }

  /** {@code "; params of every set: dispatch=..., pin=false"}, or empty. */
  private static String fixedParams(Map<String, Pair> pairs, Set<String> selectorKeys) {
    String fixed =
        restValues(pairs, selectorKeys).entrySet().stream()
            .filter(e -> e.getValue().size() == 1)
            .map(e -> e.getKey() + "=" + e.getValue().iterator().next())
            .collect(Collectors.joining(", "));
    return fixed.isEmpty() ? "" : "; params of every set: " + fixed;
  }

  private static String scoreText(JmhMetric m) {
    return Double.isFinite(m.scoreError())
        ? Numbers.format(m.score()) + " ± " + Numbers.format(m.scoreError())
        : Numbers.format(m.score());
  }

  /** One round's two results of one parameter set. */
  private final class Pair {
    final JmhResult numerator;
    final JmhResult denominator;

    Pair(JmhResult numerator, JmhResult denominator) {
      this.numerator = numerator;
      this.denominator = denominator;
    }

    JmhMetric numeratorMetric() {
      return metricOf(numerator);
    }

    JmhMetric denominatorMetric() {
      return metricOf(denominator);
    }

    double ratio() {
      return numeratorMetric().score() / denominatorMetric().score();
    }
  }

  private JmhMetric metricOf(JmhResult r) {
    return metric == null ? r.primary() : r.secondary().get(metric);
  }

  private Map<String, Pair> pairs(
      Path round,
      List<JmhResult> results,
      Map<String, String> numerator,
      Map<String, String> denominator,
      Set<String> selectorKeys)
      throws ReportInputException {
    Map<String, JmhResult> nums = new LinkedHashMap<>();
    Map<String, JmhResult> dens = new LinkedHashMap<>();
    for (JmhResult r : results) {
      boolean isNum = matches(r, numerator);
      boolean isDen = matches(r, denominator);
      if (isNum && isDen) {
        throw new ReportInputException(
            round, r.label() + " matches both --of " + of + " and --to " + to);
      }
      if (!isNum && !isDen) {
        continue;
      }
      String key = groupKey(r, selectorKeys);
      Map<String, JmhResult> side = isNum ? nums : dens;
      JmhResult before = side.put(key, r);
      if (before != null) {
        throw new ReportInputException(
            round,
            "two results match "
                + (isNum ? "--of " + of : "--to " + to)
                + " for "
                + key
                + ": "
                + before.label()
                + " and "
                + r.label()
                + "; name the param that tells them apart in the selector");
      }
    }
    if (nums.isEmpty() || dens.isEmpty()) {
      throw new ReportInputException(
          round,
          "no result matches "
              + (nums.isEmpty() ? "--of " + of : "--to " + to)
              + "; params here: "
              + paramValues(results));
    }
    Map<String, Pair> pairs = new LinkedHashMap<>();
    for (Map.Entry<String, JmhResult> e : nums.entrySet()) {
      JmhResult den = dens.get(e.getKey());
      if (den == null) {
        throw new ReportInputException(
            round, "no result matches --to " + to + " for " + e.getKey() + " (--of has one)");
      }
      Pair p = new Pair(e.getValue(), den);
      check(round, p.numerator, p.numeratorMetric());
      check(round, p.denominator, p.denominatorMetric());
      if (!p.numeratorMetric().unit().equals(p.denominatorMetric().unit())) {
        throw new ReportInputException(
            round,
            "units differ for "
                + e.getKey()
                + ": "
                + p.numeratorMetric().unit()
                + " and "
                + p.denominatorMetric().unit());
      }
      pairs.put(e.getKey(), p);
    }
    for (String key : dens.keySet()) {
      if (!nums.containsKey(key)) {
        throw new ReportInputException(
            round, "no result matches --of " + of + " for " + key + " (--to has one)");
      }
    }
    return pairs;
  }

  private void check(Path round, JmhResult r, JmhMetric m) throws ReportInputException {
    if (m == null) {
      throw new ReportInputException(
          round,
          r.label()
              + " has no metric \""
              + metric
              + "\"; its secondary metrics: "
              + (r.secondary().isEmpty() ? "none" : String.join(", ", r.secondary().keySet())));
    }
    if (!(m.score() > 0) || Double.isInfinite(m.score())) {
      throw new ReportInputException(
          round,
          r.label()
              + ": score "
              + m.score()
              + " cannot be divided (expected: positive and finite)");
    }
  }

  private static boolean matches(JmhResult r, Map<String, String> selector) {
    for (Map.Entry<String, String> e : selector.entrySet()) {
      if (!e.getValue().equals(r.params().get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** The benchmark, mode and the params the selectors do not name, e.g. {@code bytes=4096}. */
  private static String groupKey(JmhResult r, Set<String> selectorKeys) {
    SortedMap<String, String> rest = new TreeMap<>(r.params());
    rest.keySet().removeAll(selectorKeys);
    String params =
        rest.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(", "));
    return r.simpleName()
        + (r.mode().equals("avgt") ? "" : " " + r.mode())
        + (params.isEmpty() ? "" : " " + params);
  }

  private static String paramValues(List<JmhResult> results) {
    SortedMap<String, Set<String>> values = valuesByParam(results, Set.of());
    return values.isEmpty()
        ? "none"
        : values.entrySet().stream()
            .map(e -> e.getKey() + "=" + String.join("|", e.getValue()))
            .collect(Collectors.joining(", "));
  }

  private Map<String, String> selector(String option, String text) {
    Map<String, String> selector = new TreeMap<>();
    for (String part : text.split(",")) {
      int eq = part.indexOf('=');
      String key = eq < 0 ? "" : part.substring(0, eq).trim();
      String value = eq < 0 ? "" : part.substring(eq + 1).trim();
      if (key.isEmpty() || value.isEmpty()) {
        throw new ParameterException(
            spec.commandLine(),
            option + " " + text + ": expected K=V[,K=V...], e.g. transport=nio");
      }
      if (selector.put(key, value) != null) {
        throw new ParameterException(
            spec.commandLine(), option + " " + text + ": param " + key + " given twice");
      }
    }
    return selector;
  }

  private static List<JmhResult> load(JmhJsonReader reader, Path round)
      throws ReportInputException {
    if (!Files.exists(round) && round.toString().contains(",")) {
      List<JmhResult> results = new ArrayList<>();
      for (String part : round.toString().split(",")) {
        Path file = Path.of(part.trim());
        if (!Files.isRegularFile(file)) {
          throw new ReportInputException(
              file, Files.exists(file) ? "not a file (in round " + round + ")" : "no such file");
        }
        results.addAll(reader.read(file));
      }
      return results;
    }
    if (!Files.exists(round)) {
      throw new ReportInputException(round, "no such file or folder");
    }
    if (!Files.isDirectory(round)) {
      return reader.read(round);
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(round)) {
      files =
          list.filter(p -> p.getFileName().toString().endsWith(".json"))
              .filter(Files::isRegularFile)
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new ReportInputException(round, "cannot list folder: " + e, e);
    }
    if (files.isEmpty()) {
      throw new ReportInputException(round, "no *.json file in this folder");
    }
    List<JmhResult> results = new ArrayList<>();
    for (Path f : files) {
      results.addAll(reader.read(f));
    }
    return results;
  }
}
