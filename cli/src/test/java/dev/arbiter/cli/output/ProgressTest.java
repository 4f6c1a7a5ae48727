package dev.arbiter.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The progress bar: redrawn in place on a terminal, plain lines otherwise, nothing when off. */
class ProgressTest {

    @Test
    void onATerminalTheBarIsRedrawnInPlace() {
        StringWriter w = new StringWriter();
        Progress p = new Progress(new PrintWriter(w), ProgressMode.BAR, "import");
        p.update(0.5, "half");
        p.update(0.5, "half"); // unchanged: not redrawn
        p.finish("done");
        String s = w.toString();
        assertEquals(2, s.split("\r", -1).length - 1, "two draws: " + s);
        assertTrue(s.contains("\rimport [###############---------------]  50% half\033[K"), s);
        assertTrue(s.endsWith("\rimport [##############################] 100% done\033[K" + System.lineSeparator()), s);
    }

    @Test
    void otherwiseOneLinePerTenthOrNewKindOfMessage() {
        StringWriter w = new StringWriter();
        Progress p = new Progress(new PrintWriter(w), ProgressMode.LINES, "train");
        for (int round = 1; round <= 100; round++) {
            p.update(round / 100.0, "boosting round " + round + " of 100"); // a counter: a line per tenth
        }
        p.update(1, "boosting round 100 of 100", "detail is never a line of its own");
        p.update(1, "registering");
        p.finish("done");
        String[] lines = w.toString().split(System.lineSeparator());
        assertEquals(13, lines.length, w.toString());
        assertEquals("train: 1% boosting round 1 of 100", lines[0]);
        assertEquals("train: 10% boosting round 10 of 100", lines[1]);
        assertEquals("train: 100% boosting round 100 of 100", lines[10]);
        assertEquals("train: 100% registering", lines[11]);
        assertEquals("train: 100% done", lines[12]);
        assertTrue(!w.toString().contains("\r"));
    }

    @Test
    void offPrintsNothingAndBadFractionsAreClamped() {
        StringWriter w = new StringWriter();
        Progress off = new Progress(new PrintWriter(w), ProgressMode.OFF, "x");
        off.update(0.3, "m");
        off.finish("done");
        assertEquals("", w.toString());
        Progress lines = new Progress(new PrintWriter(w), ProgressMode.LINES, "x");
        lines.update(Double.NaN, "unknown size");
        lines.update(7, "");
        assertEquals("x: 0% unknown size" + System.lineSeparator() + "x: 100%" + System.lineSeparator(), w.toString());
    }

    @Test
    void tablesAlignTextLeftAndNumbersRight() {
        StringWriter w = new StringWriter();
        new Table().left("name").right("n").row("a", 1).row("bbb", 1000).print(new PrintWriter(w));
        assertEquals(String.join(System.lineSeparator(), "name     n", "a        1", "bbb   1000", ""), w.toString());
    }
}
