package io.paretopipe.reports.hdr;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.OptionalLong;
import org.HdrHistogram.Histogram;

/**
 * The content of one hlog: its {@code #paretopipe.} comments and, per tag, all interval histograms
 * of that tag merged into one (values in nanoseconds). The histograms are owned by this object;
 * callers must not modify them.
 *
 * @param file where it was read from
 * @param comments {@code #paretopipe.<key>=<value>} lines, key without the {@code paretopipe.}
 *     prefix, file order
 * @param histogramsByTag tag (e.g. {@code e2e}) to the merged histogram, file order; untagged
 *     intervals use the tag {@code ""}
 */
public record HlogData(
    Path file, Map<String, String> comments, Map<String, Histogram> histogramsByTag) {

  /** Tag of the end-to-end latency series. */
  public static final String TAG_E2E = "e2e";

  public HlogData {
    comments = Collections.unmodifiableMap(comments);
    histogramsByTag = Collections.unmodifiableMap(histogramsByTag);
  }

  /**
   * @return {@code bytes_per_request} from the comments, when present and a non-negative integer
   */
  public OptionalLong bytesPerRequest() {
    String value = comments.get("bytes_per_request");
    if (value == null) {
      return OptionalLong.empty();
    }
    try {
      long bytes = Long.parseLong(value.trim());
      return bytes < 0 ? OptionalLong.empty() : OptionalLong.of(bytes);
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
