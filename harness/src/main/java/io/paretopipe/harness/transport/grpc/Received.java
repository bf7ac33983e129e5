package io.paretopipe.harness.transport.grpc;

import io.paretopipe.harness.memory.BufferPool;
import io.paretopipe.harness.memory.Reservation;
import io.paretopipe.harness.protocol.ErrorCode;
import java.nio.ByteBuffer;

/**
 * What {@link PooledMarshaller} made of one incoming message, one of three kinds:
 *
 * <ul>
 *   <li><b>accepted</b>: the parsed {@code message} together with the pooled direct buffer its
 *       bytes fields alias ({@code backing}) and, on a budgeted stage, the {@code reservation} of
 *       the message's bytes in the stage's request memory;
 *   <li><b>refused</b> ({@code refused} set): the message did not fit the request memory, so its
 *       bytes were skipped without being copied; {@code message} is its small part only (for an
 *       {@code InferRequest}: the request id and the tensor's dtype, byte order and shape, with
 *       empty data), and there is neither a buffer nor a reservation;
 *   <li><b>malformed</b> ({@code malformed} set): the bytes are not a valid message, or could not
 *       be read within the stage's limits (too many fields, out of memory); {@code failureCode}
 *       says which ({@code BAD_FRAME}, {@code FRAME_TOO_LARGE}, {@code BUSY}, {@code INTERNAL}) and
 *       nothing else is held: whatever was reserved or taken for it is already given back.
 * </ul>
 *
 * <p>Ownership: whoever consumes it owns {@code backing} and {@code reservation}; it may hand the
 * buffer back to the pool once nothing uses the message's bytes any more, and must release the
 * reservation once the request is answered or dropped ({@link #discard} does both for a message
 * that is dropped unused).
 *
 * @param message the parsed message (its small part only if refused), null when malformed
 * @param backing the receive buffer, null unless accepted
 * @param reservation the message's bytes in the stage's request memory, null unless accepted by a
 *     budgeted marshaller
 * @param malformed null, or why the bytes are not a valid message
 * @param refused null, or why the message was refused without being copied
 * @param failureCode null unless {@code malformed} is set: the typed error it is answered with
 */
record Received<T>(
    T message,
    ByteBuffer backing,
    Reservation reservation,
    String malformed,
    Refusal refused,
    ErrorCode failureCode) {
  static <T> Received<T> accepted(T message, ByteBuffer backing, Reservation reservation) {
    return new Received<>(message, backing, reservation, null, null, null);
  }

  static <T> Received<T> malformed(String why) {
    return failed(ErrorCode.BAD_FRAME, why);
  }

  /** A message that could not be read within the stage's limits; {@code code} says which. */
  static <T> Received<T> failed(ErrorCode code, String why) {
    return new Received<>(null, null, null, why, null, code);
  }

  static <T> Received<T> refused(T header, Refusal refusal) {
    return new Received<>(header, null, null, null, refusal, null);
  }

  /**
   * Drops an accepted message nobody will use: its buffer goes back to {@code pool}, its
   * reservation back to the budget. Harmless for the other kinds and when called twice for the
   * reservation (the buffer must be handed back once only).
   */
  void discard(BufferPool pool) {
    if (backing != null) {
      pool.release(backing);
    }
    releaseReservation();
  }

  /** Gives the reservation back to the budget, if there is one and it is still held. */
  void releaseReservation() {
    if (reservation != null) {
      reservation.release();
    }
  }

  /**
   * Why a message was refused, measured when it was: its size did not fit the free request memory.
   *
   * @param messageBytes the whole message (what accepting it would have reserved and copied), bytes
   * @param tensorBytes its tensor's data, bytes
   * @param rank its tensor's true rank (the refused message's shape keeps at most {@code
   *     Tensor.MAX_RANK} dims)
   * @param freeBytes request memory free at the time, bytes
   * @param capacityBytes the stage's whole request memory, bytes
   */
  record Refusal(
      long messageBytes, long tensorBytes, int rank, long freeBytes, long capacityBytes) {}
}
