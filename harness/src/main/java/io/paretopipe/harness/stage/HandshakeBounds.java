package io.paretopipe.harness.stage;

import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.StageException;

/**
 * The largest model a handshake may ask a stage server to build, checked before anything is built
 * or costed: a handshake is network input, and its {@code classes} and {@code inputShape} decide
 * how large the built weights and activations are ({@code classes=50000} adds ~245 MiB to a
 * mobilenetv2 tail; an input of 3 x (2^31-1) x (2^31-1) overflows every cost). A value outside its
 * range is refused with {@code BAD_HANDSHAKE} naming the field, the value and the valid range.
 *
 * <p>Bounds: classes 1..{@value #MAX_CLASSES} (ImageNet-21k has 21,841); input channels 1..{@value
 * #MAX_CHANNELS}, height and width 1..{@value #MAX_SIDE}; batch 1..{@value #MAX_BATCH}.
 */
final class HandshakeBounds {
  static final int MAX_CLASSES = 100_000;
  static final int MAX_CHANNELS = 64;
  static final int MAX_SIDE = 4096;
  static final int MAX_BATCH = 1024;

  private HandshakeBounds() {}

  /**
   * @throws StageException {@code BAD_HANDSHAKE} naming the first field out of its range
   */
  static void check(Handshake h) throws StageException {
    within("classes", h.classes(), MAX_CLASSES);
    within("batch", h.batch(), MAX_BATCH);
    int[] input = h.inputShape();
    for (int i = 0; i < input.length; i++) {
      within(
          i == 0 ? "input channels" : "input shape dim " + i,
          input[i],
          i == 0 ? MAX_CHANNELS : MAX_SIDE);
    }
  }

  private static void within(String field, long value, long max) throws StageException {
    if (value < 1 || value > max) {
      throw new StageException(
          ErrorCode.BAD_HANDSHAKE,
          "handshake "
              + field
              + " "
              + value
              + " is out of range: a stage server builds models with "
              + field
              + " 1.."
              + max);
    }
  }
}
