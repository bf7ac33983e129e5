package io.paretopipe.harness.auth;

import io.paretopipe.harness.transport.grpc.GrpcAuth;
import io.paretopipe.harness.transport.nio.HandshakeBinding;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 challenge-response over a {@link SharedSecret}, for both sides of a connection.
 *
 * <pre>
 * stage                                              head
 *   challenge = newChallenge()  ----------------->   proof = prove(challenge, context)
 *                               &lt;-----------------   proof.encode()
 *   serverProof = verify(proof, context, challenge)
 *                               ----------------->   verifyServer(proof, context, serverProof)
 * </pre>
 *
 * <p><b>The bytes.</b> With {@code key} the shared secret and {@code digest = SHA-256(context)}:
 *
 * <pre>
 * challenge   = random[24] || expiresAt[8] || HMAC(challengeKey, "paretopipe-v1 challenge\0" || random || expiresAt)[0..16]
 * clientProof = HMAC(key, "paretopipe-v1 client proof\0" || challenge || clientNonce[32] || digest)
 * serverProof = HMAC(key, "paretopipe-v1 server proof\0" || challenge || clientNonce || digest)
 * </pre>
 *
 * Every field has a fixed length, so the concatenations are unambiguous; the two labels differ, so
 * a server proof is never accepted as a client proof (no reflection). {@code context} is whatever
 * both sides agree the exchange is about (the HANDSHAKE frame, {@link HandshakeBinding#of}; a grpc
 * call's method and headers, {@link GrpcAuth}): a proof made for one context does not verify for
 * another.
 *
 * <p><b>Freshness and replay.</b> A challenge carries its own expiry, measured on this process's
 * monotonic clock, and a tag under {@code challengeKey}, 32 random bytes drawn when this object is
 * built: the stage can check that a challenge it gets back is one it issued and is still fresh
 * without remembering the challenges it handed out, so unauthenticated peers cost it no memory.
 * Each challenge can be answered successfully once: after a proof verifies, its challenge is kept
 * in a replay cache until it expires, and a second proof for it is refused. Only peers that hold
 * the secret can add entries (the proof is checked first); the cache holds at most {@link
 * Builder#optMaxReplayEntries} of them. A restarted stage has a new {@code challengeKey}, so
 * challenges from before the restart are refused.
 *
 * <p><b>Comparisons.</b> Every comparison of a received tag or proof with the expected one is
 * {@link MessageDigest#isEqual}, whose running time does not depend on where the bytes differ.
 *
 * <p>Thread-safe: one instance serves every connection of a process. Each call takes a few
 * microseconds (two or three HMACs and a SHA-256).
 */
public final class Authenticator {
  /** The JCA name of the MAC. */
  static final String HMAC = "HmacSHA256";

  /** Size of a challenge: 24 random bytes, an 8-byte expiry, a 16-byte tag. */
  public static final int CHALLENGE_BYTES = 48;

  /** Size of the head's nonce. */
  public static final int NONCE_BYTES = 32;

  /** Size of a proof (an HMAC-SHA256 output). */
  public static final int PROOF_BYTES = 32;

  /** How long a challenge can be answered by default, milliseconds. */
  public static final long DEFAULT_CHALLENGE_TTL_MILLIS = 30_000;

  /** Most challenges kept in the replay cache by default. */
  public static final int DEFAULT_MAX_REPLAY_ENTRIES = 65_536;

  private static final int RANDOM_BYTES = 24;
  private static final int TAG_BYTES = 16;
  private static final byte[] LABEL_CHALLENGE = label("paretopipe-v1 challenge");
  private static final byte[] LABEL_CLIENT = label("paretopipe-v1 client proof");
  private static final byte[] LABEL_SERVER = label("paretopipe-v1 server proof");

  private final SharedSecret secret;
  private final byte[] challengeKey = new byte[32];
  private final SecureRandom random;
  private final LongSupplier nanoClock;
  private final long ttlNanos;
  private final int maxReplayEntries;

  /** Answered challenges (by tag) and when they expire; insertion order. Guarded by itself. */
  private final LinkedHashMap<ByteBuffer, Long> answered = new LinkedHashMap<>();

  private Authenticator(Builder b) {
    this.secret = b.secret;
    this.random = b.random;
    this.nanoClock = b.nanoClock;
    this.ttlNanos = b.ttlMillis * 1_000_000L;
    this.maxReplayEntries = b.maxReplayEntries;
    random.nextBytes(challengeKey);
  }

  /** An authenticator with the default challenge lifetime and replay cache size. */
  public static Authenticator create(SharedSecret secret) {
    return builder(secret).build();
  }

  /** A builder; {@code secret} is required. */
  public static Builder builder(SharedSecret secret) {
    return new Builder(secret);
  }

  /** The secret this authenticator proves and checks knowledge of. */
  public SharedSecret secret() {
    return secret;
  }

  // ---- stage side ----

  /**
   * A fresh challenge of {@value #CHALLENGE_BYTES} bytes to send to a peer; it can be answered
   * once, within the challenge lifetime. Costs no memory on this side.
   */
  public byte[] newChallenge() {
    byte[] challenge = new byte[CHALLENGE_BYTES];
    byte[] nonce = new byte[RANDOM_BYTES];
    random.nextBytes(nonce);
    System.arraycopy(nonce, 0, challenge, 0, RANDOM_BYTES);
    ByteBuffer.wrap(challenge, RANDOM_BYTES, 8).putLong(nanoClock.getAsLong() + ttlNanos);
    System.arraycopy(challengeTag(challenge), 0, challenge, RANDOM_BYTES + 8, TAG_BYTES);
    return challenge;
  }

  /**
   * Checks a peer's proof, in this order: that it answers {@code expectedChallenge} (if given),
   * that the challenge was issued by this authenticator and has not expired, that the proof was
   * made with the shared secret for {@code context}, and that the challenge was not answered
   * before. A proof that passes marks its challenge as answered.
   *
   * @param context the bytes the exchange is about, as the peer saw them
   * @param expectedChallenge the challenge sent on this connection, or null where the peer names it
   *     (grpc calls, which carry the challenge in the proof)
   * @return the {@value #PROOF_BYTES}-byte server proof to send back, for mutual authentication
   * @throws AuthenticationException saying which check failed
   */
  public byte[] verify(ClientProof proof, byte[] context, byte[] expectedChallenge)
      throws AuthenticationException {
    Objects.requireNonNull(proof, "proof");
    Objects.requireNonNull(context, "context");
    byte[] challenge = proof.challenge();
    if (expectedChallenge != null && !MessageDigest.isEqual(expectedChallenge, challenge)) {
      throw new AuthenticationException(
          "the proof answers another challenge than the one this stage sent on "
              + "this connection");
    }
    byte[] tag = Arrays.copyOfRange(challenge, RANDOM_BYTES + 8, CHALLENGE_BYTES);
    if (!MessageDigest.isEqual(challengeTag(challenge), tag)) {
      throw new AuthenticationException(
          "the proof answers a challenge this stage did not issue (or issued "
              + "before it restarted): ask for a new challenge");
    }
    long expiresAt = ByteBuffer.wrap(challenge, RANDOM_BYTES, 8).getLong();
    long now = nanoClock.getAsLong();
    if (now - expiresAt > 0) {
      throw new AuthenticationException(
          "the challenge expired "
              + (now - expiresAt) / 1_000_000
              + " ms ago: a "
              + "challenge must be answered within "
              + ttlNanos / 1_000_000
              + " ms");
    }
    byte[] digest = sha256(context);
    byte[] expected = mac(secret.key(), LABEL_CLIENT, challenge, proof.clientNonce(), digest);
    if (!MessageDigest.isEqual(expected, proof.proof())) {
      throw new AuthenticationException(
          "the proof is wrong: the peer holds a different shared secret (compare "
              + "the fingerprints both sides print), or it made the proof for another handshake or call");
    }
    synchronized (answered) {
      for (Iterator<Map.Entry<ByteBuffer, Long>> it = answered.entrySet().iterator();
          it.hasNext(); ) {
        if (now - it.next().getValue() > 0) {
          it.remove();
        } else {
          break;
        }
      }
      ByteBuffer key = ByteBuffer.wrap(tag);
      if (answered.containsKey(key)) {
        throw new AuthenticationException(
            "the challenge was already answered: a replayed proof is refused");
      }
      if (answered.size() >= maxReplayEntries) {
        throw new AuthenticationException(
            "more than "
                + maxReplayEntries
                + " authentications within "
                + ttlNanos / 1_000_000
                + " ms: refusing until some challenges expire");
      }
      answered.put(key, expiresAt);
    }
    return mac(secret.key(), LABEL_SERVER, challenge, proof.clientNonce(), digest);
  }

  // ---- head side ----

  /**
   * Answers a stage's challenge for {@code context} with a fresh client nonce.
   *
   * @throws AuthenticationException if the challenge is not {@value #CHALLENGE_BYTES} bytes long
   */
  public ClientProof prove(byte[] challenge, byte[] context) throws AuthenticationException {
    Objects.requireNonNull(context, "context");
    if (challenge == null || challenge.length != CHALLENGE_BYTES) {
      throw new AuthenticationException(
          "the stage sent a malformed challenge: "
              + (challenge == null ? "none" : challenge.length + " bytes")
              + " where "
              + CHALLENGE_BYTES
              + " are expected");
    }
    byte[] clientNonce = new byte[NONCE_BYTES];
    random.nextBytes(clientNonce);
    return new ClientProof(
        challenge,
        clientNonce,
        mac(secret.key(), LABEL_CLIENT, challenge, clientNonce, sha256(context)));
  }

  /**
   * Checks the stage's answer to {@code sent}: proof that the stage, too, holds the secret, made
   * for this very challenge, client nonce and context.
   *
   * @throws AuthenticationException if {@code serverProof} is missing, malformed or wrong
   */
  public void verifyServer(ClientProof sent, byte[] context, byte[] serverProof)
      throws AuthenticationException {
    Objects.requireNonNull(sent, "sent");
    Objects.requireNonNull(context, "context");
    if (serverProof == null || serverProof.length != PROOF_BYTES) {
      throw new AuthenticationException(
          "the stage did not prove it holds the shared secret: its proof is "
              + (serverProof == null
                  ? "missing"
                  : serverProof.length + " bytes, not " + PROOF_BYTES));
    }
    byte[] expected =
        mac(secret.key(), LABEL_SERVER, sent.challenge(), sent.clientNonce(), sha256(context));
    if (!MessageDigest.isEqual(expected, serverProof)) {
      throw new AuthenticationException(
          "the stage's proof is wrong: it holds a different shared secret, or "
              + "something between us altered the exchange");
    }
  }

  // ---- crypto ----

  private byte[] challengeTag(byte[] challenge) {
    return Arrays.copyOf(
        mac(challengeKey, LABEL_CHALLENGE, Arrays.copyOf(challenge, RANDOM_BYTES + 8)), TAG_BYTES);
  }

  private static byte[] mac(byte[] key, byte[]... parts) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(key, HMAC));
      for (byte[] p : parts) {
        mac.update(p);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot compute " + HMAC, e);
    }
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot compute SHA-256", e);
    }
  }

  private static byte[] label(String text) {
    return (text + '\0').getBytes(StandardCharsets.US_ASCII);
  }

  /** Options of an {@link Authenticator}; {@code opt*} methods are optional. */
  public static final class Builder {
    private final SharedSecret secret;
    private long ttlMillis = DEFAULT_CHALLENGE_TTL_MILLIS;
    private int maxReplayEntries = DEFAULT_MAX_REPLAY_ENTRIES;
    private SecureRandom random = new SecureRandom();
    private LongSupplier nanoClock = System::nanoTime;

    private Builder(SharedSecret secret) {
      this.secret = Objects.requireNonNull(secret, "secret");
    }

    /**
     * How long a challenge can be answered, milliseconds, &gt;= 1; default {@value
     * #DEFAULT_CHALLENGE_TTL_MILLIS}.
     */
    public Builder optChallengeTtlMillis(long millis) {
      if (millis < 1 || millis > 3_600_000) {
        throw new IllegalArgumentException(
            "challengeTtlMillis: " + millis + " (expected: 1..3600000)");
      }
      this.ttlMillis = millis;
      return this;
    }

    /**
     * Most answered challenges remembered at once, &gt;= 1; default {@value
     * #DEFAULT_MAX_REPLAY_ENTRIES}.
     */
    public Builder optMaxReplayEntries(int entries) {
      if (entries < 1) {
        throw new IllegalArgumentException("maxReplayEntries: " + entries + " (expected: >= 1)");
      }
      this.maxReplayEntries = entries;
      return this;
    }

    /**
     * The clock challenges expire by, nanoseconds (monotonic); default {@link System#nanoTime}. For
     * tests.
     */
    Builder optNanoClock(LongSupplier clock) {
      this.nanoClock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Authenticator build() {
      return new Authenticator(this);
    }
  }
}
