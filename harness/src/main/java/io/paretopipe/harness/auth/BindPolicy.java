package io.paretopipe.harness.auth;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a stage server may listen. A stage runs model code for whoever connects, so without a
 * shared secret it may listen only on a loopback address (reachable from this machine alone),
 * unless the user says {@code --insecure}: they run it on a network they trust.
 *
 * <table>
 *   <caption>What is allowed</caption>
 *   <tr><th>listen on</th><th>secret</th><th>--insecure</th><th>result</th></tr>
 *   <tr><td>loopback (127.0.0.0/8, ::1)</td><td>any</td><td>any</td><td>allowed</td></tr>
 *   <tr><td>any other address, or all (0.0.0.0, ::)</td><td>yes</td><td>any</td><td>allowed</td></tr>
 *   <tr><td>any other address, or all</td><td>no</td><td>no</td><td>refused: {@link #check} throws</td></tr>
 *   <tr><td>any other address, or all</td><td>no</td><td>yes</td><td>allowed with a {@link #warning}</td></tr>
 * </table>
 *
 * Stateless.
 */
public final class BindPolicy {
  private BindPolicy() {}

  /**
   * Refuses a listening address the table above forbids.
   *
   * @param bind the address the server would listen on (resolved)
   * @param hasSecret whether a shared secret is configured
   * @param insecure whether the user passed {@code --insecure}
   * @throws IllegalArgumentException naming the address and the three ways to fix it
   */
  public static void check(InetAddress bind, boolean hasSecret, boolean insecure) {
    if (!needsInsecure(bind, hasSecret) || insecure) {
      return;
    }
    throw new IllegalArgumentException(
        "refusing to listen on "
            + describe(bind)
            + " without a shared secret: "
            + "anyone who can reach it could run models on this machine. Either set a secret on this stage and its "
            + "heads ("
            + SharedSecret.OPTION
            + " FILE, or the environment variable "
            + SharedSecret.ENV_SECRET_FILE
            + " or "
            + SharedSecret.ENV_SECRET
            + "; "
            + SharedSecret.HOW_TO_CREATE
            + "), or listen on loopback only "
            + "(--listen 127.0.0.1:PORT), or pass --insecure if every host on this network is trusted");
  }

  /**
   * Whether listening on {@code bind} needs {@code --insecure}: a non-loopback address without a
   * secret.
   */
  public static boolean needsInsecure(InetAddress bind, boolean hasSecret) {
    Objects.requireNonNull(bind, "bind");
    return !bind.isLoopbackAddress() && !hasSecret;
  }

  /**
   * The warning to print when {@link #check} allows an address only because of {@code --insecure};
   * empty otherwise.
   */
  public static Optional<String> warning(InetAddress bind, boolean hasSecret, boolean insecure) {
    if (!needsInsecure(bind, hasSecret) || !insecure) {
      return Optional.empty();
    }
    return Optional.of(
        "warning: --insecure: listening on "
            + describe(bind)
            + " without authentication; "
            + "anyone who can reach it can run models on this machine and read every tensor");
  }

  private static String describe(InetAddress bind) {
    return bind.isAnyLocalAddress()
        ? "all interfaces (" + bind.getHostAddress() + ")"
        : bind.getHostAddress();
  }
}
