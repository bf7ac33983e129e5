package io.paretopipe.reports.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.paretopipe.reports.fixtures.CliRunner;
import io.paretopipe.reports.fixtures.CliRunner.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every command's help renders as written: picocli formats descriptions with {@code String.format},
 * so an unescaped {@code %} makes it print a warning on the JVM's stderr and the raw text (e.g.
 * {@code 3%%}) instead.
 */
class HelpTextTest {
  @ParameterizedTest(name = "{0} --help")
  @ValueSource(
      strings = {
        "pareto",
        "compare",
        "predict",
        "history",
        "history add",
        "history check",
        "history report",
        "server",
        "ratio"
      })
  void helpRendersWithoutFormatWarnings(String command) {
    PrintStream stderr = System.err;
    ByteArrayOutputStream picocliWarnings = new ByteArrayOutputStream();
    Outcome o;
    try {
      System.setErr(new PrintStream(picocliWarnings, true, StandardCharsets.UTF_8));
      o = CliRunner.run((command + " --help").split(" "));
    } finally {
      System.setErr(stderr);
    }
    assertEquals(ExitCodes.OK, o.code(), o.err());
    assertEquals("", o.err());
    assertEquals("", picocliWarnings.toString(StandardCharsets.UTF_8));
    assertFalse(o.out().contains("%%"), o.out());
  }
}
