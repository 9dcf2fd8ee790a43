package io.aligncap.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;

/**
 * JSON bodies are read as the OpenAPI document types them (issue 15): a value of another JSON type
 * is a 400 naming the field, not coerced ({@code "3"} is not an integer, {@code 12} not a base64
 * string, {@code 3.5} not a beam size), a {@code null} inside a box is not 0, and nothing may
 * follow the object. Jackson's defaults accept all of these.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

  @Override
  public void customize(ObjectMapper mapper) {
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Integer)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Float)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Boolean)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    mapper.registerModule(
        new SimpleModule("aligncap-integers").addDeserializer(Integer.class, new Integral()));
  }

  /**
   * JSON Schema's integer (what the document promises): {@code 9} and {@code 9.0}, not {@code 9.5}
   * (Jackson would truncate it) or {@code "9"}.
   */
  static final class Integral extends StdScalarDeserializer<Integer> {

    Integral() {
      super(Integer.class);
    }

    @Override
    public Integer deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.hasToken(JsonToken.VALUE_NUMBER_INT)
          && p.getNumberType() == JsonParser.NumberType.INT) {
        return p.getIntValue();
      }
      if (p.hasToken(JsonToken.VALUE_NUMBER_FLOAT)) {
        double d = p.getDoubleValue();
        if (d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
          return (int) d;
        }
      }
      return (Integer) ctxt.handleUnexpectedToken(Integer.class, p);
    }
  }
}
