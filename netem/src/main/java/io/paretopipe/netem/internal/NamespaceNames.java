package io.paretopipe.netem.internal;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of the network namespaces this module creates: {@code pp-<ownerPid>-<counter>-<role>}, e.g.
 * {@code pp-4711-0-tail}. The owner pid in the name lets {@code netem clear} remove namespaces
 * whose owner died.
 */
public final class NamespaceNames {

  /** Every namespace this module creates starts with this. */
  public static final String PREFIX = "pp-";

  private static final Pattern NAME = Pattern.compile("pp-(\\d+)-(\\d+)-[a-z0-9]+");
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private NamespaceNames() {}

  /** A fresh name owned by this JVM. */
  public static String next(String role) {
    return PREFIX + ProcessHandle.current().pid() + "-" + COUNTER.getAndIncrement() + "-" + role;
  }

  /** The next value of the per-JVM counter shared by all names (also used for interface names). */
  public static int nextCounter() {
    return COUNTER.getAndIncrement();
  }

  /** The owner pid encoded in a name this module made, or empty for any other name. */
  public static OptionalLong ownerPid(String namespaceName) {
    Matcher matcher = NAME.matcher(namespaceName);
    if (!matcher.matches()) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(matcher.group(1)));
  }
}
