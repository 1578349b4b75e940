package com.retail.lakehouse.transforms.tables;

import com.retail.lakehouse.common.Failures;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.event.PosEventSchema.Field;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.types.Types;

/**
 * Everything that defines one lakehouse table, kept together as Iceberg keeps it: identifier,
 * columns (from which both the Beam and the Iceberg schema derive), partition spec and properties.
 */
public final class TableDefinition implements Serializable {
  /**
   * Properties every table gets: format v2 (what Athena reads), Parquet + zstd, bounded metadata.
   */
  public static final Map<String, String> COMMON_PROPERTIES =
      Map.of(
          "format-version", "2",
          "write.format.default", "parquet",
          "write.parquet.compression-codec", "zstd",
          "write.target-file-size-bytes", String.valueOf(128L * 1024 * 1024),
          // Unique columns (event_id, transaction_id) overflow any dictionary; a small one makes
          // Parquet fall back to plain encoding early instead of hashing ~58k strings per column
          // (JFR: Binary.equals/hashCode were the top ingest frames). Low-cardinality columns
          // (store, product, category) still fit.
          "write.parquet.dict-size-bytes", String.valueOf(256 * 1024),
          "write.metadata.delete-after-commit.enabled", "true",
          "write.metadata.previous-versions-max", "100");

  private final String namespace;
  private final String name;
  private final List<Field> fields;
  private final SerializableFunction<Schema, PartitionSpec> partitioning;
  private final Set<String> addedColumns;
  private transient Schema icebergSchema;
  private transient PartitionSpec spec;
  private transient org.apache.beam.sdk.schemas.Schema beamSchema;

  TableDefinition(
      String namespace,
      String name,
      List<Field> fields,
      SerializableFunction<Schema, PartitionSpec> partitioning) {
    this(namespace, name, fields, partitioning, Set.of());
  }

  /**
   * A definition whose {@code addedColumns} (optional fields) were added after tables of it were
   * first created: {@link #createOrLoad} adds them to an existing table that lacks them.
   */
  TableDefinition(
      String namespace,
      String name,
      List<Field> fields,
      SerializableFunction<Schema, PartitionSpec> partitioning,
      Set<String> addedColumns) {
    this.namespace = namespace;
    this.name = name;
    this.fields = List.copyOf(fields);
    this.partitioning = partitioning;
    this.addedColumns = Set.copyOf(addedColumns);
    for (String column : this.addedColumns) {
      Field field =
          this.fields.stream()
              .filter(f -> f.name().equals(column))
              .findFirst()
              .orElseThrow(() -> new IllegalArgumentException("no field " + column));
      if (field.required()) {
        // an existing table's old rows have no value: only an optional column can be added
        throw new IllegalArgumentException("an added column must be optional: " + column);
      }
    }
  }

  public TableIdentifier identifier() {
    return TableIdentifier.of(namespace, name);
  }

  public List<Field> fields() {
    return fields;
  }

  /** The table's columns as a Beam schema: the shape of the rows a pipeline writes. */
  public org.apache.beam.sdk.schemas.Schema beamSchema() {
    if (beamSchema == null) {
      beamSchema = PosEventSchema.beamSchema(fields);
    }
    return beamSchema;
  }

  /** The table's columns as an Iceberg schema, field ids from 1 in column order. */
  public Schema icebergSchema() {
    if (icebergSchema == null) {
      icebergSchema = new Schema(PosEventSchema.icebergColumns(fields, 1));
    }
    return icebergSchema;
  }

  public PartitionSpec partitionSpec() {
    if (spec == null) {
      spec = partitioning.apply(icebergSchema());
    }
    return spec;
  }

  /**
   * Loads the table, creating its namespace and itself on first use; an existing table that lacks
   * some of the definition's added columns gets them (see {@link #addMissingColumns}); an existing
   * table whose columns otherwise differ from the definition stops with a message that lists the
   * differences.
   */
  public Table createOrLoad(Catalog catalog) {
    return createOrLoad(catalog, column -> {});
  }

  /**
   * {@link #createOrLoad(Catalog)}, telling {@code added} each column this call added. A catalog
   * that refuses a step (a missing namespace it cannot create, access denied, an unreachable
   * service) stops with a {@link CatalogAccessException} naming the table and the cause in one
   * line.
   */
  public Table createOrLoad(Catalog catalog, Consumer<String> added) {
    TableIdentifier id = identifier();
    Namespace ns = Namespace.of(namespace);
    if (catalog instanceof SupportsNamespaces namespaces
        && !catalogStep(
            "Cannot create table " + id + ": cannot check its namespace " + namespace,
            () -> namespaces.namespaceExists(ns))) {
      catalogStep(
          "Cannot create table "
              + id
              + ": namespace "
              + namespace
              + " does not exist and creating it failed (on AWS Glue the infra stack creates the"
              + " databases raw and marts)",
          () -> {
            try {
              namespaces.createNamespace(ns);
            } catch (AlreadyExistsException raced) {
              // another writer created it first: fine
            }
            return null;
          });
    }
    if (!catalogStep("Cannot look up table " + id, () -> catalog.tableExists(id))) {
      Table created =
          catalogStep(
              "Cannot create table " + id,
              () -> {
                try {
                  return catalog.createTable(
                      id, icebergSchema(), partitionSpec(), COMMON_PROPERTIES);
                } catch (AlreadyExistsException raced) {
                  return null; // another writer created it first: verify the one that won below
                }
              });
      if (created != null) {
        return created;
      }
    }
    Table table = catalogStep("Cannot load table " + id, () -> catalog.loadTable(id));
    addMissingColumns(table).forEach(added);
    List<String> differences = differencesFrom(table.schema());
    if (!differences.isEmpty()) {
      throw new IncompatibleTableException(
          "Table "
              + id
              + " exists with an incompatible schema: "
              + String.join("; ", differences)
              + ". Migrate or drop it, or point --catalog/--warehouse elsewhere.");
    }
    return table;
  }

  /**
   * Adds to {@code table} the definition's added columns it lacks, as optional columns at their
   * place in the definition (after the field before them), in one schema commit; returns the
   * columns this call added (empty when the table has them all, also when another writer added them
   * first). Schema evolution only: no data file is touched, and rows written before read the new
   * columns as null. Safe when several writers race: a commit that lost to another schema change
   * (Iceberg refuses a commit on stale metadata) is retried on the refreshed table, where the
   * winner's columns are no longer missing. A column of that name with another type is left to
   * {@link #differencesFrom} to report.
   */
  public List<String> addMissingColumns(Table table) {
    if (addedColumns.isEmpty()) {
      return List.of();
    }
    for (int attempt = 1; ; attempt++) {
      List<String> missing = new ArrayList<>();
      for (Field field : fields) {
        if (addedColumns.contains(field.name()) && table.schema().findField(field.name()) == null) {
          missing.add(field.name());
        }
      }
      if (missing.isEmpty()) {
        return List.of();
      }
      UpdateSchema update = table.updateSchema();
      String before = null;
      for (Field field : fields) {
        if (missing.contains(field.name())) {
          update.addColumn(field.name(), PosEventSchema.icebergType(field.kind()), field.doc());
          if (before == null) {
            update.moveFirst(field.name());
          } else {
            update.moveAfter(field.name(), before);
          }
        }
        if (missing.contains(field.name()) || table.schema().findField(field.name()) != null) {
          before = field.name();
        }
      }
      try {
        update.commit();
        table.refresh();
        return List.copyOf(missing);
      } catch (CommitFailedException raced) {
        // another writer changed the table's metadata first (maybe adding these very columns)
        if (attempt >= 5) {
          throw raced;
        }
        table.refresh();
      }
    }
  }

  /** What an existing table lacks or has differently; empty when it can take our rows. */
  public List<String> differencesFrom(Schema existing) {
    List<String> differences = new ArrayList<>();
    for (Types.NestedField wanted : icebergSchema().columns()) {
      Types.NestedField actual = existing.findField(wanted.name());
      if (actual == null) {
        differences.add("column " + wanted.name() + " is missing");
      } else if (!actual.type().equals(wanted.type())) {
        differences.add(
            "column " + wanted.name() + " is " + actual.type() + ", expected " + wanted.type());
      } else if (actual.isRequired() && wanted.isOptional()) {
        differences.add("column " + wanted.name() + " is required, expected optional");
      }
    }
    return differences;
  }

  /**
   * Runs one catalog call; a failure becomes a {@link CatalogAccessException} whose message is
   * {@code failure} (which names the table) and the root cause's first line.
   */
  private static <T> T catalogStep(String failure, Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      throw new CatalogAccessException(failure + ": " + Failures.oneLine(e), e);
    }
  }

  @Override
  public String toString() {
    return identifier().toString();
  }

  /**
   * The catalog refused or failed a call needed to create or load a table (e.g. AWS Glue answering
   * AccessDeniedException, or a missing Glue database): the message is one line naming the table,
   * the step and the cause; the cause is kept for stack traces.
   */
  public static final class CatalogAccessException extends RuntimeException {
    public CatalogAccessException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** An existing table cannot take this pipeline's rows; the message says what differs. */
  public static final class IncompatibleTableException extends RuntimeException {
    public IncompatibleTableException(String message) {
      super(message);
    }
  }
}
