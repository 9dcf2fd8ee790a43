package io.aligncap.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The methods each API path answers, for the {@code Allow} header of a 405 (RFC 9110 §15.5.6):
 * Quarkus REST's own 405 has none. Read once from the resources' JAX-RS annotations.
 */
@RegisterForReflection(
    targets = {
      CaptionResource.class,
      AlignmentResource.class,
      RankingResource.class,
      ModelResource.class
    },
    methods = true)
final class AllowedMethods {

  private static final Map<String, Set<String>> BY_PATH =
      index(
          List.of(
              CaptionResource.class,
              AlignmentResource.class,
              RankingResource.class,
              ModelResource.class));

  private AllowedMethods() {}

  /** E.g. {@code "OPTIONS, POST"} for {@code /v1/captions}; empty for an unknown path. */
  static Optional<String> of(String path) {
    Set<String> methods = BY_PATH.get(normalise(path));
    return methods == null ? Optional.empty() : Optional.of(String.join(", ", methods));
  }

  private static Map<String, Set<String>> index(List<Class<?>> resources) {
    Map<String, Set<String>> out = new TreeMap<>();
    for (Class<?> resource : resources) {
      Path root = resource.getAnnotation(Path.class);
      for (Method m : resource.getDeclaredMethods()) {
        String verb = verb(m);
        if (root == null || verb == null) {
          continue;
        }
        Path sub = m.getAnnotation(Path.class);
        Set<String> methods =
            out.computeIfAbsent(
                normalise(root.value() + (sub == null ? "" : "/" + sub.value())),
                p -> new TreeSet<>(Set.of(jakarta.ws.rs.HttpMethod.OPTIONS)));
        methods.add(verb);
        if (verb.equals(HttpMethod.GET)) {
          methods.add(HttpMethod.HEAD);
        }
      }
    }
    return out;
  }

  private static String verb(Method m) {
    for (Annotation a : m.getAnnotations()) {
      HttpMethod verb = a.annotationType().getAnnotation(HttpMethod.class);
      if (verb != null) {
        return verb.value();
      }
    }
    return null;
  }

  private static String normalise(String path) {
    String p = ("/" + path).replaceAll("/+", "/");
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }
}
