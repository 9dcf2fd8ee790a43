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
 * States the request bounds and types in the OpenAPI document at start-up, read from the same keys
 * the core checks them against ({@code aligncap.decoding.*}, {@code aligncap.alignment.*}), so that
 * no bound is written twice: query parameters, form fields and JSON properties, by name. (Query and
 * form values arrive as text so that a malformed one is a 422 naming it; clients send numbers.)
 * What no schema can say is left to the 422: {@code results} at most {@code beam_size}, a box's
 * {@code x0 < x1}, a sentence's word count.
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
    AligncapConfig.Alignment a = config.alignment();
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
            s -> regions(s, d.maxRegions()),
            "candidates",
            s -> {
              s.minItems(1).maxItems(a.maxCandidates());
              if (s.getItems() != null) {
                s.getItems().minLength(1);
              }
            },
            "sentence",
            s -> s.minLength(1),
            "beta",
            number(SchemaType.NUMBER, ZERO, BigDecimal.valueOf(a.maxBeta())),
            "dense",
            s -> s.type(List.of(SchemaType.BOOLEAN)),
            "image",
            OpenApiLimits::image);
  }

  @Override
  public Parameter filterParameter(Parameter parameter) {
    bound(parameter.getName(), parameter.getSchema());
    if (parameter.getExample() instanceof String text && parameter.getSchema() != null) {
      parameter.setExample(typed(text, parameter.getSchema())); // "3" -> 3 for an integer
    }
    return parameter;
  }

  @Override
  public void filterOpenAPI(OpenAPI api) {
    if (api.getComponents() != null && api.getComponents().getSchemas() != null) {
      api.getComponents().getSchemas().entrySet().stream() // JSON bodies and forms, not answers
          .filter(e -> e.getKey().endsWith("Request") || e.getKey().endsWith("Form"))
          .forEach(e -> properties(e.getValue()));
    }
    if (api.getPaths() != null && api.getPaths().getPathItems() != null) {
      api.getPaths().getPathItems().values().stream() // inline bodies
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
      if (schema.getExamples() != null) {
        schema.setExamples(
            schema.getExamples().stream()
                .map(e -> e instanceof String text ? typed(text, schema) : e)
                .toList());
      }
    }
  }

  /**
   * An example written as text in an annotation, as the JSON type the bound gave its schema (an
   * example of another type is schema-invalid, and a fuzzer sends it as such).
   */
  private static Object typed(String text, Schema schema) {
    List<SchemaType> type = schema.getType() == null ? List.of() : schema.getType();
    try {
      if (type.contains(SchemaType.INTEGER)) {
        return Integer.valueOf(text);
      }
      if (type.contains(SchemaType.NUMBER)) {
        return new BigDecimal(text);
      }
      if (type.contains(SchemaType.BOOLEAN)) {
        return Boolean.valueOf(text);
      }
    } catch (NumberFormatException e) {
      return text;
    }
    return text;
  }

  private static Consumer<Schema> number(SchemaType type, BigDecimal min, BigDecimal max) {
    return s -> {
      s.type(List.of(type)).minimum(min).maximum(max);
      s.setFormat(null);
    };
  }

  /** JSON: boxes of 4 numbers; query and form: {@code x0,y0,x1,y1} text, one box a value. */
  private static void regions(Schema s, int maxRegions) {
    s.maxItems(maxRegions);
    Schema box = s.getItems();
    if (box != null && box.getType() != null && box.getType().contains(SchemaType.ARRAY)) {
      box.minItems(4).maxItems(4);
    }
  }

  /** The JSON {@code image}: base64 text (a form's file part stays binary). */
  private static void image(Schema s) {
    if (s.getType() != null && s.getType().contains(SchemaType.STRING) && s.getFormat() == null) {
      s.minLength(1);
      s.set("contentEncoding", "base64");
    }
  }
}
