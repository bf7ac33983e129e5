package io.paretopipe.netem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NetemToolTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return NetemTool.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void helpListsTheCommandsAndTheSpecGrammar() {
    assertEquals(0, run("--help"));
    String help = out.toString(StandardCharsets.UTF_8);
    for (String expected :
        new String[] {
          "probe",
          "apply IFACE SPEC [--netns NS] [--port P]",
          "show [IFACE]",
          "clear",
          "pi-link",
          "delay:20ms",
          "loss:1%",
          "user-space link"
        }) {
      assertTrue(help.contains(expected), expected + " missing from:\n" + help);
    }
  }

  @Test
  void profilesListsTheBuiltInProfilesWithTheirQuotas() {
    assertEquals(0, run("profiles"));
    String text = out.toString(StandardCharsets.UTF_8);
    assertTrue(text.matches("(?s).*\\bpi4\\s+0\\s+1\\s+25% of one CPU\\n.*"), text);
    assertTrue(text.matches("(?s).*\\bserver\\s+0-1\\s+2\\s+none\\n.*"), text);
    assertEquals(2, run("profiles", "extra"));
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("profiles takes no arguments, got [extra]"));
  }

  @Test
  void usageErrorsExitWith2AndSayWhatIsWrong() {
    assertEquals(2, run());
    assertTrue(
        err.toString(StandardCharsets.UTF_8)
            .contains("no command given; valid commands are probe, apply, show, clear"));
    assertEquals(2, run("frobnicate"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown command 'frobnicate'"));
    assertEquals(2, run("apply", "veth0"));
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("apply needs IFACE and SPEC, got [veth0]"));
    assertEquals(2, run("apply", "veth0", "rate:1mbit", "--port", "99999"));
    assertTrue(
        err.toString(StandardCharsets.UTF_8)
            .contains("--port 99999 is out of range (expected: 1..65535)"));
    assertEquals(2, run("apply", "veth0", "delay:1xs"));
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("token 'delay:1xs' has unknown unit 'xs'"));
    assertEquals(2, run("show", "--bogus"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option '--bogus'"));
    assertEquals(2, run("clear", "--netns"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("option --netns needs a value"));
  }
}
