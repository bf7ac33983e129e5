package io.paretopipe.harness.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Proofs and tags are compared in constant time. A timing test could not tell {@code
 * MessageDigest.isEqual} from {@code Arrays.equals} on 32 bytes (the difference is nanoseconds next
 * to microseconds of HMAC), so this reads the compiled {@link Authenticator} instead: the methods
 * it calls must include {@code MessageDigest.isEqual} and must not include any early-exit
 * comparison of byte arrays, buffers or strings.
 */
class ConstantTimeCompareTest {
  private static final String IS_EQUAL = "java/security/MessageDigest.isEqual([B[B)Z";

  @Test
  void theAuthenticatorComparesOnlyWithMessageDigestIsEqual() throws IOException {
    Set<String> calls = methodsCalledBy(Authenticator.class);
    assertTrue(
        calls.contains(IS_EQUAL),
        "Authenticator must compare with MessageDigest.isEqual: " + calls);
    for (String forbidden :
        new String[] {
          "java/util/Arrays.equals([B[B)Z",
          "java/util/Arrays.mismatch([B[B)I",
          "java/nio/ByteBuffer.equals(Ljava/lang/Object;)Z",
          "java/nio/ByteBuffer.compareTo(Ljava/nio/ByteBuffer;)I",
          "java/lang/String.equals(Ljava/lang/Object;)Z",
          "java/util/Objects.equals(Ljava/lang/Object;" + "Ljava/lang/Object;)Z"
        }) {
      assertFalse(
          calls.contains(forbidden),
          "Authenticator calls "
              + forbidden
              + ", which returns at the first "
              + "difference: compare secrets with MessageDigest.isEqual");
    }
  }

  @Test
  void theScannerSeesAnEarlyExitCompare() throws IOException {
    assertTrue(methodsCalledBy(EarlyExit.class).contains("java/util/Arrays.equals([B[B)Z"));
  }

  /** A deliberately wrong comparison, to show the scan would catch one. */
  private static final class EarlyExit {
    @SuppressWarnings("unused")
    static boolean same(byte[] a, byte[] b) {
      return java.util.Arrays.equals(a, b);
    }
  }

  /**
   * "owner.name(descriptor)" of every method and interface-method reference in a class's constant
   * pool.
   */
  static Set<String> methodsCalledBy(Class<?> type) throws IOException {
    String resource = type.getName().substring(type.getPackageName().length() + 1) + ".class";
    try (InputStream raw = type.getResourceAsStream(resource)) {
      if (raw == null) {
        throw new IOException("class file " + resource + " not found next to " + type.getName());
      }
      DataInputStream in = new DataInputStream(raw);
      if (in.readInt() != 0xCAFEBABE) {
        throw new IOException(resource + " is not a class file");
      }
      in.readUnsignedShort();
      in.readUnsignedShort();
      int count = in.readUnsignedShort();
      Object[] pool = new Object[count];
      int[][] refs = new int[count][];
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1 -> pool[i] = in.readUTF();
          case 3, 4 -> in.readInt();
          case 5, 6 -> {
            in.readLong();
            i++;
          }
          case 7, 8, 16, 19, 20 -> refs[i] = new int[] {tag, in.readUnsignedShort()};
          case 9, 10, 11, 12, 17, 18 ->
              refs[i] = new int[] {tag, in.readUnsignedShort(), in.readUnsignedShort()};
          case 15 -> {
            in.readUnsignedByte();
            in.readUnsignedShort();
          }
          default -> throw new IOException("unknown constant pool tag " + tag + " in " + resource);
        }
      }
      Set<String> methods = new HashSet<>();
      for (int[] r : refs) {
        if (r != null && (r[0] == 10 || r[0] == 11)) {
          String owner = (String) pool[refs[r[1]][1]];
          int[] nameAndType = refs[r[2]];
          methods.add(owner + "." + pool[nameAndType[1]] + pool[nameAndType[2]]);
        }
      }
      return methods;
    }
  }
}
