package dev.barmap.model.lspci;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.barmap.model.FuzzArchive;
import dev.barmap.model.FuzzContract;
import dev.barmap.model.kernel.KernelRelease;
import dev.barmap.model.kernel.Platform;
import dev.barmap.model.scan.Scanner;
import java.util.ArrayList;
import java.util.List;

/**
 * lspci text ({@code -vvv}, {@code -xxxx} hex dumps, IOMMU group listings; several files as a
 * {@link FuzzArchive}) to a host, then scanned: a host or one BadInputException, whatever the text.
 */
class LspciFuzzTest {
    static final long[] PAGES = {4096, 16384, 65536};

    @FuzzTest(maxDuration = "20s")
    void hostAndScan(byte[] data) {
        String text = FuzzContract.text(data);
        var inputs = new ArrayList<Lspci.Input>();
        if (text.startsWith("@@ ")) FuzzArchive.unpack(text).forEach((name, body) -> inputs.add(new Lspci.Input(name, body)));
        else inputs.add(new Lspci.Input("lspci.txt", text));
        if (inputs.isEmpty()) return;
        Platform platform = new Platform("x86_64", PAGES[data.length % 3]);
        KernelRelease kernel = KernelRelease.parse(data.length % 2 == 0 ? "6.1.0" : "4.14.0");
        FuzzContract.onlyBadInput(inputs.stream().map(Lspci.Input::file).toList(), () -> {
            Lspci.looksLikeLspci(text);
            Scanner.scan(Lspci.host("fuzz", platform, kernel, inputs, List.of()));
        });
    }
}
