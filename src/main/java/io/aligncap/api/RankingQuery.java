package io.aligncap.api;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.resteasy.reactive.RestQuery;

/** The query of {@code POST /v1/rankings/image}: {@code candidates} repeated. */
public class RankingQuery {

  @RestQuery("candidates")
  @Parameter(
      description = "Candidate sentences: the parameter repeated, one sentence each",
      required = true)
  List<String> candidates;
}
