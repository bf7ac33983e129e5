package io.paretopipe.harness.server;

import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.transport.StageService;
import io.paretopipe.harness.transport.StageSession;
import io.paretopipe.models.NativeHeap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opening a session for an accepted handshake and closing it, the same way on every server.
 *
 * <p>Memory between sessions: when no session of this process is open, before a new one opens and
 * after the last one closes, the process's allocator gives its free memory back ({@link
 * NativeHeap#trim()}, glibc's {@code malloc_trim(0)}). Under the tuned allocator ({@code
 * MALLOC_TRIM_THRESHOLD_=17179869184}) a session's forward activations and a stage load's
 * temporaries otherwise stay resident after the session ends, and a sweep of stages against one
 * server piles them up beyond the one forward workspace its resident bound allows for
 * (docs/SECURITY.md "Resident memory of a vgg16 sweep"). Only an idle server trims: a session
 * computing meanwhile keeps its warm memory, and nothing is trimmed on the request path. {@code
 * malloc_trim} reaches the top of the main arena only, so a stage server runs with one malloc arena
 * ({@code MALLOC_ARENA_MAX=1}, set by {@code placement.StageServerProcess}).
 */
public final class Sessions {
  /** Sessions opened by {@link #open} and not yet closed by {@link #closeQuietly}, process-wide. */
  private static final Set<StageSession> OPEN = ConcurrentHashMap.newKeySet();

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
    trimIfIdle();
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
      OPEN.add(session);
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
    if (OPEN.remove(session)) {
      trimIfIdle();
    }
  }

  /** Sessions of this process opened by {@link #open} and not yet closed. */
  public static int openSessions() {
    return OPEN.size();
  }

  /** Gives free memory back to the system when no session is open (class doc). */
  private static void trimIfIdle() {
    if (OPEN.isEmpty()) {
      NativeHeap.trim();
    }
  }
}
