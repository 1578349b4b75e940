package com.retail.lakehouse.locals3;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that runs a real S3-compatible server (S3Proxy, with jclouds' filesystem
 * blobstore in a temporary folder) on a free 127.0.0.1 port, with one bucket, for the tests of the
 * S3FileIO path and the uploads of ./lakehouse deploy.
 *
 * <p>S3Proxy runs in a child JVM with the classpath the {@code local-s3} module writes to the
 * resource {@code lakehouse/s3proxy.classpath}, like the local Kafka broker: its Jetty 11, Guava 33
 * and Jackson 2.20 would clash with Hadoop's Jetty 9.4 and Beam/Spark's Jackson 2.15 in this JVM.
 * The server checks AWS signatures (v2 or v4) against {@link #accessKey()}/{@link #secretKey()}.
 */
public final class S3ServerExtension implements BeforeAllCallback, AfterAllCallback {
  private static final String CLASSPATH_RESOURCE = "/lakehouse/s3proxy.classpath";
  private static final long START_TIMEOUT_MS = 30_000;

  private final String bucket;
  private Path dir;
  private Path blobs;
  private Process process;
  private int port;

  public S3ServerExtension() {
    this("lakehouse-test");
  }

  public S3ServerExtension(String bucket) {
    this.bucket = bucket;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    if (process != null) {
      return;
    }
    dir = Files.createTempDirectory("lakehouse-s3-");
    blobs = Files.createDirectories(dir.resolve("blobs"));
    // The filesystem blobstore keeps a bucket as a folder under its base directory.
    Files.createDirectories(blobs.resolve(bucket));
    port = freePort();
    Path conf = dir.resolve("s3proxy.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "s3proxy.endpoint=" + endpoint(),
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + accessKey(),
            "s3proxy.credential=" + secretKey(),
            "jclouds.provider=filesystem-nio2",
            "jclouds.filesystem.basedir=" + blobs.toAbsolutePath(),
            ""));
    Path logback = dir.resolve("logback.xml");
    Files.writeString(
        logback,
        "<configuration><appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\">"
            + "<encoder><pattern>%d %-5level %logger{20} - %msg%n</pattern></encoder></appender>"
            + "<root level=\"WARN\"><appender-ref ref=\"OUT\"/></root></configuration>");
    Path log = dir.resolve("s3proxy.log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-Dlogback.configurationFile=" + logback.toAbsolutePath());
    command.add("-cp");
    command.add(s3proxyClasspath());
    command.add("org.gaul.s3proxy.Main");
    command.add("--properties");
    command.add(conf.toAbsolutePath().toString());
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
    while (!listening()) {
      if (!process.isAlive() || System.currentTimeMillis() > deadline) {
        String output = Files.exists(log) ? Files.readString(log) : "";
        stop();
        throw new IllegalStateException("S3Proxy did not start on " + endpoint() + ":\n" + output);
      }
      Thread.sleep(100);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    stop();
  }

  /** The server's URL, e.g. {@code http://127.0.0.1:41234}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  public String accessKey() {
    return "lakehouse-test-access";
  }

  public String secretKey() {
    return "lakehouse-test-secret";
  }

  public String bucket() {
    return bucket;
  }

  /**
   * The object keys under {@code prefix} in the bucket, read from the server's own blob storage
   * (not through S3 or Iceberg): what really landed in the object store.
   */
  public List<String> keys(String prefix) throws IOException {
    Path root = blobs.resolve(bucket);
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString().replace('\\', '/'))
          .filter(k -> k.startsWith(prefix))
          .sorted()
          .toList();
    }
  }

  /** The file the server keeps object {@code key} of the bucket in. */
  public Path blob(String key) {
    return blobs.resolve(bucket).resolve(key);
  }

  private void stop() throws IOException {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
      dir = null;
    }
  }

  private boolean listening() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String s3proxyClasspath() {
    try (InputStream in = S3ServerExtension.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            CLASSPATH_RESOURCE + " is missing: build the local-s3 module (mvn install)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
