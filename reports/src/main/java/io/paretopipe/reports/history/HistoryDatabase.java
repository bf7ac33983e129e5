package io.paretopipe.reports.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paretopipe.reports.ReportInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The history database over JDBC: SQLite ({@code jdbc:sqlite:PATH}, or a plain file path) or
 * PostgreSQL ({@code jdbc:postgresql://HOST[:PORT]/DB}), schema {@link HistorySchema}. One instance
 * holds one connection; not thread-safe; {@link #close()} is idempotent.
 *
 * <p>{@link #add} writes a whole run in one transaction: either every row of the run is there after
 * it returns, or none (a crash or {@code kill -9} mid-add leaves the database as it was: SQLite
 * rolls the journal back at the next open, PostgreSQL aborts the open transaction when the
 * connection drops). A run whose digest is already stored adds nothing.
 */
public final class HistoryDatabase implements AutoCloseable {
  /** The default database: an embedded SQLite file beside the sweep's run folders. */
  public static final String DEFAULT_URL = "jdbc:sqlite:runs/history.db";

  /** Figure rows written per JDBC batch (and per progress report). */
  static final int BATCH_ROWS = 1000;

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String url;
  private final HistorySchema.Dialect dialect;
  private Connection connection;
  private int version;

  /** What {@link #add} did. */
  public record AddResult(boolean added, long runId, int points, int figures) {}

  /** Called after each batch of figure rows inside the add's transaction. */
  @FunctionalInterface
  public interface Progress {
    void figuresWritten(int written, int total);
  }

  private HistoryDatabase(String url, HistorySchema.Dialect dialect, Connection connection) {
    this.url = url;
    this.dialect = dialect;
    this.connection = connection;
  }

  /**
   * Opens a database.
   *
   * @param url {@code jdbc:sqlite:PATH}, {@code jdbc:postgresql://HOST[:PORT]/DB[?user=..]}, or a
   *     file path (SQLite)
   * @param create true to create the SQLite file (and its folder) and the schema when missing
   *     ({@code add}); false to require an existing history ({@code check}, {@code report})
   * @return the open database
   * @throws ReportInputException naming the URL (with any password hidden): unsupported URL, no
   *     such database, cannot connect, or a schema newer than this program
   */
  public static HistoryDatabase open(String url, boolean create) throws ReportInputException {
    return open(url, create, HistorySchema.VERSION);
  }

  /**
   * Opens a database; with {@code create}, an older schema is first upgraded to {@code
   * schemaVersion} in one transaction ({@link HistorySchema#upgrade}). Without it, an older schema
   * is read as it is (its missing columns read as unknown), so {@code check} and {@code report}
   * never write.
   *
   * @param schemaVersion the version to create or upgrade to, 1..{@value HistorySchema#VERSION}
   *     (tests make version 1 databases with it)
   */
  static HistoryDatabase open(String url, boolean create, int schemaVersion)
      throws ReportInputException {
    String jdbc = url.startsWith("jdbc:") ? url : "jdbc:sqlite:" + url;
    HistorySchema.Dialect dialect;
    Properties properties = new Properties();
    if (jdbc.startsWith("jdbc:sqlite:")) {
      dialect = HistorySchema.Dialect.SQLITE;
      String file = jdbc.substring("jdbc:sqlite:".length());
      int query = file.indexOf('?');
      Path path = Path.of(query >= 0 ? file.substring(0, query) : file);
      if (file.isEmpty() || file.startsWith(":memory:")) {
        throw new ReportInputException(
            Path.of(url), "an in-memory SQLite database keeps nothing: give a file");
      }
      if (!Files.exists(path)) {
        if (!create) {
          throw new ReportInputException(
              path,
              "no history database here: add runs first with 'history add RUN --db " + url + "'");
        }
        try {
          Path parent = path.toAbsolutePath().getParent();
          if (parent != null) {
            Files.createDirectories(parent);
          }
        } catch (IOException e) {
          throw new ReportInputException(path, "cannot create its folder: " + e, e);
        }
      } else if (!Files.isRegularFile(path)) {
        throw new ReportInputException(path, "not a file: the SQLite history is one file");
      }
      properties.setProperty("foreign_keys", "true");
      properties.setProperty("busy_timeout", "30000");
      load("org.sqlite.JDBC");
    } else if (jdbc.startsWith("jdbc:postgresql:")) {
      dialect = HistorySchema.Dialect.POSTGRESQL;
      load("org.postgresql.Driver");
    } else {
      throw new ReportInputException(
          Path.of(redact(url)),
          "unsupported database URL: use jdbc:sqlite:PATH (or a file path) or"
              + " jdbc:postgresql://HOST[:PORT]/DB");
    }
    Connection connection;
    try {
      connection = DriverManager.getConnection(jdbc, properties);
    } catch (SQLException e) {
      throw new ReportInputException(
          Path.of(redact(url)), "cannot open the database: " + e.getMessage(), e);
    }
    HistoryDatabase db = new HistoryDatabase(redact(url), dialect, connection);
    try {
      db.prepareSchema(create, schemaVersion);
    } catch (ReportInputException | RuntimeException e) {
      db.close();
      throw e;
    }
    return db;
  }

  /**
   * @return the URL with any password replaced by {@code ***}
   */
  public String url() {
    return url;
  }

  /**
   * @return the stored schema version ({@link HistorySchema#VERSION})
   */
  public int schemaVersion() throws ReportInputException {
    try (Statement s = connection().createStatement();
        ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
      return rs.next() ? rs.getInt(1) : 0;
    } catch (SQLException e) {
      throw failure("cannot read the schema version", e);
    }
  }

  /**
   * Adds a run in one transaction, unless a run with its digest is stored already.
   *
   * @param run the run
   * @param progress told after each batch of figure rows (inside the transaction), may be null
   * @return what was added; {@code added == false} when the run was already there
   * @throws ReportInputException when the database refuses the run; nothing of it is kept then
   */
  public AddResult add(RunRecord run, Progress progress) throws ReportInputException {
    Connection c = connection();
    try {
      c.setAutoCommit(false);
      try {
        Long existing = runIdOf(run.digest());
        if (existing != null) {
          c.rollback();
          return new AddResult(false, existing, 0, 0);
        }
        AddResult result = insert(run, progress);
        c.commit();
        return result;
      } catch (SQLException e) {
        c.rollback();
        Long existing = runIdOf(run.digest());
        if (existing != null) {
          return new AddResult(false, existing, 0, 0);
        }
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw failure("cannot add " + run.source(), e);
    }
  }

  private AddResult insert(RunRecord run, Progress progress) throws SQLException {
    Connection c = connection();
    try (PreparedStatement host =
        c.prepareStatement(
            "INSERT INTO hosts (host_id, description, components_json) VALUES (?, ?, ?)"
                + " ON CONFLICT (host_id) DO NOTHING")) {
      host.setString(1, run.host().id());
      host.setString(2, run.host().description());
      host.setString(3, json(run.host().components()));
      host.executeUpdate();
    }
    long runId;
    try (PreparedStatement insertRun =
        c.prepareStatement(
            "INSERT INTO runs (digest, started_at, added_at, git_commit, source, host_id, setting,"
                + " metadata_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            Statement.RETURN_GENERATED_KEYS)) {
      insertRun.setString(1, run.digest());
      insertRun.setString(2, time(run.startedAt()));
      insertRun.setString(3, time(Instant.now()));
      insertRun.setString(4, run.commit());
      insertRun.setString(5, run.source());
      insertRun.setString(6, run.host().id());
      insertRun.setString(7, run.setting());
      insertRun.setString(8, run.metadataJson());
      insertRun.executeUpdate();
      runId = generatedId(insertRun);
    }
    int total = run.figureCount();
    int written = 0;
    int pending = 0;
    try (PreparedStatement point =
            c.prepareStatement(
                "INSERT INTO points (run_id, benchmark, identity, params_json, model, transport,"
                    + " link, batch, split, depth, frontier_class, frontier_probability,"
                    + " converged) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS);
        PreparedStatement figure =
            c.prepareStatement(
                version >= 2
                    ? "INSERT INTO figures (point_id, name, unit, value, ci_low, ci_high,"
                        + " ci_level, samples, null_reason, units)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    : "INSERT INTO figures (point_id, name, unit, value, ci_low, ci_high,"
                        + " ci_level, samples, null_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (PointRecord p : run.points()) {
        point.setLong(1, runId);
        point.setString(2, p.benchmark());
        point.setString(3, p.identity());
        point.setString(4, json(p.params()));
        point.setString(5, p.params().getOrDefault("model", ""));
        point.setString(6, p.params().getOrDefault("transport", ""));
        point.setString(7, p.params().getOrDefault("link", ""));
        point.setInt(8, Integer.parseInt(p.params().getOrDefault("batch", "0")));
        point.setString(9, p.params().getOrDefault("split", ""));
        point.setString(10, p.params().get("depth"));
        point.setString(11, p.frontierClass());
        setDouble(point, 12, p.frontierProbability());
        if (p.converged() == null) {
          point.setNull(13, Types.SMALLINT);
        } else {
          point.setInt(13, p.converged() ? 1 : 0);
        }
        point.executeUpdate();
        long pointId = generatedId(point);
        for (FigureValue f : p.figures()) {
          figure.setLong(1, pointId);
          figure.setString(2, f.name());
          figure.setString(3, f.unit());
          setDouble(figure, 4, f.value());
          setDouble(figure, 5, f.ciLow());
          setDouble(figure, 6, f.ciHigh());
          setDouble(figure, 7, f.ciLevel());
          if (f.samples() < 0) {
            figure.setNull(8, Types.BIGINT);
          } else {
            figure.setLong(8, f.samples());
          }
          figure.setString(9, f.nullReason());
          if (version >= 2) {
            if (f.units() < 0) {
              figure.setNull(10, Types.BIGINT);
            } else {
              figure.setLong(10, f.units());
            }
          }
          figure.addBatch();
          if (++pending == BATCH_ROWS) {
            figure.executeBatch();
            written += pending;
            pending = 0;
            if (progress != null) {
              progress.figuresWritten(written, total);
            }
          }
        }
      }
      if (pending > 0) {
        figure.executeBatch();
        written += pending;
      }
    }
    return new AddResult(true, runId, run.points().size(), written);
  }

  /**
   * @return every run, oldest first (by start time, then by id)
   */
  public List<StoredRun> runs() throws ReportInputException {
    List<StoredRun> runs = new ArrayList<>();
    try (Statement s = connection().createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT run_id, digest, started_at, git_commit, host_id, source, setting FROM runs"
                    + " ORDER BY started_at, run_id")) {
      while (rs.next()) {
        runs.add(
            new StoredRun(
                rs.getLong(1),
                rs.getString(2),
                Instant.parse(rs.getString(3)),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7)));
      }
    } catch (SQLException e) {
      throw failure("cannot read the runs", e);
    }
    return runs;
  }

  /**
   * @return every host fingerprint with its description
   */
  public Map<String, String> hosts() throws ReportInputException {
    Map<String, String> hosts = new LinkedHashMap<>();
    try (Statement s = connection().createStatement();
        ResultSet rs = s.executeQuery("SELECT host_id, description FROM hosts ORDER BY host_id")) {
      while (rs.next()) {
        hosts.put(rs.getString(1), rs.getString(2));
      }
    } catch (SQLException e) {
      throw failure("cannot read the hosts", e);
    }
    return hosts;
  }

  /** One stored figure row with the point and run it belongs to. */
  public record FigureRow(
      long runId,
      String benchmark,
      String identity,
      String frontierClass,
      String name,
      String unit,
      double value,
      double ciLow,
      double ciHigh,
      long samples,
      String nullReason,
      double ciLevel,
      int units) {

    /**
     * @return the run's own relative standard error of the value ({@link
     *     FigureValue#relativeStandardError}), NaN when it has none
     */
    public double relativeStandardError() {
      return FigureValue.relativeStandardError(name, value, ciLow, ciHigh, ciLevel, units);
    }
  }

  /**
   * @param names the figures to read, e.g. {@code latency_mean_ms}; empty reads every figure
   * @return their rows, by run start time then run id
   */
  public List<FigureRow> figures(Collection<String> names) throws ReportInputException {
    StringBuilder sql =
        new StringBuilder(
            "SELECT r.run_id, p.benchmark, p.identity, p.frontier_class, f.name, f.unit, f.value,"
                + " f.ci_low, f.ci_high, f.samples, f.null_reason, f.ci_level, "
                + (version >= 2 ? "f.units" : "NULL")
                + " FROM figures f"
                + " JOIN points p ON f.point_id = p.point_id JOIN runs r ON p.run_id = r.run_id");
    if (!names.isEmpty()) {
      sql.append(" WHERE f.name IN (").append("?,".repeat(names.size() - 1)).append("?)");
    }
    sql.append(" ORDER BY r.started_at, r.run_id, p.point_id, f.name");
    List<FigureRow> rows = new ArrayList<>();
    try (PreparedStatement s = connection().prepareStatement(sql.toString())) {
      int i = 1;
      for (String name : names) {
        s.setString(i++, name);
      }
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          long samples = rs.getLong(10);
          if (rs.wasNull()) {
            samples = -1;
          }
          rows.add(
              new FigureRow(
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getString(6),
                  getDouble(rs, 7),
                  getDouble(rs, 8),
                  getDouble(rs, 9),
                  samples,
                  rs.getString(11),
                  getDouble(rs, 12),
                  unitsOf(rs.getLong(13), rs.wasNull())));
        }
      }
    } catch (SQLException e) {
      throw failure("cannot read the figures", e);
    }
    return rows;
  }

  private static int unitsOf(long units, boolean wasNull) {
    return wasNull ? -1 : (int) Math.min(Integer.MAX_VALUE, units);
  }

  /**
   * @return row counts of the tables, for checks and tests: {@code runs}, {@code points}, {@code
   *     figures}, {@code hosts}
   */
  public Map<String, Long> counts() throws ReportInputException {
    Map<String, Long> counts = new LinkedHashMap<>();
    try (Statement s = connection().createStatement()) {
      for (String table : List.of("runs", "points", "figures", "hosts")) {
        try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
          rs.next();
          counts.put(table, rs.getLong(1));
        }
      }
    } catch (SQLException e) {
      throw failure("cannot count rows", e);
    }
    return counts;
  }

  @Override
  public void close() {
    Connection c = connection;
    connection = null;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // nothing uncommitted is left: every write is committed or rolled back before it returns
      }
    }
  }

  private void prepareSchema(boolean create, int target) throws ReportInputException {
    Connection c = connection();
    try {
      boolean exists;
      try (ResultSet rs = c.getMetaData().getTables(null, null, "schema_version", null)) {
        exists = rs.next();
      }
      if (!exists && !create) {
        throw new ReportInputException(
            Path.of(url),
            "no history in this database (no schema_version table): add runs first with"
                + " 'history add RUN --db "
                + url
                + "'");
      }
      int found = exists ? schemaVersion() : 0;
      if (found > HistorySchema.VERSION) {
        throw new ReportInputException(
            Path.of(url),
            "schema version "
                + found
                + " is newer than this program knows ("
                + HistorySchema.VERSION
                + "): use a newer paretopipe-reports.jar");
      }
      if (create && found < target) {
        upgrade(c, found, target);
        found = schemaVersion();
      }
      version = found;
    } catch (SQLException e) {
      throw failure("cannot prepare the schema", e);
    }
  }

  /**
   * Creates or upgrades the schema in one transaction; tolerates another process doing the same.
   */
  private void upgrade(Connection c, int from, int to) throws SQLException, ReportInputException {
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      for (String ddl : HistorySchema.upgrade(dialect, from, to)) {
        s.execute(ddl);
      }
      try (PreparedStatement v =
          c.prepareStatement(
              "INSERT INTO schema_version (version, applied_at, writer) VALUES (?, ?, ?)")) {
        v.setInt(1, to);
        v.setString(2, time(Instant.now()));
        v.setString(3, "paretopipe-reports");
        v.executeUpdate();
      }
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      // another process may have created or upgraded it at the same time
      boolean exists;
      try (ResultSet rs = c.getMetaData().getTables(null, null, "schema_version", null)) {
        exists = rs.next();
      }
      c.setAutoCommit(true);
      if (!exists || schemaVersion() < to) {
        throw e;
      }
    } finally {
      c.setAutoCommit(true);
    }
  }

  private Connection connection() {
    if (connection == null) {
      throw new IllegalStateException("history database " + url + " is closed");
    }
    return connection;
  }

  private Long runIdOf(String digest) throws SQLException {
    try (PreparedStatement s =
        connection().prepareStatement("SELECT run_id FROM runs WHERE digest = ?")) {
      s.setString(1, digest);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    }
  }

  private static long generatedId(PreparedStatement s) throws SQLException {
    try (ResultSet keys = s.getGeneratedKeys()) {
      if (!keys.next()) {
        throw new SQLException("the database returned no generated id");
      }
      return keys.getLong(1);
    }
  }

  private static void setDouble(PreparedStatement s, int index, double value) throws SQLException {
    if (Double.isFinite(value)) {
      s.setDouble(index, value);
    } else {
      s.setNull(index, Types.DOUBLE);
    }
  }

  private static double getDouble(ResultSet rs, int index) throws SQLException {
    double v = rs.getDouble(index);
    return rs.wasNull() ? Double.NaN : v;
  }

  static String time(Instant instant) {
    return TIME.format(instant);
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value + " as JSON", e);
    }
  }

  private ReportInputException failure(String what, SQLException e) {
    return new ReportInputException(Path.of(url), what + ": " + e.getMessage(), e);
  }

  private static void load(String driver) {
    try {
      Class.forName(driver);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("JDBC driver " + driver + " is missing from the jar", e);
    }
  }

  /**
   * @param url a JDBC URL
   * @return it with the value of any {@code password} parameter and any {@code user:password@}
   *     password replaced by {@code ***}
   */
  static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***")
        .replaceAll("(//[^/:@]+:)[^@/]*@", "$1***@");
  }
}
