package io.paretopipe.reports.history;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The text of {@code history check} (and the headline of the trend page). Stateless. */
public final class HistorySummary {
  private HistorySummary() {}

  /**
   * @param result a check
   * @param url the database (password hidden)
   * @return the lines {@code history check} prints: a headline (runs, hosts, series, how many have
   *     enough runs), then {@code OK: ...} or {@code REGRESSION: ...} with one line per open
   *     regression and frontier drop, then joins, improvements and pending changes
   */
  public static List<String> lines(HistoryCheck.Result result, String url) {
    List<String> lines = new ArrayList<>();
    long hosts = result.runs().stream().map(StoredRun::hostId).distinct().count();
    int need = result.options().settings().buffer() + result.options().persistence();
    long ready = result.series().stream().filter(s -> s.observations().size() >= need).count();
    List<Map.Entry<HistoryCheck.SeriesResult, Change>> open = result.openRegressions();
    List<HistoryCheck.FrontierSeries> drops = result.frontierDrops();
    String headline =
        String.format(
            Locale.ROOT,
            "history %s: %d runs on %d host fingerprint(s), %d series, %d with at least %d runs (buffer %d +"
                + " persistence %d)",
            url,
            result.runs().size(),
            hosts,
            result.series().size(),
            ready,
            need,
            result.options().settings().buffer(),
            result.options().persistence());
    lines.add(headline);
    if (ready == 0) {
      lines.add(
          "nothing to decide yet: no series has "
              + need
              + " runs on one host fingerprint; add more runs");
    }
    if (open.isEmpty() && drops.isEmpty()) {
      if (ready > 0) {
        lines.add(
            "OK: no open regression in "
                + ready
                + " series (alpha "
                + result.options().settings().alpha()
                + ", min change "
                + Math.round(result.options().settings().minMagnitude() * 1000) / 10.0
                + "%)");
      }
    } else {
      lines.add(
          "REGRESSION: "
              + open.size()
              + " open regression(s), "
              + drops.size()
              + " point(s) dropped from their frontier class");
      for (Map.Entry<HistoryCheck.SeriesResult, Change> e : open) {
        lines.add("  " + HistoryReport.describe(e.getKey(), e.getValue()));
      }
      for (HistoryCheck.FrontierSeries f : drops) {
        lines.add("  " + HistoryReport.describe(f));
      }
    }
    for (HistoryCheck.FrontierSeries f : result.frontierJoins()) {
      lines.add("joined: " + HistoryReport.describe(f));
    }
    for (Map.Entry<HistoryCheck.SeriesResult, Change> e :
        result.changes(Change.Kind.IMPROVEMENT, false)) {
      lines.add("improvement: " + HistoryReport.describe(e.getKey(), e.getValue()));
    }
    for (Map.Entry<HistoryCheck.SeriesResult, Change> e :
        result.changes(Change.Kind.PENDING, false)) {
      lines.add(
          "pending (awaiting confirmation): " + HistoryReport.describe(e.getKey(), e.getValue()));
    }
    return lines;
  }
}
