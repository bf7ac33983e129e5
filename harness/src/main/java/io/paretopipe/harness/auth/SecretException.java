package io.paretopipe.harness.auth;

/**
 * The shared secret cannot be used: a file that is missing, unreadable, readable by other users,
 * empty, too short or too long, or an environment variable that is empty or too short. The message
 * names the source (the file's path or the variable's name), what is wrong and how to fix it.
 */
public final class SecretException extends Exception {
  private static final long serialVersionUID = 1L;

  public SecretException(String message) {
    super(message);
  }

  public SecretException(String message, Throwable cause) {
    super(message, cause);
  }
}
