package com.retail.lakehouse.common;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/** File-system chores the commands and tests share, such as removing a scratch folder. */
public final class Folders {
  private Folders() {}

  /**
   * Deletes {@code dir} and everything below it; does nothing if it does not exist, and files that
   * disappear meanwhile are no error. Symbolic links are deleted, never followed, so nothing
   * outside {@code dir} is touched.
   *
   * @throws IOException the first file or folder that could not be read or deleted
   * @throws NullPointerException if {@code dir} is null
   */
  public static void deleteRecursively(Path dir) throws IOException {
    Objects.requireNonNull(dir, "dir");
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE; // gone meanwhile (e.g. a process still cleaning up)
            }
            throw e;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null && !(e instanceof NoSuchFileException)) {
              throw e;
            }
            Files.deleteIfExists(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
