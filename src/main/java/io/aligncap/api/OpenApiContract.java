package io.aligncap.api;

import io.aligncap.config.AligncapConfig;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import io.smallrye.config.SmallRyeConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.examples.Example;
import org.eclipse.microprofile.openapi.models.headers.Header;
import org.eclipse.microprofile.openapi.models.media.Encoding;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * The contract a generated client relies on (issue 15), written into the OpenAPI document at
 * start-up: every status an operation can answer with the {@link Problem} schema and an example
 * (the resources declare only their 200); {@code X-Request-Id} on every answer and {@code
 * Retry-After} on a 503; the {@code X-API-Key} security scheme, required when {@code
 * aligncap.api.key} is set; the image types of a form's {@code image} part; and {@code required}
 * lists on the answers' schemas. (The request bounds: {@link OpenApiLimits}.)
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_STARTUP)
@OpenAPIDefinition(
    info = @Info(title = "aligncap", version = "1"),
    components =
        @org.eclipse.microprofile.openapi.annotations.Components(
            schemas = @Schema(name = "Problem", implementation = Problem.class)))
public class OpenApiContract implements OASFilter {

  static final String SECURITY_SCHEME = "apiKey";
  private static final String PROBLEM_REF = "#/components/schemas/Problem";
  private static final String REQUEST_ID = "X-Request-Id";
  private static final String RETRY_AFTER = "Retry-After";

  /** An error answer: its title and an example detail. */
  private record Answer(int status, String title, String description, String detail) {}

  private static final List<Answer> ANSWERS =
      List.of(
          new Answer(
              400,
              "Invalid image",
              "Undecodable image, or a body that is not valid JSON or multipart for this operation",
              "the jpeg image is truncated: Premature end of JPEG file"),
          new Answer(
              401,
              "Unauthorized",
              "Missing or wrong API key (only when the server has one)",
              "missing or wrong API key in header X-API-Key"),
          new Answer(
              406,
              "Not Acceptable",
              "The Accept header allows neither application/json nor application/problem+json",
              "the answer is application/json (errors application/problem+json), which the Accept"
                  + " header (text/html) does not allow"),
          new Answer(
              408,
              "Upload too slow",
              "The body was not complete within aligncap.api.upload-timeout",
              "the request body was not complete after 60000 ms (aligncap.api.upload-timeout);"
                  + " send it faster"),
          new Answer(
              413,
              "Image too large",
              "The body, the image's bytes, pixels or decode memory are over a limit",
              "the image has 49000000 pixels, the limit is 25000000"),
          new Answer(
              414,
              "URI too long",
              "The URL is over aligncap.api.max-url-length",
              "the URL has 70000 characters, at most 65536 are accepted: send long sentences and"
                  + " candidates in a JSON or multipart body"),
          new Answer(
              415,
              "Unsupported media type",
              "Not a content type or image format the service reads",
              "unsupported image format (image/tiff); supported: JPEG, PNG, GIF, BMP, WebP"),
          new Answer(
              422,
              "Invalid options",
              "An option out of range, or a sentence without words",
              "beam_size must be between 1 and 10, is 11"),
          new Answer(
              500,
              "Internal error",
              "An unexpected error; quote the request id",
              "an unexpected error occurred; quote the request id when reporting it"),
          new Answer(
              503,
              "Overloaded",
              "The model is not ready yet, or every decode slot stayed busy (Retry-After says"
                  + " when to come back)",
              "all 2 decode slots stayed busy for 5000 ms (aligncap.image.max-concurrent-decodes,"
                  + " aligncap.image.decode-wait); retry after the Retry-After delay"));

  /** What a GET (no body, no options, no image) can answer. */
  private static final Set<Integer> GET_ANSWERS = Set.of(401, 406, 414, 500, 503);

  /** Answer properties that can be absent or null: everything else is required. */
  private static final Set<String> OPTIONAL = Set.of("CaptionResult.dense_captions");

  private static final Set<String> NULLABLE =
      Set.of(
          "ModelInfo.created",
          "ModelInfo.provider",
          "ModelInfo.region_decoder",
          "ModelInfo.detector",
          "ModelInfo.dataset",
          "ModelInfo.evaluation");

  private final AligncapConfig.Api api;

  public OpenApiContract() {
    api =
        ConfigProvider.getConfig()
            .unwrap(SmallRyeConfig.class)
            .getConfigMapping(AligncapConfig.class)
            .api();
  }

  @Override
  public void filterOpenAPI(OpenAPI openApi) {
    if (openApi.getComponents() == null) {
      openApi.setComponents(OASFactory.createComponents());
    }
    Components components = openApi.getComponents();
    components.addHeader(
        REQUEST_ID,
        OASFactory.createHeader()
            .description("The request's id, also in problems and the server's log")
            .required(true)
            .schema(OASFactory.createSchema().addType(SchemaType.STRING)));
    components.addHeader(
        RETRY_AFTER,
        OASFactory.createHeader()
            .description("Seconds to wait before retrying (when the decode slots were busy)")
            .schema(OASFactory.createSchema().addType(SchemaType.INTEGER)));
    components.addSecurityScheme(
        SECURITY_SCHEME,
        OASFactory.createSecurityScheme()
            .type(SecurityScheme.Type.APIKEY)
            .in(SecurityScheme.In.HEADER)
            .name(api.keyHeader())
            .description(
                "The API key, required when the server sets aligncap.api.key (then every /v1"
                    + " operation names this scheme)"));
    boolean keyRequired = api.key().filter(k -> !k.isEmpty()).isPresent();
    if (openApi.getPaths() != null && openApi.getPaths().getPathItems() != null) {
      openApi
          .getPaths()
          .getPathItems()
          .forEach((path, item) -> operations(path, item, keyRequired));
    }
    freeForm(components);
    required(components);
  }

  /**
   * The manifest's sections that {@code GET /v1/models} passes on as is (Jackson {@code JsonNode}s)
   * are free-form objects, not Jackson's internals (issue 15).
   */
  private static void freeForm(Components components) {
    if (components.getSchemas() == null) {
      return;
    }
    String ref = "#/components/schemas/JsonNode";
    components
        .getSchemas()
        .values()
        .forEach(
            schema -> {
              if (schema.getProperties() == null) {
                return;
              }
              Map<String, org.eclipse.microprofile.openapi.models.media.Schema> properties =
                  new LinkedHashMap<>(schema.getProperties()); // the model's map is read-only
              properties.replaceAll(
                  (name, s) ->
                      ref.equals(s.getRef())
                          ? OASFactory.createSchema()
                              .addType(SchemaType.OBJECT)
                              .description("The manifest's " + name + " section, as is")
                          : s);
              schema.setProperties(properties);
            });
    components.removeSchema("JsonNode");
    components.removeSchema("JsonNodeType");
  }

  private void operations(String path, PathItem item, boolean keyRequired) {
    item.getOperations()
        .forEach(
            (method, op) -> {
              if (!path.startsWith("/v1/")) {
                return;
              }
              if (keyRequired) {
                op.addSecurityRequirement(
                    OASFactory.createSecurityRequirement().addScheme(SECURITY_SCHEME));
              }
              boolean get = method == PathItem.HttpMethod.GET;
              for (Answer a : ANSWERS) {
                if (!get || GET_ANSWERS.contains(a.status())) {
                  op.getResponses().addAPIResponse(String.valueOf(a.status()), problem(a, path));
                }
              }
              op.getResponses()
                  .getAPIResponses()
                  .values()
                  .forEach(r -> r.addHeader(REQUEST_ID, header(REQUEST_ID)));
              imagePartTypes(op);
            });
  }

  private static APIResponse problem(Answer a, String path) {
    Map<String, Object> example = new LinkedHashMap<>();
    Problem p =
        Problem.of(a.status(), a.title(), a.detail(), path, "4f7c1e9a-0b8e-4d35-9a55-2f1f3d0c2b11");
    example.put("type", p.type());
    example.put("title", p.title());
    example.put("status", p.status());
    example.put("detail", p.detail());
    example.put("instance", p.instance());
    example.put("request_id", p.requestId());
    Example ex = OASFactory.createExample().value(example);
    MediaType media =
        OASFactory.createMediaType()
            .schema(OASFactory.createSchema().ref(PROBLEM_REF))
            .addExample(p.title(), ex);
    APIResponse r =
        OASFactory.createAPIResponse()
            .description(a.description())
            .content(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE, media));
    if (a.status() == 503) {
      r.addHeader(RETRY_AFTER, header(RETRY_AFTER));
    }
    return r;
  }

  private static Header header(String name) {
    return OASFactory.createHeader().ref("#/components/headers/" + name);
  }

  /** A form's {@code image} part: the image types, as the body operations list them. */
  private static void imagePartTypes(Operation op) {
    if (op.getRequestBody() == null || op.getRequestBody().getContent() == null) {
      return;
    }
    op.getRequestBody().setRequired(true);
    MediaType form =
        op.getRequestBody()
            .getContent()
            .getMediaType(jakarta.ws.rs.core.MediaType.MULTIPART_FORM_DATA);
    if (form != null) {
      Encoding image =
          OASFactory.createEncoding().contentType(String.join(", ", ApiDocs.IMAGE_TYPES));
      form.addEncoding("image", image);
    }
  }

  /** Also null: a referenced schema becomes {@code anyOf: [$ref, null]} (3.1 has no nullable). */
  private static void nullable(org.eclipse.microprofile.openapi.models.media.Schema s) {
    if (s.getRef() != null) {
      String ref = s.getRef();
      s.setRef(null);
      s.addAnyOf(OASFactory.createSchema().ref(ref));
      s.addAnyOf(OASFactory.createSchema().addType(SchemaType.NULL));
    } else {
      s.addType(SchemaType.NULL);
    }
  }

  /** Every property of an answer's schema is required, but the optional and nullable ones. */
  private static void required(Components components) {
    if (components.getSchemas() == null) {
      return;
    }
    Set<String> requests =
        new HashSet<>(
            List.of(
                "CaptionRequest",
                "AlignmentRequest",
                "RankingRequest",
                "CaptionForm",
                "AlignmentForm",
                "RankingForm",
                "Problem"));
    components
        .getSchemas()
        .forEach(
            (name, schema) -> {
              if (requests.contains(name) || schema.getProperties() == null) {
                return;
              }
              List<String> required = new ArrayList<>();
              schema
                  .getProperties()
                  .forEach(
                      (property, s) -> {
                        String key = name + "." + property;
                        if (NULLABLE.contains(key)) {
                          nullable(s);
                        } else if (!OPTIONAL.contains(key)) {
                          required.add(property);
                        }
                      });
              schema.setRequired(required);
            });
  }
}
