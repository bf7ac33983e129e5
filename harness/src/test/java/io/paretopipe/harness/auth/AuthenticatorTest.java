package io.paretopipe.harness.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.Downstream;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.transport.nio.FrameCodec;
import io.paretopipe.harness.transport.nio.HandshakeBinding;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The challenge-response: proofs verify, and every tampering, wrong secret, replay and expiry is
 * refused.
 */
public class AuthenticatorTest {
  public static final SharedSecret SECRET = secret("0123456789abcdef0123456789abcdef-lab-secret");
  public static final SharedSecret OTHER = secret("0123456789abcdef0123456789abcdef-lab-secreT");

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final Authenticator stage =
      Authenticator.builder(SECRET).optNanoClock(nanos::get).build();
  private final Authenticator head = Authenticator.create(SECRET);

  static SharedSecret secret(String s) {
    try {
      return SharedSecret.of(s.getBytes(StandardCharsets.UTF_8), "test secret");
    } catch (SecretException e) {
      throw new AssertionError(e);
    }
  }

  static Handshake handshake(int unitStart) {
    return new Handshake(
        "resnet18",
        1000,
        new int[] {3, 224, 224},
        unitStart,
        9,
        8,
        DType.FLOAT32,
        42L,
        2,
        "",
        List.of(new Downstream("10.0.0.2:7000", 9)));
  }

  private static byte[] context(Handshake h) throws Exception {
    return HandshakeBinding.of(h, Limits.DEFAULT);
  }

  @Test
  void aProofMadeWithTheSecretVerifiesBothWays() throws Exception {
    byte[] challenge = stage.newChallenge();
    assertEquals(Authenticator.CHALLENGE_BYTES, challenge.length);
    byte[] ctx = context(handshake(4));
    ClientProof proof = head.prove(challenge, ctx);
    byte[] serverProof = stage.verify(ClientProof.decode(proof.encode()), ctx, challenge);
    assertEquals(Authenticator.PROOF_BYTES, serverProof.length);
    head.verifyServer(proof, ctx, serverProof);
  }

  @Test
  void aDifferentSecretFailsOnEitherSide() throws Exception {
    byte[] challenge = stage.newChallenge();
    byte[] ctx = context(handshake(4));
    Authenticator impostor = Authenticator.create(OTHER);
    AuthenticationException e =
        assertThrows(
            AuthenticationException.class,
            () -> stage.verify(impostor.prove(challenge, ctx), ctx, challenge));
    assertTrue(
        e.getMessage().startsWith("the proof is wrong: the peer holds a different shared secret"),
        e.getMessage());
    // a stage with another secret cannot prove itself to the head
    Authenticator fakeStage = Authenticator.create(OTHER);
    byte[] fakeChallenge = fakeStage.newChallenge();
    ClientProof proof = head.prove(fakeChallenge, ctx);
    assertThrows(AuthenticationException.class, () -> fakeStage.verify(proof, ctx, fakeChallenge));
    byte[] forged = new byte[Authenticator.PROOF_BYTES];
    assertEquals(
        "the stage's proof is wrong: it holds a different shared secret, or something between us altered "
            + "the exchange",
        assertThrows(AuthenticationException.class, () -> head.verifyServer(proof, ctx, forged))
            .getMessage());
  }

  @Test
  void aProofForAnotherHandshakeFails() throws Exception {
    byte[] challenge = stage.newChallenge();
    ClientProof proof = head.prove(challenge, context(handshake(4)));
    AuthenticationException e =
        assertThrows(
            AuthenticationException.class,
            () -> stage.verify(proof, context(handshake(5)), challenge));
    assertTrue(
        e.getMessage().contains("or it made the proof for another handshake or call"),
        e.getMessage());
    // and the server proof is bound to the handshake too
    byte[] serverProof = stage.verify(proof, context(handshake(4)), challenge);
    assertThrows(
        AuthenticationException.class,
        () -> head.verifyServer(proof, context(handshake(5)), serverProof));
  }

  @Test
  void everyTamperedByteIsRefused() throws Exception {
    byte[] challenge = stage.newChallenge();
    byte[] ctx = context(handshake(4));
    byte[] wire = head.prove(challenge, ctx).encode();
    for (int i = 0; i < wire.length; i++) {
      byte[] tampered = wire.clone();
      tampered[i] ^= 0x01;
      ClientProof p = ClientProof.decode(tampered);
      AuthenticationException e =
          assertThrows(
              AuthenticationException.class, () -> stage.verify(p, ctx, null), "byte " + i);
      String expected =
          i < 24 + 8 + 16
              ? "the proof answers a challenge this stage did not issue"
              : "the proof is wrong";
      assertTrue(e.getMessage().startsWith(expected), "byte " + i + ": " + e.getMessage());
    }
    stage.verify(ClientProof.decode(wire), ctx, challenge);
  }

  @Test
  void aProofForAnotherConnectionsChallengeIsRefused() throws Exception {
    byte[] mine = stage.newChallenge();
    byte[] other = stage.newChallenge();
    ClientProof proof = head.prove(other, context(handshake(4)));
    assertEquals(
        "the proof answers another challenge than the one this stage sent on this connection",
        assertThrows(
                AuthenticationException.class,
                () -> stage.verify(proof, context(handshake(4)), mine))
            .getMessage());
  }

  @Test
  void aReplayedProofIsRefused() throws Exception {
    byte[] challenge = stage.newChallenge();
    byte[] ctx = context(handshake(4));
    ClientProof proof = head.prove(challenge, ctx);
    stage.verify(proof, ctx, null);
    assertEquals(
        "the challenge was already answered: a replayed proof is refused",
        assertThrows(AuthenticationException.class, () -> stage.verify(proof, ctx, null))
            .getMessage());
    // a second, fresh answer to the same challenge is a replay of the challenge too
    ClientProof again = head.prove(challenge, ctx);
    assertThrows(AuthenticationException.class, () -> stage.verify(again, ctx, challenge));
  }

  @Test
  void anExpiredChallengeIsRefused() throws Exception {
    byte[] challenge = stage.newChallenge();
    byte[] ctx = context(handshake(4));
    ClientProof proof = head.prove(challenge, ctx);
    nanos.addAndGet(30_000_000_000L);
    ClientProof atTheDeadline = head.prove(challenge, ctx);
    stage.verify(atTheDeadline, ctx, challenge);
    byte[] late = stage.newChallenge();
    nanos.addAndGet(30_000_000_000L + 250_000_000L);
    assertEquals(
        "the challenge expired 250 ms ago: a challenge must be answered within 30000 ms",
        assertThrows(
                AuthenticationException.class, () -> stage.verify(head.prove(late, ctx), ctx, late))
            .getMessage());
    assertTrue(proof.toString().startsWith("ClientProof["));
  }

  @Test
  void aChallengeFromBeforeARestartIsRefused() throws Exception {
    byte[] challenge = stage.newChallenge();
    Authenticator restarted = Authenticator.builder(SECRET).optNanoClock(nanos::get).build();
    byte[] ctx = context(handshake(4));
    AuthenticationException e =
        assertThrows(
            AuthenticationException.class,
            () -> restarted.verify(head.prove(challenge, ctx), ctx, null));
    assertTrue(
        e.getMessage().contains("did not issue (or issued before it restarted)"), e.getMessage());
  }

  @Test
  void theReplayCacheIsBoundedAndForgetsExpiredChallenges() throws Exception {
    Authenticator small =
        Authenticator.builder(SECRET)
            .optNanoClock(nanos::get)
            .optMaxReplayEntries(2)
            .optChallengeTtlMillis(1_000)
            .build();
    byte[] ctx = new byte[] {1, 2, 3};
    small.verify(head.prove(small.newChallenge(), ctx), ctx, null);
    small.verify(head.prove(small.newChallenge(), ctx), ctx, null);
    byte[] third = small.newChallenge();
    assertEquals(
        "more than 2 authentications within 1000 ms: refusing until some challenges expire",
        assertThrows(
                AuthenticationException.class,
                () -> small.verify(head.prove(third, ctx), ctx, null))
            .getMessage());
    nanos.addAndGet(1_500_000_000L);
    small.verify(head.prove(small.newChallenge(), ctx), ctx, null);
  }

  @Test
  void challengesAreUniqueAndCarryTheirExpiry() {
    Set<ByteBuffer> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      byte[] c = stage.newChallenge();
      assertTrue(seen.add(ByteBuffer.wrap(c)), "challenge repeated");
      assertEquals(nanos.get() + 30_000_000_000L, ByteBuffer.wrap(c, 24, 8).getLong());
    }
  }

  @Test
  void malformedWireFormsAreAuthenticationErrors() throws Exception {
    assertEquals(
        "malformed authentication proof: 111 bytes where 112 are expected",
        assertThrows(AuthenticationException.class, () -> ClientProof.decode(new byte[111]))
            .getMessage());
    assertEquals(
        "malformed authentication proof: none where 112 are expected",
        assertThrows(AuthenticationException.class, () -> ClientProof.decode(null)).getMessage());
    assertEquals(
        "the stage sent a malformed challenge: 47 bytes where 48 are expected",
        assertThrows(AuthenticationException.class, () -> head.prove(new byte[47], new byte[0]))
            .getMessage());
    ClientProof p = head.prove(stage.newChallenge(), new byte[0]);
    assertEquals(
        "the stage did not prove it holds the shared secret: its proof is missing",
        assertThrows(AuthenticationException.class, () -> head.verifyServer(p, new byte[0], null))
            .getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new ClientProof(new byte[48], new byte[31], new byte[32]));
    assertEquals(p, ClientProof.decode(p.encode()));
  }

  @Test
  void aClientProofIsNotAcceptedAsAServerProof() throws Exception {
    byte[] challenge = stage.newChallenge();
    byte[] ctx = context(handshake(4));
    ClientProof proof = head.prove(challenge, ctx);
    // a stage that reflects the head's own proof back must not pass as knowing the secret
    assertThrows(AuthenticationException.class, () -> head.verifyServer(proof, ctx, proof.proof()));
  }

  @Test
  void theHandshakeBindingIsTheFrameOnTheWire() throws Exception {
    Handshake h = handshake(4);
    ByteBuffer frame = FrameCodec.encode(h, Limits.DEFAULT);
    byte[] wire = new byte[frame.remaining()];
    frame.get(wire);
    assertArrayEquals(wire, HandshakeBinding.of(h, Limits.DEFAULT));
    assertFalse(java.util.Arrays.equals(wire, HandshakeBinding.of(handshake(5), Limits.DEFAULT)));
  }
}
