package io.aligncap.api;

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.resteasy.reactive.RestQuery;

/** The query of {@code POST /v1/alignments/image}. */
public class AlignmentQuery {

  @RestQuery("sentence")
  @Parameter(description = "The sentence to align", example = "a dog on the grass", required = true)
  String sentence;

  @RestQuery("beta")
  @Parameter(description = ApiDocs.BETA, example = "1.5")
  String beta;
}
