package com.retail.lakehouse.common;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The SQL text a command was given, the one way every SQL command of the launcher takes it: as
 * arguments (joined with spaces) or from {@code -f FILE} ({@code -} is standard input), never both;
 * a file that cannot be read is a {@link UsageException} naming it.
 */
public final class SqlScript {
  private SqlScript() {}

  /** The text of {@code file} when given, else the {@code arguments} joined with spaces. */
  public static String read(String file, List<String> arguments) {
    if (file != null && !arguments.isEmpty()) {
      throw new UsageException("give the SQL either as an argument or with -f, not both");
    }
    if (file == null) {
      return String.join(" ", arguments);
    }
    try {
      if (file.equals("-")) {
        return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
      }
      return Files.readString(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new UsageException("no such file: " + file);
    } catch (IOException e) {
      throw new UsageException("cannot read " + file + ": " + e.getMessage());
    }
  }
}
