package io.paretopipe.reports.history;

/** The history contract on the embedded SQLite file (the default database). */
class SqliteHistoryTest extends HistoryDatabaseContractTest {
  @Override
  String newDatabase() {
    return "jdbc:sqlite:" + tmp.resolve("sub").resolve("history.db");
  }
}
