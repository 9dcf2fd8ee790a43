package io.aligncap.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aligncap.AligncapException;
import io.aligncap.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: the memory of a decode is estimated from the header, and an image over the budget is
 * refused before any pixel is decoded. The figures are libjpeg's: 64 coefficients of 2 bytes per
 * 8×8 block of every component, at its sampling, padded to whole MCUs. (Measured on 5000×5000
 * images: progressive 4:4:4 143 MiB, 4:2:0 72 MiB, CMYK 191 MiB outside the heap; baseline, PNG,
 * GIF and BMP nothing at full size.)
 */
class DecodeCostTest {

  /** 40×20 px, 3 components sampled 1×1: 5×3 blocks each. */
  static final long FIXTURE_COEFFICIENTS = 5 * 3 * 3 * 64 * 2;

  static final long FIXTURE_OUTPUT = 40 * 20 * DecodeCost.OUTPUT_BYTES_PER_PIXEL;

  @Test
  void progressiveJpegKeepsTheWholeImagesCoefficients() {
    byte[] progressive = Fixtures.image("progressive.jpg");
    assertEquals(
        FIXTURE_COEFFICIENTS + FIXTURE_OUTPUT,
        DecodeCost.estimate(ImageFormat.JPEG, progressive, 40, 20, 1));
    byte[] baseline = Fixtures.image("baseline.jpg");
    assertEquals(FIXTURE_OUTPUT, DecodeCost.estimate(ImageFormat.JPEG, baseline, 40, 20, 1));
  }

  @Test
  void chromaSubsamplingAndComponentsAreCounted() {
    int[] full = {0x11, 0x11, 0x11};
    int[] chroma420 = {0x22, 0x11, 0x11};
    int[] cmyk = {0x11, 0x11, 0x11, 0x11};
    assertEquals(625L * 625 * 3 * 128, coefficients(0xC2, 5000, full, 3));
    assertEquals((626L * 626 + 2 * 313 * 313) * 128, coefficients(0xC2, 5000, chroma420, 3));
    assertEquals(625L * 625 * 4 * 128, coefficients(0xC2, 5000, cmyk, 4));
    assertEquals(0, coefficients(0xC0, 5000, full, 3), "baseline, one interleaved scan");
    assertEquals(
        625L * 625 * 3 * 128, coefficients(0xC0, 5000, full, 1), "baseline, a scan per component");
  }

  @Test
  void webpFramesAreCostedWholeAndOthersByTheirOutput() {
    assertEquals(
        1000L * 1000 * 4 + 250L * 250 * DecodeCost.OUTPUT_BYTES_PER_PIXEL,
        DecodeCost.estimate(ImageFormat.WEBP, new byte[0], 1000, 1000, 4));
    assertEquals(
        250L * 250 * DecodeCost.OUTPUT_BYTES_PER_PIXEL,
        DecodeCost.estimate(ImageFormat.PNG, new byte[0], 1000, 1000, 4));
  }

  @Test
  void anImageOverTheBudgetIsRefusedBeforeItIsDecoded() {
    long budget = FIXTURE_OUTPUT + FIXTURE_COEFFICIENTS - 1;
    ImageDecoder decoder =
        new ImageDecoder(new ImageLimits(1 << 20, 100, 100, 10_000, budget, 256));
    AligncapException e =
        assertThrows(
            AligncapException.class,
            () -> decoder.decode(Fixtures.image("progressive.jpg"), "image/jpeg"));
    assertEquals(AligncapException.Kind.IMAGE_TOO_LARGE, e.kind());
    assertTrue(e.getMessage().contains("aligncap.image.max-decode-bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("progressive"), e.getMessage());
    // the same pixels as a baseline JPEG fit
    assertEquals(40, decoder.decode(Fixtures.image("baseline.jpg"), "image/jpeg").sourceWidth());
  }

  /** The coefficient bytes of a {@code side × side} JPEG header with this frame and first scan. */
  private static long coefficients(int sof, int side, int[] sampling, int firstScan) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xD8});
    int n = sampling.length;
    int length = 8 + 3 * n;
    b.writeBytes(new byte[] {(byte) 0xFF, (byte) sof, 0, (byte) length, 8});
    b.writeBytes(new byte[] {(byte) (side >> 8), (byte) side, (byte) (side >> 8), (byte) side});
    b.write(n);
    for (int c = 0; c < n; c++) {
      b.writeBytes(new byte[] {(byte) (c + 1), (byte) sampling[c], 0});
    }
    b.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xDA, 0, (byte) (6 + 2 * firstScan)});
    b.write(firstScan);
    return DecodeCost.jpegCoefficients(b.toByteArray(), side, side);
  }
}
