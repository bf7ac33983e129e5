package io.paretopipe.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code serve --listen} on an address it cannot bind: the error names the address, why, and what
 * is valid (it used to print "error: null").
 */
class ServeListenTest {

  /**
   * A JVM without IPv6: {@code -Djava.net.preferIPv4Stack=true} is the state the JDK runs in on a
   * host whose kernel has no IPv6 (every socket is IPv4), so binding {@code [::1]} fails the same
   * way.
   */
  @Test
  void anIpv6AddressWithoutIpv6SaysSoAndNamesTheValidAddresses() throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.net.preferIPv4Stack=true",
                "-cp",
                System.getProperty("java.class.path"),
                ParetoPipeCli.class.getName(),
                "serve",
                "--listen",
                "[::1]:7711")
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    p.getOutputStream().close();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "serve did not exit");
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(2, p.exitValue(), err);
    String line = err.lines().filter(l -> l.startsWith("error: ")).findFirst().orElse(err);
    assertTrue(
        line.startsWith(
            "error: --listen [::1]:7711: IPv6 is not available on this host (this JVM runs with"
                + " -Djava.net.preferIPv4Stack=true); valid: an IPv4 address of this host, e.g."
                + " 127.0.0.1:7711 (this host's addresses "),
        line);
    assertTrue(line.contains("127.0.0.1"), line);
    assertFalse(line.contains("[::1]:7711 (") || line.contains("[::]"), line);
    assertFalse(line.contains("null"), line);
  }

  @Test
  void anAddressThisHostDoesNotHaveGivesTheOsMessageForBothTransports() {
    for (String transport : List.of("nio", "grpc")) {
      // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this host
      CliTest.Result r =
          CliTest.run(
              "serve", "--transport", transport, "--listen", "192.0.2.1:7711", "--insecure");
      assertEquals(1, r.exit(), r.err());
      String line = r.err().lines().filter(l -> l.startsWith("error: ")).findFirst().orElse("");
      assertTrue(line.startsWith("error: cannot listen on 192.0.2.1:7711: "), r.err());
      assertTrue(line.contains("Cannot assign requested address"), line);
      assertTrue(line.contains("; valid: this host's addresses "), line);
      assertTrue(line.contains("127.0.0.1"), line);
    }
  }
}
