package com.retail.lakehouse.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a script into statements on {@code ;}, ignoring semicolons inside quotes ({@code '...'},
 * {@code "..."}, {@code `...`}) and comments ({@code -- ...}, {@code /* ... *}{@code /}). Pieces
 * holding only whitespace and comments are dropped.
 */
final class Statements {
  private Statements() {}

  static List<String> split(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean meaningful = false;
    int n = script.length();
    int i = 0;
    while (i < n) {
      char c = script.charAt(i);
      if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
        int end = script.indexOf('\n', i);
        end = end < 0 ? n : end;
        current.append(script, i, end);
        i = end;
      } else if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
        int end = script.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        current.append(script, i, end);
        i = end;
      } else if (c == '\'' || c == '"' || c == '`') {
        int j = i + 1;
        while (j < n) {
          char d = script.charAt(j);
          if (d == '\\' && c != '`' && j + 1 < n) {
            j += 2;
            continue;
          }
          if (d == c) {
            if (j + 1 < n && script.charAt(j + 1) == c) {
              j += 2; // doubled quote
              continue;
            }
            break;
          }
          j++;
        }
        int end = Math.min(n, j + 1);
        current.append(script, i, end);
        meaningful = true;
        i = end;
      } else if (c == ';') {
        if (meaningful) {
          out.add(current.toString().strip());
        }
        current.setLength(0);
        meaningful = false;
        i++;
      } else {
        if (!Character.isWhitespace(c)) {
          meaningful = true;
        }
        current.append(c);
        i++;
      }
    }
    if (meaningful) {
      out.add(current.toString().strip());
    }
    return out;
  }
}
