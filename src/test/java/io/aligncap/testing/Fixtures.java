package io.aligncap.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The image fixtures under src/test/resources/images. */
public final class Fixtures {

  private Fixtures() {}

  public static byte[] image(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/images/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
