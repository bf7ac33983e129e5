package io.paretopipe.reports.compare;

import io.paretopipe.reports.model.GroupKey;
import java.util.List;

/**
 * Whether one group's frontier splits changed. Immutable.
 *
 * @param group the group
 * @param baselineSplits the baseline's frontier splits ({@code null} when the group is not in the
 *     baseline)
 * @param currentSplits the current frontier splits ({@code null} when the group is not in the
 *     current run)
 */
public record FrontierChange(
    GroupKey group, List<String> baselineSplits, List<String> currentSplits) {

  /**
   * @return true when the two split sets differ
   */
  public boolean changed() {
    return baselineSplits == null || currentSplits == null || !baselineSplits.equals(currentSplits);
  }
}
