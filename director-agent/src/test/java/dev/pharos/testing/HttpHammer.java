package dev.pharos.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;

/// A test client run inside a namespace: N HTTP/1.0 requests, one connection each, to HOST:PORT,
/// for at most SECONDS when given (`HOST PORT N [SECONDS]`); prints how many answers each body gave
/// (`r1=3000 r2=1000 errors=0`): `errors` counts every failed request, `broken` (printed when any)
/// those of them whose connection was opened and then reset or left unanswered. Bounded: each
/// request has a 5 s timeout.
public final class HttpHammer {

    public static void main(String[] args) throws Exception {
        var host = args[0];
        int port = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        long deadline = args.length > 3 ? System.nanoTime() + (long) (Double.parseDouble(args[3]) * 1e9) : Long.MAX_VALUE;
        var counts = new TreeMap<String, Integer>();
        int errors = 0;
        int broken = 0;
        for (int i = 0; i < count && System.nanoTime() - deadline < 0; i++) {
            try (var s = new Socket()) {
                try {
                    s.connect(new InetSocketAddress(host, port), 5000);
                } catch (IOException e) {
                    errors++;
                    continue;
                }
                try {
                    s.setSoTimeout(5000);
                    OutputStream out = s.getOutputStream();
                    out.write(("GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    var body = body(s.getInputStream());
                    counts.merge(body, 1, Integer::sum);
                } catch (IOException e) {
                    errors++;
                    broken++;
                }
            } catch (IOException e) {
                errors++;
            }
        }
        var line = new StringBuilder();
        counts.forEach((k, v) -> line.append(k).append('=').append(v).append(' '));
        line.append("errors=").append(errors);
        if (broken > 0) {
            line.append(" broken=").append(broken);
        }
        System.out.println(line);
    }

    private static String body(InputStream in) throws IOException {
        var text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\r\n\r\n");
        return (at < 0 ? "?" : text.substring(at + 4)).strip();
    }

    private HttpHammer() {
    }
}
