package com.retail.lakehouse.generator;

import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The traffic of every stream a run sends, interleaved in event-time order: the POS messages of a
 * {@link PosTrafficSimulator}, exactly as it produces them alone, and, when the configuration
 * includes {@link EventStream#INVENTORY}, the {@link InventorySimulator}'s movements, each sent
 * before the first POS message whose event_time is later (late messages aside). The inventory
 * simulator is shown every POS message as it is sent, so stock follows the very sale lines sent.
 *
 * <p>The run ends with the POS traffic ({@link GeneratorConfig#effectiveCount()} POS messages, or
 * the duration): movements due after the last POS message's event_time (a receipt still on its way)
 * are not sent. Deterministic like its simulators.
 */
public final class ChainSimulator implements Iterator<GeneratedMessage> {
  private final PosTrafficSimulator pos;
  private final InventorySimulator inventory;
  private GeneratedMessage pendingPos;
  private long clock = Long.MIN_VALUE;

  /** The chain's traffic on the system clock. */
  public ChainSimulator(GeneratorConfig config) {
    this(config, Clock.systemUTC());
  }

  /** The chain's traffic; {@code wallClock} drives the default start and live event times. */
  public ChainSimulator(GeneratorConfig config, Clock wallClock) {
    this.pos = new PosTrafficSimulator(config, wallClock);
    this.inventory =
        config.inventory() ? new InventorySimulator(config, pos.catalogue(), pos.start()) : null;
  }

  /** For tests: a chain whose inventory simulator is given. */
  ChainSimulator(PosTrafficSimulator pos, InventorySimulator inventory) {
    this.pos = pos;
    this.inventory = inventory;
  }

  /** The configuration this simulator runs. */
  public GeneratorConfig config() {
    return pos.config();
  }

  /** The stores and products. */
  public Catalogue catalogue() {
    return pos.catalogue();
  }

  /** The simulated clock's start; null in live mode. */
  public Instant start() {
    return pos.start();
  }

  /** POS messages produced so far (what {@code --count} bounds). */
  public long posSent() {
    return pos.sent();
  }

  @Override
  public boolean hasNext() {
    if (inventory == null) {
      return pos.hasNext();
    }
    fillPending();
    return pendingPos != null || inventory.hasDue(clock);
  }

  @Override
  public GeneratedMessage next() {
    if (inventory == null) {
      return pos.next();
    }
    fillPending();
    if (inventory.hasDue(clock)) {
      return inventory.next();
    }
    if (pendingPos == null) {
      throw new NoSuchElementException("the POS traffic has ended and no movement is due");
    }
    GeneratedMessage message = pendingPos;
    pendingPos = null;
    inventory.observe(message);
    return message;
  }

  private void fillPending() {
    if (pendingPos == null && pos.hasNext()) {
      pendingPos = pos.next();
      clock = Math.max(clock, pendingPos.eventMillis());
    }
  }
}
