package io.aligncap.api;

import static io.aligncap.AligncapException.Kind.INVALID_IMAGE;
import static io.aligncap.AligncapException.Kind.INVALID_OPTIONS;

import io.aligncap.AligncapException;
import io.aligncap.inference.CaptionOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * Turns the three request shapes (raw body + query, multipart form, JSON) into the core's inputs.
 * Numbers arrive as strings so that a malformed one is a 422 naming the option, not JAX-RS's 404
 * for an unparsable query parameter.
 */
final class RequestParsing {

  private RequestParsing() {}

  static CaptionOptions options(
      String beamSize,
      String maxLength,
      String alpha,
      String results,
      List<String> regions,
      String dense) {
    List<double[]> boxes = new ArrayList<>();
    if (regions != null) {
      for (int i = 0; i < regions.size(); i++) {
        boxes.add(box(regions.get(i), i));
      }
    }
    return new CaptionOptions(
        integer("beam_size", beamSize),
        integer("max_length", maxLength),
        number("length_normalization", alpha),
        integer("results", results),
        boxes,
        bool("dense", dense));
  }

  /** A box written {@code x0,y0,x1,y1} (pixels). */
  static double[] box(String text, int index) {
    String[] parts = text.split(",");
    if (parts.length != 4) {
      throw new AligncapException(
          INVALID_OPTIONS,
          "regions[" + index + "] must be x0,y0,x1,y1 in pixels, got \"" + text + "\"");
    }
    double[] box = new double[4];
    for (int i = 0; i < 4; i++) {
      box[i] = number("regions[" + index + "]", parts[i].trim());
    }
    return box;
  }

  /** {@code true} or {@code false} (any case); null when absent or blank. */
  static Boolean bool(String name, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
      return Boolean.valueOf(v);
    }
    throw new AligncapException(
        INVALID_OPTIONS, name + " must be true or false, got \"" + value + "\"");
  }

  static Integer integer(String name, String value) {
    return parse(name, value, Integer::valueOf, "an integer");
  }

  static Double number(String name, String value) {
    return parse(name, value, Double::valueOf, "a number");
  }

  /** Null for an absent or blank value; a 422 naming the option for a malformed one. */
  private static <T> T parse(String name, String value, Function<String, T> parser, String kind) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return parser.apply(value.trim());
    } catch (NumberFormatException e) {
      throw new AligncapException(
          INVALID_OPTIONS, name + " must be " + kind + ", got \"" + value + "\"");
    }
  }

  /** The bytes of a base64 image, with or without a {@code data:image/...;base64,} prefix. */
  static byte[] base64(String image) {
    if (image == null || image.isBlank()) {
      throw new AligncapException(
          INVALID_IMAGE, "the request has no \"image\" (base64-encoded bytes)");
    }
    String data = image;
    if (image.startsWith("data:")) {
      int comma = image.indexOf(',');
      if (comma < 0) {
        throw new AligncapException(
            INVALID_IMAGE,
            "\"image\" is a data: URL without a comma; write data:image/png;base64,<base64>");
      }
      data = image.substring(comma + 1);
    }
    try {
      return Base64.getMimeDecoder().decode(data);
    } catch (IllegalArgumentException e) {
      throw new AligncapException(
          INVALID_IMAGE, "\"image\" is not valid base64: " + e.getMessage());
    }
  }

  static byte[] bytes(FileUpload upload) {
    if (upload == null) {
      throw new AligncapException(INVALID_IMAGE, "the form has no file field \"image\"");
    }
    try {
      return Files.readAllBytes(upload.uploadedFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the uploaded file", e);
    }
  }

  static String contentType(FileUpload upload) {
    return upload == null ? null : upload.contentType();
  }
}
