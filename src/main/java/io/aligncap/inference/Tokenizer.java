package io.aligncap.inference;

import io.aligncap.model.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a sentence exactly as training did (models/FORMAT.md "Tokenisation"): lower-case with
 * {@link Locale#ROOT} when the manifest says so, then the matches of the manifest's regex in order;
 * a word not in the vocabulary becomes the unknown id. No START/END is added.
 */
public final class Tokenizer {

  /** A tokenised sentence: {@code ids[i]} is the id of {@code words.get(i)}. */
  public record Tokens(List<String> words, int[] ids) {
    public int length() {
      return ids.length;
    }
  }

  private final boolean lowercase;
  private final Pattern pattern;
  private final Vocabulary vocabulary;

  public Tokenizer(boolean lowercase, String tokenRegex, Vocabulary vocabulary) {
    this.lowercase = lowercase;
    this.pattern = Pattern.compile(tokenRegex);
    this.vocabulary = vocabulary;
  }

  public Tokens tokenize(String sentence) {
    String text = lowercase ? sentence.toLowerCase(Locale.ROOT) : sentence;
    List<String> words = new ArrayList<>();
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      words.add(m.group());
    }
    int[] ids = new int[words.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = vocabulary.id(words.get(i));
    }
    return new Tokens(List.copyOf(words), ids);
  }
}
