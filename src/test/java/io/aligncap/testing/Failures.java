package io.aligncap.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.aligncap.AligncapException;
import org.junit.jupiter.api.function.Executable;

/** Asserts that a call fails with the service's exception of one kind. */
public final class Failures {

  private Failures() {}

  public static AligncapException assertFails(AligncapException.Kind kind, Executable call) {
    AligncapException e = assertThrows(AligncapException.class, call);
    assertEquals(kind, e.kind(), e.getMessage());
    return e;
  }
}
