package io.aligncap.model;

import io.aligncap.AligncapException;
import java.nio.file.Path;

/**
 * Copies a model package from a remote location (e.g. {@code s3://bucket/prefix/}) into a local
 * directory, which is then loaded and verified like any directory package: the manifest's sizes and
 * SHA-256 sums check the download. Keeps storage clients out of the model core.
 */
public interface ModelFetcher {

  /** The URI scheme served, without {@code ://} (e.g. {@code s3}). */
  String scheme();

  /**
   * Downloads every file of the package at {@code location} into a new private directory.
   *
   * @return the directory, holding the files by their path relative to the location
   * @throws AligncapException (MODEL_PACKAGE) naming the location or object when the download fails
   */
  Path fetch(String location);
}
