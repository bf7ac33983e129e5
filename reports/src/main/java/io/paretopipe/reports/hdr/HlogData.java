package io.paretopipe.reports.hdr;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.HdrHistogram.Histogram;

/**
 * The content of one or more hlogs of the same result: their {@code #paretopipe.} comments and, per
 * tag, every interval histogram (one interval = one measurement iteration) and all of them merged
 * into one (values in nanoseconds). The histograms are owned by this object; callers must not
 * modify them.
 *
 * @param files where it was read from, in merge order
 * @param comments {@code #paretopipe.<key>=<value>} lines, key without the {@code paretopipe.}
 *     prefix, file order (the first file's value wins)
 * @param intervalsByTag tag (e.g. {@code e2e}) to its interval histograms in file order, file by
 *     file; untagged intervals use the tag {@code ""}
 * @param histogramsByTag tag to the merge of its intervals, file order
 */
public record HlogData(
    List<Path> files,
    Map<String, String> comments,
    Map<String, List<Histogram>> intervalsByTag,
    Map<String, Histogram> histogramsByTag) {

  /** Tag of the end-to-end latency series. */
  public static final String TAG_E2E = "e2e";

  public HlogData {
    files = List.copyOf(files);
    comments = Collections.unmodifiableMap(comments);
    Map<String, List<Histogram>> copy = new LinkedHashMap<>();
    intervalsByTag.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    intervalsByTag = Collections.unmodifiableMap(copy);
    histogramsByTag = Collections.unmodifiableMap(histogramsByTag);
  }

  /**
   * @param file the hlog
   * @param comments its comments
   * @param intervalsByTag its intervals per tag
   * @return the hlog's data, intervals merged per tag
   */
  public static HlogData of(
      Path file, Map<String, String> comments, Map<String, List<Histogram>> intervalsByTag) {
    return new HlogData(List.of(file), comments, intervalsByTag, merge(intervalsByTag));
  }

  /**
   * Merges the hlogs of one result (e.g. one per pass of a sweep) interval by interval: the
   * intervals of every part follow each other, and the merged histograms hold them all.
   *
   * @param parts at least one
   * @return the merge
   */
  public static HlogData merge(List<HlogData> parts) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    List<Path> files = new ArrayList<>();
    Map<String, String> comments = new LinkedHashMap<>();
    Map<String, List<Histogram>> intervals = new LinkedHashMap<>();
    for (HlogData part : parts) {
      files.addAll(part.files());
      part.comments().forEach(comments::putIfAbsent);
      part.intervalsByTag()
          .forEach(
              (tag, list) -> intervals.computeIfAbsent(tag, t -> new ArrayList<>()).addAll(list));
    }
    return new HlogData(files, comments, intervals, merge(intervals));
  }

  private static Map<String, Histogram> merge(Map<String, List<Histogram>> intervalsByTag) {
    Map<String, Histogram> merged = new LinkedHashMap<>();
    intervalsByTag.forEach(
        (tag, list) -> {
          Histogram sum = new Histogram(list.get(0).getNumberOfSignificantValueDigits());
          sum.setTag(tag);
          list.forEach(sum::add);
          merged.put(tag, sum);
        });
    return merged;
  }

  /**
   * @return the number of intervals of the {@code e2e} series (0 when absent)
   */
  public int e2eIntervals() {
    return intervalsByTag.getOrDefault(TAG_E2E, List.of()).size();
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
