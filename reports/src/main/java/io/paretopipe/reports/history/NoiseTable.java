package io.paretopipe.reports.history;

import io.paretopipe.reports.ReportInputException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The run-to-run noise of repeated runs of the same sweep, as the table the history's simulation
 * ({@code ChangePointSimulationTest}) resamples: {@code reports/src/test/resources/history/
 * quick-noise.csv}. One command, on run folders of the same setting on one machine:
 *
 * <pre>
 * java -cp reports/target/paretopipe-reports.jar io.paretopipe.reports.history.NoiseTable RUN... \
 *     &gt; reports/src/test/resources/history/quick-noise.csv
 * </pre>
 *
 * Each run is read exactly as {@code history add} reads it ({@link RunImporter}: passes, files and
 * forks pooled by the reports' own pipeline). For every point and mean figure ({@link
 * FigureValue#MEAN_FIGURES}) measured in R &gt;= 2 of the runs, each run gives one row: {@code
 * residual} = {@code (ln(value) - mean of ln(value) over the R runs) x sqrt(R / (R - 1))} (so the
 * residuals' variance is the run-to-run variance, not the smaller variance around an estimated
 * mean), and {@code relative_standard_error}, the run's own standard error of that value from its
 * 95% interval over its passes ({@link FigureValue#relativeStandardError}; empty when the run has
 * one pass). A row keeps a run's residual and its own standard error together, so a simulation that
 * draws rows keeps their relation (a run disturbed by a busy machine is both off and wide).
 *
 * <p>Header lines start with {@code #}: the runs (source, commit, setting), and the log standard
 * deviation of each figure's residuals. Exit 2 with one line on a bad run or fewer than two runs.
 */
public final class NoiseTable {

  /** The CSV header line. */
  public static final String HEADER = "figure,residual,relative_standard_error";

  /** One row. */
  public record Row(String figure, double residual, double relativeStandardError) {}

  private NoiseTable() {}

  /**
   * @param runs the runs, each read by {@link RunImporter}
   * @return the rows, by point, figure and run order
   */
  public static List<Row> rows(List<RunRecord> runs) {
    TreeMap<String, Map<Integer, FigureValue>> byKey = new TreeMap<>();
    for (int r = 0; r < runs.size(); r++) {
      for (PointRecord p : runs.get(r).points()) {
        for (FigureValue f : p.figures()) {
          if (FigureValue.MEAN_FIGURES.contains(f.name()) && f.value() > 0) {
            byKey
                .computeIfAbsent(
                    p.benchmark() + " " + p.identity() + " " + f.name(), k -> new LinkedHashMap<>())
                .put(r, f);
          }
        }
      }
    }
    List<Row> rows = new ArrayList<>();
    byKey.forEach(
        (key, values) -> {
          int count = values.size();
          if (count < 2) {
            return;
          }
          double mean = 0;
          for (FigureValue f : values.values()) {
            mean += Math.log(f.value());
          }
          mean /= count;
          double scale = Math.sqrt(count / (count - 1.0));
          for (FigureValue f : values.values()) {
            rows.add(
                new Row(
                    f.name(),
                    (Math.log(f.value()) - mean) * scale,
                    FigureValue.relativeStandardError(
                        f.name(), f.value(), f.ciLow(), f.ciHigh(), f.ciLevel(), f.units())));
          }
        });
    return rows;
  }

  /**
   * Writes the table.
   *
   * @param runs the runs
   * @param out where to
   */
  public static void write(List<RunRecord> runs, PrintStream out) {
    List<Row> rows = rows(runs);
    out.println(
        "# run-to-run noise: ln(value) - mean over the runs of the point, x sqrt(R/(R-1));"
            + " relative_standard_error: the run's own, from its 95% interval over its passes"
            + " (empty with one pass)");
    out.println(
        "# written by io.paretopipe.reports.history.NoiseTable from " + runs.size() + " runs:");
    for (RunRecord r : runs) {
      out.println(
          "#   "
              + Path.of(r.source()).getFileName()
              + " started "
              + r.startedAt()
              + " commit "
              + (r.commit() == null ? "unknown" : r.commit())
              + " setting "
              + (r.setting() == null ? "unknown" : r.setting())
              + " host "
              + r.host().id());
    }
    for (String figure : new java.util.TreeSet<>(FigureValue.MEAN_FIGURES)) {
      double sumSq = 0;
      double seSq = 0;
      int n = 0;
      int withSe = 0;
      for (Row row : rows) {
        if (row.figure().equals(figure)) {
          sumSq += row.residual() * row.residual();
          n++;
          if (Double.isFinite(row.relativeStandardError())) {
            seSq += row.relativeStandardError() * row.relativeStandardError();
            withSe++;
          }
        }
      }
      out.println(
          String.format(
              Locale.ROOT,
              "# %s: %d rows, log sd %.4f; %d rows with the run's own standard error, rms %s",
              figure,
              n,
              n == 0 ? Double.NaN : Math.sqrt(sumSq / n),
              withSe,
              withSe == 0 ? "-" : String.format(Locale.ROOT, "%.4f", Math.sqrt(seSq / withSe))));
    }
    out.println(HEADER);
    for (Row row : rows) {
      out.println(
          String.format(Locale.ROOT, "%s,%.5f,", row.figure(), row.residual())
              + (Double.isFinite(row.relativeStandardError())
                  ? String.format(Locale.ROOT, "%.5f", row.relativeStandardError())
                  : ""));
    }
  }

  /**
   * @param args run folders (or JMH JSON files), at least two
   */
  public static void main(String[] args) {
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    if (args.length < 2 || args[0].startsWith("-")) {
      err.println(
          "usage: java -cp paretopipe-reports.jar io.paretopipe.reports.history.NoiseTable RUN RUN..."
              + " > quick-noise.csv (two or more run folders of the same setting on one machine)");
      System.exit(2);
    }
    List<RunRecord> runs = new ArrayList<>();
    RunImporter importer = new RunImporter();
    for (String arg : args) {
      try {
        runs.add(importer.read(Path.of(arg)));
      } catch (ReportInputException e) {
        err.println("error: " + e.getMessage());
        System.exit(2);
      }
    }
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    write(runs, out);
    out.flush();
  }
}
