package io.paretopipe.reports.hdr;

import io.paretopipe.reports.ReportInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/** Reads one HdrHistogram log ({@code HistogramLogWriter} format). Stateless and thread-safe. */
public final class HlogReader {
  private static final String COMMENT_PREFIX = "#paretopipe.";

  /**
   * @param file an hlog file
   * @return its comments, its interval histograms per tag, and those merged per tag
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
    Map<String, List<Histogram>> byTag = new LinkedHashMap<>();
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
        Histogram owned;
        if (interval instanceof Histogram plain) {
          owned = plain;
        } else {
          owned = new Histogram(interval.getNumberOfSignificantValueDigits());
          owned.add(interval);
          owned.setStartTimeStamp(interval.getStartTimeStamp());
          owned.setEndTimeStamp(interval.getEndTimeStamp());
        }
        owned.setTag(tag);
        byTag.computeIfAbsent(tag, t -> new ArrayList<>()).add(owned);
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
    return HlogData.of(file, comments, byTag);
  }
}
