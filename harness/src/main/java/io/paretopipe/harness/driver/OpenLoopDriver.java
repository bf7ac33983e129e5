package io.paretopipe.harness.driver;

import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.protocol.StageTiming;
import io.paretopipe.harness.tensor.TensorBridge;
import io.paretopipe.harness.transport.StageChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Open-loop load (the MLPerf Server scenario, wrk2): requests are released at the times an {@link
 * ArrivalSchedule} says, whether or not earlier ones have come back, and each request's latency is
 * measured from its <em>intended</em> release time on the head's clock, so time a request spent
 * waiting to be released (behind a busy head, say) counts, and a stall shows in every request it
 * delays, not in one (no coordinated omission). {@link PipelineDriver} is the closed-loop sibling.
 *
 * <p>Outstanding bound: at most {@code maxOutstanding} requests may be released and unanswered. A
 * request whose release time comes while the bound is reached is <em>dropped</em>: counted, kept in
 * the raw log, never sent and never waited for; for an SLO it counts as over the bound (see {@link
 * OpenLoopResult#percentileNanosCountingDrops}).
 *
 * <p>Threads: {@link #releaseNext()}, {@link #run} and {@link #drain()} are called by one driving
 * thread, which also computes the head (so a head slower than the arrival rate delays releases, and
 * that delay is in the latency); a receiving thread of the driver's own times results. Completed
 * requests are recorded into the {@link PhaseRecorder} (for its {@code .hlog}; resetting it is the
 * caller's business) with end-to-end measured from the intended time, so the {@code network}
 * remainder also holds the wait before release; {@link #result()} keeps its own histograms. A stage
 * error, a dead stage or a request unanswered for longer than the target's timeout fails the
 * driver; every later call throws {@link PipelineFailedException}.
 */
public final class OpenLoopDriver implements AutoCloseable {

  private static final Duration POLL = Duration.ofMillis(200);
  private static final long SPIN_NANOS = 50_000;

  private final LoadTarget target;
  private final ArrivalSchedule schedule;
  private final int maxOutstanding;
  private final PhaseRecorder recorder;
  private final Map<Long, Query> inFlight = new ConcurrentHashMap<>();
  private final List<Query> log = new ArrayList<>();
  private final AtomicInteger outstanding = new AtomicInteger();
  private final Histogram fromSend = PhaseRecorder.newLatencyHistogram();
  private final Histogram fromIntended = PhaseRecorder.newLatencyHistogram();
  private final Thread receiver;
  private final long timeoutNanos;
  private ArrivalSchedule.Arrivals arrivals;
  private volatile long epochNanos;
  private long lastIntendedOffset;
  private long spanNanos;
  private long released;
  private long dropped;
  private long maxReleaseLagNanos;
  private final FirstFailure failure = new FirstFailure();
  private volatile boolean closed;

  /** The fail-fast bound for the receiver's count, {@code -1} when no probe fails fast. */
  private volatile long failFastBoundNanos = -1;

  private final java.util.concurrent.atomic.AtomicLong completedOver =
      new java.util.concurrent.atomic.AtomicLong();

  /** Set when a probe stopped early: later answers are waited for but not recorded. */
  private volatile boolean frozen;

  /**
   * One request of the raw log; times are nanoseconds since the schedule's start ({@code -1}: never
   * happened). Written by the driving thread, {@code completedNanos} by the receiver.
   */
  static final class Query {
    final long id;
    final long intendedNanos;
    final long releasedNanos;
    long headComputeNanos;
    long encodeNanos;
    AutoCloseable headOutput;
    volatile long completedNanos = -1;

    Query(long id, long intendedNanos, long releasedNanos) {
      this.id = id;
      this.intendedNanos = intendedNanos;
      this.releasedNanos = releasedNanos;
    }
  }

  /**
   * @param maxOutstanding requests that may be released and unanswered at once, >= 1
   * @param recorder where completed requests' timings go (end-to-end from the intended time)
   */
  public OpenLoopDriver(
      LoadTarget target, ArrivalSchedule schedule, int maxOutstanding, PhaseRecorder recorder) {
    if (maxOutstanding < 1) {
      throw new IllegalArgumentException("maxOutstanding: " + maxOutstanding + " (expected: >= 1)");
    }
    this.target = java.util.Objects.requireNonNull(target, "target");
    this.schedule = java.util.Objects.requireNonNull(schedule, "schedule");
    this.maxOutstanding = maxOutstanding;
    this.recorder = java.util.Objects.requireNonNull(recorder, "recorder");
    this.timeoutNanos = target.timeout().toNanos();
    this.arrivals = schedule.arrivals();
    this.receiver = new Thread(this::receiveLoop, "open-loop-receiver");
    this.receiver.setDaemon(true);
    this.receiver.start();
  }

  public ArrivalSchedule schedule() {
    return schedule;
  }

  public int maxOutstanding() {
    return maxOutstanding;
  }

  /**
   * Restarts the schedule: the arrival cursor goes back to its first arrival, the schedule's start
   * becomes now, and the counts, the raw log and the from-send histogram are cleared (the recorder
   * is the caller's to reset). Requests still in flight are waited for first.
   */
  public void start() throws PipelineFailedException {
    drain();
    synchronized (log) {
      log.clear();
      fromSend.reset();
      fromIntended.reset();
    }
    arrivals = schedule.arrivals();
    frozen = false;
    failFastBoundNanos = -1;
    completedOver.set(0);
    released = 0;
    dropped = 0;
    maxReleaseLagNanos = 0;
    lastIntendedOffset = 0;
    spanNanos = 0;
    epochNanos = System.nanoTime();
  }

  /**
   * Shifts the schedule's start so the next arrival is due now if it is overdue (e.g. after a pause
   * between JMH iterations, which no request should be charged for); gaps after it are unchanged.
   */
  public void resume() {
    if (epochNanos == 0) {
      epochNanos = System.nanoTime();
      return;
    }
    long due = epochNanos + arrivals.peekNanos();
    long now = System.nanoTime();
    if (now > due) {
      epochNanos += now - due;
    }
  }

  /**
   * The schedule's start on {@link System#nanoTime}'s clock (0 before the first release): the raw
   * log's offsets are from here.
   */
  public long startNanos() {
    return epochNanos;
  }

  /** Offset of the next arrival from the schedule's start, in nanoseconds. */
  public long nextOffsetNanos() {
    return arrivals.peekNanos();
  }

  /**
   * Waits for the next arrival's intended time and releases it: computes the head and sends, or, if
   * {@code maxOutstanding} requests are unanswered, drops it.
   *
   * @return true if it was sent, false if dropped
   * @throws PipelineFailedException if the pipeline failed
   */
  public boolean releaseNext() throws PipelineFailedException {
    checkFailure();
    if (epochNanos == 0) {
      epochNanos = System.nanoTime();
    }
    long id = arrivals.index();
    long offset = arrivals.nextNanos();
    lastIntendedOffset = offset;
    long intended = epochNanos + offset;
    waitUntil(intended);
    long now = System.nanoTime();
    maxReleaseLagNanos = Math.max(maxReleaseLagNanos, now - intended);
    if (outstanding.get() >= maxOutstanding) {
      dropped++;
      synchronized (log) {
        log.add(new Query(id, offset, -1));
      }
      return false;
    }
    Query q = new Query(id, offset, now - epochNanos);
    synchronized (log) {
      log.add(q);
    }
    LoadTarget.Prepared p;
    try {
      p = target.prepare(id);
    } catch (RuntimeException e) {
      fail("the head failed on request " + id + ": " + e.getMessage(), e);
      throw e;
    }
    q.headComputeNanos = p.headComputeNanos();
    q.encodeNanos = p.encodeNanos();
    q.headOutput = p.headOutput();
    outstanding.incrementAndGet();
    inFlight.put(id, q);
    released++;
    try {
      target.channel().send(p.request());
    } catch (IOException e) {
      fail("sending request " + id + " to " + target.stageName() + " failed: " + e.getMessage(), e);
    }
    return true;
  }

  /**
   * Releases every arrival of the schedule due before {@code duration} (from {@link #start()},
   * which this calls first), then waits for the answers.
   */
  public OpenLoopResult run(Duration duration) throws PipelineFailedException {
    return run(duration, 0);
  }

  /**
   * As {@link #run(Duration)}, but goes on past {@code duration} until at least {@code minQueries}
   * arrivals were scheduled (as LoadGen generates queries until both its minimum duration and its
   * minimum query count are reached); the result's span is then the last arrival's offset.
   */
  public OpenLoopResult run(Duration duration, long minQueries) throws PipelineFailedException {
    return run(duration, minQueries, null);
  }

  /**
   * As {@link #run(Duration, long)}, and with {@code failFast} the probe stops as soon as it can no
   * longer pass that SLO whatever its remaining requests do ({@link FailFast}, over the {@link
   * #plannedQueries} it would schedule): no further request is released, the result holds what was
   * measured until then ({@link OpenLoopResult#stop()}), and the requests already sent are waited
   * for, unrecorded, so that the pipeline is idle for whatever runs next on its channel (as after a
   * full run's drain). Judged by {@link ServerVerdict} against the same SLO it gets the verdict the
   * full run would have had. Checked before every release and every {@value #CHECK_MILLIS} ms while
   * waiting for one; a probe that does not stop is the run {@link #run(Duration, long)} makes.
   *
   * @param failFast the SLO to stop on, null to run to the end
   */
  public OpenLoopResult run(Duration duration, long minQueries, LatencySlo failFast)
      throws PipelineFailedException {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration: " + duration + " (expected: > 0)");
    }
    FailFast rule = null;
    long leastOver = Long.MAX_VALUE;
    long leastNotDropped = Long.MAX_VALUE;
    if (failFast != null) {
      rule = new FailFast(failFast, plannedQueries(schedule, duration, minQueries));
      leastOver = rule.leastOver();
      leastNotDropped = rule.leastNotDropped();
    }
    start();
    if (failFast != null) {
      failFastBoundNanos = failFast.boundNanos();
    }
    long limit = duration.toNanos();
    long nextCheck = System.nanoTime();
    while (arrivals.peekNanos() < limit || arrivals.index() < minQueries) {
      if (rule != null) {
        long due = epochNanos + arrivals.peekNanos();
        while (true) {
          long now = System.nanoTime();
          if (now - nextCheck >= 0) {
            nextCheck = now + CHECK_NANOS / 10;
            if (countsCertain(leastOver, leastNotDropped)) {
              OpenLoopResult stopped = stopIfCertain(rule, duration, minQueries);
              if (stopped != null) {
                return stopped;
              }
            }
          }
          long left = due - System.nanoTime();
          if (left <= CHECK_NANOS) {
            break;
          }
          LockSupport.parkNanos(Math.min(left - CHECK_NANOS, CHECK_NANOS));
          nextCheck = System.nanoTime();
        }
      }
      releaseNext();
    }
    spanNanos = Math.max(limit, lastIntendedOffset);
    drain();
    return result();
  }

  /**
   * The number of requests {@link #run(Duration, long)} schedules: every arrival due before {@code
   * duration}, and more until {@code minQueries}; fixed by the schedule before the run starts.
   */
  public static long plannedQueries(ArrivalSchedule schedule, Duration duration, long minQueries) {
    return planned(schedule, duration, minQueries)[0];
  }

  /** {planned queries, planned span in nanoseconds}. */
  private static long[] planned(ArrivalSchedule schedule, Duration duration, long minQueries) {
    long limit = duration.toNanos();
    ArrivalSchedule.Arrivals a = schedule.arrivals();
    long last = 0;
    while (a.peekNanos() < limit || a.index() < minQueries) {
      last = a.nextNanos();
    }
    return new long[] {a.index(), Math.max(limit, last)};
  }

  private static final long CHECK_MILLIS = 10;
  private static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(CHECK_MILLIS);

  /** The cheap check on counters: dropped, completed over the bound, unanswered past it. */
  private boolean countsCertain(long leastOver, long leastNotDropped) {
    long notDropped = completedOver.get() + unansweredOver(System.nanoTime() - epochNanos, null);
    return dropped + notDropped >= leastOver && notDropped >= leastNotDropped;
  }

  /**
   * Requests in flight for longer than the fail-fast bound at offset {@code now}; their ids go into
   * {@code ids} when given. Each was in flight at some instant at or after {@code now} (the map's
   * iterator is created after {@code now} was read), and a request leaves the map before its result
   * is timed, so it completes, if ever, later than the bound.
   */
  private long unansweredOver(long now, java.util.Set<Long> ids) {
    long bound = failFastBoundNanos;
    long n = 0;
    for (Query q : inFlight.values()) {
      if (now - q.intendedNanos > bound) {
        n++;
        if (ids != null) {
          ids.add(q.id);
        }
      }
    }
    return n;
  }

  /**
   * Takes the result as of now and stops if its counts settle the verdict; else null (a result
   * whose answer was between leaving the in-flight map and being timed is retried at the next
   * check).
   */
  private OpenLoopResult stopIfCertain(FailFast rule, Duration duration, long minQueries)
      throws PipelineFailedException {
    long now = System.nanoTime() - epochNanos;
    java.util.Set<Long> unanswered = new java.util.HashSet<>();
    unansweredOver(now, unanswered);
    long span = Math.min(now, arrivals.peekNanos());
    OpenLoopResult partial = result();
    long bound = rule.slo().boundNanos();
    long over = 0;
    long notDropped = 0;
    for (OpenLoopResult.RawQuery q : partial.raw()) {
      if (q.dropped()) {
        over++;
      } else if (q.completedNanos() >= 0 ? q.latencyNanos() > bound : unanswered.contains(q.id())) {
        over++;
        notDropped++;
      }
    }
    if (!rule.certain(over, notDropped)) {
      return null;
    }
    frozen = true;
    OpenLoopResult.Stop stop =
        new OpenLoopResult.Stop(
            rule, planned(schedule, duration, minQueries)[1], now, over, notDropped);
    OpenLoopResult stopped =
        new OpenLoopResult(
            partial.schedule(),
            partial.maxOutstanding(),
            partial.lastIntendedNanos(),
            span,
            partial.released(),
            partial.dropped(),
            partial.maxReleaseLagNanos(),
            partial.fromIntended(),
            partial.fromSend(),
            partial.raw(),
            stop);
    spanNanos = span;
    drain();
    return stopped;
  }

  /**
   * Waits until no request is unanswered.
   *
   * @throws PipelineFailedException if the pipeline failed or a request stayed unanswered for
   *     longer than the target's timeout
   */
  public void drain() throws PipelineFailedException {
    long deadline = System.nanoTime() + timeoutNanos;
    while (outstanding.get() > 0) {
      checkFailure();
      if (System.nanoTime() > deadline) {
        fail(
            outstanding.get()
                + " requests still unanswered "
                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                + " ms after the last release, at "
                + target.stageName(),
            null);
      }
      LockSupport.parkNanos(200_000);
    }
    checkFailure();
  }

  /** What was released, dropped and measured since {@link #start()} (or construction). */
  public OpenLoopResult result() {
    List<OpenLoopResult.RawQuery> raw = new ArrayList<>();
    Histogram sendCopy;
    Histogram intendedCopy;
    synchronized (log) {
      intendedCopy = fromIntended.copy();
      for (Query q : log) {
        raw.add(
            new OpenLoopResult.RawQuery(q.id, q.intendedNanos, q.releasedNanos, q.completedNanos));
      }
      sendCopy = fromSend.copy();
    }
    return new OpenLoopResult(
        schedule,
        maxOutstanding,
        lastIntendedOffset,
        spanNanos == 0 ? lastIntendedOffset : spanNanos,
        released,
        dropped,
        maxReleaseLagNanos,
        intendedCopy,
        sendCopy,
        raw,
        null);
  }

  private static void waitUntil(long deadline) {
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      if (left > SPIN_NANOS) {
        LockSupport.parkNanos(left - SPIN_NANOS);
      } else {
        Thread.onSpinWait();
      }
    }
  }

  private void receiveLoop() {
    StageChannel channel = target.channel();
    while (!closed && !failure.isSet()) {
      InferenceResult result;
      try {
        result = channel.receive(POLL);
      } catch (TimeoutException e) {
        checkOverdue();
        continue;
      } catch (StageException e) {
        failQuietly(
            target.stageName()
                + " failed request "
                + e.requestId()
                + ": "
                + e.code()
                + ": "
                + e.getMessage(),
            e);
        return;
      } catch (IOException | RuntimeException e) {
        if (!closed) {
          failQuietly("lost " + target.stageName() + ": " + e.getMessage(), e);
        }
        return;
      }
      long received = System.nanoTime();
      Query q = inFlight.remove(result.requestId());
      if (q == null) {
        failQuietly(
            target.stageName() + " answered unknown request id " + result.requestId(), null);
        return;
      }
      try {
        TensorBridge.toFloatArray(result.tensor());
      } catch (IllegalArgumentException e) {
        failQuietly(
            target.stageName()
                + " answered request "
                + result.requestId()
                + " with "
                + e.getMessage(),
            e);
        return;
      }
      long decoded = System.nanoTime();
      channel.release(result.tensor());
      closeQuietly(q.headOutput);
      long stageCompute = 0;
      long stageQueue = 0;
      for (StageTiming t : result.stageTimings()) {
        stageCompute += t.computeNanos();
        stageQueue += t.queueNanos();
      }
      long epoch = epochNanos;
      if (frozen) {
        outstanding.decrementAndGet();
        continue;
      }
      q.completedNanos = decoded - epoch;
      long bound = failFastBoundNanos;
      if (bound >= 0 && q.completedNanos - q.intendedNanos > bound) {
        completedOver.incrementAndGet();
      }
      recorder.record(
          new RequestTiming(
              q.completedNanos - q.intendedNanos,
              q.headComputeNanos,
              q.encodeNanos,
              decoded - received,
              stageCompute,
              stageQueue));
      synchronized (log) {
        PhaseRecorder.recordClamped(fromSend, q.completedNanos - q.releasedNanos);
        PhaseRecorder.recordClamped(fromIntended, q.completedNanos - q.intendedNanos);
      }
      outstanding.decrementAndGet();
    }
  }

  private void checkOverdue() {
    long now = System.nanoTime() - epochNanos;
    for (Query q : inFlight.values()) {
      if (now - q.releasedNanos > timeoutNanos) {
        failQuietly(
            "no result for request "
                + q.id
                + " from "
                + target.stageName()
                + " within "
                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                + " ms",
            null);
        return;
      }
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception ignored) {
        // a head output that fails to close leaks nothing the pipeline does not free at close
      }
    }
  }

  private void failQuietly(String message, Throwable cause) {
    failure.record(message, cause);
  }

  private void fail(String message, Throwable cause) throws PipelineFailedException {
    failQuietly(message, cause);
    throw failure.raise(message, cause);
  }

  private void checkFailure() throws PipelineFailedException {
    failure.check();
  }

  /** Stops receiving; requests still in flight are abandoned (not recorded). Idempotent. */
  @Override
  public void close() {
    closed = true;
    receiver.interrupt();
    try {
      receiver.join(POLL.toMillis() * 5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Query q : inFlight.values()) {
      closeQuietly(q.headOutput);
    }
    inFlight.clear();
  }
}
