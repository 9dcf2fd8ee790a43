package io.aligncap.api;

import static java.math.BigDecimal.ONE;
import static java.math.BigDecimal.ZERO;

import io.aligncap.config.AligncapConfig;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import io.smallrye.config.SmallRyeConfig;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;

/**
 * States the request bounds in the OpenAPI document at start-up, read from the same keys the core
 * checks them against ({@code aligncap.decoding.*}, {@code aligncap.alignment.*}), so that no bound
 * is written twice: query parameters, form fields and JSON properties, by name.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_STARTUP)
public class OpenApiLimits implements OASFilter {

  private final Map<String, Consumer<Schema>> bounds;

  public OpenApiLimits() {
    AligncapConfig config =
        ConfigProvider.getConfig()
            .unwrap(SmallRyeConfig.class)
            .getConfigMapping(AligncapConfig.class);
    AligncapConfig.Decoding d = config.decoding();
    bounds =
        Map.of(
            "beam_size",
            number(SchemaType.INTEGER, ONE, BigDecimal.valueOf(d.maxBeamSize())),
            "results",
            number(SchemaType.INTEGER, ONE, BigDecimal.valueOf(d.maxBeamSize())),
            "max_length",
            number(SchemaType.INTEGER, ONE, BigDecimal.valueOf(d.maxMaxLength())),
            "length_normalization",
            number(SchemaType.NUMBER, ZERO, BigDecimal.valueOf(d.maxLengthNormalization())),
            "regions",
            s -> s.maxItems(d.maxRegions()),
            "candidates",
            s -> s.minItems(1).maxItems(config.alignment().maxCandidates()),
            "beta",
            number(SchemaType.NUMBER, ZERO, BigDecimal.valueOf(config.alignment().maxBeta())));
  }

  @Override
  public Parameter filterParameter(Parameter parameter) {
    bound(parameter.getName(), parameter.getSchema());
    return parameter;
  }

  @Override
  public void filterOpenAPI(OpenAPI api) {
    if (api.getComponents() != null && api.getComponents().getSchemas() != null) {
      api.getComponents().getSchemas().values().forEach(this::properties); // JSON bodies
    }
    if (api.getPaths() != null && api.getPaths().getPathItems() != null) {
      api.getPaths().getPathItems().values().stream() // inline (form) bodies
          .flatMap(item -> item.getOperations().values().stream())
          .filter(op -> op.getRequestBody() != null && op.getRequestBody().getContent() != null)
          .flatMap(op -> op.getRequestBody().getContent().getMediaTypes().values().stream())
          .forEach(media -> properties(media.getSchema()));
    }
  }

  private void properties(Schema schema) {
    if (schema != null && schema.getProperties() != null) {
      schema.getProperties().forEach(this::bound);
    }
  }

  private void bound(String name, Schema schema) {
    Consumer<Schema> bound = bounds.get(name);
    if (bound != null && schema != null) {
      bound.accept(schema);
    }
  }

  /** Query and form values arrive as strings (a bad one is a 422); clients send numbers. */
  private static Consumer<Schema> number(SchemaType type, BigDecimal min, BigDecimal max) {
    return s -> s.type(List.of(type)).minimum(min).maximum(max);
  }
}
