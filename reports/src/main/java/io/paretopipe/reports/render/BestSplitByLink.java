package io.paretopipe.reports.render;

import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.SplitOrder;
import io.paretopipe.reports.predict.LinkSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the best measured split moves as the link gets slower: for every report section (model,
 * transport, batch, variant) measured under two or more links, per link the split with the lowest
 * latency (the report's latency statistic, the mean by default) and the split with the highest
 * throughput, links ordered from the fastest to the slowest. Stateless.
 *
 * <p>Order: by rate, highest first, an unlimited rate ({@code none} = loopback, or a delay-only
 * link) above every finite one; then by one-way delay, lowest first. A link spec that cannot be
 * read goes last, in name order.
 */
public final class BestSplitByLink {
  private BestSplitByLink() {}

  /**
   * The best splits under one link.
   *
   * @param group the group (its link)
   * @param link the parsed link, empty when the spec cannot be read
   * @param bestLatency the point with the lowest latency (the report's statistic; ties: the first
   *     split), empty when none is measured
   * @param bestThroughput the point with the highest throughput (ties: the first split), empty when
   *     none is measured
   */
  public record Entry(
      GroupKey group,
      Optional<LinkSpec> link,
      Optional<Point> bestLatency,
      Optional<Point> bestThroughput) {

    /**
     * @return e.g. {@code none (loopback)}, {@code pi-link (5 Mbit/s)}, {@code delay:50ms
     *     (unlimited rate)}
     */
    public String label() {
      if (link.isEmpty()) {
        return group.link() + " (rate unknown)";
      }
      LinkSpec l = link.get();
      if (l.unlimitedRate()) {
        return group.link() + (l.delayNanos() == 0 ? " (loopback)" : " (unlimited rate)");
      }
      return group.link() + " (" + l.rateText() + ")";
    }

    /**
     * @return {@link #label()} when the link's spec is short (a preset, {@code none}); else the
     *     rate and delay alone, e.g. {@code 50 Mbit/s, 20 ms}, so a chart's axis labels do not run
     *     into each other
     */
    public String axisLabel() {
      if (link.isEmpty() || group.link().length() <= 16) {
        return label();
      }
      LinkSpec l = link.get();
      String rate = l.unlimitedRate() ? "unlimited rate" : l.rateText();
      return l.delayNanos() == 0
          ? rate
          : rate
              + ", "
              + java.math.BigDecimal.valueOf(l.delayNanos(), 6).stripTrailingZeros().toPlainString()
              + " ms";
    }
  }

  private static final Comparator<Entry> FASTEST_FIRST =
      Comparator.comparing((Entry e) -> e.link().isEmpty())
          .thenComparingLong(
              e ->
                  e.link()
                      .map(l -> l.unlimitedRate() ? Long.MIN_VALUE : -l.rateBitsPerSecond())
                      .orElse(0L))
          .thenComparingLong(e -> e.link().map(LinkSpec::delayNanos).orElse(0L))
          .thenComparing(e -> e.group().link());

  /**
   * @param report the report
   * @return per section title (as the HTML page and charts name it) with at least two links, the
   *     entries from the fastest link to the slowest; sections in report order
   */
  public static Map<String, List<Entry>> of(ParetoReport report) {
    Map<String, List<Entry>> bySection = new LinkedHashMap<>();
    report
        .run()
        .pointsByGroup()
        .forEach(
            (g, points) ->
                bySection
                    .computeIfAbsent(section(g), s -> new ArrayList<>())
                    .add(
                        new Entry(
                            g,
                            parse(g.link()),
                            best(points, report.latency()::valueMs, true),
                            best(points, Point::throughputImgS, false))));
    Map<String, List<Entry>> result = new LinkedHashMap<>();
    bySection.forEach(
        (section, entries) -> {
          if (entries.size() >= 2) {
            List<Entry> sorted = new ArrayList<>(entries);
            sorted.sort(FASTEST_FIRST);
            result.put(section, List.copyOf(sorted));
          }
        });
    return result;
  }

  /**
   * @return the section title of a group: everything but its link ({@link GroupTitles#section})
   */
  public static String section(GroupKey g) {
    return GroupTitles.section(g);
  }

  private static Optional<LinkSpec> parse(String link) {
    try {
      return Optional.of(LinkSpec.parse(link));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Optional<Point> best(
      List<Point> points, java.util.function.ToDoubleFunction<Point> f, boolean lower) {
    Comparator<Point> byValue = Comparator.comparingDouble(f);
    Comparator<Point> order =
        (lower ? byValue : byValue.reversed()).thenComparing(Point::split, SplitOrder.INSTANCE);
    return points.stream().filter(p -> Double.isFinite(f.applyAsDouble(p))).min(order);
  }
}
