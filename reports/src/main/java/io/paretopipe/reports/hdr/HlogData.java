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
 * @param intervalsByTag tag (e.g. {@code e2e}) to its number of intervals over every file; untagged
 *     intervals use the tag {@code ""}
 * @param histogramsByTag tag to the merge of its intervals, file order
 */
public record HlogData(
    List<Path> files,
    Map<String, String> comments,
    Map<String, Integer> intervalsByTag,
    Map<String, Histogram> histogramsByTag) {

  /** Tag of the end-to-end latency series. */
  public static final String TAG_E2E = io.paretopipe.format.Phase.E2E.tag();

  public HlogData {
    files = List.copyOf(files);
    comments = Collections.unmodifiableMap(comments);
    intervalsByTag = Collections.unmodifiableMap(new LinkedHashMap<>(intervalsByTag));
    histogramsByTag = Collections.unmodifiableMap(histogramsByTag);
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
    Map<String, Integer> intervals = new LinkedHashMap<>();
    Map<String, Histogram> merged = new LinkedHashMap<>();
    for (HlogData part : parts) {
      files.addAll(part.files());
      part.comments().forEach(comments::putIfAbsent);
      part.intervalsByTag().forEach((tag, n) -> intervals.merge(tag, n, Integer::sum));
      part.histogramsByTag()
          .forEach(
              (tag, h) ->
                  merged
                      .computeIfAbsent(
                          tag,
                          t -> {
                            Histogram sum = new Histogram(h);
                            sum.setTag(t);
                            return sum;
                          })
                      .add(h));
    }
    return new HlogData(files, comments, intervals, merged);
  }

  /**
   * @return the number of intervals of the {@code e2e} series (0 when absent)
   */
  public int e2eIntervals() {
    return intervalsByTag.getOrDefault(TAG_E2E, 0);
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
