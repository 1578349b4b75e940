package com.retail.lakehouse.generator;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.locks.LockSupport;

/**
 * A live run's messages generated ahead into a file, then sent on their schedule: for benchmarks
 * that measure a job on the same machine, so the simulation and JSON cost (over half a core at
 * 20,000 messages/s on the 2-core build machine) is paid before the measurement, not during it.
 *
 * <p>Message {@code i} is generated at a stepping clock, {@code generatedFrom + i / rate}, and
 * stamped with it as live traffic is stamped with the wall clock. Sending shifts that schedule to
 * the moment it starts: a message is sent when {@link #sendTimeOf its time} comes. A sender that
 * falls behind (a descheduled thread, a slow broker) sends the overdue messages at once instead of
 * lowering the rate, and reports how far behind it fell; an event's delay measured from its
 * scheduled send time therefore includes any lag of the sender (it can only look worse).
 */
public final class PreparedTraffic {
  private static final long MIN_PARK_NANOS = 200_000L;

  private final GeneratorConfig config;
  private final Path file;
  private final Instant generatedFrom;
  private final ManifestTally tally;
  private final long messages;
  private volatile Instant sendingFrom;

  private PreparedTraffic(
      GeneratorConfig config, Path file, Instant generatedFrom, ManifestTally tally, long n) {
    this.config = config;
    this.file = file;
    this.generatedFrom = generatedFrom;
    this.tally = tally;
    this.messages = n;
  }

  /**
   * Generates {@code config}'s live traffic (a {@code rate} and a {@code duration}, no start) into
   * {@code file}, event times starting at {@code generatedFrom}.
   */
  public static PreparedTraffic prepare(GeneratorConfig config, Instant generatedFrom, Path file)
      throws IOException {
    if (!config.live() || config.rate() <= 0) {
      throw new IllegalArgumentException(
          "prepared traffic needs a live run: a --rate above 0 and a --duration, no --start");
    }
    SteppingClock clock = new SteppingClock(generatedFrom);
    ChainSimulator simulator = new ChainSimulator(config, clock);
    ManifestTally tally = new ManifestTally(config, simulator.start());
    long nanosPerMessage = Math.max(1, Math.round(1e9 / config.rate()));
    long durationNanos = config.duration().toNanos();
    long n = 0;
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 20))) {
      for (long at = 0; at < durationNanos && simulator.hasNext(); at += nanosPerMessage) {
        clock.nanosAfterStart = at;
        GeneratedMessage message = simulator.next();
        tally.record(message);
        out.writeBoolean(message.stream() == EventStream.INVENTORY);
        out.writeLong(at);
        out.writeInt(message.key().length);
        out.write(message.key());
        out.writeInt(message.value().length);
        out.write(message.value());
        n++;
      }
    }
    return new PreparedTraffic(config, file, generatedFrom, tally, n);
  }

  /** How many messages were generated. */
  public long messages() {
    return messages;
  }

  /** The event time the generated traffic starts at. */
  public Instant generatedFrom() {
    return generatedFrom;
  }

  /**
   * The wall-clock time a message generated at {@code eventMillis} was due to be sent, once {@link
   * #send} has started.
   */
  public long sendTimeOf(long eventMillis) {
    if (sendingFrom == null) {
      throw new IllegalStateException("the traffic has not been sent yet");
    }
    return sendingFrom.toEpochMilli() + (eventMillis - generatedFrom.toEpochMilli());
  }

  /** What sending did: the manifest, and the most the sender fell behind its schedule. */
  public record Sent(Manifest manifest, Duration mostBehind) {}

  /** Sends every message on its schedule to {@code bootstrapServers}, then deletes the file. */
  public Sent send(String bootstrapServers, ProgressSink progress) throws InterruptedException {
    KafkaEventSender.ensureTopic(bootstrapServers, config.topic(), config.partitions());
    if (config.inventory()) {
      KafkaEventSender.ensureTopic(bootstrapServers, config.inventoryTopic(), config.partitions());
    }
    long mostBehind = 0;
    long sent = 0;
    RunInfo run;
    try (KafkaEventSender sender =
            new KafkaEventSender(bootstrapServers, config.topic(), config.inventoryTopic());
        DataInputStream in =
            new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20))) {
      sendingFrom = Instant.now();
      SendProgress sendProgress = new SendProgress(progress, messages, config.duration());
      long t0 = sendProgress.startNanos();
      while (true) {
        boolean inventory;
        try {
          inventory = in.readBoolean();
        } catch (EOFException end) {
          break;
        }
        long due = t0 + in.readLong();
        byte[] key = new byte[in.readInt()];
        in.readFully(key);
        byte[] value = new byte[in.readInt()];
        in.readFully(value);
        long now = System.nanoTime();
        while (due - now >= MIN_PARK_NANOS) {
          LockSupport.parkNanos(due - now);
          if (Thread.interrupted()) {
            throw new InterruptedException("interrupted while sending prepared traffic");
          }
          now = System.nanoTime();
        }
        mostBehind = Math.max(mostBehind, now - due);
        sender.send(inventory ? EventStream.INVENTORY : EventStream.POS, key, value);
        sent++;
        sendProgress.maybeReport(now, sent, sent, sender.errors());
      }
      sender.flush();
      run =
          sendProgress.finish(
              bootstrapServers, sendingFrom, sent, sent, sender.errors(), sender.firstError());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the prepared traffic in " + file, e);
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a leftover file in the bench's own folder is harmless; the next run overwrites it
    }
    return new Sent(tally.toManifest(run), Duration.ofNanos(mostBehind));
  }

  /** A clock the generator reads; it stands where {@link #prepare} puts it. */
  private static final class SteppingClock extends Clock {
    private final Instant start;
    private long nanosAfterStart;

    SteppingClock(Instant start) {
      this.start = start;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("the stepping clock is UTC only");
    }

    @Override
    public Instant instant() {
      return start.plusNanos(nanosAfterStart);
    }
  }
}
