package io.paretopipe.harness.auth;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret a head and its stages share, from which every proof is computed ({@link
 * Authenticator}). Where it comes from, in order of precedence:
 *
 * <ol>
 *   <li>the command-line option {@value #OPTION} FILE;
 *   <li>the environment variable {@value #ENV_SECRET_FILE} naming a file;
 *   <li>the environment variable {@value #ENV_SECRET} holding the secret itself.
 * </ol>
 *
 * There is deliberately no option taking the secret itself: command lines are visible to every user
 * of the machine ({@code ps}). Setting both environment variables is an error, not a precedence
 * rule, since one of them is then surely stale.
 *
 * <p><b>Rules.</b> A secret is {@value #MIN_BYTES}..{@value #MAX_BYTES} bytes (the bytes of the
 * file, or the UTF-8 bytes of the variable); trailing line breaks ({@code \n}, {@code \r}) are not
 * part of it, so {@code openssl rand -hex 32 > FILE} (64 bytes plus a newline) works as is; every
 * other byte, spaces included, is. A secret file must be a regular file that only its owner can
 * read or write (mode {@code 0600} or {@code 0400}): a file readable or writable by group or others
 * is <em>refused</em>, as OpenSSH refuses such private keys, because anyone on the machine who can
 * read it can use the stage and anyone who can write it can lock the owner out. On file systems
 * without POSIX permissions the check is skipped.
 *
 * <p>Immutable and thread-safe. The secret bytes never leave this package: {@link #toString()} and
 * {@link #fingerprint()} are safe to log.
 */
public final class SharedSecret {
  /**
   * Fewest secret bytes accepted: 32, i.e. 128 bits even if they are hex digits ({@code openssl
   * rand -hex 32} gives 64 hex digits, 256 bits).
   */
  public static final int MIN_BYTES = 32;

  /**
   * Most secret bytes accepted (and most bytes read from a secret file, besides trailing line
   * breaks).
   */
  public static final int MAX_BYTES = 4096;

  /** The command-line option naming a secret file. */
  public static final String OPTION = "--secret-file";

  /** The environment variable naming a secret file. */
  public static final String ENV_SECRET_FILE = "PARETOPIPE_SECRET_FILE";

  /** The environment variable holding the secret itself. */
  public static final String ENV_SECRET = "PARETOPIPE_SECRET";

  /** How to make a good secret file, quoted in error messages. */
  static final String HOW_TO_CREATE = "create one with: (umask 077; openssl rand -hex 32 > FILE)";

  private static final Set<PosixFilePermission> OTHERS =
      Set.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE);

  private final byte[] key;
  private final String source;
  private final String fingerprint;

  private SharedSecret(byte[] key, String source) {
    this.key = key;
    this.source = source;
    this.fingerprint = computeFingerprint(key);
  }

  /**
   * A secret given directly, e.g. by a test or a tool; {@code source} names where it came from in
   * messages.
   *
   * @throws SecretException if it is shorter than {@value #MIN_BYTES} or longer than {@value
   *     #MAX_BYTES} bytes
   */
  public static SharedSecret of(byte[] secret, String source) throws SecretException {
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(source, "source");
    return new SharedSecret(
        checkLength(
            secret.clone(), source, "set a secret of " + MIN_BYTES + ".." + MAX_BYTES + " bytes"),
        source);
  }

  /**
   * The secret in {@code file}, checked as the class comment says.
   *
   * @throws SecretException naming the file and what is wrong with it
   */
  public static SharedSecret fromFile(Path file) throws SecretException {
    Objects.requireNonNull(file, "file");
    String name = "secret file " + file;
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new SecretException(
          name + " does not exist: " + HOW_TO_CREATE.replace("FILE", file.toString()), e);
    } catch (IOException e) {
      throw new SecretException("cannot read " + name + ": " + e, e);
    }
    if (!attributes.isRegularFile()) {
      throw new SecretException(
          name
              + " is not a regular file (it is a "
              + (attributes.isDirectory() ? "directory" : "special file")
              + "): name a file holding the secret");
    }
    PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (posix != null) {
      Set<PosixFilePermission> permissions;
      try {
        permissions = posix.readAttributes().permissions();
      } catch (IOException e) {
        throw new SecretException("cannot read the permissions of " + name + ": " + e, e);
      }
      checkOwner(file, name);
      if (permissions.stream().anyMatch(OTHERS::contains)) {
        throw new SecretException(
            name
                + " is accessible by other users ("
                + PosixFilePermissions.toString(permissions)
                + "): anyone who can read it can use the stage; run: chmod 600 "
                + file);
      }
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 3);
    } catch (AccessDeniedException e) {
      throw new SecretException("cannot read " + name + ": permission denied for this user", e);
    } catch (IOException e) {
      throw new SecretException("cannot read " + name + ": " + e, e);
    }
    byte[] secret = stripLineBreaks(bytes);
    if (bytes.length > MAX_BYTES + 2 || secret.length > MAX_BYTES) {
      throw new SecretException(
          name
              + " holds more than "
              + MAX_BYTES
              + " bytes: is it the right file? "
              + "A secret is "
              + MIN_BYTES
              + ".."
              + MAX_BYTES
              + " bytes");
    }
    return new SharedSecret(
        checkLength(secret, name, HOW_TO_CREATE.replace("FILE", file.toString())), name);
  }

  /**
   * Refuses a secret file owned by another user than the one running this process, as OpenSSH
   * refuses such keys: its owner can read and replace the secret whatever the mode says. Only where
   * the file system reports numeric owners ({@code unix:uid}); elsewhere nothing is checked.
   */
  private static void checkOwner(Path file, String name) throws SecretException {
    int owner;
    try {
      owner = (Integer) Files.getAttribute(file, "unix:uid");
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return; // no numeric owners on this file system
    } catch (IOException e) {
      throw new SecretException("cannot read the owner of " + name + ": " + e, e);
    }
    long self = new com.sun.security.auth.module.UnixSystem().getUid();
    if (owner != self) {
      throw new SecretException(
          name
              + " is owned by uid "
              + owner
              + ", not by uid "
              + self
              + " who runs this: its owner can read and replace the secret; a secret file must"
              + " belong to the user that uses it (mode 0600); copy it, or run: chown "
              + self
              + " "
              + file);
    }
  }

  /**
   * The secret held by the environment variable {@value #ENV_SECRET}, as UTF-8.
   *
   * @throws SecretException if it is empty, too short or too long
   */
  public static SharedSecret fromEnvironmentValue(String value) throws SecretException {
    Objects.requireNonNull(value, "value");
    String name = "environment variable " + ENV_SECRET;
    return new SharedSecret(
        checkLength(
            stripLineBreaks(value.getBytes(StandardCharsets.UTF_8)),
            name,
            "e.g. export " + ENV_SECRET + "=$(openssl rand -hex 32), the same on every device"),
        name);
  }

  /**
   * The secret configured by {@code secretFileOption} (the value of {@value #OPTION}, or null if
   * not given) and the environment, in the order of precedence of the class comment; empty if none
   * is configured (the caller then decides with {@link BindPolicy} whether that is allowed).
   *
   * @param environment e.g. {@code System.getenv()}
   * @throws SecretException if the configured secret is unusable, or both environment variables are
   *     set
   */
  public static Optional<SharedSecret> resolve(
      Path secretFileOption, Map<String, String> environment) throws SecretException {
    Objects.requireNonNull(environment, "environment");
    if (secretFileOption != null) {
      return Optional.of(fromFile(secretFileOption));
    }
    String file = environment.get(ENV_SECRET_FILE);
    String value = environment.get(ENV_SECRET);
    if (file != null && value != null) {
      throw new SecretException(
          "both "
              + ENV_SECRET_FILE
              + " and "
              + ENV_SECRET
              + " are set: set only one "
              + "(or pass "
              + OPTION
              + " FILE, which takes precedence over both)");
    }
    if (file != null) {
      if (file.isEmpty()) {
        throw new SecretException(
            "environment variable "
                + ENV_SECRET_FILE
                + " is set but empty: name the secret "
                + "file, or unset it to run without a secret");
      }
      return Optional.of(fromFile(Path.of(file)));
    }
    if (value != null) {
      return Optional.of(fromEnvironmentValue(value));
    }
    return Optional.empty();
  }

  /**
   * Writes the secret to {@code file}, which must not exist yet, created readable and writable by
   * its owner only (mode 0600 from the start, never wider), so that a child process can read it
   * with {@value #OPTION}. The caller owns the file and deletes it once the child has read it.
   *
   * @throws IOException if the file exists or cannot be written (a partly written file is deleted),
   *     or the secret ends with a line break (only possible for {@link #of}), which reading strips
   */
  public void writeTo(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    if (key[key.length - 1] == '\n' || key[key.length - 1] == '\r') {
      throw new IOException(
          "the secret from "
              + source
              + " ends with a line break, which a secret file cannot"
              + " hold (reading strips it)");
    }
    java.nio.file.attribute.FileAttribute<Set<PosixFilePermission>> ownerOnly =
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    boolean posix =
        file.toAbsolutePath().getFileSystem().supportedFileAttributeViews().contains("posix");
    if (posix) {
      Files.createFile(file, ownerOnly);
    } else {
      Files.createFile(file);
    }
    try {
      Files.write(file, key, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
  }

  /** Where the secret came from, e.g. "secret file /etc/paretopipe/secret"; safe to log. */
  public String source() {
    return source;
  }

  /**
   * A short public tag of the secret, e.g. "hmac:3f9a0c41d2e87b65": equal on two machines exactly
   * when they hold the same secret, and useless for recovering it (the first 8 bytes of
   * HMAC-SHA256(secret, "paretopipe-v1 fingerprint")). Print it on both sides to check a setup.
   */
  public String fingerprint() {
    return fingerprint;
  }

  /** The secret bytes; never handed outside this package. */
  byte[] key() {
    return key;
  }

  @Override
  public String toString() {
    return "SharedSecret[" + source + ", " + fingerprint + "]";
  }

  private static byte[] checkLength(byte[] secret, String name, String fix) throws SecretException {
    if (secret.length == 0) {
      throw new SecretException(
          name + " is empty: a secret is " + MIN_BYTES + ".." + MAX_BYTES + " bytes; " + fix);
    }
    if (secret.length < MIN_BYTES) {
      throw new SecretException(
          name
              + " holds "
              + secret.length
              + " bytes: a secret needs at least "
              + MIN_BYTES
              + "; "
              + fix);
    }
    if (secret.length > MAX_BYTES) {
      throw new SecretException(
          name + " holds " + secret.length + " bytes: a secret is at most " + MAX_BYTES + " bytes");
    }
    return secret;
  }

  private static byte[] stripLineBreaks(byte[] bytes) {
    int end = bytes.length;
    while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
      end--;
    }
    return Arrays.copyOf(bytes, end);
  }

  private static String computeFingerprint(byte[] key) {
    try {
      Mac mac = Mac.getInstance(Authenticator.HMAC);
      mac.init(new SecretKeySpec(key, Authenticator.HMAC));
      byte[] tag = mac.doFinal("paretopipe-v1 fingerprint".getBytes(StandardCharsets.US_ASCII));
      return "hmac:" + HexFormat.of().formatHex(tag, 0, 8);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("this JVM cannot compute " + Authenticator.HMAC, e);
    }
  }
}
