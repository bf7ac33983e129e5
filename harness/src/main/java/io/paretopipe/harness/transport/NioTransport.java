package io.paretopipe.harness.transport;

import io.paretopipe.harness.protocol.Limits;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code nio} transport: TCP to a {@link NioStageServer}, {@code TCP_NODELAY}, direct
 * native-order buffers, gathering writes of header and tensor memory. Stateless and thread-safe;
 * each {@link #connect} opens a new {@link NioStageChannel}.
 */
public final class NioTransport implements Transport {
  /** The transport's name, "nio". */
  public static final String NAME = "nio";

  private final Limits limits;
  private final int socketBufferBytes;

  /** Default limits, OS-tuned socket buffers. */
  public NioTransport() {
    this(Limits.DEFAULT, 0);
  }

  /**
   * @param limits what the channel accepts from the stage
   * @param socketBufferBytes SO_SNDBUF/SO_RCVBUF in bytes, 0 = leave to the OS (auto-tuning)
   */
  public NioTransport(Limits limits, int socketBufferBytes) {
    this.limits = Objects.requireNonNull(limits, "limits");
    if (socketBufferBytes < 0) {
      throw new IllegalArgumentException("socketBufferBytes: " + socketBufferBytes + " (expected: >= 0, 0 = OS default)");
    }
    this.socketBufferBytes = socketBufferBytes;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public NioStageChannel connect(String address, Duration connectTimeout) throws IOException {
    return NioStageChannel.connect(address, connectTimeout, limits, socketBufferBytes);
  }
}
