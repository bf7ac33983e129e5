package io.paretopipe.reports.model;

import java.util.Comparator;
import java.util.Objects;

/**
 * What a frontier is computed over: points of one model over one transport and link at one batch
 * size. Params that are neither part of this key nor the split/depth (e.g. {@code headThreads=2})
 * form the {@code variant}, so that a sweep over them never merges different configurations.
 *
 * @param model the model name, e.g. {@code mobilenetv2}
 * @param transport {@code nio}, {@code grpc} or {@code local}
 * @param link {@code none}, a preset name, or a link spec like {@code delay:20ms+rate:50mbit}
 * @param batch images per request, positive
 * @param variant the other params as {@code k=v;k=v} sorted by key, or {@code ""}
 */
public record GroupKey(String model, String transport, String link, int batch, String variant)
    implements Comparable<GroupKey> {

  private static final Comparator<GroupKey> ORDER =
      Comparator.comparing(GroupKey::model)
          .thenComparing(GroupKey::transport)
          .thenComparing(GroupKey::link)
          .thenComparingInt(GroupKey::batch)
          .thenComparing(GroupKey::variant);

  public GroupKey {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(link, "link");
    Objects.requireNonNull(variant, "variant");
    if (batch <= 0) {
      throw new IllegalArgumentException("batch: " + batch + " (expected: > 0)");
    }
  }

  /** The {@code variant}'s params by name, in its order. */
  public java.util.Map<String, String> variantParams() {
    return variantParams(variant);
  }

  /**
   * @param variant {@code k=v;k=v}, or {@code ""}
   * @return its params by name, in order; a part without {@code =} or with an empty name is skipped
   */
  public static java.util.Map<String, String> variantParams(String variant) {
    java.util.Map<String, String> params = new java.util.LinkedHashMap<>();
    for (String kv : variant.split(";")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        params.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    return params;
  }

  @Override
  public int compareTo(GroupKey other) {
    return ORDER.compare(this, other);
  }

  /**
   * @return e.g. {@code mobilenetv2 / nio / link none / batch 8}
   */
  public String label() {
    return model
        + " / "
        + transport
        + " / link "
        + link
        + " / batch "
        + batch
        + (variant.isEmpty() ? "" : " / " + variant);
  }
}
