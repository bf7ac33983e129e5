package io.paretopipe.reports.render;

import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.run.ResultIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The titles a person reads for a group, instead of its raw parameters: {@code mobilenetv2 over
 * grpc, loopback, batch 8 - head: CPU 0, 1 thread; tail: CPU 1, 1 thread} for the group keyed
 * {@code mobilenetv2 / grpc / link none / batch 8 /
 * headCpus=0;headDevice=none;headThreads=1;tailCpus=1;tailDevice=none;tailThreads=1}.
 *
 * <p>The stage part reads the {@code PartitionBenchmark} parameters {@code headCpus}, {@code
 * headThreads}, {@code headDevice} and their {@code tail} twins: a device profile other than {@code
 * none} names the device and replaces the CPU and thread settings it implies; {@code auto} CPUs are
 * "any CPU". A {@code grpcTuning} (in the variant only when it is not {@code default}) follows the
 * transport: {@code over grpc (tuned)}. Any other parameter is kept as {@code name=value} at the
 * end, so two groups never get the same title. Stateless.
 */
public final class GroupTitles {
  private static final List<String> STAGES = List.of("head", "tail");

  private static final String GRPC_TUNING = ResultIdentity.GRPC_TUNING;

  private GroupTitles() {}

  /**
   * @return the full title, e.g. {@code mobilenetv2 over nio, link delay:20ms+rate:50mbit, batch 8
   *     - head: 1 thread; tail: 2 threads}
   */
  public static String title(GroupKey g) {
    return g.model()
        + " over "
        + transport(g)
        + ", "
        + link(g)
        + ", batch "
        + g.batch()
        + stagesSuffix(g);
  }

  /**
   * @return the title without the link, shared by the groups of one report section, e.g. {@code
   *     mobilenetv2 over grpc, batch 8 - head: CPU 0, 1 thread; tail: CPU 1, 1 thread}
   */
  public static String section(GroupKey g) {
    return g.model() + " over " + transport(g) + ", batch " + g.batch() + stagesSuffix(g);
  }

  /**
   * @return e.g. {@code nio}, or {@code grpc (tuned)} for a grpc tuning other than the default
   */
  static String transport(GroupKey g) {
    String tuning = g.variantParams().get(GRPC_TUNING);
    return tuning == null ? g.transport() : g.transport() + " (" + tuning + ")";
  }

  /**
   * @return {@code loopback} for link {@code none} (over {@code local}: {@code in-process, no
   *     link}), else {@code link <spec>}
   */
  public static String link(GroupKey g) {
    if ("none".equals(g.link())) {
      return "local".equals(g.transport()) ? "in-process, no link" : "loopback";
    }
    return "link " + g.link();
  }

  private static String stagesSuffix(GroupKey g) {
    String stages = stages(g.variant());
    return stages.isEmpty() ? "" : " - " + stages;
  }

  /**
   * @param variant {@code k=v;k=v}, or {@code ""}
   * @return e.g. {@code head: CPU 0, 1 thread; tail: CPUs 1,2, 2 threads; depth=4}, or {@code ""}
   */
  static String stages(String variant) {
    Map<String, String> params = GroupKey.variantParams(variant);
    params.remove(GRPC_TUNING);
    List<String> parts = new ArrayList<>();
    for (String stage : STAGES) {
      String device = params.remove(stage + "Device");
      String cpus = params.remove(stage + "Cpus");
      String threads = params.remove(stage + "Threads");
      List<String> what = new ArrayList<>();
      if (device != null && !device.isEmpty() && !"none".equals(device)) {
        what.add("device " + device);
      } else {
        if (cpus != null) {
          what.add(
              "auto".equals(cpus)
                  ? "any CPU"
                  : (cpus.contains(",") || cpus.contains("-") ? "CPUs " : "CPU ") + cpus);
        }
        if (threads != null) {
          what.add(threads + ("1".equals(threads) ? " thread" : " threads"));
        }
      }
      if (!what.isEmpty()) {
        parts.add(stage + ": " + String.join(", ", what));
      }
    }
    params.forEach((k, v) -> parts.add(k + "=" + v));
    return String.join("; ", parts);
  }
}
