package io.paretopipe.harness.transport.nio;

import io.paretopipe.harness.auth.Authenticator;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.transport.Transport;
import io.paretopipe.harness.transport.TransportKind;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code nio} transport: TCP to a {@link NioStageServer}, {@code TCP_NODELAY}, direct
 * native-order buffers, gathering writes of header and tensor memory. Stateless and thread-safe;
 * each {@link #connect} opens a new {@link NioStageChannel}, which spins for answers (see {@link
 * AnswerWait}) only if this transport was made with {@code spinForAnswers}.
 */
public final class NioTransport implements Transport {
  private final Limits limits;
  private final int socketBufferBytes;
  private final Authenticator authenticator;

  /** Null: channels never spin. */
  private final AnswerWait.SpinBounds spinBounds;

  /** Default limits, OS-tuned socket buffers, no shared secret. */
  public NioTransport() {
    this(Limits.DEFAULT, 0);
  }

  /**
   * Default limits, OS-tuned socket buffers; {@code authenticator} as in {@link
   * #NioTransport(Limits, int, Authenticator)}.
   */
  public NioTransport(Authenticator authenticator) {
    this(Limits.DEFAULT, 0, authenticator);
  }

  /** No shared secret; see {@link #NioTransport(Limits, int, Authenticator)}. */
  public NioTransport(Limits limits, int socketBufferBytes) {
    this(limits, socketBufferBytes, null);
  }

  /**
   * @param limits what the channel accepts from the stage
   * @param socketBufferBytes SO_SNDBUF/SO_RCVBUF in bytes, 0 = leave to the OS (auto-tuning)
   * @param authenticator the head's shared secret: every channel proves it to a stage that asks and
   *     requires the stage's proof in turn; null for a head without a secret (it can reach only
   *     stages that do not require one)
   */
  public NioTransport(Limits limits, int socketBufferBytes, Authenticator authenticator) {
    this(limits, socketBufferBytes, authenticator, null);
  }

  /**
   * As {@link #NioTransport(Limits, int, Authenticator)}; with {@code spinForAnswers} each
   * channel's receiving thread polls for an answer in a window of at most 1 ms around its expected
   * arrival ({@link AnswerWait}; the system property {@code paretopipe.spinWait.maxSpinMicros}
   * widens the window for measurements). The caller makes sure that the receiving thread's CPUs
   * hold no other busy thread while it waits ({@code driver.SpinWaitPolicy}): a spin there would
   * steal that core.
   */
  public NioTransport(
      Limits limits, int socketBufferBytes, Authenticator authenticator, boolean spinForAnswers) {
    this(
        limits,
        socketBufferBytes,
        authenticator,
        spinForAnswers ? AnswerWait.SpinBounds.configured() : null);
  }

  /** With explicit spin bounds (null: never spin), e.g. a test's long window. */
  NioTransport(
      Limits limits,
      int socketBufferBytes,
      Authenticator authenticator,
      AnswerWait.SpinBounds spinBounds) {
    this.spinBounds = spinBounds;
    this.limits = Objects.requireNonNull(limits, "limits");
    if (socketBufferBytes < 0) {
      throw new IllegalArgumentException(
          "socketBufferBytes: " + socketBufferBytes + " (expected: >= 0, 0 = OS default)");
    }
    this.socketBufferBytes = socketBufferBytes;
    this.authenticator = authenticator;
  }

  /** Whether its channels spin for answers. */
  public boolean spinsForAnswers() {
    return spinBounds != null;
  }

  @Override
  public TransportKind kind() {
    return TransportKind.NIO;
  }

  @Override
  public NioStageChannel connect(String address, Duration connectTimeout) throws IOException {
    return NioStageChannel.connect(
        address,
        connectTimeout,
        limits,
        socketBufferBytes,
        authenticator,
        spinBounds == null ? null : new AnswerWait(spinBounds));
  }
}
