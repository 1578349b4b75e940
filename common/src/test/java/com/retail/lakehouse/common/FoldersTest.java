package com.retail.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FoldersTest {
  @TempDir Path tmp;

  @Test
  void deletesANestedTree() throws IOException {
    Path root = tmp.resolve("root");
    Files.createDirectories(root.resolve("a/b/c"));
    Files.createDirectories(root.resolve("empty"));
    Files.writeString(root.resolve("top.txt"), "x");
    Files.writeString(root.resolve("a/one.txt"), "1");
    Files.writeString(root.resolve("a/b/two.txt"), "2");
    Files.writeString(root.resolve("a/b/c/three.txt"), "3");
    Files.writeString(root.resolve("a/b/c/.hidden"), "h");

    Folders.deleteRecursively(root);

    assertThat(root).doesNotExist();
    assertThat(tmp).isEmptyDirectory();
  }

  @Test
  void deletesASingleFile() throws IOException {
    Path file = Files.writeString(tmp.resolve("file.txt"), "x");
    Folders.deleteRecursively(file);
    assertThat(file).doesNotExist();
  }

  @Test
  void missingFolderIsANoOp() throws IOException {
    Path missing = tmp.resolve("missing/deeper");
    Folders.deleteRecursively(missing);
    assertThat(missing).doesNotExist();
    assertThat(tmp).exists();
  }

  @Test
  void symbolicLinksAreDeletedNotFollowed() throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Path kept = Files.writeString(outside.resolve("kept.txt"), "keep me");
    Path root = Files.createDirectories(tmp.resolve("root"));
    try {
      Files.createSymbolicLink(root.resolve("link"), outside);
    } catch (UnsupportedOperationException | IOException e) {
      assumeTrue(false, "no symbolic links here: " + e);
    }

    Folders.deleteRecursively(root);

    assertThat(root).doesNotExist();
    assertThat(kept).hasContent("keep me");
  }

  @Test
  void failuresPropagateAsIoExceptions() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("root/locked"));
    Files.writeString(root.resolve("file.txt"), "x");
    try {
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("r-x------"));
    } catch (UnsupportedOperationException e) {
      assumeTrue(false, "no POSIX permissions here");
    }
    try {
      assumeTrue(!Files.isWritable(root), "running as a user who can write anywhere (root)");
      assertThatThrownBy(() -> Folders.deleteRecursively(tmp.resolve("root")))
          .isInstanceOf(IOException.class);
    } finally {
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void nullIsAProgrammingError() {
    assertThatNullPointerException()
        .isThrownBy(() -> Folders.deleteRecursively(null))
        .withMessage("dir");
  }
}
