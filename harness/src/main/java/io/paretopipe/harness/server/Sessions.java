package io.paretopipe.harness.server;

import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.transport.StageService;
import io.paretopipe.harness.transport.StageSession;

/** Opening a session for an accepted handshake, the same way on every server. */
public final class Sessions {
  private Sessions() {}

  /**
   * A session that opened and described itself.
   *
   * @param session owned by the caller from now on
   * @param reply what to send the head
   */
  public record Opened(StageSession session, HandshakeReply reply) {}

  /**
   * Opens a session of {@code service} for {@code handshake} and asks it for its reply.
   *
   * @throws StageException the service's refusal as it gave it, or {@code INTERNAL} for a service
   *     that failed otherwise (threw, returned null); no session is left open then
   */
  public static Opened open(StageService service, Handshake handshake) throws StageException {
    StageSession session;
    try {
      session = service.open(handshake);
    } catch (StageException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new StageException(ErrorCode.INTERNAL, "stage failed to open a session: " + e);
    }
    if (session == null) {
      throw new StageException(
          ErrorCode.INTERNAL, "stage failed to open a session: StageService.open returned null");
    }
    try {
      HandshakeReply reply = session.reply();
      if (reply == null) {
        throw new NullPointerException("StageSession.reply returned null");
      }
      return new Opened(session, reply);
    } catch (RuntimeException e) {
      closeQuietly(session);
      throw new StageException(ErrorCode.INTERNAL, "stage failed to describe its session: " + e);
    }
  }

  /** Closes {@code session}; a failing close must not stop the rest of a clean-up. */
  public static void closeQuietly(StageSession session) {
    if (session == null) {
      return;
    }
    try {
      session.close();
    } catch (RuntimeException ignored) {
      // the rest of the clean-up matters more
    }
  }
}
