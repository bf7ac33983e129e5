package io.paretopipe.reports.history;

import java.util.List;

/**
 * The history database's schema, version {@value #VERSION}: the same tables on SQLite and
 * PostgreSQL, created by the first {@code history add}. Documented in docs/REPORTS.md (History);
 * columns are only ever added, and a database whose {@code schema_version} is newer than this
 * program is refused rather than misread.
 *
 * <pre>
 * schema_version (version, applied_at, writer)                 one row per applied version
 * hosts   (host_id = fingerprint, description, components_json)
 * runs    (run_id, digest UNIQUE, started_at, added_at, git_commit, source, host_id, setting,
 *          metadata_json)
 * points  (point_id, run_id, benchmark, identity, params_json, model, transport, link, batch,
 *          split, depth, frontier_class, frontier_probability, converged)   UNIQUE (run_id, benchmark, identity)
 * figures (point_id, name, unit, value, ci_low, ci_high, ci_level, samples, null_reason, units)
 *          PRIMARY KEY (point_id, name)
 * </pre>
 *
 * <p>Versions: 1 (issue 19) without {@code figures.units}; 2 adds {@code figures.units}, the
 * replication units (passes, else iterations) a figure's interval rests on. A database is created
 * by applying every version's statements in turn ({@link #upgrade}), so a version 1 database
 * reaches version 2 by the same statements as a new one: {@code ALTER TABLE figures ADD COLUMN
 * units BIGINT} (rows of version 1 keep {@code NULL}: their intervals are JMH's 99.9% ones, {@code
 * ci_level} 0.999).
 *
 * <p>Times are ISO-8601 UTC text with nine fractional digits ({@code
 * 2026-12-05T01:02:03.000000000Z}), so they sort as text on both databases. Unknown numbers are
 * {@code NULL}.
 */
public final class HistorySchema {
  /** The schema version this program writes and reads. */
  public static final int VERSION = 2;

  /** The SQL dialects the schema is written in. */
  public enum Dialect {
    SQLITE("INTEGER PRIMARY KEY"),
    POSTGRESQL("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY");

    private final String identityColumn;

    Dialect(String identityColumn) {
      this.identityColumn = identityColumn;
    }
  }

  private HistorySchema() {}

  /**
   * @param dialect the database
   * @return the statements that create schema version {@value #VERSION} on an empty database
   */
  public static List<String> create(Dialect dialect) {
    return upgrade(dialect, 0, VERSION);
  }

  /**
   * @param dialect the database
   * @param from the database's version, 0 for an empty database
   * @param to the version wanted, {@code from <= to <= }{@value #VERSION}
   * @return the statements that take it there (without the {@code schema_version} row)
   */
  public static List<String> upgrade(Dialect dialect, int from, int to) {
    if (from < 0 || to > VERSION || from > to) {
      throw new IllegalArgumentException(
          "upgrade from version "
              + from
              + " to "
              + to
              + " (expected: 0 <= from <= to <= "
              + VERSION
              + ")");
    }
    List<String> statements = new java.util.ArrayList<>();
    if (from < 1 && to >= 1) {
      statements.addAll(version1(dialect));
    }
    if (from < 2 && to >= 2) {
      statements.add("ALTER TABLE figures ADD COLUMN units BIGINT");
    }
    return statements;
  }

  private static List<String> version1(Dialect dialect) {
    String id = dialect.identityColumn;
    return List.of(
        "CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL,"
            + " writer TEXT NOT NULL)",
        "CREATE TABLE hosts (host_id TEXT PRIMARY KEY, description TEXT NOT NULL,"
            + " components_json TEXT NOT NULL)",
        "CREATE TABLE runs (run_id "
            + id
            + ", digest TEXT NOT NULL UNIQUE, started_at TEXT NOT NULL, added_at TEXT NOT NULL,"
            + " git_commit TEXT, source TEXT NOT NULL,"
            + " host_id TEXT NOT NULL REFERENCES hosts (host_id), setting TEXT, metadata_json TEXT)",
        "CREATE TABLE points (point_id "
            + id
            + ", run_id BIGINT NOT NULL REFERENCES runs (run_id), benchmark TEXT NOT NULL,"
            + " identity TEXT NOT NULL, params_json TEXT NOT NULL, model TEXT NOT NULL,"
            + " transport TEXT NOT NULL, link TEXT NOT NULL, batch INTEGER NOT NULL,"
            + " split TEXT NOT NULL, depth TEXT, frontier_class TEXT,"
            + " frontier_probability DOUBLE PRECISION, converged SMALLINT,"
            + " UNIQUE (run_id, benchmark, identity))",
        "CREATE TABLE figures (point_id BIGINT NOT NULL REFERENCES points (point_id),"
            + " name TEXT NOT NULL, unit TEXT NOT NULL, value DOUBLE PRECISION,"
            + " ci_low DOUBLE PRECISION, ci_high DOUBLE PRECISION, ci_level DOUBLE PRECISION,"
            + " samples BIGINT, null_reason TEXT, PRIMARY KEY (point_id, name))",
        "CREATE INDEX runs_host_time ON runs (host_id, started_at)",
        "CREATE INDEX points_identity ON points (benchmark, identity)");
  }
}
