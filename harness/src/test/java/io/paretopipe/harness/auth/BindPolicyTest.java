package io.paretopipe.harness.auth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Without a secret a stage listens on loopback only, unless --insecure; the refusal says how to fix
 * it.
 */
class BindPolicyTest {
  private static InetAddress address(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void loopbackIsAlwaysAllowed() throws Exception {
    for (String a : new String[] {"127.0.0.1", "127.8.9.10", "::1"}) {
      assertDoesNotThrow(() -> BindPolicy.check(address(a), false, false), a);
      assertEquals(Optional.empty(), BindPolicy.warning(address(a), false, true), a);
    }
  }

  @Test
  void anyOtherAddressNeedsASecretOrInsecure() throws Exception {
    IllegalArgumentException all =
        assertThrows(
            IllegalArgumentException.class,
            () -> BindPolicy.check(address("0.0.0.0"), false, false));
    assertEquals(
        "refusing to listen on all interfaces (0.0.0.0) without a shared secret: anyone who can reach it "
            + "could run models on this machine. Either set a secret on this stage and its heads (--secret-file FILE, "
            + "or the environment variable PARETOPIPE_SECRET_FILE or PARETOPIPE_SECRET; create one with: (umask 077; "
            + "openssl rand -hex 32 > FILE)), or listen on loopback only (--listen 127.0.0.1:PORT), or pass --insecure "
            + "if every host on this network is trusted",
        all.getMessage());
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> BindPolicy.check(address("10.0.0.5"), false, false))
            .getMessage()
            .startsWith("refusing to listen on 10.0.0.5 without a shared secret"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> BindPolicy.check(address("::"), false, false))
            .getMessage()
            .startsWith("refusing to listen on all interfaces (0:0:0:0:0:0:0:0)"));
    assertDoesNotThrow(() -> BindPolicy.check(address("0.0.0.0"), true, false));
    assertEquals(Optional.empty(), BindPolicy.warning(address("0.0.0.0"), true, false));
  }

  @Test
  void insecureIsAllowedWithAWarning() throws Exception {
    assertDoesNotThrow(() -> BindPolicy.check(address("10.0.0.5"), false, true));
    assertEquals(
        Optional.of(
            "warning: --insecure: listening on 10.0.0.5 without authentication; anyone who can "
                + "reach it can run models on this machine and read every tensor"),
        BindPolicy.warning(address("10.0.0.5"), false, true));
    assertEquals(Optional.empty(), BindPolicy.warning(address("10.0.0.5"), false, false));
  }
}
