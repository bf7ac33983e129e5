package io.paretopipe.reports.history;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One run as the history stores it: everything {@link RunImporter} read, before it is added.
 * Immutable.
 *
 * @param digest SHA-256 (hex) of the run's content: the key that makes adding idempotent
 * @param startedAt when the run started ({@code run-metadata.json} {@code start_time}, else the
 *     newest modification time of its JMH JSON files)
 * @param commit the git commit the run measured, or null when unknown
 * @param source the path it was read from, as given
 * @param host its host fingerprint
 * @param setting the sweep setting ({@code quick}, {@code full}, ...) or null when unknown
 * @param metadataJson {@code run-metadata.json} as it was, or null without one
 * @param points its partition points
 * @param notes what the reader assumed, for the user (e.g. no metadata: unknown host)
 */
public record RunRecord(
    String digest,
    Instant startedAt,
    String commit,
    String source,
    HostFingerprint host,
    String setting,
    String metadataJson,
    List<PointRecord> points,
    List<String> notes) {

  public RunRecord {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(host, "host");
    points = List.copyOf(points);
    notes = List.copyOf(notes);
  }

  /**
   * @return how many figure rows adding this run writes
   */
  public int figureCount() {
    return points.stream().mapToInt(p -> p.figures().size()).sum();
  }
}
