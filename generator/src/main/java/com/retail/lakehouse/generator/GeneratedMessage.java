package com.retail.lakehouse.generator;

import com.retail.lakehouse.transforms.event.PosEvent;

/**
 * One Kafka message the simulator produced: its key (the store id, UTF-8) and value bytes, plus
 * what it is, so senders and tests can account for it without re-parsing.
 *
 * <p>Records compare arrays by identity: compare {@code key} and {@code value} with {@link
 * java.util.Arrays#equals(byte[], byte[])}.
 *
 * @param key the Kafka key: the store id in UTF-8, for every kind of message
 * @param value the Kafka value: an event's JSON, or the corrupted bytes of a malformed message
 * @param kind what the message is
 * @param event the sale line a valid, late or duplicate message carries; for a malformed message,
 *     the line it was corrupted from
 * @param malformedKind how a malformed message was corrupted; null for other kinds
 */
public record GeneratedMessage(
    byte[] key, byte[] value, MessageKind kind, PosEvent event, MalformedKind malformedKind) {}
