package com.retail.lakehouse.pipelines.conformance;

import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** A launcher command run in this JVM with its stderr captured: the exit code and what it said. */
public record CommandRun(int code, String stderr) {
  /** Runs {@code ./lakehouse args...} through {@link LakehouseCommand#run}, capturing stderr. */
  public static CommandRun of(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = LakehouseCommand.run(args);
    } finally {
      System.setErr(original);
    }
    return new CommandRun(code, err.toString(StandardCharsets.UTF_8).strip());
  }
}
