/**
 * The nightly results database and what is computed over it (issue 19): {@link
 * io.paretopipe.reports.history.RunImporter} reads a run folder or JMH JSON file into a {@link
 * io.paretopipe.reports.history.RunRecord} (every point's figures with interval and sample count,
 * its frontier class, the run's time, commit and {@link
 * io.paretopipe.reports.history.HostFingerprint}); {@link
 * io.paretopipe.reports.history.HistoryDatabase} stores it over JDBC (SQLite or PostgreSQL, schema
 * in {@link io.paretopipe.reports.history.HistorySchema}) in one transaction, keyed by a content
 * digest; {@link io.paretopipe.reports.history.ChangePointDetector} finds change points in one
 * series (E-divisive means with a Student t test, after Apache Otava); {@link
 * io.paretopipe.reports.history.HistoryCheck} turns them, per series and host fingerprint, into
 * regressions, improvements and frontier changes; {@link
 * io.paretopipe.reports.history.HistoryReport} writes the trend pages. Reads files and a database
 * only: no model, no socket besides the database connection.
 */
package io.paretopipe.reports.history;
