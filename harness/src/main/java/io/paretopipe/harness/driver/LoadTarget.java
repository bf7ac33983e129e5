package io.paretopipe.harness.driver;

import ai.djl.ndarray.NDArray;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.tensor.TensorBridge;
import io.paretopipe.harness.transport.StageChannel;
import java.time.Duration;

/**
 * What an {@link OpenLoopDriver} loads: a head step that turns a request id into the request to
 * send (for a {@link Pipeline}, the head's forward on the pipeline's input), and the handshaken
 * channel to the first remote stage. The target does not own the channel: whoever opened it closes
 * it.
 */
public interface LoadTarget {

  /**
   * A request ready to send and what the head spent making it.
   *
   * @param headOutput closed by the driver once the result is back or the request is abandoned;
   *     null when there is nothing to close
   */
  record Prepared(
      InferenceRequest request,
      long headComputeNanos,
      long encodeNanos,
      AutoCloseable headOutput) {}

  /** Computes the head for request {@code id}; called on the driving thread only. */
  Prepared prepare(long id);

  /** The channel results come back on (one sender, one receiver). */
  StageChannel channel();

  /** How long one request may stay unanswered before the run fails. */
  Duration timeout();

  /** The first remote stage, for messages, e.g. {@code stage 1 (nio 127.0.0.1:41234)}. */
  String stageName();

  /**
   * The head of {@code pipeline}: its loaded units run on the pipeline's input for every request.
   */
  static LoadTarget of(Pipeline pipeline) {
    return new LoadTarget() {
      @Override
      public Prepared prepare(long id) {
        NDArray in = pipeline.input();
        long start = System.nanoTime();
        NDArray out = pipeline.head().forward(in);
        long afterHead = System.nanoTime();
        InferenceRequest request = new InferenceRequest(id, TensorBridge.view(out));
        long afterEncode = System.nanoTime();
        return new Prepared(
            request, afterHead - start, afterEncode - afterHead, out == in ? null : out::close);
      }

      @Override
      public StageChannel channel() {
        return pipeline.channel();
      }

      @Override
      public Duration timeout() {
        return pipeline.spec().timeout();
      }

      @Override
      public String stageName() {
        String address =
            pipeline.servers().isEmpty()
                ? String.join("/", pipeline.spec().tails())
                : pipeline.servers().get(0).toString();
        return "stage 1 (" + pipeline.spec().transport() + " " + address + ")";
      }
    };
  }

  /**
   * A target without a head: every request carries {@code payload} as it is (the head's work is
   * nil). For a stage reached directly, e.g. a local stage whose service time is controlled.
   */
  static LoadTarget ofPayload(StageChannel channel, Tensor payload, Duration timeout, String name) {
    return new LoadTarget() {
      @Override
      public Prepared prepare(long id) {
        return new Prepared(new InferenceRequest(id, payload), 0, 0, null);
      }

      @Override
      public StageChannel channel() {
        return channel;
      }

      @Override
      public Duration timeout() {
        return timeout;
      }

      @Override
      public String stageName() {
        return name;
      }
    };
  }
}
