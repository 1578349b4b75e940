package com.retail.lakehouse.transforms.tables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.retail.lakehouse.transforms.IcebergTestTables;
import com.retail.lakehouse.transforms.TestEvents;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableDefinitionTest {
  @TempDir Path warehouse;

  private Catalog catalog() {
    return IcebergTestTables.hadoopCatalog(warehouse).catalog();
  }

  /** The raw table's columns with one column replaced. */
  private static Schema rawSchemaWith(Types.NestedField replacement) {
    List<Types.NestedField> columns = new ArrayList<>();
    for (Types.NestedField c : RawTable.DEFINITION.icebergSchema().columns()) {
      columns.add(c.name().equals(replacement.name()) ? replacement : c);
    }
    return new Schema(columns);
  }

  private void createRawTableWith(Schema schema) {
    Catalog catalog = catalog();
    ((SupportsNamespaces) catalog).createNamespace(Namespace.of("raw"));
    catalog.createTable(RawTable.DEFINITION.identifier(), schema, PartitionSpec.unpartitioned());
  }

  @Test
  void firstUseCreatesTheNamespaceAndTheTable() {
    Catalog catalog = catalog();
    assertThat(((SupportsNamespaces) catalog).namespaceExists(Namespace.of("raw"))).isFalse();

    Table table = RawTable.DEFINITION.createOrLoad(catalog);

    assertThat(((SupportsNamespaces) catalog).namespaceExists(Namespace.of("raw"))).isTrue();
    assertThat(catalog.tableExists(RawTable.DEFINITION.identifier())).isTrue();
    assertThat(table.schema().sameSchema(RawTable.DEFINITION.icebergSchema())).isTrue();
    assertThat(table.spec().fields()).hasSize(1);
  }

  @Test
  void secondUseLoadsTheSameTableWithoutRecreatingIt() {
    Catalog catalog = catalog();
    Table first = RawTable.DEFINITION.createOrLoad(catalog);
    first.newAppend().set("marker", "kept").commit();

    Table second = RawTable.DEFINITION.createOrLoad(catalog);

    assertThat(second.uuid()).isEqualTo(first.uuid());
    assertThat(second.location()).isEqualTo(first.location());
    assertThat(second.currentSnapshot()).isNotNull();
    assertThat(second.currentSnapshot().summary()).containsEntry("marker", "kept");
  }

  @Test
  void rawAndDeadLetterTablesShareTheNamespace() {
    Catalog catalog = catalog();

    RawTable.DEFINITION.createOrLoad(catalog);
    DeadLetterTable.DEFINITION.createOrLoad(catalog);

    assertThat(catalog.listTables(Namespace.of("raw")))
        .containsExactlyInAnyOrder(
            RawTable.DEFINITION.identifier(), DeadLetterTable.DEFINITION.identifier());
  }

  @Test
  void existingTableWithAColumnOfAnotherTypeIsIncompatibleAndTheMessageNamesIt() {
    createRawTableWith(
        rawSchemaWith(Types.NestedField.required(12, "unit_price", Types.DoubleType.get())));

    assertThatThrownBy(() -> RawTable.DEFINITION.createOrLoad(catalog()))
        .isInstanceOf(TableDefinition.IncompatibleTableException.class)
        .hasMessageContaining("raw.pos_transactions")
        .hasMessageContaining("unit_price")
        .hasMessageContaining("double")
        .hasMessageContaining("decimal(12, 2)");
  }

  @Test
  void existingTableWithMoneyOfAnotherPrecisionIsIncompatible() {
    createRawTableWith(
        rawSchemaWith(Types.NestedField.required(14, "total_amount", Types.DecimalType.of(10, 2))));

    assertThatThrownBy(() -> RawTable.DEFINITION.createOrLoad(catalog()))
        .isInstanceOf(TableDefinition.IncompatibleTableException.class)
        .hasMessageContaining("total_amount");
  }

  @Test
  void existingTableMissingAColumnIsIncompatible() {
    List<Types.NestedField> columns =
        new ArrayList<>(RawTable.DEFINITION.icebergSchema().columns());
    columns.removeIf(c -> c.name().equals("kafka_offset"));
    createRawTableWith(new Schema(columns));

    assertThatThrownBy(() -> RawTable.DEFINITION.createOrLoad(catalog()))
        .isInstanceOf(TableDefinition.IncompatibleTableException.class)
        .hasMessageContaining("kafka_offset is missing");
  }

  @Test
  void differencesFromTheDefinitionItselfAreNone() {
    assertThat(RawTable.DEFINITION.differencesFrom(RawTable.DEFINITION.icebergSchema())).isEmpty();
  }

  @Test
  void existingTableRequiringANullableColumnIsIncompatible() {
    createRawTableWith(
        rawSchemaWith(Types.NestedField.required(17, "customer_id", Types.StringType.get())));

    assertThatThrownBy(() -> RawTable.DEFINITION.createOrLoad(catalog()))
        .isInstanceOf(TableDefinition.IncompatibleTableException.class)
        .hasMessageContaining("customer_id");
  }

  @Test
  void existingTableWithReorderedColumnsIsRejectedOrWrittenByName() {
    List<Types.NestedField> columns =
        new ArrayList<>(RawTable.DEFINITION.icebergSchema().columns());
    int product = 7;
    int sku = 8;
    assertThat(columns.get(product).name()).isEqualTo("product");
    columns.set(product, RawTable.DEFINITION.icebergSchema().columns().get(sku));
    columns.set(sku, RawTable.DEFINITION.icebergSchema().columns().get(product));
    createRawTableWith(new Schema(columns));

    Table table;
    try {
      table = RawTable.DEFINITION.createOrLoad(catalog());
    } catch (TableDefinition.IncompatibleTableException rejected) {
      return; // rejecting the table is a correct outcome
    }
    IcebergTestTables.writeAndCommit(
        IcebergTestTables.hadoopCatalog(warehouse),
        RawTable.DEFINITION,
        "run-1",
        List.of(TestEvents.rawRow(TestEvents.sale(), 0, 0)),
        Map.of(0, 0L),
        r -> null);
    Record record = IcebergTestTables.readAll(table).get(0);
    assertThat(record.getField("product")).isEqualTo("Organic Milk 1L");
    assertThat(record.getField("sku")).isEqualTo("SKU-0001");
  }

  /** marts.daily_sales_summary as the first release made it: every column but category. */
  private Table createMartWithoutCategory(Catalog catalog) {
    List<com.retail.lakehouse.transforms.event.PosEventSchema.Field> old =
        new ArrayList<>(DailySalesSummaryTable.FIELDS);
    old.removeIf(f -> f.name().equals(DailySalesSummaryTable.CATEGORY));
    Schema schema =
        new Schema(com.retail.lakehouse.transforms.event.PosEventSchema.icebergColumns(old, 1));
    ((SupportsNamespaces) catalog).createNamespace(Namespace.of("marts"));
    return catalog.createTable(
        DailySalesSummaryTable.DEFINITION.identifier(),
        schema,
        PartitionSpec.builderFor(schema).identity(DailySalesSummaryTable.SALE_DATE).build());
  }

  @Test
  void aMartWithoutTheCategoryColumnGetsItOnceOptionalAndAfterProduct() {
    Catalog catalog = catalog();
    createMartWithoutCategory(catalog);
    List<String> added = new ArrayList<>();

    Table table = DailySalesSummaryTable.DEFINITION.createOrLoad(catalog, added::add);

    assertThat(added).containsExactly("category");
    Types.NestedField category = table.schema().findField("category");
    assertThat(category.isOptional()).isTrue();
    assertThat(category.type()).isEqualTo(Types.StringType.get());
    assertThat(category.doc()).isEqualTo("Product category");
    assertThat(table.schema().columns().stream().map(Types.NestedField::name).toList())
        .isEqualTo(DailySalesSummaryTable.FIELDS.stream().map(f -> f.name()).toList());
    assertThat(DailySalesSummaryTable.DEFINITION.differencesFrom(table.schema())).isEmpty();

    int schemaId = table.schema().schemaId();
    List<String> again = new ArrayList<>();
    Table reloaded = DailySalesSummaryTable.DEFINITION.createOrLoad(catalog(), again::add);
    assertThat(again).isEmpty();
    assertThat(reloaded.schema().schemaId()).isEqualTo(schemaId);
  }

  @Test
  void twoWritersAddingTheColumnAtOnceBothSucceedAndAddItOnce() {
    Catalog catalog = catalog();
    createMartWithoutCategory(catalog);
    // both loaded before either adds the column: the second commits on stale metadata
    Table first = catalog.loadTable(DailySalesSummaryTable.DEFINITION.identifier());
    Table second = catalog().loadTable(DailySalesSummaryTable.DEFINITION.identifier());
    int oldSchemaId = first.schema().schemaId();

    assertThat(DailySalesSummaryTable.DEFINITION.addMissingColumns(first))
        .containsExactly("category");
    assertThat(second.schema().findField("category")).isNull();
    assertThat(DailySalesSummaryTable.DEFINITION.addMissingColumns(second)).isEmpty();

    Table now = catalog().loadTable(DailySalesSummaryTable.DEFINITION.identifier());
    assertThat(now.schemas()).hasSize(2);
    assertThat(now.schema().schemaId()).isNotEqualTo(oldSchemaId);
    assertThat(now.schema().columns().stream().filter(c -> c.name().equals("category"))).hasSize(1);
    assertThat(second.schema().findField("category")).isNotNull();
  }

  @Test
  void onlyDeclaredAddedColumnsAreAddedOtherMissingColumnsStayIncompatible() {
    List<Types.NestedField> columns =
        new ArrayList<>(RawTable.DEFINITION.icebergSchema().columns());
    columns.removeIf(c -> c.name().equals("customer_id")); // optional, but not an added column
    createRawTableWith(new Schema(columns));

    assertThatThrownBy(() -> RawTable.DEFINITION.createOrLoad(catalog()))
        .isInstanceOf(TableDefinition.IncompatibleTableException.class)
        .hasMessageContaining("customer_id is missing");
  }
}
