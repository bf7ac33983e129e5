package io.paretopipe.harness.transport.grpc;

import io.grpc.ConnectivityState;
import io.grpc.Status;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Turns a failed grpc connection into an {@link IOException} that names the stage, what went wrong
 * (TLS on one side only, an untrusted or misnamed certificate, nobody listening) and what to do.
 * Stateless.
 */
final class ConnectFailures {
  /** Longest the plaintext-vs-TLS probe of {@link #speaksTls} may take. */
  private static final int TLS_PROBE_MILLIS = 2_000;

  private ConnectFailures() {}

  /**
   * The connection attempt to {@code address} failed with {@code status} (null if unknown).
   *
   * @param target where the channel dialed, for the TLS probe of a plaintext head
   */
  static IOException describe(
      String address, InetSocketAddress target, GrpcClientTls tls, Status status) {
    Throwable cause = status == null ? null : status.getCause();
    String detail = status == null ? "no reason given" : flatten(status);
    if (tls != null) {
      if (find(cause, "NotSslRecordException") != null) {
        return new IOException(
            "stage at "
                + address
                + " does not speak TLS: it answered in plaintext (a stage "
                + "started without a TLS certificate). Connect to it without TLS (no --tls-trust), or restart it with a certificate and key (serve --tls-cert"
                + " FILE --tls-key FILE)",
            cause);
      }
      Throwable badName = find(cause, CertificateException.class, "subject alternative name");
      if (badName == null) {
        badName = find(cause, CertificateException.class, "No name matching");
      }
      if (badName != null) {
        return new IOException(
            "stage at "
                + address
                + " presented a TLS certificate that does not name the host "
                + "this head dialed ("
                + badName.getMessage()
                + "): dial a name or address the certificate lists, set the "
                + "TLS authority override to one of its names (--tls-authority NAME), or give the stage a certificate for "
                + target.getHostString(),
            cause);
      }
      if (find(cause, CertPathValidatorException.class, null) != null
          || find(cause, CertificateException.class, null) != null
          || find(cause, SSLException.class, "PKIX") != null) {
        return new IOException(
            "stage at "
                + address
                + " presented a TLS certificate this head does not trust ("
                + rootMessage(cause)
                + "): put the stage's certificate, or the CA that signed it, in "
                + tls.trustedCertificates(),
            cause);
      }
      if (find(cause, SSLException.class, null) != null) {
        return new IOException(
            "TLS handshake with stage at "
                + address
                + " failed: "
                + detail
                + ". Does the stage "
                + "run with TLS, and does this head trust its certificate ("
                + tls.trustedCertificates()
                + ")?",
            cause);
      }
    } else if (status != null
        && find(cause, java.net.ConnectException.class, null) == null
        && speaksTls(target)) {
      return new IOException(
          "stage at "
              + address
              + " speaks TLS, but this head connects in plaintext: connect "
              + "with TLS, trusting the stage's certificate (or the CA that signed it): --tls-trust FILE",
          cause);
    }
    return new IOException(
        "cannot connect to grpc stage at "
            + address
            + " ("
            + (tls == null ? "plaintext" : "TLS")
            + "): "
            + detail
            + ". Is a stage server with --transport grpc listening there?",
        cause);
  }

  /** No connection within the timeout. */
  static IOException timedOut(
      String address, long timeoutMillis, GrpcClientTls tls, ConnectivityState state) {
    return new IOException(
        "cannot connect to grpc stage at "
            + address
            + " ("
            + (tls == null ? "plaintext" : "TLS")
            + ") within "
            + timeoutMillis
            + " ms (channel "
            + state
            + "): is a stage server with --transport grpc "
            + "listening there?");
  }

  /**
   * Whether the peer at {@code target} answers a TLS handshake with a certificate. Used only to
   * explain a failed plaintext connection: it trusts nothing (the certificate is refused as soon as
   * it arrives) and sends no data; any failure counts as no.
   */
  static boolean speaksTls(InetSocketAddress target) {
    RuntimeException presented =
        new SecurityException("paretopipe TLS probe: certificate seen, trusting nothing");
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          null,
          new TrustManager[] {
            new X509TrustManager() {
              @Override
              public void checkClientTrusted(X509Certificate[] chain, String authType)
                  throws CertificateException {
                throw new CertificateException("not a server");
              }

              @Override
              public void checkServerTrusted(X509Certificate[] chain, String authType) {
                throw presented;
              }

              @Override
              public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
              }
            }
          },
          null);
      try (Socket plain = new Socket()) {
        plain.connect(
            new InetSocketAddress(target.getHostString(), target.getPort()), TLS_PROBE_MILLIS);
        plain.setSoTimeout(TLS_PROBE_MILLIS);
        try (SSLSocket tls =
            (SSLSocket)
                context
                    .getSocketFactory()
                    .createSocket(plain, target.getHostString(), target.getPort(), false)) {
          tls.startHandshake();
          return true; // unreachable: the trust manager refuses every certificate
        }
      }
    } catch (IOException | RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t == presented) {
          return true;
        }
      }
      return false;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The first throwable in the cause chain whose class (or a superclass) has this simple name. */
  private static Throwable find(Throwable chain, String simpleName) {
    for (Throwable t = chain; t != null; t = t.getCause()) {
      for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
        if (c.getSimpleName().equals(simpleName)) {
          return t;
        }
      }
    }
    return null;
  }

  /**
   * The first throwable in the cause chain of this type whose message contains {@code text} (any,
   * if null).
   */
  private static Throwable find(Throwable chain, Class<? extends Throwable> type, String text) {
    for (Throwable t = chain; t != null; t = t.getCause()) {
      if (type.isInstance(t) && (text == null || String.valueOf(t.getMessage()).contains(text))) {
        return t;
      }
    }
    return null;
  }

  private static String rootMessage(Throwable chain) {
    Throwable root = chain;
    while (root != null && root.getCause() != null) {
      root = root.getCause();
    }
    return root == null ? "no reason given" : String.valueOf(root.getMessage());
  }

  /** The status and its causes on one line. */
  static String flatten(Status status) {
    StringBuilder b = new StringBuilder(status.getCode().toString());
    if (status.getDescription() != null) {
      b.append(": ").append(status.getDescription().replaceAll("\\s+", " "));
    }
    for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
      b.append(" <- ").append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
    }
    return b.toString();
  }
}
