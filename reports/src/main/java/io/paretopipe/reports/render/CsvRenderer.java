package io.paretopipe.reports.render;

import io.paretopipe.reports.model.Point;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Writes {@code points.csv} (every point) and {@code frontier.csv} (frontier points only): RFC 4180
 * CSV, UTF-8, {@code \n} line ends, a header row, the columns of {@link PointColumns}, unknown
 * values empty.
 */
public final class CsvRenderer implements Renderer<ParetoReport> {
  /** File with every point. */
  public static final String POINTS = "points.csv";

  /** File with the frontier points. */
  public static final String FRONTIER = "frontier.csv";

  @Override
  public void render(ParetoReport report, Path dir) throws IOException {
    List<PointColumns.Row> all = new ArrayList<>();
    for (Point p : report.run().points()) {
      all.add(report.row(p));
    }
    write(dir.resolve(POINTS), all);
    write(dir.resolve(FRONTIER), all.stream().filter(PointColumns.Row::onFrontier).toList());
  }

  private static void write(Path file, List<PointColumns.Row> rows) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write(
          PointColumns.COLUMNS.stream()
              .map(PointColumns.Column::name)
              .collect(Collectors.joining(",")));
      out.write('\n');
      for (PointColumns.Row row : rows) {
        out.write(
            PointColumns.COLUMNS.stream()
                .map(c -> escape(PointColumns.text(c.value().apply(row))))
                .collect(Collectors.joining(",")));
        out.write('\n');
      }
    }
  }

  /** Quotes a field when it holds a comma, quote or line break. */
  public static String escape(String field) {
    if (field.indexOf(',') < 0
        && field.indexOf('"') < 0
        && field.indexOf('\n') < 0
        && field.indexOf('\r') < 0) {
      return field;
    }
    return '"' + field.replace("\"", "\"\"") + '"';
  }
}
