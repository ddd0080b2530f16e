package dev.invariance.architecture;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The layers of the ONNX side, read from the compiled classes: reading (protobuf only) at the bottom, running (ONNX
 * Runtime) on it, the command line on top. Reading must work where no ONNX Runtime native library loads, so no ONNX
 * Runtime class may be reachable from it, directly or through any other class. And the supported API is what
 * docs/guide.md lists: every public top-level type outside an {@code internal} package is in its table, and every type
 * of the table exists and is public.
 */
class PackageRulesTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.invariance");
    }

    @Test
    void noOnnxRuntimeClassIsReachableFromTheReadingPackage() {
        noClasses().that().resideInAPackage("dev.invariance.onnx.reading..")
                .should().transitivelyDependOnClassesThat().resideInAPackage("ai.onnxruntime..")
                .check(classes);
    }

    @Test
    void readingDependsOnNeitherRunningNorTheCommandLine() {
        noClasses().that().resideInAPackage("dev.invariance.onnx.reading..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.invariance.onnx.running..", "dev.invariance.cli..")
                .check(classes);
    }

    @Test
    void runningDoesNotDependOnTheCommandLine() {
        noClasses().that().resideInAPackage("dev.invariance.onnx.running..")
                .should().dependOnClassesThat().resideInAPackage("dev.invariance.cli..")
                .check(classes);
    }

    @Test
    void theEngineModuleKnowsNothingOfOnnxOrTheCommandLine() {
        noClasses().that().resideInAnyPackage("dev.invariance.network..", "dev.invariance.linalg..",
                        "dev.invariance.training..", "dev.invariance.deepnet..", "dev.invariance.data..",
                        "dev.invariance.analysis..", "dev.invariance.evaluation..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.invariance.onnx..", "dev.invariance.cli..",
                        "ai.onnxruntime..")
                .check(classes);
    }

    @Test
    void thePublicTypesAreThoseTheGuideLists() throws IOException {
        Map<String, Set<String>> listed = guideTable(Path.of("..", "docs", "guide.md"));
        Map<String, Set<String>> compiled = new TreeMap<>();
        for (JavaClass c : classes) {
            if (c.isTopLevelClass() && c.getModifiers().contains(JavaModifier.PUBLIC)
                    && !c.getPackageName().contains(".internal") && !c.getSimpleName().equals("package-info")) {
                compiled.computeIfAbsent(c.getPackageName(), k -> new TreeSet<>()).add(c.getSimpleName());
            }
        }
        assertEquals(listed, compiled, "public top-level types by package: docs/guide.md's table vs the classes");
    }

    /** The table under "The supported API": one row per package, its types in backticks (a remark may follow). */
    private static Map<String, Set<String>> guideTable(Path guide) throws IOException {
        Pattern row = Pattern.compile("^\\| `(dev\\.invariance\\.[a-z.]+)` \\| (.*) \\|$");
        Pattern type = Pattern.compile("`([A-Z]\\w*)`");
        Map<String, Set<String>> table = new TreeMap<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(guide)) {
            if (line.startsWith("The supported API is")) {
                inSection = true;
            } else if (inSection && line.startsWith("Engine internals")) {
                break;
            }
            Matcher m = row.matcher(line);
            if (inSection && m.matches()) {
                Set<String> types = new TreeSet<>();
                Matcher t = type.matcher(m.group(2));
                while (t.find()) {
                    types.add(t.group(1));
                }
                table.put(m.group(1), types);
            }
        }
        return table;
    }
}
