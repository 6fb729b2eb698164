package dev.barmap.model.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.model.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class IomemTest {
    static Stream<Path> realIomemFiles() throws IOException {
        try (var s = Files.walk(Path.of("../testdata/captures"))) {
            var l = s.filter(p -> p.endsWith("proc/iomem") || p.endsWith("expected/iomem-open")).sorted().toList();
            assertTrue(l.size() >= 14);
            return l.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("realIomemFiles")
    void renderOfParseIsByteForByteForEveryRealCapture(Path p) throws IOException {
        String text = Files.readString(p);
        Iomem.Parsed parsed = Iomem.parse(p.toString(), text, n -> true);
        assertEquals(text, Iomem.render(parsed.tree()));
    }

    @Test
    void allZeroAddressesMeanReadWithoutRoot() {
        var p = Iomem.parse("iomem", "00000000-00000000 : System RAM\n  00000000-00000000 : Kernel code\n00000000-00000000 : PCI Bus 0000:00\n", n -> true);
        assertTrue(p.addressesHidden());
    }

    @Test
    void sixtyFourBitAddressesPrintWider() {
        String text = "100000000-8ffffffff : PCI Bus 0000:00\n  100000000-1000fffff : 0000:00:0c.0\n";
        assertEquals(text, Iomem.render(Iomem.parse("iomem", text, n -> true).tree()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "00001000-00001fff : a\\n   00001000-000010ff : b|2|multiple of 2",
        "00001000-00001fff : a\\n    00001000-000010ff : b|2|indented 4 spaces",
        "00001000-00001fff : a\\n00001800-000018ff : b|2|overlaps",
        "00001000-00001fff : a\\n  00002000-000020ff : b|2|outside its parent",
        "00003000-00003fff : a\\n00001000-000010ff : b|2|not in address order",
        "0000zz00-00001fff : a|1|bad hex digit",
        "00001000-00001fff a|1|expected 'start-end : name'",
        "00002000-00001fff : a|1|below start",
    })
    void badInputNamesTheLineAndTheProblem(String text, int line, String problem) {
        var e = assertThrows(BadInputException.class, () -> Iomem.parse("proc/iomem", text.replace("\\n", "\n") + "\n", n -> true));
        assertEquals(line, e.line());
        assertEquals("proc/iomem", e.file());
        assertTrue(e.problem().contains(problem), e.getMessage());
    }
}
