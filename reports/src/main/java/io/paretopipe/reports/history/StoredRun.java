package io.paretopipe.reports.history;

import java.time.Instant;

/**
 * A run as it is in the database. Immutable.
 *
 * @param id its {@code run_id}
 * @param digest its content digest
 * @param startedAt when it started
 * @param commit the git commit it measured, or null when unknown
 * @param hostId its host fingerprint
 * @param source the path it was added from
 * @param setting the sweep setting, or null when unknown
 */
public record StoredRun(
    long id,
    String digest,
    Instant startedAt,
    String commit,
    String hostId,
    String source,
    String setting) {

  /**
   * @return the commit's first 12 characters, or {@code ?} when unknown
   */
  public String shortCommit() {
    return commit == null ? "?" : commit.substring(0, Math.min(12, commit.length()));
  }
}
