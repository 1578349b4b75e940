package com.retail.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The web UI's static files keep their rules: API strings reach the DOM only as text (no HTML
 * sinks), every asset comes from the console itself (no CDN, no external fetch), and every file a
 * page or module references exists.
 */
class ConsoleWebFilesTest {
  private static final Path WEB = Path.of("src", "main", "resources", "console-web");

  @Test
  void noHtmlSinksNoExternalUrlsAndEveryReferenceResolves() throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(WEB)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertThat(files).extracting(f -> WEB.relativize(f).toString()).contains("index.html");
    Pattern reference =
        Pattern.compile("(?:from\\s+'|src=\"|href=\"|import\\s+'|url\\()(\\.{0,2}/?[\\w./-]+)");
    for (Path file : files) {
      String text = Files.readString(file);
      assertThat(text)
          .as(file + ": HTML sinks")
          .doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write");
      // the SVG namespace is a name (createElementNS), never fetched
      assertThat(text.replace("'http://www.w3.org/2000/svg'", "''"))
          .as(file + ": external URLs")
          .doesNotContainPattern("(?i)https?://");
      Matcher m = reference.matcher(text);
      while (m.find()) {
        String ref = m.group(1);
        if (ref.startsWith("/api") || !ref.matches(".*\\.(js|css|html|png|svg)$")) {
          continue;
        }
        assertThat(file.getParent().resolve(ref).normalize())
            .as(file + " references " + ref)
            .exists();
      }
    }
  }
}
