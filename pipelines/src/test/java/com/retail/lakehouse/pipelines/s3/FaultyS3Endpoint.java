package com.retail.lakehouse.pipelines.s3;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fault-injecting forwarder on 127.0.0.1 in front of the S3 test server ({@link
 * com.retail.lakehouse.locals3.S3ServerExtension}): S3FileIO is pointed at {@link #endpoint()}, and
 * each request is either passed on byte for byte or met with the fault the test planned for its
 * kind ({@link #inject}), and every request is counted by kind.
 *
 * <p>Hand-written because no served library injects faults into S3 traffic without changing that
 * traffic: toxiproxy is a Go binary, not a Maven artifact; WireMock (served) proxies by reading the
 * whole request and re-sending it through its own HTTP client, without the client's Content-Length
 * and Transfer-Encoding (the body is re-framed), so the signature-checking server would not get
 * what the AWS SDK sent, and its faults come only after the whole body was read (never while the
 * client waits on {@code Expect: 100-continue}). This forwarder reads only a request's head (to
 * classify it), changes only its {@code Connection} header, and copies every other byte as it
 * comes.
 *
 * <p>One request per connection: the head sent on says {@code Connection: close}, so the server
 * closes after its response (whose {@code Connection: close} tells the client not to reuse the
 * connection). That is what lets every request be seen without parsing bodies: chunked and
 * aws-chunked bodies and 100-continue pass through untouched.
 */
public final class FaultyS3Endpoint implements AutoCloseable {
  /** What an S3 request does to an Iceberg table, read from its method and key. */
  public enum Request {
    /** PUT of a Parquet data file (or of a part of one). */
    DATA_FILE_PUT,
    /** PUT of an Avro manifest or manifest list under {@code metadata/}. */
    MANIFEST_PUT,
    /** PUT of a {@code *.metadata.json}: table creation, a property change, a commit. */
    TABLE_METADATA_PUT,
    /** Anything else: reads, listings, deletes. */
    OTHER;

    static Request of(String method, String path) {
      if (method.equals("PUT")) {
        if (path.endsWith(".parquet")) {
          return DATA_FILE_PUT;
        }
        if (path.contains("/metadata/") && path.endsWith(".avro")) {
          return MANIFEST_PUT;
        }
        if (path.endsWith(".metadata.json")) {
          return TABLE_METADATA_PUT;
        }
      }
      return OTHER;
    }
  }

  /** What happens to a request that a planned fault meets. */
  public enum Fault {
    /** The connection is reset (SO_LINGER 0) once the request's head arrived: S3 never sees it. */
    RESET_BEFORE_FORWARDING,
    /** The request reaches S3, which stores it; the connection is reset instead of the answer. */
    RESET_AFTER_SERVER_ANSWERED,
    /** {@code 503 SlowDown} with S3's XML error body: S3 never sees the request. */
    SLOW_DOWN
  }

  /** Passed to {@link #inject} for a fault that meets every matching request until lifted. */
  public static final int FOREVER = Integer.MAX_VALUE;

  private static final int MAX_HEAD_BYTES = 64 * 1024;

  private record Rule(Fault fault, Request request, AtomicLong remaining) {}

  private final int upstreamPort;
  private final ServerSocket listener;
  private final ExecutorService threads;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final List<Rule> plan = new ArrayList<>();
  private final AtomicLongArray seen = new AtomicLongArray(Request.values().length);
  private final AtomicLongArray injected =
      new AtomicLongArray(Fault.values().length * Request.values().length);

  private FaultyS3Endpoint(int upstreamPort) throws IOException {
    this.upstreamPort = upstreamPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "faulty-s3-endpoint");
              t.setDaemon(true);
              return t;
            });
    threads.execute(this::accept);
  }

  /** Starts a forwarder to {@code endpoint} (an {@code http://127.0.0.1:port} URL). */
  public static FaultyS3Endpoint inFrontOf(String endpoint) throws IOException {
    return new FaultyS3Endpoint(URI.create(endpoint).getPort());
  }

  /** The URL to give S3FileIO as {@code s3.endpoint}. */
  public String endpoint() {
    return "http://127.0.0.1:" + listener.getLocalPort();
  }

  /**
   * Plans {@code fault} for the next {@code times} requests of kind {@code request} ({@link
   * #FOREVER}: every one until {@link #liftFaults}). Planned faults meet requests in the order they
   * were planned: the first rule for a kind with faults left takes the request.
   */
  public synchronized void inject(Fault fault, Request request, int times) {
    plan.add(new Rule(fault, request, new AtomicLong(times)));
  }

  /** Drops every planned fault: from now on every request passes through. */
  public synchronized void liftFaults() {
    plan.clear();
  }

  /** How many requests of this kind arrived (faulted or not). */
  public long seen(Request request) {
    return seen.get(request.ordinal());
  }

  /** How many requests of this kind met this fault. */
  public long injected(Fault fault, Request request) {
    return injected.get(fault.ordinal() * Request.values().length + request.ordinal());
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : open) {
      s.close();
    }
    threads.shutdownNow();
  }

  private synchronized Fault nextFault(Request request) {
    for (Rule rule : plan) {
      if (rule.request() == request && rule.remaining().get() > 0) {
        if (rule.remaining().get() != FOREVER) {
          rule.remaining().decrementAndGet();
        }
        injected.incrementAndGet(
            rule.fault().ordinal() * Request.values().length + request.ordinal());
        return rule.fault();
      }
    }
    return null;
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        open.add(client);
        threads.execute(() -> serve(client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      InputStream fromClient = new BufferedInputStream(client.getInputStream());
      byte[] head = readHead(fromClient);
      if (head == null) {
        return; // the client closed an idle connection
      }
      String[] requestLine = firstLine(head).split(" ");
      String method = requestLine[0];
      String path = requestLine.length > 1 ? requestLine[1].replaceFirst("\\?.*", "") : "";
      Request request = Request.of(method, path);
      seen.incrementAndGet(request.ordinal());
      Fault fault = nextFault(request);
      if (fault == Fault.RESET_BEFORE_FORWARDING) {
        reset(client);
      } else if (fault == Fault.SLOW_DOWN) {
        slowDown(client, fromClient, method);
      } else {
        forward(client, fromClient, head, fault == Fault.RESET_AFTER_SERVER_ANSWERED);
      }
    } catch (IOException e) {
      // A peer went away mid-request: the client sees a closed connection, as it would from S3.
    } finally {
      open.remove(client);
    }
  }

  private void forward(Socket client, InputStream fromClient, byte[] head, boolean resetAnswer)
      throws IOException {
    try (Socket server = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
      open.add(server);
      OutputStream toServer = server.getOutputStream();
      toServer.write(withConnectionClose(head));
      toServer.flush();
      // The rest of the request (its body, after a 100 Continue if the client asked for one).
      threads.execute(
          () -> {
            try {
              fromClient.transferTo(toServer);
              server.shutdownOutput();
            } catch (IOException e) {
              // one of the two sockets closed: the exchange is over
            }
          });
      InputStream fromServer = new BufferedInputStream(server.getInputStream());
      OutputStream toClient = client.getOutputStream();
      if (!resetAnswer) {
        fromServer.transferTo(toClient);
        return;
      }
      // Pass interim answers (100 Continue) on, so the body is sent and stored; then, as soon as
      // the final answer's head arrives (the server has handled the request), reset instead.
      byte[] answer;
      while ((answer = readHead(fromServer)) != null
          && firstLine(answer).startsWith("HTTP/1.1 1")) {
        toClient.write(answer);
        toClient.flush();
      }
      reset(client);
    } finally {
      open.removeIf(Socket::isClosed);
    }
  }

  private static void slowDown(Socket client, InputStream fromClient, String method)
      throws IOException {
    byte[] body =
        ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
                + "<Message>Please reduce your request rate.</Message>"
                + "<RequestId>FAULTYS3ENDPOINT</RequestId><HostId>faulty-s3-endpoint</HostId>"
                + "</Error>")
            .getBytes(StandardCharsets.UTF_8);
    String head =
        "HTTP/1.1 503 Slow Down\r\n"
            + "Content-Type: application/xml\r\n"
            + "Content-Length: "
            + body.length
            + "\r\n"
            + "x-amz-request-id: FAULTYS3ENDPOINT\r\n"
            + "Connection: close\r\n\r\n";
    OutputStream toClient = client.getOutputStream();
    toClient.write(head.getBytes(StandardCharsets.ISO_8859_1));
    if (!method.equals("HEAD")) {
      toClient.write(body);
    }
    toClient.flush();
    // Half-close and read what the client still sends (a body it did not hold back for
    // 100-continue) until it closes: closing with unread bytes would reset the connection, and the
    // client would see a reset instead of the 503.
    client.shutdownOutput();
    client.setSoTimeout(10_000);
    fromClient.transferTo(OutputStream.nullOutputStream());
  }

  private static void reset(Socket socket) throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  /** The bytes up to and including the blank line that ends an HTTP head; null at a clean EOF. */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0; // how much of "\r\n\r\n" the last bytes were
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        if (head.size() == 0) {
          return null;
        }
        throw new EOFException("connection closed inside an HTTP head");
      }
      head.write(b);
      if (head.size() > MAX_HEAD_BYTES) {
        throw new IOException("HTTP head longer than " + MAX_HEAD_BYTES + " bytes");
      }
      matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toByteArray();
  }

  private static String firstLine(byte[] head) {
    String text = new String(head, StandardCharsets.ISO_8859_1);
    return text.substring(0, text.indexOf("\r\n"));
  }

  /** The head with its Connection and Keep-Alive headers replaced by {@code Connection: close}. */
  private static byte[] withConnectionClose(byte[] head) {
    String text = new String(head, StandardCharsets.ISO_8859_1);
    StringBuilder out = new StringBuilder();
    for (String line : text.substring(0, text.length() - 4).split("\r\n")) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (!lower.startsWith("connection:") && !lower.startsWith("keep-alive:")) {
        out.append(line).append("\r\n");
      }
    }
    out.append("Connection: close\r\n\r\n");
    return out.toString().getBytes(StandardCharsets.ISO_8859_1);
  }
}
