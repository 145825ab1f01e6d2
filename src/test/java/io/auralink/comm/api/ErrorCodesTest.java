package io.auralink.comm.api;

import io.auralink.comm.call.CallError;
import io.auralink.comm.identity.IdentityError;
import io.auralink.comm.mesh.MeshError;
import io.auralink.comm.notification.NotificationError;
import io.auralink.comm.platform.ErrorCode;
import io.auralink.comm.presence.PresenceError;
import io.auralink.comm.platform.PlatformError;
import io.auralink.comm.trust.TrustError;
import io.auralink.comm.verification.VerificationError;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** One vocabulary of failure codes: a name means one status everywhere, and the README lists every code. */
class ErrorCodesTest {

  private static final List<Class<? extends Enum<?>>> VOCABULARIES =
    List.of(EdgeError.class, IdentityError.class, TrustError.class, MeshError.class, CallError.class,
      PresenceError.class, NotificationError.class, PlatformError.class, VerificationError.class);
  private static final Pattern TABLE_ROW = Pattern.compile("^\\| `([A-Z_]+)` \\| (\\d{3}) \\|", Pattern.MULTILINE);

  /** Every code of every enum, by name, with its status; a name with two statuses fails here. */
  private static Map<String, Integer> codes() {
    Map<String, Integer> codes = new TreeMap<>();
    for (Class<? extends Enum<?>> vocabulary : VOCABULARIES) {
      for (Enum<?> constant : vocabulary.getEnumConstants()) {
        ErrorCode code = (ErrorCode) constant;
        Integer before = codes.put(code.name(), code.status());
        if (before != null) {
          assertEquals(before, code.status(), code.name() + " means one status everywhere (" + vocabulary.getSimpleName() + ")");
        }
      }
    }
    return codes;
  }

  @Test
  void a_code_has_one_status_in_every_domain() {
    assertFalse(codes().isEmpty());
  }

  @Test
  void the_readme_lists_every_code_with_its_status_and_nothing_else() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    Map<String, Integer> documented = new TreeMap<>();
    Matcher row = TABLE_ROW.matcher(readme.substring(readme.indexOf("### Errors")));
    while (row.find()) {
      documented.put(row.group(1), Integer.parseInt(row.group(2)));
    }
    assertEquals(codes(), documented);
  }

  @Test
  void synonyms_once_used_are_gone() {
    List<String> names = VOCABULARIES.stream().flatMap(v -> Stream.of(v.getEnumConstants())).map(Enum::name).toList();
    for (String synonym : List.of("INVALID_FIELD", "AURAID_INVALID")) {
      assertFalse(names.contains(synonym), synonym + " is VALIDATION_FAILED");
    }
    for (Class<? extends Enum<?>> domain : VOCABULARIES.subList(1, VOCABULARIES.size())) {
      assertFalse(Stream.of(domain.getEnumConstants()).anyMatch(e -> e.name().equals("NOT_FOUND")),
        domain.getSimpleName() + " names what is not found (AURAID_NOT_FOUND, …); NOT_FOUND is a path the edge lacks");
    }
  }
}
