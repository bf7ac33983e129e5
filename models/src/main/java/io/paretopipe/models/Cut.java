package io.paretopipe.models;

/**
 * What crosses the link at one split point.
 *
 * @param split the split index k (head runs the prefix and units [0, k))
 * @param unit name of the last unit on the head, or {@code (prefix)} / {@code (input)} for k = 0
 * @param shape per-image tensor shape at the cut (no batch dimension)
 * @param bytes float32 bytes of that tensor for the whole batch
 * @param macs multiply-accumulates the head has done by then, for the whole batch (cumulative)
 */
public record Cut(int split, String unit, long[] shape, long bytes, long macs) {}
