package io.paretopipe.benchmarks.sweep;

import io.paretopipe.benchmarks.PartitionConfig;
import io.paretopipe.benchmarks.SharedTail;
import io.paretopipe.format.NetworkCondition;
import io.paretopipe.harness.transport.TransportKind;
import io.paretopipe.models.ModelBlueprint;
import io.paretopipe.models.ModelCatalog;
import io.paretopipe.models.Partition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every point of a sweep, validated before anything runs, and its groups: the (model, transport,
 * link) triples one JMH call per pass measures over their active splits. Points are ordered model,
 * transport, link, split (as given); groups in the same order. Immutable.
 *
 * <p>A point's {@code transport} is the name of its shared server ({@link SharedTail#key}): the
 * transport, or {@code grpc@TUNING} for grpc points of a tuning other than {@code default}, so that
 * a sweep of several grpc tunings has a group, a server and result files per tuning.
 */
final class SweepPlan {

  /** One partition point of the sweep. */
  record Point(String model, String transport, String link, String split) {
    Group group() {
      return new Group(model, transport, link);
    }

    /** {@code mobilenetv2__nio__none__split=3} (URL-encoded parts). */
    String fileStem() {
      return group().fileStem() + "__split=" + enc(split);
    }

    @Override
    public String toString() {
      return model + " split=" + split + " " + transport + " link=" + link;
    }
  }

  /** The points one JMH call measures in a pass: same model, transport and link. */
  record Group(String model, String transport, String link) {
    /** {@code mobilenetv2__nio__none} (URL-encoded parts). */
    String fileStem() {
      return enc(model) + "__" + enc(transport) + "__" + enc(link);
    }

    @Override
    public String toString() {
      return model + " " + transport + " link=" + link;
    }
  }

  private final List<Point> points;
  private final Map<Group, List<String>> splitsByGroup;

  private SweepPlan(List<Point> points) {
    this.points = List.copyOf(points);
    Map<Group, List<String>> byGroup = new LinkedHashMap<>();
    for (Point p : points) {
      byGroup.computeIfAbsent(p.group(), g -> new ArrayList<>()).add(p.split());
    }
    byGroup.replaceAll((g, s) -> List.copyOf(s));
    this.splitsByGroup = java.util.Collections.unmodifiableMap(byGroup);
  }

  /**
   * @param splits {@code all} (every valid split {@code 0..n} of each model) or comma-separated
   *     {@code K} / {@code K1:K2}
   * @throws IllegalArgumentException naming the bad transport, link or split and what is valid
   */
  static SweepPlan of(
      List<String> models, List<String> transports, List<String> links, String splits) {
    return of(models, transports, links, splits, List.of(PartitionConfig.DEFAULT_GRPC_TUNING));
  }

  /**
   * As {@link #of(List, List, List, String)}, grpc once per tuning of {@code grpcTunings} (valid
   * {@code GrpcTuning} names).
   */
  static SweepPlan of(
      List<String> models,
      List<String> transports,
      List<String> links,
      String splits,
      List<String> grpcTunings) {
    for (String link : links) {
      NetworkCondition.parse(link);
    }
    for (String transport : transports) {
      TransportKind.parse(transport);
    }
    List<Point> points = new ArrayList<>();
    for (String model : models) {
      ModelBlueprint blueprint = ModelCatalog.blueprint(model);
      int units = blueprint.unitCount();
      List<String> modelSplits = new ArrayList<>();
      if (splits.trim().equals("all")) {
        for (int k = 0; k <= units; k++) {
          modelSplits.add(Integer.toString(k));
        }
      } else {
        for (String s : splits.split(",")) {
          modelSplits.add(Partition.format(blueprint.partition(s).cuts()));
        }
      }
      for (String transport : transports) {
        List<String> keys =
            transport.equals(TransportKind.GRPC.toString())
                ? grpcTunings.stream().map(t -> SharedTail.key(transport, t)).toList()
                : List.of(transport);
        for (String key : keys) {
          for (String link : links) {
            if (transport.equals("local") && !NetworkCondition.parse(link).isNone()) {
              continue;
            }
            for (String split : modelSplits) {
              points.add(new Point(model, key, link, split));
            }
          }
        }
      }
    }
    if (points.isEmpty()) {
      throw new IllegalArgumentException(
          "nothing to run: transports "
              + transports
              + " x links "
              + links
              + " has no valid combination (local runs only with link none)");
    }
    return new SweepPlan(points);
  }

  /** For tests: a plan of exactly these points. */
  static SweepPlan ofPoints(List<Point> points) {
    return new SweepPlan(points);
  }

  List<Point> points() {
    return points;
  }

  List<Group> groups() {
    return List.copyOf(splitsByGroup.keySet());
  }

  /** The splits of {@code group}, in plan order. */
  List<String> splits(Group group) {
    return splitsByGroup.getOrDefault(group, List.of());
  }

  int size() {
    return points.size();
  }

  /** The points' {@code transport}s ({@link SharedTail#key}s), each once, in plan order. */
  List<String> transports() {
    return points.stream().map(Point::transport).distinct().toList();
  }

  static String enc(String s) {
    return io.paretopipe.format.RunFolder.encode(s);
  }
}
