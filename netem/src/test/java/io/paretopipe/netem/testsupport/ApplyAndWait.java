package io.paretopipe.netem.testsupport;

import io.paretopipe.format.NetworkCondition;
import io.paretopipe.netem.tc.TcShaper;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Child-process main: {@code ApplyAndWait STATE_DIR NETNS IFACE SPEC} applies the rule owned by
 * this JVM, prints {@code APPLIED <handle>}, then waits for stdin to close (the test kills it with
 * SIGKILL instead).
 */
public final class ApplyAndWait {

  private ApplyAndWait() {}

  public static void main(String[] args) throws IOException {
    TcShaper shaper =
        TcShaper.builder(args[2], NetworkCondition.parse(args[3]))
            .optNetns(args[1])
            .optStateDirectory(Path.of(args[0]))
            .apply();
    System.out.println("APPLIED " + Integer.toHexString(shaper.rule().handleMajor()));
    System.out.flush();
    while (System.in.read() >= 0) {
      // waits for the parent; a normal exit would remove the rule through close() or the shutdown
      // hook
    }
    shaper.close();
  }
}
