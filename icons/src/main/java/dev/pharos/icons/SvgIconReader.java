package dev.pharos.icons;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.scene.shape.FillRule;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/// Reads an icon's SVG source with the JDK's SAX parser, accepting only the subset the icons are
/// drawn in and rejecting the rest with an [IconFormatException] that names the file and line:
///
/// - the root is `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">`, optionally with
///   `width`/`height` of `24` and `fill="currentColor"`;
/// - its children are `<path>` elements only, with a `d` in [PathSyntax]'s subset, optionally
///   `fill="currentColor"` and `fill-rule` `nonzero` or `evenodd`;
/// - nothing else: no text, no `<image>`, no `href` (the icons must not reach outside their
///   file), no strokes (a 2 px line is drawn as a filled outline so that it scales with the
///   fill), no `style`, no DOCTYPE (and so no entities).
final class SvgIconReader {
    private static final String SVG_NS = "http://www.w3.org/2000/svg";
    private static final String CURRENT_COLOR = "currentColor";

    private SvgIconReader() {
    }

    /// Reads the SVG source of `icon` from the class path.
    static IconShape read(Icon icon) {
        var file = icon.resource();
        try (var in = SvgIconReader.class.getClassLoader().getResourceAsStream(file)) {
            if (in == null) {
                throw new IconFormatException(file + ": no such resource on the class path");
            }
            return read(file, in);
        } catch (IOException e) {
            throw new IconFormatException(file + ": cannot be read: " + e.getMessage(), e);
        }
    }

    /// Reads an SVG source; `file` names it in messages.
    static IconShape read(String file, InputStream in) throws IOException {
        var handler = new Handler(file);
        try {
            var factory = SAXParserFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setXIncludeAware(false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.newSAXParser().parse(in, handler);
        } catch (SAXParseException e) {
            if (e.getCause() instanceof IconFormatException ife) {
                throw ife;
            }
            throw new IconFormatException("%s:%d:%d: not well-formed XML: %s"
                    .formatted(file, e.getLineNumber(), e.getColumnNumber(), e.getMessage()), e);
        } catch (SAXException | ParserConfigurationException e) {
            throw new IconFormatException(file + ": cannot be parsed: " + e.getMessage(), e);
        } catch (Rejected r) {
            throw r.exception;
        }
        return new IconShape(file, handler.paths);
    }

    /// Carries a rejection out of the parser untouched (SAX would wrap a `SAXException`).
    private static final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient IconFormatException exception;

        Rejected(IconFormatException exception) {
            super(exception.getMessage(), null, false, false);
            this.exception = exception;
        }
    }

    private static final class Handler extends DefaultHandler {
        private final String file;
        private final List<IconShape.Path> paths = new ArrayList<>();
        private Locator locator;
        private int depth;
        private boolean sawRoot;

        Handler(String file) {
            this.file = file;
        }

        @Override
        public void setDocumentLocator(Locator locator) {
            this.locator = locator;
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes attributes) {
            depth++;
            var name = localName.isEmpty() ? qName : localName;
            if (!SVG_NS.equals(uri)) {
                throw reject("<%s> is not in the SVG namespace (%s)".formatted(qName, SVG_NS));
            }
            if (depth == 1) {
                if (!name.equals("svg")) {
                    throw reject("the root element must be <svg>, found <%s>".formatted(name));
                }
                sawRoot = true;
                root(attributes);
            } else if (depth == 2 && name.equals("path")) {
                path(attributes);
            } else {
                throw reject(unsupported(name));
            }
        }

        @Override
        public void endElement(String uri, String localName, String qName) {
            depth--;
        }

        @Override
        public void characters(char[] ch, int start, int length) {
            for (int i = start; i < start + length; i++) {
                if (!Character.isWhitespace(ch[i])) {
                    throw reject("text content is not supported: draw glyphs as paths");
                }
            }
        }

        @Override
        public void endDocument() {
            if (sawRoot && paths.isEmpty()) {
                throw reject("the <svg> has no <path>");
            }
        }

        @Override
        public void error(SAXParseException e) throws SAXException {
            throw e;
        }

        private void root(Attributes attributes) {
            for (int i = 0; i < attributes.getLength(); i++) {
                var name = attributeName(attributes, i);
                var value = attributes.getValue(i).trim();
                switch (name) {
                    case "viewBox" -> {
                        // The accessor scales from 24 and the bounds test checks against 0..24.
                        if (!String.join(" ", value.replace(',', ' ').trim().split("\\s+")).equals("0 0 24 24")) {
                            throw reject("viewBox must be \"0 0 24 24\", found \"%s\"".formatted(value));
                        }
                    }
                    case "width", "height" -> {
                        if (!value.equals("24")) {
                            throw reject("%s must be 24 or left out, found \"%s\"".formatted(name, value));
                        }
                    }
                    case "fill" -> checkFill(value);
                    default -> throw reject(unsupportedAttribute("svg", name));
                }
            }
            if (attributes.getValue("viewBox") == null) {
                throw reject("the <svg> needs viewBox=\"0 0 24 24\"");
            }
        }

        private void path(Attributes attributes) {
            String data = null;
            var fillRule = FillRule.NON_ZERO;
            for (int i = 0; i < attributes.getLength(); i++) {
                var name = attributeName(attributes, i);
                var value = attributes.getValue(i).trim();
                switch (name) {
                    case "d" -> data = value;
                    case "fill" -> checkFill(value);
                    case "fill-rule" -> fillRule = switch (value) {
                        case "nonzero" -> FillRule.NON_ZERO;
                        case "evenodd" -> FillRule.EVEN_ODD;
                        default -> throw reject("fill-rule must be nonzero or evenodd, found \"%s\"".formatted(value));
                    };
                    default -> throw reject(unsupportedAttribute("path", name));
                }
            }
            if (data == null) {
                throw reject("<path> has no d attribute");
            }
            var problem = PathSyntax.problem(data);
            if (problem.isPresent()) {
                throw reject(problem.get());
            }
            paths.add(new IconShape.Path(data, fillRule));
        }

        private void checkFill(String value) {
            if (!value.equals(CURRENT_COLOR)) {
                throw reject("fill must be currentColor (the accessor tints the icon), found \"%s\"".formatted(value));
            }
        }

        private static String attributeName(Attributes attributes, int i) {
            var local = attributes.getLocalName(i);
            return local == null || local.isEmpty() ? attributes.getQName(i) : local;
        }

        private static String unsupported(String element) {
            return switch (element) {
                case "text", "tspan", "textPath" -> "<%s> is not supported: draw glyphs as paths".formatted(element);
                case "image" -> "<image> is not supported: icons hold no bitmaps, only paths";
                case "use", "a", "foreignObject", "script", "style" ->
                        "<%s> is not supported: an icon must not refer outside its file or carry code or styles"
                                .formatted(element);
                default -> "<%s> is outside the supported subset (<svg> with <path> children)".formatted(element);
            };
        }

        private static String unsupportedAttribute(String element, String attribute) {
            var lower = attribute.toLowerCase(Locale.ROOT);
            if (lower.equals("href")) {
                return "%s on <%s> is not supported: an external reference (href) would reach outside the file"
                        .formatted(attribute, element);
            }
            if (lower.startsWith("stroke")) {
                return "%s on <%s> is not supported: draw a stroke as a filled outline".formatted(attribute, element);
            }
            return "attribute %s on <%s> is outside the supported subset".formatted(attribute, element);
        }

        private Rejected reject(String reason) {
            var where = locator == null ? file : "%s:%d:%d".formatted(file, locator.getLineNumber(), locator.getColumnNumber());
            return new Rejected(new IconFormatException(where + ": " + reason));
        }
    }
}
