package io.auralink.comm;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The floors of the code (ARCHITECTURE §9, Decision 3), checked on the compiled classes: {@code platform} is the
 * ground floor and knows nothing above it; the domains stand on it and meet each other only through a domain's
 * root package (its contract, events and errors), never through the api; the node composes them all and only the
 * command line starts it. Domains are found, not listed: every package under {@code io.auralink.comm} but
 * {@code platform}, {@code api}, {@code node} and {@code cli}, so a new domain is checked from its first class.
 * (Compile-time constants are inlined by javac and leave no trace here; everything else does.)
 */
class ArchitectureTest {

  private static final String ROOT = "io.auralink.comm";
  private static final Set<String> NOT_DOMAINS = Set.of("platform", "api", "node", "cli");
  private static final JavaClasses CLASSES = new ClassFileImporter()
    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
    .importPackages(ROOT);
  private static final DescribedPredicate<JavaClass> IN_A_DOMAIN =
    DescribedPredicate.describe("are in a domain", type -> domainOf(type).isPresent());

  @Test
  void the_domains_are_found() {
    Set<String> domains = new TreeSet<>();
    CLASSES.forEach(type -> domainOf(type).ifPresent(domains::add));
    assertTrue(domains.containsAll(Set.of("identity", "trust", "mesh")), "domains found: " + domains);
  }

  @Test
  void platform_imports_no_domain_no_api_and_nothing_above_it() {
    noClasses().that().resideInAPackage(ROOT + ".platform..")
      .should().dependOnClassesThat(resideInAPackage(ROOT + "..").and(DescribedPredicate.not(
        resideInAPackage(ROOT + ".platform.."))).as("are outside platform"))
      .because("platform is the ground floor every domain and the api stand on")
      .check(CLASSES);
  }

  @Test
  void domains_import_neither_the_api_nor_the_node_nor_the_command_line() {
    noClasses().that(IN_A_DOMAIN)
      .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".api..", ROOT + ".node..", ROOT + ".cli..")
      .because("no HTTP type enters a domain, and a domain does not know who deploys it")
      .check(CLASSES);
  }

  @Test
  void only_a_domain_itself_reaches_into_its_impl_and_other_subpackages() {
    classes().should(reachOtherDomainsOnlyThroughTheirRootPackage())
      .because("domains, the api and the node use a domain through its contract, so it can live in another JVM")
      .check(CLASSES);
  }

  @Test
  void only_the_command_line_starts_nodes() {
    noClasses().that().resideOutsideOfPackages(ROOT + ".node..", ROOT + ".cli..")
      .should().dependOnClassesThat().resideInAPackage(ROOT + ".node..")
      .because("the node is the top floor: it composes everything below it")
      .check(CLASSES);
  }

  private static ArchCondition<JavaClass> reachOtherDomainsOnlyThroughTheirRootPackage() {
    return new ArchCondition<>("reach other domains only through their root package") {
      @Override
      public void check(JavaClass origin, ConditionEvents events) {
        Optional<String> own = domainOf(origin);
        for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
          JavaClass target = dependency.getTargetClass().getBaseComponentType();
          Optional<String> domain = domainOf(target);
          if (domain.isPresent() && !domain.equals(own) && !target.getPackageName().equals(ROOT + "." + domain.get())) {
            events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
          }
        }
      }
    };
  }

  /** The domain a class belongs to: the first package under the root, unless it is one of the other floors. */
  private static Optional<String> domainOf(JavaClass type) {
    String packageName = type.getPackageName();
    if (!packageName.startsWith(ROOT + ".")) {
      return Optional.empty();
    }
    String top = packageName.substring(ROOT.length() + 1).split("\\.", 2)[0];
    return NOT_DOMAINS.contains(top) ? Optional.empty() : Optional.of(top);
  }
}
