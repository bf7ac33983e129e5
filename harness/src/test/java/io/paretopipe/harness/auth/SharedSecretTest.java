package io.paretopipe.harness.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the secret comes from, and every way a secret is refused, each with a message naming its
 * source.
 */
class SharedSecretTest {
  private static final String HEX64 =
      "3f9a0c41d2e87b65a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718";

  @TempDir Path dir;

  private Path secretFile(String name, String content, String mode) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, content, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  @Test
  void aPrivateFileIsReadWithoutItsTrailingNewline() throws Exception {
    Path f = secretFile("secret", HEX64 + "\r\n", "rw-------");
    SharedSecret s = SharedSecret.fromFile(f);
    assertEquals("secret file " + f, s.source());
    assertEquals(HEX64, new String(s.key(), StandardCharsets.UTF_8));
    assertEquals(
        SharedSecret.of(HEX64.getBytes(StandardCharsets.UTF_8), "test").fingerprint(),
        s.fingerprint());
    assertTrue(s.fingerprint().matches("hmac:[0-9a-f]{16}"), s.fingerprint());
    assertFalse(
        s.toString().contains(HEX64.substring(0, 8)), "toString must not show the secret: " + s);
    assertTrue(
        SharedSecret.fromFile(secretFile("read-only", HEX64, "r--------"))
            .source()
            .endsWith("read-only"));
  }

  @Test
  void spacesInsideAreKeptAndDifferentSecretsHaveDifferentFingerprints() throws Exception {
    SharedSecret a = SharedSecret.fromFile(secretFile("a", HEX64 + " \n", "rw-------"));
    SharedSecret b = SharedSecret.fromFile(secretFile("b", HEX64 + "\n", "rw-------"));
    assertEquals(HEX64.length() + 1, a.key().length);
    assertNotEquals(a.fingerprint(), b.fingerprint());
  }

  @Test
  void aMissingFileIsNamedWithHowToCreateOne() {
    Path f = dir.resolve("nope");
    SecretException e = assertThrows(SecretException.class, () -> SharedSecret.fromFile(f));
    assertEquals(
        "secret file "
            + f
            + " does not exist: create one with: (umask 077; openssl rand -hex 32 > "
            + f
            + ")",
        e.getMessage());
  }

  @Test
  void anEmptyShortOrHugeFileIsRefused() throws Exception {
    Path empty = secretFile("empty", "\n", "rw-------");
    assertEquals(
        "secret file "
            + empty
            + " is empty: a secret is 32..4096 bytes; create one with: (umask 077; "
            + "openssl rand -hex 32 > "
            + empty
            + ")",
        assertThrows(SecretException.class, () -> SharedSecret.fromFile(empty)).getMessage());
    Path shortOne = secretFile("short", "hunter2hunter2\n", "rw-------");
    assertEquals(
        "secret file "
            + shortOne
            + " holds 14 bytes: a secret needs at least 32; create one with: "
            + "(umask 077; openssl rand -hex 32 > "
            + shortOne
            + ")",
        assertThrows(SecretException.class, () -> SharedSecret.fromFile(shortOne)).getMessage());
    Path huge = secretFile("huge", "x".repeat(5000), "rw-------");
    assertEquals(
        "secret file "
            + huge
            + " holds more than 4096 bytes: is it the right file? A secret is 32..4096 "
            + "bytes",
        assertThrows(SecretException.class, () -> SharedSecret.fromFile(huge)).getMessage());
    assertEquals(
        4096,
        SharedSecret.fromFile(secretFile("max", "y".repeat(4096) + "\n", "rw-------"))
            .key()
            .length);
  }

  @Test
  void aFileOthersCanReadOrWriteIsRefused() throws Exception {
    Path f = secretFile("shared", HEX64, "rw-r--r--");
    assertEquals(
        "secret file "
            + f
            + " is accessible by other users (rw-r--r--): anyone who can read it can use "
            + "the stage; run: chmod 600 "
            + f,
        assertThrows(SecretException.class, () -> SharedSecret.fromFile(f)).getMessage());
    Path groupWritable = secretFile("gw", HEX64, "rw--w----");
    assertTrue(
        assertThrows(SecretException.class, () -> SharedSecret.fromFile(groupWritable))
            .getMessage()
            .contains("(rw--w----)"));
  }

  @Test
  void aDirectoryIsNotASecretFile() {
    SecretException e = assertThrows(SecretException.class, () -> SharedSecret.fromFile(dir));
    assertEquals(
        "secret file "
            + dir
            + " is not a regular file (it is a directory): name a file holding the "
            + "secret",
        e.getMessage());
  }

  @Test
  void theEnvironmentVariableIsCheckedToo() throws Exception {
    assertEquals(
        "environment variable PARETOPIPE_SECRET",
        SharedSecret.fromEnvironmentValue(HEX64).source());
    assertEquals(
        "environment variable PARETOPIPE_SECRET holds 5 bytes: a secret needs at least 32; e.g. export "
            + "PARETOPIPE_SECRET=$(openssl rand -hex 32), the same on every device",
        assertThrows(SecretException.class, () -> SharedSecret.fromEnvironmentValue("short"))
            .getMessage());
    assertTrue(
        assertThrows(SecretException.class, () -> SharedSecret.fromEnvironmentValue(""))
            .getMessage()
            .startsWith("environment variable PARETOPIPE_SECRET is empty"));
    assertEquals(
        32,
        SharedSecret.fromEnvironmentValue("\u00e9".repeat(16)).key().length,
        "UTF-8 bytes count");
  }

  @Test
  void resolveFollowsThePrecedenceAndRefusesAmbiguity() throws Exception {
    Path option = secretFile("option", HEX64, "rw-------");
    Path fromEnv = secretFile("env", HEX64.toUpperCase(), "rw-------");
    String inline = "z".repeat(40);
    Map<String, String> both =
        Map.of(SharedSecret.ENV_SECRET_FILE, fromEnv.toString(), SharedSecret.ENV_SECRET, inline);
    assertEquals(
        "secret file " + option, SharedSecret.resolve(option, both).orElseThrow().source());
    assertEquals(
        "both PARETOPIPE_SECRET_FILE and PARETOPIPE_SECRET are set: set only one (or pass --secret-file "
            + "FILE, which takes precedence over both)",
        assertThrows(SecretException.class, () -> SharedSecret.resolve(null, both)).getMessage());
    assertEquals(
        "secret file " + fromEnv,
        SharedSecret.resolve(null, Map.of(SharedSecret.ENV_SECRET_FILE, fromEnv.toString()))
            .orElseThrow()
            .source());
    assertEquals(
        "environment variable PARETOPIPE_SECRET",
        SharedSecret.resolve(null, Map.of(SharedSecret.ENV_SECRET, inline)).orElseThrow().source());
    assertEquals(Optional.empty(), SharedSecret.resolve(null, Map.of("HOME", "/root")));
    assertTrue(
        assertThrows(
                SecretException.class,
                () -> SharedSecret.resolve(null, Map.of(SharedSecret.ENV_SECRET_FILE, "")))
            .getMessage()
            .startsWith("environment variable PARETOPIPE_SECRET_FILE is set but empty"));
    Path missing = dir.resolve("missing");
    assertTrue(
        assertThrows(
                SecretException.class,
                () ->
                    SharedSecret.resolve(
                        null, Map.of(SharedSecret.ENV_SECRET_FILE, missing.toString())))
            .getMessage()
            .startsWith("secret file " + missing + " does not exist"));
  }

  @Test
  void aSecretGivenDirectlyIsCopiedAndChecked() throws Exception {
    byte[] raw = HEX64.getBytes(StandardCharsets.UTF_8);
    SharedSecret s = SharedSecret.of(raw, "test");
    raw[0] = 'X';
    assertEquals('3', s.key()[0], "the secret must not share the caller's array");
    assertEquals(
        "test holds 3 bytes: a secret needs at least 32; set a secret of 32..4096 bytes",
        assertThrows(SecretException.class, () -> SharedSecret.of(new byte[3], "test"))
            .getMessage());
  }

  @Test
  void aPrivateFileOwnedByAnotherUserIsRefusedNamingBothOwners() throws Exception {
    Path f = secretFile("foreign", HEX64 + "\n", "rw-------");
    long self = new com.sun.security.auth.module.UnixSystem().getUid();
    int other = self == 65534 ? 65533 : 65534;
    try {
      Files.setAttribute(f, "unix:uid", other);
    } catch (IOException | UnsupportedOperationException e) {
      org.junit.jupiter.api.Assumptions.abort(
          "cannot give a file to another user here (needs root or CAP_CHOWN): " + e);
    }
    SecretException e = assertThrows(SecretException.class, () -> SharedSecret.fromFile(f));
    assertEquals(
        "secret file "
            + f
            + " is owned by uid "
            + other
            + ", not by uid "
            + self
            + " who runs this: its owner can read and replace the secret; a secret file must"
            + " belong to the user that uses it (mode 0600); copy it, or run: chown "
            + self
            + " "
            + f,
        e.getMessage());
  }
}
