package dev.pharos.agent.announce;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.TreeMap;

/// A client of long-lived connections, run inside a namespace (`HOST PORT COUNT SECONDS`): opens
/// `COUNT` HTTP/1.1 keep-alive connections to HOST:PORT, then, every 200 ms until `SECONDS` have
/// passed, sends one request on each connection still open and reads its answer. After each round
/// it prints `round=R alive=A broken=B` and the open connections per answer (the body: which
/// director proxied them, as [ScaleOutLab]'s real servers answer), e.g. `192.0.2.1=98`. A
/// connection that fails (reset, closed, or no answer within 2 s) counts as broken, for good: a
/// flow the router moved to another director is reset by it, since a terminating proxy knows
/// nothing of it.
public final class KeepAliveClient {

    private record Connection(Socket socket, BufferedInputStream in, String director) {
    }

    public static void main(String[] args) throws Exception {
        var address = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int count = Integer.parseInt(args[2]);
        long end = System.nanoTime() + (long) (Double.parseDouble(args[3]) * 1e9);
        var open = new ArrayList<Connection>(count);
        int broken = 0;
        for (int i = 0; i < count && System.nanoTime() - end < 0; i++) {
            var s = new Socket();
            try {
                s.connect(address, 2000);
                s.setSoTimeout(2000);
                s.setTcpNoDelay(true);
                var in = new BufferedInputStream(s.getInputStream());
                open.add(new Connection(s, in, request(s, in, args[0])));
            } catch (IOException e) {
                s.close();
                broken++;
            }
        }
        for (int round = 1; System.nanoTime() - end < 0; round++) {
            var perDirector = new TreeMap<String, Integer>();
            for (var it = open.iterator(); it.hasNext(); ) {
                var c = it.next();
                try {
                    request(c.socket(), c.in(), args[0]);
                    perDirector.merge(c.director(), 1, Integer::sum);
                } catch (IOException e) {
                    c.socket().close();
                    it.remove();
                    broken++;
                }
            }
            var line = new StringBuilder("round=%d alive=%d broken=%d".formatted(round, open.size(), broken));
            perDirector.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
            System.out.println(line);
            System.out.flush();
            Thread.sleep(200);
        }
        for (var c : open) {
            c.socket().close();
        }
    }

    /// One request and its whole answer on a kept-alive connection; returns the body.
    private static String request(Socket s, InputStream in, String host) throws IOException {
        var out = s.getOutputStream();
        out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        var head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) read(in));
        }
        int length = 0;
        for (var line : head.toString().split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        var body = in.readNBytes(length);
        if (body.length < length) {
            throw new IOException("closed within the answer");
        }
        return new String(body, StandardCharsets.ISO_8859_1).strip();
    }

    private static int read(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new IOException("closed");
        }
        return b;
    }

    private KeepAliveClient() {
    }
}
