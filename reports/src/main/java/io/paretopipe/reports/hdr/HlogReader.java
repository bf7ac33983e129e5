package io.paretopipe.reports.hdr;

import io.paretopipe.format.HlogFileName;
import io.paretopipe.reports.ReportInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/** Reads one HdrHistogram log ({@code HistogramLogWriter} format). Stateless and thread-safe. */
public final class HlogReader {
  private static final String COMMENT_PREFIX = "#" + HlogFileName.COMMENT_PREFIX;

  /**
   * @param dir a run's {@code hlog/} folder
   * @return the {@code .hlog} files in it and one folder below it ({@code hlog/pass-001/}), sorted
   * @throws ReportInputException when the folder cannot be listed
   */
  public static List<Path> list(Path dir) throws ReportInputException {
    try (java.util.stream.Stream<Path> walk = Files.walk(dir, 2)) {
      return walk.filter(p -> p.getFileName().toString().endsWith(HlogFileName.EXTENSION))
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new ReportInputException(dir, "cannot list folder: " + e, e);
    }
  }

  /**
   * @param file an hlog file
   * @return its comments, its number of intervals per tag, and the intervals merged per tag
   * @throws ReportInputException when the file cannot be read, holds no interval histogram, or
   *     holds something that is not an integer-valued HdrHistogram interval
   */
  public HlogData read(Path file) throws ReportInputException {
    Map<String, String> comments = new LinkedHashMap<>();
    try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith(COMMENT_PREFIX)) {
          String entry = line.substring(COMMENT_PREFIX.length());
          int eq = entry.indexOf('=');
          if (eq > 0) {
            comments.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
          }
        }
      }
    } catch (IOException e) {
      throw new ReportInputException(file, "cannot read HdrHistogram log: " + e, e);
    }
    Map<String, Histogram> byTag = new LinkedHashMap<>();
    Map<String, Integer> intervals = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(file)) {
      HistogramLogReader reader = new HistogramLogReader(in);
      int index = 0;
      for (EncodableHistogram h = reader.nextIntervalHistogram();
          h != null;
          h = reader.nextIntervalHistogram()) {
        if (!(h instanceof AbstractHistogram interval)) {
          throw new ReportInputException(
              file,
              "interval #"
                  + index
                  + " is a "
                  + h.getClass().getSimpleName()
                  + ": expected integer nanosecond histograms (org.HdrHistogram.Histogram)");
        }
        String tag = interval.getTag() == null ? "" : interval.getTag();
        Histogram previous = byTag.get(tag);
        if (previous == null && interval instanceof Histogram plain) {
          plain.setTag(tag);
          byTag.put(tag, plain);
        } else {
          Histogram merged = previous == null ? new Histogram(interval) : previous;
          if (previous == null) {
            merged.setTag(tag);
          }
          merged.add(interval);
          byTag.put(tag, merged);
        }
        intervals.merge(tag, 1, Integer::sum);
        index++;
      }
    } catch (ReportInputException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new ReportInputException(
          file, "not an HdrHistogram log (HistogramLogWriter format): " + e, e);
    }
    if (byTag.isEmpty()) {
      throw new ReportInputException(file, "HdrHistogram log holds no interval histogram");
    }
    return new HlogData(List.of(file), comments, intervals, byTag);
  }
}
