package dev.pharos.agent.control;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/// Reads newline-terminated lines with a size limit, without ever holding more than the limit:
/// an over-long line is skipped to its end and reported as [Line.TooLong], so a 100 MB line costs
/// one error response and no memory.
final class LineReader {

    /// What [#next] read.
    sealed interface Line {
        record Text(String text) implements Line {
        }

        record TooLong(long bytes) implements Line {
        }

        record End() implements Line {
        }
    }

    private final InputStream in;
    private final int limit;
    private final byte[] buffer = new byte[8192];
    private int pos;
    private int end;
    private byte[] line = new byte[256];

    LineReader(InputStream in, int limit) {
        this.in = in;
        this.limit = limit;
    }

    Line next() throws IOException {
        int length = 0;
        long total = 0;
        boolean tooLong = false;
        while (true) {
            if (pos == end) {
                end = in.read(buffer);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    // A last line without a newline still counts; an empty tail is the end.
                    if (tooLong) {
                        return new Line.TooLong(total);
                    }
                    return length == 0 ? new Line.End() : text(length);
                }
            }
            while (pos < end) {
                byte b = buffer[pos++];
                if (b == '\n') {
                    return tooLong ? new Line.TooLong(total) : text(length);
                }
                total++;
                if (tooLong) {
                    continue;
                }
                if (length == limit) {
                    tooLong = true;
                    continue;
                }
                if (length == line.length) {
                    line = Arrays.copyOf(line, Math.min(limit, line.length * 2));
                }
                line[length++] = b;
            }
        }
    }

    private Line text(int length) {
        int n = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        var s = new String(line, 0, n, StandardCharsets.UTF_8);
        if (line.length > 65536) {
            line = new byte[256]; // do not keep a big buffer for a session that sent one big line
        }
        return new Line.Text(s);
    }
}
