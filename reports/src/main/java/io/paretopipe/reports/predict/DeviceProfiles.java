package io.paretopipe.reports.predict;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The unit profiles of the devices of a pipeline: the head's, the one every middle stage uses, and
 * the tail's. Immutable.
 *
 * @param head the first stage's profile (it runs the prefix)
 * @param middle the profile of every stage between head and tail
 * @param tail the last stage's profile (it runs the suffix)
 */
public record DeviceProfiles(UnitProfile head, UnitProfile middle, UnitProfile tail) {

  public DeviceProfiles {
    Objects.requireNonNull(head, "head");
    Objects.requireNonNull(middle, "middle");
    Objects.requireNonNull(tail, "tail");
  }

  /**
   * @param stageCount the number of stages, {@code >= 2}
   * @return head, {@code stageCount - 2} times middle, tail
   */
  public List<UnitProfile> forStages(int stageCount) {
    if (stageCount < 2) {
      throw new IllegalArgumentException("stageCount: " + stageCount + " (expected: >= 2)");
    }
    List<UnitProfile> stages = new ArrayList<>();
    stages.add(head);
    for (int s = 1; s < stageCount - 1; s++) {
      stages.add(middle);
    }
    stages.add(tail);
    return stages;
  }
}
