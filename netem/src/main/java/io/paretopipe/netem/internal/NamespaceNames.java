package io.paretopipe.netem.internal;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of the network namespaces this module creates: {@code
 * pp-<ownerPid>-t<ownerStartTicks>-<counter>-<role>}, e.g. {@code pp-4711-t983412-0-tail}. The
 * owner in the name ({@link OwnerProcess#nameTag()}) lets {@code netem clear} and every new {@code
 * NamespacePair} remove namespaces whose owner died or whose pid now belongs to another process.
 * Old names without the start time ({@code pp-4711-0-tail}) are still recognised (pid only).
 */
public final class NamespaceNames {

  /** Every namespace this module creates starts with this. */
  public static final String PREFIX = "pp-";

  private static final Pattern NAME =
      Pattern.compile("pp-" + OwnerProcess.NAME_TAG_REGEX + "-(\\d+)-[a-z0-9]+");
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private NamespaceNames() {}

  /** A fresh name owned by this JVM. */
  public static String next(String role) {
    return PREFIX + OwnerProcess.current().nameTag() + "-" + COUNTER.getAndIncrement() + "-" + role;
  }

  /** The next value of the per-JVM counter shared by all names (also used for interface names). */
  public static int nextCounter() {
    return COUNTER.getAndIncrement();
  }

  /**
   * The owner encoded in a name this module made (start time {@code -1} for an old pid-only name),
   * or empty for any other name.
   */
  public static Optional<OwnerProcess> owner(String namespaceName) {
    Matcher matcher = NAME.matcher(namespaceName);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    return Optional.of(OwnerProcess.fromNameTag(matcher.group(1), matcher.group(2)));
  }
}
