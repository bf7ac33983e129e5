package io.paretopipe.harness.transport.grpc;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and checks the PEM files of {@link GrpcServerTls} and {@link GrpcClientTls}, so that a bad
 * file is reported when it is named (with the file, the problem and how to make a good one) rather
 * than as a TLS failure on the first connection. Accepts what grpc's Netty TLS reads without
 * BouncyCastle: X.509 certificates in {@code CERTIFICATE} blocks, and one unencrypted PKCS#8 RSA or
 * EC key in a {@code PRIVATE KEY} block. Stateless.
 */
final class PemFiles {
  /** Largest PEM file read: far more than any certificate chain or key. */
  static final int MAX_FILE_BYTES = 1 << 20;

  /** How to make a key and a self-signed certificate that fit; HOST and ADDR are the stage's. */
  static final String HOW_TO_MAKE =
      "make a self-signed certificate and key with: openssl req -x509 -newkey ec "
          + "-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out cert.pem -days 365 -subj /CN=HOST "
          + "-addext subjectAltName=DNS:HOST,IP:ADDR";

  private static final Pattern CERTIFICATE =
      Pattern.compile("-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]*)-----END CERTIFICATE-----");
  private static final Pattern PKCS8_KEY =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]*)-----END PRIVATE KEY-----");
  private static final Pattern ANY_KEY = Pattern.compile("-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----");

  private PemFiles() {}

  /**
   * The certificates in {@code file}, in file order, at least one.
   *
   * @param role what the file is for, e.g. "TLS certificate chain", for the messages
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  static List<X509Certificate> certificates(Path file, String role, String howToFix) {
    String text = read(file, role, howToFix);
    Matcher m = CERTIFICATE.matcher(text);
    List<X509Certificate> certificates = new ArrayList<>();
    CertificateFactory factory;
    try {
      factory = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("this JVM cannot read X.509 certificates", e);
    }
    while (m.find()) {
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(m.group(1));
      } catch (IllegalArgumentException e) {
        throw bad(
            role,
            file,
            "has a certificate (number "
                + (certificates.size() + 1)
                + ") that is not valid "
                + "base64: "
                + e.getMessage(),
            howToFix);
      }
      try {
        certificates.add(
            (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
      } catch (CertificateException e) {
        throw bad(
            role,
            file,
            "has a certificate (number "
                + (certificates.size() + 1)
                + ") that does not parse "
                + "as X.509: "
                + e.getMessage(),
            howToFix);
      }
    }
    if (certificates.isEmpty()) {
      String what =
          ANY_KEY.matcher(text).find()
              ? "holds a private key but no certificate (are the certificate and key files swapped?)"
              : "holds no PEM certificate (no -----BEGIN CERTIFICATE----- block; a DER certificate converts with: "
                  + "openssl x509 -inform der -in "
                  + file
                  + " -out cert.pem)";
      throw bad(role, file, what, howToFix);
    }
    return certificates;
  }

  /**
   * The private key in {@code file}, checked to belong to {@code certificate} (a signature made
   * with it verifies with the certificate's public key).
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  static PrivateKey privateKeyOf(Path file, X509Certificate certificate, Path certificateFile) {
    String role = "TLS private key";
    String text = read(file, role, HOW_TO_MAKE);
    Matcher m = PKCS8_KEY.matcher(text);
    if (!m.find()) {
      Matcher other = ANY_KEY.matcher(text);
      String kind = other.find() ? other.group(1) : null;
      String what;
      if ("ENCRYPTED PRIVATE KEY".equals(kind)) {
        what =
            "is encrypted, and a stage cannot ask for a password: decrypt it with: openssl pkey -in "
                + file
                + " -out key.pem";
      } else if (kind != null) {
        what =
            "holds a -----BEGIN "
                + kind
                + "----- block (PKCS#1 or SEC1), but grpc reads only PKCS#8 "
                + "(-----BEGIN PRIVATE KEY-----): convert it with: openssl pkcs8 -topk8 -nocrypt -in "
                + file
                + " -out key.pem";
      } else if (text.contains("-----BEGIN CERTIFICATE-----")) {
        what =
            "holds a certificate but no private key (are the certificate and key files swapped?)";
      } else {
        what = "holds no PEM private key (no -----BEGIN PRIVATE KEY----- block)";
      }
      throw bad(role, file, what, HOW_TO_MAKE);
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(m.group(1));
    } catch (IllegalArgumentException e) {
      throw bad(role, file, "holds a key that is not valid base64: " + e.getMessage(), HOW_TO_MAKE);
    }
    PublicKey publicKey = certificate.getPublicKey();
    String algorithm = publicKey.getAlgorithm();
    if (!algorithm.equals("EC") && !algorithm.equals("RSA")) {
      throw bad(
          "TLS certificate chain",
          certificateFile,
          "starts with a certificate for a "
              + algorithm
              + " key, which grpc cannot serve without BouncyCastle: use an EC (P-256) or RSA key",
          HOW_TO_MAKE);
    }
    PrivateKey key;
    try {
      key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (InvalidKeySpecException e) {
      throw bad(
          role,
          file,
          "is not a PKCS#8 "
              + algorithm
              + " key (the algorithm of the certificate in "
              + certificateFile
              + "): "
              + e.getMessage(),
          HOW_TO_MAKE);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot read " + algorithm + " keys", e);
    }
    if (!matches(key, publicKey)) {
      throw bad(
          role,
          file,
          "does not belong to the first certificate in "
              + certificateFile
              + " ("
              + certificate.getSubjectX500Principal().getName()
              + "): give the key the certificate was made for",
          HOW_TO_MAKE);
    }
    return key;
  }

  /**
   * Fails if the first certificate of a stage's chain has expired: every head would refuse it. A
   * certificate not yet valid is let through (the clocks of head and stage may disagree).
   */
  static void checkNotExpired(X509Certificate certificate, Path file) {
    try {
      certificate.checkValidity();
    } catch (CertificateExpiredException e) {
      throw bad(
          "TLS certificate chain",
          file,
          "starts with a certificate ("
              + certificate.getSubjectX500Principal().getName()
              + ") expired on "
              + certificate.getNotAfter().toInstant(),
          HOW_TO_MAKE);
    } catch (CertificateException e) {
      // not yet valid: see above
    }
  }

  private static boolean matches(PrivateKey key, PublicKey publicKey) {
    String algorithm = publicKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    byte[] probe = new byte[32];
    new SecureRandom().nextBytes(probe);
    try {
      Signature sign = Signature.getInstance(algorithm);
      sign.initSign(key);
      sign.update(probe);
      byte[] signature = sign.sign();
      Signature verify = Signature.getInstance(algorithm);
      verify.initVerify(publicKey);
      verify.update(probe);
      return verify.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // e.g. an EC key on another curve than the certificate's
    }
  }

  private static String read(Path file, String role, String howToFix) {
    if (!Files.exists(file)) {
      throw bad(role, file, "does not exist", howToFix);
    }
    if (!Files.isRegularFile(file)) {
      throw bad(role, file, "is not a regular file", howToFix);
    }
    if (!Files.isReadable(file)) {
      throw bad(
          role,
          file,
          "is not readable by this user (" + System.getProperty("user.name") + ")",
          howToFix);
    }
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw bad(
            role,
            file,
            "is "
                + size
                + " bytes, more than any PEM file of certificates or a key (at most "
                + MAX_FILE_BYTES
                + ")",
            howToFix);
      }
      return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw bad(role, file, "cannot be read: " + e, howToFix);
    }
  }

  private static IllegalArgumentException bad(
      String role, Path file, String what, String howToFix) {
    return new IllegalArgumentException(role + " " + file + " " + what + "; " + howToFix);
  }
}
