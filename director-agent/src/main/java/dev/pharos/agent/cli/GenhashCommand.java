package dev.pharos.agent.cli;

import dev.pharos.agent.check.CheckSpec;
import dev.pharos.agent.check.HttpProbe;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/// `genhash --url URL [--ssl] [--virtualhost H]`: prints the MD5 of a URL's body, the value of a
/// `url { digest … }` line, fetched exactly as `HTTP_GET`/`SSL_GET` fetch it (keepalived's
/// `genhash`). Exit 0 with the digest on stdout; else the reason on stderr and exit 1.
@Command(name = "genhash", description = "Print the digest of a URL's body for an HTTP_GET/SSL_GET url block.")
final class GenhashCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-u", "--url"}, required = true, paramLabel = "URL",
            description = "http://HOST[:PORT]/PATH or https://…")
    String url;

    @Option(names = {"-S", "--ssl"}, description = "use TLS (implied by https://)")
    boolean ssl;

    @Option(names = {"-V", "--virtualhost"}, paramLabel = "HOST", description = "Host: header (and TLS SNI) to send")
    String virtualhost;

    @Option(names = {"-P", "--protocol"}, paramLabel = "VERSION", defaultValue = "1.0",
            description = "http_protocol: 1.0, 1.0C or 1.1 (default ${DEFAULT-VALUE})")
    String protocol;

    @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS", defaultValue = "5",
            description = "connect_timeout, bounding the whole fetch (default ${DEFAULT-VALUE})")
    double timeoutSeconds;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        try {
            var get = httpGet();
            var response = HttpProbe.fetch(get, get.urls().getFirst());
            if (response.status() < 200 || response.status() > 299) {
                err.println("genhash: note: " + url + " answered status " + response.status()
                        + "; an HTTP_GET url without status_code accepts only 200-299");
            }
            out.println(response.digest());
            out.flush();
            return 0;
        } catch (IllegalArgumentException | UnknownHostException e) {
            err.println("genhash: " + e.getMessage());
            return 1;
        } catch (HttpProbe.FetchException e) {
            err.println("genhash: " + url + ": " + e.getMessage());
            return 1;
        }
    }

    private CheckSpec.HttpGet httpGet() throws UnknownHostException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--url '" + url + "' is not a URL: " + e.getReason());
        }
        var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("--url '" + url + "' must start with http:// or https://");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("--url '" + url + "' has no host");
        }
        if (!(timeoutSeconds > 0) || timeoutSeconds > 3600) {
            throw new IllegalArgumentException("--timeout must be between 0 and 3600 seconds, not " + timeoutSeconds);
        }
        boolean tls = ssl || scheme.equals("https");
        int port = uri.getPort() >= 0 ? uri.getPort() : tls ? 443 : 80;
        var path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        var host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        var address = InetAddress.getByName(host);
        var endpoint = new CheckSpec.Endpoint(new InetSocketAddress(address, port), null, 0,
                Duration.ofMillis(Math.round(timeoutSeconds * 1000)));
        var urlSpec = new CheckSpec.Url(path, List.of(new CheckSpec.StatusRange(100, 599)), null, null);
        var timing = new CheckSpec.Timing(Duration.ofSeconds(1), 0, Duration.ZERO, Duration.ZERO, false);
        return new CheckSpec.HttpGet(tls, List.of(urlSpec), endpoint, virtualhost,
                CheckSpec.HttpVersion.fromConfig(protocol), virtualhost != null, null, timing);
    }
}
