package com.retail.lakehouse.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StatementsTest {
  @Test
  void splitsOnSemicolonsOutsideQuotesAndComments() {
    assertThat(
            Statements.split(
                "SELECT 'a;b' AS x; -- c;d\n SELECT \"e;f\", `g;h` /* i;j */ FROM t;;\n -- only a comment;\n"))
        .containsExactly("SELECT 'a;b' AS x", "-- c;d\n SELECT \"e;f\", `g;h` /* i;j */ FROM t");
  }

  @Test
  void aSingleStatementNeedsNoSemicolon() {
    assertThat(Statements.split("  SELECT 1  ")).containsExactly("SELECT 1");
    assertThat(Statements.split("SELECT 'it''s; fine'")).containsExactly("SELECT 'it''s; fine'");
    assertThat(Statements.split(" ;\n-- nothing\n")).isEmpty();
  }
}
