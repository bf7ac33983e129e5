package io.paretopipe.reports.history;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;

/**
 * The history contract on a real PostgreSQL server: the one named by {@code
 * PARETOPIPE_TEST_POSTGRES_URL} (a superuser's JDBC URL; {@code .ci/postgres start} starts a
 * throwaway cluster of Debian's {@code postgresql} package and prints it; {@code .ci/run} does
 * that). Each test gets a database of its own, dropped afterwards. Skipped without the variable.
 */
class PostgresHistoryTest extends HistoryDatabaseContractTest {
  static final String ENV = "PARETOPIPE_TEST_POSTGRES_URL";

  private String admin;
  private String name;

  @Override
  String newDatabase() throws Exception {
    admin = System.getenv(ENV);
    assumeTrue(
        admin != null && !admin.isBlank(),
        "no PostgreSQL for the history tests: install Debian's postgresql package and run"
            + " 'export "
            + ENV
            + "=$(.ci/postgres start)' (.ci/run does)");
    name = "history_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = DriverManager.getConnection(admin);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    int query = admin.indexOf('?');
    String base = query < 0 ? admin : admin.substring(0, query);
    String params = query < 0 ? "" : admin.substring(query);
    return base.substring(0, base.lastIndexOf('/') + 1) + name + params;
  }

  @Override
  void dropDatabase() throws Exception {
    if (name == null) {
      return;
    }
    try (Connection c = DriverManager.getConnection(admin);
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }
}
