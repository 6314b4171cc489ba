package dev.pharos.icons;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import javafx.scene.shape.FillRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class SvgIconReaderTest {
    private static final String FILE = "broken/bad-icon.svg";
    private static final String OPEN = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 24 24\">";
    private static final String PATH = "<path d=\"M2 2 H22 V22 H2 Z\"/>";

    @ParameterizedTest
    @EnumSource(Icon.class)
    void everyIconHasASourceThatParses(Icon icon) {
        var shape = SvgIconReader.read(icon);

        assertThat(shape.file()).isEqualTo("dev/pharos/icons/svg/" + icon.fileName() + ".svg");
        assertThat(shape.paths()).isNotEmpty()
                .allSatisfy(path -> assertThat(PathSyntax.problem(path.data())).isEmpty());
        // The sources keep to a few <path> elements, per the drawing rules.
        assertThat(shape.paths()).hasSizeLessThanOrEqualTo(4);
    }

    @Test
    void readsPathsInOrderWithTheirFillRule() throws IOException {
        var shape = read("""
                <?xml version="1.0" encoding="UTF-8"?>
                <svg xmlns="http://www.w3.org/2000/svg" viewBox="0,0,24,24" width="24" height="24" fill="currentColor">
                  <!-- comments are fine -->
                  <path d="M2 2 H22 V22 H2 Z M4 4 H20 V20 H4 Z" fill-rule="evenodd"/>
                  <path d="M10 10 h4 v4 h-4 z" fill="currentColor"/>
                </svg>
                """);

        assertThat(shape.paths()).containsExactly(
                new IconShape.Path("M2 2 H22 V22 H2 Z M4 4 H20 V20 H4 Z", FillRule.EVEN_ODD),
                new IconShape.Path("M10 10 h4 v4 h-4 z", FillRule.NON_ZERO));
        assertThat(shape.combinedData()).isEqualTo("M2 2 H22 V22 H2 Z M4 4 H20 V20 H4 Z M10 10 h4 v4 h-4 z");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "text         | " + OPEN + PATH + "<text x='1' y='20'>A</text></svg>"
                    + "| :1:109: <text> is not supported: draw glyphs as paths",
            "image        | " + OPEN + "<image href='data:image/png;base64,AAAA' width='24' height='24'/></svg>"
                    + "| :1:126: <image> is not supported",
            "href         | " + OPEN + "<path d='M0 0 H1 V1 Z' href='https://example.org/x.svg'/></svg>"
                    + "| href on <path> is not supported: an external reference",
            "xlink:href   | <svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' viewBox='0 0 24 24'>"
                    + "<path d='M0 0 H1 V1 Z' xlink:href='#other'/></svg>"
                    + "| href on <path> is not supported: an external reference",
            "use          | " + OPEN + "<use href='other.svg#a'/></svg>"
                    + "| <use> is not supported: an icon must not refer outside its file",
            "circle       | " + OPEN + "<circle cx='12' cy='12' r='4'/></svg>"
                    + "| <circle> is outside the supported subset (<svg> with <path> children)",
            "group        | " + OPEN + "<g>" + PATH + "</g></svg>"
                    + "| <g> is outside the supported subset",
            "stroke       | " + OPEN + "<path d='M0 0 L24 24' stroke='currentColor' stroke-width='2'/></svg>"
                    + "| stroke on <path> is not supported: draw a stroke as a filled outline",
            "style        | " + OPEN + "<path d='M0 0 H1 V1 Z' style='fill:red'/></svg>"
                    + "| attribute style on <path> is outside the supported subset",
            "colour       | " + OPEN + "<path d='M0 0 H1 V1 Z' fill='#ff0000'/></svg>"
                    + "| fill must be currentColor",
            "fill-rule    | " + OPEN + "<path d='M0 0 H1 V1 Z' fill-rule='inherit'/></svg>"
                    + "| fill-rule must be nonzero or evenodd",
            "no d         | " + OPEN + "<path/></svg>"
                    + "| <path> has no d attribute",
            "bad d        | " + OPEN + "<path d='M0 0 S1 1 2 2'/></svg>"
                    + "| path data at character 6: command 'S' is not supported",
            "viewBox      | <svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'>" + PATH + "</svg>"
                    + "| viewBox must be \"0 0 24 24\", found \"0 0 32 32\"",
            "no viewBox   | <svg xmlns='http://www.w3.org/2000/svg'>" + PATH + "</svg>"
                    + "| the <svg> needs viewBox=\"0 0 24 24\"",
            "width        | <svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' width='48'>" + PATH + "</svg>"
                    + "| width must be 24 or left out",
            "namespace    | <svg viewBox='0 0 24 24'>" + PATH + "</svg>"
                    + "| <svg> is not in the SVG namespace",
            "root         | <path xmlns='http://www.w3.org/2000/svg' d='M0 0 H1 V1 Z'/>"
                    + "| the root element must be <svg>, found <path>",
            "empty        | " + OPEN + "</svg>"
                    + "| the <svg> has no <path>",
            "characters   | " + OPEN + PATH + "hello</svg>"
                    + "| text content is not supported",
            "doctype      | <!DOCTYPE svg [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>" + OPEN + PATH + "</svg>"
                    + "| not well-formed XML",
            "malformed    | " + OPEN + PATH
                    + "| not well-formed XML"
    })
    void rejectsAnythingOutsideTheSubsetNamingTheFile(String what, String svg, String message) {
        assertThatThrownBy(() -> read(svg))
                .isInstanceOf(IconFormatException.class)
                .hasMessageStartingWith(FILE + ":")
                .hasMessageContaining(message);
    }

    private static IconShape read(String svg) throws IOException {
        return SvgIconReader.read(FILE, new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }
}
