package com.retail.lakehouse.transforms.validate;

import com.retail.lakehouse.transforms.contract.EventContract;
import com.retail.lakehouse.transforms.contract.PosContract;
import com.retail.lakehouse.transforms.event.DeadLetterReason;
import com.retail.lakehouse.transforms.event.PosEventRules;
import com.retail.lakehouse.transforms.event.Rejection;
import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.source.SourceMessage;
import com.retail.lakehouse.transforms.tables.TableRowCoder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Turns Kafka messages into raw-table rows: parses each payload against the event contract, checks
 * the business rules, and sends every message that fails to the {@link #INVALID} output as a
 * dead-letter row with its original bytes, its reason and its Kafka coordinates. Nothing is
 * dropped: every input element leaves on exactly one of the two outputs.
 *
 * <p><b>Routing is a pure function of the message and its {@link RoutingSettings}</b>, never of
 * when or by which run it is read: {@code event_time} is judged "in the future" against the
 * message's Kafka timestamp (the producer's send time, or the broker's append time on a topic with
 * {@code message.timestamp.type=LogAppendTime}), not against the wall clock, and the size limit and
 * future tolerance are settings that every commit records ({@link RoutingSettings#SUMMARY_KEY}).
 * Messages of the gap between the two tables' positions, which one table already holds after a
 * crash between the two commits, are routed with the settings recorded for them ({@link
 * GapRouting}); all others with this run's. So a re-read message goes to the table it went to the
 * first time, and the skip step drops it there, or it lands in the table that does not hold it yet:
 * never in both, never in neither. The wall clock only stamps {@code ingest_time} and {@code
 * failed_at}, read once per bundle and every 1,024 messages.
 */
public final class ParseAndValidate
    extends PTransform<PCollection<SourceMessage>, PCollectionTuple> {
  /** Valid events as rows of the raw table's schema. */
  public static final TupleTag<Row> VALID = new TupleTag<>() {};

  /** Rejected messages as rows of the dead-letter table's schema. */
  public static final TupleTag<Row> INVALID = new TupleTag<>() {};

  /** Default largest payload accepted as an event. */
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

  /** Largest prefix of a rejected payload kept in the dead-letter table. */
  public static final int DEFAULT_DEAD_LETTER_KEEP_BYTES = 64 * 1024;

  private final EventContract contract;
  private final RoutingSettings settings;
  private final int deadLetterKeepBytes;
  private final GapRouting gap;

  private ParseAndValidate(
      EventContract contract, RoutingSettings settings, int deadLetterKeepBytes, GapRouting gap) {
    this.contract = contract;
    this.settings = settings;
    this.deadLetterKeepBytes = deadLetterKeepBytes;
    this.gap = gap;
  }

  /** The transform for a contract, with the default limits and rules. */
  public static ParseAndValidate of(EventContract contract) {
    if (contract == null) {
      throw new IllegalArgumentException("ParseAndValidate needs an event contract");
    }
    return new ParseAndValidate(
        contract,
        new RoutingSettings(DEFAULT_MAX_PAYLOAD_BYTES, PosEventRules.DEFAULT_FUTURE_TOLERANCE),
        DEFAULT_DEAD_LETTER_KEEP_BYTES,
        GapRouting.none());
  }

  /** The transform for the POS contract with the default limits and rules. */
  public static ParseAndValidate withDefaults() {
    return of(PosContract.INSTANCE);
  }

  /** The same transform with another maximum payload size. */
  public ParseAndValidate withMaxPayloadBytes(int bytes) {
    return withSettings(new RoutingSettings(bytes, settings.futureTolerance()));
  }

  /**
   * The same transform with another allowance for event times ahead of the message's Kafka
   * timestamp.
   */
  public ParseAndValidate withFutureTolerance(Duration tolerance) {
    return withSettings(new RoutingSettings(settings.maxPayloadBytes(), tolerance));
  }

  /** The same transform routing with {@code routing} (outside the gap). */
  public ParseAndValidate withSettings(RoutingSettings routing) {
    return new ParseAndValidate(
        contract,
        routing,
        Math.min(DEFAULT_DEAD_LETTER_KEEP_BYTES, routing.maxPayloadBytes()),
        gap);
  }

  /**
   * The same transform routing the messages of {@code recorded}'s gap with the settings recorded
   * for them (a run re-reading offsets one table already holds).
   */
  public ParseAndValidate withGapRouting(GapRouting recorded) {
    return new ParseAndValidate(contract, settings, deadLetterKeepBytes, recorded);
  }

  /** The settings this transform routes with outside the gap: what its commits must record. */
  public RoutingSettings settings() {
    return settings;
  }

  @Override
  public PCollectionTuple expand(PCollection<SourceMessage> messages) {
    PCollectionTuple outputs =
        messages.apply(
            "ParseValidateRoute",
            ParDo.of(new ParseFn(router())).withOutputTags(VALID, TupleTagList.of(INVALID)));
    outputs.get(VALID).setCoder(TableRowCoder.of(contract.rawTable()));
    outputs.get(INVALID).setCoder(TableRowCoder.of(contract.deadLetterTable()));
    return outputs;
  }

  /**
   * The same parsing and validation with both kinds of rows in one collection, each marked with its
   * table: for a job whose next step takes both (the catch-up ingest's writer).
   */
  public PTransform<PCollection<SourceMessage>, PCollection<RoutedRow>> inOneCollection() {
    ParseAndValidate settings = this;
    return new PTransform<>() {
      @Override
      public PCollection<RoutedRow> expand(PCollection<SourceMessage> messages) {
        return messages
            .apply("ParseValidateRoute", ParDo.of(new RouteFn(settings.router())))
            .setCoder(RoutedRow.Coder.of(settings.contract));
      }
    };
  }

  /** The per-message logic, for both forms and for tests. */
  Router router() {
    return new Router(contract, settings, deadLetterKeepBytes, gap);
  }

  /** Routes one message to the valid or the dead-letter output. */
  static final class ParseFn extends DoFn<SourceMessage, Row> {
    private final Router router;

    ParseFn(Router router) {
      this.router = router;
    }

    @Setup
    public void setup() {
      router.setup();
    }

    @StartBundle
    public void startBundle() {
      router.readClock();
    }

    @ProcessElement
    public void process(@Element SourceMessage message, MultiOutputReceiver out) {
      RoutedRow routed = router.route(message);
      out.get(routed.valid() ? VALID : INVALID).output(routed.row());
    }

    @FinishBundle
    public void finishBundle() {
      router.flush();
    }
  }

  /** Turns each message into a row marked with its table. */
  static final class RouteFn extends DoFn<SourceMessage, RoutedRow> {
    private final Router router;

    RouteFn(Router router) {
      this.router = router;
    }

    @Setup
    public void setup() {
      router.setup();
    }

    @StartBundle
    public void startBundle() {
      router.readClock();
    }

    @ProcessElement
    public void process(@Element SourceMessage message, OutputReceiver<RoutedRow> out) {
      out.output(router.route(message));
    }

    @FinishBundle
    public void finishBundle() {
      router.flush();
    }
  }

  /** Parses, validates and counts one message; shared by both forms of the transform. */
  static final class Router implements java.io.Serializable {
    /** How many messages may share one reading of the wall clock (besides one per bundle). */
    static final int CLOCK_EVERY = 1024;

    /**
     * What a message without a Kafka timestamp (-1: the v0 message format, which Kafka 4 no longer
     * has) is judged against: a time no event_time exceeds, so it is never "in the future".
     */
    static final Instant NO_KAFKA_TIMESTAMP = Instant.parse("9999-12-31T23:59:59.999Z");

    private final EventContract contract;
    private final RoutingSettings settings;
    private final int deadLetterKeepBytes;
    private final GapRouting gap;
    private final Counter read = MetricNames.counter(MetricNames.READ);
    private final Counter valid = MetricNames.counter(MetricNames.VALID);
    private final Counter bytes = MetricNames.counter(MetricNames.BYTES_READ);
    private transient Map<DeadLetterReason, Counter> invalidByReason;
    private transient EventContract.Validator validator;
    private transient EventContract.Validator[] gapValidators; // by GapRouting index
    private transient Schema rawSchema;
    private transient Schema deadLetterSchema;
    // ingest_time and failed_at: the wall clock, read per bundle and every CLOCK_EVERY messages
    private transient org.joda.time.Instant clock;
    private transient int sinceClockRead;
    // Counted here and handed to the metrics in batches: three metric updates per message were a
    // measurable share of the ingest's CPU.
    private transient long pendingRead;
    private transient long pendingValid;
    private transient long pendingBytes;
    private transient long pendingLive;

    Router(
        EventContract contract, RoutingSettings settings, int deadLetterKeepBytes, GapRouting gap) {
      this.contract = contract;
      this.settings = settings;
      this.deadLetterKeepBytes = deadLetterKeepBytes;
      this.gap = gap;
    }

    void setup() {
      validator = contract.newValidator(settings.maxPayloadBytes(), settings.futureTolerance());
      List<RoutingSettings> recorded = gap.recordedSettings();
      gapValidators = new EventContract.Validator[recorded.size()];
      for (int i = 0; i < gapValidators.length; i++) {
        RoutingSettings r = recorded.get(i);
        gapValidators[i] =
            r.equals(settings)
                ? validator
                : contract.newValidator(r.maxPayloadBytes(), r.futureTolerance());
      }
      rawSchema = contract.rawTable().beamSchema();
      deadLetterSchema = contract.deadLetterTable().beamSchema();
      invalidByReason = new EnumMap<>(DeadLetterReason.class);
      for (DeadLetterReason reason : DeadLetterReason.values()) {
        invalidByReason.put(reason, MetricNames.counter(MetricNames.deadLetters(reason)));
      }
    }

    /** Reads the wall clock that stamps the rows' ingest_time / failed_at. */
    void readClock() {
      clock = new org.joda.time.Instant(System.currentTimeMillis());
      sinceClockRead = 0;
    }

    /** Hands the counts of the messages routed since the last call to the metrics. */
    void flush() {
      read.inc(pendingRead);
      valid.inc(pendingValid);
      bytes.inc(pendingBytes);
      LiveCounters.add(MetricNames.READ, pendingLive);
      pendingRead = 0;
      pendingValid = 0;
      pendingBytes = 0;
      pendingLive = 0;
    }

    /** What {@code event_time} is judged against: the message's Kafka timestamp. */
    static Instant reference(SourceMessage message) {
      long timestamp = message.kafkaTimestampMillis();
      return timestamp >= 0 ? Instant.ofEpochMilli(timestamp) : NO_KAFKA_TIMESTAMP;
    }

    RoutedRow route(SourceMessage message) {
      pendingRead++;
      pendingBytes += message.value() == null ? 0 : message.value().length;
      if (++pendingLive == 1024) { // the launcher's progress line reads these while the job runs
        LiveCounters.add(MetricNames.READ, pendingLive);
        pendingLive = 0;
      }
      if (clock == null || ++sinceClockRead >= CLOCK_EVERY) {
        readClock();
      }
      EventContract.Validator rules = validator;
      if (!gap.isEmpty()) {
        int recorded = gap.indexAt(message.partition(), message.offset());
        if (recorded >= 0) {
          rules = gapValidators[recorded];
        }
      }
      Rejection rejection;
      if (message.key() == null || message.key().length == 0) {
        rejection = Rejection.of(DeadLetterReason.MISSING_KEY, "record key is null or empty");
      } else {
        try {
          EventContract.Outcome outcome = rules.validate(message.value(), reference(message));
          if (outcome.isValid()) {
            RoutedRow row = RoutedRow.valid(toRawRow(outcome.values(), message, clock));
            pendingValid++;
            return row;
          }
          rejection = outcome.rejection();
        } catch (RuntimeException e) {
          // A validator never throws by contract; if one does, its message must not stop the
          // ingest (every later run would read it again): it becomes a dead letter that says so.
          rejection =
              Rejection.of(
                  DeadLetterReason.VALIDATOR_ERROR,
                  e.getClass().getName() + ": " + String.valueOf(e.getMessage()));
        }
      }
      invalidByReason.get(rejection.reason()).inc();
      LiveCounters.add(MetricNames.INVALID, 1);
      LiveCounters.add(MetricNames.deadLetters(rejection.reason()), 1);
      return RoutedRow.deadLetter(toDeadLetterRow(message, rejection, clock));
    }

    private Row toRawRow(List<Object> fieldValues, SourceMessage m, org.joda.time.Instant now) {
      List<Object> values = new ArrayList<>(rawSchema.getFieldCount());
      values.addAll(fieldValues);
      values.add(now);
      values.add(m.topic());
      values.add(m.partition());
      values.add(m.offset());
      // attachValues skips Row.Builder's per-field type check (bench/results/profile-notes.md):
      // the values come typed from the event contract; PosEventContractTest and every coder round
      // trip in the tests check them.
      return Row.withSchema(rawSchema).attachValues(values);
    }

    private Row toDeadLetterRow(SourceMessage m, Rejection rejection, org.joda.time.Instant now) {
      byte[] value = m.value();
      int size = value == null ? 0 : value.length;
      boolean truncated = size > deadLetterKeepBytes;
      byte[] kept = truncated ? Arrays.copyOf(value, deadLetterKeepBytes) : value;
      Base64.Encoder base64 = Base64.getEncoder();
      return Row.withSchema(deadLetterSchema)
          .addValues(
              m.topic(),
              m.partition(),
              m.offset(),
              new org.joda.time.Instant(m.kafkaTimestampMillis()),
              m.key() == null ? null : base64.encodeToString(m.key()),
              kept == null ? null : base64.encodeToString(kept),
              size,
              truncated,
              rejection.reason().name(),
              rejection.message(),
              now)
          .build();
    }
  }
}
