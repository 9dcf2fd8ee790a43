package io.aligncap.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.aligncap.model.Vocabulary;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenizerTest {

  static final Vocabulary VOCAB =
      new Vocabulary(
          List.of("<pad>", "<start>", "<end>", "<unk>", "a", "cat", "and", "dog", "2"),
          9,
          0,
          1,
          2,
          3);

  @Test
  void lowercasesAndTakesRegexMatchesInOrder() {
    Tokenizer t = new Tokenizer(true, "[a-z0-9]+", VOCAB);
    Tokenizer.Tokens tokens = t.tokenize("A cat and a DOG! 2 zebras");
    assertEquals(List.of("a", "cat", "and", "a", "dog", "2", "zebras"), tokens.words());
    assertArrayEquals(new int[] {4, 5, 6, 4, 7, 8, 3}, tokens.ids());
  }

  @Test
  void lowercasingIsLocaleIndependent() {
    // Locale.ROOT: the Turkish dotted capital I is not special-cased into a different letter
    Tokenizer t = new Tokenizer(true, "[a-z0-9]+", VOCAB);
    assertEquals(List.of("cat", "and", "dog"), t.tokenize("CAT AND DOG").words());
  }

  @Test
  void noMatchesGiveAnEmptySentence() {
    assertEquals(0, new Tokenizer(true, "[a-z0-9]+", VOCAB).tokenize("!!! ...").length());
  }

  @Test
  void vocabularyRefusesInconsistentSpecs() {
    List<String> tokens = List.of("<pad>", "<start>", "<end>", "<unk>");
    assertThrows(IllegalArgumentException.class, () -> new Vocabulary(tokens, 5, 0, 1, 2, 3));
    assertThrows(IllegalArgumentException.class, () -> new Vocabulary(tokens, 4, 0, 1, 2, 9));
    assertThrows(IllegalArgumentException.class, () -> new Vocabulary(tokens, 4, 0, 1, 1, 3));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Vocabulary(List.of("<pad>", "<start>", "<end>", "<end>"), 4, 0, 1, 2, 3));
  }
}
