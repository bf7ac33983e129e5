package io.paretopipe.harness.transport.grpc;

import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.paretopipe.harness.auth.AuthenticationException;
import io.paretopipe.harness.auth.Authenticator;
import io.paretopipe.harness.auth.ClientProof;
import io.paretopipe.harness.auth.SharedSecret;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The {@link Authenticator}'s challenge-response for grpc: every call to a protected service
 * carries a proof, made for that call, answering a challenge the client fetched just before.
 *
 * <pre>
 * head (client interceptor)                      stage
 *   paretopipe.auth.v1.Auth/Challenge  --------->  challengeService: newChallenge()  (no state kept)
 *                                      &lt;---------  48-byte challenge
 *   Stage/Handshake, header paretopipe-auth-bin = ClientProof(challenge, nonce,
 *       HMAC over method name + paretopipe-* headers)  ---> serverInterceptor: verify, else UNAUTHENTICATED
 *                                      &lt;---------  response headers (or trailers) paretopipe-auth-server-bin
 *   verify the server proof, else fail the call with UNAUTHENTICATED
 * </pre>
 *
 * <p><b>Why per call, with a challenge RPC.</b> grpc gives the server no turn to speak before the
 * client's first call, so the challenge is fetched with a call of its own ({@link #SERVICE_NAME}
 * {@code /Challenge}, unary, empty request, the challenge as response). The challenge is stateless
 * on the stage (see {@link Authenticator}) and single-use, so a recorded proof cannot be replayed.
 * A proof is bound to its call's full method name and every {@code paretopipe-*} request header
 * except the two auth headers (so the {@code paretopipe-session} header of an {@code Infer} stream
 * is covered: a proof for one session does not open another). It is not bound to the messages:
 * integrity of the messages, and their confidentiality, is what TLS is for. No clock is shared
 * between hosts: only the stage's own monotonic clock judges expiry. Cost: one extra round trip at
 * the start of each call (a {@code Handshake} and one {@code Infer} stream per connection).
 *
 * <p><b>Wiring.</b> Stage: add {@link #challengeService} to the server and wrap the protected
 * service definition with {@link #serverInterceptor}. Head: install {@link #clientInterceptor}
 * closest to the channel, i.e. first in {@code NettyChannelBuilder.intercept(auth, others...)} or
 * {@code ClientInterceptors.intercept(channel, auth, others...)} (both run interceptors in reverse
 * order), so that it runs last and binds the headers every other interceptor added; installed
 * elsewhere, a header added after it makes every call fail with {@code UNAUTHENTICATED}. A head
 * with a secret refuses a stage that cannot prove it holds the same one: a stage without a secret
 * answers the challenge call with {@code UNIMPLEMENTED}, which the head turns into {@code
 * UNAUTHENTICATED}.
 *
 * <p>Everything here is thread-safe; the interceptors keep no state between calls.
 */
public final class GrpcAuth {
  /** The grpc service that hands out challenges. */
  public static final String SERVICE_NAME = "paretopipe.auth.v1.Auth";

  /** Request header with the head's {@link ClientProof}, {@value ClientProof#BYTES} bytes. */
  public static final Metadata.Key<byte[]> PROOF =
      Metadata.Key.of("paretopipe-auth-bin", Metadata.BINARY_BYTE_MARSHALLER);

  /**
   * Response header (or trailer) with the stage's proof, {@value Authenticator#PROOF_BYTES} bytes.
   */
  public static final Metadata.Key<byte[]> SERVER_PROOF =
      Metadata.Key.of("paretopipe-auth-server-bin", Metadata.BINARY_BYTE_MARSHALLER);

  /**
   * The challenge call: an empty request, a {@value Authenticator#CHALLENGE_BYTES}-byte response.
   */
  static final MethodDescriptor<byte[], byte[]> CHALLENGE =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE_NAME, "Challenge"))
          .setRequestMarshaller(new BytesMarshaller(0))
          .setResponseMarshaller(new BytesMarshaller(Authenticator.CHALLENGE_BYTES))
          .setIdempotent(true)
          .build();

  private static final String BOUND_PREFIX = "paretopipe-";
  private static final byte[] LABEL =
      "paretopipe-v1 grpc call\0".getBytes(StandardCharsets.US_ASCII);

  private GrpcAuth() {}

  /** The service a stage adds next to its own so that heads can fetch challenges. */
  public static ServerServiceDefinition challengeService(Authenticator authenticator) {
    Objects.requireNonNull(authenticator, "authenticator");
    return ServerServiceDefinition.builder(SERVICE_NAME)
        .addMethod(
            CHALLENGE,
            ServerCalls.asyncUnaryCall(
                (request, out) -> {
                  if (request.length != 0) {
                    out.onError(
                        Status.INVALID_ARGUMENT
                            .withDescription("a challenge request must be empty")
                            .asRuntimeException());
                    return;
                  }
                  out.onNext(authenticator.newChallenge());
                  out.onCompleted();
                }))
        .build();
  }

  /**
   * A server interceptor that lets a call through only with a valid proof (calls to {@link
   * #SERVICE_NAME} always pass), and attaches the stage's proof to the response headers, or to the
   * trailers if the call ends without headers. A call without a valid proof is closed with {@code
   * UNAUTHENTICATED} and a description saying why, before the service sees it.
   */
  public static ServerInterceptor serverInterceptor(Authenticator authenticator) {
    Objects.requireNonNull(authenticator, "authenticator");
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
        if (SERVICE_NAME.equals(method.getServiceName())) {
          return next.startCall(call, headers);
        }
        byte[] serverProof;
        try {
          byte[] raw = headers.get(PROOF);
          if (raw == null) {
            throw new AuthenticationException(
                "this stage requires authentication: give the head the stage's "
                    + "shared secret ("
                    + SharedSecret.OPTION
                    + " FILE, or "
                    + SharedSecret.ENV_SECRET_FILE
                    + " or "
                    + SharedSecret.ENV_SECRET
                    + " in its environment)");
          }
          serverProof =
              authenticator.verify(
                  ClientProof.decode(raw), binding(method.getFullMethodName(), headers), null);
        } catch (AuthenticationException e) {
          call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
          return new ServerCall.Listener<>() {};
        }
        return next.startCall(new ProvingCall<>(call, serverProof), headers);
      }
    };
  }

  /**
   * A client interceptor that authenticates every call except those to {@link #SERVICE_NAME}: it
   * fetches a challenge over the same channel, adds the proof header, starts the real call, and
   * checks the stage's proof when the response headers (or trailers) arrive. Until the real call
   * has started, the operations the application issues are queued and then replayed in order.
   *
   * @param requireServerProof if true (the sound choice), a call whose response lacks a valid stage
   *     proof, or to a stage without the challenge service, fails with {@code UNAUTHENTICATED}
   *     instead of delivering anything
   */
  public static ClientInterceptor clientInterceptor(
      Authenticator authenticator, boolean requireServerProof) {
    Objects.requireNonNull(authenticator, "authenticator");
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        if (SERVICE_NAME.equals(method.getServiceName())) {
          return next.newCall(method, callOptions);
        }
        return new AuthenticatingCall<>(
            method, callOptions, next, authenticator, requireServerProof);
      }
    };
  }

  /**
   * The context a call's proof is bound to: a label, the full method name and every {@code
   * paretopipe-*} header but the two auth headers, keys sorted, values in order, each field
   * length-prefixed.
   */
  static byte[] binding(String fullMethodName, Metadata headers) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(LABEL);
    writeField(out, fullMethodName.getBytes(StandardCharsets.UTF_8));
    for (String key : new TreeSet<>(headers.keys())) {
      if (!key.startsWith(BOUND_PREFIX)
          || key.equals(PROOF.name())
          || key.equals(SERVER_PROOF.name())) {
        continue;
      }
      writeField(out, key.getBytes(StandardCharsets.US_ASCII));
      List<byte[]> values = new ArrayList<>();
      if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        Iterable<byte[]> all =
            headers.getAll(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER));
        if (all != null) {
          all.forEach(values::add);
        }
      } else {
        Iterable<String> all =
            headers.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
        if (all != null) {
          all.forEach(v -> values.add(v.getBytes(StandardCharsets.US_ASCII)));
        }
      }
      out.writeBytes(ByteBuffer.allocate(4).putInt(values.size()).array());
      values.forEach(v -> writeField(out, v));
    }
    return out.toByteArray();
  }

  private static void writeField(ByteArrayOutputStream out, byte[] field) {
    out.writeBytes(ByteBuffer.allocate(4).putInt(field.length).array());
    out.writeBytes(field);
  }

  /**
   * A server call that carries the stage's proof in its headers, or in its trailers if it sends
   * none.
   */
  private static final class ProvingCall<ReqT, RespT>
      extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
    private final byte[] serverProof;
    private volatile boolean headersSent;

    ProvingCall(ServerCall<ReqT, RespT> delegate, byte[] serverProof) {
      super(delegate);
      this.serverProof = serverProof;
    }

    @Override
    public void sendHeaders(Metadata headers) {
      headers.put(SERVER_PROOF, serverProof);
      headersSent = true;
      super.sendHeaders(headers);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (!headersSent) {
        trailers.put(SERVER_PROOF, serverProof);
      }
      super.close(status, trailers);
    }
  }

  /**
   * A client call that first fetches a challenge, then starts the real call with the proof header,
   * replaying whatever the application did meanwhile; and checks the stage's proof on the way back.
   */
  private static final class AuthenticatingCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {
    private final MethodDescriptor<ReqT, RespT> method;
    private final CallOptions callOptions;
    private final Channel next;
    private final Authenticator authenticator;
    private final boolean requireServerProof;
    private final Object lock = new Object();

    /** Operations issued before the real call started; guarded by lock. */
    private List<Consumer<ClientCall<ReqT, RespT>>> pending = new ArrayList<>();

    /** The real call, once started; guarded by lock until passThrough. */
    private ClientCall<ReqT, RespT> delegate;

    private volatile boolean passThrough;

    /**
     * The application's listener was closed by this class (a failure or cancel before the real
     * call); guarded by lock.
     */
    private boolean closed;

    private Listener<RespT> listener;
    private Metadata headers;
    private ClientCall<byte[], byte[]> challengeCall;

    AuthenticatingCall(
        MethodDescriptor<ReqT, RespT> method,
        CallOptions callOptions,
        Channel next,
        Authenticator authenticator,
        boolean requireServerProof) {
      this.method = method;
      this.callOptions = callOptions;
      this.next = next;
      this.authenticator = authenticator;
      this.requireServerProof = requireServerProof;
    }

    @Override
    public void start(Listener<RespT> responseListener, Metadata requestHeaders) {
      this.listener = Objects.requireNonNull(responseListener, "responseListener");
      this.headers = Objects.requireNonNull(requestHeaders, "requestHeaders");
      ClientCall<byte[], byte[]> c = next.newCall(CHALLENGE, callOptions);
      synchronized (lock) {
        if (closed) {
          return;
        }
        challengeCall = c;
        startChallenge(c);
      }
    }

    /**
     * Asks for a challenge; called under the lock, so that a concurrent cancel() reaches a started
     * call.
     */
    private void startChallenge(ClientCall<byte[], byte[]> c) {
      c.start(
          new Listener<>() {
            private byte[] challenge;

            @Override
            public void onMessage(byte[] message) {
              challenge = message;
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
              if (status.isOk() && challenge != null) {
                startAuthenticated(challenge);
              } else if (status.getCode() == Status.Code.UNIMPLEMENTED) {
                fail(
                    Status.UNAUTHENTICATED.withDescription(
                        "the stage does not authenticate (it runs without a "
                            + "shared secret, or is too old): refusing to use it, since this head has a secret"));
              } else {
                fail(
                    status.augmentDescription(
                        "while fetching an authentication challenge from the stage"));
              }
            }
          },
          new Metadata());
      c.request(1);
      c.sendMessage(new byte[0]);
      c.halfClose();
    }

    private void startAuthenticated(byte[] challenge) {
      byte[] context = binding(method.getFullMethodName(), headers);
      ClientProof proof;
      try {
        proof = authenticator.prove(challenge, context);
      } catch (AuthenticationException e) {
        fail(Status.UNAUTHENTICATED.withDescription(e.getMessage()));
        return;
      }
      headers.put(PROOF, proof.encode());
      ClientCall<ReqT, RespT> call = next.newCall(method, callOptions);
      synchronized (lock) {
        if (closed) {
          return;
        }
        // started under the lock, so that a concurrent cancel() reaches a started call
        call.start(new VerifyingListener(call, proof, context), headers);
        delegate = call;
      }
      while (true) {
        List<Consumer<ClientCall<ReqT, RespT>>> batch;
        synchronized (lock) {
          if (pending.isEmpty()) {
            passThrough = true;
            return;
          }
          batch = pending;
          pending = new ArrayList<>();
        }
        batch.forEach(op -> op.accept(call));
      }
    }

    /**
     * Closes the application's listener with {@code status}, unless the real call has started or it
     * is closed.
     */
    private void fail(Status status) {
      synchronized (lock) {
        if (closed || delegate != null) {
          return;
        }
        closed = true;
        pending.clear();
      }
      listener.onClose(status, new Metadata());
    }

    private void run(Consumer<ClientCall<ReqT, RespT>> op) {
      if (!passThrough) {
        synchronized (lock) {
          if (!passThrough) {
            if (!closed) {
              pending.add(op);
            }
            return;
          }
        }
      }
      op.accept(delegate);
    }

    @Override
    public void request(int numMessages) {
      run(c -> c.request(numMessages));
    }

    @Override
    public void sendMessage(ReqT message) {
      run(c -> c.sendMessage(message));
    }

    @Override
    public void halfClose() {
      run(ClientCall::halfClose);
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      run(c -> c.setMessageCompression(enabled));
    }

    @Override
    public void cancel(String message, Throwable cause) {
      ClientCall<ReqT, RespT> started;
      ClientCall<byte[], byte[]> fetching;
      synchronized (lock) {
        started = delegate;
        fetching = challengeCall;
        if (started == null) {
          if (closed) {
            return;
          }
          closed = true;
          pending.clear();
        }
      }
      if (started != null) {
        started.cancel(message, cause);
        return;
      }
      if (fetching != null) {
        fetching.cancel(message, cause);
      }
      if (listener != null) {
        listener.onClose(
            Status.CANCELLED.withDescription(message).withCause(cause), new Metadata());
      }
    }

    @Override
    public boolean isReady() {
      return passThrough && delegate.isReady();
    }

    @Override
    public Attributes getAttributes() {
      ClientCall<ReqT, RespT> d;
      synchronized (lock) {
        d = delegate;
      }
      return d == null ? Attributes.EMPTY : d.getAttributes();
    }

    /**
     * Passes the real call's events on once the stage has proved itself; callbacks are serialized
     * by grpc.
     */
    private final class VerifyingListener extends Listener<RespT> {
      private final ClientCall<ReqT, RespT> call;
      private final ClientProof proof;
      private final byte[] context;
      private boolean verified;
      private String failure;

      VerifyingListener(ClientCall<ReqT, RespT> call, ClientProof proof, byte[] context) {
        this.call = call;
        this.proof = proof;
        this.context = context;
      }

      private void check(Metadata metadata) {
        byte[] serverProof = metadata.get(SERVER_PROOF);
        if (serverProof == null) {
          return;
        }
        try {
          authenticator.verifyServer(proof, context, serverProof);
          verified = true;
        } catch (AuthenticationException e) {
          failure = e.getMessage();
        }
      }

      @Override
      public void onHeaders(Metadata responseHeaders) {
        check(responseHeaders);
        if (!verified && failure == null && requireServerProof) {
          failure =
              "the stage did not prove it holds the shared secret: its response carries no "
                  + SERVER_PROOF.name()
                  + " header";
        }
        if (failure != null) {
          call.cancel("the stage failed to authenticate: " + failure, null);
          return;
        }
        listener.onHeaders(responseHeaders);
      }

      @Override
      public void onMessage(RespT message) {
        if (failure == null) {
          listener.onMessage(message);
        }
      }

      @Override
      public void onReady() {
        if (failure == null) {
          listener.onReady();
        }
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        if (failure == null && !verified) {
          check(trailers);
          if (failure == null && !verified && requireServerProof && status.isOk()) {
            failure =
                "the stage did not prove it holds the shared secret: its response carries no "
                    + SERVER_PROOF.name();
          }
        }
        if (failure != null) {
          listener.onClose(Status.UNAUTHENTICATED.withDescription(failure), trailers);
        } else {
          listener.onClose(status, trailers);
        }
      }
    }
  }

  /**
   * Raw bytes as a grpc message. Parsing keeps at most {@code maxBytes + 1} bytes, enough for the
   * receiver to see that a message is too long and say so.
   */
  private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    private final int maxBytes;

    BytesMarshaller(int maxBytes) {
      this.maxBytes = maxBytes;
    }

    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try (stream) {
        return stream.readNBytes(maxBytes + 1);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
