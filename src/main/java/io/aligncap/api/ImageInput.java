package io.aligncap.api;

import io.aligncap.image.DecodedImage;
import io.aligncap.image.ImageDecoder;

/** A decoded upload and how long decoding took, for the response's {@code timings_ms.decode}. */
record ImageInput(DecodedImage image, double decodeMs) {

  static final String STAGE = "decode";

  static ImageInput decode(ImageDecoder decoder, byte[] bytes, String contentType) {
    long start = System.nanoTime();
    DecodedImage image = decoder.decode(bytes, contentType);
    return new ImageInput(image, Math.round((System.nanoTime() - start) / 10_000.0) / 100.0);
  }
}
